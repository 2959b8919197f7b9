/**
 * Runs one step of `steps` or `finally`: its condition, its targets, its start (pushed on
 * the rollback stack, made durable before anything executes), the confirm gate or the
 * command on each target, and its end. Results reach later steps unmasked; events and the
 * journal get them masked.
 */
import { resolve as resolvePath } from 'node:path';
import { StepwiseError } from '../errors/stepwise-error.js';
import { EvaluationError, evaluate, isTruthy } from '../expressions/evaluate.js';
import { substituteText } from '../expressions/substitute.js';
import { parseCondition } from '../expressions/template.js';
import type { CommandSpec, Step, Target } from '../runbook/model.js';
import { runAttempts, type CommandExecution } from './command-attempts.js';
import type { Phase } from './events.js';
import { letsRunContinue } from './failure-policy.js';
import { resolveTargets } from './resolve-targets.js';
import { runOnTargets, type StepOutcome } from './run-step.js';
import { runGuarded } from './step-check.js';
import { makeResolver } from './run-context.js';
import type { RunScope } from './run-scope.js';

/** What the run needs to know about a finished step. */
export interface StepResult {
  status: StepOutcome['status'] | 'skipped';
  cancelled: boolean;
  /** Failed, but the run goes on (`continueOnError`, or the operator chose skip). */
  tolerated: boolean;
  error?: string;
  /** `--interactive`: the operator's choice after the failure. */
  decision?: 'rollback' | 'halt';
}

/** The execution of `command` for one target, as the attempt loop needs it. */
export function commandExecution(scope: RunScope, stepId: string, phase: Phase, command: CommandSpec, target: Target, cancel: AbortSignal, label: string): CommandExecution {
  return {
    stepId,
    phase,
    command,
    target,
    executor: scope.options.executorFor(target),
    context: scope.context,
    redactor: scope.redactor,
    emit: scope.emit,
    cancel,
    killGraceMs: scope.killGraceMs,
    startDir: scope.options.startDir,
    baseEnv: scope.baseEnv,
    label,
    resolvePath,
  };
}

/** Targets of `on:`, honouring `--limit`. */
export function targetsOf(scope: RunScope, on: string): Target[] {
  return resolveTargets(on, scope.options.runbook.targets, scope.options.limit);
}

/** Runs the step; `cancel` stops it (a signal, or state that can no longer be written). */
export async function runStep(scope: RunScope, step: Step, phase: 'run' | 'finally', cancel: AbortSignal): Promise<StepResult> {
  const name = titleOf(scope, step);
  let targets: Target[] = [];
  try {
    if (!conditionHolds(scope, step)) return skipStep(scope, step, phase, 'condition is false');
    if (step.action.kind === 'run') {
      targets = targetsOf(scope, step.on);
      if (targets.length === 0) return skipStep(scope, step, phase, `no targets left after --limit ${scope.options.limit ?? ''}`);
    }
  } catch (error) {
    if (!(error instanceof EvaluationError)) throw error;
    return finishWithError(scope, step, name, phase, `step "${step.id}": ${scope.redactor.mask(error.message)}`);
  }
  if (cancel.aborted) return { status: 'failed', cancelled: true, tolerated: false, error: `step "${step.id}" was not started: the run is stopping` };
  const maxAttempts = step.action.kind === 'run' ? step.action.command.retry.attempts : 1;
  scope.emit({ type: 'step.started', stepId: step.id, name, phase, targets: targets.length ? targets.map((t) => t.name) : ['local'], maxAttempts, ...(step.description ? { description: step.description } : {}) });
  await scope.checkpoint();
  // No step executes unless its start is recorded; `finally` (like compensation) still runs
  // when the state cannot be written: it is the cleanup the operator counts on.
  if (phase === 'run' && scope.unrecordable.aborted) return { status: 'failed', cancelled: true, tolerated: false, error: `step "${step.id}" was not started: ${String(scope.unrecordable.reason)}` };
  const entry = phase === 'run' ? scope.stack.push(step) : undefined;
  let outcome: StepOutcome;
  if (step.action.kind === 'confirm') outcome = await confirmStep(scope, step);
  else {
    const command = step.action.command;
    // Only a rollback that runs where the step started needs to know, after a crash, exactly which hosts did.
    const exactStarts = entry !== undefined && step.rollback !== undefined && step.rollback.on === undefined;
    outcome = await runOnTargets({
      targets,
      serial: step.serial,
      forks: scope.options.forks ?? scope.options.runbook.forks,
      limits: step,
      label: `step "${step.id}"`,
      stopped: () => cancel.aborted,
      onStart: async (started, batch) => {
        entry?.targets.push(...started);
        if (exactStarts) {
          // Recorded (and durable) before they start, so its rollback runs exactly where the step started.
          if (batch.count === 1 && started.length === targets.length) return;
          scope.emit({ type: 'step.batch', stepId: step.id, phase, targets: started.map((t) => t.name), batch: batch.index + 1 });
          await scope.checkpoint();
        } else if (batch.first && batch.count > 1) {
          // No rollback depends on which hosts started: one record per batch, no journal sync per free slot.
          scope.emit({ type: 'step.batch', stepId: step.id, phase, targets: batch.hosts.map((t) => t.name), batch: batch.index + 1 });
        }
      },
      runOn: (target) => {
        const run = (verify?: () => Promise<string | undefined>) =>
          runAttempts({ ...commandExecution(scope, step.id, phase, command, target, cancel, `step "${step.id}"`), ...(verify ? { verify } : {}) });
        return step.check ? runGuarded(scope, step, phase, step.check, target, cancel, run) : run();
      },
    });
    // Where nothing was executed (the check held, a value was refused) there is nothing to undo,
    // unless an earlier invocation of this run did the work there (resume after a crash).
    if (entry) {
      const earlier = scope.priorTouched.get(step.id);
      const untouched = new Set(outcome.targets.filter((t) => (t.status === 'alreadyDone' || t.notRun) && !earlier?.has(t.target)).map((t) => t.target));
      entry.targets = entry.targets.filter((t) => !untouched.has(t.name));
      if (entry.targets.length === 0) scope.stack.remove(entry);
    }
  }
  const tolerated = !letsRunContinue(outcome.status, false) && letsRunContinue(outcome.status, step.continueOnError, outcome.cancelled);
  scope.context.steps.set(step.id, { status: outcome.status, outputs: outcome.outputs, stdout: outcome.stdoutTail, exitCode: outcome.exitCode });
  const outputs = scope.redactor.maskRecord(outcome.outputs) as Record<string, string>;
  const withheld = Object.keys(outputs).filter((key) => outputs[key] !== outcome.outputs[key]);
  const stdoutTail = scope.redactor.mask(outcome.stdoutTail);
  scope.emit({
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
    outputs,
    ...(withheld.length > 0 ? { maskedOutputs: withheld } : {}),
    stdoutTail,
    ...(stdoutTail !== outcome.stdoutTail ? { stdoutMasked: true } : {}),
    targets: outcome.targets,
    ...(outcome.failedHosts ? { failedHosts: outcome.failedHosts } : {}),
    ...(outcome.toleratedFailures !== undefined ? { toleratedFailures: outcome.toleratedFailures } : {}),
  });
  return { status: outcome.status, cancelled: outcome.cancelled, tolerated, ...(outcome.error ? { error: outcome.error } : {}) };
}

