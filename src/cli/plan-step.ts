/**
 * The plan of one step as text: where it runs (per group, in `serial` batches), what it runs
 * with `${{ }}` filled in, and every rule that governs it (timeout, retry, rollback, `when`,
 * `continueOnError`, confirm). Renders a {@link PlanStep}; nothing is executed.
 */
import { formatDuration } from '../runbook/durations.js';
import { sanitize, type Style } from '../reporters/terminal-style.js';
import { renderMarkdown } from '../reporters/markdown.js';
import type { RetryPolicy } from '../runbook/model.js';
import type { PlanCommand, PlanStep, PlanTarget } from './plan-model.js';
import type { Resolved } from './plan-resolve.js';

/** What formatting a step needs. */
export interface StepTextContext {
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

/** A resolved value as text, or the reason it cannot be known before the run. */
export function shown(resolved: Resolved, style: Style, unresolved = 'cannot be resolved before the run'): string {
  return resolved.ok ? sanitize(resolved.text).trimEnd() : style.yellow(`⚠ ${unresolved}: ${sanitize(resolved.error)}`);
}

function hostLabel(target: PlanTarget): string {
  return target.address === target.name ? target.name : `${target.name} (${target.address})`;
}

/** Where a step runs: the group, its hosts and their batches. */
function whereLines(step: PlanStep, ctx: StepTextContext): string[] {
  if (step.on === 'local') return field('on', 'local (this machine)', ctx.style);
  if (step.targets.length === 0) return field('on', ctx.style.yellow(`${step.on}: no hosts left after --limit ${ctx.limit ?? ''}, so the step is skipped`), ctx.style);
  const byName = new Map(step.targets.map((t) => [t.name, t]));
  const hosts = step.batches.map((batch) => batch.map((name) => hostLabel(byName.get(name) ?? { name, address: name })).join(', '));
  if (hosts.length === 1) return field('on', `${step.on}: ${hosts[0] ?? ''}${step.targets.length > 1 ? ' (all at once)' : ''}`, ctx.style);
  return field('on', `${step.on}, in batches of ${step.serial ?? step.targets.length}, each after the last succeeded:\n${hosts.map((h, i) => `${i + 1}) ${h}`).join('\n')}`, ctx.style);
}

function retryText(retry: RetryPolicy): string {
  if (retry.attempts <= 1) return 'no retry';
  const parts = [`${retry.attempts} attempts`, `delay ${formatDuration(retry.delayMs)}`];
  if (retry.backoff !== 1) parts.push(`backoff ×${retry.backoff}`);
  if (retry.maxDelayMs !== undefined) parts.push(`at most ${formatDuration(retry.maxDelayMs)}`);
  return parts.join(', ');
}

/** The command on every target; one block when it reads the same everywhere. */
export function commandLines(label: string, commands: PlanCommand[], style: Style, unresolved?: string): string[] {
  const same = commands.length === 1;
  const lines: string[] = [];
  for (const [index, command] of commands.entries()) {
    const target = command.targets[0];
    const prefix = same || !target ? '' : `${style.dim(`on ${target}:`)} `;
    if (command.uses) {
      const inputs = command.inputs.length ? ` with ${command.inputs.map(([k, v]) => `${k}=${shown(v, style, unresolved)}`).join(', ')}` : '';
      lines.push(...field(index === 0 ? 'uses' : '', `${prefix}${command.uses}${inputs}`, style));
    }
    lines.push(...field(index === 0 || command.uses ? label : '', prefix + shown(command.run, style, unresolved), style));
    for (const [name, value] of command.env) lines.push(...field('env', `${name}=${shown(value, style, unresolved)}`, style));
    if (command.cwd) lines.push(...field('cwd', shown(command.cwd, style, unresolved), style));
  }
  return lines;
}

