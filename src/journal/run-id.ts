/**
 * Run ids sortable by time (SPEC §4): `20261126T231500.123Z-7f3a`, an ISO 8601 basic UTC
 * timestamp with milliseconds plus random hex. Fixed width, so string order is time order.
 */
import { randomBytes } from 'node:crypto';

/** Matches ids made by {@link newRunId}. */
export const RUN_ID_PATTERN = /^(\d{8})T(\d{6})\.(\d{3})Z-[0-9a-f]{4,}$/;

let lastMs = 0;

/**
 * A new run id. Within one process ids strictly increase even when made in the same
 * millisecond (the timestamp is nudged forward by 1 ms), so creation order is id order.
 */
export function newRunId(now: Date = new Date()): string {
  let ms = now.getTime();
  if (ms <= lastMs) ms = lastMs + 1;
  lastMs = ms;
  const iso = new Date(ms).toISOString(); // 2026-11-26T23:15:00.123Z
  const stamp = iso.replace(/[-:]/g, '');
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/** The creation time encoded in a run id, or undefined for a foreign id. */
export function runIdTime(runId: string): Date | undefined {
  const m = RUN_ID_PATTERN.exec(runId);
  if (!m) return undefined;
  const [, d, t, ms] = m as unknown as [string, string, string, string];
  const iso = `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${t.slice(0, 2)}:${t.slice(2, 4)}:${t.slice(4, 6)}.${ms}Z`;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * True when a string is safe to use as a directory name under `runs/` (what a user types
 * after `show` must never reach outside the state dir).
 */
export function isSafeRunId(runId: string): boolean {
  return /^[0-9A-Za-z][0-9A-Za-z._-]*$/.test(runId) && !runId.includes('..') && runId.length <= 128;
}
