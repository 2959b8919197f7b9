/**
 * The two state backends for tests that must hold for both (ARCHITECTURE §14: one
 * parametrized suite): a state dir in a temp folder, and a fresh database on the private
 * PostgreSQL cluster. Each "machine" gets its own HOME and state dir, as separate hosts
 * would; with PostgreSQL they share the database, with a state dir they share the folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStateStore, type StateStore } from '../../src/journal/index.js';
import { postgresAvailable, startPostgres, type PgCluster } from './postgres.js';

/** A backend under test. */
export interface StateBackend {
  name: 'state dir' | 'PostgreSQL';
  /** `--state …` / `--state-dir …` for the CLI, as a machine named `machine` would pass it. */
  cliArgs(machine?: string): string[];
  /** Environment of a machine: its own HOME (and nothing of the others'). */
  env(machine?: string): NodeJS.ProcessEnv;
  open(options?: { writable: boolean }): Promise<StateStore>;
  /** PostgreSQL only: the cluster and the database name. */
  pg?: { cluster: PgCluster; database: string; url: string };
}

let cluster: PgCluster | undefined;
let databases = 0;
const made: string[] = [];

/** The backends to run: the state dir always, PostgreSQL when it can run (in CI it must). */
export function backendNames(): Array<StateBackend['name']> {
  return postgresAvailable() ? ['state dir', 'PostgreSQL'] : ['state dir'];
}

/** A fresh backend of that kind (a new state dir, or a new database). */
export async function freshBackend(name: StateBackend['name']): Promise<StateBackend> {
  const root = mkdtempSync(join(tmpdir(), 'stepwise-backend-'));
  made.push(root);
  const machineDir = (machine: string) => join(root, `machine-${machine}`);
  const env = (machine = 'a'): NodeJS.ProcessEnv => ({ HOME: join(machineDir(machine), 'home'), XDG_STATE_HOME: '', STEPWISE_STATE: '', STEPWISE_STATE_DIR: '' });
  if (name === 'state dir') {
    const stateDir = join(root, 'state');
    return {
      name,
      cliArgs: () => ['--state-dir', stateDir],
      env,
      open: (options = { writable: true }) => openStateStore({ stateDir }, options),
    };
  }
  cluster ??= await startPostgres();
  const database = `stepwise_state_${process.pid}_${++databases}`;
  cluster.createDatabase(database);
  const url = `postgres://${cluster.user}@${cluster.host}:${cluster.port}/${database}`;
  return {
    name,
    // Each machine has its own (unused) state dir too: only the database is shared.
    cliArgs: () => ['--state', url],
    env: (machine = 'a') => ({ ...env(machine), STEPWISE_STATE_DIR: join(machineDir(machine), 'state') }),
    open: (options = { writable: true }) => openStateStore({ state: url }, options),
    pg: { cluster, database, url },
  };
}

/** Stops the cluster and removes temp folders (afterAll). */
export function cleanBackends(): void {
  cluster?.stop();
  cluster = undefined;
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
