/**
 * Runs a step's command on all its targets: in `serial` batches when given (hosts of a
 * batch in parallel), stopping before the next batch once any host failed (SPEC §3.3).
 */
import type { Target } from '../runbook/model.js';
import type { TargetResult } from './events.js';
import { STDOUT_TAIL_BYTES } from './output-collector.js';
import type { CommandOutcome } from './command-attempts.js';

/** A step's outcome: its targets' outcomes combined, and each target's result. */
export interface StepOutcome extends Omit<CommandOutcome, 'transportError' | 'executed'> {
  targets: TargetResult[];
}

export interface BatchRunner {
  targets: Target[];
  serial: number | undefined;
  /** Called before each batch starts, with its targets. */
  onBatch: (batch: Target[], index: number, batches: number) => void;
  runOn: (target: Target) => Promise<CommandOutcome>;
  /** Stop starting batches (cancellation). */
  stopped: () => boolean;
}

/** Splits targets into batches of `serial` (all at once when undefined). */
export function toBatches(targets: Target[], serial: number | undefined): Target[][] {
  const size = serial === undefined || serial <= 0 ? Math.max(1, targets.length) : serial;
  const batches: Target[][] = [];
  for (let i = 0; i < targets.length; i += size) batches.push(targets.slice(i, i + size));
  return batches;
}

/** Runs every batch and combines the per-target outcomes into the step's outcome. */
export async function runOnTargets(runner: BatchRunner): Promise<StepOutcome> {
  const started = performance.now();
  const batches = toBatches(runner.targets, runner.serial);
  const results: Array<{ target: Target; outcome: CommandOutcome }> = [];
  for (const [index, batch] of batches.entries()) {
    if (runner.stopped()) break;
    runner.onBatch(batch, index, batches.length);
    const outcomes = await Promise.all(batch.map((target) => runner.runOn(target)));
    outcomes.forEach((outcome, i) => results.push({ target: batch[i] as Target, outcome }));
    if (outcomes.some((o) => !isDone(o.status))) break;
  }
  return combine(results, performance.now() - started);
}

/** A target's outcome that lets the step go on: it ran fine, or its check said it was already done. */
function isDone(status: CommandOutcome['status']): boolean {
  return status === 'succeeded' || status === 'alreadyDone';
}

function combine(results: Array<{ target: Target; outcome: CommandOutcome }>, durationMs: number): StepOutcome {
  const failed = results.filter((r) => !isDone(r.outcome.status));
  const ran = results.filter((r) => r.outcome.status !== 'alreadyDone');
  const status: StepOutcome['status'] =
    failed.length > 0 ? (failed.some((r) => r.outcome.status === 'failed') ? 'failed' : 'timedOut') : ran.length === 0 && results.length > 0 ? 'alreadyDone' : 'succeeded';
  const outputs: Record<string, string> = {};
  for (const r of results) Object.assign(outputs, r.outcome.outputs);
  const tails = results.map((r) => r.outcome.stdoutTail).filter((t) => t.length > 0);
  const firstFailure = failed[0]?.outcome;
  const errors = failed.map((r) => r.outcome.error).filter((e): e is string => Boolean(e));
  return {
    status,
    exitCode: firstFailure ? firstFailure.exitCode : (results[0]?.outcome.exitCode ?? 0),
    attempt: ran.length > 0 ? Math.max(1, ...ran.map((r) => r.outcome.attempt)) : 0,
    durationMs,
    ...(errors.length > 0 ? { error: errors.join('; ') } : {}),
    outputs,
    stdoutTail: tails.join('\n').slice(-STDOUT_TAIL_BYTES),
    cancelled: results.some((r) => r.outcome.cancelled),
    targets: results.map(({ target, outcome }) => ({
      target: target.name,
      status: outcome.status,
      exitCode: outcome.exitCode,
      attempt: outcome.attempt,
      durationMs: outcome.durationMs,
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(!outcome.executed && outcome.status !== 'alreadyDone' ? { notRun: true } : {}),
    })),
  };
}
