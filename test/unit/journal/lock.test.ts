import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { setImmediate as tickLoop } from 'node:timers/promises';
import { hostname } from 'node:os';
import { acquireLock } from '../../../src/journal/lock.js';
import { LockBusyError } from '../../../src/journal/lock-errors.js';
import { lockPath, readLockHolder, sanitizeLockName, type LockHolder } from '../../../src/journal/lock-file.js';
import { LockHeldError } from '../../../src/errors/stepwise-error.js';
import { cleanTempDirs, tempStateDir } from '../../helpers/temp-dir.js';

afterAll(cleanTempDirs);

/** The pid of a process that has exited (reuse this soon is vanishingly unlikely). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid ?? 999_999;
}

function writeHolder(path: string, holder: Partial<LockHolder>): void {
  writeFileSync(path, JSON.stringify({ runId: 'old-run', pid: deadPid(), host: hostname(), since: new Date().toISOString(), ...holder }));
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('acquireLock', () => {
  it('creates a 0600 lock file naming the holder, and removes it on release', async () => {
    const state = tempStateDir();
    const lock = await acquireLock(state, 'orders-db', { runId: 'run-1' });
    expect(lock.path).toBe(lockPath(state, 'orders-db'));
    expect(statSync(lock.path).mode & 0o777).toBe(0o600);
    expect(readLockHolder(state, 'orders-db')).toEqual({ runId: 'run-1', pid: process.pid, host: hostname(), since: lock.holder.since });
    expect(lock.release()).toBe(true);
    expect(existsSync(lock.path)).toBe(false);
    expect(lock.release()).toBe(false);
    expect(readdirSync(state.locks)).toEqual([]); // no temp or claim files left
  });

  it('refuses a second holder at once, naming run id, pid, host and since (exit-75 error)', async () => {
    const state = tempStateDir();
    const first = await acquireLock(state, 'job', { runId: 'run-1' });
    const error = await rejection(acquireLock(state, 'job', { runId: 'run-2' }));
    expect(error).toBeInstanceOf(LockHeldError);
    expect(error).toBeInstanceOf(LockBusyError);
    const message = (error as LockBusyError).message;
    for (const part of ['"job"', 'run-1', `pid ${process.pid}`, hostname(), first.holder.since]) expect(message).toContain(part);
    expect((error as LockBusyError).hint).toContain('--wait-lock');
    expect((error as LockBusyError).holder?.runId).toBe('run-1');
    first.release();
  });

  it('waits up to waitMs for the holder to release', async () => {
    const state = tempStateDir();
    const first = await acquireLock(state, 'job', { runId: 'run-1' });
    let acquired = false;
    // Its first attempt runs before acquireLock returns: it found the lock held and now waits.
    const waiting = acquireLock(state, 'job', { runId: 'run-2', waitMs: 60_000, pollMs: 20 }).then((lock) => {
      acquired = true;
      return lock;
    });
    await tickLoop();
    expect(acquired).toBe(false);
    expect(readLockHolder(state, 'job')?.runId).toBe('run-1');
    first.release();
    const second = await waiting;
    expect(readLockHolder(state, 'job')?.runId).toBe('run-2');
    second.release();
  });

  it('gives up after waitMs and says it waited', async () => {
    const state = tempStateDir();
    const first = await acquireLock(state, 'job', { runId: 'run-1' });
    const error = await rejection(acquireLock(state, 'job', { runId: 'run-2', waitMs: 60, pollMs: 20 }));
    expect((error as Error).message).toMatch(/still held after waiting \d+ms/);
    first.release();
  });

  it('stops waiting when aborted', async () => {
    const state = tempStateDir();
    const first = await acquireLock(state, 'job', { runId: 'run-1' });
    const controller = new AbortController();
    // Its first attempt runs before acquireLock returns: it found the lock held and now waits.
    const waiting = rejection(acquireLock(state, 'job', { runId: 'run-2', waitMs: 60_000, signal: controller.signal }));
    controller.abort(new Error('interrupted'));
    const error = await waiting;
    expect((error as Error).message).toBe('interrupted');
    first.release();
  });

  it('takes over a lock whose holder died on this host, and says so', async () => {
    const state = tempStateDir();
    writeHolder(lockPath(state, 'job'), { runId: 'dead-run' });
    const stale: (LockHolder | undefined)[] = [];
    const lock = await acquireLock(state, 'job', { runId: 'run-2', onTakeover: (h) => stale.push(h) });
    expect(stale).toEqual([expect.objectContaining({ runId: 'dead-run' })]);
    expect(readLockHolder(state, 'job')?.runId).toBe('run-2');
    expect(readdirSync(state.locks)).toEqual(['job.lock']);
    lock.release();
  });

  it('takes over a lock taken before the last boot even if its pid now exists', async () => {
    const state = tempStateDir();
    writeHolder(lockPath(state, 'job'), { pid: process.pid, since: '1990-01-01T00:00:00.000Z' });
    let took = false;
    const lock = await acquireLock(state, 'job', { runId: 'run-2', onTakeover: () => (took = true) });
    expect(took).toBe(true);
    lock.release();
  });

  it('never takes over from another host: it cannot check that holder', async () => {
    const state = tempStateDir();
    writeHolder(lockPath(state, 'job'), { host: 'some-other-host', pid: 1 });
    const error = await rejection(acquireLock(state, 'job', { runId: 'run-2' }));
    expect((error as LockBusyError).message).toContain('some-other-host');
    expect((error as LockBusyError).hint).toContain('another host');
  });

  it('treats an unreadable lock file as held (a human decides), unless it predates the boot', async () => {
    const state = tempStateDir();
    const path = lockPath(state, 'job');
    writeFileSync(path, '');
    utimesSync(path, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const error = await rejection(acquireLock(state, 'job', { runId: 'run-2' }));
    expect((error as LockBusyError).message).toContain('unreadable');
    expect((error as LockBusyError).hint).toContain(path);
    utimesSync(path, new Date('1990-01-01'), new Date('1990-01-01'));
    const lock = await acquireLock(state, 'job', { runId: 'run-2' });
    lock.release();
  });

  it('clears a takeover claim abandoned by a process that died mid-takeover', async () => {
    const state = tempStateDir();
    const path = lockPath(state, 'job');
    writeHolder(path, {});
    const claim = `${path}.takeover-${statSync(path).ino}`;
    writeHolder(claim, {});
    utimesSync(claim, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const lock = await acquireLock(state, 'job', { runId: 'run-2' });
    expect(existsSync(claim)).toBe(false);
    lock.release();
  });

  it('releases only a lock that is still its own', async () => {
    const state = tempStateDir();
    const lock = await acquireLock(state, 'job', { runId: 'run-1' });
    writeHolder(lock.path, { runId: 'someone-else', pid: process.pid });
    expect(lock.release()).toBe(false);
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).runId).toBe('someone-else');
  });
});

describe('sanitizeLockName', () => {
  it('keeps plain names and keeps changed names distinct', () => {
    expect(sanitizeLockName('orders-db.v2_x')).toBe('orders-db.v2_x');
    expect(sanitizeLockName('a/b')).toMatch(/^a_b-[0-9a-f]{8}$/);
    expect(sanitizeLockName('a/b')).not.toBe(sanitizeLockName('a_b'));
    expect(sanitizeLockName('..')).toMatch(/^_-[0-9a-f]{8}$/);
    expect(sanitizeLockName('')).toMatch(/^lock-[0-9a-f]{8}$/);
  });
});
