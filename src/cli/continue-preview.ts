/**
 * What `resume` would run and what `rollback` would compensate, decided by the engine's own
 * code: the journal is restored exactly as the engine restores it (restorePrior), and the
 * compensation order is the engine's unwinding (compensate) with each rollback recorded
 * instead of executed. So `--dry-run` and the rollback question can never disagree with
 * what would happen. Pure: executes nothing, takes no lock, writes nothing.
 */
import { compensate } from '../engine/compensate.js';
import type { PriorRunState } from '../engine/prior-run.js';
import { restorePrior } from '../engine/restore-prior.js';
import { RollbackStack } from '../engine/rollback-stack.js';
import { rollbackTargets } from '../engine/rollback-targets.js';
import type { RunContext, StepRecord } from '../engine/run-context.js';
import type { CommandOutcome } from '../engine/command-attempts.js';
import type { Runbook, Step, Target } from '../runbook/model.js';

/** Where an earlier invocation left a run. */
export interface RestoredRun {
  /** Steps that need not run again. */
  done: Set<string>;
  /** Steps already on the rollback stack, oldest first. */
  stacked: Step[];
  /** What `${{ steps.… }}` can see of the steps that ran. */
  known: Map<string, StepRecord>;
}

/** One step's compensation: its rollback on these targets, in this order. */
export interface CompensationEntry {
  step: Step;
  targets: Target[];
}

function restore(prior: PriorRunState, runbook: Runbook, mode: 'run' | 'rollback'): { restored: RestoredRun; stack: RollbackStack } {
  const context: RunContext = { runId: '', runbook: runbook.name, status: 'running', params: {}, secrets: {}, env: {}, steps: new Map() };
  const stack = new RollbackStack();
  const done = restorePrior(prior, runbook, context, stack, mode);
  const stacked = stack
    .unwindOrder()
    .reverse()
    .map((entry) => entry.step);
  return { restored: { done, stacked, known: context.steps }, stack };
}

/** How `resume` would pick the run up. */
export function restoredForResume(prior: PriorRunState, runbook: Runbook): RestoredRun {
  return restore(prior, runbook, 'run').restored;
}

const RECORDED: CommandOutcome = { status: 'succeeded', exitCode: 0, attempt: 1, durationMs: 0, outputs: {}, stdoutTail: '', cancelled: false, executed: true };

/** What `stepwise rollback` would compensate, and what the run's steps left for `${{ }}`. */
export interface CompensationPlan {
  entries: CompensationEntry[];
  known: Map<string, StepRecord>;
}

/** The rollbacks `stepwise rollback` would run, newest first, each with its hosts in the order visited. */
export async function compensationPlan(prior: PriorRunState, runbook: Runbook, limit: string | undefined): Promise<CompensationPlan> {
  const { restored, stack } = restore(prior, runbook, 'rollback');
  const entries: CompensationEntry[] = [];
  await compensate({
    entries: stack.unwindOrder(),
    emit: () => {},
    hardStop: new AbortController().signal,
    checkpoint: () => Promise.resolve(),
    targetsFor: (entry) => rollbackTargets(entry, runbook, limit),
    runOn: (entry, target) => {
      const last = entries.at(-1);
      if (last?.step === entry.step) last.targets.push(target);
      else entries.push({ step: entry.step, targets: [target] });
      return Promise.resolve(RECORDED);
    },
  });
  return { entries, known: restored.known };
}
