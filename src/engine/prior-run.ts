/**
 * What an earlier attempt of this run already did, as read back from its journal.
 * `resume` skips steps recorded as done; `rollback` compensates the ones that started.
 */
import type { StepStatus } from './events.js';

export interface PriorStep {
  stepId: string;
  /** Final status, or `started` when the runner died while the step ran. */
  status: StepStatus | 'started';
  outputs: Record<string, string>;
  /** Output keys stored masked because they held a secret (their real value is gone). */
  maskedOutputs: string[];
  stdoutTail: string;
  /** The stdout tail held a secret and was stored masked. */
  stdoutMasked?: boolean;
  exitCode: number | null;
  /** Targets the step started on, in start order (rollback runs them in reverse). */
  targets: string[];
  /** True once its rollback finished (succeeded or not); false when pending. */
  rolledBack: boolean;
  /** True when its rollback was attempted and failed. */
  rollbackFailed: boolean;
}

/** What earlier invocations of a run did, step by step: where resume and rollback start. */
export interface PriorRunState {
  /** Steps (not `finally`) in the order they were first started. */
  steps: PriorStep[];
}
