/**
 * `plan --check` (issue 19 item 5): runs the steps' `check:` commands and nothing else —
 * marker files prove no `run` and no `rollback` ever executed — and shows per step and host
 * `would run` / `already done` / `check failed to run: …`, or `unknown` for a check that
 * needs what only a run can know. Also each step's check in the plain plan, `--brief` and
 * `--json`, and the per-host mix over real SSH.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { tempDir, workspace } from '../helpers/temp-dir.js';
import { startSshd, sshdAvailable, type RunningSshd } from '../helpers/sshd.js';

const RUNBOOK = [
  'name: guarded',
  'steps:',
  '  - id: make',
  '    run: touch ran-make; echo "path=$PWD/made" >> "$STEPWISE_OUTPUT"',
  '    check: touch checked-make; test -e made-before',
  '    rollback: touch rolled-make',
  '  - id: done',
  '    run: touch ran-done',
  '    check: touch checked-done; true',
  '    rollback: touch rolled-done',
  '  - id: dep',
  '    run: touch ran-dep',
  '    check: touch checked-dep; test -e "${{ steps.make.outputs.path }}"',
  '  - id: slow',
  '    run: touch ran-slow',
  '    check:',
  '      run: touch checked-slow; sleep 30',
  '      timeout: 1s',
  '  - id: never',
  '    when: "false"',
  '    run: touch ran-never',
  '    check: touch checked-never; true',
  '  - id: plain',
  '    run: touch ran-plain',
  'finally:',
  '  - id: tell',
  '    run: touch ran-tell',
  '    check: touch checked-tell; false',
  '',
].join('\n');

/** Files whose name says a run or rollback executed. */
const executed = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('ran-') || f.startsWith('rolled-'));

describe('plan --check', () => {
  it('runs only the checks and says per step what they found', async () => {
    const ws = workspace();
    const file = ws.write('guarded.yaml', RUNBOOK);
    const result = await runCli(['plan', file, '--check'], { cwd: ws.dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(executed(ws.dir)).toEqual([]);
    // The checks that could run did; the one that needs an earlier output and the skipped one did not.
    for (const id of ['make', 'done', 'slow', 'tell']) expect(existsSync(join(ws.dir, `checked-${id}`))).toBe(true);
    for (const id of ['dep', 'never']) expect(existsSync(join(ws.dir, `checked-${id}`))).toBe(false);
    const text = result.stdout;
    expect(text.split('\n')[0]).toMatch(/^Plan of guarded, with live state from its checks {2}/);
    expect(text.split('\n')[1]).toBe("Only the steps' check: commands were run (read-only by contract): no step's run, no rollback.");
    const now = (id: string) => new RegExp(`\\d\\. ${id}\\n(?: {4}.*\\n)*? {4}now {7}(.*)\\n`).exec(text)?.[1];
    expect(now('make')).toBe('would run — its check does not hold (exit 1)');
    expect(now('done')).toBe('already done — its check holds');
    expect(now('dep')).toBe('unknown — its check needs steps.make.outputs.path, known only when the run gets there; not run');
    expect(now('slow')).toMatch(/^check failed to run: check of "slow" timed out after \S+ \(timeout 1s\)$/);
    expect(now('never')).toBe('unknown — its when: is false now, so the step would be skipped; its check was not run');
    expect(now('plain')).toBe('would run (no check: to ask)');
    expect(now('tell')).toBe('would run — its check does not hold (exit 1)');
    // Each step's check is in the plan, resolved like its run.
    expect(text).toMatch(/ {4}check {5}touch checked-dep; test -e "<output path of step make>"\n/);
  });

  it('--brief --check: one line per step with what its check found; --json says what was executed', async () => {
    const ws = workspace();
    const file = ws.write('guarded.yaml', RUNBOOK);
    const brief = await runCli(['plan', file, '--check', '--brief'], { cwd: ws.dir });
    expect(brief.code).toBe(0);
    expect(brief.stdout).toMatch(/^ {3}2\. done {2}local · run: touch ran-done {2}\[check, rollback\] {2}→ already done$/m);
    expect(brief.stdout).toMatch(/^ {3}1\. make {2}.*→ would run$/m);
    const json = await runCli(['plan', file, '--check', '--json'], { cwd: ws.dir });
    const document = JSON.parse(json.stdout) as { executed: string; checked: boolean; steps: Array<{ id: string; check?: { after: boolean }; now?: Array<{ target: string; state: string }> }> };
    expect(Object.keys(document)[0]).toBe('executed');
    expect(document.executed).toBe("only the steps' check: commands (no run, no rollback)");
    expect(document.steps.find((s) => s.id === 'done')?.now).toEqual([{ target: 'local', state: 'already done', detail: 'its check holds' }]);
    expect(document.steps.find((s) => s.id === 'make')?.check?.after).toBe(true);
    expect(executed(ws.dir)).toEqual([]);
    // Without --check nothing runs at all, not even a check; the plan still shows each check.
    const plain = await runCli(['plan', file, '--json'], { cwd: ws.dir });
    expect((JSON.parse(plain.stdout) as { executed: string }).executed).toBe('nothing');
  });

  it('a plan without --check executes nothing, checks included', async () => {
    const ws = workspace();
    const file = ws.write('guarded.yaml', RUNBOOK);
    const result = await runCli(['plan', file], { cwd: ws.dir });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[1]).toBe('Nothing is executed and no target is contacted.');
    expect(readdirSync(ws.dir).filter((f) => f.startsWith('checked-') || f.startsWith('ran-'))).toEqual([]);
  });
});

const describeSsh = sshdAvailable() ? describe : describe.skip;

describeSsh('plan --check per host, over real SSH', () => {
  let sshd: RunningSshd;
  beforeAll(async () => {
    sshd = await startSshd({ hosts: 2 });
  });
  afterAll(() => sshd?.stop());

  it('some hosts already done, others would run; no run executes on any host', async () => {
    const ws = workspace();
    // The remote login user must be able to read the markers: a directory open to all.
    const shared = tempDir('stepwise-check-').dir;
    chmodSync(shared, 0o777);
    const first = sshd.hosts[0]?.name ?? 'missing';
    writeFileSync(join(shared, `done-${first}`), '');
    const hosts = sshd.hosts.map((h) => `  - ${JSON.stringify({ name: h.name, host: h.host, port: h.port, user: h.user, identity: h.identity, ssh_options: h.sshOptions })}`);
    ws.write('hosts.yaml', ['web:', ...hosts, ''].join('\n'));
    const file = ws.write(
      'fleet.yaml',
      ['name: fleet', 'steps:', '  - id: deploy', '    on: web', `    run: touch ${shared}/ran-\${{ target.name }}`, `    check: test -e ${shared}/done-\${{ target.name }}`, ''].join('\n'),
    );
    const result = await runCli(['plan', file, '--inventory', 'hosts.yaml', '--check'], { cwd: ws.dir });
    expect(result.code).toBe(0);
    const second = sshd.hosts[1]?.name ?? 'missing';
    expect(result.stdout).toMatch(new RegExp(` {4}now {7}${first}: already done — its check holds\\n {14}${second}: would run — its check does not hold \\(exit 1\\)\\n`));
    expect(readdirSync(shared).filter((f) => f.startsWith('ran-'))).toEqual([]);
    // A hang guard sized for a loaded shared machine, not a speed check.
  }, 180_000);
});
