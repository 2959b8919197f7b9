/**
 * The compensation stack (saga): a step is pushed when it starts, with the targets it
 * started on; on failure it is unwound newest first (ARCHITECTURE §7).
 */
import type { Step, Target } from '../runbook/model.js';

export interface StartedStep {
  step: Step;
  /** Targets in the order they started; the rollback visits them in reverse. */
  targets: Target[];
}

export class RollbackStack {
  private readonly entries: StartedStep[] = [];

  /** Records that a step started (or, on resume, had completed earlier). */
  push(step: Step, targets: Target[] = []): StartedStep {
    const entry = { step, targets: [...targets] };
    this.entries.push(entry);
    return entry;
  }

  /** Forgets a step that turned out to have done nothing (its check held everywhere). */
  remove(entry: StartedStep): void {
    const index = this.entries.lastIndexOf(entry);
    if (index >= 0) this.entries.splice(index, 1);
  }

  /** Entries newest first: the order compensation runs in. */
  unwindOrder(): StartedStep[] {
    return [...this.entries].reverse();
  }

  get size(): number {
    return this.entries.length;
  }
}
