/**
 * Feeds a run's events to its recorder. When the state cannot be written (disk full, I/O
 * error, permissions, a database gone), the run must not go on blind: the first failure
 * aborts `unrecordable` (the engine then starts no new step and does what the store's
 * policy says), and the state is not written again; reporters keep showing everything.
 */
import type { EngineEvent } from '../engine/events.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import type { RunRecorder } from '../journal/index.js';

/** A recorder whose failures become `unrecordable` instead of exceptions. */
export class RecordingSink {
  private readonly controller = new AbortController();

  constructor(private readonly recorder: RunRecorder) {}

  /** Aborted, with the reason as text, once the journal could not be written. */
  get unrecordable(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the state could not be written, if it could not. */
  get failure(): string | undefined {
    return this.controller.signal.aborted ? String(this.controller.signal.reason) : undefined;
  }

  /** Records an event; returns the failure message when this very event could not be recorded. */
  record(event: EngineEvent): string | undefined {
    if (this.controller.signal.aborted) return undefined;
    try {
      this.recorder.record(event);
      return undefined;
    } catch (error) {
      return this.fail(error);
    }
  }

  /** Makes what was recorded durable (EngineOptions.checkpoint); a failure aborts `unrecordable`, it never throws. */
  readonly checkpoint = async (): Promise<void> => {
    if (this.controller.signal.aborted) return;
    try {
      await this.recorder.checkpoint();
    } catch (error) {
      this.fail(error);
    }
  };

  /** Makes everything durable and closes; a failure here counts like any other. */
  async close(): Promise<void> {
    try {
      await this.recorder.close();
    } catch (error) {
      if (!this.controller.signal.aborted) this.fail(error);
    }
  }

  private fail(error: unknown): string {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const what = error instanceof StepwiseError ? error.message : `${code ?? (error instanceof Error ? error.message : String(error))}`;
    const message = `cannot write the run's state in ${this.recorder.location}: ${what}`;
    this.controller.abort(message);
    return message;
  }
}
