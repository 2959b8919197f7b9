/** The `history` table: id, runbook, status, start, duration; plain text, no colour. */
import { formatDuration, formatTime } from './format-duration.js';
import type { HistoryEntry } from './history.js';

/** Formats rows as an aligned table; says so plainly when there are none. */
export function formatHistory(entries: readonly HistoryEntry[], context: { runsDir: string; runbook?: string }): string {
  if (entries.length === 0) {
    const which = context.runbook === undefined ? 'No runs' : `No runs of runbook "${context.runbook}"`;
    return `${which} in ${context.runsDir}.\n`;
  }
  const rows = entries.map((e) => [e.runId, e.runbook, statusCell(e), formatTime(e.startedAt), formatDuration(e.durationMs)]);
  return formatTable(['RUN ID', 'RUNBOOK', 'STATUS', 'STARTED', 'DURATION'], rows);
}

function statusCell(entry: HistoryEntry): string {
  return entry.exitCode === undefined || entry.exitCode === 0 ? entry.status : `${entry.status} (${entry.exitCode})`;
}

/** Left-aligned columns separated by two spaces; no trailing blanks. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return `${[header, ...rows].map(line).join('\n')}\n`;
}
