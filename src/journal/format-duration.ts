/** Durations as operators read them: `850ms`, `4.2s`, `2m05s`, `1h02m`. */

/** Formats milliseconds compactly; undefined or negative shows as `-`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m${pad(totalSeconds % 60)}s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes < 24 * 60) return `${Math.floor(totalMinutes / 60)}h${pad(totalMinutes % 60)}m`;
  return `${Math.floor(totalMinutes / 1440)}d${pad(Math.floor((totalMinutes % 1440) / 60))}h`;
}

/** An ISO timestamp shortened to the second, still UTC and still ISO: `2026-11-26T23:15:00Z`. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '-';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19)}Z`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
