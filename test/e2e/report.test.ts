/**
 * `stepwise report` and `run --report` on the built CLI: bad input (exit 2), the report
 * written at the end of a run however it ends (success, failure + rollback, SIGINT), a
 * report failure that leaves the run's exit code alone, secrets, and a bounded size.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, startCli } from '../helpers/run-cli.js';
import { workspace } from '../helpers/temp-dir.js';

const FAILING = (dir: string) => `name: failing
description: Fails at migrate and compensates.
params:
  token: { type: string, secret: true, default: "" }
secrets:
  API_KEY: { env: REPORT_TEST_API_KEY }
steps:
  - id: backup
    run: |
      echo "backup with \${{ params.token }} and $API_KEY"
      echo "file=/tmp/x.dump" >> "$STEPWISE_OUTPUT"
    rollback: echo "undo backup" >> ${dir}/undo.txt
  - id: migrate
    retry: { attempts: 2, delay: 50ms }
    run: |
      echo '<script>document.title="pwned"</script>'
      echo "token again: \${{ params.token }}" >&2
      exit 4
    rollback: echo "undo migrate" >> ${dir}/undo.txt
  - id: verify
    run: echo verify
finally:
  - id: notify
    run: echo "ended \${{ run.status }}"
`;

/** Every file under a directory, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
}

const SECRET = 's3cr3t-Param-Value-9f1';
const API_KEY = 'api-KEY-value-77c2';

describe('stepwise report: bad input', () => {
  it('refuses an unknown run id, `last` with no runs, and an unwritable -o path, with exit 2', async () => {
    const ws = workspace();
    const none = await runCli(['report', 'last', '--state-dir', ws.stateDir], { cwd: ws.dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/No runs in/);
    const file = ws.write('ok.yaml', 'name: ok\nsteps:\n  - id: a\n    run: echo hi\n');
    expect((await runCli(['run', file, '--state-dir', ws.stateDir], { cwd: ws.dir })).code).toBe(0);
    const unknown = await runCli(['report', '19990101T000000.000Z-dead', '--state-dir', ws.stateDir], { cwd: ws.dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/No run "19990101T000000.000Z-dead"/);
    for (const bad of [join(ws.dir, 'missing-dir', 'r.html'), join(file, 'r.html'), ws.dir]) {
      const result = await runCli(['report', 'last', '-o', bad, '--state-dir', ws.stateDir], { cwd: ws.dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/Cannot write the report to/);
      expect(result.stderr).toMatch(/hint:/);
    }
  });

  it('writes stepwise-RUN_ID.html by default, and HTML to stdout with -o -', async () => {
    const ws = workspace();
    const file = ws.write('ok.yaml', 'name: ok\nsteps:\n  - id: a\n    run: echo hi\n');
    await runCli(['run', file, '--state-dir', ws.stateDir], { cwd: ws.dir });
    const written = await runCli(['report', 'last', '--state-dir', ws.stateDir], { cwd: ws.dir });
    expect(written.code).toBe(0);
    const name = /written to (stepwise-\S+\.html)/.exec(written.stderr)?.[1] ?? '';
    expect(name).toMatch(/^stepwise-\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{4}\.html$/);
    const html = readFileSync(join(ws.dir, name), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('Succeeded');
    expect(statSync(join(ws.dir, name)).mode & 0o777).toBe(0o600);
    const stdout = await runCli(['report', name.slice('stepwise-'.length, -'.html'.length), '-o', '-', '--state-dir', ws.stateDir], { cwd: ws.dir });
    expect(stdout.code).toBe(0);
    expect(stdout.stdout).toContain('Succeeded');
    expect(stdout.stdout).toMatch(/^<!doctype html>[\s\S]*<\/html>\n$/);
  });

  it('reports a run in progress as in progress, and exits 2', async () => {
    const ws = workspace();
    const go = join(ws.dir, 'go');
    const file = ws.write('slow.yaml', `name: slow\nsteps:\n  - id: wait\n    run: |\n      echo waiting-now\n      while [ ! -e ${go} ]; do sleep 0.05; done\n  - id: after\n    run: echo after\n`);
    const run = startCli(['run', file, '--state-dir', ws.stateDir], { cwd: ws.dir });
    await run.waitFor('waiting-now');
    const out = join(ws.dir, 'live.html');
    const report = await runCli(['report', 'last', '-o', out, '--state-dir', ws.stateDir], { cwd: ws.dir });
    writeFileSync(go, '');
    expect(report.code).toBe(2);
    expect(report.stderr).toMatch(/still in progress/);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('In progress');
    expect(html).toContain('data-status="started"');
    expect(html).toContain('waiting-now');
    expect((await run.done).code).toBe(0);
  });
});

describe('run --report FILE', () => {
  it('writes the report of a successful run', async () => {
    const ws = workspace();
    const file = ws.write('ok.yaml', 'name: ok\nsteps:\n  - id: a\n    run: echo hello-report\n');
    const out = join(ws.dir, 'ok.html');
    const result = await runCli(['run', file, '--state-dir', ws.stateDir, '--report', out], { cwd: ws.dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`report written to ${out}`);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('Succeeded');
    expect(html).toContain('hello-report');
  });

  it('writes the report of a failed, rolled-back run; no secret value in it', async () => {
    const ws = workspace();
    const file = ws.write('failing.yaml', FAILING(ws.dir));
    const out = join(ws.dir, 'failed.html');
    const result = await runCli(['run', file, '--state-dir', ws.stateDir, '--param', `token=${SECRET}`, '--report', out], {
      cwd: ws.dir, env: { REPORT_TEST_API_KEY: API_KEY },
    });
    expect(result.code).toBe(1);
    expect(readFileSync(join(ws.dir, 'undo.txt'), 'utf8')).toBe('undo migrate\nundo backup\n');
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('Failed, rolled back');
    expect(html).toContain('Fails at migrate and compensates.');
    expect(html).toContain('&lt;script&gt;document.title="pwned"&lt;/script&gt;');
    expect(html).toContain('backup with *** and ***');
    expect(html).not.toContain(SECRET);
    expect(html).not.toContain(API_KEY);
    // Nor any file of the run (journal, logs, params, meta), which the report quotes.
    for (const stored of filesUnder(ws.stateDir)) {
      const text = readFileSync(stored, 'utf8');
      expect(text.includes(SECRET) || text.includes(API_KEY) ? stored : 'clean').toBe('clean');
    }
    // The descriptions come from the journal: the report does not need the runbook copy.
    const [runDir] = readdirSync(join(ws.stateDir, 'runs'));
    rmSync(join(ws.stateDir, 'runs', runDir ?? '?', 'runbook'), { recursive: true });
    const again = await runCli(['report', 'last', '-o', '-', '--state-dir', ws.stateDir], { cwd: ws.dir });
    expect(again.stdout).toContain('Fails at migrate and compensates.');
  });

  it('writes the report of a run stopped by SIGINT (signalled by pid), after compensation', async () => {
    const ws = workspace();
    const out = join(ws.dir, 'cancelled.html');
    const file = ws.write('long.yaml', `name: long\nsteps:\n  - id: first\n    run: echo one\n    rollback: echo undo-first\n  - id: long\n    run: echo in-long; sleep 30\nfinally:\n  - id: fin\n    run: echo fin\n`);
    const run = startCli(['run', file, '--state-dir', ws.stateDir, '--report', out], { cwd: ws.dir });
    await run.waitFor('in-long');
    process.kill(run.child.pid as number, 'SIGINT');
    const result = await run.done;
    expect(result.code).toBe(130);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('Interrupted');
    expect(html).toContain('undo-first');
  });

  it('a report that cannot be written at the end is said, and the run keeps its exit code', async () => {
    const ws = workspace();
    const outDir = join(ws.dir, 'reports');
    const file = ws.write('rm.yaml', `name: rm\nsteps:\n  - id: a\n    run: rm -rf ${outDir}\n`);
    await runCli(['run', ws.write('mk.yaml', `name: mk\nsteps:\n  - id: a\n    run: mkdir -p ${outDir}\n`), '--state-dir', ws.stateDir], { cwd: ws.dir });
    expect(existsSync(outDir)).toBe(true);
    const result = await runCli(['run', file, '--state-dir', ws.stateDir, '--report', join(outDir, 'r.html')], { cwd: ws.dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/could not be written/);
    expect(result.stderr).toMatch(/stepwise report \S+ -o FILE/);
  });

  it('refuses an unusable --report path, or --report with --dry-run, before anything runs (exit 2)', async () => {
    const ws = workspace();
    const marker = join(ws.dir, 'ran');
    const file = ws.write('m.yaml', `name: m\nsteps:\n  - id: a\n    run: touch ${marker}\n`);
    for (const bad of [join(ws.dir, 'nope', 'r.html'), '-']) {
      const result = await runCli(['run', file, '--state-dir', ws.stateDir, '--report', bad], { cwd: ws.dir });
      expect(result.code).toBe(2);
      expect(existsSync(marker)).toBe(false);
    }
    const dry = await runCli(['run', file, '--state-dir', ws.stateDir, '--dry-run', '--report', join(ws.dir, 'r.html')], { cwd: ws.dir });
    expect(dry.code).toBe(2);
    expect(dry.stderr).toMatch(/nothing to report with --dry-run/);
  });

  it('keeps the report small when a step prints tens of MB', async () => {
    const ws = workspace();
    const out = join(ws.dir, 'big.html');
    const file = ws.write('big.yaml', `name: big\nsteps:\n  - id: loud\n    run: |\n      echo first-line\n      head -c 32000000 /dev/zero | tr '\\0' 'x' | fold -w 100\n      echo last-line\n`);
    const result = await runCli(['run', file, '--state-dir', ws.stateDir, '--report', out], { cwd: ws.dir });
    expect(result.code).toBe(0);
    const size = statSync(out).size;
    expect(size).toBeLessThan(1024 * 1024);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('first-line');
    expect(html).toContain('last-line');
    expect(html).toMatch(/MiB \([\d,]+ bytes\) of [\d.]+ MiB left out here/);
  });
});
