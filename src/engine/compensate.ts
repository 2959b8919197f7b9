/**
 * Unwinds the rollback stack: newest step first, each on the hosts it started on, one host
 * at a time in reverse start order (SPEC §3.3, §3.7). A failing rollback is reported and
 * the rest still run; a second signal stops it at once and leaves the rest pending.
 */
import type { Target } from '../runbook/model.js';
import type { CommandOutcome } from './command-attempts.js';
import type { Emit, TargetResult } from './events.js';
import type { CompensationSummary } from './failure-policy.js';
import type { StartedStep } from './rollback-stack.js';

export interface Compensator {
  entries: StartedStep[];
  emit: Emit;
  hardStop: AbortSignal;
  /** Makes the `rollback.started` record durable before the rollback runs. */
  checkpoint: () => Promise<void>;
  /** Targets an explicit `rollback.on` names, instead of where the step ran. */
  targetsFor: (entry: StartedStep) => Target[];
  runOn: (entry: StartedStep, target: Target) => Promise<CommandOutcome>;
}

/** Runs every pending rollback, newest step first; says which ran, failed, or are still pending. */
export async function compensate(c: Compensator): Promise<CompensationSummary> {
  const failed: string[] = [];
  const pending: string[] = [];
  const ran: string[] = [];
  for (const entry of c.entries) {
    const { step } = entry;
    if (!step.rollback) continue;
    if (c.hardStop.aborted) {
      pending.push(step.id);
      continue;
    }
    const targets = [...c.targetsFor(entry)].reverse();
    if (targets.length === 0) continue;
    c.emit({ type: 'rollback.started', stepId: step.id, targets: targets.map((t) => t.name) });
    await c.checkpoint();
    const started = performance.now();
    const results: TargetResult[] = [];
    let firstError: string | undefined;
    let exitCode: number | null = 0;
    let status: 'succeeded' | 'failed' | 'timedOut' = 'succeeded';
    for (const target of targets) {
      if (c.hardStop.aborted) break;
      const outcome = await c.runOn(entry, target);
      results.push({ target: target.name, status: outcome.status, exitCode: outcome.exitCode, attempt: outcome.attempt, durationMs: outcome.durationMs, ...(outcome.error ? { error: outcome.error } : {}) });
      // Rollbacks have no check: their outcome is one of these three.
      if (outcome.status !== 'succeeded' && status === 'succeeded') {
        status = outcome.status === 'timedOut' ? 'timedOut' : 'failed';
        exitCode = outcome.exitCode;
        firstError = outcome.error;
      }
    }
    if (c.hardStop.aborted && !(results.length === targets.length && status === 'succeeded')) {
      // No rollback.finished: the journal keeps it open, so `stepwise rollback` runs it again.
      pending.push(step.id);
      c.emit({ type: 'run.notice', level: 'warn', stepId: step.id, message: `rollback of "${step.id}" was stopped by a second signal before it finished` });
      continue;
    }
    if (status !== 'succeeded') failed.push(step.id);
    ran.push(step.id);
    c.emit({
      type: 'rollback.finished',
      stepId: step.id,
      status,
      exitCode,
      durationMs: performance.now() - started,
      ...(firstError ? { error: firstError } : {}),
      targets: results,
    });
  }
  return { failed, pending, ran };
}
