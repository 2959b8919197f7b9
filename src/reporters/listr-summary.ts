/**
 * The last thing an operator reads: how the run ended (in the words of run-outcome.ts), what
 * it did with its steps, how long it took, its id, and the commands to type next.
 */
import { figures } from 'listr2';
import type { RunFinishedEvent } from '../engine/events.js';
import { formatDuration } from '../runbook/durations.js';
import { sanitize, type Style } from './terminal-style.js';
import { endedWell, nextCommands, runHeadline, stepCounts, type RunFacts } from './run-outcome.js';

/** The summary block printed when the run ends (lines are fitted to the terminal by the caller). */
export function summaryLines(e: RunFinishedEvent, facts: RunFacts, style: Style): string[] {
  const ok = endedWell(e, facts);
  const icon = ok ? style.green(figures.tick) : e.status === 'cancelled' ? style.yellow(figures.warning) : style.red(figures.cross);
  const what = facts.mode === 'rollback' ? `Rollback of ${sanitize(facts.runbook)}` : sanitize(facts.runbook);
  const counts = facts.mode === 'run' ? `${stepCounts(facts)} · ` : '';
  const lines = ['', `${icon} ${style.bold(`${what} ${runHeadline(e, facts)}`)} in ${formatDuration(e.durationMs)}  ${style.dim(`${counts}run ${e.runId} · exit ${e.exitCode}`)}`];
  if (e.error) lines.push(`  ${style.red(sanitize(e.error))}`);
  const tips = nextCommands(e, facts);
  const width = Math.max(0, ...tips.map(([command]) => command.length));
  for (const [command, why] of tips) lines.push(`  ${style.cyan(command.padEnd(width))}  ${style.dim(why)}`);
  return lines;
}
