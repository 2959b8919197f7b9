/**
 * The whole plan as text: the runbook and its description, params (secrets `***`), the
 * selected steps in order, `finally`, and what compensation would do on failure.
 */
import { sanitize, type Style } from '../reporters/terminal-style.js';
import { renderMarkdown } from '../reporters/markdown.js';
import type { PlanDocument, PlanStep } from './plan-model.js';
import { stepText, type StepTextContext } from './plan-step.js';

/** How to print: colours and width. */
export interface PlanTextOptions {
  style: Style;
  width: number;
}

function paramLines(plan: PlanDocument, style: Style): string[] {
  if (plan.params.length === 0) return [];
  const width = Math.max(...plan.params.map((p) => p.name.length));
  const lines = ['', style.bold('Params')];
  for (const param of plan.params) {
    const { value } = param;
    // Strings as written, unless quotes are needed to see where they start and end.
    const plain = typeof value === 'string' && value !== '' && value.trim() === value;
    const text = value === undefined ? style.dim('(not set)') : sanitize(plain ? value : JSON.stringify(value));
    lines.push(`  ${param.name.padEnd(width)}  ${text}${param.description ? `  ${style.dim(sanitize(param.description))}` : ''}`);
  }
  return lines;
}

function selectionNote(plan: PlanDocument, style: Style): string[] {
  const lines: string[] = [];
  if (plan.resume && plan.resume.done.length > 0) lines.push(style.dim(`  (already done in run ${plan.resume.runId}, not run again: ${plan.resume.done.join(', ')})`));
  if (plan.notSelected.length > 0 && (plan.only || plan.from)) {
    const why = plan.only ? `--only ${plan.only.join(',')}` : `--from ${plan.from ?? ''}`;
    lines.push(style.dim(`  (${why}: not run: ${plan.notSelected.join(', ')})`));
  }
  return lines;
}

/** Compensation order if the last selected step failed: newest first over steps with a rollback. */
function compensationNote(plan: PlanDocument, style: Style): string[] {
  if (plan.noRollback && plan.compensation.length > 0) return ['', style.dim('If a step fails the run halts (--no-rollback); compensate later with `stepwise rollback RUN_ID`.')];
  if (plan.onFailure === 'halt') return ['', style.dim('If a step fails the run halts (onFailure: halt); compensate later with `stepwise rollback RUN_ID`.')];
  if (plan.compensation.length === 0) return ['', style.dim('If a step fails the run halts; no step has a rollback.')];
  return ['', style.dim(`If a step fails: its own rollback runs first, then those of the steps before it, newest first (${plan.compensation.join(' ← ')}); --no-rollback halts instead.`)];
}

/** The first lines: what this is, and what was executed to make it (nothing, or only the checks). */
function headingLines(plan: PlanDocument, style: Style): string[] {
  const heading = plan.resume ? `Resume of run ${plan.resume.runId} (${sanitize(plan.runbook)})` : `Plan of ${sanitize(plan.runbook)}`;
  if (plan.checked) {
    return [
      `${style.bold(`${heading}, with live state from its checks`)}  ${style.dim(plan.file)}`,
      style.dim("Only the steps' check: commands were run (read-only by contract): no step's run, no rollback."),
    ];
  }
  return [`${style.bold(heading)}  ${style.dim(plan.file)}`, style.dim('Nothing is executed and no target is contacted.')];
}

/** One line per step: number, id, where, what, and its rules in a word each. */
function briefLine(step: PlanStep, style: Style): string {
  const title = step.title?.ok && step.title.text !== step.id ? `${step.id} (${sanitize(step.title.text)})` : step.id;
  const where = step.kind === 'confirm' ? '' : step.on === 'local' ? 'local' : `${step.on}${step.targets.length !== 1 ? ` (${step.targets.length} hosts)` : ''}`;
  const first = step.commands[0];
  const script = first?.run.ok ? (sanitize(first.run.text).split('\n').find((l) => l.trim() !== '') ?? '').trim() : '';
  const what = step.kind === 'confirm' ? `confirm "${step.confirm?.ok ? sanitize(step.confirm.text) : '…'}"` : first?.uses ? `uses ${first.uses}` : `run: ${script.length > 48 ? `${script.slice(0, 47)}…` : script}`;
  const rules = [step.check ? 'check' : '', step.rollback ? 'rollback' : '', step.when ? 'when' : '', step.retry && step.retry.attempts > 1 ? `retry ${step.retry.attempts}` : '', step.continueOnError ? 'continueOnError' : ''].filter(Boolean);
  const now = step.now ? `  → ${[...new Set(step.now.map((v) => (v.state === 'no check' ? 'would run' : v.state)))].join(' / ')}` : '';
  return `${step.number.padStart(4)}. ${style.bold(title)}  ${[where, what].filter(Boolean).join(' · ')}${rules.length ? style.dim(`  [${rules.join(', ')}]`) : ''}${now}`;
}

/** `plan --brief`: the heading, then one line per step and per finally step. */
export function formatBriefPlan(plan: PlanDocument, options: PlanTextOptions): string[] {
  const { style } = options;
  const lines = [...headingLines(plan, style), ...selectionNote(plan, style)];
  for (const step of plan.steps) lines.push(briefLine(step, style));
  if (plan.steps.length === 0) lines.push(style.dim(plan.resume ? '  (no step left to run)' : '  (no step selected)'));
  if (plan.finally.length > 0) lines.push(style.dim('  finally:'), ...plan.finally.map((step) => briefLine(step, style)));
  lines.push(style.dim('stepwise plan without --brief shows every command, target and rule.'));
  return lines;
}

/** The plan, one string per line. */
export function formatPlan(plan: PlanDocument, options: PlanTextOptions): string[] {
  const { style, width } = options;
  const lines = [...headingLines(plan, style), style.dim('<…> marks a value known only at run time; *** a secret.')];
  if (plan.description) lines.push('', renderMarkdown(plan.description, { color: style.color, width: width - 2, indent: '  ' }));
  lines.push(...paramLines(plan, style));
  const settings = [`lock ${plan.lock}`, `on failure: ${plan.onFailure}`];
  if (plan.inventory) settings.push(`inventory ${plan.inventory}`);
  if (plan.limit) settings.push(`--limit ${plan.limit}`);
  lines.push('', style.dim(settings.join(' · ')));
  const ctx: StepTextContext = { style, limit: plan.limit, width };
  lines.push('', style.bold('Steps'), ...selectionNote(plan, style));
  for (const step of plan.steps) lines.push(...stepText(step, ctx));
  if (plan.steps.length === 0) lines.push(style.dim(plan.resume ? '  (no step left to run)' : '  (no step selected)'));
  if (plan.finally.length > 0) {
    lines.push('', style.bold('Finally'), style.dim('  always, in order, after the steps and any rollback; run.status is the outcome so far'));
    for (const step of plan.finally) lines.push(...stepText(step, ctx));
  }
  lines.push(...compensationNote(plan, style));
  return lines;
}
