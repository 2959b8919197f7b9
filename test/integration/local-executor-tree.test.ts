/**
 * What a local step's processes are, and that they end with it (SPEC §3.6), proven by pid
 * on real processes: the step ends when its script ends; a timeout ends every process of
 * the step's session, whatever group it made; setsid daemons survive, every time.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecRequest } from '../../src/targets/executor.js';
import { LocalExecutor } from '../../src/targets/local-executor.js';
import { LOCAL_TARGET } from '../../src/runbook/model.js';
import { alive, killPids, procInfo, sessionPids } from '../helpers/proc-state.js';
import { eventually } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

const executor = new LocalExecutor();
/** Daemons the tests started on purpose; killed by pid at the end. */
const daemons = new Set<number>();
afterAll(async () => {
  killPids(daemons);
  await executor.close();
});

function request(script: string, extra: Partial<ExecRequest> = {}) {
  const chunks: Record<'stdout' | 'stderr', Buffer[]> = { stdout: [], stderr: [] };
  let sid = 0;
  const req: ExecRequest = {
    target: LOCAL_TARGET,
    script,
    shell: 'bash',
    env: {},
    signal: new AbortController().signal,
    killGraceMs: 1000,
    onSpawn: (pid) => (sid = pid),
    onOutput: (stream, chunk) => chunks[stream].push(chunk),
    ...extra,
  };
  return { req, text: (s: 'stdout' | 'stderr') => Buffer.concat(chunks[s]).toString(), sid: () => sid };
}

/** Starts a step, waits until its session has `atLeast` processes in `groups`+ groups, returns them and the running exec. */
async function startAndWatch(script: string, atLeast: number, groups: number, extra: Partial<ExecRequest> = {}) {
  const controller = new AbortController();
  const step = request(script, { signal: controller.signal, ...extra });
  const running = executor.exec(step.req);
  let pids: number[] = [];
  const ready = await eventually(() => {
    if (step.sid() === 0) return false;
    pids = sessionPids(step.sid());
    return pids.length >= atLeast && new Set(pids.map((pid) => procInfo(pid)?.pgid)).size >= groups;
  }, 200);
  return { ...step, controller, running, pids, ready };
}

/** A single-quoted shell word (newlines and all kept literally). */
const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

