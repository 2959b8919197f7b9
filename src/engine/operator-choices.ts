/**
 * The operator's say in a run: `--step` asks before each step (yes / skip / continue / quit) and
 * `--interactive` asks after a failure (retry / skip / rollback / halt). Every answer is an
 * event, so the journal keeps who decided what.
 */
import type { Step } from '../runbook/model.js';
import { letsRunContinue } from './failure-policy.js';
import type { RunScope } from './run-scope.js';
import { runStep, skipStep, type StepResult } from './step-runner.js';

/** Runs the step with the questions the run was started with; `quit` when the operator quits. */
export async function runWithChoices(scope: RunScope, step: Step, phase: 'run' | 'finally', cancel: AbortSignal): Promise<StepResult | 'quit'> {
  const { prompter, stepThrough, interactive } = scope.options;
  if (stepThrough && !scope.stepThroughEnded && prompter?.beforeStep && phase === 'run') {
    const answer = await prompter.beforeStep(step);
    scope.emit({ type: 'step.decision', stepId: step.id, choice: answer });
    if (answer === 'continue') scope.stepThroughEnded = true;
    if (answer === 'quit') return 'quit';
    if (answer === 'skip') return skipStep(scope, step, phase, 'skipped by the operator');
  }
  for (;;) {
    const result = await runStep(scope, step, phase, cancel);
    const failed = !(letsRunContinue(result.status, false) || result.tolerated || result.cancelled);
    if (!failed || !interactive || !prompter?.onFailure || phase !== 'run') return result;
    const { choice, note } = await prompter.onFailure(step, result.error ?? 'failed');
    scope.emit({ type: 'step.decision', stepId: step.id, choice, ...(note ? { note } : {}) });
    if (choice === 'retry') continue;
    if (choice === 'skip') return { ...result, tolerated: true };
    return { ...result, decision: choice };
  }
}
