import { afterAll, describe, expect, it } from '@jest/globals';
import { closeSync, ftruncateSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { readLogExcerpt, type ExcerptLimits } from '../../../src/report/log-excerpt.js';
import { cleanTempDirs, tempDir } from '../../helpers/temp-dir.js';
import { seededRandom } from './hostile.js';

afterAll(cleanTempDirs);

const limits = (headBytes: number, tailBytes: number, headLines = 1000, tailLines = 1000): ExcerptLimits => ({ headBytes, tailBytes, headLines, tailLines });

function file(text: string | Buffer): string {
  const path = tempDir('stepwise-report-').path('x.log');
  writeFileSync(path, text);
  return path;
}

describe('readLogExcerpt', () => {
  it('keeps a small log whole', () => {
    const e = readLogExcerpt(file('O a\nO b\n'), limits(100, 100));
    expect(e).toEqual({ totalBytes: 8, head: ['O a', 'O b'], tail: [], omittedBytes: 0, cutLines: false });
    expect(readLogExcerpt(file(''), limits(10, 10)).head).toEqual([]);
    expect(readLogExcerpt(file('O no newline'), limits(100, 100)).head).toEqual(['O no newline']);
  });

  it('cuts a long log to whole lines of head and tail and counts what is left out exactly', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `O line ${i}`);
    const text = `${lines.join('\n')}\n`;
    const e = readLogExcerpt(file(text), limits(100, 200));
    expect(e.head[0]).toBe('O line 0');
    expect(e.tail.at(-1)).toBe('O line 999');
    const shown = [...e.head, ...e.tail].reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(shown + e.omittedBytes).toBe(Buffer.byteLength(text));
    // Head and tail are consecutive runs of whole lines.
    expect(lines.slice(0, e.head.length)).toEqual(e.head);
    expect(lines.slice(lines.length - e.tail.length)).toEqual(e.tail);
  });

  it('caps the number of lines as well as bytes', () => {
    const text = 'O \n'.repeat(10_000);
    const e = readLogExcerpt(file(text), limits(1000, 1000, 5, 7));
    expect([e.head.length, e.tail.length]).toEqual([5, 7]);
    expect(e.omittedBytes).toBe(text.length - 12 * 3);
    const small = readLogExcerpt(file('O \n'.repeat(50)), limits(1000, 1000, 5, 7));
    expect([small.head.length, small.tail.length, small.omittedBytes]).toEqual([5, 7, 38 * 3]);
  });

  it('cuts a single enormous line at character boundaries', () => {
    const text = `O ${'é'.repeat(5000)}`;
    const e = readLogExcerpt(file(text), limits(101, 101));
    expect(e.cutLines).toBe(true);
    for (const line of [...e.head, ...e.tail]) expect(line).not.toContain('\ufffd');
    const shown = [...e.head, ...e.tail].reduce((n, l) => n + Buffer.byteLength(l), 0);
    expect(shown + e.omittedBytes).toBe(Buffer.byteLength(text));
  });

  it('property: head + left out + tail always account for every byte', () => {
    const random = seededRandom(99);
    for (let i = 0; i < 300; i++) {
      const parts: string[] = [];
      const count = Math.floor(random() * 200);
      for (let j = 0; j < count; j++) parts.push('x'.repeat(Math.floor(random() * 80)) + (random() < 0.9 ? '\n' : ''));
      const text = parts.join('');
      const e = readLogExcerpt(file(text), limits(1 + Math.floor(random() * 300), 1 + Math.floor(random() * 300), 1 + Math.floor(random() * 20), 1 + Math.floor(random() * 20)));
      const endsClean = text.endsWith('\n') || text === '';
      const newlines = e.tail.length > 0 || e.omittedBytes > 0 ? e.head.length + e.tail.length - (endsClean ? 0 : 1) : 0;
      const shown = [...e.head, ...e.tail].reduce((n, l) => n + Buffer.byteLength(l), 0);
      if (!e.cutLines && (e.tail.length > 0 || e.omittedBytes > 0)) expect(shown + newlines + e.omittedBytes).toBe(Buffer.byteLength(text));
      expect(e.omittedBytes).toBeGreaterThanOrEqual(0);
      expect(e.head.join('\n')).toBe(text.slice(0, e.head.join('\n').length));
    }
  });

  it('reads a 1 GiB log without reading its middle', () => {
    const path = tempDir('stepwise-report-').path('big.log');
    const fd = openSync(path, 'w');
    writeSync(fd, 'O first line\n');
    // A sparse gigabyte: reading it whole would take seconds and a gigabyte of memory.
    ftruncateSync(fd, 2 ** 30);
    writeSync(fd, '\nO last line\n', 2 ** 30);
    closeSync(fd);
    const before = process.memoryUsage().rss;
    const e = readLogExcerpt(path, limits(32 * 1024, 96 * 1024, 100, 100));
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    expect(e.totalBytes).toBe(2 ** 30 + 13);
    expect(e.head[0]).toBe('O first line');
    expect(e.tail.at(-1)).toBe('O last line');
    expect(e.omittedBytes).toBeGreaterThan(2 ** 30 - 200 * 1024);
  });
});
