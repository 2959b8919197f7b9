/**
 * `plan --check` (SPEC §1, §2 check:): runs the steps' `check:` commands — and nothing else:
 * never a step's `run`, never a rollback — to say per step and host whether the step would
 * run or is already done. A check runs through the engine's own check execution
 * (step-check.ts: the same preparation, executors and injection rules as in a run, with
 * STEPWISE_PHASE=check). A check that needs what only a run can know (outputs of earlier
 * steps, the run id) is not run: its answer is unknown, never guessed.
 */
import type { EngineEvent } from '../engine/events.js';
import { redactorFor } from '../engine/redact.js';
import { resolveTargets } from '../engine/resolve-targets.js';
import { RollbackStack } from '../engine/rollback-stack.js';
import type { RunContext } from '../engine/run-context.js';
import { prepareRunEnv } from '../engine/run-env.js';
import type { RunScope } from '../engine/run-scope.js';
import { runCheck } from '../engine/step-check.js';
import type { Runbook, ScalarValue, Step } from '../runbook/model.js';
import { createExecutors } from './executors.js';
import { commandReferences, runTimeReferences } from './step-references.js';

/** What a step would do on one target, as far as its check can tell now. */
export interface CheckVerdict {
  /** Target name (`local` for this machine). */
  target: string;
  state: 'would run' | 'already done' | 'check failed to run' | 'unknown' | 'no check';
  /** Why: the exit code, what the check could not do, or what it depends on. */
  detail?: string;
}

/** What checking needs. */
export interface PlanCheckInput {
  runbook: Runbook;
  params: Record<string, ScalarValue>;
  secrets: Record<string, string>;
  /** The steps of the plan, in order (selected steps, then finally). */
  steps: Step[];
  limit?: string;
  runId: string;
  /** Stops the checks (Ctrl-C): running ones are ended like a cancelled step. */
  cancel: AbortSignal;
  /** A `when:` known to be false now: the step would be skipped, so its check is not run. */
  skippedNow: (step: Step) => boolean;
}

const NEVER = new AbortController().signal;

/** Runs the checks; verdicts by step id (every step of the plan gets some). */
export async function runPlanChecks(input: PlanCheckInput): Promise<Map<string, CheckVerdict[]>> {
  const { runbook, params, secrets, runId } = input;
  const verdicts = new Map<string, CheckVerdict[]>();
  const executors = await createExecutors(runbook, runId);
  const context: RunContext = { runId, runbook: runbook.name, status: 'running', params, secrets, env: { ...process.env }, steps: new Map() };
  // The exit code a check ended with, by step and target, for the verdict's detail.
  const exits = new Map<string, number | null>();
  const emit = (event: Parameters<RunScope['emit']>[0]) => {
    if (event.type === 'step.check.finished') exits.set(`${event.stepId}\u0000${event.host ?? 'local'}`, event.exitCode);
  };
  try {
    const scope: RunScope = {
      options: { runbook, runId, params, secrets, executorFor: executors.provider, onEvent: (_event: EngineEvent) => {}, startDir: process.cwd(), env: process.env, ...(input.limit ? { limit: input.limit } : {}) },
      context,
      redactor: redactorFor(runbook.params, params, secrets),
      emit,
      stack: new RollbackStack(),
      priorTouched: new Map(),
      baseEnv: {},
      killGraceMs: 5000,
      unrecordable: NEVER,
      checkpoint: () => Promise.resolve(),
    };
    scope.baseEnv = prepareRunEnv(runbook, context, secrets);
    for (const step of input.steps) {
      if (input.cancel.aborted) break;
      verdicts.set(step.id, await checkStep(scope, step, input, exits));
    }
  } finally {
    await executors.close();
  }
  return verdicts;
}

async function checkStep(scope: RunScope, step: Step, input: PlanCheckInput, exits: ReadonlyMap<string, number | null>): Promise<CheckVerdict[]> {
  const check = step.check;
  const targets = step.action.kind === 'run' ? resolveTargets(step.on, input.runbook.targets, input.limit) : [];
  const names = targets.length > 0 ? targets.map((t) => t.name) : ['local'];
  if (!check) return names.map((target) => ({ target, state: 'no check' }));
  if (input.skippedNow(step)) return names.map((target) => ({ target, state: 'unknown', detail: 'its when: is false now, so the step would be skipped; its check was not run' }));
  const needs = runTimeReferences(commandReferences(check.command));
  if (needs.length > 0) return names.map((target) => ({ target, state: 'unknown', detail: `its check needs ${needs.join(', ')}, known only when the run gets there; not run` }));
  const phase = input.runbook.finally.includes(step) ? 'finally' : 'run';
  return Promise.all(
    targets.map(async (target): Promise<CheckVerdict> => {
      const found = await runCheck(scope, step, phase, check, target, input.cancel, 'before');
      if (found.result === 'holds') return { target: target.name, state: 'already done', detail: 'its check holds' };
      if (found.result === 'fails') return { target: target.name, state: 'would run', detail: `its check does not hold (exit ${exits.get(`${step.id}\u0000${target.name}`) ?? '-'})` };
      return { target: target.name, state: 'check failed to run', detail: found.cancelled ? 'interrupted' : (found.error ?? 'unknown error') };
    }),
  );
}
