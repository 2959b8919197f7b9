/** Durations, "did you mean", and locating offsets inside YAML strings of every style. */
import { describe, expect, it } from '@jest/globals';
import { closest, editDistance } from '../../../src/runbook/did-you-mean.js';
import { formatDuration, parseDuration } from '../../../src/runbook/durations.js';
import { parseYaml } from '../../../src/runbook/parse-yaml.js';

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    [45, 45_000],
    [0.25, 250],
    ['12', 12_000],
  ])('%j → %i ms', (input, ms) => expect(parseDuration(input)).toBe(ms));

  it.each(['', 'abc', '10 minutes', '-1s', '1d', '1h30m'])('%j is not a duration', (input) => expect(parseDuration(input)).toBeUndefined());

  it('formats for humans', () => {
    expect([500, 30_000, 90_000, 5_400_000].map(formatDuration)).toEqual(['500ms', '30s', '1m30s', '1h30m']);
  });

  // The one formatter of every human view: the live view, plain lines, show, history, log
  // notes and messages write a duration alike (show used to print 12.0s where the live view
  // printed 12s).
  it.each([
    [0, '0ms'], [850, '850ms'], [999.4, '999ms'], [999.5, '1s'],
    [1000, '1s'], [12_000, '12s'], [12_340, '12.3s'], [12_960, '13s'], [59_940, '59.9s'], [59_950, '1m'],
    [60_000, '1m'], [65_000, '1m05s'], [245_000, '4m05s'], [3_599_400, '59m59s'], [3_599_500, '1h'],
    [3_600_000, '1h'], [3_720_000, '1h02m'], [86_399_000, '23h59m'], [86_400_000, '1d'], [273_600_000, '3d04h'],
    [2 ** 31 - 1, '24d20h'],
  ])('%d ms is %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it.each([undefined, -1, Number.NaN, Number.POSITIVE_INFINITY])('%s has no duration: -', (ms) => expect(formatDuration(ms)).toBe('-'));

  it('never writes a zero tenth or a unit that does not fit (seeded)', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    for (let i = 0; i < 20_000; i++) {
      const ms = (next() % 1_000_000) * (10 ** (next() % 4)) / 100;
      const text = formatDuration(ms);
      expect(text).toMatch(/^(\d{1,3}ms|\d{1,2}(\.[1-9])?s|\d{1,2}m(\d\ds)?|\d{1,2}h(\d\dm)?|\d+d(\d\dh)?)$/);
      const [, mm, ss] = /^(\d+)m(\d\d)s$/.exec(text) ?? [];
      if (mm !== undefined) expect(Number(mm) < 60 && Number(ss) > 0 && Number(ss) < 60).toBe(true);
    }
  });
});

describe('did you mean', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('retyr', 'retry')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests only plausible typos', () => {
    expect(closest('retyr', ['run', 'retry', 'rollback'])).toBe('retry');
    expect(closest('ON', ['on', 'env'])).toBe('on');
    expect(closest('zzzz', ['run', 'retry'])).toBeUndefined();
  });
});

describe('locateInString', () => {
  const text = [
    'plain: echo ${{ a.b }}',
    'quoted: "x \\" ${{ c.d }}"',
    'block: |',
    '  first line',
    '  echo ${{ e.f }} ${{ g.h }}',
    'folded: >-',
    '  one',
    '  two ${{ i.j }}',
  ].join('\n');
  const parsed = parseYaml(text, 'f.yaml', 'runbook');
  if (!parsed.ok) throw new Error('fixture does not parse');
  const { value, locator } = parsed.parsed;

  it.each([
    ['plain', '${{', 1, 13],
    ['plain', 'echo', 1, 8],
    ['quoted', '${{', 2, 15],
    ['block', 'e.f', 5, 12],
    ['block', '${{ g.h', 5, 19],
    ['folded', 'i.j', 8, 11],
  ])('%s: %s at %i:%i', (key, needle, line, col) => {
    const string = value[key] as string;
    expect(locator.locateInString([key], string, string.indexOf(needle))).toMatchObject({ line, col });
  });

  it('a path that is not written: the nearest written ancestor', () => {
    expect(locator.locateInString(['block', 'nope'], 'x', 0)).toMatchObject({ line: 3, col: 8 });
    expect(locator.locate(['nope'])).toMatchObject({ line: 1, col: 1 });
  });
});
