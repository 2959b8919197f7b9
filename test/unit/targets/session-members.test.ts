/**
 * Listing a step's session finds the same processes whether the few pids handed out since
 * its leader are looked up one by one (a short step's end) or the whole process table is
 * read: a real session with a background job, ended by its process group.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { sessionMembers } from '../../../src/targets/process-tree.js';

let leader: ChildProcess | undefined;

afterEach(() => {
  // The whole session, by its process group (never by name).
  if (leader?.pid !== undefined) {
    try {
      process.kill(-leader.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  leader = undefined;
});

/** A new session: the shell, a `sleep` in the foreground and one in the background. */
async function session(): Promise<number> {
  leader = spawn('sh', ['-c', 'sleep 60 & echo started; sleep 60'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((resolve) => leader?.stdout?.once('data', () => resolve()));
  return leader.pid as number;
}

describe('sessionMembers', () => {
  it('finds the session by direct lookup of recent pids and by reading the process table alike', async () => {
    const sid = await session();
    let recent: number[] = [];
    // Both sleeps may still be on their way (fork, then exec): wait until three are seen.
    for (let tries = 0; tries < 200 && recent.length < 3; tries++) {
      recent = sessionMembers(sid, { recentOnly: true }).map((m) => m.pid).sort((a, b) => a - b);
      if (recent.length < 3) await new Promise((r) => setTimeout(r, 10));
    }
    const all = sessionMembers(sid).map((m) => m.pid).sort((a, b) => a - b);
    expect(recent).toHaveLength(3);
    expect(recent).toEqual(all);
    expect(recent).toContain(sid);
    expect(sessionMembers(sid, { recentOnly: true, leaderGone: true }).map((m) => m.pid)).not.toContain(sid);
  });

  it('a session that is gone has no members either way', async () => {
    const sid = await session();
    process.kill(-sid, 'SIGKILL');
    await new Promise<void>((resolve) => leader?.once('exit', () => resolve()));
    let left = sessionMembers(sid, { recentOnly: true, leaderGone: true });
    for (let tries = 0; tries < 200 && left.length > 0; tries++) {
      await new Promise((r) => setTimeout(r, 10));
      left = sessionMembers(sid, { recentOnly: true, leaderGone: true });
    }
    expect(left).toEqual([]);
    expect(sessionMembers(sid, { leaderGone: true })).toEqual([]);
  });
});
