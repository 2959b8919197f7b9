/**
 * A step's `check:` on one target (SPEC §2): before the step it decides whether the step is
 * already done; after it, whether the step really did what it should. A check is a command
 * like any other (same preparation, executor and injection rules) with STEPWISE_PHASE=check;
 * what it prints goes to the step's log.
 */
import type { CheckSpec, Step, Target } from '../runbook/model.js';
import { runAttempts, type CommandOutcome } from './command-attempts.js';
import type { RunScope } from './run-scope.js';
import { commandExecution } from './step-runner.js';

/** What a check found. `error`: it could not give an answer (timeout, no shell, unreachable host). */
export interface CheckResult {
  result: 'holds' | 'fails' | 'error';
  cancelled: boolean;
  error?: string;
  /** What the check wrote to $STEPWISE_OUTPUT: the outputs of a step found already done. */
  outputs: Record<string, string>;
  /** True when the check never started because a value it needs was refused. */
  refused: boolean;
}

/** Runs the check of `step` on `target` and reports it as events. */
export async function runCheck(scope: RunScope, step: Step, phase: 'run' | 'finally', check: CheckSpec, target: Target, cancel: AbortSignal, when: 'before' | 'after'): Promise<CheckResult> {
  const host = target.kind === 'ssh' ? target.name : undefined;
  const where = host ? { host } : {};
  scope.emit({ type: 'step.check.started', stepId: step.id, phase, ...where, when });
  const exec = commandExecution(scope, step.id, phase, check.command, target, cancel, `check of "${step.id}"`);
  const outcome = await runAttempts({ ...exec, phaseName: 'check' });
  const found = classify(outcome);
  scope.emit({
    type: 'step.check.finished',
    stepId: step.id,
    phase,
    ...where,
    when,
    result: found.result,
    exitCode: outcome.exitCode,
    durationMs: outcome.durationMs,
    ...(found.error ? { error: found.error } : {}),
  });
  return found;
}

function classify(outcome: CommandOutcome): CheckResult {
  const base = { outputs: outcome.outputs, refused: outcome.refused === true };
  if (outcome.status === 'succeeded') return { ...base, result: 'holds', cancelled: false };
  // A plain non-zero exit is an answer; anything else (killed, timed out, never started) is not.
  if (outcome.status === 'failed' && outcome.exitCode !== null && !outcome.transportError) return { ...base, result: 'fails', cancelled: false };
  return { ...base, result: 'error', cancelled: outcome.cancelled, error: outcome.error ?? 'the check did not finish' };
}

/**
 * The step on one target, guarded by its check: already done when the check holds first;
 * else the attempts, each followed by the check again (unless `after: false`).
 */
export async function runGuarded(scope: RunScope, step: Step, phase: 'run' | 'finally', check: CheckSpec, target: Target, cancel: AbortSignal, run: (verify?: () => Promise<string | undefined>) => Promise<CommandOutcome>): Promise<CommandOutcome> {
  const started = performance.now();
  const before = await runCheck(scope, step, phase, check, target, cancel, 'before');
  const base = { exitCode: null, attempt: 0, outputs: {}, stdoutTail: '', executed: false };
  // A step found done keeps what its check reported as outputs (a library check can supply them).
  if (before.result === 'holds') return { ...base, status: 'alreadyDone', exitCode: 0, outputs: before.outputs, durationMs: performance.now() - started, cancelled: false };
  if (before.result === 'error') {
    // A value refused before the check could start is the step's problem, not the check's.
    const error = before.refused ? (before.error ?? '').replace(/^check of "[^"]*": /, `step "${step.id}": `) : `step "${step.id}": its check could not run: ${before.error ?? 'unknown error'}`;
    return { ...base, status: 'failed', durationMs: performance.now() - started, cancelled: before.cancelled, error };
  }
  if (!check.after) return run();
  return run(async () => {
    const after = await runCheck(scope, step, phase, check, target, cancel, 'after');
    if (after.result === 'holds') return undefined;
    if (after.result === 'error') return `step "${step.id}": its check could not run after the step: ${after.error ?? 'unknown error'}`;
    return `step "${step.id}" ran but its check still fails: the desired state does not hold`;
  });
}
