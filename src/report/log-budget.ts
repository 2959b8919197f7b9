/**
 * How much of each log a report keeps, so that the whole file stays a few MB however much
 * the steps printed: each log at most {@link PER_LOG_BYTES} (a quarter from its start, the
 * rest from its end, where failures show), all logs together about {@link TOTAL_BYTES};
 * the logs of failed steps and failed rollbacks always get the full share.
 */
import type { ExcerptLimits } from './log-excerpt.js';

/** Most bytes kept of one log. */
export const PER_LOG_BYTES = 128 * 1024;
/** Bytes of output kept over all logs of a run (failed steps' logs may add to it). */
export const TOTAL_BYTES = 1024 * 1024;
/** Least kept of any log, however many there are. */
export const MIN_LOG_BYTES = 4 * 1024;
/** Lines cost markup beyond their bytes: at most one kept line per this many bytes of budget. */
const BYTES_PER_LINE = 64;

/** Limits for `bytes` of budget: a quarter from the head, three quarters from the tail. */
export function limitsFor(bytes: number): ExcerptLimits {
  const headBytes = Math.floor(bytes / 4);
  const lines = Math.max(8, Math.floor(bytes / BYTES_PER_LINE));
  const headLines = Math.max(2, Math.floor(lines / 4));
  return { headBytes, tailBytes: bytes - headBytes, headLines, tailLines: lines - headLines };
}

/** Shares the budget: `important` logs get {@link PER_LOG_BYTES}, the others split what is left. */
export function planBudget(count: number, importantCount: number): { important: ExcerptLimits; other: ExcerptLimits } {
  const others = Math.max(1, count - importantCount);
  const left = TOTAL_BYTES - importantCount * PER_LOG_BYTES;
  const share = Math.max(MIN_LOG_BYTES, Math.min(PER_LOG_BYTES, Math.floor(left / others)));
  return { important: limitsFor(PER_LOG_BYTES), other: limitsFor(share) };
}
