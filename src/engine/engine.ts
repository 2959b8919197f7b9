/**
 * The engine: a pure sequential loop (ARCHITECTURE §1). Steps run strictly in order;
 * on failure the rollback stack unwinds newest first; `finally` always runs last.
 * It talks to the world only through injected executors, a prompter and emitted events.
 */
import { resolve as resolvePath } from 'node:path';
import { StepwiseError } from '../errors/stepwise-error.js';
import { EvaluationError, evaluate, isTruthy } from '../expressions/evaluate.js';
import { substituteText } from '../expressions/substitute.js';
import { parseCondition } from '../expressions/template.js';
import type { Runbook, ScalarValue, Step, Target } from '../runbook/model.js';
import type { ExecutorProvider } from '../targets/executor.js';
import { compensate } from './compensate.js';
import { exitCodeFor, type EngineEvent, type EventInput, type EventSink, type RunStatus } from './events.js';
import type { PriorRunState } from './prior-run.js';
import type { Prompter } from './prompter.js';
import { redactorFor, type Redactor } from './redact.js';
import { resolveTargets } from './resolve-targets.js';
import { RollbackStack, type StartedStep } from './rollback-stack.js';
import { runCommand, type CommandExecution } from './run-command.js';
import { makeResolver, type RunContext } from './run-context.js';
import { runOnTargets, type StepOutcome } from './run-step.js';
import { restorePrior } from './restore-prior.js';
import { rollbackTargets } from './rollback-targets.js';
import { isSelected } from './step-selection.js';

export interface EngineOptions {
  runbook: Runbook;
  runId: string;
  params: Record<string, ScalarValue>;
  /** Values of top-level `secrets:` by name. */
  secrets: Record<string, string>;
  executorFor: ExecutorProvider;
  /** Receives every event, in order (reporters and the journal, through a multiplexer). */
  onEvent: EventSink;
  /** First SIGINT/SIGTERM: stop the current step, compensate, run `finally`. */
  cancel?: AbortSignal;
  /** Second signal: stop compensation at once. */
  hardStop?: AbortSignal;
  /** `--no-rollback`: on failure halt and keep state for `stepwise rollback`. */
  noRollback?: boolean;
  /** `--from` / `--only` (ids already checked by the CLI). */
  from?: string;
  only?: string[];
  /** `--limit`: restrict remote targets to a host or group. */
  limit?: string;
  /** What an earlier invocation of this run did (resume, rollback). */
  prior?: PriorRunState;
  /** `run` (also resume) or `rollback` (compensate a halted run now). */
  mode?: 'run' | 'rollback';
  prompter?: Prompter;
  /** `--yes`: answer yes to every `confirm:`. */
  assumeYes?: boolean;
  /** `--step`: ask before each step. */
  stepThrough?: boolean;
  /** `--interactive`: ask what to do when a step fails. */
  interactive?: boolean;
  /** Grace between SIGTERM and SIGKILL when a tree is killed (default 5s). */
  killGraceMs?: number;
  /** Directory stepwise was started in. */
  startDir: string;
  /** The environment stepwise was started with (`env.*` and local steps). */
  env: Record<string, string | undefined>;
}

export interface RunOutcome {
  status: RunStatus;
  exitCode: number;
}

const DEFAULT_KILL_GRACE_MS = 5000;

/** Runs a runbook (or, in rollback mode, compensates a prior run) and reports how it ended. */
export async function runEngine(options: EngineOptions): Promise<RunOutcome> {
  return new Engine(options).run();
}

class Engine {
  private readonly redactor: Redactor;
  private readonly context: RunContext;
  private readonly stack = new RollbackStack();
  private readonly cancel: AbortSignal;
  private readonly hardStop: AbortSignal;
  private readonly startedAt = performance.now();
  private baseEnv: Record<string, string> = {};

  constructor(private readonly o: EngineOptions) {
    this.redactor = redactorFor(o.runbook.params, o.params, o.secrets);
    this.cancel = o.cancel ?? new AbortController().signal;
    this.hardStop = o.hardStop ?? new AbortController().signal;
    this.context = {
      runId: o.runId,
      runbook: o.runbook.name,
      status: 'running',
      params: o.params,
      secrets: o.secrets,
      env: { ...o.env },
      steps: new Map(),
    };
  }

  private emit = (event: EventInput): void => {
    this.o.onEvent({ ...event, time: new Date().toISOString(), runId: this.o.runId } as EngineEvent);
  };

