/**
 * Replays journal events into the {@link PriorRunState} that `resume` and `rollback`
 * start from. Later records win (a resumed run re-runs steps); a step whose last start
 * has no finish is `started`: the runner died while it ran.
 */
import type { EngineEvent } from '../engine/events.js';
import type { PriorRunState, PriorStep } from '../engine/prior-run.js';

/** One start of a step: the targets planned and, for group steps, the batches begun. */
interface Execution {
  planned: string[];
  batches: string[] | undefined;
}

interface StepReplay extends PriorStep {
  executions: Execution[];
}

/** The prior state of a run from its (readable) journal events. */
export function priorRunState(events: readonly EngineEvent[]): PriorRunState {
  const steps = new Map<string, StepReplay>();
  const stepFor = (stepId: string): StepReplay => {
    let step = steps.get(stepId);
    if (!step) {
      // Also reached when the step's start line was lost: keep what the later records say.
      step = { stepId, status: 'started', outputs: {}, maskedOutputs: [], stdoutTail: '', exitCode: null, targets: [], rolledBack: false, rollbackFailed: false, executions: [] };
      steps.set(stepId, step);
    }
    return step;
  };
  for (const event of events) {
    switch (event.type) {
      case 'step.started': {
        if (event.phase !== 'run') break;
        const step = stepFor(event.stepId);
        Object.assign(step, { status: 'started', outputs: {}, maskedOutputs: [], stdoutTail: '', exitCode: null, rolledBack: false, rollbackFailed: false });
        step.executions.push({ planned: [...event.targets], batches: undefined });
        break;
      }
      case 'step.batch': {
        if (event.phase !== 'run') break;
        const step = stepFor(event.stepId);
        const current = step.executions.at(-1) ?? { planned: [], batches: undefined };
        if (step.executions.length === 0) step.executions.push(current);
        current.batches = [...(current.batches ?? []), ...event.targets];
        break;
      }
      case 'step.finished': {
        if (event.phase !== 'run') break;
        const step = stepFor(event.stepId);
        Object.assign(step, { status: event.status, outputs: { ...event.outputs }, maskedOutputs: [...(event.maskedOutputs ?? [])], stdoutTail: event.stdoutTail ?? '', stdoutMasked: event.stdoutMasked === true, exitCode: event.exitCode });
        // Hosts where nothing was executed (check held, value refused): nothing to compensate there.
        const untouched = new Set(event.targets.filter((t) => t.status === 'alreadyDone' || t.notRun).map((t) => t.target));
        const current = step.executions.at(-1);
        if (current && untouched.size > 0) {
          current.planned = current.planned.filter((t) => !untouched.has(t));
          if (current.batches) current.batches = current.batches.filter((t) => !untouched.has(t));
        }
        break;
      }
      case 'rollback.started': {
        const step = stepFor(event.stepId);
        if (step.executions.length === 0) step.executions.push({ planned: [...event.targets], batches: undefined });
        Object.assign(step, { rolledBack: false, rollbackFailed: false });
        break;
      }
      case 'rollback.finished':
        Object.assign(stepFor(event.stepId), { rolledBack: true, rollbackFailed: event.status !== 'succeeded' });
        break;
      default:
        break;
    }
  }
  return { steps: [...steps.values()].map(({ executions, ...step }) => ({ ...step, targets: startedTargets(executions) })) };
}

/**
 * Targets a step started on, first start first: the batches actually begun when the
 * engine reported batches (later batches of a failed serial step never started), else
 * the targets of the start record; merged over every start (resume may touch more).
 */
function startedTargets(executions: readonly Execution[]): string[] {
  const seen = new Set<string>();
  for (const execution of executions) {
    for (const target of execution.batches ?? execution.planned) seen.add(target);
  }
  return [...seen];
}
