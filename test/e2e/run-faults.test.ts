import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jsonLines, runCli, startCli } from '../helpers/run-cli.js';
import { workspace } from '../helpers/temp-dir.js';
import { allCommandLines, eventually } from '../helpers/processes.js';
import { killRunProcesses, onlyRunId, pidsOfRun } from '../helpers/run-processes.js';

/** How many times each step ran, counted by the steps themselves in files. */
function counter(dir: string, name: string): number {
  const file = join(dir, `${name}.count`);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}
const count = (dir: string, name: string) => `echo x >> ${dir}/${name}.count`;

describe('signals', () => {
  it('SIGTERM kills the step tree, compensates, runs finally, exits 130', async () => {
    const ws = workspace();
    const tag = `sleep 31${Math.floor(Math.random() * 9)}`;
    const file = ws.write(
      's.yaml',
      [
        'name: s',
        'steps:',
        `  - id: a\n    run: ${count(ws.dir, 'a')}\n    rollback: ${count(ws.dir, 'undo-a')}`,
        `  - id: b\n    run: echo started-b; bash -c '${tag}' & ${tag}; wait\n    rollback: ${count(ws.dir, 'undo-b')}`,
        `  - id: c\n    run: ${count(ws.dir, 'c')}`,
        'finally:',
        `  - id: fin\n    run: echo "status=\${{ run.status }}" > ${ws.dir}/fin.txt`,
        '',
      ].join('\n'),
    );
    const cli = startCli(['run', file, '--state-dir', ws.stateDir]);
    await cli.waitFor('started-b');
    const id = onlyRunId(ws.stateDir);
    expect(await eventually(() => pidsOfRun(id, 'sleep').length >= 2)).toBe(true);
    cli.child.kill('SIGTERM');
    const result = await cli.done;
    expect(result.code).toBe(130);
    expect(await eventually(() => pidsOfRun(id, 'sleep').length === 0)).toBe(true);
    expect([counter(ws.dir, 'a'), counter(ws.dir, 'undo-b'), counter(ws.dir, 'undo-a'), counter(ws.dir, 'c')]).toEqual([1, 1, 1, 0]);
    expect(readFileSync(join(ws.dir, 'fin.txt'), 'utf8').trim()).toBe('status=cancelled');
  });

  it('a second signal stops compensation at once; stepwise rollback finishes it later', async () => {
    const ws = workspace();
    const file = ws.write(
      'twice.yaml',
      [
        'name: twice',
        'steps:',
        `  - id: a\n    run: "true"\n    rollback: ${count(ws.dir, 'undo-a')}`,
        `  - id: b\n    run: "true"\n    rollback: |\n      if [ ! -e ${ws.dir}/second ]; then touch ${ws.dir}/second; echo in-rollback-b; sleep 30; fi\n      ${count(ws.dir, 'undo-b')}`,
        '  - id: c\n    run: echo in-c; sleep 30',
        '',
      ].join('\n'),
    );
    const cli = startCli(['run', file, '--json', '--state-dir', ws.stateDir]);
    await cli.waitFor('in-c');
    cli.child.kill('SIGINT');
    await cli.waitFor('in-rollback-b');
    cli.child.kill('SIGINT');
    const result = await cli.done;
    expect(result.code).toBe(130);
    const finished = jsonLines(result.stdout).find((e) => e.type === 'run.finished');
    expect(finished?.status).toBe('cancelled');
    expect([counter(ws.dir, 'undo-b'), counter(ws.dir, 'undo-a')]).toEqual([0, 0]);

    const runId = String(finished?.runId);
    const rollback = await runCli(['rollback', runId, '--state-dir', ws.stateDir]);
    expect(rollback.code).toBe(1);
    expect([counter(ws.dir, 'undo-b'), counter(ws.dir, 'undo-a')]).toEqual([1, 1]);
  });
});