  async run(): Promise<RunOutcome> {
    const { runbook } = this.o;
    const mode = this.o.mode ?? 'run';
    this.emit({
      type: 'run.started',
      runbook: runbook.name,
      file: runbook.file,
      params: this.redactor.maskRecord(this.o.params),
      mode,
      resumed: this.o.prior !== undefined && mode === 'run',
      steps: runbook.steps.map((s) => s.id),
    });
    let status: RunStatus;
    let error: string | undefined;
    let pending: string[] = [];
    try {
      this.prepareEnv();
      const done = this.o.prior ? restorePrior(this.o.prior, runbook, this.context, this.stack, mode) : new Set<string>();
      const result = mode === 'rollback' ? await this.compensateNow() : await this.runSteps(done);
      ({ status, error, pending } = result);
    } catch (caught) {
      if (!(caught instanceof StepwiseError || caught instanceof EvaluationError)) throw caught;
      status = 'failed';
      error = this.redactor.mask(caught.message);
    }
    status = await this.runFinally(status);
    const exitCode = exitCodeFor(status);
    this.emit({
      type: 'run.finished',
      status,
      durationMs: performance.now() - this.startedAt,
      exitCode,
      ...(error ? { error } : {}),
      ...(pending.length ? { rollbackPending: pending } : {}),
    });
    return { status, exitCode };
  }

  /** Resolves the runbook `env:` once and exports secrets by name. */
  private prepareEnv(): void {
    const resolve = makeResolver(this.context);
    for (const [key, value] of Object.entries(this.o.runbook.env)) {
      this.baseEnv[key] = substituteText(value, resolve);
      this.context.env[key] = this.baseEnv[key];
    }
    Object.assign(this.baseEnv, this.o.secrets);
  }

  private selected(step: Step): boolean {
    return isSelected(step.id, this.o.runbook.steps, { from: this.o.from, only: this.o.only });
  }

  private async runSteps(done: Set<string>): Promise<{ status: RunStatus; error?: string; pending: string[] }> {
    for (const step of this.o.runbook.steps) {
      if (done.has(step.id) || !this.selected(step)) continue;
      if (this.cancel.aborted) return this.halt('cancelled', 'interrupted before step ' + step.id);
      const outcome = await this.runStepWithChoices(step, 'run');
      // A signal at the prompt is still a signal (compensate); an operator's quit is not.
      if (outcome === 'quit' && this.cancel.aborted) return this.halt('cancelled', `interrupted before step "${step.id}"`);
      if (outcome === 'quit') return this.halt('cancelled', `stopped by the operator before step "${step.id}"`, false);
      if (outcome.status === 'succeeded' || outcome.status === 'skipped' || outcome.tolerated) continue;
      if (outcome.cancelled || this.cancel.aborted) return this.halt('cancelled', outcome.error);
      const compensateIt = outcome.decision ? outcome.decision === 'rollback' : this.o.runbook.onFailure === 'rollback' && !this.o.noRollback;
      return this.halt('failed', outcome.error, compensateIt);
    }
    return { status: 'succeeded', pending: [] };
  }

  /** Stops the run; compensates unless told not to. */
  private async halt(reason: 'failed' | 'cancelled', error: string | undefined, compensateIt = !this.o.noRollback && (reason === 'cancelled' || this.o.runbook.onFailure === 'rollback')) {
    if (!compensateIt) {
      if (this.stack.size > 0 && this.o.runbook.steps.some((s) => s.rollback)) {
        this.emit({ type: 'run.notice', level: 'info', message: `compensation not run; to run it later: stepwise rollback ${this.o.runId}` });
      }
      return { status: reason as RunStatus, ...(error ? { error } : {}), pending: [] };
    }
    const result = await this.unwind();
    const status: RunStatus = reason === 'cancelled' ? 'cancelled' : result.failed.length > 0 ? 'rollbackFailed' : 'rolledBack';
    const errors = [error, result.failed.length ? `rollback failed for: ${result.failed.join(', ')}` : undefined].filter(Boolean);
    return { status, ...(errors.length ? { error: errors.join('; ') } : {}), pending: result.pending };
  }

  /** `stepwise rollback`: compensate what the prior run left. */
  private async compensateNow() {
    const result = await this.unwind();
    const status: RunStatus = this.hardStop.aborted ? 'cancelled' : result.failed.length > 0 ? 'rollbackFailed' : 'rolledBack';
    return { status, ...(result.failed.length ? { error: `rollback failed for: ${result.failed.join(', ')}` } : {}), pending: result.pending };
  }

