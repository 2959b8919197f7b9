/**
 * Brings what an earlier invocation of a run did back into a new one: completed steps'
 * outputs for `${{ }}`, and the rollback stack, so compensation still covers them.
 */
import type { Runbook, Target } from '../runbook/model.js';
import { countsAsDone } from './failure-policy.js';
import { resolveTargets } from './resolve-targets.js';
import type { PriorRunState, PriorStep } from './prior-run.js';
import type { RollbackStack } from './rollback-stack.js';
import type { RunContext } from './run-context.js';

/** The journaled target names, mapped back to targets of the runbook's inventory. */
export function priorTargets(prior: PriorStep, on: string, runbook: Runbook): Target[] {
  const known = resolveTargets(on, runbook.targets);
  return prior.targets.map((name) => known.find((t) => t.name === name)).filter((t): t is Target => t !== undefined);
}

/**
 * Restores prior steps; returns the ids of steps that need not run again. A step counts as
 * done when it succeeded (or was skipped, or failed under continueOnError) and was not
 * compensated since. In rollback mode every started step not yet compensated is stacked.
 */
export function restorePrior(prior: PriorRunState, runbook: Runbook, context: RunContext, stack: RollbackStack, mode: 'run' | 'rollback'): Set<string> {
  const done = new Set<string>();
  for (const record of prior.steps) {
    const step = runbook.steps.find((s) => s.id === record.stepId);
    if (!step) continue;
    const completed = countsAsDone(record.status, step.continueOnError, false);
    if (record.status !== 'started' && (mode === 'rollback' || !record.rolledBack)) {
      context.steps.set(step.id, { status: record.status, outputs: record.outputs, stdout: record.stdoutTail, exitCode: record.exitCode, withheld: new Set(record.maskedOutputs), stdoutWithheld: record.stdoutMasked === true });
    }
    if (countsAsDone(record.status, step.continueOnError, record.rolledBack)) done.add(step.id);
    // `stepwise rollback` also retries a compensation that failed before: the operator has
    // presumably fixed what made it fail, and asking again is how they say so.
    const pendingCompensation = !record.rolledBack || record.rollbackFailed;
    const didSomething = record.status !== 'skipped' && record.status !== 'alreadyDone';
    const stackIt = didSomething && (mode === 'rollback' ? pendingCompensation : completed && !record.rolledBack);
    if (stackIt) stack.push(step, priorTargets(record, step.on, runbook));
  }
  return done;
}

/**
 * Hosts where an earlier invocation started a step that was neither completed nor compensated
 * (the runner died during it, or it failed under --no-rollback). If resume finds such a step
 * already done (its check holds), that earlier work is real and keeps its rollback there.
 */
export function priorTouchedTargets(prior: PriorRunState, runbook: Runbook): Map<string, Set<string>> {
  const touched = new Map<string, Set<string>>();
  for (const record of prior.steps) {
    const step = runbook.steps.find((s) => s.id === record.stepId);
    if (!step || record.rolledBack || record.status === 'skipped' || record.status === 'alreadyDone') continue;
    if (countsAsDone(record.status, step.continueOnError, false)) continue;
    touched.set(step.id, new Set(record.targets));
  }
  return touched;
}
