/**
 * Fans engine events out to reporters (ARCHITECTURE §3). A reporter that throws is
 * switched off with a warning: a broken renderer must never break a run.
 */
import type { EngineEvent } from '../engine/events.js';
import type { Reporter } from './reporter.js';

/** Calls the reporter hook that matches the event's type. */
export function dispatch(reporter: Reporter, event: EngineEvent): void {
  switch (event.type) {
    case 'run.started':
      return reporter.onRunBegin?.(event);
    case 'step.started':
      return reporter.onStepBegin?.(event);
    case 'step.batch':
      return reporter.onBatchBegin?.(event);
    case 'step.output':
      return reporter.onStepOutput?.(event);
    case 'step.retrying':
      return reporter.onStepRetry?.(event);
    case 'step.finished':
      return reporter.onStepEnd?.(event);
    case 'step.check.started':
    case 'step.check.finished':
      return reporter.onStepCheck?.(event);
    case 'rollback.started':
      return reporter.onRollbackBegin?.(event);
    case 'rollback.finished':
      return reporter.onRollbackEnd?.(event);
    case 'run.notice':
      return reporter.onNotice?.(event);
    case 'step.decision':
      return reporter.onDecision?.(event);
    case 'run.finished':
      return reporter.onRunEnd?.(event);
    case 'step.process':
      return undefined;
  }
}

export class Multiplexer {
  private readonly broken = new Set<Reporter>();

  constructor(
    private readonly reporters: Reporter[],
    private readonly warn: (message: string) => void,
  ) {}

  /** Delivers one event to every working reporter. */
  readonly onEvent = (event: EngineEvent): void => {
    for (const reporter of this.reporters) {
      if (this.broken.has(reporter)) continue;
      try {
        dispatch(reporter, event);
      } catch (error) {
        this.broken.add(reporter);
        this.warn(`a reporter failed and was switched off (the run goes on): ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };

  async close(): Promise<void> {
    for (const reporter of this.reporters) {
      try {
        await reporter.close?.();
      } catch {
        // closing a broken reporter must not change the run's exit code
      }
    }
  }
}
