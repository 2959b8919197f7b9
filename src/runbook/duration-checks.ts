/**
 * Duration checks the schema cannot express: a timeout of zero, and values beyond what a
 * timer can wait. (The schema already rejects malformed durations; those are skipped here.)
 */
import { formatPath } from './diagnostics.js';
import { formatDuration, MAX_DURATION_MS, parseDuration } from './durations.js';
import type { FieldContext } from './expression-checks.js';
import { isRecord } from './raw-types.js';
import type { PathSegment } from './locator.js';

/** Checks the duration at `at`; `positive` forbids zero (timeouts). */
export function checkDuration(value: unknown, at: PathSegment[], context: FieldContext, options: { positive: boolean }): void {
  if (value === undefined) return;
  const ms = parseDuration(value);
  if (ms === undefined) return; // malformed: the schema said so
  const key = String(at[at.length - 1]);
  let message: string | undefined;
  if (options.positive && ms === 0) message = `Expected \`${key}\` to be more than 0, got \`${String(value)}\`; a step needs time to run`;
  else if (ms > MAX_DURATION_MS) message = `Expected \`${key}\` to be at most ${formatDuration(MAX_DURATION_MS)}, got \`${String(value)}\``;
  if (message) context.diagnostics.push({ location: context.locator.locate(at), path: formatPath(at), message });
}

/** Checks the durations inside a `retry:` mapping. */
export function checkRetry(value: unknown, at: PathSegment[], context: FieldContext): void {
  if (!isRecord(value)) return;
  checkDuration(value.delay, [...at, 'delay'], context, { positive: false });
  checkDuration(value.maxDelay, [...at, 'maxDelay'], context, { positive: false });
}
