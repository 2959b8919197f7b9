/**
 * A private PostgreSQL cluster for the bench, following test/helpers/postgres.ts: `initdb` +
 * `pg_ctl` in a temp dir, listening on 127.0.0.1 and a free port only, trust auth, removed
 * afterwards. PostgreSQL refuses to run as root, so as root the server runs as the same
 * unprivileged account the tests use (created when missing).
 *
 * Unlike the test helper, durability stays ON (fsync, synchronous_commit, full_page_writes at
 * their defaults): the file backend fdatasyncs its journal, so the database must pay for its
 * commits too or the comparison flatters it. pg_stat_statements and WAL I/O timing are on so
 * the bench can say where the time goes (their overhead is microseconds per statement).
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The account the server runs as when the bench runs as root (the tests use the same one). */
export const PG_OS_USER = 'stepwise-pg';
/** The database superuser the bench connects as. */
export const PG_SUPERUSER = 'postgres';

/** `bin/` of the newest installed server (Debian layout), or undefined. */
export function postgresBinDir() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** Why the private cluster cannot run here, or undefined when it can. */
export function postgresUnavailableReason() {
  if (postgresBinDir() === undefined) return 'PostgreSQL server binaries are missing (apt-get install -y postgresql)';
  try {
    execFileSync('sh', ['-c', 'command -v psql'], { stdio: 'ignore' });
  } catch {
    return 'psql is not on PATH (apt-get install -y postgresql-client)';
  }
  return undefined;
}

/** The unprivileged account as root (created when missing), or undefined when not root. */
function serverUser() {
  if (process.getuid?.() !== 0) return undefined;
  try {
    execFileSync('id', ['-u', PG_OS_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['-m', '-s', '/bin/sh', PG_OS_USER], { stdio: 'ignore' });
  }
  const id = (flag) => Number(execFileSync('id', [flag, PG_OS_USER], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function readLog(file) {
  try {
    return readFileSync(file, 'utf8').slice(-4000);
  } catch {
    return '(no server log)';
  }
}

/**
 * Initialises and starts a cluster under `base` (default the system temp dir). Resolves
 * { port, url(db), psql(sql, db), createDatabase(name), log(), stop() }. stop() is
 * idempotent and also runs when the process exits, so an interrupted bench leaves no server.
 */
export async function startPostgres(base = tmpdir()) {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error(postgresUnavailableReason());
  const owner = serverUser();
  const dir = mkdtempSync(join(base, 'stepwise-bench-pg-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const asServer = { stdio: 'pipe', cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' }, ...(owner ?? {}) };
  let started = false;
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', stop);
    try {
      if (started) execFileSync(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop'], asServer);
    } catch {
      // A server that will not stop cleanly is stopped as a crash would be.
      try {
        execFileSync(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], asServer);
      } catch {
        // Already gone.
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  process.once('exit', stop);
  let port = 0;
  try {
    execFileSync(join(bin, 'initdb'), ['-D', data, '-U', PG_SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], asServer);
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const options = [
        `-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1',
        '-c shared_preload_libraries=pg_stat_statements', '-c track_wal_io_timing=on',
      ].join(' ');
      try {
        execFileSync(join(bin, 'pg_ctl'), ['-D', data, '-l', logFile, '-o', options, '-w', '-t', '60', 'start'], asServer);
        started = true;
        break;
      } catch (error) {
        // Another process may have taken the port between our probe and the server's bind.
        if (attempt >= 3) throw new Error(`PostgreSQL did not start: ${error.message}\n${readLog(logFile)}`);
      }
    }
  } catch (error) {
    stop();
    throw error;
  }
  const clientEnv = { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: PG_SUPERUSER, PGCONNECT_TIMEOUT: '10' };
  const psql = (sql, database = 'postgres') =>
    execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', database, '-c', sql], { env: clientEnv, encoding: 'utf8' }).trim();
  return {
    port,
    dataDir: data,
    version: psql('SHOW server_version'),
    url: (database) => `postgres://${PG_SUPERUSER}@127.0.0.1:${port}/${database}`,
    psql,
    createDatabase: (name) => void psql(`CREATE DATABASE "${name.replace(/"/g, '""')}"`),
    log: () => readLog(logFile),
    stop,
  };
}
