/**
 * The last thing an operator reads: how the run ended, how long it took, its id, and
 * the command to type next (resume, roll back, look) when there is one.
 */
import { figures } from 'listr2';
import type { RunFinishedEvent } from '../engine/events.js';
import { formatDuration } from '../engine/format-duration.js';
import { sanitize, type Style } from './listr-style.js';

/** What the reporter saw during this invocation that changes the advice. */
export interface RunFacts {
  runbook: string;
  mode: 'run' | 'rollback';
  /** Rollbacks started in this invocation (compensation ran, at least partly). */
  rollbacks: number;
  /** Steps of the run phase that started in this invocation (a failed one may have half-applied). */
  started: number;
  /** This invocation continued an earlier one (resume). */
  resumed: boolean;
}

const HEADLINES: Record<RunFinishedEvent['status'], string> = {
  succeeded: 'succeeded',
  failed: 'failed and halted (not rolled back)',
  rolledBack: 'failed and was rolled back',
  rollbackFailed: 'failed, and a rollback failed too: a human must look',
  cancelled: 'was cancelled',
};

function headline(e: RunFinishedEvent, facts: RunFacts): string {
  if (facts.mode === 'rollback') {
    if (e.status === 'rolledBack') return 'rolled back';
    if (e.status === 'rollbackFailed') return 'rollback failed: a human must look';
  }
  if (e.status === 'cancelled' && facts.rollbacks > 0) return 'was cancelled and rolled back';
  return HEADLINES[e.status];
}

/** Next commands, each with what it does. */
function advice(e: RunFinishedEvent, facts: RunFacts): Array<[string, string]> {
  const id = e.runId;
  if (e.status === 'succeeded') return [];
  const tips: Array<[string, string]> = [];
  if (e.rollbackPending?.length) tips.push([`stepwise rollback ${id}`, `finish the rollback (${e.rollbackPending.join(', ')})`]);
  const halted = (e.status === 'failed' || e.status === 'cancelled') && facts.rollbacks === 0 && facts.mode === 'run';
  if (halted) {
    tips.push([`stepwise resume ${id}`, 'continue from the first step that did not succeed']);
    if (facts.started > 0 || facts.resumed) tips.push([`stepwise rollback ${id}`, 'undo what was done instead']);
  }
  tips.push([`stepwise show ${id}`, 'every step, attempt and exit code']);
  return tips;
}

/** The summary block printed when the run ends. */
export function summaryLines(e: RunFinishedEvent, facts: RunFacts, style: Style): string[] {
  const ok = e.status === 'succeeded' || (facts.mode === 'rollback' && e.status === 'rolledBack');
  const icon = ok ? style.green(figures.tick) : e.status === 'rollbackFailed' ? style.red(figures.cross) : e.status === 'cancelled' ? style.yellow(figures.warning) : style.red(figures.cross);
  const what = facts.mode === 'rollback' ? `Rollback of ${facts.runbook}` : facts.runbook;
  const lines = [
    '',
    `${icon} ${style.bold(`${what} ${headline(e, facts)}`)} in ${formatDuration(e.durationMs)}  ${style.dim(`run ${e.runId} · exit ${e.exitCode}`)}`,
  ];
  if (e.error) lines.push(`  ${style.red(sanitize(e.error))}`);
  const tips = advice(e, facts);
  const width = Math.max(0, ...tips.map(([command]) => command.length));
  for (const [command, why] of tips) lines.push(`  ${style.cyan(command.padEnd(width))}  ${style.dim(why)}`);
  return lines;
}
