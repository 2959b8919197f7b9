/**
 * The morning-after questions, through the built CLI: `show RUN_ID|last` (who, where, when,
 * params masked, per step targets, times, attempts with exit codes, outputs, a timeline),
 * `history` filters and their mistakes (exit 2, never "No runs"), `logs -f` following a
 * running run, `--json` failure tails, `--output-lines` mistakes, and the steps library:
 * `steps [NAME]`, the search path (steps/ beside the runbook, STEPWISE_STEPS_PATH, bundled),
 * `validate` of a library step file.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLines, runCli, startCli } from '../helpers/run-cli.js';
import { workspace } from '../helpers/temp-dir.js';

const FAILING = [
  'name: nightly',
  'params:',
  '  env: { type: string, default: prod }',
  '  token: { type: string, secret: true, default: hunter2-secret }',
  'steps:',
  '  - id: fetch',
  '    run: echo "rows=12" >> "$STEPWISE_OUTPUT"; echo fetched',
  '    rollback: echo undo-fetch',
  '  - id: flaky',
  '    retry: { attempts: 2, delay: 10ms }',
  '    run: echo "try $STEPWISE_ATTEMPT"; test "$STEPWISE_ATTEMPT" -ge 2',
  '  - id: load',
  '    run: |',
  '      for i in $(seq 1 25); do echo "out $i"; done',
  '      echo "token ${{ params.token }} refused" >&2',
  '      exit 4',
  '',
].join('\n');

/** Exit 2 with the message and no stack. */
function refusedWith(result: { code: number | null; stderr: string }, message: string | RegExp): void {
  expect(result.code).toBe(2);
  if (typeof message === 'string') expect(result.stderr).toContain(message);
  else expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toContain('internal error');
}

describe('show', () => {
  it('answers who, where, when, params (masked), per step targets, times, attempts, outputs and a timeline; also for `last`', async () => {
    const ws = workspace();
    const file = ws.write('nightly.yaml', FAILING);
    const run = await runCli(['run', file, '--state-dir', ws.stateDir], { cwd: ws.dir });
    expect(run.code).toBe(1);
    const id = /run (\S+) started/.exec(run.stdout)?.[1] ?? 'missing';
    for (const ref of [id, 'last', id.slice(0, 18)]) {
      const show = await runCli(['show', ref, '--state-dir', ws.stateDir], { cwd: ws.dir });
      expect(show.code).toBe(0);
      const text = show.stdout;
      expect(text).toContain(`Run ${id}  nightly  failed and was rolled back (exit 1)`);
      expect(text).toMatch(/\n {2}who {7}run by \S+ on \S+ \(pid \d+\) at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n/);
      expect(text).toMatch(/\n {2}when {6}started \S+Z, ended \S+Z; took \S+\n/);
      expect(text).toContain('\n  params    env=prod  token=***\n');
      expect(text).not.toContain('hunter2-secret');
      expect(text).toMatch(/ {3}1\. fetch {2}succeeded\n {7}on {8}local\n {7}when {6}started \d\d:\d\d:\d\dZ, ended \d\d:\d\d:\d\dZ, took \S+\n/);
      expect(text).toContain('       outputs   rows=12\n');
      expect(text).toMatch(/ {7}rollback {2}succeeded \(exit 0, took \S+\) on local at \d\d:\d\d:\d\dZ\n/);
      expect(text).toMatch(/ {3}2\. flaky {2}succeeded\n[\s\S]*attempts {2}1 failed \(exit 1\) at \S+: step "flaky" failed with exit code 1\n {17}2 succeeded \(exit 0, took \S+\)\n/);
      expect(text).toMatch(/ {3}3\. load {2}failed\n[\s\S]*attempts {2}1 failed \(exit 4, took \S+\)\n/);
      expect(text).toContain('! token *** refused');
      expect(text).toMatch(/\nTimeline\n {2}\d{4}-\d\d-\d\d\n {2}\d\d:\d\d:\d\dZ {2}run started \(nightly\)\n/);
      expect(text).toMatch(/\d\dZ {2}✖ load failed \(\S+, exit 4\)\n/);
      expect(text).toMatch(/\d\dZ {2}■ ended: rolled back \(exit 1\)\n/);
      expect(text).not.toMatch(/rolledBack|timedOut|alreadyDone|rollbackFailed/);
    }
  });

  it('show last with no runs, and a bad id, are exit 2', async () => {
    const ws = workspace();
    refusedWith(await runCli(['show', 'last', '--state-dir', ws.stateDir]), 'No runs in');
    refusedWith(await runCli(['show', 'nonsense/../x', '--state-dir', ws.stateDir]), 'is not a run id');
  });
});

