/**
 * Connecting to the state database (SPEC §4): `postgres://` / `postgresql://` URLs with
 * libpq-style `?sslmode=`, and the usual PG* environment variables for what the URL leaves
 * out (node-postgres reads them). Every failure to connect is exit 2 naming host and
 * database, never the password, before anything runs.
 */
import pg from 'pg';
import { UsageError } from '../../errors/stepwise-error.js';
import { errnoCode } from '../fs-util.js';

/** A connected client and where it is, as `postgres://user@host:port/db` (no password). */
export interface Connection {
  client: pg.Client;
  location: string;
}

/** How long connecting may take (PGCONNECT_TIMEOUT, in seconds, overrides). */
const CONNECT_TIMEOUT_MS = 10_000;
/** A query that takes longer than this means the database is gone in all but name. */
const QUERY_TIMEOUT_MS = 30_000;

/** Connects, or throws a UsageError saying which server and database could not be used and why. */
export async function connect(url: string): Promise<Connection> {
  let client: pg.Client;
  try {
    const timeout = Number(process.env.PGCONNECT_TIMEOUT) > 0 ? Number(process.env.PGCONNECT_TIMEOUT) * 1000 : CONNECT_TIMEOUT_MS;
    client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeout, query_timeout: QUERY_TIMEOUT_MS, keepAlive: true, application_name: 'stepwise' });
  } catch (error) {
    throw new UsageError(`--state ${redact(url)} is not a PostgreSQL URL stepwise can use: ${error instanceof Error ? error.message : String(error)}`, { hint: HINT });
  }
  const location = `postgres://${client.user ?? ''}@${client.host}:${client.port}/${client.database ?? ''}`;
  // An error between queries (the server went away) must never crash the runner: queries report it.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new UsageError(`Cannot use the PostgreSQL state ${location}: ${why(error, client)}`, { cause: error, hint: HINT });
  }
  try {
    // "Committed before the next step starts" needs a commit that is on disk when it returns:
    // a server (or role) with synchronous_commit=off would lose the last events in a crash.
    await client.query(`SELECT set_config('synchronous_commit', 'on', false) WHERE current_setting('synchronous_commit') = 'off'`);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new UsageError(`Cannot use the PostgreSQL state ${location}: ${why(error, client)}`, { cause: error, hint: HINT });
  }
  return { client, location };
}

const HINT = 'Check --state / STEPWISE_STATE (postgres://user@host:port/db) and the PG* variables (PGPASSWORD, PGSSLMODE…); the database must exist.';

/** The URL with any password replaced, for messages. */
export function redact(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^:@/]*):[^@/]*@/, '$1:***@').replace(/([?&]password=)[^&]*/i, '$1***');
}

function why(error: unknown, client: pg.Client): string {
  const code = (error as { code?: unknown }).code;
  if (code === '28P01' || code === '28000') return `authentication failed for user "${client.user ?? ''}"`;
  if (code === '3D000') return `database "${client.database ?? ''}" does not exist`;
  const errno = errnoCode(error);
  if (errno === 'ECONNREFUSED') return 'connection refused (is the server running and listening there?)';
  if (errno === 'ENOTFOUND' || errno === 'EAI_AGAIN') return `host "${client.host}" not found`;
  const message = error instanceof Error ? error.message : String(error);
  // The driver's messages never hold the password; keep them short.
  return /timeout/i.test(message) ? 'connection timed out' : message.split('\n')[0] ?? message;
}
