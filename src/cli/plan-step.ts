/**
 * The plan of one step: where it runs (per group, in `serial` batches), what it runs with
 * `${{ }}` filled in, and every rule that governs it (timeout, retry, rollback, `when`,
 * `continueOnError`, confirm). Text only; nothing is executed.
 */
import { formatDuration } from '../engine/format-duration.js';
import { resolveTargets } from '../engine/resolve-targets.js';
import { toBatches } from '../engine/run-step.js';
import { sanitize, type Style } from '../reporters/listr-style.js';
import { renderMarkdown } from '../reporters/markdown.js';
import type { CommandSpec, RetryPolicy, Runbook, Step, Target } from '../runbook/model.js';
import type { PlanResolver, Resolved, ResolvedCommand } from './plan-resolve.js';

/** What formatting a step needs. */
export interface StepPlanContext {
  runbook: Runbook;
  resolver: PlanResolver;
  style: Style;
  limit: string | undefined;
  width: number;
}

const LABEL = 10;
const PAD = '    ';

/** `label   value`, continuation lines aligned under the value. */
function field(label: string, value: string, style: Style): string[] {
  const [first = '', ...rest] = value.split('\n');
  return [`${PAD}${style.dim(label.padEnd(LABEL))}${first}`, ...rest.map((line) => `${PAD}${' '.repeat(LABEL)}${line}`)];
}

function shown(resolved: Resolved, style: Style): string {
  return resolved.ok ? sanitize(resolved.text).trimEnd() : style.yellow(`⚠ cannot be resolved before the run: ${sanitize(resolved.error)}`);
}

function hostLabel(target: Target): string {
  if (target.kind === 'local') return 'local';
  const { host } = target;
  const address = `${host.user ? `${host.user}@` : ''}${host.host}${host.port ? `:${host.port}` : ''}`;
  return address === host.name ? host.name : `${host.name} (${address})`;
}

/** Where a step runs: the group, its hosts and their batches. */
function whereLines(step: Step, targets: Target[], ctx: StepPlanContext): string[] {
  if (step.on === 'local') return field('on', 'local (this machine)', ctx.style);
  if (targets.length === 0) return field('on', ctx.style.yellow(`${step.on}: no hosts left after --limit ${ctx.limit ?? ''}, so the step is skipped`), ctx.style);
  const batches = toBatches(targets, step.serial);
  const hosts = batches.map((batch) => batch.map(hostLabel).join(', '));
  if (batches.length === 1) return field('on', `${step.on}: ${hosts[0] ?? ''}${targets.length > 1 ? ' (all at once)' : ''}`, ctx.style);
  return field('on', `${step.on}, in batches of ${step.serial ?? targets.length}, each after the last succeeded:\n${hosts.map((h, i) => `${i + 1}) ${h}`).join('\n')}`, ctx.style);
}

function retryText(retry: RetryPolicy): string {
  if (retry.attempts <= 1) return 'no retry';
  const parts = [`${retry.attempts} attempts`, `delay ${formatDuration(retry.delayMs)}`];
  if (retry.backoff !== 1) parts.push(`backoff ×${retry.backoff}`);
  if (retry.maxDelayMs !== undefined) parts.push(`at most ${formatDuration(retry.maxDelayMs)}`);
  return parts.join(', ');
}

