/**
 * The one-word state of a run and its duration, shared by `history` and `show`. A run
 * without a final `run.finished` is `running` when its holder is alive, else `crashed`.
 */
import type { RunStatus } from '../engine/events.js';
import { readLockHolder } from './lock-file.js';
import { processLiveness } from './process-alive.js';
import type { RunMeta } from './run-meta.js';
import type { StateDir } from './state-dir.js';

/** A finished run's status, or what an unfinished one is doing. */
export type RunState = RunStatus | 'running' | 'crashed';

/**
 * Whether an unfinished run is still running. The lock is the authority when the run
 * recorded one (a reused pid cannot fake it); otherwise the last session's pid.
 */
export function unfinishedState(state: StateDir, runId: string, meta: RunMeta | undefined): 'running' | 'crashed' {
  if (meta?.lock !== undefined) {
    const holder = readLockHolder(state, meta.lock);
    return holder?.runId === runId && processLiveness(holder) !== 'dead' ? 'running' : 'crashed';
  }
  const session = meta?.sessions.at(-1);
  if (!session) return 'crashed';
  return processLiveness({ pid: session.pid, host: session.host, since: session.startedAt }) === 'dead' ? 'crashed' : 'running';
}

/** What the duration of a run is computed from. */
export interface DurationInputs {
  /** Start of the first session. */
  startedAt: string | undefined;
  sessions: number;
  /** The final `run.finished`, when the run finished. */
  finished?: { time: string; durationMs: number };
  lastEventAt?: string;
  state: RunState;
  now?: number;
}

/**
 * Wall-clock duration: the engine's own figure for a run done in one go; first start to
 * last end across resumes; to now while running; to the last record when it crashed.
 */
export function runDurationMs(d: DurationInputs): number | undefined {
  if (d.finished && d.sessions <= 1) return d.finished.durationMs;
  const start = d.startedAt ? Date.parse(d.startedAt) : NaN;
  if (!Number.isFinite(start)) return d.finished?.durationMs;
  const endIso = d.finished?.time ?? (d.state === 'running' ? undefined : d.lastEventAt);
  const end = endIso ? Date.parse(endIso) : d.state === 'running' ? (d.now ?? Date.now()) : NaN;
  return Number.isFinite(end) ? Math.max(0, end - start) : undefined;
}
