/**
 * What cron, pipes and CI get (SPEC §7): plain timestamped lines without a single escape
 * code, `--quiet`, and gates that fail at once instead of waiting for an answer.
 */
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, runCliToEnd, workspace, type CliResult } from '../helpers/cli-process.js';

const NIGHTLY = [
  'name: nightly',
  'steps:',
  '  - id: fetch',
  '    name: Fetch data',
  '    run: echo fetched',
  '    rollback: echo undo-fetch',
  '  - id: check',
  '    retry: { attempts: 2, delay: 10ms }',
  '    run: echo "check $STEPWISE_ATTEMPT"; test "$STEPWISE_ATTEMPT" -ge 2',
  '  - id: warn',
  '    run: echo "disk at 91%" >&2',
  '  - id: skip-me',
  '    when: "false"',
  '    run: echo no',
  '  - id: load',
  '    run: echo loading; exit 4',
  'finally:',
  '  - id: report',
  '    run: echo "status ${{ run.status }}"',
  '',
].join('\n');

/** Timestamps, run ids, durations and the temp path vary; everything else must not. */
function normalise(text: string, dir: string): string {
  return text
    .replaceAll(dir, 'DIR')
    .replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /gm, 'TIME ')
    .replace(/\d{8}T\d{6}(?:\.\d{3})?Z-[0-9a-f]+/g, 'RUN_ID')
    .replace(/\b\d+(?:\.\d+)?(?:ms|s)\b/g, 'DUR');
}

// eslint-disable-next-line no-control-regex
const ESCAPE = /[\u001b\u009b]/;

/** Runs the CLI with stdin an open pipe that nobody ever writes to or closes. */
function runWithSilentStdin(args: string[], cwd: string): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, CI: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolveRun) =>
    child.on('close', (code, signal) => {
      child.stdin.destroy();
      resolveRun({ code, signal, stdout, stderr });
    }),
  );
}

