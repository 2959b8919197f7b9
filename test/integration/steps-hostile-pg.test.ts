/**
 * Hostile values for pg-dump, pg-restore and pg-migrate, run by the built CLI against a
 * private PostgreSQL cluster. The test creates databases, roles, schemas and files named by
 * hostile values (SQL, psql meta-commands, pg_dump patterns, libpq connection strings,
 * option-like names, `host:file` names that tar would take for a remote archive); each step
 * must then work on exactly the object the value names, or the input's rule must refuse it,
 * and no trap may spring: no marker file, no remote shell started, no `victims` table dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgresAvailable, startPostgres, type PgCluster } from '../helpers/postgres.js';
import { asFileName, describeCase, expectRuleDecides, hostileRun, hostileValues, SEED, setTraps, sprung, type Traps } from './steps-hostile-harness.js';
import { scratch } from './steps-harness.js';

const describePg = postgresAvailable() ? describe : describe.skip;
const SLOW = 400_000;
const RSH_TRAP = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/library/bin/rsh-trap');

/** A hostile value as a PostgreSQL name: at most 63 bytes (longer names are cut by the server), never empty. */
function pgName(value: string): string {
  let name = value === '' ? '_' : value;
  while (Buffer.byteLength(name) > 63) name = [...name].slice(0, -1).join('');
  return name;
}
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
/** Names from hostile values, distinct, plus the ones every run must try. */
const names = (traps: Traps, count: number, salt: number, must: string[]) => [...new Set(hostileValues(traps, count, salt, must).map(pgName))];

/** Values aimed at libpq, psql and pg_dump in particular. */
const PG_MUST = ["'; drop table victims; --", 'host=/nonexistent dbname=postgres', 'postgresql://127.0.0.1:1/postgres', '--help', '-d', 'A*', 'a.b', 'Mixed"Case'];

