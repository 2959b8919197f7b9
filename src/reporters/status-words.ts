/**
 * The words human output uses for statuses (SPEC §7): `rolled back`, `timed out`,
 * `already done`, never the identifiers `rolledBack` / `timedOut` / `alreadyDone` that
 * `--json` carries. One table, so the live view, plain lines, `show` and the run report
 * say the same thing.
 */
import type { RollbackStatus, RunStatus, StepStatus } from '../engine/events.js';

/** A step's status as a person reads it. `declined`: a confirm gate answered no. */
export const STEP_WORDS: Readonly<Record<StepStatus | 'declined', string>> = {
  succeeded: 'succeeded',
  failed: 'failed',
  skipped: 'skipped',
  alreadyDone: 'already done',
  timedOut: 'timed out',
  declined: 'declined',
};

/** A rollback's status as a person reads it. */
export const ROLLBACK_WORDS: Readonly<Record<RollbackStatus, string>> = {
  succeeded: 'succeeded',
  failed: 'failed',
  timedOut: 'timed out',
};

/** A run's final status as a person reads it (the summary says more: see run-outcome.ts). */
export const RUN_WORDS: Readonly<Record<RunStatus, string>> = {
  succeeded: 'succeeded',
  failed: 'failed',
  rolledBack: 'rolled back',
  rollbackFailed: 'rollback failed',
  cancelled: 'cancelled',
};

/** What compensation did, in words: `rolled back`, `nothing to undo`, `rollback incomplete`, or `not rolled back`. */
export const COMPENSATION_WORDS = {
  done: 'rolled back',
  nothing: 'nothing to undo',
  incomplete: 'rollback incomplete',
  notRun: 'not rolled back',
} as const;

/** The word for a step status; `declined` when a confirm gate was answered no. */
export function stepWord(status: StepStatus, declined = false): string {
  return declined && status === 'failed' ? STEP_WORDS.declined : STEP_WORDS[status];
}

/** A stored run's state as a person reads it: a final status, or `running` / `crashed`. */
export function runStateWord(state: RunStatus | 'running' | 'crashed'): string {
  return state === 'running' || state === 'crashed' ? state : RUN_WORDS[state];
}
