/**
 * `resume`/`rollback` of a crashed run end what its local steps left running (by session,
 * proven to be the run's by its id in their environment) and remove its temp files, and
 * touch nothing else: not a setsid daemon, not another run's processes, not a symlink.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { endLeftovers, leftoverPids } from '../../src/targets/local-leftovers.js';
import { removeRunTempFiles } from '../../src/targets/step-files.js';
import { alive, killPids, procInfo, sessionPids } from '../helpers/proc-state.js';
import { eventually } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

const started = new Set<number>();
afterAll(() => {
  for (const sid of [...started]) killPids(sessionPids(sid));
  killPids(started);
});

/** A step shell as a dead runner leaves it: session leader, run id in its environment, parent gone. */
function orphanStep(runId: string, script: string): number {
  const child = spawn('bash', ['-c', script], { detached: true, stdio: 'ignore', env: { ...process.env, STEPWISE_RUN_ID: runId } });
  child.unref();
  const pid = child.pid as number;
  started.add(pid);
  return pid;
}

const newRunId = () => `20990101T000000Z-${randomBytes(3).toString('hex')}`;

describe('ending a crashed run\'s leftovers', () => {
  it('ends every process of the step\'s session (all groups, with or without the run id in their environment), but not a setsid daemon', async () => {
    const runId = newRunId();
    const pidFile = tempDir('stepwise-lo-').path('daemon');
    const sid = orphanStep(runId, `timeout 600 sleep 600 & env -i sleep 600 & setsid sleep 600 >/dev/null 2>&1 </dev/null & echo $! > ${pidFile}; sleep 600; true`);
    let members: number[] = [];
    let daemon = 0;
    expect(
      await eventually(() => {
        // The daemon first: until it has its own session it is still counted in the step's.
        daemon = Number(existsSync(pidFile) ? readFileSync(pidFile, 'utf8') : 0);
        if (!(daemon > 0 && procInfo(daemon)?.sid === daemon)) return false;
        members = sessionPids(sid);
        return members.length >= 5;
      }),
    ).toBe(true);
    started.add(daemon);
    expect(new Set(members.map((pid) => procInfo(pid)?.pgid)).size).toBeGreaterThanOrEqual(2);
    expect(leftoverPids(new Set([sid]), runId).sort()).toEqual([...members].sort());

    const ended = await endLeftovers(new Set([sid]), runId, 1000);
    expect(ended).toBe(members.length);
    expect(members.filter(alive)).toEqual([]);
    expect(alive(daemon)).toBe(true);
  });

  it('leaves a session alone when none of its processes carries the run id (the journaled pid was reused)', async () => {
    const sid = orphanStep(newRunId(), 'sleep 600; true');
    expect(await eventually(() => sessionPids(sid).length >= 2)).toBe(true);
    const other = newRunId();
    expect(leftoverPids(new Set([sid]), other)).toEqual([]);
    expect(await endLeftovers(new Set([sid]), other, 200)).toBe(0);
    expect(alive(sid)).toBe(true);
  });

  it('a run id is matched as a whole environment entry, not as a prefix', async () => {
    const runId = newRunId();
    const sid = orphanStep(`${runId}0`, 'sleep 600; true');
    expect(await eventually(() => sessionPids(sid).length >= 2)).toBe(true);
    expect(leftoverPids(new Set([sid]), runId)).toEqual([]);
  });
});

describe('removing a crashed run\'s temp files', () => {
  it('removes the run\'s private directories and nothing else', () => {
    const root = tempDir('stepwise-root-').dir;
    const runId = newRunId();
    const own = join(root, `stepwise-${runId}-Ab12Cd`);
    mkdirSync(own, { mode: 0o700 });
    writeFileSync(join(own, '1.out'), 'token=abc');
    const otherRun = join(root, `stepwise-${runId}0-Ab12Cd`);
    mkdirSync(otherRun);
    const target = tempDir('stepwise-target-').dir;
    writeFileSync(join(target, 'keep'), 'x');
    symlinkSync(target, join(root, `stepwise-${runId}-Zz99Yy`));
    const notTemp = join(root, `stepwise-${runId}-too-long-suffix`);
    mkdirSync(notTemp);

    expect(removeRunTempFiles(runId, root)).toBe(1);
    expect(existsSync(own)).toBe(false);
    expect(existsSync(otherRun)).toBe(true);
    expect(existsSync(join(target, 'keep'))).toBe(true);
    expect(existsSync(join(root, `stepwise-${runId}-Zz99Yy`))).toBe(true);
    expect(existsSync(notTemp)).toBe(true);
  });

  it('refuses run ids that are not plain (no path tricks)', () => {
    expect(removeRunTempFiles('../x')).toBe(0);
    expect(removeRunTempFiles('a/b')).toBe(0);
    expect(removeRunTempFiles('')).toBe(0);
  });
});
