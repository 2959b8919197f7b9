import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { TransportError } from '../../src/errors/stepwise-error.js';
import { SshExecutor } from '../../src/targets/ssh-executor.js';
import { exitArgs } from '../../src/targets/ssh-args.js';
import { startCli } from '../helpers/run-cli.js';
import { sshdAvailable, sshRequest, startSshd, userProcesses, type RunningSshd } from '../helpers/sshd.js';
import { scratch } from './steps-harness.js';

const suite = sshdAvailable() ? describe : describe.skip;

/** Waits (bounded) for the remote processes matching `needle` to be gone; returns those left. */
async function leftovers(needle: string): Promise<string[]> {
  for (let i = 0; i < 100 && userProcesses(needle).length > 0; i++) await sleep(100);
  return userProcesses(needle);
}

/** Pids of live processes whose environment has `NAME=value` (the test's own tag). */
function taggedPids(entry: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(entry)) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Waits (bounded) until no process carries `entry` in its environment; returns those left. */
async function taggedLeft(entry: string): Promise<number[]> {
  for (let i = 0; i < 100 && taggedPids(entry).length > 0; i++) await sleep(100);
  return taggedPids(entry);
}

/** How many of the test user's live processes run exactly `command` (program and arguments). */
function running(command: string): number {
  return userProcesses(command).filter((line) => line.trim().replace(/^\S+\s+/, '') === command).length;
}

/**
 * Aborts once the script has printed `ready` and every command of `commands` runs (a command
 * listed twice must run twice): then the tree is really there, each child in the process group
 * or session it made for itself. `missing` names what never appeared (the test checks it).
 */
function abortWhenRunning(controller: AbortController, commands: string[]) {
  const state = { missing: [] as string[] };
  let seen = false;
  const absent = () => [...new Set(commands)].filter((c) => running(c) < commands.filter((x) => x === c).length);
  const onOutput = (stream: 'stdout' | 'stderr', chunk: Buffer): void => {
    if (seen || stream !== 'stdout' || !chunk.toString().includes('ready')) return;
    seen = true;
    void (async () => {
      for (let i = 0; i < 300 && absent().length > 0; i++) await sleep(100);
      state.missing = absent();
      controller.abort();
    })();
  };
  return { onOutput, state };
}

