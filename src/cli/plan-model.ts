/**
 * The plan as data: what would run, in order, per target, with `${{ }}` filled in (secrets
 * `***`, run-time values as `<…>` placeholders). Built once; `plan` prints it as text
 * (plan-format.ts) or as one JSON document (plan-json.ts), so both always say the same.
 */
import { resolveTargets } from '../engine/resolve-targets.js';
import { toBatches } from '../engine/run-step.js';
import type { BatchSize, CommandSpec, RetryPolicy, Runbook, ScalarValue, Step, Target } from '../runbook/model.js';
import type { CheckVerdict } from './plan-check.js';
import type { PlanResolver, Resolved, ResolvedCommand } from './plan-resolve.js';

/** A host a step would run on. */
export interface PlanTarget {
  name: string;
  /** `user@host:port` as ssh would be given it. */
  address: string;
}

/** A command as it reads on `targets` (one entry when it reads the same everywhere). */
export interface PlanCommand extends ResolvedCommand {
  /** Names of the targets it reads like this on; empty for a local step. */
  targets: string[];
  /** Library step name when the command comes from `uses:`. */
  uses?: string;
}

/** A rollback, as it would run if the run failed after its step started. */
export interface PlanRollback {
  /** `rollback.on`, when it names other targets than where the step ran. */
  on?: string;
  commands: PlanCommand[];
  timeoutMs: number;
  retry: RetryPolicy;
}

/** `when:` as far as it can be decided now. */
export type PlanCondition = { expression: string; now: true | false | 'run time' } | { expression: string; error: string };

/** One step of the plan. */
export interface PlanStep {
  /** `1`, `2`, … for steps; `F1`, … for finally steps (the runbook's numbering). */
  number: string;
  id: string;
  title?: Resolved;
  description?: string;
  when?: PlanCondition;
  kind: 'run' | 'confirm';
  /** The question of a `confirm:` step. */
  confirm?: Resolved;
  on: string;
  /** Hosts after `--limit` (empty for local and confirm steps). */
  targets: PlanTarget[];
  /** Host names per batch (`serial:`); one batch when all run at once. */
  batches: string[][];
  serial?: BatchSize;
  commands: PlanCommand[];
  shell?: string;
  timeoutMs?: number;
  retry?: RetryPolicy;
  rollback?: PlanRollback;
  /** `check:`: the command that says the step is already done, and whether it runs again after the step. */
  check?: { commands: PlanCommand[]; after: boolean };
  /** `plan --check`: what the check says now, per target. */
  now?: CheckVerdict[];
  continueOnError: boolean;
  outputs: string[];
}

/** A param and the value the run would get (`***` for a secret). */
export interface PlanParam {
  name: string;
  value?: ScalarValue;
  secret: boolean;
  description?: string;
}

/** The whole plan. */
export interface PlanDocument {
  runbook: string;
  file: string;
  description?: string;
  params: PlanParam[];
  lock: string;
  onFailure: 'rollback' | 'halt';
  inventory?: string;
  limit?: string;
  from?: string;
  only?: string[];
  /** Steps `--from` / `--only` leave out. */
  notSelected: string[];
  /** `resume --dry-run`: the run it continues and the steps it already did (not run again). */
  resume?: { runId: string; done: string[] };
  steps: PlanStep[];
  finally: PlanStep[];
  /** `--no-rollback` (given, or kept by a resumed run): a failure halts without compensating. */
  noRollback: boolean;
  /** Steps whose rollback would run if the last step failed, newest first. */
  compensation: string[];
  /** `plan --check`: the steps' checks were run (and nothing else). */
  checked?: boolean;
}

/** What a plan is built from. */
export interface PlanInput {
  runbook: Runbook;
  params: Record<string, ScalarValue>;
  resolver: PlanResolver;
  /** The steps that would run (all by default; fewer with `--from` / `--only` or on resume). */
  selected: Step[];
  from?: string;
  only?: string[];
  limit?: string;
  inventory?: string;
  noRollback?: boolean;
  /** `resume --dry-run`: the run, the steps already done and the ones already on its rollback stack (oldest first). */
  resume?: { runId: string; done: string[]; stacked: Step[] };
  /** `plan --check`: what each step's check said, by step id. */
  verdicts?: ReadonlyMap<string, CheckVerdict[]>;
}

function address(target: Extract<Target, { kind: 'ssh' }>): PlanTarget {
  const { host } = target;
  return { name: host.name, address: `${host.user ? `${host.user}@` : ''}${host.host}${host.port ? `:${host.port}` : ''}` };
}

