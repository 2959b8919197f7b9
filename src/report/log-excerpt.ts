/**
 * The head and tail of a log file, read with bounded memory: at most `headBytes` from the
 * start and `tailBytes` from the end, never the middle, so a gigabyte log costs the same
 * as a small one. Says exactly how many bytes were left out between them.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import { readAt } from '../journal/fs-util.js';

/** How much of one log to keep. */
export interface ExcerptLimits {
  headBytes: number;
  tailBytes: number;
  headLines: number;
  tailLines: number;
}

/** What was kept of a log. */
export interface LogExcerpt {
  totalBytes: number;
  /** Lines from the start (the whole log when nothing was left out). */
  head: string[];
  /** Lines from the end; empty when nothing was left out. */
  tail: string[];
  /** Bytes between head and tail that are not shown (0: the log is shown whole). */
  omittedBytes: number;
  /** The last head line or the first tail line is part of a longer line. */
  cutLines: boolean;
}

const NEWLINE = 0x0a;

/** Reads the excerpt of the log at `path`. */
export function readLogExcerpt(path: string, limits: ExcerptLimits): LogExcerpt {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size <= limits.headBytes + limits.tailBytes) return excerptOf({ totalBytes: size, head: readAt(fd, 0, size), tail: Buffer.alloc(0) }, limits);
    return excerptOf({ totalBytes: size, head: readAt(fd, 0, limits.headBytes), tail: readAt(fd, size - limits.tailBytes, limits.tailBytes) }, limits);
  } finally {
    closeSync(fd);
  }
}

/** The start and end of a log as read: `head` holds the whole log when `tail` is empty. */
export interface LogParts {
  totalBytes: number;
  head: Buffer;
  tail: Buffer;
}

/** The excerpt of a log from its first `headBytes` and last `tailBytes` (or all of it, when that is less). */
export function excerptOf(parts: LogParts, limits: ExcerptLimits): LogExcerpt {
  if (parts.tail.length === 0) {
    const whole = fromWhole(parts.head, limits);
    return { ...whole, totalBytes: parts.totalBytes, omittedBytes: whole.omittedBytes + parts.totalBytes - parts.head.length };
  }
  const head = headLines(parts.head, limits.headLines);
  const tail = tailLines(parts.tail, limits.tailLines);
  return {
    totalBytes: parts.totalBytes,
    head: head.lines,
    tail: tail.lines,
    omittedBytes: parts.totalBytes - parts.tail.length + tail.skipped - head.bytes,
    cutLines: head.cut || tail.cut,
  };
}


/** Splits a buffer at newlines; a final newline does not make an empty last line. */
function splitLines(buffer: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let nl = buffer.indexOf(NEWLINE); nl !== -1; nl = buffer.indexOf(NEWLINE, start)) {
    lines.push(buffer.subarray(start, nl));
    start = nl + 1;
  }
  if (start < buffer.length) lines.push(buffer.subarray(start));
  return lines;
}

function fromWhole(buffer: Buffer, limits: ExcerptLimits): LogExcerpt {
  const lines = splitLines(buffer);
  const text = (b: Buffer) => b.toString('utf8');
  if (lines.length <= limits.headLines + limits.tailLines) {
    return { totalBytes: buffer.length, head: lines.map(text), tail: [], omittedBytes: 0, cutLines: false };
  }
  const head = lines.slice(0, limits.headLines);
  const tail = lines.slice(lines.length - limits.tailLines);
  const shown = [...head, ...tail].reduce((sum, line) => sum + line.length + 1, 0);
  return { totalBytes: buffer.length, head: head.map(text), tail: tail.map(text), omittedBytes: Math.max(0, buffer.length - shown), cutLines: false };
}

/** Whole lines from the start of `buffer` (or its start, cut at a character boundary, when it has no newline). */
function headLines(buffer: Buffer, maxLines: number): { lines: string[]; bytes: number; cut: boolean } {
  const lastNewline = buffer.lastIndexOf(NEWLINE);
  if (lastNewline === -1) {
    // One line longer than the whole head budget: keep its start, without a torn character.
    const length = completeUtf8Length(buffer);
    return { lines: [buffer.subarray(0, length).toString('utf8')], bytes: length, cut: true };
  }
  const lines = splitLines(buffer.subarray(0, lastNewline + 1)).slice(0, maxLines);
  return { lines: lines.map((l) => l.toString('utf8')), bytes: lines.reduce((sum, l) => sum + l.length + 1, 0), cut: false };
}

/** Whole lines at the end of `buffer`; `skipped` counts the bytes before the first one kept. */
function tailLines(buffer: Buffer, maxLines: number): { lines: string[]; skipped: number; cut: boolean } {
  const firstNewline = buffer.indexOf(NEWLINE);
  if (firstNewline === -1 || firstNewline === buffer.length - 1) {
    // The end of one very long line: start at a character boundary.
    let start = 0;
    while (start < 3 && start < buffer.length && ((buffer[start] ?? 0) & 0xc0) === 0x80) start++;
    const end = firstNewline === -1 ? buffer.length : firstNewline;
    return { lines: [buffer.subarray(start, end).toString('utf8')], skipped: start, cut: true };
  }
  const lines = splitLines(buffer.subarray(firstNewline + 1));
  const kept = lines.slice(Math.max(0, lines.length - maxLines));
  const keptBytes = kept.reduce((sum, l) => sum + l.length + 1, 0) - (buffer[buffer.length - 1] === NEWLINE ? 0 : 1);
  return { lines: kept.map((l) => l.toString('utf8')), skipped: buffer.length - keptBytes, cut: false };
}

/** Length of `buffer` without a UTF-8 sequence torn at its end. */
function completeUtf8Length(buffer: Buffer): number {
  for (let back = 1; back <= Math.min(4, buffer.length); back++) {
    const byte = buffer[buffer.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? buffer.length - back : buffer.length;
  }
  return buffer.length;
}
