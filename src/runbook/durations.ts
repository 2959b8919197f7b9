/**
 * Durations of SPEC §2: `500ms`, `30s`, `5m`, `1h`, or a number of seconds (also written
 * as a numeric string). The schema checks the form; this turns it into milliseconds.
 */

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)?$/;

/** Longest duration Node timers can wait (2^31-1 ms, about 24.8 days). */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** Milliseconds for a duration value, or undefined when it is not a duration. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const match = DURATION.exec(value.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? 's') as keyof typeof UNIT_MS;
  return Math.round(Number(match[1]) * UNIT_MS[unit]);
}

/**
 * A duration as every human view writes it (live view, plain lines, `show`, `history`, log
 * notes, messages): `850ms`, `12s`, `12.3s`, `4m`, `4m05s`, `1h`, `1h02m`, `3d`, `3d04h`.
 * Rounded to what is shown (tenths under a minute, then seconds, minutes, hours), so
 * 12.96 s is `13s`, never `13.0s`. Undefined, negative or not finite (a run that never
 * ended) is `-`.
 */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 999.5) return `${Math.round(ms)}ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return tenths % 10 === 0 ? `${tenths / 10}s` : `${(tenths / 10).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return withRest(Math.floor(seconds / 60), 'm', seconds % 60, 's');
  const minutes = Math.floor(seconds / 60);
  if (minutes < 24 * 60) return withRest(Math.floor(minutes / 60), 'h', minutes % 60, 'm');
  const hours = Math.floor(minutes / 60);
  return withRest(Math.floor(hours / 24), 'd', hours % 24, 'h');
}

/** `4m` or `4m05s`: the smaller unit only when it is not zero, on two digits. */
function withRest(big: number, bigUnit: string, rest: number, restUnit: string): string {
  return rest === 0 ? `${big}${bigUnit}` : `${big}${bigUnit}${String(rest).padStart(2, '0')}${restUnit}`;
}
