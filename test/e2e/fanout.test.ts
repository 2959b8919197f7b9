/**
 * Fan-out through the built CLI: `--forks` and the fan-out keys refused with exit 2 before
 * anything runs; over a real sshd, a rolling step that goes on past a few failed hosts under
 * `maxFailures`, and one that crosses it and is compensated on exactly the hosts it started on.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonLines, runCli } from '../helpers/run-cli.js';
import { workspace } from '../helpers/temp-dir.js';
import { startSshd, sshdAvailable, type RunningSshd } from '../helpers/sshd.js';

describe('fan-out: bad input, nothing executed', () => {
  it('--forks 0 (run, resume, rollback) and --forks 2.5 are usage errors, exit 2', async () => {
    const ws = workspace();
    const file = ws.write('one.yaml', 'name: one\nsteps:\n  - id: a\n    run: touch ran-a\n');
    for (const args of [['run', file, '--forks', '0'], ['run', file, '--forks', '2.5'], ['resume', 'no-such-run', '--forks', '0'], ['rollback', 'no-such-run', '--forks', '0']]) {
      const result = await runCli([...args, '--state-dir', ws.stateDir], { cwd: ws.dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--forks expects a whole number ≥ 1, got `(0|2\.5)`/);
    }
    expect(readdirSync(ws.dir).filter((f) => f.startsWith('ran-'))).toEqual([]);
  });

  it('serial: 150%, serial: 0, forks: 0, maxFailPercentage: 120: located errors, exit 2', async () => {
    const ws = workspace();
    const file = ws.write(
      'bad.yaml',
      ['name: bad', 'forks: 0', 'targets: { web: [web-1, web-2] }', 'steps:', '  - id: a', '    on: web', '    run: touch ran-a', '    serial: 150%', '    maxFailPercentage: 120', '  - id: b', '    on: web', '    run: touch ran-b', '    serial: 0', ''].join('\n'),
    );
    for (const command of ['validate', 'run']) {
      const result = await runCli(command === 'run' ? [command, file, '--state-dir', ws.stateDir] : [command, file], { cwd: ws.dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('bad.yaml:2:8 forks: Expected `forks` to be at least 1, got `0` (number)');
      expect(result.stderr).toContain('bad.yaml:8:13 steps[0].serial: Expected `serial` to be a number of hosts (1 or more) or a percentage of the group from 1% to 100%, like 25%, got `150%` (string)');
      expect(result.stderr).toContain('bad.yaml:9:24 steps[0].maxFailPercentage: Expected `maxFailPercentage` to be at most 100, got `120` (number)');
      expect(result.stderr).toContain('bad.yaml:13:13 steps[1].serial: Expected `serial` to be at least 1, got `0` (number)');
    }
    expect(readdirSync(ws.dir).filter((f) => f.startsWith('ran-'))).toEqual([]);
  });
});

const describeSsh = sshdAvailable() ? describe : describe.skip;

describeSsh('fan-out over real SSH', () => {
  let sshd: RunningSshd;
  let shared: string;
  beforeAll(async () => {
    sshd = await startSshd({ hosts: 8 });
  });
  afterAll(() => sshd?.stop());

  /** A workspace with the 8 hosts as group `web`, and a directory the remote user can write. */
  function fleet(steps: (dir: string) => string[]) {
    const ws = workspace();
    shared = mkdtempSync(join(tmpdir(), 'stepwise-fanout-'));
    chmodSync(shared, 0o777);
    const hosts = sshd.hosts.map((h) => `  - ${JSON.stringify({ name: h.name, host: h.host, port: h.port, user: h.user, identity: h.identity, ssh_options: h.sshOptions })}`);
    ws.write('hosts.yaml', ['web:', ...hosts, ''].join('\n'));
    const file = ws.write('fleet.yaml', ['name: fleet', 'steps:', ...steps(shared), ''].join('\n'));
    return { ws, file };
  }
  const marks = (prefix: string) =>
    readdirSync(shared)
      .filter((f) => f.startsWith(prefix))
      .map((f) => f.slice(prefix.length))
      .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));

  /** A rolling step in batches of 3 that fails on the hosts `failOn` names (a case pattern such as `web-3|web-7`). */
  const deploy = (failOn: string) => (dir: string) => [
    '  - id: deploy',
    '    on: web',
    '    serial: 3',
    '    maxFailures: 2',
    '    run: |',
    // Each host marks itself in flight while it runs: the count it sees can only include hosts really running.
    `      mkdir ${dir}/inflight-\${{ target.name }}`,
    // Counted by the shell's own glob: `ls` of the glob fails when another host removes its mark in between.
    `      set -- ${dir}/inflight-*; echo $# > ${dir}/seen-\${{ target.name }}`,
    '      sleep 0.3',
    `      rmdir ${dir}/inflight-\${{ target.name }}`,
    `      touch ${dir}/ran-\${{ target.name }}`,
    `      case "\${{ target.name }}" in ${failOn}) echo "no luck on \${{ target.name }}" >&2; exit 7;; esac`,
    `    rollback: touch ${dir}/undone-\${{ target.name }}; echo "\${{ target.name }}" >> ${dir}/undo-order`,
    '  - id: after',
    '    run: echo after',
  ];

  it('maxFailures: 2 tolerates two failed hosts: the step succeeds naming them, the run goes on, at most --forks hosts ran at once', async () => {
    const { ws, file } = fleet(deploy('web-3|web-7'));
    const result = await runCli(['run', file, '--inventory', 'hosts.yaml', '--forks', '2', '--state-dir', ws.stateDir], { cwd: ws.dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(marks('ran-')).toEqual(sshd.hosts.map((h) => h.name));
    expect(marks('undone-')).toEqual([]);
    for (const host of sshd.hosts) expect(Number(readFileSync(join(shared, `seen-${host.name}`), 'utf8').trim())).toBeLessThanOrEqual(2);
    expect(result.stdout).toMatch(/step deploy succeeded in \S+ \[6\/8 hosts done, 2 failed: web-3, web-7; tolerates 2 failed\]\n/);
    expect(result.stdout).toMatch(/step after succeeded/);
    rmSync(shared, { recursive: true, force: true });
  }, 180_000);

  it('a third failed host crosses maxFailures: 2: no further batch, rollbacks on every started host (failed ones too), newest first, exit 1', async () => {
    const { ws, file } = fleet(deploy('web-1|web-2|web-5'));
    const result = await runCli(['run', file, '--inventory', 'hosts.yaml', '--json', '--state-dir', ws.stateDir], { cwd: ws.dir });
    expect(result.code).toBe(1);
    const events = jsonLines(result.stdout);
    const finished = events.find((e) => e.type === 'step.finished' && e.stepId === 'deploy');
    expect(finished).toMatchObject({ status: 'failed', exitCode: 7, failedHosts: ['web-1', 'web-2', 'web-5'], toleratedFailures: 2 });
    expect(String(finished?.error)).toMatch(/^step "deploy" failed on 3 of 8 hosts \(web-1, web-2, web-5\), more than the 2 it tolerates \(maxFailures: 2\); .*; not started on 2 hosts: web-7, web-8$/);
    // Batches: web-1..3 (2 failed, within 2), web-4..6 (a third failed: crossed), web-7..8 never started.
    expect(marks('ran-')).toEqual(['web-1', 'web-2', 'web-3', 'web-4', 'web-5', 'web-6']);
    expect(readFileSync(join(shared, 'undo-order'), 'utf8').trim().split('\n')).toEqual(['web-6', 'web-5', 'web-4', 'web-3', 'web-2', 'web-1']);
    expect(events.some((e) => e.type === 'step.started' && e.stepId === 'after')).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'rolledBack', exitCode: 1 });
    rmSync(shared, { recursive: true, force: true });
  }, 180_000);
});
