import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { TransportError } from '../../src/errors/stepwise-error.js';
import { SshExecutor } from '../../src/targets/ssh-executor.js';
import { exitArgs } from '../../src/targets/ssh-args.js';
import { sshdAvailable, sshRequest, startSshd, userProcesses, type RunningSshd } from '../helpers/sshd.js';

const suite = sshdAvailable() ? describe : describe.skip;

/** Waits (bounded) for the remote processes matching `needle` to be gone; returns those left. */
async function leftovers(needle: string): Promise<string[]> {
  for (let i = 0; i < 100 && userProcesses(needle).length > 0; i++) await sleep(100);
  return userProcesses(needle);
}

/** Whether the wrapper's temporary directory (from `$STEPWISE_OUTPUT` printed by the step) is gone, after a bounded wait. */
async function tempDirGone(stdout: string): Promise<boolean> {
  const dir = /(\/\S*stepwise\.[^/\s]+)\/output/.exec(stdout)?.[1];
  expect(dir).toBeDefined();
  for (let i = 0; i < 100 && existsSync(dir!); i++) await sleep(100);
  return !existsSync(dir!);
}

/** Aborts once the script has printed `ready` (so the tree is really running), plus `afterMs`. */
function abortWhenReady(controller: AbortController, afterMs: number) {
  return (stream: 'stdout' | 'stderr', chunk: Buffer): void => {
    if (stream === 'stdout' && chunk.toString().includes('ready')) setTimeout(() => controller.abort(), afterMs);
  };
}

suite('SshExecutor: killing the remote process tree', () => {
  let sshd: RunningSshd;
  let executor: SshExecutor;
  beforeAll(async () => {
    sshd = await startSshd({ hosts: 1 });
    executor = new SshExecutor({ runId: 'kill-test' });
  });
  afterAll(async () => {
    await executor?.close();
    await sshd?.stop();
  });
  const host = () => sshd.hosts[0]!;

  it('abort kills the script and its background children on the remote host', async () => {
    const controller = new AbortController();
    const { request } = sshRequest(host(), 'sleep 301 & sleep 301 &\necho ready\nsleep 301; wait', {
      signal: controller.signal, onOutput: abortWhenReady(controller, 1000),
    });
    const result = await executor.exec(request);
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
    expect(await leftovers('sleep 301')).toEqual([]);
  });

  it('what a finished step left running in its process group ends with it; setsid daemons do not', async () => {
    const { request } = sshRequest(host(), 'sleep 304 &\nsetsid sleep 305 >/dev/null 2>&1 </dev/null &\nsleep 0.2\necho done');
    const result = await executor.exec(request);
    expect(result.exitCode).toBe(0);
    expect(await leftovers('sleep 304')).toEqual([]);
    expect(userProcesses('sleep 305')).toHaveLength(1);
    await execa('pkill', ['-f', 'sleep 305'], { reject: false });
  });

  it('a script that ignores SIGTERM is SIGKILLed after killGraceMs', async () => {
    const controller = new AbortController();
    let stdout = '';
    const abort = abortWhenReady(controller, 200);
    const { request } = sshRequest(host(), "trap '' TERM\nsleep 302 &\necho \"ready $STEPWISE_OUTPUT\"\nsleep 302; wait", {
      signal: controller.signal, killGraceMs: 500,
      onOutput: (stream, chunk) => { stdout += chunk.toString(); abort(stream, chunk); },
    });
    const result = await executor.exec(request);
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
    expect(await leftovers('sleep 302')).toEqual([]);
    expect(await tempDirGone(stdout)).toBe(true);
  });

  it('an already aborted signal runs nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const { request, output } = sshRequest(host(), 'echo should-not-run', { signal: controller.signal });
    const result = await executor.exec(request);
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
    expect(output.stdout()).toBe('');
  });

  it('a dropped connection rejects with connection-lost and leaves no orphan on the host', async () => {
    const probe = sshRequest(host(), 'true');
    await executor.exec(probe.request);
    const socket = `${executor.controlDir}/m0`;
    let stdout = '';
    const { request } = sshRequest(host(), 'sleep 303 &\necho "ready $STEPWISE_OUTPUT"\nsleep 303; wait', {
      onOutput: (stream, chunk) => {
        stdout += chunk.toString();
        // Killing the master drops the TCP connection under the running step.
        if (stream === 'stdout' && chunk.toString().includes('ready')) void execa('ssh', exitArgs(host(), socket), { reject: false });
      },
    });
    const error = await executor.exec(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ host: 'web-1', reason: 'connection-lost' });
    expect(await leftovers('sleep 303')).toEqual([]);
    // The wrapper still removed its temporary directory although nobody was listening.
    expect(await tempDirGone(stdout)).toBe(true);
    // The next step starts a fresh master.
    const again = sshRequest(host(), 'echo back');
    expect((await executor.exec(again.request)).exitCode).toBe(0);
    expect(again.output.stdout()).toBe('back\n');
  });
});