function rollbackLines(step: PlanStep, style: Style): string[] {
  const { rollback } = step;
  if (!rollback) return [];
  const lines = commandLines('rollback', rollback.commands, style);
  const where = rollback.on ? `on ${rollback.on}` : step.targets.length > 1 ? 'on the hosts the step started on, one at a time, newest first' : '';
  const rules = [where, `timeout ${formatDuration(rollback.timeoutMs)}`, rollback.retry.attempts > 1 ? retryText(rollback.retry) : ''].filter(Boolean);
  lines.push(`${PAD}${' '.repeat(LABEL)}${style.dim(`(${rules.join('; ')}; runs only if the run fails after this step started)`)}`);
  return lines;
}

function conditionLines(step: PlanStep, style: Style): string[] {
  const when = step.when;
  if (when === undefined) return [];
  const verdict =
    'error' in when
      ? style.yellow(`⚠ cannot be evaluated now: ${sanitize(when.error)}`)
      : when.now === 'run time'
        ? style.dim('decided at run time')
        : when.now
          ? style.dim('true now: the step runs')
          : style.yellow('false now: the step would be skipped');
  return field('when', `${sanitize(when.expression)}  → ${verdict}`, style);
}

function checkLines(step: PlanStep, style: Style): string[] {
  if (!step.check) return [];
  const lines = commandLines('check', step.check.commands, style);
  const again = step.check.after ? 'run again after the step, which fails if it still does not hold' : 'not run again after the step (after: false)';
  lines.push(`${PAD}${' '.repeat(LABEL)}${style.dim(`(when it holds before the step, the step is already done and not run; ${again})`)}`);
  return lines;
}

/** `plan --check`: what each target's check said, or that the step has none. */
export function nowLines(step: PlanStep, style: Style): string[] {
  const now = step.now;
  if (!now || now.length === 0) return [];
  const one = now.length === 1;
  return now.flatMap((verdict, index) => {
    const state = verdict.state === 'no check' ? 'would run (no check: to ask)' : verdict.state;
    const tint = verdict.state === 'already done' ? style.green : verdict.state === 'check failed to run' || verdict.state === 'unknown' ? style.yellow : (t: string) => t;
    const where = one && verdict.target === 'local' ? '' : `${verdict.target}: `;
    const detail = verdict.detail && verdict.state !== 'no check' ? `${verdict.state === 'check failed to run' ? ': ' : ' — '}${sanitize(verdict.detail)}` : '';
    return field(index === 0 ? 'now' : '', `${where}${tint(state)}${detail}`, style);
  });
}

/** Every line of the plan of one step. */
export function stepText(step: PlanStep, ctx: StepTextContext): string[] {
  const { style } = ctx;
  const title = step.title;
  const label = title && title.ok && title.text !== step.id ? `${step.id} (${sanitize(title.text)})` : step.id;
  const lines = [`${step.number.padStart(3)}. ${style.bold(label)}`];
  if (step.description) lines.push(renderMarkdown(step.description, { color: style.color, width: ctx.width - PAD.length, indent: PAD }), '');
  lines.push(...conditionLines(step, style));
  if (step.kind === 'confirm') {
    lines.push(...field('confirm', `"${step.confirm ? shown(step.confirm, style) : ''}"`, style));
    lines.push(`${PAD}${' '.repeat(LABEL)}${style.dim('asks on a terminal; --yes answers yes; with nobody to ask, the step fails')}`);
  } else {
    lines.push(...whereLines(step, ctx));
    lines.push(...nowLines(step, style));
    lines.push(...commandLines('run', step.commands, style));
    lines.push(...checkLines(step, style));
    if (step.shell !== undefined && step.shell !== 'bash') lines.push(...field('shell', step.shell, style));
    if (step.timeoutMs !== undefined) lines.push(...field('timeout', `${formatDuration(step.timeoutMs)} per attempt`, style));
    if (step.retry) lines.push(...field('retry', retryText(step.retry), style));
    lines.push(...rollbackLines(step, style));
  }
  if (step.continueOnError) lines.push(...field('on error', 'continueOnError: a failure is reported and the run goes on', style));
  if (step.outputs.length > 0) lines.push(...field('outputs', step.outputs.join(', '), style));
  return lines;
}