describePg(`hostile values reach the PostgreSQL steps as data (seed ${SEED})`, () => {
  let pg: PgCluster;
  let counter = 0;
  /** Fresh database names that no hostile value can collide with. */
  const fresh = () => `hostile_${++counter}`;
  const env = () => pg.env;

  beforeAll(async () => {
    pg = await startPostgres();
    pg.psql('CREATE TABLE victims (x int)');
  });
  afterAll(() => pg?.stop());

  /**
   * SQL in database `db`, named through PGDATABASE: psql's -d would read a name such as
   * `host=/x dbname=y` as a connection string, the environment never does.
   */
  const psqlIn = (db: string, sql: string) =>
    execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql], { env: { ...process.env, ...pg.env, PGDATABASE: db }, encoding: 'utf8' }).trim();

  /** The trap table still exists (nothing ran `drop table victims`). */
  const expectVictimsAlive = () => expect(pg.psql("SELECT to_regclass('public.victims') IS NOT NULL")).toBe('t');

  it('pg-dump: a database name is one exact name, never a connection string or an option', async () => {
    const dir = scratch();
    const traps = setTraps(dir);
    const databases = names(traps, 5, 21, PG_MUST);
    databases.forEach((db, i) => {
      pg.psql(`CREATE DATABASE ${ident(db)}`);
      psqlIn(db, `CREATE TABLE marker_tbl (note text); INSERT INTO marker_tbl VALUES ('case-${i}-data')`);
    });
    const { cases } = await hostileRun(dir, { uses: 'pg-dump', input: 'database', values: databases, fixed: () => ({ dir, format: 'plain' }), env: env() });
    for (const c of expectRuleDecides('pg-dump', 'database', cases).accepted) {
      const file = c.outputs['dump-file'] ?? '';
      expect([describeCase(c), c.finished?.status, existsSync(file) && readFileSync(file, 'utf8').includes(`case-${c.index}-data`)]).toEqual([describeCase(c), 'succeeded', true]);
    }
    expect(sprung(traps)).toEqual([]);
    expectVictimsAlive();
  }, SLOW);

  it('pg-dump: a schema is one exact schema, never a pattern', async () => {
    const dir = scratch();
    const traps = setTraps(dir);
    const db = fresh();
    pg.createDatabase(db);
    // Names starting with pg_ are reserved for the system.
    const schemas = names(traps, 8, 22, [...PG_MUST, 'a', 'ab', '.*', 'x|y']).filter((s) => !s.startsWith('pg_') && s !== 'public');
    pg.psql(schemas.map((s, i) => `CREATE SCHEMA ${ident(s)}; CREATE TABLE ${ident(s)}.t_${i}_end (x int);`).join('\n'), db);
    const { cases } = await hostileRun(dir, { uses: 'pg-dump', input: 'schema', values: schemas, fixed: (i) => ({ database: db, format: 'plain', schema_only: true, file: join(dir, `schema-${i}.sql`) }), env: env() });
    for (const c of expectRuleDecides('pg-dump', 'schema', cases).accepted) {
      const text = readFileSync(join(dir, `schema-${c.index}.sql`), 'utf8');
      // Quoted schema names may span lines in the dump: look for the tables' own names anywhere.
      const tables = [...new Set([...text.matchAll(/\bt_[0-9]+_end\b/g)].map((m) => m[0]))];
      expect([describeCase(c), c.finished?.status, tables]).toEqual([describeCase(c), 'succeeded', [`t_${c.index}_end`]]);
    }
    const missing = await hostileRun(scratch(), { uses: 'pg-dump', input: 'schema', values: ['no_such_schema'], fixed: () => ({ database: db, dir }), env: env() });
    expect(missing.cases[0]?.finished?.status).toBe('failed');
    expect(sprung(traps)).toEqual([]);
  }, SLOW);

  it('pg-dump: a user is one exact role name', async () => {
    const dir = scratch();
    const traps = setTraps(dir);
    const roles = names(traps, 5, 23, ["'; drop table victims; --", '-U', 'a b']).filter((r) => !r.startsWith('pg_'));
    for (const role of roles) pg.psql(`CREATE ROLE ${ident(role)} LOGIN SUPERUSER`);
    const { cases } = await hostileRun(dir, { uses: 'pg-dump', input: 'user', values: roles, fixed: () => ({ database: 'postgres', dir }), env: env() });
    for (const c of expectRuleDecides('pg-dump', 'user', cases).accepted) expect([describeCase(c), c.finished?.status]).toEqual([describeCase(c), 'succeeded']);
    expect(sprung(traps)).toEqual([]);
    expectVictimsAlive();
  }, SLOW);

  /** A plain dump of a small database, to restore again and again. */
  const plainDump = (dir: string): string => {
    const source = fresh();
    pg.createDatabase(source);
    pg.psql("CREATE TABLE restored (note text); INSERT INTO restored VALUES ('it is back')", source);
    const file = join(dir, 'source.sql');
    writeFileSync(file, pg.snapshot(source).split('\n').filter((line) => !/^\\(un)?restrict/.test(line)).join('\n'));
    return file;
  };

  it('pg-restore with create: a database name is created and filled exactly as given', async () => {
    const dir = scratch();
    const traps = setTraps(dir);
    const file = plainDump(dir);
    const databases = names(traps, 5, 24, PG_MUST).filter((db) => !['postgres', 'template0', 'template1'].includes(db));
    const { cases } = await hostileRun(dir, { uses: 'pg-restore', input: 'database', values: databases, fixed: () => ({ file, create: true }), env: env() });
    for (const c of expectRuleDecides('pg-restore', 'database', cases).accepted) {
      const created = pg.psql(`SELECT count(*) FROM pg_database WHERE datname = ${literal(c.value)}`);
      expect([describeCase(c), c.finished?.status, created, psqlIn(c.value, 'SELECT note FROM restored')]).toEqual([describeCase(c), 'succeeded', '1', 'it is back']);
    }
    expect(sprung(traps)).toEqual([]);
    expectVictimsAlive();
  }, SLOW);

  it('pg-restore: a file is exactly that local file (a host:file name never starts a remote shell)', async () => {
    const dir = scratch();
    const traps = setTraps(dir);
    const source = readFileSync(plainDump(dir), 'utf8');
    const files = [...new Set(hostileValues(traps, 5, 25, ['nosuch.invalid:x', 'localhost:dump', '--help', '-', '-v']).map(asFileName))].filter((f) => f !== 'source.sql');
    for (const f of files) writeFileSync(join(dir, f), source);
    const databases = files.map(() => fresh());
    // tar reads TAR_OPTIONS: were the step to probe a host:file name without --force-local, this rsh would run.
    const trapEnv = { ...env(), TAR_OPTIONS: `--rsh-command=${RSH_TRAP}`, RSH_TRAP: join(traps.markers, 'rsh') };
    const { cases } = await hostileRun(dir, { uses: 'pg-restore', input: 'file', values: files, fixed: (i) => ({ database: databases[i], create: true }), env: trapEnv });
    for (const c of expectRuleDecides('pg-restore', 'file', cases).accepted) {
      expect([describeCase(c), c.finished?.status, c.outputs.format, pg.psql('SELECT note FROM restored', databases[c.index])]).toEqual([describeCase(c), 'succeeded', 'plain', 'it is back']);
    }
    expect(sprung(traps)).toEqual([]);
  }, SLOW);

  /** A directory of two tiny migrations. */
  const writeMigrations = (dir: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '0001_create.sql'), 'CREATE TABLE hostile_t (x int);\n');
    writeFileSync(join(dir, '0002_fill.sql'), 'INSERT INTO hostile_t VALUES (1);\n');
  };

  it('pg-migrate: dir and backup_dir are exact paths; a table is a plain lowercase name (keywords too) or refused', async () => {
    const dir = scratch();
    const traps = setTraps(dir);
    const dirs = [...new Set(hostileValues(traps, 2, 26, ['--help', '-', "a'b"]).map(asFileName))];
    dirs.forEach((d) => writeMigrations(join(dir, d)));
    let databases = dirs.map(() => fresh());
    databases.forEach((db) => pg.createDatabase(db));
    const byDir = await hostileRun(dir, { uses: 'pg-migrate', input: 'dir', values: dirs, fixed: (i) => ({ database: databases[i], backup_dir: join(dir, 'backups') }), env: env() });
    for (const c of expectRuleDecides('pg-migrate', 'dir', byDir.cases).accepted) {
      expect([describeCase(c), c.finished?.status, c.outputs.applied, pg.psql('SELECT count(*) FROM hostile_t', databases[c.index])]).toEqual([describeCase(c), 'succeeded', '1,2', '1']);
    }

    writeMigrations(join(dir, 'migrations'));
    const backupDirs = [...new Set(hostileValues(traps, 2, 27, ['-rf', '~']).map(asFileName))];
    databases = backupDirs.map(() => fresh());
    databases.forEach((db) => pg.createDatabase(db));
    const byBackupDir = await hostileRun(dir, { uses: 'pg-migrate', input: 'backup_dir', values: backupDirs, fixed: (i) => ({ database: databases[i], dir: 'migrations' }), env: env() });
    for (const c of expectRuleDecides('pg-migrate', 'backup_dir', byBackupDir.cases).accepted) {
      const dump = resolve(dir, c.value, `pg-migrate-${databases[c.index] ?? ''}-${byBackupDir.run.runId}-${c.stepId}.dump`);
      expect([describeCase(c), c.finished?.status, c.outputs['backup-file'], existsSync(dump)]).toEqual([describeCase(c), 'succeeded', dump, true]);
    }

    const tables = hostileValues(traps, 3, 28, ['select.order', 'user', 'public.t1', "x'); drop table victims; --", 'Upper']);
    databases = tables.map(() => fresh());
    databases.forEach((db) => pg.createDatabase(db));
    const byTable = await hostileRun(dir, { uses: 'pg-migrate', input: 'table', values: tables, fixed: (i) => ({ database: databases[i], dir: 'migrations', backup_dir: join(dir, 'backups') }), env: env() });
    const { accepted } = expectRuleDecides('pg-migrate', 'table', byTable.cases);
    for (const c of accepted) {
      const [schema, table] = c.value.includes('.') ? c.value.split('.') : ['public', c.value];
      const rows = pg.psql(`SELECT count(*) FROM ${ident(schema ?? '')}.${ident(table ?? '')}`, databases[c.index]);
      expect([describeCase(c), c.finished?.status, rows]).toEqual([describeCase(c), 'succeeded', '2']);
    }
    expect(accepted.map((c) => c.value)).toEqual(expect.arrayContaining(['select.order', 'user']));
    expect(sprung(traps)).toEqual([]);
    expectVictimsAlive();
  }, SLOW);
});
