/** `history --status` and `--since` in the operator's words; anything else is a usage error, never "No runs". */
import { describe, expect, it } from '@jest/globals';
import { UsageError } from '../../../src/errors/stepwise-error.js';
import { countOption } from '../../../src/cli/count-option.js';
import { sinceTime, statesFor } from '../../../src/cli/history-filters.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');

describe('history filters', () => {
  it('--status: failed means every run whose steps failed; other words and spellings map to one state', () => {
    expect([...statesFor('failed')].sort()).toEqual(['failed', 'rollbackFailed', 'rolledBack']);
    expect([...statesFor('rolled-back')]).toEqual(['rolledBack']);
    expect([...statesFor('rolledBack')]).toEqual(['rolledBack']);
    expect([...statesFor('Rollback-Failed')]).toEqual(['rollbackFailed']);
    expect([...statesFor('canceled')]).toEqual(['cancelled']);
    expect(() => statesFor('faild')).toThrow(/--status expects one of .*got `faild`; did you mean failed\?/);
    expect(() => statesFor('bogus')).toThrow(UsageError);
  });

  it('--since: a duration back from now or a date; anything else is refused', () => {
    expect(sinceTime('7d', NOW)).toBe(NOW - 7 * 86_400_000);
    expect(sinceTime('12h', NOW)).toBe(NOW - 12 * 3_600_000);
    expect(sinceTime('30m', NOW)).toBe(NOW - 30 * 60_000);
    expect(sinceTime('2w', NOW)).toBe(NOW - 14 * 86_400_000);
    expect(sinceTime('2026-11-29T08:00Z', NOW)).toBe(Date.parse('2026-11-29T08:00Z'));
    expect(sinceTime('2026-11-29', NOW)).toBe(new Date('2026-11-29T00:00:00').getTime());
    for (const bad of ['yesterdayish', '7 days ago', '', '-3d', '2026-13-45', '7x']) {
      expect(() => sinceTime(bad, NOW)).toThrow(UsageError);
    }
  });

  it('counts: whole numbers in range, else a usage error naming what was given', () => {
    expect(countOption('limit', undefined, 1)).toBeUndefined();
    expect(countOption('limit', 3, 1)).toBe(3);
    expect(countOption('output-lines', 0, 0)).toBe(0);
    expect(() => countOption('limit', 0, 1)).toThrow('--limit expects a whole number ≥ 1, got `0`');
    expect(() => countOption('output-lines', -1, 0)).toThrow('--output-lines expects a whole number ≥ 0, got `-1`');
    expect(() => countOption('limit', Number.NaN, 1)).toThrow('got something that is not a number');
    expect(() => countOption('limit', 2.5, 1)).toThrow(UsageError);
  });
});