/** The command on every target; one block when it reads the same everywhere. */
function commandLines(label: string, command: CommandSpec, targets: Target[], ctx: StepPlanContext): string[] {
  const { style, resolver } = ctx;
  const per = (targets.length > 0 ? targets : [undefined]).map((target) => ({ target, resolved: resolver.command(command, target) }));
  const key = (c: ResolvedCommand) => JSON.stringify(c);
  const same = per.every((p) => key(p.resolved) === key(per[0]?.resolved ?? p.resolved));
  const blocks = same ? per.slice(0, 1) : per;
  const lines: string[] = [];
  for (const [index, { target, resolved }] of blocks.entries()) {
    const prefix = same || !target ? '' : `${style.dim(`on ${target.name}:`)} `;
    if (command.library) lines.push(...field(index === 0 ? 'uses' : '', `${prefix}${command.library.name}${resolved.inputs.length ? ` with ${resolved.inputs.map(([k, v]) => `${k}=${shown(v, style)}`).join(', ')}` : ''}`, style));
    lines.push(...field(index === 0 || command.library ? label : '', prefix + shown(resolved.run, style), style));
    for (const [name, value] of resolved.env) lines.push(...field('env', `${name}=${shown(value, style)}`, style));
    if (resolved.cwd) lines.push(...field('cwd', shown(resolved.cwd, style), style));
  }
  return lines;
}

function rollbackLines(step: Step, targets: Target[], ctx: StepPlanContext): string[] {
  const { rollback } = step;
  if (!rollback) return [];
  const on = rollback.on ? resolveTargets(rollback.on, ctx.runbook.targets, ctx.limit) : targets;
  const lines = commandLines('rollback', rollback.command, on, ctx);
  const where = rollback.on ? `on ${rollback.on}` : targets.length > 1 ? 'on the hosts the step started on, one at a time, newest first' : '';
  const rules = [where, `timeout ${formatDuration(rollback.command.timeoutMs)}`, rollback.command.retry.attempts > 1 ? retryText(rollback.command.retry) : ''].filter(Boolean);
  lines.push(`${PAD}${' '.repeat(LABEL)}${ctx.style.dim(`(${rules.join('; ')}; runs only if the run fails after this step started)`)}`);
  return lines;
}

function conditionLines(step: Step, ctx: StepPlanContext): string[] {
  if (step.when === undefined) return [];
  const now = ctx.resolver.condition(step.when);
  const verdict =
    now.error !== undefined
      ? ctx.style.yellow(`⚠ cannot be evaluated now: ${sanitize(now.error)}`)
      : now.value === 'run time'
        ? ctx.style.dim('decided at run time')
        : now.value
          ? ctx.style.dim('true now: the step runs')
          : ctx.style.yellow('false now: the step would be skipped');
  return field('when', `${sanitize(step.when)}  → ${verdict}`, ctx.style);
}

/** Every line of the plan of one step. */
export function stepPlan(step: Step, number: string, ctx: StepPlanContext): string[] {
  const { style } = ctx;
  const title = step.name ? ctx.resolver.text(step.name) : undefined;
  const label = title && title.ok && title.text !== step.id ? `${step.id} (${sanitize(title.text)})` : step.id;
  const lines = [`${number.padStart(3)}. ${style.bold(label)}`];
  if (step.description) lines.push(renderMarkdown(step.description, { color: style.color, width: ctx.width - PAD.length, indent: PAD }), '');
  lines.push(...conditionLines(step, ctx));
  if (step.action.kind === 'confirm') {
    const question = ctx.resolver.text(step.action.prompt);
    lines.push(...field('confirm', `"${shown(question, style)}"`, style));
    lines.push(`${PAD}${' '.repeat(LABEL)}${style.dim('asks on a terminal; --yes answers yes; with nobody to ask, the step fails')}`);
  } else {
    const command = step.action.command;
    const targets = resolveTargets(step.on, ctx.runbook.targets, ctx.limit);
    lines.push(...whereLines(step, targets, ctx));
    lines.push(...commandLines('run', command, targets, ctx));
    if (command.shell !== 'bash') lines.push(...field('shell', command.shell, style));
    lines.push(...field('timeout', `${formatDuration(command.timeoutMs)} per attempt`, style));
    lines.push(...field('retry', retryText(command.retry), style));
    lines.push(...rollbackLines(step, targets, ctx));
  }
  if (step.continueOnError) lines.push(...field('on error', 'continueOnError: a failure is reported and the run goes on', style));
  if (step.outputs.length > 0) lines.push(...field('outputs', step.outputs.join(', '), style));
  return lines;
}
