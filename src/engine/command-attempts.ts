/**
 * Runs one command on one target with its retry policy: attempts with backoff and a
 * per-attempt timeout. Timeout and cancellation take the same path: the attempt's
 * AbortSignal, which the executor turns into killing the step's processes.
 */
import { StepwiseError, TransportError } from '../errors/stepwise-error.js';
import { EvaluationError } from '../expressions/evaluate.js';
import type { Executor, ExecResult } from '../targets/executor.js';
import { formatDuration } from '../runbook/durations.js';
import type { Emit, StepStatus } from './events.js';
import { outputEvent } from './output-bytes.js';
import { OutputCollector } from './output-collector.js';
import { prepareCommand, type CommandScope, type PreparedCommand } from './prepare-command.js';
import type { Redactor } from './redact.js';
import { retryDelayMs, sleep } from './retry-policy.js';

export interface CommandExecution extends CommandScope {
  executor: Executor;
  redactor: Redactor;
  emit: Emit;
  /** Aborts the current attempt and stops retrying (a signal, or a state that cannot be written). */
  cancel: AbortSignal;
  killGraceMs: number;
  /** Shown in messages: `step "migrate"` or `rollback of "migrate"`. */
  label: string;
  /** After an attempt that succeeded: a reason it did not really succeed (a `check:` that still fails), if any. */
  verify?: () => Promise<string | undefined>;
}

/** How a command ended. Outputs and stdout are the real values: masking is for display and storage. */
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
  /** False when nothing reached the target (a value refused before the first attempt, a check that held or could not run). */
  executed: boolean;
  /** A value the command needs was refused before it could start (its message names the value). */
  refused?: boolean;
}

/** Runs the command with its retry policy; never throws for a failing command. */
export async function runAttempts(exec: CommandExecution): Promise<CommandOutcome> {
  const host = exec.target.kind === 'ssh' ? exec.target.name : undefined;
  const maxAttempts = Math.max(1, exec.command.retry.attempts);
  const started = performance.now();
  let last: CommandOutcome | undefined;

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let prepared: PreparedCommand;
    try {
      prepared = prepareCommand(exec, attempt);
    } catch (error) {
      if (!(error instanceof EvaluationError || error instanceof StepwiseError)) throw error;
      const hint = error.hint ? ` (hint: ${exec.redactor.mask(error.hint)})` : '';
      // Retrying cannot make a missing value appear: fail at once.
      // Nothing of this attempt ran; earlier attempts (if any) did.
      return { ...notRun(`${exec.label}: ${exec.redactor.mask(error.message)}${hint}`, started), attempt, executed: attempt > 1, refused: true };
    }
    last = await runAttempt(exec, prepared, attempt, host);
    if (last.status === 'succeeded' && exec.verify && !exec.cancel.aborted) {
      // The retry policy covers the pair: an attempt whose check still fails is a failed attempt.
      const unmet = await exec.verify();
      if (unmet !== undefined) last = { ...last, status: 'failed', error: unmet, cancelled: exec.cancel.aborted };
    }
    if (last.status === 'succeeded' || last.cancelled || attempt === maxAttempts) break;
    const delayMs = retryDelayMs(exec.command.retry, attempt);
    exec.emit({ type: 'step.retrying', stepId: exec.stepId, phase: exec.phase, ...(host ? { host } : {}), attempt, maxAttempts, delayMs, exitCode: last.exitCode, error: last.error ?? 'failed' });
    await sleep(delayMs, exec.cancel);
    if (exec.cancel.aborted) {
      last = { ...last, cancelled: true };
      break;
    }
  }
  return { ...(last as CommandOutcome), durationMs: performance.now() - started };
}

async function runAttempt(exec: CommandExecution, prepared: PreparedCommand, attempt: number, host: string | undefined): Promise<CommandOutcome> {
  const collector = new OutputCollector(exec.redactor, (stream, bytes) =>
    exec.emit(outputEvent({ type: 'step.output', stepId: exec.stepId, phase: exec.phase, ...(host ? { host } : {}), stream }, bytes)),
  );
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), exec.command.timeoutMs);
  const attemptStarted = performance.now();
  try {
    const result = await exec.executor.exec({
      target: exec.target,
      script: prepared.script,
      shell: exec.command.shell,
      env: prepared.env,
      ...(prepared.cwd !== undefined ? { cwd: prepared.cwd } : {}),
      signal: AbortSignal.any([exec.cancel, timeout.signal]),
      killGraceMs: exec.killGraceMs,
      onOutput: (stream, chunk) => collector.push(stream, chunk),
      onSpawn: (pid) => exec.emit({ type: 'step.process', stepId: exec.stepId, phase: exec.phase, pid }),
    });
    collector.flush();
    const base = { exitCode: result.exitCode, attempt, durationMs: performance.now() - attemptStarted, outputs: result.outputs, stdoutTail: collector.stdoutTail(), executed: result.startError === undefined };
    return { ...base, ...verdict(exec, result, timeout.signal, base.durationMs, host) };
  } catch (error) {
    collector.flush();
    if (!(error instanceof TransportError)) throw error;
    return {
      status: 'failed',
      exitCode: null,
      attempt,
      durationMs: performance.now() - attemptStarted,
      outputs: {},
      stdoutTail: collector.stdoutTail(),
      cancelled: exec.cancel.aborted,
      transportError: true,
      // The connection may have failed after the script started: count it as run.
      executed: true,
      error: `${exec.label}: ${exec.redactor.mask(error.message)}${error.hint ? ` (hint: ${error.hint})` : ''}`,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Status and message of a finished attempt. */
function verdict(exec: CommandExecution, result: ExecResult, timeout: AbortSignal, durationMs: number, host: string | undefined): Pick<CommandOutcome, 'status' | 'cancelled' | 'error'> {
  const where = host ? ` on ${host}` : '';
  if (result.startError !== undefined) return { status: 'failed', cancelled: false, error: `${exec.label}: ${exec.redactor.mask(result.startError)}${where}` };
  if (timeout.aborted && !exec.cancel.aborted) {
    return { status: 'timedOut', cancelled: false, error: `${exec.label} timed out after ${formatDuration(durationMs)} (timeout ${formatDuration(exec.command.timeoutMs)})${where}` };
  }
  // A script that finished with 0 succeeded, even if a signal arrived as it ended.
  if (result.exitCode === 0) return { status: 'succeeded', cancelled: false };
  if (exec.cancel.aborted) return { status: 'failed', cancelled: true, error: `${exec.label} was interrupted${where}` };
  const how = result.exitCode === null ? `was killed by ${result.signal ?? 'a signal'}` : `failed with exit code ${result.exitCode}`;
  return { status: 'failed', cancelled: false, error: `${exec.label} ${how}${where}` };
}

function notRun(error: string, started: number): Omit<CommandOutcome, 'attempt' | 'executed'> {
  return { status: 'failed', exitCode: null, durationMs: performance.now() - started, error, outputs: {}, stdoutTail: '', cancelled: false };
}
