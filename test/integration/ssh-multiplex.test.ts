import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SshExecutor } from '../../src/targets/ssh-executor.js';
import { sshdAvailable, sshRequest, startSshd, type RunningSshd } from '../helpers/sshd.js';
import { tempDir } from '../helpers/temp-dir.js';

const suite = sshdAvailable() ? describe : describe.skip;

/** Local ssh processes whose command line mentions `dir` (masters carry their ControlPath). */
async function sshProcessesUsing(dir: string): Promise<string[]> {
  const { stdout } = await execa('ps', ['-eo', 'args=']);
  return stdout.split('\n').filter((l) => l.startsWith('ssh ') && l.includes(dir));
}

const logins = (sshd: RunningSshd): number => sshd.log().split('\n').filter((l) => l.includes('Accepted publickey')).length;

suite('SshExecutor: one multiplexed connection per host', () => {
  let sshd: RunningSshd;
  let root: string;
  beforeAll(async () => {
    sshd = await startSshd({ hosts: 3 });
    root = tempDir('sw-ctl-').dir;
  });
  afterAll(async () => {
    await sshd?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('parallel steps on 3 hosts share one master per host, supervisors are reused; close() ends them and removes the directory', async () => {
    const executor = new SshExecutor({ runId: 'mux-test', controlRoot: root });
    const before = logins(sshd);
    // Two concurrent steps per host race for the same master set-up.
    const runs = sshd.hosts.flatMap((h) => [0, 1].map(() => {
      const { request, output } = sshRequest(h, 'echo "$(hostname) $SSH_CONNECTION"');
      return executor.exec(request).then((r) => ({ r, out: output.stdout(), h }));
    }));
    const results = await Promise.all(runs);
    for (const { r, out, h } of results) {
      expect(r.exitCode).toBe(0);
      expect(out).toContain(` ${h.host} ${sshd.port}`);
    }
    // More steps over the same connections: no new handshake.
    for (const h of sshd.hosts) expect((await executor.exec(sshRequest(h, 'true').request)).exitCode).toBe(0);
    expect(logins(sshd) - before).toBe(3);

    const dir = executor.controlDir!;
    expect(dir.startsWith(join(root, 'stepwise-ssh-'))).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect((await readdir(dir)).sort()).toEqual(['m0', 'm1', 'm2']);
    // Per host: its master, and the supervisor sessions: two at most, for its two concurrent steps.
    const processes = await sshProcessesUsing(dir);
    for (const socket of ['m0', 'm1', 'm2']) {
      const mine = processes.filter((p) => p.includes(`ControlPath=${join(dir, socket)} `));
      expect(mine.filter((p) => p.startsWith('ssh -M -N -f '))).toHaveLength(1);
      const sessions = mine.filter((p) => p.startsWith('ssh -T -o ControlMaster=no ') && p.includes("exec sh -c 'IFS= read -r n"));
      expect(sessions.length).toBeGreaterThanOrEqual(1);
      expect(sessions.length).toBeLessThanOrEqual(2);
      expect(mine).toHaveLength(1 + sessions.length);
    }

    await executor.close();
    expect(existsSync(dir)).toBe(false);
    expect(await sshProcessesUsing(dir)).toEqual([]);
    await expect(executor.exec(sshRequest(sshd.hosts[0]!, 'true').request)).rejects.toThrow(/closed/);
  });

  it('cleans up control directories of dead runs, not of live ones', async () => {
    // A dead run: a pid that no longer exists, with a master still listening in its directory.
    const dead = execa('true');
    await dead;
    const deadDir = join(root, `stepwise-ssh-${dead.pid!}-crashed-x1`);
    await mkdir(deadDir, { mode: 0o700 });
    const h = sshd.hosts[0]!;
    await execa('ssh', ['-M', '-N', '-f', '-o', 'ControlPersist=yes', '-o', `ControlPath=${deadDir}/m0`, '-o', 'BatchMode=yes',
      '-p', String(h.port), '-l', sshd.user, '-i', sshd.identity,
      ...Object.entries(h.sshOptions).flatMap(([k, v]) => ['-o', `${k}=${v}`]), h.host]);
    expect(await sshProcessesUsing(deadDir)).toHaveLength(1);
    const liveDir = join(root, `stepwise-ssh-${process.ppid}-live-x2`);
    await mkdir(liveDir, { mode: 0o700 });
    await writeFile(join(liveDir, 'keep'), '');

    const executor = new SshExecutor({ runId: 'cleanup-test', controlRoot: root });
    try {
      expect((await executor.exec(sshRequest(h, 'true').request)).exitCode).toBe(0);
      expect(existsSync(deadDir)).toBe(false);
      expect(await sshProcessesUsing(deadDir)).toEqual([]);
      expect(existsSync(liveDir)).toBe(true);
    } finally {
      await executor.close();
      await rm(liveDir, { recursive: true, force: true });
    }
  });
});
