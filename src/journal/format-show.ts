/**
 * `stepwise show RUN_ID`: one run step by step, with attempts, exit codes, durations,
 * targets, rollbacks, decisions and the tail of each step's log; and what was lost when
 * the journal is damaged. Plain text; the CLI adds nothing but printing it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetResult } from '../engine/events.js';
import { formatDuration, formatTime } from './format-duration.js';
import { describeLost } from './journal-reader.js';
import type { LoadedRun } from './load-run.js';
import { stepLogName } from './run-paths.js';
import type { StepSummary } from './run-summary.js';
import { LOG_TAGS } from './step-logs.js';
import { readLastLines } from './tail.js';

/** Display options of `show`. */
export interface ShowOptions {
  /** Output lines of each step's log to show (default 5; 0 hides logs). */
  tailLines?: number;
}

/** Formats a loaded run for `show`. */
export function formatShow(run: LoadedRun, options: ShowOptions = {}): string {
  const s = run.summary;
  const out: string[] = [];
  const lastSession = s.sessions.at(-1);
  const exit = lastSession?.exitCode === undefined ? '' : ` (exit ${lastSession.exitCode})`;
  out.push(`Run ${run.runId}  ${s.runbook ?? run.meta?.runbook ?? '?'}  ${run.state}${exit}`);
  out.push(`  runbook   ${run.meta?.file ?? s.file ?? '?'}`);
  out.push(`  started   ${formatTime(run.startedAt)}   duration ${formatDuration(run.durationMs)}`);
  if (s.sessions.length > 1) out.push(`  sessions  ${s.sessions.map((x) => (x.mode === 'rollback' ? 'rollback' : x.resumed ? 'resume' : 'run')).join(', ')}`);
  if (lastSession?.error) out.push(`  error     ${lastSession.error}`);
  out.push(...stateAdvice(run));
  const runSteps = s.steps.filter((x) => x.phase === 'run');
  const finallySteps = s.steps.filter((x) => x.phase === 'finally');
  const width = Math.max(4, ...s.steps.map((x) => x.stepId.length));
  out.push('', 'Steps');
  if (runSteps.length === 0) out.push('  (none recorded)');
  for (const step of runSteps) out.push(...formatStep(run, step, width, options.tailLines ?? 5));
  if (finallySteps.length > 0) {
    out.push('', 'Finally');
    for (const step of finallySteps) out.push(...formatStep(run, step, width, options.tailLines ?? 5));
  }
  if (s.notices.length > 0) {
    out.push('', 'Notices');
    for (const n of s.notices) out.push(`  ${n.level}: ${n.stepId ? `[${n.stepId}] ` : ''}${n.message}`);
  }
  if (!run.journal.exists) out.push('', `Journal missing: ${run.paths.journal} does not exist; only meta.json was readable.`);
  if (s.lost.length > 0) {
    out.push('', `Journal damaged: ${s.lost.length} record(s) could not be read and are not shown above`);
    for (const line of describeLost(s.lost)) out.push(`  ${line}`);
  }
  return `${out.join('\n')}\n`;
}

function stateAdvice(run: LoadedRun): string[] {
  const pending = run.summary.sessions.at(-1)?.rollbackPending;
  const lines: string[] = [];
  if (pending && pending.length > 0) lines.push(`  pending   rollback of ${pending.join(', ')} did not run: \`stepwise rollback ${run.runId}\``);
  if (run.state === 'crashed') lines.push(`  note      the runner died before the run finished: \`stepwise resume ${run.runId}\` continues it, \`stepwise rollback ${run.runId}\` compensates it`);
  return lines;
}

function formatStep(run: LoadedRun, step: StepSummary, width: number, tailLines: number): string[] {
  const status = step.status === 'notStarted' ? 'not started' : step.status === 'started' ? 'started, never finished' : step.status;
  const parts = [`  ${step.stepId.padEnd(width)}  ${status}`];
  if (step.status !== 'notStarted' && step.status !== 'started' && step.status !== 'skipped') parts.push(`exit ${step.exitCode ?? '-'}`);
  if (step.durationMs !== undefined) parts.push(formatDuration(step.durationMs));
  if (step.attempt !== undefined && step.maxAttempts !== undefined && step.maxAttempts > 1) parts.push(`attempt ${step.attempt}/${step.maxAttempts}`);
  if (step.targets.length > 0 && !(step.targets.length === 1 && step.targets[0] === 'local')) parts.push(`on ${step.targets.join(', ')}`);
  if (step.continueOnError) parts.push('(continueOnError)');
  if (step.executions > 1) parts.push(`(run ${step.executions} times)`);
  const lines = [parts.join('  ')];
  const pad = ' '.repeat(width + 4);
  for (const a of step.failedAttempts) lines.push(`${pad}attempt ${a.attempt}${a.host ? ` on ${a.host}` : ''} failed (exit ${a.exitCode ?? '-'}): ${a.error}`);
  if (step.error) lines.push(`${pad}error: ${step.error}`);
  for (const r of failedTargets(step.results)) lines.push(`${pad}${r.target}: ${r.status} (exit ${r.exitCode ?? '-'})${r.error ? `: ${r.error}` : ''}`);
  for (const d of step.decisions) lines.push(`${pad}operator chose ${d.choice}${d.note ? `: ${d.note}` : ''}`);
  const rb = step.rollback;
  if (rb) {
    const rbStatus = rb.status === 'started' ? 'started, never finished' : `${rb.status} (exit ${rb.exitCode ?? '-'}, ${formatDuration(rb.durationMs)})`;
    lines.push(`${pad}rollback ${rbStatus}${rb.targets.length > 0 ? ` on ${rb.targets.join(', ')}` : ''}${rb.error ? `: ${rb.error}` : ''}`);
  }
  if (tailLines > 0) lines.push(...logTail(run, step, tailLines, pad));
  return lines;
}

/** Only failing hosts of a group step are worth a line each. */
function failedTargets(results: readonly TargetResult[]): TargetResult[] {
  return results.length > 1 ? results.filter((r) => r.status !== 'succeeded' && r.status !== 'skipped') : [];
}

function logTail(run: LoadedRun, step: StepSummary, count: number, pad: string): string[] {
  const file = join(run.paths.logs, stepLogName(step.stepId, step.phase));
  if (!existsSync(file)) return [];
  // Read a few extra lines: the writer's own `# ` notes are left out of the tail.
  const tail = readLastLines(file, count + 8);
  const output = tail.lines.filter((l) => !l.startsWith(LOG_TAGS.note)).slice(-count);
  if (output.length === 0) return [];
  const more = tail.hasMore ? `last ${output.length} lines; \`stepwise logs ${run.runId} ${step.stepId}\` for all` : 'output';
  return [`${pad}${more}:`, ...output.map((l) => `${pad}  ${l}`)];
}
