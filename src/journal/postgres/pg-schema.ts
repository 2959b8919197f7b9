/**
 * The tables stepwise owns in the state database, created on first use and migrated forward.
 * Migrations run under a transaction-level advisory lock, so two runners starting at once
 * never both migrate; a database whose schema is newer than this stepwise knows is refused.
 */
import type pg from 'pg';
import { UsageError } from '../../errors/stepwise-error.js';

/** The schema version this stepwise writes. */
export const SCHEMA_VERSION = 1;

/** The stepwise version that introduced each schema version (for the "needs" message). */
const INTRODUCED_BY: Record<number, string> = { 1: '0.1.0' };

/** Advisory lock key of migrations (run locks use keys hashed from their names: a clash is a 64-bit hash collision). */
export const MIGRATION_LOCK_KEY = '8319381560945812580';

const MIGRATIONS: Record<number, string> = {
  1: `
CREATE TABLE stepwise_runs (
  run_id     text PRIMARY KEY,
  runbook    text NOT NULL,
  lock_name  text,
  meta       jsonb NOT NULL,
  params     jsonb,
  -- Journal lines a state dir could not read when its history was imported.
  lost       jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stepwise_runs_lock ON stepwise_runs (lock_name, run_id);
CREATE TABLE stepwise_events (
  run_id text NOT NULL REFERENCES stepwise_runs ON DELETE CASCADE,
  seq    integer NOT NULL,
  type   text NOT NULL,
  time   text NOT NULL,
  body   jsonb NOT NULL,
  PRIMARY KEY (run_id, seq)
);
CREATE INDEX stepwise_events_type ON stepwise_events (run_id, type, seq);
CREATE TABLE stepwise_files (
  run_id text NOT NULL REFERENCES stepwise_runs ON DELETE CASCADE,
  path   text NOT NULL,
  text   text NOT NULL,
  PRIMARY KEY (run_id, path)
);
CREATE TABLE stepwise_logs (
  run_id      text NOT NULL REFERENCES stepwise_runs ON DELETE CASCADE,
  step_id     text NOT NULL,
  phase       text NOT NULL,
  total_bytes bigint NOT NULL DEFAULT 0,
  opened      bigint NOT NULL,
  PRIMARY KEY (run_id, step_id, phase)
);
CREATE TABLE stepwise_log_chunks (
  run_id      text NOT NULL,
  step_id     text NOT NULL,
  phase       text NOT NULL,
  byte_offset bigint NOT NULL,
  data        bytea NOT NULL,
  PRIMARY KEY (run_id, step_id, phase, byte_offset)
);
CREATE TABLE stepwise_locks (
  lock_key    text PRIMARY KEY,
  name        text NOT NULL,
  run_id      text NOT NULL,
  host        text NOT NULL,
  pid         integer NOT NULL,
  since       text NOT NULL,
  backend_pid integer NOT NULL
);
`,
};

/** Creates or migrates the schema; refuses a newer one (UsageError, exit 2). */
export async function ensureSchema(client: pg.Client, location: string): Promise<void> {
  // Fast path: the common case is a database already at this version.
  if ((await currentVersion(client, location)) === SCHEMA_VERSION) return;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    await client.query('CREATE TABLE IF NOT EXISTS stepwise_schema (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL, needs text NOT NULL)');
    const found = (await currentVersion(client, location)) ?? 0;
    for (let version = found + 1; version <= SCHEMA_VERSION; version++) await client.query(MIGRATIONS[version] ?? '');
    if (found < SCHEMA_VERSION) {
      await client.query(
        'INSERT INTO stepwise_schema (id, version, needs) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, needs = EXCLUDED.needs',
        [SCHEMA_VERSION, INTRODUCED_BY[SCHEMA_VERSION] ?? '?'],
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function currentVersion(client: pg.Client, location: string): Promise<number | undefined> {
  const exists = await client.query<{ table: string | null }>("SELECT to_regclass('stepwise_schema')::text AS table");
  if (exists.rows[0]?.table === null || exists.rows[0]?.table === undefined) return undefined;
  const row = (await client.query<{ version: number; needs: string }>('SELECT version, needs FROM stepwise_schema')).rows[0];
  if (row && row.version > SCHEMA_VERSION) throw newerSchema(row.version, location, row.needs);
  return row?.version;
}

function newerSchema(version: number, location: string, needs: string | undefined): UsageError {
  return new UsageError(
    `The state database ${location} has stepwise schema version ${version}; this stepwise knows up to version ${SCHEMA_VERSION}`,
    { hint: `Upgrade stepwise${needs ? ` to ${needs} or newer` : ''} on this machine; nothing was changed or executed.` },
  );
}
