/**
 * Typed events the engine emits (ARCHITECTURE §3). Reporters render them; the journal
 * persists them. The `type` names of the public events are those of SPEC §7; events
 * marked internal are journaled and shown but never part of the `--json` stream.
 */
import type { ScalarValue } from '../runbook/model.js';
import type { OutputStream } from '../targets/executor.js';

/** `alreadyDone`: the step's `check:` held before it ran, so it was not run (and has nothing to undo). */
export type StepStatus = 'succeeded' | 'failed' | 'skipped' | 'timedOut' | 'alreadyDone';
export type RollbackStatus = 'succeeded' | 'failed' | 'timedOut';
export type RunStatus = 'succeeded' | 'failed' | 'rolledBack' | 'rollbackFailed' | 'cancelled';
/** Which part of the run a step execution belongs to. */
export type Phase = 'run' | 'rollback' | 'finally';

interface EventBase {
  time: string;
  runId: string;
}

export interface RunStartedEvent extends EventBase {
  type: 'run.started';
  runbook: string;
  file: string;
  /** Resolved params, secrets masked. */
  params: Record<string, ScalarValue>;
  /** `run` for a new run or resume, `rollback` for `stepwise rollback`. */
  mode: 'run' | 'rollback';
  resumed: boolean;
  steps: string[];
  /** The runbook's `description`, when it has one (so a report needs no YAML parser). */
  description?: string;
}

export interface StepStartedEvent extends EventBase {
  type: 'step.started';
  stepId: string;
  name: string;
  phase: 'run' | 'finally';
  /** Target names the step will run on (`local` for the local machine). */
  targets: string[];
  maxAttempts: number;
  /** The step's `description`, when it has one. */
  description?: string;
}

/**
 * Internal: hosts of a group step start (journaled, so rollback knows who started). One per
 * `serial` batch; when `forks` is smaller than the batch, one per set of hosts that start
 * together as slots free up, all with the same `batch`.
 */
export interface BatchStartedEvent extends EventBase {
  type: 'step.batch';
  stepId: string;
  phase: Phase;
  targets: string[];
  /** The serial batch these hosts belong to (1-based); absent in journals written before forks. */
  batch?: number;
}

export interface StepOutputEvent extends EventBase {
  type: 'step.output';
  stepId: string;
  phase: Phase;
  /** Present for remote targets. */
  host?: string;
  stream: OutputStream;
  /** Complete lines, without their newline, secrets masked. */
  lines: string[];
  /**
   * The same lines as UTF-8 bytes, each ending in `\n`, on events the engine made (where
   * `lines` is decoded only when read): writers that copy output whole move these. Not
   * enumerable, so a copy of the event has `lines` only.
   */
  bytes?: Buffer;
}

export interface StepRetryingEvent extends EventBase {
  type: 'step.retrying';
  stepId: string;
  phase: Phase;
  host?: string;
  /** The attempt that just failed (1-based). */
  attempt: number;
  maxAttempts: number;
  delayMs: number;
  exitCode: number | null;
  error: string;
}

/** Per-target result of a step or rollback. */
export interface TargetResult {
  target: string;
  status: StepStatus;
  exitCode: number | null;
  attempt: number;
  durationMs: number;
  error?: string;
  /** Nothing was executed on this target (a value was refused, its check could not run): nothing to undo there. */
  notRun?: boolean;
}

export interface StepFinishedEvent extends EventBase {
  type: 'step.finished';
  stepId: string;
  name: string;
  phase: 'run' | 'finally';
  status: StepStatus;
  exitCode: number | null;
  durationMs: number;
  attempt: number;
  error?: string;
  /** Present when the failure is tolerated by `continueOnError`. */
  continueOnError?: boolean;
  /** Outputs, secrets masked. */
  outputs: Record<string, string>;
  /** Output keys whose value held a secret: stored masked, so not available to a resumed run. */
  maskedOutputs?: string[];
  /** True when the stdout tail held a secret: stored masked, so `steps.<id>.stdout` is not available after resume. */
  stdoutMasked?: boolean;
  /** Last 64 KiB of stdout, trimmed, secrets masked (for `steps.<id>.stdout` after resume). */
  stdoutTail?: string;
  targets: TargetResult[];
  /** Hosts that failed or timed out (steps on more than one host); on a `succeeded` step, the failures `maxFailures` / `maxFailPercentage` tolerated. */
  failedHosts?: string[];
  /** The most failed hosts the step goes on past (present when it has `maxFailures` / `maxFailPercentage`). */
  toleratedFailures?: number;
}