  private unwind() {
    return compensate({
      entries: this.stack.unwindOrder(),
      emit: this.emit,
      hardStop: this.hardStop,
      targetsFor: (entry) => rollbackTargets(entry, this.o.runbook, this.o.limit),
      runOn: (entry, target) => this.runRollback(entry, target),
    });
  }

  private runRollback(entry: StartedStep, target: Target) {
    const rollback = entry.step.rollback;
    if (!rollback) throw new Error(`no rollback for ${entry.step.id}`);
    return runCommand(this.execution(entry.step, 'rollback', rollback.command, target, this.hardStop, `rollback of "${entry.step.id}"`));
  }

  private targetsOf(on: string): Target[] {
    return resolveTargets(on, this.o.runbook.targets, this.o.limit);
  }

  private execution(step: Step, phase: 'run' | 'rollback' | 'finally', command: CommandExecution['command'], target: Target, cancel: AbortSignal, label: string): CommandExecution {
    return {
      stepId: step.id,
      phase,
      command,
      target,
      executor: this.o.executorFor(target),
      context: this.context,
      redactor: this.redactor,
      emit: this.emit,
      cancel,
      killGraceMs: this.o.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
      startDir: this.o.startDir,
      baseEnv: this.baseEnv,
      label,
      resolvePath,
    };
  }

  /** A step, with `--step` before it and `--interactive` after a failure. */
  private async runStepWithChoices(step: Step, phase: 'run' | 'finally'): Promise<StepResult | 'quit'> {
    if (this.o.stepThrough && this.o.prompter?.beforeStep && phase === 'run') {
      const answer = await this.o.prompter.beforeStep(step);
      this.emit({ type: 'step.decision', stepId: step.id, choice: answer });
      if (answer === 'quit') return 'quit';
      if (answer === 'skip') return this.skip(step, phase, 'skipped by the operator');
    }
    for (;;) {
      const result = await this.runOneStep(step, phase, phase === 'finally' ? this.hardStop : this.cancel);
      const failed = !(result.status === 'succeeded' || result.status === 'skipped' || result.tolerated || result.cancelled);
      if (!failed || !this.o.interactive || !this.o.prompter?.onFailure || phase !== 'run') return result;
      const { choice, note } = await this.o.prompter.onFailure(step, result.error ?? 'failed');
      this.emit({ type: 'step.decision', stepId: step.id, choice, ...(note ? { note } : {}) });
      if (choice === 'retry') continue;
      if (choice === 'skip') return { ...result, tolerated: true };
      return { ...result, decision: choice };
    }
  }

  private skip(step: Step, phase: 'run' | 'finally', reason: string): StepResult {
    this.context.steps.set(step.id, { status: 'skipped', outputs: {}, stdout: '', exitCode: null });
    this.emit({ type: 'step.finished', stepId: step.id, name: this.titleOf(step), phase, status: 'skipped', exitCode: null, durationMs: 0, attempt: 0, error: reason, outputs: {}, targets: [] });
    return { status: 'skipped', cancelled: false, tolerated: false };
  }

  private titleOf(step: Step): string {
    if (!step.name) return step.id;
    try {
      return this.redactor.mask(substituteText(step.name, makeResolver(this.context)));
    } catch {
      return step.name;
    }
  }

  private conditionHolds(step: Step): boolean {
    if (step.when === undefined) return true;
    return isTruthy(evaluate(parseCondition(step.when), makeResolver(this.context)));
  }

