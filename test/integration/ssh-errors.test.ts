import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TransportError } from '../../src/errors/stepwise-error.js';
import type { Host } from '../../src/runbook/model.js';
import { SshExecutor } from '../../src/targets/ssh-executor.js';
import { eventually } from '../helpers/processes.js';
import { generateKey, sshdAvailable, sshRequest, startSshd, type RunningSshd } from '../helpers/sshd.js';

const suite = sshdAvailable() ? describe : describe.skip;

suite('SshExecutor: transport errors', () => {
  let sshd: RunningSshd;
  let executor: SshExecutor;
  beforeAll(async () => {
    sshd = await startSshd({ hosts: 1 });
    executor = new SshExecutor({ runId: 'errors-test' });
  });
  afterAll(async () => {
    await executor?.close();
    await sshd?.stop();
  });
  const host = (patch: Partial<Host> = {}): Host => ({ ...sshd.hosts[0]!, ...patch });
  const marker = () => join(sshd.dir, `ran-${Math.random().toString(36).slice(2)}`);

  async function failure(h: Host, script = 'true'): Promise<TransportError> {
    const error = await executor.exec(sshRequest(h, script).request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }

  it('a changed host key is a host-key error, found before anything runs', async () => {
    const other = await generateKey(join(sshd.dir, 'impostor'));
    const knownHosts = join(sshd.dir, 'known_hosts_wrong');
    await writeFile(knownHosts, `[${host().host}]:${sshd.port} ${other.split(' ').slice(0, 2).join(' ')}\n`);
    const ran = marker();
    const error = await failure(host({ sshOptions: { ...host().sshOptions, UserKnownHostsFile: knownHosts } }), `touch ${ran}`);
    expect(error.reason).toBe('host-key');
    expect(error.host).toBe('web-1');
    expect(error.message).toContain(`web-1 (${host().host}:${sshd.port})`);
    expect(error.message).toContain('CHANGED');
    expect(error.hint).toMatch(/known_hosts/);
    expect(existsSync(ran)).toBe(false);
  });

  it('an unknown host key is a host-key error (never accepted silently)', async () => {
    const empty = join(sshd.dir, 'known_hosts_empty');
    await writeFile(empty, '');
    const error = await failure(host({ sshOptions: { ...host().sshOptions, UserKnownHostsFile: empty } }));
    expect(error.reason).toBe('host-key');
    expect(error.message).toContain('not in known_hosts');
  });

  it('a closed port is refused, with the host and address in the message', async () => {
    const error = await failure(host({ port: 1 }));
    expect(error.reason).toBe('refused');
    expect(error.message).toBe(`cannot reach web-1 (${host().host}:1): Connection refused`);
    expect(error.hint).toBeTruthy();
  });

  it('a key the server does not accept is an auth error', async () => {
    const wrong = join(sshd.dir, 'wrong_key');
    await generateKey(wrong);
    const error = await failure(host({ identity: wrong }));
    expect(error.reason).toBe('auth');
    expect(error.message).toBe(`authentication failed for stepwise-test@web-1 (${host().host}:${sshd.port}): Permission denied (publickey).`);
  });

  it('an unresolvable name is unreachable', async () => {
    const error = await failure(host({ host: 'no-such-host.invalid', name: 'ghost' }));
    expect(error.reason).toBe('unreachable');
    expect(error.host).toBe('ghost');
  });

  it('a failed set-up is retried on the next exec, and a good host still works', async () => {
    await failure(host({ port: 1 }));
    await failure(host({ port: 1 }));
    const { request, output } = sshRequest(host(), 'echo fine');
    expect((await executor.exec(request)).exitCode).toBe(0);
    expect(output.stdout()).toBe('fine\n');
  });

  it('a remote exit status of 255 is the command\'s, not a transport error', async () => {
    const result = await executor.exec(sshRequest(host(), 'exit 255').request);
    expect(result.exitCode).toBe(255);
  });

  it('rejects env names the remote shell cannot export, and local targets', async () => {
    await expect(executor.exec(sshRequest(host(), 'true', { env: { 'BAD-NAME': 'x' } }).request)).rejects.toThrow(/BAD-NAME/);
    await expect(executor.exec({ ...sshRequest(host(), 'true').request, target: { kind: 'local', name: 'local' } })).rejects.toThrow(/local/);
  });
});

suite('SshExecutor: the remote login shell', () => {
  let sshd: RunningSshd;
  let executor: SshExecutor;
  let noSh: string;
  beforeAll(async () => {
    // A login shell that runs commands, but with no `sh` anywhere in its PATH.
    noSh = join(await mkdtemp(join(tmpdir(), 'stepwise-nosh-')), 'nosh');
    await writeFile(noSh, '#!/bin/bash\nPATH=/nonexistent exec /bin/bash "$@"\n', { mode: 0o755 });
    // A login that never gets to the supervisor (waits on something for a long time).
    await writeFile(join(dirname(noSh), 'stuck'), '#!/bin/bash\nexec sleep 600\n', { mode: 0o755 });
    await chmod(dirname(noSh), 0o755);
    sshd = await startSshd({ hosts: 1, loginShells: { fish: '/usr/bin/fish', nologin: '/usr/sbin/nologin', nosh: noSh, stuck: join(dirname(noSh), 'stuck') } });
    executor = new SshExecutor({ runId: 'login-shells' });
  });
  afterAll(async () => {
    await executor?.close();
    await sshd?.stop();
    if (noSh) await rm(dirname(noSh), { recursive: true, force: true });
  });
  const as = (name: string): Host => ({ ...sshd.hosts[0]!, user: sshd.userFor(name) });
  /** Pids of the `stuck` login's `sleep 600` (ps exits 1 when the user has no process). */
  const stuckLogins = (): string[] => {
    try {
      const out = execFileSync('ps', ['-u', sshd.userFor('stuck'), '-o', 'pid=,args='], { encoding: 'utf8' });
      return out.split('\n').filter((line) => / sleep 600$/.test(line.trimEnd())).map((line) => line.trim().split(/\s+/)[0] ?? '');
    } catch {
      return [];
    }
  };

  it('fish as login shell still starts the supervisor (the command is fish-safe)', async () => {
    if (!existsSync('/usr/bin/fish')) throw new Error('fish is not installed (.ci/run installs it)');
    const { request, output } = sshRequest(as('fish'), 'echo "$0" | grep -q stepwise && echo "from $(id -un)"', { env: { X: "it's" } });
    expect((await executor.exec(request)).exitCode).toBe(0);
    expect(output.stdout()).toBe(`from ${sshd.userFor('fish')}\n`);
  });

  it('a login shell that runs nothing is a transport error naming the host and what it said', async () => {
    const error = await executor.exec(sshRequest(as('nologin'), 'true').request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ host: 'web-1', reason: 'other' });
    expect((error as TransportError).message).toMatch(/^cannot start the stepwise supervisor on web-1 \(127\.0\.1\.1:\d+\): .*not available/);
    expect((error as TransportError).hint).toMatch(/POSIX `sh`/);
  });

  it('a login that never starts the supervisor: the step ends at its timeout and close() does not wait for it', async () => {
    const own = new SshExecutor({ runId: 'stuck-login' });
    const controller = new AbortController();
    // The step's timeout fires once the login is stuck: its `sleep 600` of this login runs.
    const before = stuckLogins();
    const execution = own.exec(sshRequest(as('stuck'), 'echo never', { signal: controller.signal }).request);
    expect(await eventually(() => stuckLogins().some((pid) => !before.includes(pid)), 600, 50)).toBe(true);
    controller.abort();
    const result = await execution;
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
    await own.close();
    expect(own.controlDir === undefined || !existsSync(own.controlDir)).toBe(true);
  });

  it('no sh in the login PATH is a transport error naming the host', async () => {
    const error = await executor.exec(sshRequest(as('nosh'), 'true').request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).message).toMatch(/^cannot start the stepwise supervisor on web-1 .*sh: not found/);
  });
});
