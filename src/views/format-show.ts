/**
 * `stepwise show RUN_ID`: the morning-after answers about one run — which runbook and what
 * it is for, who ran it where and when, with which params (secrets `***`), and per step its
 * targets, start and end, attempts with exit codes, checks, outputs, rollback, decisions and
 * the tail of its log; then a text timeline of everything journaled, and what was lost when
 * the journal is damaged. Plain text; the words for statuses and the run's headline come
 * from the caller (the same words the live view uses).
 */
import type { EngineEvent, RollbackStatus, StepStatus, TargetResult } from '../engine/events.js';
import type { ScalarValue } from '../runbook/model.js';
import { describeLost } from '../journal/journal-reader.js';
import { logTailKey, type LogTail } from '../journal/log-tails.js';
import type { RunState } from '../journal/run-state.js';
import type { StepSummary } from '../journal/run-summary.js';
import { formatTimeline } from './format-timeline.js';
import { LOG_TAGS } from '../journal/step-logs.js';
import type { StoredRun } from '../journal/store.js';
import { formatTime } from '../reporters/format-time.js';
import { renderMarkdown } from '../reporters/markdown.js';
import { formatDuration } from '../runbook/durations.js';

/** Words for statuses (`rolled back`, `timed out`, `already done`); the stored identifiers by default. */
export interface ShowWords {
  step(status: StepStatus, declined: boolean): string;
  rollback(status: RollbackStatus): string;
  run(state: RunState): string;
}

/** Display options of `show`. */
export interface ShowOptions {
  /** Output lines of each step's log to show (default 5; 0 hides logs). */
  tailLines?: number;
  /** The end of each step's log, read by the caller ({@link logTails}: asked for a few lines more than shown, for the notes left out). */
  tails?: ReadonlyMap<string, LogTail>;
  words?: ShowWords;
  /** How the run ended, in a sentence (`failed and was rolled back`); default: its state word. */
  headline?: string;
  /** Commands to type next, each with what it does. */
  next?: Array<[command: string, why: string]>;
}

/** A time as `HH:MM:SSZ` when it falls on `day` (the run's first day, written in full above), else in full. */
function clock(iso: string | undefined, day: string): string {
  const full = formatTime(iso);
  return full.startsWith(`${day}T`) ? full.slice(day.length + 1) : full;
}

const STORED: ShowWords = { step: (s, declined) => (declined ? 'declined' : s), rollback: (s) => s, run: (s) => s };
const LABEL = 10;
const field = (label: string, value: string, pad = '  ') => `${pad}${label.padEnd(LABEL)}${value}`;

/** Formats a loaded run for `show`. */
export function formatShow(run: StoredRun, options: ShowOptions = {}): string {
  const s = run.summary;
  const words = options.words ?? STORED;
  const out: string[] = [];
  const lastSession = s.sessions.at(-1);
  const exit = lastSession?.exitCode === undefined ? '' : ` (exit ${lastSession.exitCode})`;
  const headline = run.state === 'running' || run.state === 'crashed' ? words.run(run.state) : (options.headline ?? words.run(run.state));
  out.push(`Run ${run.runId}  ${s.runbook ?? run.meta?.runbook ?? '?'}  ${headline}${exit}`);
  out.push(field('runbook', run.meta?.file ?? s.file ?? '?'));
  out.push(...sessionLines(run));
  const ended = run.state === 'running' ? 'still running' : lastSession?.finishedAt ? `ended ${formatTime(lastSession.finishedAt)}` : run.state === 'crashed' ? `last record ${formatTime(s.lastEventAt)}` : '';
  out.push(field('when', `started ${formatTime(run.startedAt)}${ended ? `, ${ended}` : ''}; took ${formatDuration(run.durationMs)}`));
  out.push(field('params', paramsText(run.params)));
  if (lastSession?.error) out.push(field('error', lastSession.error));
  out.push(...stateAdvice(run));
  for (const [index, [command, why]] of (options.next ?? []).entries()) out.push(field(index === 0 ? 'next' : '', `${command}  (${why})`));
  const description = runbookDescription(run.journal.events);
  if (description) out.push('', renderMarkdown(description, { color: false, width: 78, indent: '  ' }));
  const runSteps = s.steps.filter((x) => x.phase === 'run');
  const finallySteps = s.steps.filter((x) => x.phase === 'finally');
  const tail = options.tailLines ?? 5;
  out.push('', 'Steps');
  if (runSteps.length === 0) out.push('  (none recorded)');
  const day = formatTime(run.startedAt).slice(0, 10);
  runSteps.forEach((step, i) => out.push(...formatStep(run, step, `${i + 1}.`, { tailLines: tail, words, day, tails: options.tails })));
  if (finallySteps.length > 0) {
    out.push('', 'Finally');
    finallySteps.forEach((step, i) => out.push(...formatStep(run, step, `F${i + 1}.`, { tailLines: tail, words, day, tails: options.tails })));
  }
  out.push('', 'Timeline', ...formatTimeline(run.journal.events, { step: (st) => words.step(st, false), rollback: words.rollback, run: (st) => words.run(st) }).map((l) => `  ${l}`));
  if (!run.journal.exists) out.push('', `Journal missing: ${run.journalLocation} does not exist; only meta.json was readable.`);
  if (run.journal.unreadable !== undefined) out.push('', `Journal unreadable: ${run.journal.unreadable}; only meta.json was readable.`);
  if (s.lost.length > 0) {
    out.push('', `Journal damaged: ${s.lost.length} record(s) could not be read and are not shown above`);
    for (const line of describeLost(s.lost)) out.push(`  ${line}`);
  }
  return `${out.join('\n')}\n`;
}

