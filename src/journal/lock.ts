/**
 * Run locks (SPEC §4): one live run per lock name. A second run fails at once naming the
 * holder, or waits up to `waitMs`. A lock whose holder died on this host is taken over.
 *
 * Taking over is the delicate part: two processes may both judge the same lock stale.
 * Each must first claim *that* lock file (by inode) with an exclusive create of
 * `NAME.lock.takeover-INODE`; only the claimant re-checks that the file is still the same
 * (inode and exact text), removes it and creates its own. Nobody else ever removes a lock
 * file it does not hold, so at most one process holds a lock at any time.
 */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DIR_MODE, unlinkQuietly, writeFileAtomic } from './fs-util.js';
import { createExclusive, lockPath, readLockSnapshot, type LockHolder, type LockSnapshot } from './lock-file.js';
import { LockBusyError } from './lock-errors.js';
import { bootTimeMs, processLiveness } from './process-alive.js';
import type { StateDir } from './state-dir.js';
import type { AcquireLockOptions } from './store.js';

export type { AcquireLockOptions };

/** A lock this process holds. */
export interface HeldLock {
  name: string;
  path: string;
  holder: LockHolder;
  /** Removes the lock if it is still ours; false when it no longer was. Idempotent. */
  release(): boolean;
}

type Attempt = { kind: 'acquired'; takenOver: boolean; stale?: LockHolder } | { kind: 'held'; seen: LockSnapshot } | { kind: 'retry' };

/** Takes the lock `name`, or throws {@link LockBusyError} (a LockHeldError, exit 75). */
export async function acquireLock(state: StateDir, name: string, options: AcquireLockOptions): Promise<HeldLock> {
  mkdirSync(state.locks, { recursive: true, mode: DIR_MODE });
  const path = lockPath(state, name);
  const token = randomBytes(8).toString('hex');
  const waitMs = Math.max(0, options.waitMs ?? 0);
  const deadline = Date.now() + waitMs;
  for (let retries = 0; ; ) {
    options.signal?.throwIfAborted();
    const holder: LockHolder = { runId: options.runId, pid: process.pid, host: hostname(), since: new Date().toISOString() };
    // The token makes our text unique, so "is it still ours?" is a plain text comparison.
    const text = `${JSON.stringify({ ...holder, token })}\n`;
    const attempt = attemptOnce(path, text);
    if (attempt.kind === 'acquired') {
      const lock = heldLock(name, path, holder, text);
      try {
        if (attempt.takenOver) options.onTakeover?.(attempt.stale);
      } catch (error) {
        lock.release(); // a throwing callback must not leave the lock held by nobody's run
        throw error;
      }
      return lock;
    }
    if (attempt.kind === 'retry') {
      // Someone is mid-release or mid-takeover: that lasts microseconds; back off a little.
      if (++retries > 2000) throw new LockBusyError(name, path, undefined, waitMs);
      await pause(1 + Math.floor(Math.random() * 4), options.signal);
      continue;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new LockBusyError(name, path, attempt.seen.holder, waitMs);
    await pause(Math.min(options.pollMs ?? 250, remaining), options.signal);
  }
}

/** Sleeps; an abort rejects with the signal's own reason (what the caller aborted with). */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}

function attemptOnce(path: string, text: string): Attempt {
  if (createExclusive(path, text)) return { kind: 'acquired', takenOver: false };
  const seen = readLockSnapshot(path);
  if (!seen) return { kind: 'retry' }; // released between our create and our read
  const verdict = judge(seen);
  if (verdict === 'writing') return { kind: 'retry' };
  if (verdict === 'live') return { kind: 'held', seen };
  return takeOver(path, seen, text);
}

/** Whether a lock file we could not create over belongs to a live run. */
function judge(seen: LockSnapshot): 'live' | 'stale' | 'writing' {
  if (seen.holder) return processLiveness(seen.holder) === 'dead' ? 'stale' : 'live';
  // Unreadable: junk from before a reboot is stale; a very young file may be mid-write
  // (filesystems without link()); anything else we must not steal: a human decides.
  if (seen.mtimeMs < bootTimeMs() - 5000) return 'stale';
  if (Date.now() - seen.mtimeMs < 2000) return 'writing';
  return 'live';
}

function takeOver(path: string, seen: LockSnapshot, text: string): Attempt {
  const claim = `${path}.takeover-${seen.ino}`;
  if (!createExclusive(claim, text)) {
    clearAbandonedClaim(claim);
    return { kind: 'retry' };
  }
  try {
    const now = readLockSnapshot(path);
    // Someone took over before us (inode numbers are reused, the exact text is not).
    if (!now || now.ino !== seen.ino || now.text !== seen.text) return { kind: 'retry' };
    // Replace the stale file in one rename: the lock path never stops existing, so no plain
    // acquirer can slip in between and win without anyone saying a takeover happened.
    // Nobody else can replace it meanwhile: its holder is dead and we hold the claim.
    writeFileAtomic(path, text);
    return seen.holder ? { kind: 'acquired', takenOver: true, stale: seen.holder } : { kind: 'acquired', takenOver: true };
  } finally {
    unlinkQuietly(claim);
  }
}

/** A claimant killed in the microseconds of a takeover leaves its claim; clear it once clearly dead. */
function clearAbandonedClaim(claim: string): void {
  const seen = readLockSnapshot(claim);
  if (!seen) return;
  const old = Date.now() - seen.mtimeMs > 10_000;
  if (old && (!seen.holder || processLiveness(seen.holder) === 'dead')) unlinkQuietly(claim);
}

function heldLock(name: string, path: string, holder: LockHolder, text: string): HeldLock {
  let released = false;
  return {
    name,
    path,
    holder,
    release(): boolean {
      if (released) return false;
      released = true;
      const now = readLockSnapshot(path);
      if (!now || now.text !== text) return false;
      unlinkQuietly(path);
      return true;
    },
  };
}
