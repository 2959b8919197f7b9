/**
 * Runs one command on one target: resolves its templates, then attempts with retry,
 * backoff and a per-attempt timeout. Timeout and cancellation take the same path: the
 * attempt's AbortSignal, which the executor turns into killing the process tree.
 */
import { StepwiseError, TransportError } from '../errors/stepwise-error.js';
import { EvaluationError } from '../expressions/evaluate.js';
import { substituteScript, substituteText } from '../expressions/substitute.js';
import { libraryInputs } from '../runbook/library-inputs.js';
import type { CommandSpec, ScalarValue, Target } from '../runbook/model.js';
import type { Executor } from '../targets/executor.js';
import type { Emit, Phase, StepStatus } from './events.js';
import { formatDuration } from './format-duration.js';
import { OutputCollector } from './output-collector.js';
import type { Redactor } from './redact.js';
import { retryDelayMs, sleep } from './retry-policy.js';
import { makeResolver, type RunContext } from './run-context.js';

export interface CommandExecution {
  stepId: string;
  phase: Phase;
  command: CommandSpec;
  target: Target;
  executor: Executor;
  context: RunContext;
  redactor: Redactor;
  emit: Emit;
  /** Aborts the current attempt and stops retrying (Ctrl-C, or the second signal for rollbacks). */
  cancel: AbortSignal;
  killGraceMs: number;
  /** Directory stepwise was started in: local relative `cwd:` resolves against it. */
  startDir: string;
  /** Environment every step gets: runbook `env:` resolved, secrets exported. */
  baseEnv: Record<string, string>;
  /** Shown in messages: `step "migrate"` or `rollback of "migrate"`. */
  label: string;
  resolvePath: (base: string, path: string) => string;
}

export interface CommandOutcome {
  status: Exclude<StepStatus, 'skipped'>;
  exitCode: number | null;
  attempt: number;
  durationMs: number;
  error?: string;
  outputs: Record<string, string>;
  stdoutTail: string;
  /** Stopped by cancellation rather than by its own failure. */
  cancelled: boolean;
  /** Failed because the host could not be reached, not because the command failed. */
  transportError?: boolean;
}

interface Prepared {
  script: string;
  env: Record<string, string>;
  cwd?: string;
}

/** Resolves the script, env and cwd; errors here fail the command before anything runs. */
function prepare(exec: CommandExecution, attempt: number): Prepared {
  const { command, target, context } = exec;
  const callerScope = makeResolver(context, { target });
  const inputs: Record<string, ScalarValue> | undefined = command.library ? libraryInputs(command.library, (template) => substituteText(template, callerScope)) : undefined;
  const resolve = makeResolver(context, { target, inputs });
  const env: Record<string, string> = { ...exec.baseEnv };
  for (const [key, value] of Object.entries(command.env)) env[key] = substituteText(value, resolve);
  // Values reach the script as variables it refers to, never as script text (SPEC §2).
  const rendered = substituteScript(command.run, resolve, command.shell);
  Object.assign(env, rendered.env);
  env.STEPWISE_RUN_ID = context.runId;
  env.STEPWISE_STEP_ID = exec.stepId;
  env.STEPWISE_ATTEMPT = String(attempt);
  env.STEPWISE_PHASE = exec.phase === 'rollback' ? 'rollback' : 'run';
  let cwd: string | undefined;
  if (command.cwd !== undefined) {
    const resolved = substituteText(command.cwd, resolve);
    cwd = target.kind === 'local' ? exec.resolvePath(exec.startDir, resolved) : resolved;
  } else if (target.kind === 'local') {
    cwd = exec.startDir;
  }
  return { script: rendered.script, env, cwd };
}

