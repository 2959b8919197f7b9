/**
 * Library steps on remote hosts: the built CLI runs them over SSH against the private sshd
 * (test/helpers/sshd.ts, three loopback hosts). Proves the steps need nothing but what a
 * server has, and that their run-id-based names and rollbacks work remotely, per host.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { sshdAvailable, startSshd, type RunningSshd } from '../helpers/sshd.js';
import { runRunbook, scratch } from './steps-harness.js';

const suite = sshdAvailable() ? describe : describe.skip;

suite('library steps over SSH', () => {
  let sshd: RunningSshd;
  let inventory: string;
  beforeAll(async () => {
    sshd = await startSshd({ hosts: 2 });
    const web = sshd.hosts.map((h) => ({ host: h.host, name: h.name, port: h.port, user: h.user, identity: h.identity, ssh_options: h.sshOptions }));
    inventory = join(scratch(), 'inventory.yaml');
    writeFileSync(inventory, stringify({ web }));
  });
  afterAll(async () => sshd?.stop());

  /** A dir the remote (unprivileged) user can write, holding one file per host name. */
  function remoteFiles(): string {
    const dir = scratch();
    chmodSync(dir, 0o755);
    for (const host of sshd.hosts) {
      mkdirSync(join(dir, host.name));
      writeFileSync(join(dir, host.name, 'app.conf'), `original of ${host.name}\n`);
    }
    execFileSync('chown', ['-R', sshd.user, dir]);
    return dir;
  }

  it('file-backup on every host, then a failure: each host gets its own file back', async () => {
    const dir = remoteFiles();
    const path = `${dir}/\${{ target.name }}/app.conf`;
    const run = await runRunbook(
      scratch(),
      {
        name: 'remote-backup',
        steps: [
          { id: 'save', on: 'web', uses: 'file-backup', with: { path } },
          { id: 'edit', on: 'web', run: `echo broken > "${path}"` },
          { id: 'fail', on: 'web', run: 'exit 1' },
        ],
      },
      { args: ['--inventory', inventory] },
    );
    expect(run.code).toBe(1);
    expect(run.rollback('save')?.status).toBe('succeeded');
    for (const host of sshd.hosts) {
      expect(readFileSync(join(dir, host.name, 'app.conf'), 'utf8')).toBe(`original of ${host.name}\n`);
      expect(readFileSync(join(dir, host.name, `app.conf.${run.runId}.save.bak`), 'utf8')).toBe(`original of ${host.name}\n`);
    }
  });

  it('disk-space-check and wait-for-port run remotely and report per host', async () => {
    const run = await runRunbook(
      scratch(),
      {
        name: 'remote-checks',
        steps: [
          { id: 'disk', on: 'web', uses: 'disk-space-check', with: { path: '/tmp', min_free_mb: 1 } },
          // From each host, its own sshd port: the probe runs there, not here. First the
          // library's check finds it open (already done); then, with a check of the runbook's
          // own that never holds, the step itself probes.
          { id: 'open', on: 'web', uses: 'wait-for-port', with: { host: '${{ target.host }}', port: sshd.port }, timeout: '20s' },
          { id: 'port', on: 'web', uses: 'wait-for-port', with: { host: '${{ target.host }}', port: sshd.port }, timeout: '20s', check: { run: 'exit 1', after: false } },
        ],
      },
      { args: ['--inventory', inventory] },
    );
    expect(run.code).toBe(0);
    const statuses = (stepId: string) => (run.finished(stepId)?.targets as Array<{ target: string; status: string }>).map((t) => [t.target, t.status]).sort();
    expect(statuses('open')).toEqual(sshd.hosts.map((h) => [h.name, 'alreadyDone']).sort());
    expect(statuses('port')).toEqual(sshd.hosts.map((h) => [h.name, 'succeeded']).sort());
    expect(Number(run.outputs('disk')['free-mb'])).toBeGreaterThan(0);
  });
});