describe('crash safety', () => {
  const runbookText = (dir: string) =>
    [
      'name: crash',
      'steps:',
      `  - id: one\n    run: |\n      ${count(dir, 'one')}\n      echo "token=abc" >> "$STEPWISE_OUTPUT"\n    rollback: ${count(dir, 'undo-one')}`,
      `  - id: two\n    run: |\n      ${count(dir, 'two')}\n      if [ ! -e ${dir}/killed ]; then echo in-two; sleep 60; fi\n    rollback: ${count(dir, 'undo-two')}`,
      `  - id: three\n    run: |\n      ${count(dir, 'three')}\n      test "\${{ steps.one.outputs.token }}" = abc`,
      '',
    ].join('\n');

  it('SIGKILL during a step, then resume: completed steps never re-run, outputs restored', async () => {
    const ws = workspace();
    const file = ws.write('crash.yaml', runbookText(ws.dir));
    const cli = startCli(['run', file, '--json', '--state-dir', ws.stateDir]);
    await cli.waitFor('in-two');
    cli.child.kill('SIGKILL');
    const killed = await cli.done;
    const id = String(jsonLines(killed.stdout)[0]?.runId);
    killRunProcesses(id);
    execFileSync('touch', [join(ws.dir, 'killed')]);

    const show = await runCli(['show', id, '--state-dir', ws.stateDir]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/one/);

    const resumed = await runCli(['resume', id, '--state-dir', ws.stateDir]);
    expect(resumed.code).toBe(0);
    expect([counter(ws.dir, 'one'), counter(ws.dir, 'two'), counter(ws.dir, 'three')]).toEqual([1, 2, 1]);

    // A finished run is not resumed again: exit 2, saying so, nothing run.
    const again = await runCli(['resume', id, '--state-dir', ws.stateDir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already succeeded/);
    expect(counter(ws.dir, 'three')).toBe(1);
  });

  it('SIGKILL during a step, then rollback compensates what started, newest first', async () => {
    const ws = workspace();
    const file = ws.write('crash.yaml', runbookText(ws.dir));
    const cli = startCli(['run', file, '--json', '--state-dir', ws.stateDir]);
    await cli.waitFor('in-two');
    cli.child.kill('SIGKILL');
    const killed = await cli.done;
    const id = String(jsonLines(killed.stdout)[0]?.runId);
    killRunProcesses(id);
    const rolled = await runCli(['rollback', id, '--json', '--state-dir', ws.stateDir]);
    expect(rolled.code).toBe(1);
    const order = jsonLines(rolled.stdout).filter((e) => e.type === 'rollback.started').map((e) => e.stepId);
    expect(order).toEqual(['two', 'one']);
    expect([counter(ws.dir, 'undo-two'), counter(ws.dir, 'undo-one')]).toEqual([1, 1]);
  });

  it('resume ends what the killed runner\'s step left running before running the step again', async () => {
    const ws = workspace();
    const tag = `sleep 61${Math.floor(Math.random() * 9)}`;
    const file = ws.write(
      'orphan.yaml',
      `name: orphan\nsteps:\n  - id: long\n    run: |\n      ${count(ws.dir, 'long')}\n      if [ ! -e ${ws.dir}/killed ]; then echo in-long; ${tag}; fi\n`,
    );
    const cli = startCli(['run', file, '--json', '--state-dir', ws.stateDir]);
    await cli.waitFor('in-long');
    cli.child.kill('SIGKILL');
    const killed = await cli.done;
    const id = String(jsonLines(killed.stdout)[0]?.runId);
    expect(await eventually(() => pidsOfRun(id, 'sleep').length === 1)).toBe(true);
    execFileSync('touch', [join(ws.dir, 'killed')]);
    const resumed = await runCli(['resume', id, '--state-dir', ws.stateDir]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout + resumed.stderr).toMatch(/ended [1-9]\d* process\(es\) still running from the interrupted run/);
    expect(pidsOfRun(id, 'sleep')).toEqual([]);
    expect(counter(ws.dir, 'long')).toBe(2);
  });

  it('SIGKILL right after a step finished, then resume: each step ran exactly once in the end', async () => {
    const ws = workspace();
    const file = ws.write(
      'between.yaml',
      ['name: between', 'steps:', ...['s1', 's2', 's3', 's4'].map((id) => `  - id: ${id}\n    run: ${count(ws.dir, id)}; sleep 0.3`), ''].join('\n'),
    );
    const cli = startCli(['run', file, '--json', '--state-dir', ws.stateDir]);
    await cli.waitFor(/"type":"step.finished","stepId":"s2"/);
    cli.child.kill('SIGKILL');
    const killed = await cli.done;
    const id = String(jsonLines(killed.stdout)[0]?.runId);
    const resumed = await runCli(['resume', id, '--state-dir', ws.stateDir]);
    expect(resumed.code).toBe(0);
    expect([counter(ws.dir, 's1'), counter(ws.dir, 's2'), counter(ws.dir, 's4')]).toEqual([1, 1, 1]);
    // s3 may have been running when the runner died: then it runs again (steps should be idempotent)
    expect(counter(ws.dir, 's3')).toBeGreaterThanOrEqual(1);
  });

  it('SIGKILL during a rollback, then stepwise rollback finishes the compensation', async () => {
    const ws = workspace();
    const file = ws.write(
      'rb.yaml',
      [
        'name: rb',
        'steps:',
        `  - id: one\n    run: "true"\n    rollback: ${count(ws.dir, 'undo-one')}`,
        `  - id: two\n    run: exit 1\n    rollback: |\n      ${count(ws.dir, 'undo-two')}\n      if [ ! -e ${ws.dir}/killed ]; then echo in-undo-two; sleep 60; fi`,
        '',
      ].join('\n'),
    );
    const cli = startCli(['run', file, '--json', '--state-dir', ws.stateDir]);
    await cli.waitFor('in-undo-two');
    cli.child.kill('SIGKILL');
    const killed = await cli.done;
    const id = String(jsonLines(killed.stdout)[0]?.runId);
    killRunProcesses(id);
    execFileSync('touch', [join(ws.dir, 'killed')]);
    expect(counter(ws.dir, 'undo-one')).toBe(0);
    const rolled = await runCli(['rollback', id, '--state-dir', ws.stateDir]);
    expect(rolled.code).toBe(1);
    expect([counter(ws.dir, 'undo-two'), counter(ws.dir, 'undo-one')]).toEqual([2, 1]);
  });

  it('unknown run id is a usage error (exit 2)', async () => {
    const ws = workspace();
    const result = await runCli(['resume', '20990101T000000.000Z-dead', '--state-dir', ws.stateDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/history/);
  });
});

describe('locks', () => {
  it('two runs started at the same instant: exactly one runs, the other exits 75 naming the holder', async () => {
    const ws = workspace();
    const release = join(ws.dir, 'release');
    // The step holds the lock until the test lets go, after the other run was refused: however
    // slowly the machine starts the second run, the two never simply take turns.
    const file = ws.write('lock.yaml', `name: lock\nsteps:\n  - id: a\n    run: |\n      ${count(ws.dir, 'ran')}\n      until [ -e ${release} ]; do sleep 0.05; done\n`);
    const runs = [startCli(['run', file, '--state-dir', ws.stateDir]), startCli(['run', file, '--state-dir', ws.stateDir])];
    let decided = false;
    // If both got in, both wait in the step: say so at once instead of hanging.
    const bothRan = (async () => {
      while (!decided && counter(ws.dir, 'ran') < 2) await sleep(50);
      return 'both runs entered the step' as const;
    })();
    const firstEnded = await Promise.race([runs[0]!.done, runs[1]!.done, bothRan]);
    decided = true;
    writeFileSync(release, '');
    const [first, second] = await Promise.all(runs.map((run) => run.done));
    expect(firstEnded).toMatchObject({ code: 75 });
    expect([first?.code, second?.code].sort()).toEqual([0, 75]);
    const loser = first?.code === 75 ? first : second;
    expect(loser?.stderr).toMatch(/run \S+/);
    expect(loser?.stderr).toMatch(/pid \d+/);
    expect(counter(ws.dir, 'ran')).toBe(1);
  });
});

describe('secrets', () => {
  it('a secret never appears in any command line, output, journal or log file', async () => {
    const ws = workspace();
    const secret = `hunter2-${Math.random().toString(36).slice(2)}`;
    const file = ws.write(
      'sec.yaml',
      [
        'name: sec',
        'params:',
        '  token: { type: string, secret: true, required: true }',
        'secrets:',
        '  API_KEY: { env: TEST_API_KEY }',
        'steps:',
        '  - id: use',
        '    run: |',
        '      echo "token is ${{ params.token }} and key is $API_KEY"',
        '      echo "out=${{ secrets.API_KEY }}" >> "$STEPWISE_OUTPUT"',
        '      echo step-running',
        `      until [ -e ${ws.dir}/go ]; do sleep 0.05; done`,
        '',
      ].join('\n'),
    );
    const cli = startCli(['run', file, '--state-dir', ws.stateDir, '--param', `token=${secret}`], { env: { TEST_API_KEY: `${secret}-key` } });
    let inArgv = 0;
    // our own test process's argv lists the CLI's args; look only at other processes
    const look = () => (inArgv += allCommandLines().filter((l) => l.includes(`${secret}-key`) || (l.includes(secret) && !l.includes('--param'))).length);
    const scan = setInterval(look, 50);
    // Certainly once while the step runs, with the secrets in its environment.
    await cli.waitFor('step-running');
    look();
    writeFileSync(join(ws.dir, 'go'), '');
    const result = await cli.done;
    clearInterval(scan);
    expect(result.code).toBe(0);
    expect(inArgv).toBe(0);
    expect(result.stdout).toContain('token is *** and key is ***');
    expect(result.stdout + result.stderr).not.toContain(secret);
    const grep = (() => {
      try {
        return execFileSync('grep', ['-r', secret, ws.stateDir], { encoding: 'utf8' });
      } catch {
        return '';
      }
    })();
    expect(grep).toBe('');
    expect(readdirSync(join(ws.stateDir, 'runs')).length).toBe(1);
  });
});

describe('huge output', () => {
  it('a step printing hundreds of MB keeps the runner memory bounded', async () => {
    const ws = workspace();
    const small = ws.write('small.yaml', 'name: small\nsteps:\n  - id: a\n    run: echo hi\n');
    const big = ws.write('big.yaml', `name: big\nsteps:\n  - id: lots\n    run: ${process.cwd()}/test/fixtures/bin/print-lots.sh 300\n`);
    const peak = async (file: string) => {
      const cli = startCli(['run', file, '--quiet', '--state-dir', ws.stateDir]);
      let hwm = 0;
      const poll = setInterval(() => {
        try {
          const status = readFileSync(`/proc/${cli.child.pid}/status`, 'utf8');
          hwm = Math.max(hwm, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
        } catch {
          // exited
        }
      }, 20);
      const result = await cli.done;
      clearInterval(poll);
      return { result, hwmMb: hwm / 1024 };
    };
    const idle = await peak(small);
    const loud = await peak(big);
    expect(loud.result.code).toBe(0);
    expect(loud.hwmMb - idle.hwmMb).toBeLessThan(100);
    const logs = readdirSync(join(ws.stateDir, 'runs')).map((id) => join(ws.stateDir, 'runs', id, 'logs'));
    const sizes = logs.flatMap((dir) => readdirSync(dir).map((f) => statSync(join(dir, f)).size));
    expect(Math.max(...sizes)).toBeGreaterThan(300 * 1024 * 1024);
  });
});
