/** What every part of one run shares: its options, context, redactor, events and rollback stack. */
import type { EngineOptions } from './engine-options.js';
import type { Emit } from './events.js';
import type { Redactor } from './redact.js';
import type { RollbackStack } from './rollback-stack.js';
import type { RunContext } from './run-context.js';

export interface RunScope {
  options: EngineOptions;
  context: RunContext;
  redactor: Redactor;
  emit: Emit;
  stack: RollbackStack;
  /** Environment every step gets: runbook `env:` resolved, secrets exported. */
  baseEnv: Record<string, string>;
  killGraceMs: number;
  /** Aborted when the run's state can no longer be written. */
  unrecordable: AbortSignal;
  /** Makes the events emitted so far durable (see EngineOptions.checkpoint). */
  checkpoint: () => Promise<void>;
  /** Resume: hosts where an earlier invocation left a step started but not completed (see priorTouchedTargets). */
  priorTouched: ReadonlyMap<string, ReadonlySet<string>>;
  /** `--step` was answered `continue`: no more questions before steps. */
  stepThroughEnded?: boolean;
}
