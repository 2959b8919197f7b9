/**
 * `check:` on remote hosts through the built CLI and a real sshd (three loopback hosts):
 * a group step is decided per host — hosts already done are left alone, the others run, and
 * only those are compensated when a later step fails — and hostile params in a check stay
 * data over SSH too.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { checkInjectionCase } from '../helpers/check-injection.js';
import { jsonLines, runCli } from '../helpers/run-cli.js';
import { workspace } from '../helpers/temp-dir.js';
import { sshdAvailable, startSshd, type RunningSshd } from '../helpers/sshd.js';

const suite = sshdAvailable() ? describe : describe.skip;
const SEED = Number(process.env.STEPWISE_TEST_SEED ?? Date.now() % 2 ** 31);
const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

suite(`check: over SSH (seed ${SEED})`, () => {
  let sshd: RunningSshd;
  let uid: number;
  beforeAll(async () => {
    sshd = await startSshd({ hosts: 3 });
    uid = Number(readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${sshd.user}:`))?.split(':')[2]);
  });
  afterAll(async () => sshd?.stop());

  /** A workspace with an inventory of the hosts as group `web`, and a dir the remote user owns. */
  function remoteWorkspace() {
    const ws = workspace();
    chmodSync(ws.dir, 0o755);
    const shared = join(ws.dir, 'remote');
    mkdirSync(shared);
    for (const host of sshd.hosts) mkdirSync(join(shared, host.name));
    for (const path of [shared, ...sshd.hosts.map((h) => join(shared, h.name))]) chownSync(path, uid, uid);
    const web = sshd.hosts.map((h) => ({ host: h.host, name: h.name, port: h.port, user: h.user, identity: h.identity, ssh_options: h.sshOptions }));
    const inventory = ws.write('inventory.yaml', stringify({ web }));
    return { ws, shared, inventory };
  }

  it('per host: hosts already done are not run, the others run, and only those are compensated', async () => {
    const { ws, shared, inventory } = remoteWorkspace();
    const at = `${shared}/\${{ target.name }}`;
    const runbook = {
      name: 'per-host',
      steps: [
        { id: 'deploy', on: 'web', run: `echo ran >> ${at}/ran\ntouch ${at}/deployed`, check: `test -e ${at}/deployed`, rollback: `echo undo >> ${at}/undo` },
        { id: 'boom', run: 'exit 1' },
      ],
    };
    const done = sshd.hosts[1]?.name ?? '';
    writeFileSync(join(shared, done, 'deployed'), '');
    const file = ws.write('runbook.yaml', stringify(runbook));
    const result = await runCli(['run', file, '--json', '--inventory', inventory, '--state-dir', ws.stateDir]);
    expect(result.code).toBe(1);
    const events = jsonLines(result.stdout);
    const deploy = events.find((e) => e.type === 'step.finished' && e.stepId === 'deploy');
    const statuses = (deploy?.targets as Array<{ target: string; status: string }>).map((t) => [t.target, t.status]).sort();
    expect(statuses).toEqual(sshd.hosts.map((h) => [h.name, h.name === done ? 'alreadyDone' : 'succeeded']).sort());
    const checks = events.filter((e) => e.type === 'step.check.finished').map((e) => `${String(e.host)} ${String(e.when)}:${String(e.result)}`);
    for (const host of sshd.hosts) {
      expect(checks.filter((c) => c.startsWith(`${host.name} `)).map((c) => c.split(' ')[1])).toEqual(host.name === done ? ['before:holds'] : ['before:fails', 'after:holds']);
      const ran = host.name === done ? [] : ['ran'];
      const undone = host.name === done ? [] : ['undo'];
      expect([host.name, lines(join(shared, host.name, 'ran')), lines(join(shared, host.name, 'undo'))]).toEqual([host.name, ran, undone]);
    }
    const rolledBack = events.find((e) => e.type === 'rollback.started' && e.stepId === 'deploy');
    expect((rolledBack?.targets as string[]).sort()).toEqual(sshd.hosts.filter((h) => h.name !== done).map((h) => h.name).sort());
  }, 120_000);

  it('hostile params in a check print verbatim on the remote host, and none runs', async () => {
    const { ws, shared, inventory } = remoteWorkspace();
    const host = sshd.hosts[0]?.name ?? '';
    const c = checkInjectionCase(join(shared, host), 'bash', 25, SEED, host);
    const file = ws.write('runbook.yaml', stringify(c.runbook));
    writeFileSync(join(ws.dir, 'params.json'), JSON.stringify(c.params));
    const result = await runCli(['run', file, '--json', '--inventory', inventory, '--params-file', join(ws.dir, 'params.json'), '--state-dir', ws.stateDir]);
    expect(result.code).toBe(0);
    expect(readFileSync(join(shared, host, 'check-out'), 'utf8')).toBe(c.expected);
    expect(readFileSync(join(shared, host, 'ran'), 'utf8')).toBe('ran\n');
    expect(existsSync(join(shared, host, 'pwned'))).toBe(false);
  }, 120_000);
});
