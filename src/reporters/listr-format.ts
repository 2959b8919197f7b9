/**
 * Text of the live view: titles and output of running items, and the permanent lines
 * printed when a step or rollback ends. Icons are listr2's, so the live frame and the
 * lines left behind look alike.
 */
import { figures } from 'listr2';
import type { RollbackFinishedEvent, StepFinishedEvent, TargetResult } from '../engine/events.js';
import { formatDuration } from '../runbook/durations.js';
import type { HostProgress, LiveItem } from './listr-item.js';
import { sanitize, type Style } from './terminal-style.js';
import { ROLLBACK_WORDS, STEP_WORDS } from './status-words.js';

/** How many output lines a finished item leaves on screen. */
export interface KeptLines {
  /** A step that succeeded (`--output-lines N`, default 5; 0 keeps none). */
  succeeded: number;
  /** A failed step or rollback: always some. */
  failed: number;
  /** A finally step: always some. */
  finally: number;
  /** `--verbose`: every line the view still holds, and how many it let go. */
  all: boolean;
}

/** `id` or `id (name)`, as the plain reporter writes it. */
export function stepLabel(stepId: string, name: string): string {
  const clean = sanitize(name);
  return clean === stepId || clean === '' ? stepId : `${stepId} (${clean})`;
}

/** Whole seconds while running (a ticking tenth of a second is noise); nothing in the first second. */
function elapsed(ms: number): string {
  return ms < 1000 ? '' : formatDuration(Math.floor(ms / 1000) * 1000);
}

function attemptNote(attempt: number, maxAttempts: number): string {
  return maxAttempts > 1 ? `attempt ${attempt}/${maxAttempts}` : '';
}

function onTargets(targets: readonly string[]): string {
  if (targets.length === 0 || (targets.length === 1 && targets[0] === 'local')) return '';
  return targets.length === 1 ? `@${targets[0]}` : `on ${targets.length} hosts`;
}

/** Title of a running item: what, where, which attempt, how long so far. */
export function itemTitle(item: LiveItem, style: Style, now = Date.now()): string {
  const { kind, stepId, name, targets, maxAttempts } = item.init;
  const what = kind === 'rollback' ? `rollback of ${stepId}` : stepLabel(stepId, name);
  const notes = [onTargets(targets), item.hosts.size > 0 ? '' : attemptNote(item.attempt, maxAttempts), elapsed(item.elapsed(now))].filter(Boolean);
  return `${what}  ${style.dim(notes.join(' · '))}`;
}

/** Title of one host of a group step. */
export function hostTitle(item: LiveItem, host: HostProgress, style: Style): string {
  if (host.state === 'waiting') return style.dim(`${host.name}  waiting for its batch`);
  const attempt = attemptNote(host.attempt, item.init.maxAttempts);
  return attempt ? `${host.name}  ${style.dim(attempt)}` : host.name;
}

/** The output bar: the step's description, a retry note, then the last `live` lines. */
export function itemOutput(lines: readonly string[], retryNote: string | undefined, style: Style, live = 5, description: readonly string[] = []): string {
  const recent = lines.slice(-live);
  const all = [...description.map((l) => style.dim(l)), ...(retryNote ? [style.yellow(`${figures.warning} ${retryNote}`)] : []), ...recent];
  // A blank line would be dropped by the renderer and make the bar jump; keep its place.
  return all.map((line) => (line.trim() === '' ? ' ' : line)).join('\n');
}

function statusIcon(status: string, tolerated: boolean, style: Style): string {
  if (status === 'succeeded') return style.green(figures.tick);
  if (status === 'skipped') return style.dim(figures.arrowDown);
  if (status === 'alreadyDone') return style.green('↷');
  return tolerated ? style.yellow(figures.warning) : style.red(figures.cross);
}

function hostLines(item: LiveItem | undefined, results: TargetResult[], style: Style, indent: string): string[] {
  if (results.length + (item?.hosts.size ?? 0) <= 1) return [];
  const lines = results.map((r) => {
    const exit = r.status !== 'succeeded' && r.exitCode !== null ? ` · exit ${r.exitCode}` : '';
    const attempt = r.attempt > 1 ? ` · attempt ${r.attempt}` : '';
    return `${indent}  ${statusIcon(r.status, false, style)} ${r.target}  ${style.dim(`${formatDuration(r.durationMs)}${attempt}${exit}`)}`;
  });
  const seen = new Set(results.map((r) => r.target));
  for (const host of item?.hosts.keys() ?? []) if (!seen.has(host)) lines.push(`${indent}  ${style.dim(`${figures.squareSmallFilled} ${host}  not started`)}`);
  return lines;
}