  private async runOneStep(step: Step, phase: 'run' | 'finally', cancel: AbortSignal): Promise<StepResult> {
    const name = this.titleOf(step);
    let outcome: StepOutcome;
    let targets: Target[] = [];
    try {
      if (!this.conditionHolds(step)) return this.skip(step, phase, 'condition is false');
      if (step.action.kind === 'run') {
        targets = this.targetsOf(step.on);
        if (targets.length === 0) return this.skip(step, phase, `no targets left after --limit ${this.o.limit ?? ''}`);
      }
    } catch (error) {
      if (!(error instanceof EvaluationError)) throw error;
      return this.finishWithError(step, name, phase, `step "${step.id}": ${this.redactor.mask(error.message)}`);
    }
    const maxAttempts = step.action.kind === 'run' ? step.action.command.retry.attempts : 1;
    this.emit({ type: 'step.started', stepId: step.id, name, phase, targets: targets.length ? targets.map((t) => t.name) : ['local'], maxAttempts });
    const entry = phase === 'run' ? this.stack.push(step) : undefined;
    if (step.action.kind === 'confirm') {
      outcome = await this.confirm(step);
    } else {
      const command = step.action.command;
      outcome = await runOnTargets({
        targets,
        serial: step.serial,
        stopped: () => cancel.aborted,
        onBatch: (batch, _index, count) => {
          entry?.targets.push(...batch);
          if (count > 1) this.emit({ type: 'step.batch', stepId: step.id, phase, targets: batch.map((t) => t.name) });
        },
        runOn: (target) => runCommand(this.execution(step, phase, command, target, cancel, `step "${step.id}"`)),
      });
    }
    const tolerated = outcome.status !== 'succeeded' && step.continueOnError && !outcome.cancelled;
    this.context.steps.set(step.id, { status: outcome.status, outputs: outcome.outputs, stdout: outcome.stdoutTail, exitCode: outcome.exitCode });
    this.emit({
      type: 'step.finished',
      stepId: step.id,
      name,
      phase,
      status: outcome.status,
      exitCode: outcome.exitCode,
      durationMs: outcome.durationMs,
      attempt: outcome.attempt,
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(tolerated ? { continueOnError: true } : {}),
      outputs: outcome.outputs,
      stdoutTail: outcome.stdoutTail,
      targets: outcome.targets,
    });
    return { status: outcome.status, cancelled: outcome.cancelled, tolerated, ...(outcome.error ? { error: outcome.error } : {}) };
  }

  /** A step that fails before it starts (its condition or a reference could not be resolved). */
  private finishWithError(step: Step, name: string, phase: 'run' | 'finally', error: string): StepResult {
    this.context.steps.set(step.id, { status: 'failed', outputs: {}, stdout: '', exitCode: null });
    this.emit({ type: 'step.finished', stepId: step.id, name, phase, status: 'failed', exitCode: null, durationMs: 0, attempt: 0, error, outputs: {}, targets: [] });
    return { status: 'failed', cancelled: false, tolerated: step.continueOnError, error };
  }

  private async confirm(step: Step): Promise<StepOutcome> {
    const started = performance.now();
    const base = { exitCode: null, attempt: 1, outputs: {}, stdoutTail: '', cancelled: false, targets: [] };
    if (step.action.kind !== 'confirm') throw new Error('not a confirm step');
    const question = substituteText(step.action.prompt, makeResolver(this.context));
    if (this.o.assumeYes) return { ...base, status: 'succeeded', exitCode: 0, durationMs: 0 };
    try {
      if (!this.o.prompter) throw new StepwiseError(`step "${step.id}" asks "${question}" but there is no terminal to answer`, { hint: 'run it on a terminal, or pass --yes to answer yes' });
      const yes = await this.o.prompter.confirm(step, question);
      this.emit({ type: 'step.decision', stepId: step.id, choice: yes ? 'yes' : 'no' });
      if (yes) return { ...base, status: 'succeeded', exitCode: 0, durationMs: performance.now() - started };
      return { ...base, status: 'failed', durationMs: performance.now() - started, error: `step "${step.id}": the operator answered no to "${question}"` };
    } catch (error) {
      if (!(error instanceof StepwiseError)) throw error;
      return { ...base, status: 'failed', durationMs: performance.now() - started, error: `${error.message}${error.hint ? ` (hint: ${error.hint})` : ''}` };
    }
  }

  /** `finally` steps, with `run.status` the outcome so far; a failing one fails a run that succeeded. */
  private async runFinally(status: RunStatus): Promise<RunStatus> {
    if (this.o.runbook.finally.length === 0) return status;
    this.context.status = status;
    if (this.hardStop.aborted) {
      this.emit({ type: 'run.notice', level: 'warn', message: 'finally steps not run: stopped by a second signal' });
      return status;
    }
    let finalStatus = status;
    for (const step of this.o.runbook.finally) {
      const result = await this.runStepWithChoices(step, 'finally');
      if (result === 'quit') break;
      if (result.status !== 'succeeded' && result.status !== 'skipped' && !result.tolerated && finalStatus === 'succeeded') finalStatus = 'failed';
    }
    return finalStatus;
  }
}

interface StepResult {
  status: StepOutcome['status'] | 'skipped';
  cancelled: boolean;
  tolerated: boolean;
  error?: string;
  decision?: 'rollback' | 'halt';
}

