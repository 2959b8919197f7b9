/** `stepwise plan` and `run --dry-run` on the built CLI: honest, masked, and executing nothing. */
import { describe, expect, it } from '@jest/globals';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { workspace } from '../helpers/temp-dir.js';

const RUNBOOK = [
  'name: orders-db-migrate',
  'description: |',
  '  # Orders migration',
  '  Takes **two minutes** of write downtime.',
  'params:',
  '  version: { type: string, required: true, description: target schema }',
  '  token: { type: string, secret: true }',
  '  dry: { type: boolean, default: false }',
  'secrets:',
  '  DB_PASSWORD: { env: PLAN_DB_PASSWORD }',
  'targets:',
  '  db: [{ host: 192.0.2.10, port: 2222, user: postgres }]',
  '  web: { hosts: [web-1, web-2, web-3], user: deploy }',
  'steps:',
  '  - id: backup',
  '    name: Back up orders',
  '    description: Dumps before touching anything.',
  '    on: db',
  '    run: pg_dump > /backups/${{ run.id }}.dump && echo "dump-file=/backups/${{ run.id }}.dump" >> "$STEPWISE_OUTPUT"',
  '    outputs: [dump-file]',
  '    timeout: 10m',
  '    rollback: rm -f ${{ steps.backup.outputs.dump-file }}',
  '  - id: migrate',
  '    retry: { attempts: 3, delay: 2s, backoff: 2, maxDelay: 30s }',
  '    run: |',
  '      touch executed',
  '      migrate --to ${{ params.version }} --token ${{ params.token }} --password ${{ secrets.DB_PASSWORD }}',
  '      restore-point "${{ steps.backup.outputs.dump-file }}"',
  '    rollback:',
  '      run: restore ${{ steps.backup.outputs.dump-file }}',
  '      timeout: 2m',
  '  - id: go-live',
  '    confirm: "Switch traffic to ${{ params.version }}?"',
  '  - id: restart',
  '    on: web',
  '    serial: 2',
  '    when: ${{ params.dry == false }}',
  '    continueOnError: true',
  '    run: restart ${{ target.host }}',
  'finally:',
  '  - id: notify',
  '    run: echo "run ${{ run.id }} ended ${{ run.status }}"',
  '',
].join('\n');

const SECRET_PARAM = 'tok-8c1f-very-secret';
const SECRET_ENV = 'pw-55e0-very-secret';

/** A fake `ssh` first on PATH that leaves a trace if anything calls it. */
function trapSsh(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'ssh'), `#!/bin/sh\ntouch ${join(dir, 'ssh-was-called')}\nexit 255\n`);
  chmodSync(join(bin, 'ssh'), 0o755);
  return `${bin}:${process.env.PATH ?? ''}`;
}

