/**
 * Which store a command uses (SPEC §1, §4): `--state URL|DIR`, then `--state-dir DIR`, then
 * `STEPWISE_STATE`, then `STEPWISE_STATE_DIR`, then the default state dir. A `postgres://`
 * or `postgresql://` URL selects PostgreSQL (loaded only then: the state dir costs nothing
 * at start-up); any other URL scheme is refused before anything runs.
 */
import { UsageError } from '../errors/stepwise-error.js';
import { FileStore } from './file-store.js';
import { resolveStateDir } from './state-dir.js';
import type { StateStore } from './store.js';

/** What the command line and the environment say about state. */
export interface StateChoice {
  /** `--state URL|DIR`. */
  state?: string | undefined;
  /** `--state-dir DIR`. */
  stateDir?: string | undefined;
  env?: NodeJS.ProcessEnv;
  home?: string;
  cwd?: string;
}

/** How the store will be used: writers create and probe it; readers change nothing. */
export interface OpenOptions {
  writable: boolean;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const POSTGRES = new Set(['postgres', 'postgresql']);

/** The store a command should use: a state dir path or a database URL, not yet opened. */
export type StateTarget = { kind: 'dir'; path: string } | { kind: 'postgres'; url: string };

/** Resolves the choice without touching anything; an unknown URL scheme is a UsageError. */
export function stateTarget(choice: StateChoice = {}): StateTarget {
  const env = choice.env ?? process.env;
  if (choice.state !== undefined && choice.stateDir !== undefined && SCHEME.test(choice.state)) {
    throw new UsageError('--state and --state-dir both say where state is', { hint: 'Give one of them.' });
  }
  const given = choice.state ?? (choice.stateDir === undefined ? env.STEPWISE_STATE || undefined : undefined);
  const scheme = given === undefined ? undefined : SCHEME.exec(given)?.[1];
  if (given !== undefined && scheme !== undefined) {
    if (!POSTGRES.has(scheme.toLowerCase())) {
      throw new UsageError(`Unknown state URL scheme "${scheme}:" in ${choice.state !== undefined ? '--state' : 'STEPWISE_STATE'}`, {
        hint: 'State is kept in a directory (a path) or in PostgreSQL (postgres://user@host:port/db).',
      });
    }
    return { kind: 'postgres', url: given };
  }
  const dir = given ?? choice.stateDir;
  const options = { ...(dir !== undefined ? { stateDir: dir } : {}), env, ...(choice.home ? { home: choice.home } : {}), ...(choice.cwd ? { cwd: choice.cwd } : {}) };
  return { kind: 'dir', path: resolveStateDir(options) };
}

/** Opens the store; a database that cannot be reached or used is exit 2 naming it. */
export async function openStateStore(choice: StateChoice, options: OpenOptions): Promise<StateStore> {
  const target = stateTarget(choice);
  if (target.kind === 'dir') return FileStore.open(target.path, options);
  const { PostgresStore } = await import('./postgres/postgres-store.js');
  return PostgresStore.open(target.url, options);
}

/** Copies a state dir's runs into the database at `url` (`stepwise state import`). */
export async function importIntoDatabase(url: string, source: FileStore, say: (line: string) => void): Promise<{ imported: string[]; skipped: string[]; location: string }> {
  const [{ PostgresStore }, { importStateDir }] = await Promise.all([import('./postgres/postgres-store.js'), import('./postgres/pg-import.js')]);
  const store = await PostgresStore.open(url, { writable: true });
  try {
    return { ...(await importStateDir(store, source, say)), location: store.location };
  } finally {
    await store.close();
  }
}
