/**
 * runbooks/pg-migrate.yaml end to end on a private PostgreSQL: the success path, a
 * migration failing halfway, a failed verification (rollback restores the backup), and
 * the runner SIGKILLed in the middle of the migration transaction, then `stepwise resume`
 * — once with the orphaned migration killed too (a crash), once with it left to commit.
 * "As before" means pg_dump of schema and data are byte-for-byte equal.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonLines, runCli, startCli } from '../helpers/run-cli.js';
import { workspace } from '../helpers/temp-dir.js';
import { eventually } from '../helpers/processes.js';
import { postgresAvailable, startPostgres, type PgCluster } from '../helpers/postgres.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RUNBOOK = join(ROOT, 'runbooks/pg-migrate.yaml');
const FIXTURES = join(ROOT, 'test/fixtures/pg');
const BASE = ['migrations/0001_create_orders.sql', 'migrations/0002_customer_status.sql', 'migrations/0003_split_names.sql'];
const describePg = postgresAvailable() ? describe : describe.skip;
/** Headroom for tests that run the CLI several times on a shared machine (a hang guard, not a speed check). */
const SLOW = 180_000;

type Event = Record<string, unknown>;
const finishedOf = (events: Event[], stepId: string) => events.find((e) => e.type === 'step.finished' && e.stepId === stepId && e.phase === 'run');

