/**
 * Each step as a collapsible section: status, targets, attempts with exit codes and
 * durations, per-host results, outputs, operator decisions, its output and its rollback.
 * Failed or unfinished steps are expanded; everything else opens on a click.
 */
import type { TargetResult } from '../engine/events.js';
import { AnsiRenderer } from './ansi.js';
import { formatDuration } from './format.js';
import { escapeAttr, escapeText, timeTag } from './html.js';
import type { LogExcerpt } from './log-excerpt.js';
import type { ReportLog } from './read-run.js';
import { describeLog, renderLog } from './render-log.js';
import type { StepView } from './report-model.js';

/** What rendering a step needs besides the step. */
export interface StepContext {
  runId: string;
  /** Shared by every log, so the stylesheet gets a rule for each extended colour used. */
  usedColours: Set<string>;
  /** The log's excerpt, read before rendering (throws what reading it threw). */
  excerptOf(log: ReportLog): LogExcerpt;
}

/** Output this short is shown without a fold of its own. */
const SHORT_LOG_LINES = 20;


/** The anchor id of a step's section. */
export const stepAnchor = (view: StepView): string => `s${view.index}`;

/** A titled list of step sections. */
export function renderStepList(id: string, title: string, views: readonly StepView[], ctx: StepContext): string {
  if (views.length === 0) return '';
  return `<section id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${escapeText(title)}</h2>${views.map((v) => renderStep(v, ctx)).join('')}</section>`;
}

function renderStep(view: StepView, ctx: StepContext): string {
  const s = view.step;
  const targets = s.targets.filter((t) => t !== 'local');
  const facts: string[] = [];
  if (s.maxAttempts !== undefined && s.maxAttempts > 1) facts.push(`attempt ${s.attempt ?? '?'} of ${s.maxAttempts}`);
  if (s.durationMs !== undefined && s.status !== 'skipped') facts.push(formatDuration(s.durationMs));
  if (targets.length > 0) facts.push(targets.length > 3 ? `${targets.length} hosts` : targets.join(', '));
  const kind = s.phase === 'finally' ? ' fin' : '';
  let html = `<details class="step t-${view.tone}${kind}" id="${stepAnchor(view)}" data-step="${escapeAttr(s.stepId)}" data-status="${escapeAttr(s.status)}"${view.open ? ' open' : ''}>`;
  html += `<summary><span class="badge t-${view.tone}">${escapeText(view.statusText)}</span><span class="sid">${escapeText(s.stepId)}</span>`;
  if (s.name && s.name !== s.stepId) html += `<span class="sname">${escapeText(s.name)}</span>`;
  if (s.rollback) html += `<span class="badge rb">rollback ${escapeText(rollbackWord(s.rollback.status))}</span>`;
  html += `<span class="facts-inline">${escapeText(facts.join(' · '))}</span></summary><div class="body">`;
  if (view.description) html += `<p class="desc">${escapeText(view.description)}</p>`;
  html += factList([
    ['Started', timeTag(s.startedAt)],
    ['Duration', escapeText(s.durationMs === undefined ? '-' : formatDuration(s.durationMs))],
    ['Exit code', escapeText(s.status === 'notStarted' || s.status === 'started' || s.status === 'skipped' ? '-' : String(s.exitCode ?? 'none'))],
    ['Targets', escapeText(s.targets.join(', ') || '-')],
    ...(s.executions > 1 ? ([['Runs', escapeText(`started ${s.executions} times (resumed or retried)`)]] as Array<[string, string]>) : []),
  ]);
  if (s.error && s.status !== 'skipped') html += `<p class="error">${escapeText(s.error)}</p>`;
  html += renderAttempts(view);
  if (s.results.length > 1 || (s.results.length === 1 && s.results[0]?.target !== 'local')) html += renderHosts('Hosts', s.results);
  html += renderOutputs(view.outputs);
  html += renderDecisions(view);
  if (view.runLog) html += renderLogBlock(view, view.runLog, 'Output', view.open, ctx);
  else if (s.status !== 'notStarted' && s.status !== 'skipped') html += '<p class="muted">No output.</p>';
  html += renderRollback(view, ctx);
  return `${html}</div></details>`;
}

