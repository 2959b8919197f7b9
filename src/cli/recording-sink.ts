/**
 * Feeds a run's events to its journal. When the state cannot be written (disk full, I/O
 * error, permissions), the run must not go on blind: the first failure aborts `unrecordable`
 * (the engine then starts no new step, stops the running one, compensates and runs
 * `finally`), and the journal is not written again; reporters keep showing everything.
 */
import type { EngineEvent } from '../engine/events.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import type { JournalWriter } from '../journal/index.js';

export class RecordingSink {
  private readonly controller = new AbortController();

  constructor(private readonly journal: JournalWriter) {}

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
      this.journal.onEvent(event);
      return undefined;
    } catch (error) {
      return this.fail(error);
    }
  }

  /** Flushes and closes the journal; a failure here counts like any other. */
  close(): void {
    try {
      this.journal.close();
    } catch (error) {
      if (!this.controller.signal.aborted) this.fail(error);
    }
  }

  private fail(error: unknown): string {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const what = error instanceof StepwiseError ? error.message : `${code ?? (error instanceof Error ? error.message : String(error))}`;
    const message = `cannot write the run's state in ${this.journal.paths.dir}: ${what}`;
    this.controller.abort(message);
    return message;
  }
}
