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
