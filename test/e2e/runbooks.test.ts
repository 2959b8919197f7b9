/**
 * The shipped example runbooks and steps library through the built CLI: every runbook
 * validates (rolling-restart also with the sample inventory), every library step loads and
 * documents itself, and the runbooks that can run here do: nightly-cleanup on a temp dir,
 * incident-disk-full with fakes for journalctl and apt-get (no side effects on this
 * machine). rolling-restart needs SSH hosts with systemd: it is validated and planned only
 * (its steps, systemd-restart and wait-for-http, run for real in test/integration).
 * pg-migrate runs end to end in test/e2e/pg-migrate.test.ts.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { jsonLines, runCli } from '../helpers/run-cli.js';
import { workspace } from '../helpers/temp-dir.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RUNBOOKS = join(ROOT, 'runbooks');
const STEPS = join(ROOT, 'steps');
const FAKE_BIN = join(ROOT, 'test/fixtures/library/bin');
const runbookFiles = readdirSync(RUNBOOKS).filter((f) => f.endsWith('.yaml'));
const stepNames = readdirSync(STEPS)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -5));

type Event = Record<string, unknown>;
const finished = (events: Event[], stepId: string) => events.find((e) => e.type === 'step.finished' && e.stepId === stepId && e.phase !== 'rollback');

/** Writes a file `days` days old. */
function oldFile(path: string, days: number, content = 'x'.repeat(1000)): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  const when = new Date(Date.now() - days * 24 * 3600 * 1000);
  utimesSync(path, when, when);
}

