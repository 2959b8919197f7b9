/** The `history` table: id, runbook, status, start, duration; plain text, no colour. */
import type { HistoryEntry } from '../journal/history.js';
import type { RunState } from '../journal/run-state.js';
import { formatTime } from '../reporters/format-time.js';
import { formatDuration } from '../runbook/durations.js';
import { formatTable } from './format-table.js';

/** How the table was asked for: where runs live, the filters (to say what matched nothing), and the words for states. */
export interface HistoryTableContext {
  runsDir: string;
  runbook?: string;
  /** `--status` / `--since` as typed, for the "no runs" sentence. */
  filters?: string[];
  /** A run's state as a person reads it (`rolled back`, not `rolledBack`); default: as stored. */
  stateWord?: (state: RunState, entry: HistoryEntry) => string;
}

/** Formats rows as an aligned table; says so plainly when there are none. */
export function formatHistory(entries: readonly HistoryEntry[], context: HistoryTableContext): string {
  if (entries.length === 0) {
    const which = context.runbook === undefined ? 'No runs' : `No runs of runbook "${context.runbook}"`;
    const filters = context.filters?.length ? ` matching ${context.filters.join(' ')}` : '';
    return `${which}${filters} in ${context.runsDir}.\n`;
  }
  const word = context.stateWord ?? ((state: RunState) => state);
  const rows = entries.map((e) => [e.runId, e.runbook, statusCell(e, word), formatTime(e.startedAt), formatDuration(e.durationMs)]);
  return formatTable(['RUN ID', 'RUNBOOK', 'STATUS', 'STARTED', 'DURATION'], rows);
}

function statusCell(entry: HistoryEntry, word: (state: RunState, entry: HistoryEntry) => string): string {
  return entry.exitCode === undefined || entry.exitCode === 0 ? word(entry.status, entry) : `${word(entry.status, entry)} (exit ${entry.exitCode})`;
}
