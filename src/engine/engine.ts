/**
 * The engine: the story of one run (ARCHITECTURE §1). Steps run strictly in order until one
 * fails, a signal arrives, or the run's state can no longer be written; the failure policy
 * says whether the rollback stack is unwound, newest first; `finally` always runs last. It
 * talks to the world only through injected executors, a prompter and emitted events.
 */
import { StepwiseError } from '../errors/stepwise-error.js';
import { EvaluationError } from '../expressions/evaluate.js';
import { compensate } from './compensate.js';
import type { EngineOptions, RunOutcome } from './engine-options.js';
import { exitCodeFor, type EngineEvent, type EventInput, type RunStatus } from './events.js';
import { haltedStatus, letsRunContinue, shouldCompensate, statusAfterFinally, type CompensationSummary, type Halt } from './failure-policy.js';
import { runWithChoices } from './operator-choices.js';
import { redactorFor } from './redact.js';
import { prepareRunEnv } from './run-env.js';
import { priorTouchedTargets, restorePrior } from './restore-prior.js';
import { RollbackStack, type StartedStep } from './rollback-stack.js';
import { rollbackTargets } from './rollback-targets.js';
import type { RunScope } from './run-scope.js';
import { commandExecution } from './step-runner.js';
import { runAttempts } from './command-attempts.js';
import { isSelected } from './step-selection.js';

export type { EngineOptions, RunOutcome } from './engine-options.js';

const DEFAULT_KILL_GRACE_MS = 5000;
const NEVER = new AbortController().signal;

/** Runs a runbook (or, in rollback mode, compensates a prior run) and reports how it ended. */
export async function runEngine(options: EngineOptions): Promise<RunOutcome> {
  return new Engine(options).run();
}

class Engine {
  private readonly scope: RunScope;
  private readonly cancel: AbortSignal;
  private readonly hardStop: AbortSignal;
  private readonly startedAt = performance.now();

  constructor(private readonly o: EngineOptions) {
    this.cancel = o.cancel ?? NEVER;
    this.hardStop = o.hardStop ?? NEVER;
    this.scope = {
      options: o,
      context: { runId: o.runId, runbook: o.runbook.name, status: 'running', params: o.params, secrets: o.secrets, env: { ...o.env }, steps: new Map() },
      redactor: redactorFor(o.runbook.params, o.params, o.secrets),
      emit: this.emit,
      stack: new RollbackStack(),
      baseEnv: {},
      killGraceMs: o.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
      unrecordable: o.unrecordable ?? NEVER,
      checkpoint: async () => o.checkpoint?.(),
      priorTouched: o.prior && (o.mode ?? 'run') === 'run' ? priorTouchedTargets(o.prior, o.runbook) : new Map(),
    };
  }

  private emit = (event: EventInput): void => {
    // Completed in place, not copied: an output event decodes its lines only if a reader asks (output-bytes.ts).
    this.o.onEvent(Object.assign(event, { time: new Date().toISOString(), runId: this.o.runId }) as EngineEvent);
  };

  async run(): Promise<RunOutcome> {
    const { runbook, prior } = this.o;
    const mode = this.o.mode ?? 'run';
    const { redactor, stack, context } = this.scope;
    this.emit({ type: 'run.started', runbook: runbook.name, file: runbook.file, params: redactor.maskRecord(this.o.params), mode, resumed: prior !== undefined && mode === 'run', steps: runbook.steps.map((s) => s.id), ...(runbook.description ? { description: runbook.description } : {}) });
    await this.scope.checkpoint();
    let halt: Halt;
    try {
      this.prepareEnv();
      const done = prior ? restorePrior(prior, runbook, context, stack, mode) : new Set<string>();
      halt = mode === 'rollback' ? { reason: 'rollback-requested' } : await this.runSteps(done);
    } catch (caught) {
      if (!(caught instanceof StepwiseError || caught instanceof EvaluationError)) throw caught;
      halt = { reason: 'failed', error: redactor.mask(caught.message) };
    }
    const settings = { onFailure: runbook.onFailure, noRollback: this.o.noRollback ?? false, compensatesUnrecorded: !this.stopsWhenUnrecordable };
    let compensation: CompensationSummary | undefined;
    if (shouldCompensate(halt, settings)) compensation = await this.unwind();
    else if (halt.reason !== 'completed' && stack.size > 0 && runbook.steps.some((s) => s.rollback)) {
      this.emit({ type: 'run.notice', level: 'info', message: `compensation not run; to run it later: stepwise rollback ${this.o.runId}` });
    }
    const status = await this.runFinally(haltedStatus(halt, compensation));
    const errors = [halt.error, compensation?.failed.length ? `rollback failed for: ${compensation.failed.join(', ')}` : undefined].filter(Boolean);
    const exitCode = exitCodeFor(status);
    this.emit({
      type: 'run.finished',
      status,
      durationMs: performance.now() - this.startedAt,
      exitCode,
      ...(errors.length ? { error: errors.join('; ') } : {}),
      ...(compensation?.pending.length ? { rollbackPending: compensation.pending } : {}),
      ...(compensation ? { compensated: compensation.ran } : {}),
    });
    return { status, exitCode };
  }

