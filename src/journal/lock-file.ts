/**
 * The lock file itself (SPEC §4): `STATE_DIR/locks/NAME.lock` holding JSON
 * `{runId, pid, host, since}`. Created complete and atomically: the holder is written to
 * a private temp file which is then hard-linked to the lock path; link() fails with
 * EEXIST when the lock exists, so exactly one creator wins and no reader ever sees a
 * half-written holder.
 */
import { closeSync, fstatSync, linkSync, openSync, readSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { errnoCode, FILE_MODE, isRecord, tempPathFor, unlinkQuietly } from './fs-util.js';
import type { StateDir } from './state-dir.js';

/** Who holds a lock. */
export interface LockHolder {
  runId: string;
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
}

/** A lock file as read at one instant: its inode (identity) and exact text. */
export interface LockSnapshot {
  ino: number;
  text: string;
  mtimeMs: number;
  /** Undefined when the text is not a holder record. */
  holder: LockHolder | undefined;
}

/**
 * A lock name made safe as a file name. Names that had to change get a short hash of the
 * original so `a/b` and `a_b` stay distinct locks.
 */
export function sanitizeLockName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 100);
  if (safe === name && safe !== '') return safe;
  return `${safe || 'lock'}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

/** Path of the lock file for a lock name. */
export function lockPath(state: StateDir, name: string): string {
  return join(state.locks, `${sanitizeLockName(name)}.lock`);
}

/** Creates `path` with `text` iff it does not exist. True when we created it. */
export function createExclusive(path: string, text: string): boolean {
  const tmp = tempPathFor(path);
  writeFileSync(tmp, text, { mode: FILE_MODE, flag: 'wx' });
  try {
    linkSync(tmp, path);
    return true;
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST') return false;
    // Filesystems without hard links: O_EXCL create is still atomic; the holder may be
    // read half-written for an instant, which readers treat as "being written".
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP') return createWithExcl(path, text);
    throw error;
  } finally {
    unlinkQuietly(tmp);
  }
}

function createWithExcl(path: string, text: string): boolean {
  try {
    writeFileSync(path, text, { mode: FILE_MODE, flag: 'wx' });
    return true;
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw error;
  }
}

/** Reads the lock file through one descriptor (inode and text agree); undefined when absent. */
export function readLockSnapshot(path: string): LockSnapshot | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const stat = fstatSync(fd);
    // Holder records are tiny; cap the read so a junk file cannot make us allocate much.
    const buffer = Buffer.alloc(Math.min(stat.size, 64 * 1024));
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, n).toString('utf8');
    return { ino: stat.ino, text, mtimeMs: stat.mtimeMs, holder: parseHolder(text) };
  } finally {
    closeSync(fd);
  }
}

/** Parses a holder record; undefined for anything else. */
export function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    if (!isRecord(value)) return undefined;
    const { runId, pid, host, since } = value;
    if (typeof runId !== 'string' || typeof pid !== 'number' || typeof host !== 'string' || typeof since !== 'string') return undefined;
    return { runId, pid, host, since };
  } catch {
    return undefined;
  }
}

/** The current holder of a lock, if any (for `history` and `show`). */
export function readLockHolder(state: StateDir, name: string): LockHolder | undefined {
  return readLockSnapshot(lockPath(state, name))?.holder;
}