describePg('runbooks/pg-migrate.yaml on a real PostgreSQL', () => {
  let pg: PgCluster;
  let counter = 0;

  /** A seeded database, a workspace with a migrations dir of `files`, and the CLI arguments to migrate it. */
  function setup(files: string[], extraParams: string[] = []) {
    const db = `orders_${++counter}`;
    pg.createDatabase(db);
    pg.psql(readFileSync(join(FIXTURES, 'seed.sql'), 'utf8'), db);
    const ws = workspace();
    const migrations = join(ws.dir, 'migrations');
    const backups = join(ws.dir, 'backups');
    mkdirSync(migrations);
    mkdirSync(backups);
    for (const file of files) cpSync(join(FIXTURES, file), join(migrations, file.split('/').at(-1) ?? file));
    const params = ['database', db, 'migrations', migrations, 'backup_dir', backups, ...extraParams];
    const paramArgs = params.flatMap((value, i) => (i % 2 === 0 ? ['--param', `${value}=${params[i + 1] ?? ''}`] : []));
    return { db, ws, backups, migrations, args: ['run', RUNBOOK, '--json', '--yes', '--state-dir', ws.stateDir, ...paramArgs], env: pg.env };
  }

  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(() => pg?.stop());

  it('success: backup kept, new schema in place, versions recorded, finally reports', async () => {
    const { db, args, env, backups } = setup(BASE, ['verify_sql', "SELECT count(*) = 3 FROM customers WHERE given_name IS NOT NULL"]);
    const result = await runCli(args, { env });
    expect(result.code).toBe(0);
    const events = jsonLines(result.stdout);
    expect(events.find((e) => e.type === 'run.finished')?.status).toBe('succeeded');
    expect(finishedOf(events, 'migrate')?.outputs).toMatchObject({ applied: '1,2,3', version: '3' });
    const dump = String((finishedOf(events, 'backup')?.outputs as Record<string, string>)['dump-file']);
    expect(dump.startsWith(backups)).toBe(true);
    expect(existsSync(dump)).toBe(true);
    expect(pg.psql('SELECT string_agg(version::text, \',\' ORDER BY version) FROM stepwise_migrations', db)).toBe('1,2,3');
    expect(pg.psql("SELECT to_regclass('public.orders') IS NOT NULL", db)).toBe('t');
    expect(pg.psql("SELECT string_agg(status || ':' || given_name, ',' ORDER BY id) FROM customers", db)).toBe('active:Ada,active:Alan,active:Grace');
    expect(result.stdout).toContain('the backup taken before migrating is kept at');
  });

  it('a migration failing halfway leaves the database exactly as before, already-applied versions included', async () => {
    const { db, args, env, ws, migrations } = setup([...BASE, 'broken/0004_invoices.sql']);
    // Start from a database migrated to version 1 by an earlier run, so "as before"
    // includes the bookkeeping table and the data in it.
    const early = join(ws.dir, 'early');
    mkdirSync(early);
    cpSync(join(migrations, '0001_create_orders.sql'), join(early, '0001_create_orders.sql'));
    const first = await runCli(args.map((a) => (a === `migrations=${migrations}` ? `migrations=${early}` : a)), { env });
    expect(first.code).toBe(0);
    expect(pg.psql('SELECT count(*) FROM stepwise_migrations', db)).toBe('1');
    const before = pg.snapshot(db);
    const result = await runCli(args, { env });
    expect(result.code).toBe(1);
    const events = jsonLines(result.stdout);
    expect(finishedOf(events, 'migrate')?.status).toBe('failed');
    expect(events.find((e) => e.type === 'run.finished')?.status).toBe('rolledBack');
    expect(pg.snapshot(db)).toBe(before);
  }, SLOW);

  it('already migrated by an earlier run: migrate is already done, verify reads the version, a no leaves the database as it is', async () => {
    const { db, args, env } = setup(BASE);
    expect((await runCli(args, { env })).code).toBe(0);
    const migrated = pg.snapshot(db);
    const again = await runCli(args, { env });
    expect(again.code).toBe(0);
    const events = jsonLines(again.stdout);
    expect(finishedOf(events, 'migrate')?.status).toBe('alreadyDone');
    expect(finishedOf(events, 'verify')?.outputs).toEqual({ version: '3' });
    // Verification fails this time: nothing of the migrate step is undone (this run applied nothing).
    const refused = await runCli([...args, '--param', 'verify_sql=SELECT false'], { env });
    expect(refused.code).toBe(1);
    const refusedEvents = jsonLines(refused.stdout);
    expect(finishedOf(refusedEvents, 'migrate')?.status).toBe('alreadyDone');
    expect(refusedEvents.filter((e) => e.type === 'rollback.started' && e.stepId === 'migrate')).toEqual([]);
    expect(pg.snapshot(db)).toBe(migrated);
  }, SLOW);

  it('a failed verification rolls back: the backup is restored, schema and data as before', async () => {
    const { db, args, env } = setup(BASE, ['verify_sql', 'SELECT false']);
    const before = pg.snapshot(db);
    const result = await runCli(args, { env });
    expect(result.code).toBe(1);
    const events = jsonLines(result.stdout);
    expect(finishedOf(events, 'verify')?.status).toBe('failed');
    expect(events.find((e) => e.type === 'rollback.finished' && e.stepId === 'migrate')?.status).toBe('succeeded');
    expect(pg.snapshot(db)).toBe(before);
  });

  describe('SIGKILL of the runner inside the migration transaction, then resume', () => {
    /** Holds advisory lock 4242 in a session of its own, so 0004_wait_for_test.sql blocks mid-transaction. */
    async function holdLock(db: string): Promise<{ release(): Promise<void> }> {
      const child: ChildProcess = spawn('psql', ['-X', '-q', '-d', db], { env: { ...process.env, ...pg.env }, stdio: ['pipe', 'ignore', 'inherit'] });
      child.stdin?.write('SELECT pg_advisory_lock(4242);\n');
      expect(await eventually(() => pg.psql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND granted", db) === '1')).toBe(true);
      return {
        release: () =>
          new Promise<void>((done) => {
            child.once('close', () => done());
            child.stdin?.end();
          }),
      };
    }
    const waitingMigration = (db: string) => `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = '${db}')`;

    /** Runs the runbook until the migration waits inside its transaction, then SIGKILLs the node process. */
    async function killMidMigration(setupResult: ReturnType<typeof setup>): Promise<string> {
      const cli = startCli(setupResult.args, { env: setupResult.env });
      await cli.waitFor('applying 0004_wait_for_test.sql');
      expect(await eventually(() => pg.psql(waitingMigration(setupResult.db), setupResult.db) !== '')).toBe(true);
      // Versions 1-3 and the audit row exist only inside the open transaction.
      expect(pg.psql("SELECT to_regclass('public.stepwise_migrations') IS NULL", setupResult.db)).toBe('t');
      cli.child.kill('SIGKILL');
      const killed = await cli.done;
      expect(killed.signal).toBe('SIGKILL');
      return String(jsonLines(killed.stdout)[0]?.runId);
    }

    const exactlyOnce = (db: string) => {
      expect(pg.psql('SELECT string_agg(version::text, \',\' ORDER BY version) FROM stepwise_migrations', db)).toBe('1,2,3,4');
      expect(pg.psql('SELECT count(*) FROM audit_log', db)).toBe('1');
      expect(pg.psql('SELECT string_agg(balance_cents::text, \',\' ORDER BY customer_id) FROM accounts', db)).toBe('1500,2500,3500');
    };

    it('crash: the orphaned transaction dies too; resume applies every migration exactly once', async () => {
      const s = setup([...BASE, 'pausable/0004_wait_for_test.sql']);
      const before = pg.snapshot(s.db);
      const lock = await holdLock(s.db);
      const runId = await killMidMigration(s);
      // What a reboot does to the migration's session: it ends, and its transaction with it.
      pg.psql(`SELECT pg_terminate_backend(pid) FROM (${waitingMigration(s.db)}) AS w`, s.db);
      await lock.release();
      expect(pg.snapshot(s.db)).toBe(before);

      const resumed = await runCli(['resume', runId, '--json', '--yes', '--state-dir', s.ws.stateDir], { env: s.env });
      expect(resumed.code).toBe(0);
      const events = jsonLines(resumed.stdout);
      expect(events.filter((e) => e.type === 'step.started').map((e) => e.stepId)).toEqual(['migrate', 'verify', 'keep', 'report', 'where-is-the-backup']);
      expect(finishedOf(events, 'migrate')?.outputs).toMatchObject({ applied: '1,2,3,4', version: '4' });
      exactlyOnce(s.db);
    }, SLOW);

    it('orphan commits after the runner died; resume finds it applied and finishes, exactly once', async () => {
      const s = setup([...BASE, 'pausable/0004_wait_for_test.sql']);
      const lock = await holdLock(s.db);
      const runId = await killMidMigration(s);
      // The step's psql outlives its runner (it runs in its own process group) and, having
      // nothing more to print into the dead runner's pipe, is not killed by SIGPIPE: it
      // commits — the database is migrated but the journal does not know.
      await lock.release();
      expect(await eventually(() => pg.psql("SELECT to_regclass('public.stepwise_migrations') IS NOT NULL", s.db) === 't')).toBe(true);

      const resumed = await runCli(['resume', runId, '--json', '--yes', '--state-dir', s.ws.stateDir], { env: s.env });
      expect(resumed.code).toBe(0);
      const events = jsonLines(resumed.stdout);
      const migrate = finishedOf(events, 'migrate');
      expect(migrate?.status).toBe('succeeded');
      // Its check does not call it done: the versions are this step's own, so it runs again
      // (applying nothing) and keeps its rollback.
      expect(events.filter((e) => e.type === 'step.check.finished' && e.stepId === 'migrate').map((e) => e.result)).toEqual(['fails']);
      expect(events.filter((e) => e.type === 'step.output' && e.stepId === 'migrate').map((e) => String(e.line))).toContain('pg-migrate: version 1 was applied by this step of this run: it runs again (applying nothing) and keeps its rollback');
      // Applied by this run and step (the orphan carried the same run id), none of it twice.
      expect(migrate?.outputs).toMatchObject({ applied: '1,2,3,4', version: '4' });
      expect(events.filter((e) => e.type === 'step.output' && e.stepId === 'migrate').map((e) => e.line)).toContain('test: 4 version(s) already applied, 0 pending'.replace('test', s.db));
      exactlyOnce(s.db);
    }, SLOW);
  });
});
