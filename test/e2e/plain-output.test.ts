/**
 * What cron, pipes and CI get (SPEC §7): plain timestamped lines without a single escape
 * code, `--quiet`, and gates that fail at once instead of waiting for an answer.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, runCli } from '../helpers/run-cli.js';
import { workspace } from '../helpers/temp-dir.js';

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

/** Runs the CLI with stdin an open pipe that nobody ever writes to or closes (colour not turned off). */
function runWithSilentStdin(args: string[], cwd: string): Promise<CliResult> {
  return runCli(args, { cwd, env: { NO_COLOR: undefined }, keepStdinOpen: true });
}

describe('plain output (not a terminal)', () => {
  it('is one ISO-timestamped line per event, exactly, with no escape codes: progress on stdout, the failure and all after it on stderr', async () => {
    const ws = workspace();
    const file = ws.write('nightly.yaml', NIGHTLY);
    const result = await runCli(['run', file, '--state-dir', ws.stateDir], { cwd: ws.dir, env: { NO_COLOR: undefined, TERM: 'xterm-256color', FORCE_COLOR: '1' } });
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).not.toMatch(ESCAPE);
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
        'TIME step skip-me skipped: condition is false',
        'TIME step load started on local',
        'TIME load | loading',
        '',
      ].join('\n'),
    );
    // What cron mails with `>/dev/null`: the failure with its output, compensation, finally, and what to do next.
    expect(normalise(result.stderr, ws.dir)).toBe(
      [
        'TIME step load failed in DUR, exit 4: step "load" failed with exit code 4',
        'TIME load | loading',
        'TIME full output: stepwise logs RUN_ID load',
        'TIME rollback of fetch started on local',
        'TIME fetch (rollback) | undo-fetch',
        'TIME rollback of fetch succeeded in DUR',
        'TIME finally report started on local',
        'TIME report | status rolledBack',
        'TIME finally report succeeded in DUR',
        'TIME run RUN_ID failed and was rolled back in DUR (4 ran, 1 skipped; exit 1): step "load" failed with exit code 4',
        'TIME next: stepwise show RUN_ID  (every step, attempt and exit code)',
        '',
      ].join('\n'),
    );
  });

  it('strips the colour and cursor codes a step itself prints (its log file keeps them)', async () => {
    const ws = workspace();
    const file = ws.write('colourful.yaml', "name: colourful\nsteps:\n  - id: ls\n    run: printf '\\033[31mred\\033[0m \\033[2Kdone\\n'\n");
    const result = await runCli(['run', file, '--state-dir', ws.stateDir], { cwd: ws.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ls \| red done\n/);
    expect(result.stdout + result.stderr).not.toMatch(ESCAPE);
  });

  it('--quiet: the failure, its tail of both streams, compensation and the summary on stderr; nothing at all for a run that succeeds', async () => {
    const ws = workspace();
    const file = ws.write('nightly.yaml', NIGHTLY);
    const result = await runCli(['run', file, '--quiet', '--state-dir', ws.stateDir], { cwd: ws.dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(normalise(result.stderr, ws.dir)).toBe(
      [
        'TIME step load failed in DUR, exit 4: step "load" failed with exit code 4',
        'TIME load | loading',
        'TIME full output: stepwise logs RUN_ID load',
        'TIME rollback of fetch started on local',
        'TIME fetch (rollback) | undo-fetch',
        'TIME rollback of fetch succeeded in DUR',
        'TIME finally report started on local',
        'TIME report | status rolledBack',
        'TIME finally report succeeded in DUR',
        'TIME run RUN_ID failed and was rolled back in DUR (4 ran, 1 skipped; exit 1): step "load" failed with exit code 4',
        'TIME next: stepwise show RUN_ID  (every step, attempt and exit code)',
        '',
      ].join('\n'),
    );
    const ok = await runCli(['run', ws.write('ok.yaml', 'name: ok\nsteps:\n  - id: a\n    run: echo hi; echo warn >&2\n    retry: { attempts: 2, delay: 10ms }\n'), '--quiet', '--state-dir', ws.stateDir], { cwd: ws.dir });
    expect(ok).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('the failure tail is the last 20 lines of stdout and stderr, interleaved as they came, on stderr', async () => {
    const ws = workspace();
    // Each line is flushed before the next is written, so the order they came in is fixed.
    const file = ws.write('tail.yaml', 'name: tail\nsteps:\n  - id: noisy\n    run: |\n      for i in $(seq 1 30); do if [ $((i % 3)) = 0 ]; then echo "line $i" >&2; else echo "line $i"; fi; sleep 0.02; done\n      exit 7\n');
    const result = await runCli(['run', file, '--quiet', '--state-dir', ws.stateDir], { cwd: ws.dir });
    expect(result.code).toBe(1);
    const tail = result.stderr.split('\n').filter((l) => / noisy [|!] /.test(l)).map((l) => l.replace(/^\S+ /, ''));
    expect(tail).toEqual(Array.from({ length: 20 }, (_, k) => `noisy ${(k + 11) % 3 === 0 ? '!' : '|'} line ${k + 11}`));
  });

  it('a failed run names resume and rollback when they apply (--no-rollback)', async () => {
    const ws = workspace();
    const file = ws.write('halt.yaml', 'name: halt\nsteps:\n  - id: a\n    run: "true"\n    rollback: echo undo\n  - id: b\n    run: exit 5\n');
    const result = await runCli(['run', file, '--no-rollback', '--state-dir', ws.stateDir], { cwd: ws.dir });
    expect(result.code).toBe(1);
    const id = /run (\S+) started/.exec(result.stdout)?.[1] ?? 'missing';
    expect(result.stderr).toContain(`run ${id} failed and halted (not rolled back)`);
    expect(result.stderr).toContain(`next: stepwise resume ${id}  (continue from the first step that did not succeed)`);
    expect(result.stderr).toContain(`next: stepwise rollback ${id}  (undo what was done instead)`);
    expect(result.stderr).toContain(`next: stepwise show ${id}`);
  });

  it('a confirm gate without a terminal fails at once, naming --yes, even with stdin left open', async () => {
    const ws = workspace();
    const file = ws.write('gate.yaml', 'name: gate\nsteps:\n  - id: a\n    run: touch a-done\n    rollback: touch a-undone\n  - id: go\n    confirm: "Really?"\n  - id: b\n    run: touch b-done\n');
    for (const result of [await runWithSilentStdin(['run', file, '--state-dir', ws.stateDir], ws.dir), await runCli(['run', file, '--state-dir', ws.stateDir], { cwd: ws.dir })]) {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('step "go" asks "Really?" but there is no terminal to answer');
      expect(result.stderr).toContain('--yes');
      expect(result.stdout + result.stderr).not.toMatch(ESCAPE);
    }
    expect(existsSync(join(ws.dir, 'b-done'))).toBe(false);
    expect(existsSync(join(ws.dir, 'a-undone'))).toBe(true);
  });

  it('--yes answers every confirm without a terminal', async () => {
    const ws = workspace();
    const file = ws.write('gate.yaml', 'name: gate\nsteps:\n  - id: go\n    confirm: "Really?"\n  - id: b\n    run: touch b-done\n');
    const result = await runCli(['run', file, '--yes', '--state-dir', ws.stateDir], { cwd: ws.dir });
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