describe('stepwise plan', () => {
  it('prints every step in order with hosts, resolved commands, rules, finally; secrets never shown', async () => {
    const ws = workspace();
    const file = ws.write('migrate.yaml', RUNBOOK);
    // plan takes no --state-dir (it has no state); the environment still names one, which must stay untouched.
    const env = { PATH: trapSsh(ws.dir), PLAN_DB_PASSWORD: SECRET_ENV, STEPWISE_STATE_DIR: ws.stateDir };
    const result = await runCli(['plan', file, '--param', 'version=v42', '--param', `token=${SECRET_PARAM}`], { cwd: ws.dir, env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).not.toContain(SECRET_PARAM);
    expect(out).not.toContain(SECRET_ENV);
    expect(out).toContain('--token *** --password ***');
    expect(out).toContain('token    ***');
    // Values only a run can know are shown as such.
    expect(out).toContain('pg_dump > /backups/<run id>.dump');
    expect(out).toContain('restore-point "<output dump-file of step backup>"');
    expect(out).toContain('rollback  restore <output dump-file of step backup>');
    expect(out).toContain('echo "run <run id> ended <run status>"');
    // Order, hosts, batches, rules.
    const order = ['1. backup (Back up orders)', '2. migrate', '3. go-live', '4. restart', 'F1. notify'].map((s) => out.indexOf(s));
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > (order[i - 1] ?? 0)))).toBe(true);
    expect(out).toContain('on        db: 192.0.2.10 (postgres@192.0.2.10:2222)');
    expect(out).toMatch(/on {8}web, in batches of 2, each after the last succeeded:\n\s+1\) web-1 \(deploy@web-1\), web-2 \(deploy@web-2\)\n\s+2\) web-3 \(deploy@web-3\)/);
    expect(out).toMatch(/run {7}on web-1: restart web-1\n\s+on web-2: restart web-2\n\s+on web-3: restart web-3/);
    expect(out).toContain('timeout   10m per attempt');
    expect(out).toContain('retry     3 attempts, delay 2s, backoff ×2, at most 30s');
    expect(out).toContain('(timeout 2m; runs only if the run fails after this step started)');
    expect(out).toContain('when      params.dry == false  → true now: the step runs');
    expect(out).toContain('continueOnError: a failure is reported and the run goes on');
    expect(out).toContain('confirm   "Switch traffic to v42?"');
    expect(out).toContain('Dumps before touching anything.');
    expect(out).toContain('Takes two minutes of write downtime.');
    expect(out).toContain('migrate ← backup');
    // Nothing ran, no host was contacted, no run was journaled.
    expect(existsSync(join(ws.dir, 'executed'))).toBe(false);
    expect(existsSync(join(ws.dir, 'ssh-was-called'))).toBe(false);
    expect(existsSync(join(ws.stateDir, 'runs'))).toBe(false);
  });

  it('needs no secret to be readable: a plan is safe to run anywhere', async () => {
    const ws = workspace();
    const file = ws.write('migrate.yaml', RUNBOOK);
    const result = await runCli(['plan', file, '--param', 'version=v42'], { cwd: ws.dir, env: { PLAN_DB_PASSWORD: undefined } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--password ***');
  });

  it('run --dry-run prints the same plan and executes nothing', async () => {
    const ws = workspace();
    const file = ws.write('migrate.yaml', RUNBOOK);
    const args = [file, '--param', 'version=v42', '--param', `token=${SECRET_PARAM}`];
    const plan = await runCli(['plan', ...args], { cwd: ws.dir });
    const dry = await runCli(['run', ...args, '--state-dir', ws.stateDir, '--dry-run'], { cwd: ws.dir });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe(plan.stdout);
    expect(existsSync(join(ws.dir, 'executed'))).toBe(false);
  });

  it('honours --only, --from and --limit', async () => {
    const ws = workspace();
    const file = ws.write('migrate.yaml', RUNBOOK);
    const base = ['plan', file, '--param', 'version=v42'];
    const only = await runCli([...base, '--only', 'restart,migrate', '--limit', 'web-3'], { cwd: ws.dir });
    expect(only.code).toBe(0);
    expect(only.stdout).toContain('(--only restart,migrate: not run: backup, go-live)');
    expect(only.stdout).not.toMatch(/1\. backup/);
    expect(only.stdout).toContain('2. migrate');
    expect(only.stdout).toContain('on        web: web-3 (deploy@web-3)');
    expect(only.stdout).not.toContain('restart web-1');
    const from = await runCli([...base, '--from', 'go-live'], { cwd: ws.dir });
    expect(from.stdout).toContain('(--from go-live: not run: backup, migrate)');
    expect(from.stdout).toContain('3. go-live');
    expect(from.stdout).toContain('F1. notify');
  });

  it('rejects an unknown step id and an invalid runbook with exit 2', async () => {
    const ws = workspace();
    const file = ws.write('migrate.yaml', RUNBOOK);
    const unknown = await runCli(['plan', file, '--param', 'version=v42', '--only', 'migrat'], { cwd: ws.dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('did you mean `migrate`?');
    const missing = await runCli(['plan', file], { cwd: ws.dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('version');
  });
});