describe('history', () => {
  it('--status, --since, --runbook, --json and --limit select runs; the table speaks words', async () => {
    const ws = workspace();
    const ok = ws.write('ok.yaml', 'name: ok\nsteps:\n  - id: a\n    run: "true"\n');
    const bad = ws.write('bad.yaml', 'name: bad\nsteps:\n  - id: a\n    run: "false"\n');
    for (const file of [ok, bad, ok]) await runCli(['run', file, '--quiet', '--state-dir', ws.stateDir], { cwd: ws.dir });
    const history = (args: string[]) => runCli(['history', ...args, '--state-dir', ws.stateDir], { cwd: ws.dir });
    const failed = await history(['--status', 'failed', '--since', '7d']);
    expect(failed.code).toBe(0);
    // Its compensation ran and found nothing to undo: it is not called rolled back.
    expect(failed.stdout).toMatch(/^RUN ID +RUNBOOK +STATUS +STARTED +DURATION\n\S+ +bad +failed; nothing to undo \(exit 1\) +\S+Z +\S+\n$/);
    expect(failed.stdout.trim().split('\n')).toHaveLength(2);
    const json = jsonLines((await history(['--json', '--runbook', 'ok', '--limit', '1'])).stdout);
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ runbook: 'ok', status: 'succeeded', exitCode: 0 });
    expect(Object.keys(json[0] ?? {})).toEqual(['runId', 'runbook', 'status', 'startedAt', 'durationMs', 'exitCode']);
    expect((await history(['--since', '2099-01-01'])).stdout).toMatch(/^No runs matching --since 2099-01-01 in /);
    expect((await history(['--status', 'cancelled'])).stdout).toMatch(/^No runs matching --status cancelled in /);
  });

  it.each([
    [['--limit', '0'], '--limit expects a whole number ≥ 1, got `0`'],
    [['--limit', 'abc'], '--limit expects a whole number ≥ 1'],
    [['--limit', '-3'], '--limit expects a whole number ≥ 1'],
    [['--since', 'yesterdayish'], '--since expects a duration back from now (7d, 12h, 30m, 2w) or a date'],
    [['--status', 'faild'], 'did you mean failed?'],
    [['--limt', '3'], 'did you mean --limit?'],
  ])('history %j is exit 2 with no stack, never "No runs"', async (args, message) => {
    const ws = workspace();
    const result = await runCli(['history', ...args, '--state-dir', ws.stateDir]);
    refusedWith(result, message);
    expect(result.stdout).not.toContain('No runs');
  });
});

describe('bad input is exit 2, nothing runs, nothing waits', () => {
  it.each([
    [['run', 'FILE', '--output-lines', '-1'], '--output-lines expects a whole number ≥ 0, got `-1`'],
    [['run', 'FILE', '--output-lines', 'lots'], '--output-lines expects a whole number ≥ 0'],
    [['run', 'FILE', '--brief'], 'unknown option --brief for `stepwise run` (it is an option of `stepwise plan`)'],
    [['plan', 'FILE', '--verbose'], 'unknown option --verbose for `stepwise plan`'],
    [['steps', '--follow'], 'unknown option --follow for `stepwise steps`'],
    [['logs', 'last', '--output-lines', '3'], 'unknown option --output-lines for `stepwise logs`'],
  ])('%j', async (args, message) => {
    const ws = workspace();
    const file = ws.write('mark.yaml', 'name: mark\nsteps:\n  - id: a\n    run: touch marker\n');
    // stdin is a pipe that is never written to: nothing may wait on it.
    const result = await runCli(args.map((a) => (a === 'FILE' ? file : a)), { cwd: ws.dir, env: { STEPWISE_STATE_DIR: ws.stateDir } });
    refusedWith(result, message);
    expect(existsSync(join(ws.dir, 'marker'))).toBe(false);
  });
});