/** Ends a daemon a test started on purpose, by the pid its step printed as `daemon PID`. */
function endDaemon(stdout: string): void {
  const pid = Number(/daemon (\d+)/.exec(stdout)?.[1]);
  if (!(pid > 1)) throw new Error(`no daemon pid in ${JSON.stringify(stdout)}`);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

suite('SshExecutor: killing the remote process tree', () => {
  let sshd: RunningSshd;
  let executor: SshExecutor;
  beforeAll(async () => {
    sshd = await startSshd({ hosts: 1 });
    executor = new SshExecutor({ runId: 'kill-test', settleMs: 300 });
  });
  afterAll(async () => {
    await executor?.close();
    await sshd?.stop();
  });
  const host = () => sshd.hosts[0]!;

  it('abort kills the script and its background children on the remote host', async () => {
    const controller = new AbortController();
    const abort = abortWhenRunning(controller, ['sleep 301', 'sleep 301', 'sleep 301']);
    const { request } = sshRequest(host(), 'sleep 301 & sleep 301 &\necho ready\nsleep 301; wait', {
      signal: controller.signal, onOutput: abort.onOutput,
    });
    const result = await executor.exec(request);
    expect(abort.state.missing).toEqual([]);
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
    expect(await leftovers('sleep 301')).toEqual([]);
  });

  it('abort also kills children that made their own process group (timeout, job control)', async () => {
    const controller = new AbortController();
    const script = 'timeout 600 sleep 311 &\n(set -m; sleep 312 & wait) &\nsetsid -w sleep 314 >/dev/null 2>&1 &\necho "daemon $!"\necho ready\nwait';
    let stdout = '';
    // A `sleep` runs once its parent made the group or session it was put in.
    const abort = abortWhenRunning(controller, ['sleep 311', 'sleep 312', 'sleep 314']);
    const { request } = sshRequest(host(), script, {
      signal: controller.signal,
      onOutput: (stream, chunk) => { if (stream === 'stdout') stdout += chunk.toString(); abort.onOutput(stream, chunk); },
    });
    const result = await executor.exec(request);
    expect(abort.state.missing).toEqual([]);
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
    expect(await leftovers('sleep 311')).toEqual([]);
    expect(await leftovers('sleep 312')).toEqual([]);
    // `setsid -w` made a session of its own: a service by the rule, left alone.
    expect(alive(stdout, 'sleep 314')).toBe(true);
    endDaemon(stdout);
  });

  it('what a finished step left in its session ends with it, whatever its group; setsid daemons do not', async () => {
    const script = [
      'sleep 304 & a=$!',
      'timeout 600 sleep 306 >/dev/null 2>&1 & b=$!',
      'setsid sleep 305 >/dev/null 2>&1 </dev/null & c=$!',
      'echo "daemon $c"',
      // The step ends once every child runs its program (setsid has made the session by then), not after a guess.
      'runs() { [ "$(tr "\\0" " " 2>/dev/null < "/proc/$1/cmdline")" = "$2 " ]; }',
      'until runs "$a" "sleep 304" && runs "$c" "sleep 305" && pgrep -P "$b" -x sleep >/dev/null; do sleep 0.01; done',
      'echo done',
    ].join('\n');
    const { request, output } = sshRequest(host(), script);
    const result = await executor.exec(request);
    expect(result).toMatchObject({ exitCode: 0, signal: null });
    expect(await leftovers('sleep 304')).toEqual([]);
    expect(await leftovers('sleep 306')).toEqual([]);
    expect(output.stderr()).toMatch(/^stepwise: ended 3 process\(es\) the script left running/m);
    expect(alive(output.stdout(), 'sleep 305')).toBe(true);
    endDaemon(output.stdout());
  });

  it('a daemon that keeps the step\'s output open is cut off, not waited for, and the host keeps working', async () => {
    const { request, output } = sshRequest(host(), 'setsid sleep 307 &\necho "daemon $!"');
    const result = await executor.exec(request);
    expect(result).toMatchObject({ exitCode: 0, outputCut: true });
    expect(output.stderr()).toMatch(/^stepwise: stopped reading the step's output/m);
    expect(alive(output.stdout(), 'sleep 307')).toBe(true);
    const next = sshRequest(host(), 'echo next');
    expect((await executor.exec(next.request)).exitCode).toBe(0);
    expect(next.output.stdout()).toBe('next\n');
    endDaemon(output.stdout());
  });

  it('a script that ignores SIGTERM is SIGKILLed after killGraceMs, and its outputs file is emptied', async () => {
    const controller = new AbortController();
    let stdout = '';
    const abort = abortWhenRunning(controller, ['sleep 302', 'sleep 302']);
    const { request } = sshRequest(host(), "trap '' TERM\nsleep 302 &\necho secret=x >> \"$STEPWISE_OUTPUT\"\necho \"ready $STEPWISE_OUTPUT\"\nsleep 302; wait", {
      signal: controller.signal, killGraceMs: 500,
      onOutput: (stream, chunk) => { stdout += chunk.toString(); abort.onOutput(stream, chunk); },
    });
    const result = await executor.exec(request);
    expect(abort.state.missing).toEqual([]);
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
    expect(await leftovers('sleep 302')).toEqual([]);
    const file = /ready (\S+)/.exec(stdout)?.[1];
    expect(file).toMatch(/\/stepwise\.[^/]+\/\d+\.out$/);
    expect(statSync(file!).size).toBe(0);
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
    // The supervisor still removed its private directory although nobody was listening.
    const dir = /ready (\S+)\/\d+\.out/.exec(stdout)?.[1];
    expect(dir).toBeDefined();
    for (let i = 0; i < 100 && existsQuietly(dir!); i++) await sleep(100);
    expect(existsQuietly(dir!)).toBe(false);
    // The next step starts a fresh master and supervisor.
    const again = sshRequest(host(), 'echo back');
    expect((await executor.exec(again.request)).exitCode).toBe(0);
    expect(again.output.stdout()).toBe('back\n');
  });

  it('SIGKILL of the runner: the remote steps end when its connection closes', async () => {
    const dir = scratch();
    const tag = `kill-runner-${process.pid}-${Date.now()}`;
    const h = host();
    const inventory = join(dir, 'inventory.yaml');
    writeFileSync(inventory, stringify({ web: [{ host: h.host, name: h.name, port: h.port, user: h.user, identity: h.identity, ssh_options: h.sshOptions }] }));
    const runbook = join(dir, 'runbook.yaml');
    writeFileSync(runbook, stringify({
      name: 'kill-runner',
      env: { TEST_TAG: tag },
      steps: [{ id: 'long', on: 'web', run: 'sleep 308 &\n(set -m; sleep 309 & wait) &\necho ready\nwait', timeout: '10m' }],
    }));
    const cli = startCli(['run', runbook, '--json', '--inventory', inventory, '--state-dir', join(dir, 'state')], { cwd: dir });
    await cli.waitFor('ready');
    expect(taggedPids(`TEST_TAG=${tag}`).length).toBeGreaterThanOrEqual(3);
    cli.child.kill('SIGKILL');
    await cli.done;
    expect(await taggedLeft(`TEST_TAG=${tag}`)).toEqual([]);
  });
});

/** Whether the daemon whose pid the step printed still runs `command`. */
function alive(stdout: string, command: string): boolean {
  const pid = /daemon (\d+)/.exec(stdout)?.[1];
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ').trim() === command;
  } catch {
    return false;
  }
}

function existsQuietly(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
