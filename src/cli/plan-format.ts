/**
 * The whole plan as text: the runbook and its description, params (secrets `***`), the
 * selected steps in order, `finally`, and what compensation would do on failure.
 */
import { sanitize, type Style } from '../reporters/listr-style.js';
import { renderMarkdown } from '../reporters/markdown.js';
import type { Runbook, ScalarValue, Step } from '../runbook/model.js';
import type { PlanResolver } from './plan-resolve.js';
import { stepPlan, type StepPlanContext } from './plan-step.js';

/** Everything the plan text is made of. */
export interface PlanInput {
  runbook: Runbook;
  params: Record<string, ScalarValue>;
  resolver: PlanResolver;
  style: Style;
  width: number;
  /** The steps `--from` / `--only` select (all by default). */
  selected: Step[];
  from?: string;
  only?: string[];
  limit?: string;
  inventory?: string;
}

function paramLines(input: PlanInput): string[] {
  const { runbook, params, style } = input;
  if (runbook.params.length === 0) return [];
  const width = Math.max(...runbook.params.map((p) => p.name.length));
  const lines = ['', style.bold('Params')];
  for (const spec of runbook.params) {
    const value = params[spec.name];
    // Strings as written, unless quotes are needed to see where they start and end.
    const plain = typeof value === 'string' && value !== '' && value.trim() === value;
    const text = value === undefined ? style.dim('(not set)') : spec.secret ? '***' : sanitize(plain ? value : JSON.stringify(value));
    lines.push(`  ${spec.name.padEnd(width)}  ${text}${spec.description ? `  ${style.dim(sanitize(spec.description))}` : ''}`);
  }
  return lines;
}

function selectionNote(input: PlanInput): string[] {
  const { runbook, selected, style } = input;
  const left = runbook.steps.filter((s) => !selected.includes(s));
  if (left.length === 0) return [];
  const why = input.only ? `--only ${input.only.join(',')}` : `--from ${input.from ?? ''}`;
  return [style.dim(`  (${why}: not run: ${left.map((s) => s.id).join(', ')})`)];
}

/** Compensation order if the last selected step failed: newest first over steps with a rollback. */
function compensationNote(input: PlanInput): string[] {
  const { runbook, selected, style } = input;
  const withRollback = selected.filter((s) => s.rollback).map((s) => s.id).reverse();
  if (runbook.onFailure === 'halt') return ['', style.dim('If a step fails the run halts (onFailure: halt); compensate later with `stepwise rollback RUN_ID`.')];
  if (withRollback.length === 0) return ['', style.dim('If a step fails the run halts; no step has a rollback.')];
  return ['', style.dim(`If a step fails: its own rollback runs first, then those of the steps before it, newest first (${withRollback.join(' ← ')}); --no-rollback halts instead.`)];
}

/** The plan, one string per line. */
export function formatPlan(input: PlanInput): string[] {
  const { runbook, style, width } = input;
  const lines = [
    `${style.bold(`Plan of ${sanitize(runbook.name)}`)}  ${style.dim(runbook.file)}`,
    style.dim('Nothing is executed and no target is contacted. <…> marks a value known only at run time; *** a secret.'),
  ];
  if (runbook.description) lines.push('', renderMarkdown(runbook.description, { color: style.color, width: width - 2, indent: '  ' }));
  lines.push(...paramLines(input));
  const settings = [`lock ${runbook.lock}`, `on failure: ${runbook.onFailure}`];
  if (input.inventory) settings.push(`inventory ${input.inventory}`);
  if (input.limit) settings.push(`--limit ${input.limit}`);
  lines.push('', style.dim(settings.join(' · ')));
  const ctx: StepPlanContext = { runbook, resolver: input.resolver, style, limit: input.limit, width };
  lines.push('', style.bold('Steps'), ...selectionNote(input));
  for (const step of input.selected) lines.push(...stepPlan(step, String(runbook.steps.indexOf(step) + 1), ctx));
  if (input.selected.length === 0) lines.push(style.dim('  (no step selected)'));
  if (runbook.finally.length > 0) {
    lines.push('', style.bold('Finally'), style.dim('  always, in order, after the steps and any rollback; run.status is the outcome so far'));
    runbook.finally.forEach((step, i) => lines.push(...stepPlan(step, `F${i + 1}`, ctx)));
  }
  lines.push(...compensationNote(input));
  return lines;
}
