/**
 * pg-migrate's `check:` on a private PostgreSQL (test/helpers/postgres.ts), run by the built
 * CLI. It holds exactly when the step has nothing to do and nothing to undo: every file up to
 * the target applied by an earlier run, with the same checksum. Then the step is `already
 * done`: no dump taken, nothing applied, and a later failure has nothing of it to restore.
 * The check never writes: it runs in read-only sessions, and the database is unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { appendFileSync, cpSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgresAvailable, startPostgres, type PgCluster } from '../helpers/postgres.js';
import { runRunbook, scratch, type StepsRun } from './steps-harness.js';

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/pg');
const BASE = ['migrations/0001_create_orders.sql', 'migrations/0002_customer_status.sql', 'migrations/0003_split_names.sql'];
const describePg = postgresAvailable() ? describe : describe.skip;
/** Headroom for tests that run the CLI several times on a shared machine (a hang guard, not a speed check). */
const SLOW = 180_000;

describePg('pg-migrate check: the target is already applied, by an earlier run', () => {
  let pg: PgCluster;
  let counter = 0;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(() => pg?.stop());

  /** A seeded database migrated by a first run to `applied` files; the migrations dir, a dumps dir, and a runner. */
  async function migratedTo(applied: number) {
    const db = `checked_${++counter}`;
    pg.createDatabase(db);
    pg.psql(readFileSync(join(FIXTURES, 'seed.sql'), 'utf8'), db);
    const dir = scratch('stepwise-migrations-');
    const dumps = scratch();
    const migrate = (extra: Record<string, unknown> = {}, after: Array<Record<string, unknown>> = []): Promise<StepsRun> =>
      runRunbook(dumps, { name: 'm', steps: [{ id: 'migrate', uses: 'pg-migrate', with: { dir, database: db, backup_dir: dumps, ...extra } }, ...after] }, { env: pg.env });
    for (const file of BASE.slice(0, applied)) cpSync(join(FIXTURES, file), join(dir, file.split('/').at(-1) ?? file));
    if (applied > 0) expect((await migrate()).code).toBe(0);
    for (const file of BASE.slice(applied)) cpSync(join(FIXTURES, file), join(dir, file.split('/').at(-1) ?? file));
    return { db, dir, dumps, migrate, dumpsNow: () => readdirSync(dumps).filter((f) => f.endsWith('.dump')) };
  }
  const failingStep = { id: 'later', run: 'echo a later step fails; exit 1' };

  it('holds when every file is applied: already done, no dump taken, nothing compensated after a later failure', async () => {
    const m = await migratedTo(3);
    const dumps = m.dumpsNow();
    const before = pg.snapshot(m.db);
    const run = await m.migrate({}, [failingStep]);
    expect(run.code).toBe(1);
    expect(run.finished('migrate')?.status).toBe('alreadyDone');
    expect(run.checks('migrate')).toEqual(['before:holds']);
    expect(run.log('migrate')).toContain('all 3 migration(s) already applied by earlier runs: nothing to do');
    expect(run.rollback('migrate')).toBeUndefined();
    expect(m.dumpsNow()).toEqual(dumps);
    expect(pg.snapshot(m.db)).toBe(before);
  }, SLOW);

  it('fails while a version is pending: the step runs and applies it (no check after: after is false)', async () => {
    const m = await migratedTo(2);
    const run = await m.migrate();
    expect(run.code).toBe(0);
    expect(run.checks('migrate')).toEqual(['before:fails']);
    expect(run.log('migrate')).toContain('version 3 is not applied yet');
    expect(run.outputs('migrate')).toMatchObject({ applied: '3', version: '3' });
  }, SLOW);

  it('with a target: holds at the target, fails below it, and fails beyond it (the step then refuses)', async () => {
    const m = await migratedTo(2);
    const at = await m.migrate({ version: 'v2' });
    expect([at.finished('migrate')?.status, at.checks('migrate')]).toEqual(['alreadyDone', ['before:holds']]);
    expect(at.log('migrate')).toContain('all 2 migration(s) up to version 2 already applied by earlier runs');

    const below = await m.migrate({ version: '3' });
    expect([below.finished('migrate')?.status, below.checks('migrate')]).toEqual(['succeeded', ['before:fails']]);

    const beyond = await m.migrate({ version: 'v1' });
    expect(beyond.code).toBe(1);
    expect(beyond.checks('migrate')).toEqual(['before:fails']);
    expect(beyond.log('migrate')).toContain('the database is at version 2, beyond the target 1');
    expect(beyond.log('migrate')).toContain('beyond the target 1 (pg-migrate does not migrate down)');
  }, SLOW);

  it('fails when an applied file changed since: the step runs and stops with its own message', async () => {
    const m = await migratedTo(3);
    const before = pg.snapshot(m.db);
    appendFileSync(join(m.dir, '0002_customer_status.sql'), '\n-- edited\n');
    const run = await m.migrate();
    expect(run.code).toBe(1);
    expect(run.checks('migrate')).toEqual(['before:fails']);
    expect(run.log('migrate')).toContain('version 2 changed after it was applied');
    expect(run.log('migrate')).toContain('0002_customer_status.sql changed after it was applied (checksum differs)');
    expect(pg.snapshot(m.db)).toBe(before);
  }, SLOW);

  it('fails when the database cannot be read: the step runs and reports why', async () => {
    const m = await migratedTo(0);
    const run = await m.migrate({ database: 'no_such_database' });
    expect(run.code).toBe(1);
    expect(run.checks('migrate')).toEqual(['before:fails']);
    expect(run.log('migrate')).toContain('pg-migrate: cannot read the database');
    expect(run.log('migrate')).toContain('no_such_database');
  }, SLOW);
});
