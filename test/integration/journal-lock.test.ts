/**
 * Locks across real processes: two node processes racing for the same lock at the same
 * instant (exactly one wins, every time), racing to take over the same stale lock, and a
 * takeover from a holder that was SIGKILLed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { acquireLock } from '../../src/journal/lock.js';
import { lockPath, type LockHolder } from '../../src/journal/lock-file.js';
import { cleanTempDirs, tempStateDir } from '../helpers/temp-dir.js';
import { compileJournal } from '../helpers/compile-journal.js';
import type { StateDir } from '../../src/journal/state-dir.js';

const RACER = `
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireLock } from './src/journal/lock.js';
import { stateDirAt } from './src/journal/state-dir.js';
const [root, roundsJson, me] = process.argv.slice(2);
const other = me === '0' ? '1' : '0';
const state = stateDirAt(root);
const results = [];
for (const round of JSON.parse(roundsJson)) {
  while (Date.now() < round.at) {} // spin: both processes go at the same instant
  let tookOver = false;
  let lock;
  try {
    lock = await acquireLock(state, round.name, { runId: 'run-' + process.pid, onTakeover: () => { tookOver = true; } });
    results.push({ won: true, tookOver });
  } catch (error) {
    results.push({ won: false, error: error.name, message: error.message });
  }
  // A barrier, not a timer: the winner holds the lock until the other racer has tried, so a
  // racer delayed by a busy machine can never find the lock already released.
  writeFileSync(join(root, round.name + '.tried-' + me), '');
  const deadline = Date.now() + 30000;
  while (!existsSync(join(root, round.name + '.tried-' + other)) && Date.now() < deadline) {}
  lock?.release();
}
process.stdout.write(JSON.stringify(results));
`;

const HOLDER = `
import { acquireLock } from './src/journal/lock.js';
import { stateDirAt } from './src/journal/state-dir.js';
await acquireLock(stateDirAt(process.argv[2]), 'held', { runId: 'doomed-run' });
process.stdout.write('locked\\n');
setInterval(() => {}, 1000);
`;

interface RoundResult { won: boolean; tookOver?: boolean; error?: string; message?: string }

let js: string;
beforeAll(() => {
  js = compileJournal();
  writeFileSync(join(js, 'racer.mjs'), RACER);
  writeFileSync(join(js, 'holder.mjs'), HOLDER);
});
afterAll(cleanTempDirs);

async function race(state: StateDir, names: string[]): Promise<RoundResult[][]> {
  // Start far enough ahead for both node processes to be up and spinning.
  const start = Date.now() + 1500;
  const rounds = names.map((name, i) => ({ name, at: start + i * 200 }));
  const children = [0, 1].map((me) => spawn(process.execPath, [join(js, 'racer.mjs'), state.root, JSON.stringify(rounds), String(me)], { cwd: js }));
  const outputs = children.map((child) => {
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.stderr.on('data', (c: Buffer) => process.stderr.write(c));
    return once(child, 'exit').then(() => JSON.parse(text) as RoundResult[]);
  });
  const [a, b] = await Promise.all(outputs);
  return names.map((_, i) => [a![i]!, b![i]!]);
}

describe('lock races between processes', () => {
  it('lets exactly one of two processes starting at the same instant take a free lock (20 rounds)', async () => {
    const state = tempStateDir();
    const results = await race(state, Array.from({ length: 20 }, (_, i) => `free-${i}`));
    for (const [i, round] of results.entries()) {
      const winners = round.filter((r) => r.won);
      expect({ round: i, winners: winners.length }).toEqual({ round: i, winners: 1 });
      const loser = round.find((r) => !r.won);
      expect(loser?.error).toBe('LockHeldError');
      expect(loser?.message).toMatch(/is held by run run-\d+ \(pid \d+ on host /);
    }
  }, 60_000);

  it('lets exactly one of two processes take over the same stale lock (20 rounds)', async () => {
    const state = tempStateDir();
    const dead = spawnSync(process.execPath, ['-e', '']).pid ?? 999_999;
    const names = Array.from({ length: 20 }, (_, i) => `stale-${i}`);
    const stale: LockHolder = { runId: 'dead-run', pid: dead, host: hostname(), since: new Date().toISOString() };
    for (const name of names) writeFileSync(lockPath(state, name), JSON.stringify(stale));
    const results = await race(state, names);
    for (const [i, round] of results.entries()) {
      const winners = round.filter((r) => r.won);
      expect({ round: i, winners: winners.length, tookOver: winners[0]?.tookOver }).toEqual({ round: i, winners: 1, tookOver: true });
      expect(round.find((r) => !r.won)?.error).toBe('LockHeldError');
    }
  }, 60_000);
});

describe('stale lock takeover', () => {
  it('takes over the lock of a holder that was SIGKILLed, and reports whose it was', async () => {
    const state = tempStateDir();
    const child = spawn(process.execPath, [join(js, 'holder.mjs'), state.root], { cwd: js });
    await once(child.stdout, 'data');
    await expect(acquireLock(state, 'held', { runId: 'me' })).rejects.toThrow(/held by run doomed-run/);
    child.kill('SIGKILL');
    await once(child, 'exit');
    const stale: (LockHolder | undefined)[] = [];
    const lock = await acquireLock(state, 'held', { runId: 'me', onTakeover: (h) => stale.push(h) });
    expect(stale).toEqual([expect.objectContaining({ runId: 'doomed-run', pid: child.pid, host: hostname() })]);
    lock.release();
  }, 30_000);
});
