/**
 * How a journal file ends, for a writer about to append to it: the sequence number its next
 * record takes, and whether a crash left the last line torn. Reads backwards from the end,
 * only as far as the last whole record.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { errnoCode } from './fs-util.js';
import { decodeLine } from './journal-line.js';
import { linesFromEnd } from './tail.js';

/** Where appending continues. */
export interface JournalEnd {
  /** One more than the last readable record's sequence number (1 when it has none). */
  nextSeq: number;
  /** Bytes of a last line without its newline (a write cut short by a crash). */
  tornBytes?: number;
}

/** Reads the end of the journal at `path` (a missing or empty file starts at 1). */
export function journalEnd(path: string): JournalEnd {
  const end: JournalEnd = { nextSeq: 1 };
  if (!endsWithNewline(path)) {
    const last = linesFromEnd(path).next();
    // A whole record that only lacks its newline is not torn: it counts.
    if (!last.done && 'problem' in decodeLine(last.value)) end.tornBytes = Buffer.byteLength(last.value);
  }
  try {
    for (const line of linesFromEnd(path)) {
      const decoded = decodeLine(line);
      if ('problem' in decoded) continue;
      // A line of an older journal: this writer's records start a new sequence.
      end.nextSeq = (decoded.seq ?? 0) + 1;
      break;
    }
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
  return end;
}

/** True for a missing or empty file, or one whose last byte is a newline. */
function endsWithNewline(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return true;
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    const last = Buffer.alloc(1);
    return size === 0 || (readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === 0x0a);
  } finally {
    closeSync(fd);
  }
}
