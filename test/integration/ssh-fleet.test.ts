/**
 * 200 hosts (127.0.1.1–127.0.1.200, one sshd per 16 addresses): 3 steps on every host at
 * once, through the executor and through the built CLI with a 200-host group. Every host's
 * output must be its own, and nothing may stay behind: file descriptors, ssh processes,
 * control sockets, remote supervisors, remote directories.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { SshExecutor } from '../../src/targets/ssh-executor.js';
import { sshdAvailable, sshRequest, startSshd, type RunningSshd } from '../helpers/sshd.js';
import { runRunbook, scratch } from './steps-harness.js';

const suite = sshdAvailable() ? describe : describe.skip;
const HOSTS = 200;
// A fleet on a shared 2-core machine: the set-up alone is 200 handshakes.
const SLOW = 15 * 60_000;

/** Our own open file descriptors. */
const openFds = (): number => readdirSync('/proc/self/fd').length;

/** Local ssh processes whose command line mentions `text`. */
function sshProcesses(text: string): string[] {
  const out = execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.startsWith('ssh ') && l.includes(text));
}

/** Live processes started through our sshd (supervisors, steps): SSH_CONNECTION names its port. */
function remoteProcesses(port: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const env = readFileSync(`/proc/${name}/environ`, 'latin1').split('\0');
      if (env.some((e) => e.startsWith('SSH_CONNECTION=') && e.endsWith(` ${port}`))) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Waits (bounded) for `check` to hold. */
async function eventually(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 200 && !check(); i++) await sleep(100);
  return check();
}

suite(`${HOSTS} hosts`, () => {
  let sshd: RunningSshd;
  let root: string;
  beforeAll(async () => {
    sshd = await startSshd({ hosts: HOSTS });
    root = await mkdtemp(join(tmpdir(), 'sw-fleet-'));
  }, SLOW);
  afterAll(async () => {
    await sshd?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('serves every address, one sshd per 16', () => {
    expect(sshd.hosts).toHaveLength(HOSTS);
    expect(sshd.hosts[0]?.host).toBe('127.0.1.1');
    expect(sshd.hosts.at(-1)?.host).toBe('127.0.1.200');
    expect(sshd.pids).toHaveLength(Math.ceil(HOSTS / 16));
  });

  it('3 steps on every host at once: each host its own output; nothing leaks after close()', async () => {
    const fdsBefore = openFds();
    const executor = new SshExecutor({ runId: 'fleet', controlRoot: root });
    const closed = { done: false };
    try {
      await threeSteps(executor);
      const dir = executor.controlDir!;
      expect(readdirSync(dir)).toHaveLength(HOSTS);
      expect(sshProcesses(dir)).toHaveLength(2 * HOSTS);
      await executor.close();
      closed.done = true;
      expect(existsSync(dir)).toBe(false);
      expect(sshProcesses(dir)).toEqual([]);
      expect(openFds()).toBeLessThanOrEqual(fdsBefore);
      expect(await eventually(() => remoteProcesses(sshd.port).length === 0)).toBe(true);
      expect(readdirSync(sshd.remoteTmp)).toEqual([]);
    } finally {
      if (!closed.done) await executor.close();
    }
  }, SLOW);

  async function threeSteps(executor: SshExecutor): Promise<void> {
    for (let step = 1; step <= 3; step++) {
      const runs = sshd.hosts.map(async (h) => {
        const script = 'set -- $SSH_CONNECTION\nprintf "%s %s\\n" "$STEP" "$3"\necho "addr=$3" >> "$STEPWISE_OUTPUT"';
        const { request, output } = sshRequest(h, script, { env: { STEP: String(step) } });
        const result = await executor.exec(request);
        return { h, result, stdout: output.stdout(), stderr: output.stderr() };
      });
      for (const { h, result, stdout, stderr } of await Promise.all(runs)) {
        expect({ host: h.host, stdout, stderr, exitCode: result.exitCode, outputs: result.outputs })
          .toEqual({ host: h.host, stdout: `${step} ${h.host}\n`, stderr: '', exitCode: 0, outputs: { addr: h.host } });
      }
    }
  }

  it('the built CLI runs 3 steps on a 200-host group and leaves nothing behind', async () => {
    const dir = scratch();
    const inventory = join(dir, 'inventory.yaml');
    const fleet = sshd.hosts.map((h) => ({ host: h.host, name: h.name, port: h.port, user: h.user, identity: h.identity, ssh_options: h.sshOptions }));
    writeFileSync(inventory, stringify({ fleet }));
    const run = await runRunbook(dir, {
      name: 'fleet',
      steps: [1, 2, 3].map((n) => ({ id: `s${n}`, on: 'fleet', run: `set -- $SSH_CONNECTION\necho "s${n} $3"\necho "addr=$3" >> "$STEPWISE_OUTPUT"` })),
    }, { args: ['--inventory', inventory], env: { TMPDIR: root }, timeoutMs: SLOW });
    expect(run.code).toBe(0);
    for (const n of [1, 2, 3]) {
      const targets = run.finished(`s${n}`)?.targets as Array<{ target: string; status: string }>;
      expect(targets.filter((t) => t.status === 'succeeded')).toHaveLength(HOSTS);
      const lines = run.events.filter((e) => e.type === 'step.output' && e.stepId === `s${n}`)
        .map((e) => `${String(e.host)} ${String(e.line)}`);
      expect(lines.sort()).toEqual(sshd.hosts.map((h) => `${h.name} s${n} ${h.host}`).sort());
    }
    // The CLI's control directory is gone with every ssh process that used it.
    expect(readdirSync(root).filter((n) => n.startsWith('stepwise-ssh-'))).toEqual([]);
    expect(sshProcesses(root)).toEqual([]);
    expect(await eventually(() => remoteProcesses(sshd.port).length === 0)).toBe(true);
    expect(readdirSync(sshd.remoteTmp)).toEqual([]);
  }, SLOW);
});
