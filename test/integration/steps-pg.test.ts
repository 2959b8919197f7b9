/**
 * pg-dump, pg-restore and pg-migrate run for real by the built CLI against a private
 * PostgreSQL cluster (test/helpers/postgres.ts). "Unchanged" always means: pg_dump of the
 * schema and of the data is byte-for-byte what it was.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgresAvailable, startPostgres, type PgCluster } from '../helpers/postgres.js';
import { runRunbook, scratch, type StepsRun } from './steps-harness.js';

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/pg');
const describePg = postgresAvailable() ? describe : describe.skip;
/** Headroom for tests that run the CLI several times on a shared machine (a hang guard, not a speed check). */
const SLOW = 180_000;

/** A scratch dir holding the given fixture migration files (`migrations/0001_…`, `broken/…`). */
function migrations(...files: string[]): string {
  const dir = scratch('stepwise-migrations-');
  for (const file of files) cpSync(join(FIXTURES, file), join(dir, file.split('/').at(-1) ?? file));
  return dir;
}
const BASE = ['migrations/0001_create_orders.sql', 'migrations/0002_customer_status.sql', 'migrations/0003_split_names.sql'];

describePg('PostgreSQL steps', () => {
  let pg: PgCluster;
  let counter = 0;
  /** A fresh database with the seed schema and data. */
  const seededDatabase = (): string => {
    const name = `shop_${++counter}`;
    pg.createDatabase(name);
    pg.psql(readFileSync(join(FIXTURES, 'seed.sql'), 'utf8'), name);
    return name;
  };
  const run = (dir: string, runbook: Record<string, unknown>): Promise<StepsRun> => runRunbook(dir, runbook, { env: pg.env });
  const migrateStep = (database: string, dir: string, backupDir: string, extra: Record<string, unknown> = {}, keys: Record<string, unknown> = {}) => ({
    id: 'migrate',
    uses: 'pg-migrate',
    with: { dir, database, backup_dir: backupDir, ...extra },
    ...keys,
  });
  const failingStep = { id: 'later', run: 'echo a later step fails; exit 1' };

  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(() => pg?.stop());

  describe('pg-dump', () => {
    it('writes a whole custom-format dump, mode 0600, named by database, run and step', async () => {
      const db = seededDatabase();
      const dir = scratch();
      const result = await run(dir, { name: 'dump', steps: [{ id: 'backup', uses: 'pg-dump', with: { database: db, dir: join(dir, 'backups') } }] });
      expect(result.code).toBe(0);
      const file = result.outputs('backup')['dump-file'] ?? '';
      expect(file).toBe(join(dir, 'backups', `${db}-${result.runId}-backup.dump`));
      expect(readFileSync(file).subarray(0, 5).toString()).toBe('PGDMP');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(Number(result.outputs('backup')['size-bytes'])).toBe(statSync(file).size);
      expect(readdirSync(join(dir, 'backups'))).toEqual([`${db}-${result.runId}-backup.dump`]);
    });

    it('writes plain SQL, schema only, to an exact file', async () => {
      const db = seededDatabase();
      const dir = scratch();
      const file = join(dir, 'schema.sql');
      const result = await run(dir, { name: 'dump', steps: [{ id: 'backup', uses: 'pg-dump', with: { database: db, file, format: 'plain', schema_only: true } }] });
      expect(result.code).toBe(0);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('CREATE TABLE public.customers');
      expect(text).not.toContain('COPY public.customers');
    });

    it('fails for a database that does not exist and leaves no file behind', async () => {
      const dir = scratch();
      const result = await run(dir, { name: 'dump', steps: [{ id: 'backup', uses: 'pg-dump', with: { database: 'no_such_db', dir } }] });
      expect(result.code).toBe(1);
      expect(result.log('backup')).toContain('no_such_db');
      expect(readdirSync(dir).filter((f) => f.includes('no_such_db'))).toEqual([]);
    });
  });

  describe('pg-restore', () => {
    it('restores custom and directory dumps into a new database, identical to the source', async () => {
      const db = seededDatabase();
      const dir = scratch();
      const result = await run(dir, {
        name: 'copy',
        steps: [
          { id: 'dump-custom', uses: 'pg-dump', with: { database: db, dir } },
          { id: 'dump-dir', uses: 'pg-dump', with: { database: db, dir, format: 'directory' } },
          { id: 'restore-custom', uses: 'pg-restore', with: { file: '${{ steps.dump-custom.outputs.dump-file }}', database: `${db}_copy1`, create: true } },
          { id: 'restore-dir', uses: 'pg-restore', with: { file: '${{ steps.dump-dir.outputs.dump-file }}', database: `${db}_copy2`, create: true } },
        ],
      });
      expect(result.code).toBe(0);
      expect(result.outputs('restore-custom').format).toBe('custom');
      expect(result.outputs('restore-dir').format).toBe('directory');
      expect(pg.snapshot(`${db}_copy1`)).toBe(pg.snapshot(db));
      expect(pg.snapshot(`${db}_copy2`)).toBe(pg.snapshot(db));
    }, SLOW);

    it('with clean, makes a changed database exactly the dump again (extra tables and schemas gone)', async () => {
      const db = seededDatabase();
      const before = pg.snapshot(db);
      const dir = scratch();
      const dumped = await run(dir, { name: 'dump', steps: [{ id: 'backup', uses: 'pg-dump', with: { database: db, dir } }] });
      pg.psql("CREATE SCHEMA scratch; CREATE TABLE scratch.junk (x int); CREATE TABLE extra (y int); UPDATE accounts SET balance_cents = 0; DELETE FROM accounts WHERE customer_id = 3", db);
      expect(pg.snapshot(db)).not.toBe(before);
      const restored = await run(dir, { name: 'restore', steps: [{ id: 'restore', uses: 'pg-restore', with: { file: dumped.outputs('backup')['dump-file'] ?? '', database: db, clean: true } }] });
      expect(restored.code).toBe(0);
      expect(pg.snapshot(db)).toBe(before);
    }, SLOW);

    it('is all or nothing: a dump that fails near its end leaves the database untouched', async () => {
      const db = seededDatabase();
      const dir = scratch();
      const file = join(dir, 'bad.sql');
      const dumped = await run(dir, { name: 'dump', steps: [{ id: 'backup', uses: 'pg-dump', with: { database: db, file, format: 'plain' } }] });
      expect(dumped.code).toBe(0);
      appendFileSync(file, '\nSELECT 1 / 0;\n');
      pg.psql('CREATE TABLE keep_me (z int)', db);
      const before = pg.snapshot(db);
      const restored = await run(dir, { name: 'restore', steps: [{ id: 'restore', uses: 'pg-restore', with: { file, database: db, clean: true } }] });
      expect(restored.code).toBe(1);
      expect(restored.log('restore')).toContain('division by zero');
      expect(pg.snapshot(db)).toBe(before);
    }, SLOW);
  });

  describe('pg-migrate', () => {
    it('applies files in version order, records them, and skips them on the next run', async () => {
      const db = seededDatabase();
      const dir = migrations(...BASE.slice(0, 2));
      const backups = scratch();
      const first = await run(backups, { name: 'm', steps: [migrateStep(db, dir, backups)] });
      expect(first.code).toBe(0);
      expect(first.outputs('migrate')).toMatchObject({ applied: '1,2', 'applied-count': '2', version: '2' });
      expect(first.log('migrate')).toMatch(/applying 0001_create_orders.sql[\s\S]*applying 0002_customer_status.sql/);
      expect(pg.psql('SELECT version, name, applied_by FROM stepwise_migrations ORDER BY version', db).split('\n')).toEqual([
        `1|0001_create_orders.sql|${first.runId}/migrate`,
        `2|0002_customer_status.sql|${first.runId}/migrate`,
      ]);

      cpSync(join(FIXTURES, BASE[2] ?? ''), join(dir, '0003_split_names.sql'));
      const second = await run(backups, { name: 'm', steps: [migrateStep(db, dir, backups)] });
      expect(second.code).toBe(0);
      expect(second.outputs('migrate')).toMatchObject({ applied: '3', 'applied-count': '1', version: '3' });
      // Nothing left to apply: the step's check finds it already done, and it does not run.
      const third = await run(backups, { name: 'm', steps: [migrateStep(db, dir, backups)] });
      expect(third.finished('migrate')?.status).toBe('alreadyDone');
      expect(third.log('migrate')).toContain('all 3 migration(s) already applied by earlier runs: nothing to do');
      // The data migration ran once: every balance got its +500 exactly once.
      expect(pg.psql('SELECT string_agg(balance_cents::text, \',\' ORDER BY customer_id) FROM accounts', db)).toBe('1500,2500,3500');
      expect(pg.psql("SELECT given_name || '/' || family_name FROM customers WHERE id = 3", db)).toBe('Grace/Brewster Hopper');
    }, SLOW);

    it('with a target version (SPEC: with: { version: v2 }) applies up to it, and refuses a target below the database', async () => {
      const db = seededDatabase();
      const dir = migrations(...BASE);
      const backups = scratch();
      const first = await run(backups, { name: 'm', steps: [migrateStep(db, dir, backups, { version: 'v2' })] });
      expect(first.code).toBe(0);
      expect(first.outputs('migrate')).toMatchObject({ applied: '1,2', version: '2' });
      const missing = await run(backups, { name: 'm', steps: [migrateStep(db, dir, backups, { version: '9' })] });
      expect(missing.code).toBe(1);
      expect(missing.log('migrate')).toContain('no migration file for target version 9');
      const all = await run(backups, { name: 'm', steps: [migrateStep(db, dir, backups)] });
      expect(all.outputs('migrate')).toMatchObject({ applied: '3', version: '3' });
      const down = await run(backups, { name: 'm', steps: [migrateStep(db, dir, backups, { version: 'v1' })] });
      expect(down.code).toBe(1);
      expect(down.log('migrate')).toContain('beyond the target 1');
    }, SLOW);

    it('a migration failing halfway leaves the database exactly as before (earlier files of the run too)', async () => {
      const db = seededDatabase();
      const before = pg.snapshot(db);
      const backups = scratch();
      const result = await run(backups, { name: 'm', steps: [migrateStep(db, migrations(...BASE, 'broken/0004_invoices.sql'), backups)] });
      expect(result.code).toBe(1);
      expect(result.finished('migrate')?.status).toBe('failed');
      expect(result.log('migrate')).toContain('column "totl_cents" does not exist');
      expect(result.log('migrate', 'rollback')).toContain('committed no migration; nothing to undo');
      expect(pg.snapshot(db)).toBe(before);
    });

    it('when a later step fails, its rollback restores the state before the migration from its own dump', async () => {
      const db = seededDatabase();
      const before = pg.snapshot(db);
      const backups = scratch();
      const result = await run(backups, { name: 'm', steps: [migrateStep(db, migrations(...BASE), backups), failingStep] });
      expect(result.code).toBe(1);
      const dump = result.outputs('migrate')['backup-file'] ?? '';
      expect(dump).toBe(join(backups, `pg-migrate-${db}-${result.runId}-migrate.dump`));
      expect(existsSync(dump)).toBe(true);
      expect(result.rollback('migrate')?.status).toBe('succeeded');
      expect(result.log('migrate', 'rollback')).toContain('undoing versions 1,2,3');
      expect(pg.snapshot(db)).toBe(before);
    });

    it('restores the dump of an earlier pg-dump step when given as backup_file', async () => {
      const db = seededDatabase();
      const before = pg.snapshot(db);
      const backups = scratch();
      const result = await run(backups, {
        name: 'm',
        steps: [
          { id: 'backup', uses: 'pg-dump', with: { database: db, dir: backups } },
          migrateStep(db, migrations(...BASE), backups, { backup_file: '${{ steps.backup.outputs.dump-file }}' }),
          failingStep,
        ],
      });
      expect(result.code).toBe(1);
      expect(result.outputs('migrate')['backup-file']).toBe(result.outputs('backup')['dump-file']);
      expect(readdirSync(backups).filter((f) => f.startsWith('pg-migrate-'))).toEqual([]);
      expect(pg.snapshot(db)).toBe(before);
    });

    it('a rollback undoes nothing when the step applied nothing new', async () => {
      const db = seededDatabase();
      const backups = scratch();
      const dir = migrations(...BASE);
      expect((await run(backups, { name: 'm', steps: [migrateStep(db, dir, backups)] })).code).toBe(0);
      const migrated = pg.snapshot(db);
      // With the library's check the step is already done and has no rollback at all; with a
      // check of the runbook's own that never holds, it runs, applies nothing, and its rollback
      // finds nothing of its own to undo.
      const done = await run(backups, { name: 'm', steps: [migrateStep(db, dir, backups), failingStep] });
      expect([done.code, done.finished('migrate')?.status, done.rollback('migrate')]).toEqual([1, 'alreadyDone', undefined]);
      const again = await run(backups, { name: 'm', steps: [migrateStep(db, dir, backups, {}, { check: { run: 'exit 1', after: false } }), failingStep] });
      expect(again.code).toBe(1);
      expect(again.log('migrate', 'rollback')).toContain('nothing to undo');
      expect(pg.snapshot(db)).toBe(migrated);
    }, SLOW);

    it('refuses, before touching anything, a changed applied file, bad names, duplicate versions and BEGIN/COMMIT', async () => {
      const db = seededDatabase();
      const backups = scratch();
      const dir = migrations(...BASE);
      expect((await run(backups, { name: 'm', steps: [migrateStep(db, dir, backups)] })).code).toBe(0);
      const migrated = pg.snapshot(db);
      const cases: Array<[string, (d: string) => void, string]> = [
        ['changed', (d) => appendFileSync(join(d, '0002_customer_status.sql'), '\n-- edited\n'), '0002_customer_status.sql changed after it was applied'],
        ['bad name', (d) => writeFileSync(join(d, 'add_things.sql'), 'SELECT 1;'), 'add_things.sql: migration files are named'],
        ['duplicate', (d) => writeFileSync(join(d, '03_again.sql'), 'SELECT 1;'), 'have the same version 3'],
        ['transaction', (d) => writeFileSync(join(d, '0004_tx.sql'), 'BEGIN;\nCREATE TABLE t (x int);\nCOMMIT;\n'), '0004_tx.sql manages transactions itself'],
      ];
      for (const [, change, message] of cases) {
        const broken = migrations(...BASE);
        change(broken);
        const result = await run(backups, { name: 'm', steps: [migrateStep(db, broken, backups)] });
        expect(result.code).toBe(1);
        expect(result.log('migrate')).toContain(message);
        expect(pg.snapshot(db)).toBe(migrated);
      }
    }, SLOW);
  });
});
