/**
 * Output blocks as bytes: the line prefixer writes exactly what prefixing every decoded line
 * would (multi-byte text and prefixes included), `lastLines` decodes only the last lines, and
 * an output event decodes `lines` on first use while copies of it stay plain data.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decodeLines, lastLines, LinePrefixer, outputEvent } from '../../../src/engine/output-bytes.js';

const lineArb = fc.array(fc.oneof(fc.constantFrom('a', ' ', 'é', '日本', '😀', '\r', '\t', '$&', '\\n'), fc.string({ unit: 'grapheme', maxLength: 5 })), { maxLength: 8 }).map((p) => p.join('').replaceAll('\n', ''));
const blockArb = fc.array(lineArb, { maxLength: 30 }).map((lines) => Buffer.from(lines.map((l) => `${l}\n`).join('')));

describe('output bytes', () => {
  it('LinePrefixer puts the prefix before every line, byte for byte (property)', () => {
    const prefixer = new LinePrefixer();
    fc.assert(
      fc.property(blockArb, fc.constantFrom('O ', 'E [web-1] ', '2026-12-02T01:22:33.123Z step-é @hôst | ', ''), (block, prefix) => {
        const expected = decodeLines(block).map((l) => `${prefix}${l}\n`).join('');
        expect(prefixer.apply(block, prefix).toString('utf8')).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('LinePrefixer joins many short lines in slices, every line prefixed once', () => {
    const prefixer = new LinePrefixer();
    const prefix = `${'p'.repeat(40)} é | `;
    const lines = Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? '' : `l${i}`));
    const block = Buffer.from(lines.map((l) => `${l}\n`).join(''));
    expect(prefixer.apply(block, prefix).toString('utf8')).toBe(lines.map((l) => `${prefix}${l}\n`).join(''));
    // The buffer is reused: a smaller block after a larger one.
    expect(prefixer.apply(Buffer.from('x\n'), 'O ').toString()).toBe('O x\n');
  });

  it('lastLines gives the same as slicing all lines (property)', () => {
    fc.assert(
      fc.property(blockArb, fc.nat(40), (block, count) => {
        const event = outputEvent({ type: 'step.output', stepId: 's', phase: 'run', stream: 'stdout' }, block);
        expect(lastLines(event, count)).toEqual(count === 0 ? [] : decodeLines(block).slice(-count));
        expect(lastLines({ lines: decodeLines(block) }, count)).toEqual(count === 0 ? [] : decodeLines(block).slice(-count));
      }),
      { numRuns: 500 },
    );
  });

  it('an output event decodes its lines when read; a copy or its JSON has lines, not bytes', () => {
    const event = outputEvent({ type: 'step.output', stepId: 's', phase: 'run', stream: 'stdout' }, Buffer.from('one\ntwo é\n'));
    expect(event.bytes?.toString()).toBe('one\ntwo é\n');
    expect(event.lines).toEqual(['one', 'two é']);
    expect(event.lines).toBe(event.lines);
    const copy = { ...event };
    expect(copy).toEqual({ type: 'step.output', stepId: 's', phase: 'run', stream: 'stdout', lines: ['one', 'two é'] });
    expect(JSON.parse(JSON.stringify(event))).toEqual(copy);
  });
});