/** Records a step as skipped (its condition, `--step` skip, or no target left). */
export function skipStep(scope: RunScope, step: Step, phase: 'run' | 'finally', reason: string): StepResult {
  scope.context.steps.set(step.id, { status: 'skipped', outputs: {}, stdout: '', exitCode: null });
  scope.emit({ type: 'step.finished', stepId: step.id, name: titleOf(scope, step), phase, status: 'skipped', exitCode: null, durationMs: 0, attempt: 0, error: reason, outputs: {}, targets: [] });
  return { status: 'skipped', cancelled: false, tolerated: false };
}

/** A step that fails before anything of it runs (a reference that cannot be resolved, no durable start). */
function finishWithError(scope: RunScope, step: Step, name: string, phase: 'run' | 'finally', error: string, stopped = false): StepResult {
  scope.context.steps.set(step.id, { status: 'failed', outputs: {}, stdout: '', exitCode: null });
  scope.emit({ type: 'step.finished', stepId: step.id, name, phase, status: 'failed', exitCode: null, durationMs: 0, attempt: 0, error, outputs: {}, targets: [] });
  return { status: 'failed', cancelled: stopped, tolerated: !stopped && step.continueOnError, error };
}

/** The step's title with `${{ }}` resolved (masked), or its id. */
export function titleOf(scope: RunScope, step: Step): string {
  if (!step.name) return step.id;
  try {
    return scope.redactor.mask(substituteText(step.name, makeResolver(scope.context)));
  } catch {
    return step.name;
  }
}

function conditionHolds(scope: RunScope, step: Step): boolean {
  if (step.when === undefined) return true;
  return isTruthy(evaluate(parseCondition(step.when), makeResolver(scope.context)));
}

/** A `confirm:` gate: `--yes`, or the operator's answer; nobody to answer is a failure that says so. */
async function confirmStep(scope: RunScope, step: Step): Promise<StepOutcome> {
  const started = performance.now();
  const base = { exitCode: null, attempt: 1, outputs: {}, stdoutTail: '', cancelled: false, targets: [] };
  if (step.action.kind !== 'confirm') throw new Error('not a confirm step');
  const question = substituteText(step.action.prompt, makeResolver(scope.context));
  if (scope.options.assumeYes) return { ...base, status: 'succeeded', exitCode: 0, durationMs: 0 };
  try {
    const prompter = scope.options.prompter;
    if (!prompter) throw new StepwiseError(`step "${step.id}" asks "${question}" but there is no terminal to answer`, { hint: 'run it on a terminal, or pass --yes to answer yes' });
    const yes = await prompter.confirm(step, question);
    scope.emit({ type: 'step.decision', stepId: step.id, choice: yes ? 'yes' : 'no' });
    if (yes) return { ...base, status: 'succeeded', exitCode: 0, durationMs: performance.now() - started };
    return { ...base, status: 'failed', durationMs: performance.now() - started, error: `step "${step.id}": the operator answered no to "${question}"` };
  } catch (error) {
    if (!(error instanceof StepwiseError)) throw error;
    return { ...base, status: 'failed', durationMs: performance.now() - started, error: `${error.message}${error.hint ? ` (hint: ${error.hint})` : ''}` };
  }
}