/** Runs the command with its retry policy; never throws for a failing command. */
export async function runCommand(exec: CommandExecution): Promise<CommandOutcome> {
  const { command, target, emit } = exec;
  const host = target.kind === 'ssh' ? target.name : undefined;
  const maxAttempts = Math.max(1, command.retry.attempts);
  const started = performance.now();
  let last: CommandOutcome | undefined;

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let prepared: Prepared;
    try {
      prepared = prepare(exec, attempt);
    } catch (error) {
      if (!(error instanceof EvaluationError || error instanceof StepwiseError)) throw error;
      const hint = error.hint ? ` (hint: ${exec.redactor.mask(error.hint)})` : '';
      // Retrying cannot make a missing value appear: fail at once.
      return failure(`${exec.label}: ${exec.redactor.mask(error.message)}${hint}`, attempt, started);
    }

    const collector = new OutputCollector(exec.redactor, (stream, lines) =>
      emit({ type: 'step.output', stepId: exec.stepId, phase: exec.phase, ...(host ? { host } : {}), stream, lines }),
    );
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), command.timeoutMs);
    const attemptStarted = performance.now();
    let outcome: CommandOutcome;
    try {
      const result = await exec.executor.exec({
        target,
        script: prepared.script,
        shell: command.shell,
        env: prepared.env,
        ...(prepared.cwd !== undefined ? { cwd: prepared.cwd } : {}),
        signal: AbortSignal.any([exec.cancel, timeout.signal]),
        killGraceMs: exec.killGraceMs,
        onOutput: (stream, chunk) => collector.push(stream, chunk),
        onSpawn: (pid) => emit({ type: 'step.process', stepId: exec.stepId, phase: exec.phase, pid }),
      });
      collector.flush();
      const durationMs = performance.now() - attemptStarted;
      const base = { exitCode: result.exitCode, attempt, durationMs, outputs: exec.redactor.maskRecord(result.outputs) as Record<string, string>, stdoutTail: collector.stdoutTail() };
      if (timeout.signal.aborted && !exec.cancel.aborted) {
        outcome = { ...base, status: 'timedOut', cancelled: false, error: `${exec.label} timed out after ${formatDuration(durationMs)} (timeout ${formatDuration(command.timeoutMs)})` };
      } else if (exec.cancel.aborted) {
        outcome = { ...base, status: 'failed', cancelled: true, error: `${exec.label} was interrupted` };
      } else if (result.exitCode === 0) {
        outcome = { ...base, status: 'succeeded', cancelled: false };
      } else {
        const how = result.exitCode === null ? `was killed by ${result.signal ?? 'a signal'}` : `failed with exit code ${result.exitCode}`;
        outcome = { ...base, status: 'failed', cancelled: false, error: `${exec.label} ${how}${host ? ` on ${host}` : ''}` };
      }
    } catch (error) {
      collector.flush();
      if (!(error instanceof TransportError)) throw error;
      outcome = {
        status: 'failed',
        exitCode: null,
        attempt,
        durationMs: performance.now() - attemptStarted,
        outputs: {},
        stdoutTail: collector.stdoutTail(),
        cancelled: exec.cancel.aborted,
        transportError: true,
        error: `${exec.label}: ${exec.redactor.mask(error.message)}${error.hint ? ` (hint: ${error.hint})` : ''}`,
      };
    } finally {
      clearTimeout(timer);
    }

    last = outcome;
    if (outcome.status === 'succeeded' || outcome.cancelled || attempt === maxAttempts) break;
    const delayMs = retryDelayMs(command.retry, attempt);
    emit({ type: 'step.retrying', stepId: exec.stepId, phase: exec.phase, ...(host ? { host } : {}), attempt, maxAttempts, delayMs, exitCode: outcome.exitCode, error: outcome.error ?? 'failed' });
    await sleep(delayMs, exec.cancel);
    if (exec.cancel.aborted) {
      last = { ...outcome, cancelled: true };
      break;
    }
  }
  const final = last as CommandOutcome;
  return { ...final, durationMs: performance.now() - started };
}

function failure(error: string, attempt: number, started: number): CommandOutcome {
  return { status: 'failed', exitCode: null, attempt, durationMs: performance.now() - started, error, outputs: {}, stdoutTail: '', cancelled: false };
}
