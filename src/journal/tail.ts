/**
 * Reads the end of a file without reading the whole file: the last lines of a big log
 * for `show`, the last records of a journal for `history`.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** The last lines of a file. */
export interface Tail {
  lines: string[];
  /** True when the file has earlier lines than those returned. */
  hasMore: boolean;
  /** True when the file does not end with a newline (the last line may be torn). */
  unterminated: boolean;
}

/**
 * The last `count` lines, reading backwards in growing chunks (a single journal record
 * may hold a 64 KiB stdout tail), at most `maxBytes` from the end.
 */
export function readLastLines(path: string, count: number, maxBytes = 16 * 1024 * 1024): Tail {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0 || count <= 0) return { lines: [], hasMore: size > 0, unterminated: false };
    for (let chunk = 16 * 1024; ; chunk *= 4) {
      const start = Math.max(0, size - Math.min(chunk, maxBytes));
      const buffer = Buffer.alloc(size - start);
      readSync(fd, buffer, 0, buffer.length, start);
      const text = buffer.toString('utf8');
      const unterminated = !text.endsWith('\n');
      const parts = text.split('\n');
      if (!unterminated) parts.pop();
      // The first piece may begin mid-line (or mid-character): drop it unless it is the file start.
      if (start > 0) parts.shift();
      if (parts.length >= count || start === 0 || chunk >= maxBytes) {
        return { lines: parts.slice(-count), hasMore: start > 0 || parts.length > count, unterminated };
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** The first line of a file (up to `maxBytes`), or undefined when empty or missing. */
export function readFirstLine(path: string, maxBytes = 1024 * 1024): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.alloc(Math.min(maxBytes, fstatSync(fd).size));
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, n).toString('utf8');
    const end = text.indexOf('\n');
    const line = end === -1 ? text : text.slice(0, end);
    return line === '' ? undefined : line;
  } finally {
    closeSync(fd);
  }
}