/** A step's `check:` starts on a target: `before` the step (is it already done?) or `after` it (does it hold now?). */
export interface CheckStartedEvent extends EventBase {
  type: 'step.check.started';
  stepId: string;
  phase: 'run' | 'finally';
  host?: string;
  when: 'before' | 'after';
}

/** How a check ended: `holds` (exit 0), `fails` (non-zero exit), `error` (it could not run: timeout, no shell, host unreachable). */
export interface CheckFinishedEvent extends EventBase {
  type: 'step.check.finished';
  stepId: string;
  phase: 'run' | 'finally';
  host?: string;
  when: 'before' | 'after';
  result: 'holds' | 'fails' | 'error';
  exitCode: number | null;
  durationMs: number;
  error?: string;
}

export interface RollbackStartedEvent extends EventBase {
  type: 'rollback.started';
  stepId: string;
  targets: string[];
}

export interface RollbackFinishedEvent extends EventBase {
  type: 'rollback.finished';
  stepId: string;
  status: RollbackStatus;
  exitCode: number | null;
  durationMs: number;
  error?: string;
  targets: TargetResult[];
}

export interface RunFinishedEvent extends EventBase {
  type: 'run.finished';
  status: RunStatus;
  durationMs: number;
  exitCode: number;
  error?: string;
  /** Steps whose rollback did not run because a second signal stopped compensation. */
  rollbackPending?: string[];
  /** Present when compensation ran: the steps whose rollback ran (empty: nothing to undo). */
  compensated?: string[];
}

/** Internal: something the operator should read (lock takeover, changed runbook, skipped rollback). */
export interface NoticeEvent extends EventBase {
  type: 'run.notice';
  level: 'info' | 'warn';
  message: string;
  stepId?: string;
}

/** Internal: a local step's process group started (resume ends it if the runner died). */
export interface ProcessStartedEvent extends EventBase {
  type: 'step.process';
  stepId: string;
  phase: Phase;
  /** Pid of the shell, which leads the step's process group. */
  pid: number;
}

/** Internal: an operator's answer at a prompt (`--interactive`, `--step`, `confirm:`). */
export interface DecisionEvent extends EventBase {
  type: 'step.decision';
  stepId: string;
  choice: string;
  note?: string;
}

export type EngineEvent =
  | RunStartedEvent
  | StepStartedEvent
  | BatchStartedEvent
  | StepOutputEvent
  | StepRetryingEvent
  | StepFinishedEvent
  | CheckStartedEvent
  | CheckFinishedEvent
  | RollbackStartedEvent
  | RollbackFinishedEvent
  | RunFinishedEvent
  | NoticeEvent
  | DecisionEvent
  | ProcessStartedEvent;

/** Something that receives engine events in order (reporters, the journal). */
export type EventSink = (event: EngineEvent) => void;

/** Exit code for a run outcome (SPEC §1). */
export function exitCodeFor(status: RunStatus): number {
  switch (status) {
    case 'succeeded':
      return 0;
    case 'failed':
    case 'rolledBack':
      return 1;
    case 'rollbackFailed':
      return 3;
    case 'cancelled':
      return 130;
  }
}

/** An event before the engine stamps it with `time` and `runId`. */
export type EventInput = EngineEvent extends infer E ? (E extends EngineEvent ? Omit<E, 'time' | 'runId'> : never) : never;

/** Emits an event; the engine adds `time` and `runId`. */
export type Emit = (event: EventInput) => void;
