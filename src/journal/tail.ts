/**
 * Reads the end of a file without reading the whole file: the last lines of a big log
 * for `show`, the last records of a journal for `history`. Lines are produced last
 * first, and only as far back as the caller keeps asking.
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

/** Longest line kept whole; a longer one is cut to its end and reading stops there. */
const MAX_LINE_BYTES = 4 * 1024 * 1024;

/**
 * Lines of a file from the last to the first, reading backwards in chunks. A final
 * newline does not make an empty last line. Stop early with `break`: the file is closed.
 */
export function* linesFromEnd(path: string, chunkBytes = 16 * 1024): Generator<string, void, undefined> {
  const fd = openSync(path, 'r');
  try {
    let pos = fstatSync(fd).size;
    let carry = Buffer.alloc(0);
    let atEnd = true;
    while (pos > 0) {
      // Read at least as much as we already carry, so a long line costs O(n), not O(n²).
      const size = Math.min(pos, Math.max(chunkBytes, carry.length));
      const chunk = Buffer.alloc(size);
      readSync(fd, chunk, 0, size, pos - size);
      pos -= size;
      const data = carry.length > 0 ? Buffer.concat([chunk, carry]) : chunk;
      let end = data.length;
      if (atEnd) {
        atEnd = false;
        if (data[end - 1] === 0x0a) end -= 1;
      }
      for (let nl = end > 0 ? data.lastIndexOf(0x0a, end - 1) : -1; nl !== -1; nl = end > 0 ? data.lastIndexOf(0x0a, end - 1) : -1) {
        yield data.subarray(nl + 1, end).toString('utf8');
        end = nl;
      }
      carry = data.subarray(0, end);
      if (carry.length > MAX_LINE_BYTES) {
        yield carry.subarray(carry.length - MAX_LINE_BYTES).toString('utf8');
        return;
      }
    }
    if (carry.length > 0 || !atEnd) yield carry.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The last `count` lines, oldest first. */
export function readLastLines(path: string, count: number): Tail {
  const lines: string[] = [];
  let hasMore = false;
  for (const line of linesFromEnd(path)) {
    if (lines.length >= count) {
      hasMore = true;
      break;
    }
    lines.push(line);
  }
  return { lines: lines.reverse(), hasMore, unterminated: !endsWithNewline(path) };
}

function endsWithNewline(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const last = Buffer.alloc(1);
    return size === 0 || (readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === 0x0a);
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
