/**
 * `history --status` and `--since`, read in the operator's words: `--status failed` means
 * every run whose steps failed (compensated or not); `--since` takes a duration back from
 * now (`7d`, `12h`, `30m`, `2w`) or a date (`2026-11-30`, an ISO time). Anything else is a
 * usage error (exit 2), never an empty list.
 */
import { UsageError } from '../errors/stepwise-error.js';
import type { RunState } from '../journal/index.js';
import { closest } from '../runbook/did-you-mean.js';
import { HISTORY_STATUSES } from './command-options.js';

const STATES: Record<(typeof HISTORY_STATUSES)[number], RunState[]> = {
  succeeded: ['succeeded'],
  failed: ['failed', 'rolledBack', 'rollbackFailed'],
  'rolled-back': ['rolledBack'],
  'rollback-failed': ['rollbackFailed'],
  cancelled: ['cancelled'],
  running: ['running'],
  crashed: ['crashed'],
};

/** The stored states `--status WORD` selects. */
export function statesFor(word: string): Set<RunState> {
  const key = word.trim().toLowerCase().replace(/([a-z])([A-Z])/g, '$1-$2').replace(/[\s_]+/g, '-');
  const normal = key === 'rolledback' ? 'rolled-back' : key === 'rollbackfailed' ? 'rollback-failed' : key === 'canceled' ? 'cancelled' : key;
  const states = (STATES as Record<string, RunState[] | undefined>)[normal];
  if (states) return new Set(states);
  const guess = closest(word, HISTORY_STATUSES);
  throw new UsageError(`--status expects one of ${HISTORY_STATUSES.join(', ')}, got \`${word}\`${guess ? `; did you mean ${guess}?` : ''}`, {
    hint: '--status failed lists every run whose steps failed, rolled back or not',
  });
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
const AGO = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** Milliseconds since the epoch that `--since VALUE` means, relative to `now`. */
export function sinceTime(value: string, now = Date.now()): number {
  const text = value.trim();
  const ago = AGO.exec(text);
  if (ago) return now - Number(ago[1]) * (UNIT_MS[ago[2] ?? 's'] ?? 1000);
  if (DATE.test(text) || ISO_TIME.test(text)) {
    // A bare date is midnight where the operator is, as `date -d` would read it.
    const time = DATE.test(text) ? new Date(`${text}T00:00:00`).getTime() : Date.parse(text.replace(' ', 'T'));
    if (Number.isFinite(time)) return time;
  }
  throw new UsageError(`--since expects a duration back from now (7d, 12h, 30m, 2w) or a date (2026-11-30, 2026-11-30T08:00Z), got \`${value}\``, {
    hint: 'for example: stepwise history --since 7d',
  });
}