/** The last `count` output lines of the item (per host for group steps), as they stay on screen. */
function keptOutput(item: LiveItem | undefined, count: number, all: boolean, style: Style, indent: string): string[] {
  if (!item || (count <= 0 && !all)) return [];
  const tails: Array<[string, { text: string[]; total: number }]> = [['', item.tail], ...[...item.hosts.values()].map((h): [string, { text: string[]; total: number }] => [`[${h.name}] `, h.tail])];
  const lines: string[] = [];
  for (const [prefix, tail] of tails) {
    const kept = all ? tail.text : tail.text.slice(-count);
    const left = tail.total - kept.length;
    if (left > 0 && kept.length > 0) lines.push(`${indent}  ${style.dim(`│ ${prefix}… ${left} earlier line${left === 1 ? '' : 's'} in the log`)}`);
    for (const line of kept) lines.push(`${indent}  ${style.dim(`│ ${prefix}${line}`)}`);
  }
  return lines;
}

/** What a failure leaves on screen: the error, the retries and the last output lines. */
function failureDetail(error: string | undefined, item: LiveItem | undefined, style: Style, indent: string, kept: KeptLines): string[] {
  const lines: string[] = [];
  if (error) lines.push(`${indent}  ${style.red(sanitize(error))}`);
  for (const note of item?.retries ?? []) lines.push(`${indent}  ${style.dim(sanitize(note))}`);
  return [...lines, ...keptOutput(item, kept.failed, kept.all, style, indent)];
}

/** Permanent lines for a finished step; `declined` when its confirm gate was answered no. */
export function stepResultLines(e: StepFinishedEvent, item: LiveItem | undefined, style: Style, indent = '', kept: KeptLines = { succeeded: 0, failed: 20, finally: 5, all: false }, declined = false): string[] {
  const tolerated = e.continueOnError === true;
  const icon = statusIcon(e.status, tolerated, style);
  const label = stepLabel(e.stepId, e.name);
  if (e.status === 'skipped') return [`${indent}${icon} ${style.dim(`${label}  ${STEP_WORDS.skipped}${e.error ? `: ${sanitize(e.error)}` : ''}`)}`];
  if (e.status === 'alreadyDone') return [`${indent}${icon} ${label}  ${style.dim(`${STEP_WORDS.alreadyDone} (its check holds; not run)`)}`];
  if (declined) return [`${indent}${style.yellow(figures.cross)} ${style.bold(label)}  ${style.dim(STEP_WORDS.declined)}`, ...(e.error ? [`${indent}  ${style.yellow(sanitize(e.error))}`] : [])];
  const where = onTargets(e.targets.map((t) => t.target));
  const max = item?.init.maxAttempts ?? e.attempt;
  const notes = [where, formatDuration(e.durationMs), e.attempt > 1 || (max > 1 && e.status !== 'succeeded') ? `attempt ${e.attempt}/${max}` : ''];
  if (e.status !== 'succeeded') notes.push(e.status === 'timedOut' ? STEP_WORDS.timedOut : e.exitCode !== null ? `exit ${e.exitCode}` : STEP_WORDS.failed);
  const done = e.targets.filter((t) => t.status === 'alreadyDone').length;
  if (done > 0 && done < e.targets.length) notes.push(`${STEP_WORDS.alreadyDone} on ${done} of ${e.targets.length}`);
  if (tolerated) notes.push('continueOnError: the run goes on');
  const head = `${indent}${icon} ${e.status === 'succeeded' ? label : style.bold(label)}  ${style.dim(notes.filter(Boolean).join(' · '))}`;
  const hosts = hostLines(item, e.targets, style, indent);
  if (e.status === 'succeeded') return [head, ...hosts, ...keptOutput(item, e.phase === 'finally' ? kept.finally : kept.succeeded, kept.all, style, indent)];
  return [head, ...hosts, ...failureDetail(e.error, item, style, indent, kept)];
}

/** Permanent lines for a finished rollback. */
export function rollbackResultLines(e: RollbackFinishedEvent, item: LiveItem | undefined, style: Style, indent = '', kept: KeptLines = { succeeded: 0, failed: 20, finally: 5, all: false }): string[] {
  const icon = statusIcon(e.status, false, style);
  const where = onTargets(e.targets.map((t) => t.target));
  const notes = [where, formatDuration(e.durationMs), e.status === 'timedOut' ? ROLLBACK_WORDS.timedOut : e.status === 'failed' && e.exitCode !== null ? `exit ${e.exitCode}` : ''];
  const head = `${indent}${icon} rollback of ${e.stepId}  ${style.dim(notes.filter(Boolean).join(' · '))}`;
  if (e.status === 'succeeded') return [head, ...keptOutput(item, kept.succeeded, kept.all, style, indent)];
  return [head, ...hostLines(undefined, e.targets, style, indent), ...failureDetail(e.error, item, style, indent, kept)];
}
