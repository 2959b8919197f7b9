/**
 * Reads a YAML file (runbook, library step, inventory, params) as UTF-8 text, turning every
 * way that can fail — missing, not a regular file, unreadable, too big, binary, not UTF-8 —
 * into a located diagnostic with a hint instead of a stack trace or a hang.
 *
 * Only regular files are read, and never more than the limit: `/dev/zero` would otherwise
 * fill the memory, a FIFO would block forever, and a file still being written could grow
 * past a size checked before reading. So the type and size are checked on the open file
 * descriptor, and at most one byte more than the limit is read.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import type { Diagnostic } from '../errors/stepwise-error.js';
import { fileStart, wholeFile, withHint } from './diagnostics.js';

/** Files above this size are refused before parsing: no real runbook comes near it. */
export const MAX_SOURCE_BYTES = 1024 * 1024;

/** What a file is, for messages: `runbook file not found`, `the inventory file is empty`. */
export type SourceKind = 'runbook' | 'inventory' | 'params' | 'library step';

export type SourceText = { ok: true; text: string } | { ok: false; diagnostic: Diagnostic };

const MIB = 1024 * 1024;

function fail(file: string, message: string, hint?: string, line = 1, col = 1): SourceText {
  return { ok: false, diagnostic: { location: { file, line, col }, path: '', message: withHint(message, hint) } };
}

/** `a runbook file`, `an inventory file`. */
function aFile(kind: SourceKind): string {
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} file`;
}

/** How the file is named when the sentence starts with it: "params file is 3.2 MiB". */
function noun(kind: SourceKind): string {
  return kind === 'params' ? 'params file' : kind;
}

function wholeFileProblem(file: string, message: string): SourceText {
  return { ok: false, diagnostic: { location: wholeFile(file), path: '', message } };
}

function tooLarge(file: string, kind: SourceKind, bytes: number): SourceText {
  const mib = (bytes / MIB).toFixed(1);
  // One decimal would show a file a few bytes over the limit as "1.0 MiB": say bytes then.
  const exact = Number(mib) * MIB <= MAX_SOURCE_BYTES;
  const limit = `${MAX_SOURCE_BYTES / MIB} MiB${exact ? ` (${MAX_SOURCE_BYTES} bytes)` : ''}`;
  return wholeFileProblem(file, `${noun(kind)} is ${exact ? `${bytes} bytes` : `${mib} MiB`}; the limit is ${limit}`);
}

/** What a file that is not a regular file is, for messages; undefined for a regular file. */
function otherType(stat: Stats): string | undefined {
  if (stat.isFile()) return undefined;
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'a special file';
}

/** A refusal when `stat` is not a regular file of at most the limit, else undefined. */
function refuse(stat: Stats, file: string, kind: SourceKind): SourceText | undefined {
  if (stat.isDirectory()) return fail(file, `is a directory, not ${aFile(kind)}`, 'name the YAML file itself, e.g. DIR/*.yaml');
  const other = otherType(stat);
  if (other) return fail(file, `is ${other}, not ${aFile(kind)}`, `stepwise reads only regular files; save the ${kind} to a file first`);
  if (stat.size > MAX_SOURCE_BYTES) return tooLarge(file, kind, stat.size);
  return undefined;
}

/** Reads at most the limit plus one byte from a file checked on its open descriptor. */
function readCapped(absolute: string, file: string, kind: SourceKind): Buffer | SourceText {
  // O_NONBLOCK: should the path have become a FIFO since it was checked, open() must not wait for a writer.
  const fd = openSync(absolute, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const refused = refuse(fstatSync(fd), file, kind);
    if (refused) return refused;
    const buffer = Buffer.allocUnsafe(MAX_SOURCE_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > MAX_SOURCE_BYTES) {
      return wholeFileProblem(file, `${noun(kind)} grew past the limit while it was read; the limit is ${MAX_SOURCE_BYTES / MIB} MiB`);
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (0 if not found). */
function firstInvalidUtf8(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const extra = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (extra < 0) return i;
    for (let k = 1; k <= extra; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += extra + 1;
  }
  return 0;
}

/** Line and column (1-based, counted in bytes) of a byte offset. */
function bytePosition(bytes: Buffer, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}

function describeFsError(error: NodeJS.ErrnoException, file: string, kind: SourceKind): SourceText {
  switch (error.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return fail(file, `${kind} file not found`, 'check the path (it is resolved against the current directory)');
    case 'EACCES':
    case 'EPERM':
      return fail(file, `cannot read the ${kind} file: permission denied`, 'check its permissions and those of its directories (ls -l)');
    case 'EISDIR':
      return fail(file, `is a directory, not ${aFile(kind)}`, 'name the YAML file itself, e.g. DIR/*.yaml');
    default:
      return fail(file, `cannot read the ${kind} file: ${error.message}`);
  }
}

/** Reads `absolute` (shown as `display`); `kind` names the file in messages. */
export function readSource(absolute: string, display: string, kind: SourceKind): SourceText {
  let bytes: Buffer;
  try {
    // Checked before opening too: opening a device can have effects of its own.
    const refused = refuse(statSync(absolute), display, kind);
    if (refused) return refused;
    const read = readCapped(absolute, display, kind);
    if (!Buffer.isBuffer(read)) return read;
    bytes = read;
  } catch (error) {
    return describeFsError(error as NodeJS.ErrnoException, display, kind);
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const at = bytePosition(bytes, nul);
    return fail(display, `is not a text file (it contains a NUL byte)`, `a ${kind} is UTF-8 YAML; UTF-16 files must be saved as UTF-8`, at.line, at.col);
  }
  if (!isUtf8(bytes)) {
    const at = bytePosition(bytes, firstInvalidUtf8(bytes));
    return fail(display, 'is not valid UTF-8 text', `save the ${kind} as UTF-8`, at.line, at.col);
  }
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a UTF-8 byte-order mark is harmless: drop it
  if (text.trim() === '') return { ok: false, diagnostic: { location: fileStart(display), path: '', message: withHint(`the ${kind} file is empty`, emptyHint(kind)) } };
  return { ok: true, text };
}

function emptyHint(kind: SourceKind): string {
  return kind === 'runbook' ? 'a runbook needs at least `name:` and `steps:`; see `stepwise schema`' : `write the ${kind} as a YAML mapping`;
}