/** The command per target, merged into one entry when it reads the same on all of them. */
export function commandsOn(command: CommandSpec, targets: Target[], resolver: PlanResolver): PlanCommand[] {
  const per = (targets.length > 0 ? targets : [undefined]).map((target) => ({ target, resolved: resolver.command(command, target) }));
  const key = (c: ResolvedCommand) => JSON.stringify(c);
  const first = per[0];
  const uses = command.library ? { uses: command.library.name } : {};
  if (first && per.every((p) => key(p.resolved) === key(first.resolved))) {
    return [{ ...first.resolved, targets: targets.map((t) => t.name).filter((n) => n !== 'local'), ...uses }];
  }
  return per.map(({ target, resolved }) => ({ ...resolved, targets: target ? [target.name] : [], ...uses }));
}

function conditionOf(step: Step, resolver: PlanResolver): PlanCondition | undefined {
  if (step.when === undefined) return undefined;
  const now = resolver.condition(step.when);
  return now.error !== undefined ? { expression: step.when, error: now.error } : { expression: step.when, now: now.value };
}

function stepOf(step: Step, number: string, input: PlanInput): PlanStep {
  const now = input.verdicts?.get(step.id);
  return now ? { ...describeStep(step, number, input), now } : describeStep(step, number, input);
}

function describeStep(step: Step, number: string, input: PlanInput): PlanStep {
  const { runbook, resolver, limit } = input;
  const base = {
    number,
    id: step.id,
    ...(step.name ? { title: resolver.text(step.name) } : {}),
    ...(step.description ? { description: step.description } : {}),
    ...(step.when !== undefined ? { when: conditionOf(step, resolver) } : {}),
    on: step.on,
    continueOnError: step.continueOnError,
    outputs: step.outputs,
  };
  if (step.action.kind === 'confirm') return { ...base, kind: 'confirm', confirm: resolver.text(step.action.prompt), targets: [], batches: [], commands: [] };
  const command = step.action.command;
  // `local` is a target too (target.* resolves there), but not a host to list.
  const targets = resolveTargets(step.on, runbook.targets, limit);
  const hosts = targets.filter((t) => t.kind === 'ssh');
  const plan: PlanStep = {
    ...base,
    kind: 'run',
    targets: hosts.map(address),
    batches: toBatches(hosts, step.serial).map((batch) => batch.map((t) => t.name)),
    ...(step.serial !== undefined ? { serial: step.serial } : {}),
    commands: commandsOn(command, targets, resolver),
    shell: command.shell,
    timeoutMs: command.timeoutMs,
    retry: command.retry,
  };
  if (step.check) plan.check = { commands: commandsOn(step.check.command, targets, resolver), after: step.check.after };
  if (step.rollback) {
    const { on } = step.rollback;
    plan.rollback = {
      ...(on ? { on } : {}),
      commands: commandsOn(step.rollback.command, on ? resolveTargets(on, runbook.targets, limit) : targets, resolver),
      timeoutMs: step.rollback.command.timeoutMs,
      retry: step.rollback.command.retry,
    };
  }
  return plan;
}

/** Builds the plan; nothing is executed and no target is contacted. */
export function buildPlan(input: PlanInput): PlanDocument {
  const { runbook, params } = input;
  const done = new Set(input.resume?.done ?? []);
  const numberOf = (step: Step) => String(runbook.steps.indexOf(step) + 1);
  const stacked = [...(input.resume?.stacked ?? []), ...input.selected];
  return {
    runbook: runbook.name,
    file: runbook.file,
    ...(runbook.description ? { description: runbook.description } : {}),
    params: runbook.params.map((spec) => {
      const value = params[spec.name];
      return { name: spec.name, ...(value !== undefined ? { value: spec.secret ? '***' : value } : {}), secret: spec.secret, ...(spec.description ? { description: spec.description } : {}) };
    }),
    lock: runbook.lock,
    onFailure: runbook.onFailure,
    ...(input.inventory ? { inventory: input.inventory } : {}),
    ...(input.limit ? { limit: input.limit } : {}),
    ...(input.from ? { from: input.from } : {}),
    ...(input.only ? { only: input.only } : {}),
    notSelected: runbook.steps.filter((s) => !input.selected.includes(s) && !done.has(s.id)).map((s) => s.id),
    ...(input.resume ? { resume: { runId: input.resume.runId, done: input.resume.done } } : {}),
    steps: input.selected.map((step) => stepOf(step, numberOf(step), input)),
    finally: runbook.finally.map((step, i) => stepOf(step, `F${i + 1}`, input)),
    noRollback: input.noRollback === true,
    compensation: stacked
      .filter((s) => s.rollback)
      .map((s) => s.id)
      .reverse(),
    ...(input.verdicts ? { checked: true } : {}),
  };
}