describe('shipped runbooks and steps validate', () => {
  it('finds the runbooks and the ten library steps', () => {
    expect(runbookFiles).toEqual(expect.arrayContaining(['hello.yaml', 'pg-migrate.yaml', 'rolling-restart.yaml', 'nightly-cleanup.yaml', 'incident-disk-full.yaml']));
    expect(stepNames.sort()).toEqual(
      ['disk-space-check', 'file-backup', 'http-request', 'notify-webhook', 'pg-dump', 'pg-migrate', 'pg-restore', 'systemd-restart', 'wait-for-http', 'wait-for-port'].sort(),
    );
  });

  it.each(runbookFiles)('stepwise validate runbooks/%s exits 0', async (file) => {
    const result = await runCli(['validate', join(RUNBOOKS, file)]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('rolling-restart validates with the sample inventory and plans one host per batch, in order', async () => {
    const inventory = join(RUNBOOKS, 'inventories', 'example.yaml');
    const file = join(RUNBOOKS, 'rolling-restart.yaml');
    expect((await runCli(['validate', file, '--inventory', inventory])).code).toBe(0);
    const plan = await runCli(['plan', file, '--inventory', inventory, '--param', 'unit=orders.service']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/in batches of 1[\s\S]*1\) web-1[\s\S]*2\) web-2[\s\S]*3\) web-3/);
  });

  it('every library step loads (a runbook using each with its required inputs validates)', async () => {
    const ws = workspace();
    const required: Record<string, Record<string, unknown>> = {
      'wait-for-port': { port: 80 },
      'wait-for-http': { url: 'http://127.0.0.1/' },
      'http-request': { url: 'http://127.0.0.1/' },
      'notify-webhook': { url: 'http://127.0.0.1/', message: 'hi' },
      'file-backup': { path: '/etc/hostname' },
      'systemd-restart': { unit: 'nginx' },
      'pg-restore': { file: '/tmp/x.dump' },
      'pg-migrate': { dir: '/tmp' },
    };
    const runbook = { name: 'all-steps', steps: stepNames.map((name) => ({ id: name, uses: name, ...(required[name] ? { with: required[name] } : {}) })) };
    const file = ws.write('all.yaml', stringify(runbook));
    const result = await runCli(['validate', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it.each(stepNames)('steps/%s.yaml documents itself: header with inputs, outputs, rollback and an example', (name) => {
    const text = readFileSync(join(STEPS, `${name}.yaml`), 'utf8');
    const header = text.split('\n').filter((line) => line.startsWith('#')).join('\n');
    expect(header).toMatch(new RegExp(`^# ${name} — `));
    for (const section of ['Inputs:', 'Rollback', 'Example']) expect(header).toContain(section);
    const parsed = parse(text) as { description?: string; inputs?: Record<string, { description?: string; enum?: unknown }> };
    expect(parsed.description).toBeTruthy();
    for (const [input, spec] of Object.entries(parsed.inputs ?? {})) expect([input, Boolean(spec.description ?? spec.enum)]).toEqual([input, true]);
  });
});

describe('runbooks/nightly-cleanup.yaml', () => {
  const file = join(RUNBOOKS, 'nightly-cleanup.yaml');
  function tree() {
    const ws = workspace();
    const logs = join(ws.dir, 'logs');
    oldFile(join(logs, 'app.log.1.gz'), 40);
    oldFile(join(logs, 'nested', 'worker.log.2.gz'), 20);
    oldFile(join(logs, 'app.log'), 0);
    oldFile(join(logs, 'recent.log.1.gz'), 3);
    return { ws, logs };
  }

  it('deletes only old files matching the pattern and reports what it did', async () => {
    const { ws, logs } = tree();
    const result = await runCli(['run', file, '--json', '--state-dir', ws.stateDir, '--param', `dir=${logs}`, '--param', 'pattern=*.gz', '--param', 'older_than_days=14', '--param', 'min_free_percent=0.1']);
    expect(result.code).toBe(0);
    expect(existsSync(join(logs, 'app.log.1.gz'))).toBe(false);
    expect(existsSync(join(logs, 'nested', 'worker.log.2.gz'))).toBe(false);
    expect(existsSync(join(logs, 'app.log'))).toBe(true);
    expect(existsSync(join(logs, 'recent.log.1.gz'))).toBe(true);
    expect(existsSync(join(logs, 'nested'))).toBe(true);
    const events = jsonLines(result.stdout);
    expect(finished(events, 'prune')?.outputs).toEqual({ deleted: '2', 'freed-bytes': '2000' });
    expect(events.some((e) => e.type === 'step.output' && e.stepId === 'summary' && String(e.line).includes('deleted 2 file(s)'))).toBe(true);
  });

  it('dry_run deletes nothing and lists what it would delete', async () => {
    const { ws, logs } = tree();
    const result = await runCli(['run', file, '--state-dir', ws.stateDir, '--param', `dir=${logs}`, '--param', 'dry_run=true', '--param', 'min_free_percent=0']);
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).toContain(`would delete: ${join(logs, 'app.log.1.gz')}`);
    expect(readdirSync(logs).sort()).toEqual(['app.log', 'app.log.1.gz', 'nested', 'recent.log.1.gz']);
  });

  it('exits 1 when pruning did not free enough space (so cron mails someone)', async () => {
    const { ws, logs } = tree();
    const result = await runCli(['run', file, '--json', '--state-dir', ws.stateDir, '--param', `dir=${logs}`, '--param', 'min_free_percent=100', '--param', 'remove_empty_dirs=true']);
    expect(result.code).toBe(1);
    const events = jsonLines(result.stdout);
    expect(finished(events, 'after')?.status).toBe('failed');
    expect(events.some((e) => e.type === 'step.started' && e.stepId === 'summary')).toBe(false);
    expect(existsSync(join(logs, 'nested'))).toBe(false);
  });

  it('refuses to prune a system directory', async () => {
    const ws = workspace();
    const result = await runCli(['run', file, '--json', '--state-dir', ws.stateDir, '--param', 'dir=/etc/', '--param', 'dry_run=true']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('refusing to prune /etc');
  });
});

describe('runbooks/incident-disk-full.yaml (journalctl and apt-get are fakes on PATH)', () => {
  const file = join(RUNBOOKS, 'incident-disk-full.yaml');
  function host() {
    const ws = workspace();
    const logDir = join(ws.dir, 'log');
    oldFile(join(logDir, 'syslog.2.gz'), 30);
    oldFile(join(logDir, 'nginx', 'access.log.1'), 30);
    oldFile(join(logDir, 'syslog'), 30);
    oldFile(join(logDir, 'nginx', 'access.log.3.gz'), 1);
    const calls = join(ws.dir, 'calls.txt');
    const env = { PATH: `${FAKE_BIN}:${process.env.PATH ?? ''}`, FAKE_BIN_LOG: calls };
    const params = ['--param', `path=${ws.dir}`, '--param', `log_dir=${logDir}`, '--param', 'target_free_percent=0.1'];
    return { ws, logDir, calls, env, params };
  }
  const left = (logDir: string) => ['syslog.2.gz', 'syslog', 'nginx/access.log.1', 'nginx/access.log.3.gz'].filter((f) => existsSync(join(logDir, f)));

  it('with --yes, every cleanup runs: old rotated logs go, current and recent logs stay', async () => {
    const h = host();
    // A target no disk can meet makes every cleanup needed; the final check then fails by design.
    const result = await runCli(['run', file, '--json', '--yes', '--state-dir', h.ws.stateDir, ...h.params, '--param', 'target_free_percent=100'], { env: h.env });
    const events = jsonLines(result.stdout);
    expect(finished(events, 'what-uses-it')?.status).toBe('succeeded');
    expect(finished(events, 'delete-rotated-logs')?.outputs).toEqual({ deleted: '2' });
    // Its check: old rotated logs were there before, none is left after.
    expect(events.filter((e) => e.type === 'step.check.finished' && e.stepId === 'delete-rotated-logs').map((e) => `${String(e.when)}:${String(e.result)}`)).toEqual(['before:fails', 'after:holds']);
    expect(left(h.logDir)).toEqual(['syslog', 'nginx/access.log.3.gz']);
    expect(readFileSync(h.calls, 'utf8').split('\n')).toEqual(expect.arrayContaining(['journalctl --vacuum-size=500M', 'apt-get clean']));
    expect(finished(events, 'check')?.status).toBe('failed');
    expect(result.code).toBe(1);
    expect(events.some((e) => e.type === 'step.output' && String(e.line).includes('escalate with the output of'))).toBe(true);
  });

  it('without a terminal or --yes, every question counts as no: nothing is deleted', async () => {
    const h = host();
    const result = await runCli(['run', file, '--json', '--state-dir', h.ws.stateDir, ...h.params, '--param', 'target_free_percent=100'], { env: h.env });
    const events = jsonLines(result.stdout);
    expect(finished(events, 'ok-to-delete-rotated-logs')?.status).toBe('failed');
    expect(finished(events, 'delete-rotated-logs')?.status).toBe('skipped');
    expect(left(h.logDir)).toHaveLength(4);
    expect(existsSync(h.calls)).toBe(false);
    expect(result.code).toBe(1);
  });

  it('with no old rotated log left, deleting them is already done (its check): nothing is deleted', async () => {
    const h = host();
    rmSync(join(h.logDir, 'syslog.2.gz'));
    rmSync(join(h.logDir, 'nginx', 'access.log.1'));
    const result = await runCli(['run', file, '--json', '--yes', '--state-dir', h.ws.stateDir, ...h.params, '--param', 'target_free_percent=100'], { env: h.env });
    const events = jsonLines(result.stdout);
    expect(finished(events, 'delete-rotated-logs')?.status).toBe('alreadyDone');
    expect(events.some((e) => e.type === 'step.output' && e.stepId === 'delete-rotated-logs' && String(e.line).startsWith('deleting:'))).toBe(false);
    expect(left(h.logDir)).toEqual(['syslog', 'nginx/access.log.3.gz']);
  });

  it('when there is already enough room, it only looks', async () => {
    const h = host();
    const result = await runCli(['run', file, '--json', '--yes', '--state-dir', h.ws.stateDir, ...h.params], { env: h.env });
    expect(result.code).toBe(0);
    const events = jsonLines(result.stdout);
    expect(['ok-to-vacuum-journal', 'vacuum-journal', 'ok-to-delete-rotated-logs', 'delete-rotated-logs'].map((id) => finished(events, id)?.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    expect(left(h.logDir)).toHaveLength(4);
  });
});
