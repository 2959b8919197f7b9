/** Numbers and times as the report prints them (exact where it matters, short where it is read). */
export { formatDuration } from '../runbook/durations.js';

/** Bytes in binary units: `512 B`, `4.0 KiB`, `1.2 GiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** A count with thousands separators, independent of the locale of the machine. */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Exact UTC time with milliseconds, as the journal recorded it: `2026-11-26T23:15:00.123Z`. */
export function exactTime(msOrIso: number | string | undefined): string {
  if (msOrIso === undefined) return '-';
  const date = new Date(msOrIso);
  return Number.isNaN(date.getTime()) ? String(msOrIso) : date.toISOString();
}

/** Short UTC time for labels: `23:15:00Z` (the date is in the header). */
export function clockTime(msOrIso: number | string | undefined): string {
  const exact = exactTime(msOrIso);
  return exact.length >= 19 ? `${exact.slice(11, 19)}Z` : exact;
}