function readFileOr(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

describe('a step ends when its script ends', () => {
  it('a setsid daemon that keeps the output pipes does not hold the step: exit 0, the output cut and said so, the daemon alive', async () => {
    const step = request('setsid sleep 600 &\necho "daemon=$!" >> "$STEPWISE_OUTPUT"\necho started');
    const result = await executor.exec(step.req);
    const daemon = Number(result.outputs.daemon);
    daemons.add(daemon);
    expect(result.exitCode).toBe(0);
    expect(result.outputCut).toBe(true);
    expect(step.text('stdout')).toBe('started\n');
    expect(step.text('stderr')).toMatch(/^stepwise: stopped reading the step's output [\d.]+s after its script exited: a process outside the step \(started with setsid\) still holds its stdout\/stderr/);
    // Ended long before the daemon's 600 s, and the daemon is its own session, untouched.
    expect(alive(daemon)).toBe(true);
    expect(procInfo(daemon)?.sid).toBe(daemon);
  });

  it('output a leftover writes shortly after the script exited is still forwarded', async () => {
    const patient = new LocalExecutor({ settleMs: 10_000 });
    try {
      const step = request('(sleep 0.3; echo late) &\necho early');
      const result = await patient.exec(step.req);
      expect(result.exitCode).toBe(0);
      expect(result.outputCut).toBeUndefined();
      expect(step.text('stdout')).toBe('early\nlate\n');
      expect(step.text('stderr')).toBe('');
    } finally {
      await patient.close();
    }
  });

  it('leftovers still in the step are ended, in its process group and in groups of their own, stopped or not', async () => {
    const step = request(
      [
        'sleep 600 &',
        'echo "plain=$!" >> "$STEPWISE_OUTPUT"',
        'timeout 600 sleep 600 >/dev/null 2>&1 &',
        'echo "timeout=$!" >> "$STEPWISE_OUTPUT"',
        'sleep 600 &',
        'kill -STOP $!',
        'echo "stopped=$!" >> "$STEPWISE_OUTPUT"',
        'echo done',
      ].join('\n'),
    );
    const result = await executor.exec(step.req);
    expect(result.exitCode).toBe(0);
    const pids = Object.values(result.outputs).map(Number);
    expect(pids).toHaveLength(3);
    // Ended before exec returned: nothing of the step is left, by pid and by session.
    expect(pids.filter(alive)).toEqual([]);
    expect(sessionPids(step.sid())).toEqual([]);
    expect(step.text('stdout')).toBe('done\n');
    expect(step.text('stderr')).toMatch(/^stepwise: ended [4-9] process\(es\) the script left running/);
    expect(result.outputCut).toBeUndefined();
  });
});

describe('a timeout or cancel ends every process of the step', () => {
  it('`timeout 600 sleep 600` (its own process group) and a job-control job are ended with the step', async () => {
    const watch = await startAndWatch('timeout 600 sleep 600 &\nbash -c "set -m; sleep 600 & wait" &\ntimeout 600 sleep 600', 7, 3);
    expect(watch.ready).toBe(true);
    watch.controller.abort();
    const result = await watch.running;
    expect(result.exitCode).toBeNull();
    // exec returns once they are gone: checked at once, by pid.
    expect(watch.pids.filter(alive)).toEqual([]);
    expect(sessionPids(watch.sid())).toEqual([]);
  });

  it('a process group that ignores SIGTERM is killed after the grace period', async () => {
    const watch = await startAndWatch('timeout 600 bash -c "trap \'\' TERM; sleep 600; sleep 600"', 4, 2, { killGraceMs: 300 });
    expect(watch.ready).toBe(true);
    watch.controller.abort();
    await watch.running;
    expect(watch.pids.filter(alive)).toEqual([]);
  });

  it('a daemon the step started in a new session survives the timeout, with its children', async () => {
    const pidFile = tempDir('stepwise-daemon-').path('pid');
    const watch = await startAndWatch(`setsid bash -c "sleep 600 & sleep 600" >/dev/null 2>&1 < /dev/null &\necho $! > ${pidFile}\nsleep 600`, 2, 1);
    expect(watch.ready).toBe(true);
    // Only once the daemon has left (setsid) is it not the step's: before, a timeout ends it too.
    let daemon = 0;
    expect(
      await eventually(() => {
        daemon = Number(readFileOr(pidFile));
        return daemon > 0 && procInfo(daemon)?.sid === daemon && sessionPids(daemon).length >= 2;
      }),
    ).toBe(true);
    const family = sessionPids(daemon);
    family.forEach((pid) => daemons.add(pid));
    // What is the step's now (the daemon's pid was among them until its setsid()).
    const stepPids = sessionPids(watch.sid());
    expect(stepPids.length).toBeGreaterThanOrEqual(2);
    expect(stepPids.some((pid) => family.includes(pid))).toBe(false);
    watch.controller.abort();
    await watch.running;
    expect(sessionPids(watch.sid())).toEqual([]);
    expect(stepPids.filter(alive)).toEqual([]);
    expect(family.filter(alive)).toEqual(family);
  });

  it('processes with hostile command names (spaces, parentheses, newlines) are found and ended', async () => {
    const dir = tempDir('stepwise-names-').dir;
    const names = [') 1 2 3 (', 'a b) S 1 1 1', 'x\n)y', '((', ') Z 9 9 9 9'];
    names.forEach((name, i) => symlinkSync('/bin/sleep', join(dir, `${i}${name}`)));
    const lines = names.map((name, i) => `${quote(join(dir, `${i}${name}`))} 600 &`);
    const watch = await startAndWatch(`${lines.join('\n')}\ntimeout 600 ${quote(join(dir, `0${names[0]}`))} 600\n`, names.length + 3, 2);
    expect(watch.ready).toBe(true);
    watch.controller.abort();
    await watch.running;
    expect(watch.pids.filter(alive)).toEqual([]);
  });
});

describe('setsid daemons are never lost to a race', () => {
  it('`setsid cmd >/dev/null 2>&1 &` as the last line keeps its daemon in 50 of 50 runs', async () => {
    const kept: boolean[] = [];
    for (let run = 0; run < 50; run++) {
      const step = request('setsid sleep 600 >/dev/null 2>&1 < /dev/null &\necho "daemon=$!" >> "$STEPWISE_OUTPUT"');
      const result = await executor.exec(step.req);
      const daemon = Number(result.outputs.daemon);
      daemons.add(daemon);
      expect(result.exitCode).toBe(0);
      kept.push(alive(daemon) && procInfo(daemon)?.sid === daemon);
    }
    expect(kept.filter(Boolean)).toHaveLength(50);
  });
});