describe('--json', () => {
  it('a failed step.finished carries the last 20 lines of both streams, secrets masked', async () => {
    const ws = workspace();
    const result = await runCli(['run', ws.write('nightly.yaml', FAILING), '--json', '--state-dir', ws.stateDir], { cwd: ws.dir });
    expect(result.code).toBe(1);
    const finished = jsonLines(result.stdout).filter((e) => e.type === 'step.finished');
    expect(finished.find((e) => e.stepId === 'fetch')).not.toHaveProperty('tail');
    const tail = finished.find((e) => e.stepId === 'load')?.tail as Array<{ stream: string; line: string }>;
    expect(tail).toHaveLength(20);
    expect(tail).toContainEqual({ stream: 'stderr', line: 'token *** refused' });
    expect(tail).toContainEqual({ stream: 'stdout', line: 'out 25' });
    expect(result.stdout + result.stderr).not.toContain('hunter2-secret');
    // Human text on stderr, as --quiet prints it: the failure, compensation and the summary.
    expect(result.stderr).toContain('step load failed');
    expect(result.stderr).toContain('failed and was rolled back');
  });
});

describe('logs -f', () => {
  it('follows a running run from its start until it ends, then exits 0', async () => {
    const ws = workspace();
    const file = ws.write('slow.yaml', 'name: slow\nsteps:\n  - id: tick\n    run: |\n      echo first\n      while [ ! -e go-on ]; do sleep 0.1; done\n      echo second\n  - id: after\n    run: echo third\n');
    const run = startCli(['run', file, '--state-dir', ws.stateDir], { cwd: ws.dir });
    await run.waitFor('tick | first');
    const follow = startCli(['logs', 'last', '-f', '--state-dir', ws.stateDir], { cwd: ws.dir });
    await follow.waitFor('first');
    writeFileSync(join(ws.dir, 'go-on'), '');
    const [ran, followed] = await Promise.all([run.done, follow.done]);
    expect(ran.code).toBe(0);
    expect(followed.code).toBe(0);
    // As `stepwise logs` prints them: stdout lines `O `, stepwise's own notes `# `.
    const lines = followed.stdout.split('\n').filter((l) => !l.startsWith('# '));
    expect(lines.join('\n')).toMatch(/==> tick <==\nO first\nO second\n\n==> after <==\nO third\n/);
  });

  it('of a finished run prints its logs once', async () => {
    const ws = workspace();
    await runCli(['run', ws.write('ok.yaml', 'name: ok\nsteps:\n  - id: a\n    run: echo done-a\n'), '--state-dir', ws.stateDir], { cwd: ws.dir });
    const result = await runCli(['logs', 'last', '--follow', '--state-dir', ws.stateDir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('done-a');
  });
});

describe('the steps library', () => {
  it('steps lists one line per step; steps NAME shows inputs, outputs, check and rollback; an unknown one is exit 2', async () => {
    const ws = workspace();
    const list = await runCli(['steps'], { cwd: ws.dir });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^STEP +FROM +WHAT IT DOES\n/);
    expect(list.stdout).toMatch(/^wait-for-port +bundled +Waits until/m);
    const one = await runCli(['steps', 'wait-for-port'], { cwd: ws.dir });
    expect(one.stdout).toMatch(/^ {2}host +string +default "127\.0\.0\.1"/m);
    expect(one.stdout).toMatch(/^ {2}port +integer +required, ≥ 1, ≤ 65535 +TCP port/m);
    expect(one.stdout).toMatch(/^Outputs\n {2}waited-seconds /m);
    expect(one.stdout).toMatch(/^Rollback +none/m);
    refusedWith(await runCli(['steps', 'wait-for-prot'], { cwd: ws.dir }), 'no library step "wait-for-prot"; did you mean wait-for-port?');
  });

  it('searches steps/ beside the runbook, then STEPWISE_STEPS_PATH, then the bundled library; resume keeps the step it ran', async () => {
    const ws = workspace();
    const extra = join(ws.dir, 'team-steps');
    mkdirSync(extra);
    mkdirSync(join(ws.dir, 'steps'));
    writeFileSync(join(extra, 'greet.yaml'), 'inputs:\n  who: { type: string, required: true }\nrun: echo "team greets ${{ inputs.who }}"\n');
    writeFileSync(join(extra, 'wait-for-port.yaml'), 'run: echo "team wait-for-port"\n');
    writeFileSync(join(extra, 'local-wins.yaml'), 'run: echo "from the path"\n');
    writeFileSync(join(ws.dir, 'steps', 'local-wins.yaml'), 'run: echo "from beside the runbook"\n');
    const file = ws.write(
      'uses.yaml',
      'name: uses\nsteps:\n  - id: g\n    uses: greet\n    with: { who: ops }\n  - id: w\n    uses: wait-for-port\n  - id: l\n    uses: local-wins\n  - id: x\n    run: exit 1\n',
    );
    const env = { STEPWISE_STEPS_PATH: `${join(ws.dir, 'nowhere')}:${extra}` };
    const run = await runCli(['run', file, '--no-rollback', '--state-dir', ws.stateDir], { cwd: ws.dir, env });
    expect(run.stdout).toContain('g | team greets ops');
    // The path comes before the bundled library, beside the runbook before the path.
    expect(run.stdout).toContain('w | team wait-for-port');
    expect(run.stdout).toContain('l | from beside the runbook');
    const list = await runCli(['steps'], { cwd: ws.dir, env });
    expect(list.stdout).toMatch(/^greet +team-steps +\(no description\)$/m);
    expect(list.stdout).toMatch(/^wait-for-port +team-steps +/m);
    expect(list.stdout).toMatch(/^local-wins +\.\/steps +/m);
    expect(list.stdout).toContain('Searched ./steps, then nowhere, then team-steps, then bundled');
    // Resume after the path changed still runs the library steps the run started with.
    const id = /run (\S+) started/.exec(run.stdout)?.[1] ?? 'missing';
    writeFileSync(join(extra, 'greet.yaml'), 'run: echo changed\n');
    const resumed = await runCli(['resume', id, '--dry-run', '--state-dir', ws.stateDir], { cwd: ws.dir, env: { STEPWISE_STEPS_PATH: '' } });
    expect(resumed.code).toBe(0);
  });

  it('validate checks a library step file as a library step, with located errors', async () => {
    const ws = workspace();
    mkdirSync(join(ws.dir, 'steps'));
    const good = join(ws.dir, 'steps', 'good.yaml');
    writeFileSync(good, 'description: fine\ninputs:\n  n: { type: integer, default: 1 }\nrun: echo ${{ inputs.n }}\ncheck: test -e done\n');
    const bad = join(ws.dir, 'steps', 'bad.yaml');
    writeFileSync(bad, 'run: echo ${{ inputs.missing }}\ntimeout: soon\nrunn: x\n');
    const ok = await runCli(['validate', good]);
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout).toBe(`${good}: ok (library step)\n`);
    const result = await runCli(['validate', bad], { cwd: ws.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/steps\/bad\.yaml:1:\d+ .*unknown input `missing`/);
    expect(result.stderr).toMatch(/steps\/bad\.yaml:2:\d+ .*timeout/);
    expect(result.stderr).toMatch(/steps\/bad\.yaml:3:1 .*runn.*did you mean/);
    expect(result.stderr).not.toMatch(/name|steps: /);
  });
});
