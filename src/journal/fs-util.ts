/**
 * Small synchronous file helpers shared by the journal modules. Sync on purpose: the
 * journal must be on disk before the engine moves on, and sync calls keep order exact.
 */
import { closeSync, fsyncSync, openSync, readFileSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, basename, join } from 'node:path';

/** Mode of every file stepwise writes under the state dir (may hold masked-but-sensitive output). */
export const FILE_MODE = 0o600;
/** Mode of every directory stepwise creates under the state dir. */
export const DIR_MODE = 0o700;

/** The `code` of a Node system error (`ENOENT`, `EEXIST`…), or undefined for anything else. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** Flushes a directory entry (a created or renamed file) to disk; best effort where unsupported. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms cannot open or fsync a directory; the file data itself is still synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A unique sibling temp name, hidden, so a reader listing the dir never mistakes it for data. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Writes a whole file so that readers see either the old or the new content, never a
 * half-written one (temp file, fsync, rename), even after a power loss.
 */
export function writeFileAtomic(path: string, data: string): void {
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, 'wx', FILE_MODE);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (error) {
    unlinkQuietly(tmp);
    throw error;
  }
  fsyncDir(dirname(path));
}

/** Removes a file, ignoring that it is already gone. */
export function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
}

/** Parses a JSON file; undefined when missing or unreadable (callers degrade, they do not crash). */
export function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** True for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Up to `length` bytes of `fd` from `position` (fewer when the file is shorter). */
export function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  // A log still being written may be shorter than fstat said a moment ago: keep what was read.
  while (filled < length) {
    const n = readSync(fd, buffer, filled, length - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return buffer.subarray(0, filled);
}
