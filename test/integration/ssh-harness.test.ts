import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { sshdAvailable, startSshd, type RunningSshd } from '../helpers/sshd.js';

const suite = sshdAvailable() ? describe : describe.skip;

suite('private sshd harness', () => {
  let sshd: RunningSshd;
  beforeAll(async () => { sshd = await startSshd({ hosts: 2 }); });
  afterAll(async () => { await sshd?.stop(); });

  it('accepts the client key as the test user on every address, with strict host-key checking', async () => {
    for (const host of sshd.hosts) {
      const opts = Object.entries(host.sshOptions).flatMap(([k, v]) => ['-o', `${k}=${v}`]);
      const result = await execa('ssh', ['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', ...opts,
        '-i', sshd.identity, '-p', String(sshd.port), '-l', sshd.user, host.host, 'id -un']);
      expect(result.stdout.trim()).toBe(sshd.user);
    }
  });
});