  /** Resolves the runbook `env:` once and exports secrets by name. */
  private prepareEnv(): void {
    Object.assign(this.scope.baseEnv, prepareRunEnv(this.o.runbook, this.scope.context, this.o.secrets));
  }

  /** The state backend's `stop` policy: once state cannot be written, nothing more runs. */
  private get stopsWhenUnrecordable(): boolean {
    return this.o.whenUnrecordable === 'stop';
  }

  /** The selected steps, in order, until one halts the run. */
  private async runSteps(done: Set<string>): Promise<Halt> {
    // Under `stop` the running step finishes: it is not killed half-way for want of a record.
    const cancel = this.stopsWhenUnrecordable ? this.cancel : AbortSignal.any([this.cancel, this.scope.unrecordable]);
    for (const step of this.o.runbook.steps) {
      if (done.has(step.id) || !isSelected(step.id, this.o.runbook.steps, { from: this.o.from, only: this.o.only })) continue;
      const stopped = this.stopped(`before step "${step.id}"`);
      if (stopped) return stopped;
      const result = await runWithChoices(this.scope, step, 'run', cancel);
      if (this.scope.unrecordable.aborted) return this.stopped(`at step "${step.id}"`) as Halt;
      if (result === 'quit') return this.stopped(`before step "${step.id}"`) ?? { reason: 'quit', error: `stopped by the operator before step "${step.id}"` };
      if (letsRunContinue(result.status, false) || result.tolerated) continue;
      if (result.cancelled || this.cancel.aborted) return { reason: 'cancelled', ...(result.error ? { error: result.error } : {}) };
      return { reason: 'failed', ...(result.error ? { error: result.error } : {}), ...(result.decision ? { decision: result.decision } : {}) };
    }
    return { reason: 'completed' };
  }

  /** Why no further step may start, if that is so. */
  private stopped(where: string): Halt | undefined {
    if (this.scope.unrecordable.aborted) return { reason: 'state-unwritable', error: `stopped ${where}: ${String(this.scope.unrecordable.reason)}` };
    if (this.cancel.aborted) return { reason: 'cancelled', error: `interrupted ${where}` };
    return undefined;
  }

  private async unwind(): Promise<CompensationSummary> {
    return compensate({
      entries: this.scope.stack.unwindOrder(),
      emit: this.emit,
      hardStop: this.stopsWhenUnrecordable ? AbortSignal.any([this.hardStop, this.scope.unrecordable]) : this.hardStop,
      checkpoint: this.scope.checkpoint,
      targetsFor: (entry) => rollbackTargets(entry, this.o.runbook, this.o.limit),
      runOn: (entry, target) => runAttempts(commandExecution(this.scope, entry.step.id, 'rollback', rollbackOf(entry).command, target, this.hardStop, `rollback of "${entry.step.id}"`)),
    });
  }

  /** `finally` steps, with `run.status` the outcome so far. A signal that arrives while they run stops them. */
  private async runFinally(status: RunStatus): Promise<RunStatus> {
    const steps = this.o.runbook.finally;
    if (steps.length === 0) return status;
    this.scope.context.status = status;
    if (this.hardStop.aborted) {
      this.emit({ type: 'run.notice', level: 'warn', message: 'finally steps not run: stopped by a second signal' });
      return status;
    }
    const stop = this.cancel.aborted ? this.hardStop : AbortSignal.any([this.cancel, this.hardStop]);
    let failed = false;
    for (const step of steps) {
      if (this.stopsWhenUnrecordable && this.scope.unrecordable.aborted) {
        this.emit({ type: 'run.notice', level: 'warn', stepId: step.id, message: `finally step "${step.id}" not run: the run's state can no longer be written` });
        continue;
      }
      if (stop.aborted) {
        this.emit({ type: 'run.notice', level: 'warn', stepId: step.id, message: `finally step "${step.id}" not run: stopped by a signal` });
        continue;
      }
      const result = await runWithChoices(this.scope, step, 'finally', stop);
      if (result === 'quit') break;
      if (!letsRunContinue(result.status, false) && !result.tolerated) failed = true;
    }
    return statusAfterFinally(status, failed, stop.aborted);
  }
}

function rollbackOf(entry: StartedStep): NonNullable<StartedStep['step']['rollback']> {
  if (!entry.step.rollback) throw new Error(`no rollback for ${entry.step.id}`);
  return entry.step.rollback;
}
