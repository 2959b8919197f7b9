import { describe, expect, it } from '@jest/globals';
import { RUN_ID_PATTERN, isSafeRunId, newRunId, runIdTime } from '../../../src/journal/run-id.js';

describe('run ids', () => {
  it('look like 20261126T231500.123Z-7f3a and encode their UTC time', () => {
    const at = new Date('2030-01-02T03:04:05.678Z');
    const id = newRunId(at);
    expect(id).toMatch(RUN_ID_PATTERN);
    expect(id.startsWith('20300102T030405.678Z-')).toBe(true);
    expect(runIdTime(id)?.toISOString()).toBe('2030-01-02T03:04:05.678Z');
  });

  it('sort by creation even when made in the same millisecond', () => {
    const at = new Date('2031-05-05T05:05:05.005Z');
    const ids = Array.from({ length: 200 }, () => newRunId(at));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sort by time across seconds and days (fixed width)', () => {
    const a = newRunId(new Date('2032-01-01T00:00:09.999Z'));
    const b = newRunId(new Date('2032-01-01T00:00:10.000Z'));
    const c = newRunId(new Date('2032-01-02T00:00:00.000Z'));
    expect([c, a, b].sort()).toEqual([a, b, c]);
  });

  it('reject what could escape the runs directory', () => {
    expect(isSafeRunId('20261126T231500.123Z-7f3a')).toBe(true);
    for (const bad of ['../x', 'a/b', '..', '.hidden', '', 'a\\b', 'x'.repeat(200)]) expect(isSafeRunId(bad)).toBe(false);
    expect(runIdTime('not-an-id')).toBeUndefined();
  });
});