function factList(rows: Array<[string, string]>): string {
  return `<dl class="facts">${rows.map(([k, v]) => `<dt>${escapeText(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

function rollbackWord(status: string): string {
  return status === 'started' ? 'never finished' : status === 'timedOut' ? 'timed out' : status;
}

function renderAttempts(view: StepView): string {
  const failed = view.step.failedAttempts;
  if (failed.length === 0) return '';
  const items = failed.map(
    (a) => `<li>attempt ${a.attempt}${a.host ? ` on <span class="host">${escapeText(a.host)}</span>` : ''} failed (exit ${escapeText(String(a.exitCode ?? 'none'))}) at ${timeTag(a.time)}: <span class="error-text">${escapeText(a.error)}</span></li>`,
  );
  return `<h4>Retried attempts</h4><ol class="attempts">${items.join('')}</ol>`;
}

function renderHosts(title: string, results: readonly TargetResult[]): string {
  if (results.length === 0) return '';
  const rows = results.map(
    (r) => `<tr class="t-${r.status === 'succeeded' ? 'ok' : r.status === 'skipped' ? 'muted' : 'bad'}"><td class="host">${escapeText(r.target)}</td><td>${escapeText(r.status === 'timedOut' ? 'timed out' : r.status)}</td><td>${escapeText(String(r.exitCode ?? 'none'))}</td><td>${r.attempt}</td><td>${escapeText(formatDuration(r.durationMs))}</td><td>${escapeText(r.error ?? '')}</td></tr>`,
  );
  return `<h4>${escapeText(title)}</h4><div class="scroll"><table class="grid"><thead><tr><th>Host</th><th>Status</th><th>Exit</th><th>Attempt</th><th>Duration</th><th>Error</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function renderOutputs(outputs: Record<string, string>): string {
  const entries = Object.entries(outputs);
  if (entries.length === 0) return '';
  const rows = entries.map(([k, v]) => `<tr><th scope="row"><code>${escapeText(k)}</code></th><td><code>${escapeText(v)}</code></td></tr>`);
  return `<h4>Outputs</h4><div class="scroll"><table class="kv">${rows.join('')}</table></div>`;
}

function renderDecisions(view: StepView): string {
  if (view.decisions.length === 0) return '';
  const items = view.decisions.map(
    (d) => `<li><strong>${escapeText(d.choice)}</strong>${d.note ? ` — note: <q>${escapeText(d.note)}</q>` : ''} <span class="muted">— ${d.who ? `by ${escapeText(d.who)}, ` : ''}${timeTag(d.time)}</span></li>`,
  );
  return `<h4>Operator</h4><ul class="decisions">${items.join('')}</ul>`;
}

function renderLogBlock(view: StepView, log: ReportLog, title: string, important: boolean, ctx: StepContext): string {
  let excerpt;
  try {
    excerpt = ctx.excerptOf(log);
  } catch (error) {
    return `<p class="error">${escapeText(title)}: could not read ${escapeText(log.location)} (${escapeText(error instanceof Error ? error.message : String(error))})</p>`;
  }
  const hosts = new Set(view.step.targets.filter((t) => t !== 'local'));
  if (log.phase === 'rollback' && view.step.rollback) for (const t of view.step.rollback.targets) hosts.add(t);
  const pre = renderLog(excerpt, { runId: ctx.runId, stepId: view.step.stepId, location: log.location }, new AnsiRenderer(ctx.usedColours), hosts);
  const lines = excerpt.head.length + excerpt.tail.length;
  const open = important || lines <= SHORT_LOG_LINES;
  return `<details class="output"${open ? ' open' : ''}><summary>${escapeText(title)} <span class="muted">${escapeText(describeLog(excerpt))}</span></summary>${pre}</details>`;
}

function renderRollback(view: StepView, ctx: StepContext): string {
  const rb = view.step.rollback;
  if (!rb) return view.rollbackLog ? `<section class="rollback">${renderLogBlock(view, view.rollbackLog, 'Rollback output', false, ctx)}</section>` : '';
  const bad = rb.status !== 'succeeded';
  let html = `<section class="rollback${bad ? ' t-bad' : ''}"><h4>Rollback: ${escapeText(rollbackWord(rb.status))}</h4>`;
  html += factList([
    ['Started', timeTag(rb.startedAt)],
    ['Duration', escapeText(rb.durationMs === undefined ? '-' : formatDuration(rb.durationMs))],
    ['Exit code', escapeText(rb.status === 'started' ? '-' : String(rb.exitCode ?? 'none'))],
    ['Targets', escapeText(rb.targets.join(', ') || '-')],
  ]);
  if (rb.error) html += `<p class="error">${escapeText(rb.error)}</p>`;
  if (view.rollbackLog) html += renderLogBlock(view, view.rollbackLog, 'Rollback output', bad, ctx);
  return `${html}</section>`;
}