describe('plain output (not a terminal)', () => {
  it('is one ISO-timestamped line per event, exactly, with no escape codes (colour allowed by env or not)', async () => {
    const ws = workspace();
    const file = ws.write('nightly.yaml', NIGHTLY);
    const result = await runCliToEnd(['run', file, '--state-dir', ws.stateDir], { cwd: ws.dir, env: { NO_COLOR: undefined, TERM: 'xterm-256color', FORCE_COLOR: '1' } });
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).not.toMatch(ESCAPE);
    expect(result.stderr).toBe('');
    expect(normalise(result.stdout, ws.dir)).toBe(
      [
        'TIME run RUN_ID started: nightly (DIR/nightly.yaml)',
        'TIME step fetch (Fetch data) started on local',
        'TIME fetch | fetched',
        'TIME step fetch (Fetch data) succeeded in DUR',
        'TIME step check started on local',
        'TIME check | check 1',
        'TIME step check attempt 1/2 failed (step "check" failed with exit code 1); retrying in DUR',
        'TIME check | check 2',
        'TIME step check succeeded in DUR, attempt 2',
        'TIME step warn started on local',
        'TIME warn ! disk at 91%',
        'TIME step warn succeeded in DUR',
        'TIME step skip-me skipped in DUR: condition is false',
        'TIME step load started on local',
        'TIME load | loading',
        'TIME step load failed in DUR, exit 4: step "load" failed with exit code 4',
        'TIME rollback of fetch started on local',
        'TIME fetch (rollback) | undo-fetch',
        'TIME rollback of fetch succeeded in DUR',
        'TIME finally report started on local',
        'TIME report | status rolledBack',
        'TIME finally report succeeded in DUR',
        'TIME run RUN_ID rolledBack in DUR (exit 1): step "load" failed with exit code 4',
        '',
      ].join('\n'),
    );
  });

  it('strips the colour and cursor codes a step itself prints (its log file keeps them)', async () => {
    const ws = workspace();
    const file = ws.write('colourful.yaml', "name: colourful\nsteps:\n  - id: ls\n    run: printf '\\033[31mred\\033[0m \\033[2Kdone\\n'\n");
    const result = await runCliToEnd(['run', file, '--state-dir', ws.stateDir], { cwd: ws.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ls \| red done\n/);
    expect(result.stdout + result.stderr).not.toMatch(ESCAPE);
  });

  it('--quiet prints only failures and the summary', async () => {
    const ws = workspace();
    const file = ws.write('nightly.yaml', NIGHTLY);
    const result = await runCliToEnd(['run', file, '--quiet', '--state-dir', ws.stateDir], { cwd: ws.dir });
    expect(result.code).toBe(1);
    expect(normalise(result.stdout, ws.dir)).toBe(
      [
        'TIME step check attempt 1/2 failed (step "check" failed with exit code 1); retrying in DUR',
        'TIME step load failed in DUR, exit 4: step "load" failed with exit code 4',
        'TIME load | loading',
        'TIME full output: stepwise logs RUN_ID load',
        'TIME run RUN_ID rolledBack in DUR (exit 1): step "load" failed with exit code 4',
        '',
      ].join('\n'),
    );
    const ok = await runCliToEnd(['run', ws.write('ok.yaml', 'name: ok\nsteps:\n  - id: a\n    run: echo hi\n'), '--quiet', '--state-dir', ws.stateDir], { cwd: ws.dir });
    expect(ok.code).toBe(0);
    expect(normalise(ok.stdout, ws.dir)).toBe('TIME run RUN_ID succeeded in DUR (exit 0)\n');
  });

  it('a confirm gate without a terminal fails at once, naming --yes, even with stdin left open', async () => {
    const ws = workspace();
    const file = ws.write('gate.yaml', 'name: gate\nsteps:\n  - id: a\n    run: touch a-done\n    rollback: touch a-undone\n  - id: go\n    confirm: "Really?"\n  - id: b\n    run: touch b-done\n');
    for (const result of [await runWithSilentStdin(['run', file, '--state-dir', ws.stateDir], ws.dir), await runCliToEnd(['run', file, '--state-dir', ws.stateDir], { cwd: ws.dir })]) {
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('step "go" asks "Really?" but there is no terminal to answer');
      expect(result.stdout).toContain('--yes');
      expect(result.stdout + result.stderr).not.toMatch(ESCAPE);
    }
    expect(existsSync(join(ws.dir, 'b-done'))).toBe(false);
    expect(existsSync(join(ws.dir, 'a-undone'))).toBe(true);
  });

  it('--yes answers every confirm without a terminal', async () => {
    const ws = workspace();
    const file = ws.write('gate.yaml', 'name: gate\nsteps:\n  - id: go\n    confirm: "Really?"\n  - id: b\n    run: touch b-done\n');
    const result = await runCliToEnd(['run', file, '--yes', '--state-dir', ws.stateDir], { cwd: ws.dir });
    expect(result.code).toBe(0);
    expect(existsSync(join(ws.dir, 'b-done'))).toBe(true);
  });

  it('--step and --interactive without a terminal are refused before anything runs (exit 2)', async () => {
    const ws = workspace();
    const file = ws.write('steps.yaml', 'name: steps\nsteps:\n  - id: a\n    run: touch a-done\n');
    for (const flag of ['--step', '--interactive']) {
      const result = await runWithSilentStdin(['run', file, flag, '--state-dir', ws.stateDir], ws.dir);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`${flag} asks questions on a terminal, but stdin is not a terminal; nothing was run`);
      expect(result.stderr).toContain('--yes');
    }
    expect(existsSync(join(ws.dir, 'a-done'))).toBe(false);
    // No run was started, so none was journaled.
    const runs = join(ws.stateDir, 'runs');
    expect(existsSync(runs) ? readdirSync(runs) : []).toEqual([]);
  });
});
