/**
 * The failure policy, in one place (ARCHITECTURE §13): whether a step's result lets the run
 * go on, whether a halted run compensates, and what the run's status is. The engine, resume
 * (which steps count as done) and `rollback --dry-run` all ask here; nothing else decides.
 */
import type { RunStatus, StepStatus } from './events.js';

/** Why the step loop stopped. */
export type HaltReason =
  /** Every selected step ran (or was skipped). */
  | 'completed'
  /** A step failed (after retries, not tolerated). */
  | 'failed'
  /** SIGINT/SIGTERM/SIGHUP: stop, compensate, finally. */
  | 'cancelled'
  /** The operator chose `quit` at `--step`: stop without compensating. */
  | 'quit'
  /** `stepwise rollback`: compensate what an earlier invocation left. */
  | 'rollback-requested'
  /** The run's state could not be written: no new step may start. */
  | 'state-unwritable';

export interface Halt {
  reason: HaltReason;
  error?: string;
  /** `--interactive`: the operator's choice after the failure. */
  decision?: 'rollback' | 'halt';
}

/** What compensation did, when it ran. */
export interface CompensationSummary {
  /** Steps whose rollback failed. */
  failed: string[];
  /** Steps whose rollback never ran because a second signal stopped compensation. */
  pending: string[];
  /** Steps whose rollback ran. */
  ran: string[];
}

/** The runbook and command-line settings the policy reads. */
export interface FailureSettings {
  onFailure: 'rollback' | 'halt';
  /** `--no-rollback`. */
  noRollback: boolean;
  /** False when the state backend says a run that can no longer record must not compensate blind. */
  compensatesUnrecorded?: boolean;
}

/** A step result that lets the run go on: succeeded, skipped, already done, or failed under continueOnError. */
export function letsRunContinue(status: StepStatus | 'skipped', continueOnError: boolean, cancelled = false): boolean {
  if (status === 'succeeded' || status === 'skipped' || status === 'alreadyDone') return true;
  return continueOnError && !cancelled;
}

/** A step of an earlier invocation that `resume` need not run again (and whose outputs count). */
export function countsAsDone(status: StepStatus | 'started', continueOnError: boolean, compensated: boolean): boolean {
  return !compensated && status !== 'started' && letsRunContinue(status, continueOnError);
}

/** Whether the halted run runs its compensation now. */
export function shouldCompensate(halt: Halt, settings: FailureSettings): boolean {
  switch (halt.reason) {
    case 'completed':
    case 'quit':
      return false;
    case 'rollback-requested':
      return true;
    case 'cancelled':
      return !settings.noRollback;
    case 'state-unwritable':
      return settings.compensatesUnrecorded !== false && !settings.noRollback;
    case 'failed':
      return halt.decision ? halt.decision === 'rollback' : settings.onFailure === 'rollback' && !settings.noRollback;
  }
}

/**
 * The run's status once the steps (and compensation, if it ran) are over. Compensation cut
 * short is `cancelled`, never `rolledBack`: the journal lists what is still to undo.
 */
export function haltedStatus(halt: Halt, compensation: CompensationSummary | undefined): RunStatus {
  if (halt.reason === 'completed') return 'succeeded';
  if (compensation && compensation.pending.length > 0) return 'cancelled';
  if (halt.reason === 'cancelled' || halt.reason === 'quit') return 'cancelled';
  if (!compensation) return 'failed';
  return compensation.failed.length > 0 ? 'rollbackFailed' : 'rolledBack';
}

/** After `finally`: a failing finally step fails a run that had succeeded; a signal during it cancels. */
export function statusAfterFinally(status: RunStatus, finallyFailed: boolean, interrupted: boolean): RunStatus {
  if (interrupted) return 'cancelled';
  return finallyFailed && status === 'succeeded' ? 'failed' : status;
}

/** `maxFailures` / `maxFailPercentage` of a group step (SPEC §2). */
export interface HostFailureLimits {
  maxFailures?: number;
  /** 0–100, of the hosts the step runs on (after `--limit`). */
  maxFailPercentage?: number;
}

/**
 * The most failed hosts a group step of `hosts` hosts goes on past: `maxFailures`, and the
 * part of `hosts` that `maxFailPercentage` names, rounded down (the step stops when its failed
 * hosts are more than that percentage, as with Ansible's max_fail_percentage); the stricter of
 * the two when both are set; 0 when neither is (any failed host fails the step).
 */
export function toleratedHostFailures(limits: HostFailureLimits, hosts: number): number {
  let tolerated = Number.POSITIVE_INFINITY;
  if (limits.maxFailures !== undefined) tolerated = limits.maxFailures;
  // The small epsilon keeps 0.1 * 30 from landing just under the whole number it stands for.
  if (limits.maxFailPercentage !== undefined) tolerated = Math.min(tolerated, Math.floor((limits.maxFailPercentage * hosts) / 100 + 1e-9));
  return Number.isFinite(tolerated) ? tolerated : 0;
}

/**
 * Whether a group step has crossed its threshold: checked when a batch has ended (every host
 * of a batch that began runs to its end), over the failed hosts of all its batches so far.
 * Crossed: no further batch starts, and the step fails.
 */
export function crossesFailureLimit(failedHosts: number, tolerated: number): boolean {
  return failedHosts > tolerated;
}
