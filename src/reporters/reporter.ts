/**
 * Reporter hooks (ARCHITECTURE §3, after Playwright's ReporterV2): every hook optional.
 * A reporter only renders; it never changes what the engine does.
 */
import type {
  CheckFinishedEvent,
  CheckStartedEvent,
  DecisionEvent,
  NoticeEvent,
  RollbackFinishedEvent,
  RollbackStartedEvent,
  RunFinishedEvent,
  RunStartedEvent,
  BatchStartedEvent,
  StepFinishedEvent,
  StepOutputEvent,
  StepRetryingEvent,
  StepStartedEvent,
} from '../engine/events.js';

export interface Reporter {
  onRunBegin?(event: RunStartedEvent): void;
  onStepBegin?(event: StepStartedEvent): void;
  onBatchBegin?(event: BatchStartedEvent): void;
  onStepOutput?(event: StepOutputEvent): void;
  onStepRetry?(event: StepRetryingEvent): void;
  onStepEnd?(event: StepFinishedEvent): void;
  /** A step's `check:` started or finished on a target. */
  onStepCheck?(event: CheckStartedEvent | CheckFinishedEvent): void;
  onRollbackBegin?(event: RollbackStartedEvent): void;
  onRollbackEnd?(event: RollbackFinishedEvent): void;
  onNotice?(event: NoticeEvent): void;
  onDecision?(event: DecisionEvent): void;
  onRunEnd?(event: RunFinishedEvent): void;
  /** Called once after the run; flush and release the terminal. */
  close?(): void | Promise<void>;
}
