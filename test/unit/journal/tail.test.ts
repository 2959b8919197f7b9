import { afterAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { linesFromEnd, readFirstLine, readLastLines } from '../../../src/journal/tail.js';
import { cleanTempDirs, tempDir } from '../../helpers/temp-dir.js';

afterAll(cleanTempDirs);

function file(text: string): string {
  const path = tempDir().path('f.txt');
  writeFileSync(path, text);
  return path;
}

describe('readLastLines', () => {
  it('returns the last lines of a small file', () => {
    expect(readLastLines(file('a\nb\nc\n'), 2)).toEqual({ lines: ['b', 'c'], hasMore: true, unterminated: false });
    expect(readLastLines(file('a\nb\n'), 5)).toEqual({ lines: ['a', 'b'], hasMore: false, unterminated: false });
    expect(readLastLines(file(''), 3)).toEqual({ lines: [], hasMore: false, unterminated: false });
  });

  it('reports an unterminated last line', () => {
    expect(readLastLines(file('a\nb\n{"torn'), 2)).toEqual({ lines: ['b', '{"torn'], hasMore: true, unterminated: true });
  });

  it('reads past lines longer than its first chunk', () => {
    const long = 'x'.repeat(100_000);
    expect(readLastLines(file(`first\n${long}\nlast\n`), 2).lines).toEqual([long, 'last']);
  });

  it('never returns a line cut at the chunk boundary', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'é'.repeat(i % 7)}`);
    const tail = readLastLines(file(`${lines.join('\n')}\n`), 3000);
    expect(tail.lines).toEqual(lines.slice(-3000));
  });
});

describe('linesFromEnd', () => {
  it('yields lines last first, keeping blank lines, and reads only as far as asked', () => {
    expect([...linesFromEnd(file('a\n\nb\n'))]).toEqual(['b', '', 'a']);
    expect([...linesFromEnd(file('a\nb'))]).toEqual(['b', 'a']);
    expect([...linesFromEnd(file('\n'))]).toEqual(['']);
    expect([...linesFromEnd(file(''))]).toEqual([]);
    const big = file(`${'x'.repeat(1_000_000)}\nlast\n`);
    for (const line of linesFromEnd(big, 64)) {
      expect(line).toBe('last');
      break; // the 1 MB line before it is never read
    }
  });

  it('handles lines much longer than a chunk and chunk edges on every offset', () => {
    const lines = ['', 'é'.repeat(50), 'short', 'y'.repeat(5000), '', 'end'];
    for (const chunk of [1, 2, 3, 7, 64]) expect([...linesFromEnd(file(`${lines.join('\n')}\n`), chunk)]).toEqual([...lines].reverse());
  });
});

describe('readFirstLine', () => {
  it('reads the first line or nothing', () => {
    expect(readFirstLine(file('one\ntwo\n'))).toBe('one');
    expect(readFirstLine(file(''))).toBeUndefined();
    expect(readFirstLine(tempDir().path('missing'))).toBeUndefined();
  });
});
