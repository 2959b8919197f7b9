/**
 * `meta.json` of a run: what `history` lists without reading the journal, and what
 * `resume`/`rollback` need besides it (original path, cwd, lock, command-line options).
 */
import { hostname, userInfo } from 'node:os';
import type { RunStartedEvent } from '../engine/events.js';
import { isRecord, readJsonFile, writeFileAtomic } from './fs-util.js';

/** A JSON-serialisable value (options are stored as given). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One process that ran (or resumed, or rolled back) the run. */
export interface RunSession {
  startedAt: string;
  pid: number;
  host: string;
  /** Login name of the process's user (absent in runs recorded before it was kept). */
  user?: string;
  mode: 'run' | 'rollback';
  resumed: boolean;
}

/** What the CLI says about a run when creating it. */
export interface NewRunMeta {
  runbook: string;
  /** Original runbook path, absolute. */
  file: string;
  /** Directory stepwise was started in (local steps run there). */
  cwd?: string;
  /** Lock name the run holds; lets `history` tell running from crashed. */
  lock?: string;
  /** Command-line state needed to resume (`noRollback`, `only`, `from`, `limit`, `inventory`…). */
  options?: Record<string, JsonValue>;
  /** The runbook says `blockAfterFailure: true`: a failure blocks the next run of its lock. */
  blockAfterFailure?: boolean;
}

/** The stored `meta.json`. */
export interface RunMeta extends Required<Omit<NewRunMeta, 'lock' | 'blockAfterFailure'>> {
  version: 1;
  runId: string;
  lock?: string;
  blockAfterFailure?: boolean;
  createdAt: string;
  /** Path of the runbook copy, relative to the run dir. */
  runbookCopy?: string;
  sessions: RunSession[];
}

/** Reads `meta.json`; undefined when missing or not a meta object (callers fall back to the journal). */
export function readRunMeta(path: string): RunMeta | undefined {
  const raw = readJsonFile(path);
  if (!isRecord(raw) || typeof raw.runId !== 'string' || typeof raw.runbook !== 'string') return undefined;
  const meta = raw as unknown as RunMeta;
  return { ...meta, sessions: Array.isArray(meta.sessions) ? meta.sessions : [], options: isRecord(meta.options) ? meta.options : {} };
}

/** Writes `meta.json` atomically (readers never see half of it). */
export function writeRunMeta(path: string, meta: RunMeta): void {
  writeFileAtomic(path, `${JSON.stringify(meta, null, 2)}\n`);
}

/** The session a `run.started` event opens, attributed to this process. */
export function sessionFor(event: RunStartedEvent): RunSession {
  const user = loginName();
  return { startedAt: event.time, pid: process.pid, host: hostname(), ...(user ? { user } : {}), mode: event.mode, resumed: event.resumed };
}

/** Who ran it, for reports; a uid without a passwd entry has no name (and is not an error). */
function loginName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER;
  }
}
