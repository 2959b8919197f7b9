/**
 * Reads a YAML file (runbook, library step, inventory, params) as UTF-8 text, turning every
 * way that can fail — missing, a directory, unreadable, binary, not UTF-8, too big — into a
 * located diagnostic with a hint instead of a stack trace.
 */
import { readFileSync, statSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import type { Diagnostic } from '../errors/stepwise-error.js';
import { fileStart, withHint } from './diagnostics.js';

/** Files above this size are refused before parsing: a runbook is never this big by accident. */
export const MAX_SOURCE_BYTES = 64 * 1024 * 1024;

export type SourceText = { ok: true; text: string } | { ok: false; diagnostic: Diagnostic };

function fail(file: string, message: string, hint?: string, line = 1, col = 1): SourceText {
  return { ok: false, diagnostic: { location: { file, line, col }, path: '', message: withHint(message, hint) } };
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

function describeFsError(error: NodeJS.ErrnoException, file: string, kind: string): SourceText {
  switch (error.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return fail(file, `${kind} file not found`, 'check the path (it is resolved against the current directory)');
    case 'EACCES':
    case 'EPERM':
      return fail(file, `cannot read the ${kind} file: permission denied`, 'check its permissions and those of its directories (ls -l)');
    case 'EISDIR':
      return fail(file, `is a directory, not a ${kind} file`, 'name the YAML file itself, e.g. DIR/*.yaml');
    default:
      return fail(file, `cannot read the ${kind} file: ${error.message}`);
  }
}

/** Reads `absolute` (shown as `display`); `kind` names the file in messages ("runbook", "inventory"). */
export function readSource(absolute: string, display: string, kind: string): SourceText {
  let bytes: Buffer;
  try {
    const stat = statSync(absolute);
    if (stat.isDirectory()) return fail(display, `is a directory, not a ${kind} file`, 'name the YAML file itself, e.g. DIR/*.yaml');
    if (stat.size > MAX_SOURCE_BYTES) {
      return fail(display, `${kind} file is too large (${Math.round(stat.size / 1048576)} MB; the limit is ${MAX_SOURCE_BYTES / 1048576} MB)`);
    }
    bytes = readFileSync(absolute);
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

function emptyHint(kind: string): string {
  return kind === 'runbook' ? 'a runbook needs at least `name:` and `steps:`; see `stepwise schema`' : `write the ${kind} as a YAML mapping`;
}