/** The runbook's `description` as the run recorded it (runs from before it was recorded have none). */
function runbookDescription(events: readonly EngineEvent[]): string | undefined {
  for (const event of events) if (event.type === 'run.started' && event.description?.trim()) return event.description.trim();
  return undefined;
}

/** Who ran it, where, and each later resume or rollback. */
function sessionLines(run: StoredRun): string[] {
  const sessions = run.meta?.sessions ?? [];
  const summaries = run.summary.sessions;
  const count = Math.max(sessions.length, summaries.length);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const meta = sessions[i];
    const summary = summaries[i];
    const mode = (summary?.mode ?? meta?.mode) === 'rollback' ? 'rollback' : (summary?.resumed ?? meta?.resumed) ? 'resume' : 'run';
    const who = meta ? `${meta.user ?? 'unknown user'} on ${meta.host} (pid ${meta.pid})` : 'unknown (not in meta.json)';
    const at = formatTime(summary?.startedAt ?? meta?.startedAt);
    lines.push(field(i === 0 ? 'who' : '', `${mode} by ${who} at ${at}`));
  }
  return lines.length > 0 ? lines : [field('who', 'unknown (meta.json is missing)')];
}

function paramsText(params: Record<string, ScalarValue> | undefined): string {
  if (!params) return '(not recorded)';
  const entries = Object.entries(params);
  if (entries.length === 0) return '(none)';
  return entries.map(([k, v]) => `${k}=${typeof v === 'string' && v !== '' && !/\s/.test(v) ? v : JSON.stringify(v)}`).join('  ');
}

function stateAdvice(run: StoredRun): string[] {
  const pending = run.summary.sessions.at(-1)?.rollbackPending;
  const lines: string[] = [];
  if (pending && pending.length > 0) lines.push(field('pending', `rollback of ${pending.join(', ')} did not run: \`stepwise rollback ${run.runId}\``));
  if (run.state === 'crashed') lines.push(field('note', `the runner died before the run finished: \`stepwise resume ${run.runId}\` continues it, \`stepwise rollback ${run.runId}\` compensates it`));
  return lines;
}

function stepStatus(step: StepSummary, words: ShowWords): string {
  if (step.status === 'notStarted') return 'not started';
  if (step.status === 'started') return 'started, never finished';
  const declined = step.status === 'failed' && step.decisions.some((d) => d.choice === 'no');
  return `${words.step(step.status, declined)}${step.continueOnError ? ' (continueOnError: the run went on)' : ''}`;
}

/** How steps are shown: log lines, words, and the run's first day (times on it are shown as time of day). */
interface StepView {
  tailLines: number;
  tails: ReadonlyMap<string, LogTail> | undefined;
  words: ShowWords;
  day: string;
}

