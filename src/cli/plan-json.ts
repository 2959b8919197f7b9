/**
 * `plan --json`: the plan as one JSON document, built from the same {@link PlanDocument} as
 * the text. A value known only at run time is a `<…>` placeholder inside its string, as in
 * the text; one that cannot be resolved at all is `{ "unresolved": "why" }`. Secrets are `***`.
 */
import type { PlanCommand, PlanDocument, PlanStep } from './plan-model.js';
import type { Resolved } from './plan-resolve.js';

/** The JSON form of a resolved value. */
type JsonResolved = string | { unresolved: string };

const value = (resolved: Resolved): JsonResolved => (resolved.ok ? resolved.text : { unresolved: resolved.error });
const record = (pairs: Array<[string, Resolved]>): Record<string, JsonResolved> => Object.fromEntries(pairs.map(([k, v]) => [k, value(v)]));

/** A command in JSON: its targets, library step and inputs, script, env and cwd. */
export function commandJson(command: PlanCommand) {
  return {
    targets: command.targets,
    ...(command.uses ? { uses: command.uses, with: record(command.inputs) } : {}),
    run: value(command.run),
    env: record(command.env),
    ...(command.cwd ? { cwd: value(command.cwd) } : {}),
  };
}

function stepJson(step: PlanStep) {
  return {
    number: step.number,
    id: step.id,
    ...(step.title ? { name: value(step.title) } : {}),
    ...(step.description ? { description: step.description } : {}),
    ...(step.when ? { when: 'error' in step.when ? { expression: step.when.expression, unresolved: step.when.error } : step.when } : {}),
    kind: step.kind,
    ...(step.confirm ? { confirm: value(step.confirm) } : {}),
    on: step.on,
    ...(step.kind === 'run' ? { targets: step.targets, batches: step.batches, commands: step.commands.map(commandJson) } : {}),
    ...(step.shell !== undefined ? { shell: step.shell } : {}),
    ...(step.timeoutMs !== undefined ? { timeoutMs: step.timeoutMs } : {}),
    ...(step.retry ? { retry: step.retry } : {}),
    ...(step.rollback
      ? { rollback: { ...(step.rollback.on ? { on: step.rollback.on } : {}), commands: step.rollback.commands.map(commandJson), timeoutMs: step.rollback.timeoutMs, retry: step.rollback.retry } }
      : {}),
    ...(step.check ? { check: { commands: step.check.commands.map(commandJson), after: step.check.after } } : {}),
    ...(step.now ? { now: step.now } : {}),
    continueOnError: step.continueOnError,
    outputs: step.outputs,
  };
}

/** The plan as one pretty-printed JSON document (with a trailing newline). */
export function planJson(plan: PlanDocument): string {
  const document = {
    // The first thing a reader (or a script) learns: what was executed to make this plan.
    executed: plan.checked ? "only the steps' check: commands (no run, no rollback)" : 'nothing',
    ...plan,
    steps: plan.steps.map(stepJson),
    finally: plan.finally.map(stepJson),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
