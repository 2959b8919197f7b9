/**
 * A private PostgreSQL cluster for tests: `initdb` + `pg_ctl` in a temp dir, listening on
 * 127.0.0.1 and a free port only, trust auth, removed afterwards. PostgreSQL refuses to run
 * as root, so as root the server runs as an unprivileged account (created when missing);
 * tests then connect as the `postgres` superuser over TCP via PGHOST/PGPORT/PGUSER.
 */
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The account the server runs as when the tests run as root. */
export const PG_OS_USER = 'stepwise-pg';
/** The database superuser the tests connect as. */
export const PG_SUPERUSER = 'postgres';

/** `bin/` of the newest installed server (Debian layout), or undefined. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** Why the private cluster cannot run here, or undefined when it can. */
export function postgresUnavailableReason(): string | undefined {
  if (postgresBinDir() === undefined) return 'PostgreSQL server binaries are missing (apt-get install -y postgresql)';
  for (const tool of ['psql', 'pg_dump', 'pg_restore']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is not on PATH (apt-get install -y postgresql-client)`;
    }
  }
  return undefined;
}

/**
 * Whether PostgreSQL suites should run. In CI a missing PostgreSQL is a failure, never a
 * silent skip; locally it skips with a banner so nobody mistakes a skip for a pass.
 */
export function postgresAvailable(): boolean {
  const reason = postgresUnavailableReason();
  if (reason === undefined) return true;
  if (process.env.CI) throw new Error(`PostgreSQL tests cannot run: ${reason}`);
  console.warn(`\n${'!'.repeat(72)}\n!! SKIPPING POSTGRESQL TESTS: ${reason}\n${'!'.repeat(72)}\n`);
  return false;
}

/** A running private cluster. */
export interface PgCluster {
  host: string;
  port: number;
  user: string;
  /** PGHOST/PGPORT/PGUSER for the cluster; give it to steps and CLIs. */
  env: Record<string, string>;
  /** Runs SQL with psql (stop on first error) and returns its unaligned, tuples-only output. */
  psql(sql: string, database?: string): string;
  /** Creates an empty database. */
  createDatabase(name: string): void;
  /** Schema and data of a database as pg_dump prints them: equal snapshots mean equal databases. */
  snapshot(database: string): string;
  /** The server log so far (for failure messages). */
  log(): string;
  /** Stops the server as a crash would (`pg_ctl stop -m immediate`): every connection is cut. */
  crash(): void;
  /** Starts it again on the same port after {@link crash}. */
  start(): void;
  stop(): void;
}

interface OsUser {
  uid: number;
  gid: number;
}

/** The unprivileged account as root (created when missing), or undefined when not root. */
function serverUser(): OsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    execFileSync('id', ['-u', PG_OS_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['-m', '-s', '/bin/sh', PG_OS_USER], { stdio: 'ignore' });
  }
  const id = (flag: string) => Number(execFileSync('id', [flag, PG_OS_USER], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Initialises and starts a cluster; call stop() in afterAll. */
export async function startPostgres(): Promise<PgCluster> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error(postgresUnavailableReason());
  const owner = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-pg-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const asServer: ExecFileSyncOptions = { stdio: 'pipe', cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' }, ...(owner ?? {}) };
  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', PG_SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], asServer);

  let port = 0;
  // Durability is not under test: fsync off keeps the suite fast on a shared machine.
  const serverOptions = () => `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const options = serverOptions();
    try {
      execFileSync(join(bin, 'pg_ctl'), ['-D', data, '-l', logFile, '-o', options, '-w', '-t', '60', 'start'], asServer);
      break;
    } catch (error) {
      // Another process may have taken the port between our probe and the server's bind.
      if (attempt >= 3) throw new Error(`PostgreSQL did not start: ${String(error)}\n${readLog(logFile)}`);
    }
  }

  const env = { PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: PG_SUPERUSER };
  const clientEnv = { ...process.env, ...env, PGDATABASE: 'postgres', PGCONNECT_TIMEOUT: '10' };
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', stop);
    try {
      execFileSync(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], asServer);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  // A test process that dies early must not leave a server running.
  process.once('exit', stop);

  const psql = (sql: string, database = 'postgres') =>
    execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', database, '-c', sql], { env: clientEnv, encoding: 'utf8' }).trim();
  const dump = (database: string, what: string) =>
    execFileSync('pg_dump', [what, '-d', database], { env: clientEnv, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return {
    host: env.PGHOST,
    port,
    user: PG_SUPERUSER,
    env,
    psql,
    createDatabase: (name) => void psql(`CREATE DATABASE "${name.replace(/"/g, '""')}"`),
    // pg_dump 15.14+ writes `\restrict KEY` lines with a random key: not part of the database.
    snapshot: (database) => `${dump(database, '--schema-only')}\n${dump(database, '--data-only')}`.replace(/^\\(un)?restrict .*$/gm, ''),
    log: () => readLog(logFile),
    crash: () => void execFileSync(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], asServer),
    start: () => void execFileSync(join(bin, 'pg_ctl'), ['-D', data, '-l', logFile, '-o', serverOptions(), '-w', '-t', '60', 'start'], asServer),
    stop,
  };
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '(no server log)';
  }
}