function formatStep(run: StoredRun, step: StepSummary, number: string, view: StepView): string[] {
  const { tailLines, words, day } = view;
  const label = step.name !== step.stepId ? `${step.stepId} (${step.name})` : step.stepId;
  const lines = [`  ${number.padStart(3)} ${label}  ${stepStatus(step, words)}`];
  const pad = '       ';
  if (step.status === 'notStarted') return lines;
  if (step.targets.length > 0) lines.push(field('on', step.targets.join(', '), pad));
  const when = [`started ${clock(step.startedAt, day)}`, step.finishedAt ? `ended ${clock(step.finishedAt, day)}` : '', step.durationMs !== undefined ? `took ${formatDuration(step.durationMs)}` : ''].filter(Boolean);
  lines.push(field('when', when.join(', '), pad));
  if (step.executions > 1) lines.push(field('runs', `started ${step.executions} times (resumed)`, pad));
  lines.push(...attemptLines(step, view, pad));
  for (const check of step.checks) {
    const verdict = check.result === 'holds' ? 'holds' : check.result === 'fails' ? `does not hold (exit ${check.exitCode ?? '-'})` : `could not run: ${check.error ?? 'unknown error'}`;
    lines.push(field('check', `${check.when === 'before' ? 'before' : 'after'} the step${check.host ? ` on ${check.host}` : ''}: ${verdict}`, pad));
  }
  if (step.error && step.status !== 'succeeded') lines.push(field('error', step.error, pad));
  for (const d of step.decisions) lines.push(field('decision', `operator chose ${d.choice} at ${clock(d.time, day)}${d.note ? `: ${d.note}` : ''}`, pad));
  const outputs = Object.entries(step.outputs);
  if (outputs.length > 0) lines.push(field('outputs', outputs.map(([k, v]) => `${k}=${v}`).join('  '), pad));
  const rb = step.rollback;
  if (rb) {
    const rbStatus = rb.status === 'started' ? 'started, never finished' : `${words.rollback(rb.status)} (exit ${rb.exitCode ?? '-'}, took ${formatDuration(rb.durationMs)})`;
    lines.push(field('rollback', `${rbStatus}${rb.targets.length > 0 ? ` on ${rb.targets.join(', ')}` : ''} at ${clock(rb.startedAt, day)}${rb.error ? `: ${rb.error}` : ''}`, pad));
  }
  if (tailLines > 0) lines.push(...logTail(run, step, tailLines, pad, view.tails));
  return lines;
}

/** Every attempt: the failed ones that were retried, then how each target ended. */
function attemptLines(step: StepSummary, { words, day }: StepView, pad: string): string[] {
  const lines: string[] = [];
  const label = (first: boolean) => (first && lines.length === 0 ? 'attempts' : '');
  for (const a of step.failedAttempts) lines.push(field(label(true), `${a.host ? `${a.host}: ` : ''}${a.attempt} failed (exit ${a.exitCode ?? '-'}) at ${clock(a.time, day)}: ${a.error}`, pad));
  const finals = finalResults(step);
  for (const r of finals) {
    if (r.status === 'skipped') continue;
    const exit = r.status === 'alreadyDone' ? 'not run: its check held' : `exit ${r.exitCode ?? '-'}`;
    const host = finals.length > 1 || r.target !== 'local' ? `${r.target}: ` : '';
    lines.push(field(label(true), `${host}${r.attempt > 0 ? `${r.attempt} ` : ''}${words.step(r.status, false)} (${exit}, took ${formatDuration(r.durationMs)})${r.error && finals.length > 1 ? `: ${r.error}` : ''}`, pad));
  }
  return lines;
}

/** How each target ended; a step without per-target results (a confirm gate) as one. */
function finalResults(step: StepSummary): TargetResult[] {
  if (step.results.length > 0) return step.results;
  if (step.status === 'started' || step.status === 'notStarted' || step.status === 'skipped' || step.attempt === undefined || step.attempt === 0) return [];
  return [{ target: 'local', status: step.status, exitCode: step.exitCode, attempt: step.attempt, durationMs: step.durationMs ?? 0 }];
}

function logTail(run: StoredRun, step: StepSummary, count: number, pad: string, tails: ReadonlyMap<string, LogTail> | undefined): string[] {
  const tail = tails?.get(logTailKey(step.stepId, step.phase));
  if (!tail) return [];
  const output = tail.lines.filter((l) => !l.startsWith(LOG_TAGS.note)).slice(-count);
  if (output.length === 0) return [];
  const more = tail.hasMore || output.length < tail.lines.filter((l) => !l.startsWith(LOG_TAGS.note)).length ? `last ${output.length} lines; \`stepwise logs ${run.runId} ${step.stepId}\` for all` : 'all of it';
  return [field('output', `${more}:`, pad), ...output.map((l) => `${pad}${' '.repeat(LABEL)}${shownLine(l)}`)];
}

/** A log line as the plain output shows it: `| ` for stdout, `! ` for stderr. */
function shownLine(line: string): string {
  if (line.startsWith(LOG_TAGS.stdout)) return `| ${line.slice(LOG_TAGS.stdout.length)}`;
  if (line.startsWith(LOG_TAGS.stderr)) return `! ${line.slice(LOG_TAGS.stderr.length)}`;
  return line;
}
