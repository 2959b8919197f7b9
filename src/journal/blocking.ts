/**
 * `blockAfterFailure: true` (SPEC §4): after a run of such a runbook failed, was cancelled or
 * died, the next run of its lock is refused (exit 75) until someone acknowledges it
 * (`stepwise ack`), or it is resumed or rolled back to completion. Backend-independent: it
 * reads a stored run.
 */
import type { BlockingRun, StoredRun } from './store.js';

/** The run as a block on its lock, or undefined when it does not block. */
export function blockingRunOf(run: StoredRun): BlockingRun | undefined {
  if (run.meta?.blockAfterFailure !== true) return undefined;
  if (run.state === 'succeeded' || run.state === 'running') return undefined;
  const last = run.summary.sessions.at(-1);
  // `stepwise rollback` that compensated everything: nothing is half done.
  if (last?.mode === 'rollback' && run.state === 'rolledBack') return undefined;
  // An acknowledgement counts for what had happened when it was given, not for a later session.
  const since = last?.startedAt ?? '';
  if (run.journal.acks.some((ack) => ack.time >= since)) return undefined;
  const failedStep = [...run.summary.steps].reverse().find((s) => s.status === 'failed' || s.status === 'timedOut' || s.status === 'started');
  const at = last?.finishedAt ?? run.summary.lastEventAt ?? run.startedAt;
  return { runId: run.runId, state: run.state, ...(failedStep ? { stepId: failedStep.stepId } : {}), ...(at ? { at } : {}) };
}
