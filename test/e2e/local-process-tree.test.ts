/**
 * Local steps through the built CLI: they never hang past their end or their timeout, end
 * exactly what is theirs, name why they could not start, and leave no script on disk when
 * the runner is killed (the node process itself, signalled by pid).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLines, runCli, startCli } from '../helpers/run-cli.js';
import { workspace } from '../helpers/temp-dir.js';
import { alive, killPids, procInfo, sessionPids } from '../helpers/proc-state.js';
import { eventually } from '../helpers/processes.js';

const daemons = new Set<number>();
afterAll(() => killPids(daemons));

const readNumber = (file: string) => (existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : 0);

/** Every file under `dir`, recursively (directories themselves are not listed). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

describe('local steps end when they should', () => {
  it('a step running `timeout 600 sleep 600` is ended at its own timeout with every descendant', async () => {
    const ws = workspace();
    const sidFile = join(ws.dir, 'sid');
    const file = ws.write(
      't.yaml',
      `name: t\nsteps:\n  - id: slow\n    timeout: 2s\n    run: |\n      echo $$ > ${sidFile}\n      timeout 600 sleep 600 &\n      bash -c 'set -m; sleep 600 & wait' &\n      timeout 600 sleep 600\n`,
    );
    const cli = startCli(['run', file, '--json', '--state-dir', ws.stateDir]);
    let pids: number[] = [];
    expect(
      await eventually(() => {
        const sid = readNumber(sidFile);
        pids = sid > 0 ? sessionPids(sid) : [];
        return pids.length >= 7;
      }, 200),
    ).toBe(true);
    const result = await cli.done;
    // Ended by the step's 2 s timeout, long before the 600 s sleeps, and nothing of it is left.
    expect(result.code).toBe(1);
    const finished = jsonLines(result.stdout).find((e) => e.type === 'step.finished');
    expect(String(finished?.error)).toMatch(/^step "slow" timed out after/);
    expect(pids.filter(alive)).toEqual([]);
  });

  it('a step that starts `setsid daemon &` without redirecting its output succeeds at once, the daemon kept, and says its output was cut', async () => {
    const ws = workspace();
    const pidFile = join(ws.dir, 'daemon');
    const file = ws.write('d.yaml', `name: d\nsteps:\n  - id: start\n    timeout: 60s\n    run: |\n      setsid sleep 600 &\n      echo $! > ${pidFile}\n      echo started\n  - id: next\n    run: echo next-ran\n`);
    const result = await runCli(['run', file, '--state-dir', ws.stateDir]);
    const daemon = readNumber(pidFile);
    daemons.add(daemon);
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).toContain("stepwise: stopped reading the step's output");
    expect(result.stdout + result.stderr).toContain('next-ran');
    expect(alive(daemon)).toBe(true);
    expect(procInfo(daemon)?.sid).toBe(daemon);
  });
});

describe('a local step that cannot start says why, in its log', () => {
  it.each([
    ['a missing working directory', '    cwd: /nope-stepwise-e2e\n', 'working directory /nope-stepwise-e2e does not exist'],
    ['a missing shell', '    shell: fish-nope-stepwise\n', 'shell "fish-nope-stepwise" not found on PATH'],
  ])('%s', async (_name, field, message) => {
    const ws = workspace();
    const file = ws.write('c.yaml', `name: c\nsteps:\n  - id: x\n${field}    run: echo never-printed\n`);
    const result = await runCli(['run', file, '--json', '--state-dir', ws.stateDir]);
    expect(result.code).toBe(1);
    const events = jsonLines(result.stdout);
    expect(events.some((e) => e.type === 'step.output' && e.stream === 'stderr' && e.line === `stepwise: ${message}`)).toBe(true);
    expect(result.stdout).not.toContain('never-printed');
    const runId = String(events[0]?.runId);
    const logs = await runCli(['logs', runId, 'x', '--state-dir', ws.stateDir]);
    expect(logs.stdout).toContain(message);
  });
});

describe('no script outlives its step on disk', () => {
  it('after a SIGKILL of the runner mid-step no file holds the script; rollback ends the step and removes the run\'s temp directory with its outputs file', async () => {
    const ws = workspace();
    const tmp = join(ws.dir, 'tmp');
    mkdirSync(tmp);
    const marker = `MARK-${randomBytes(8).toString('hex')}`;
    const sidFile = join(ws.dir, 'sid');
    const file = ws.write(
      'k.yaml',
      `name: k\nsteps:\n  - id: long\n    run: |\n      echo $$ > ${sidFile}\n      echo "${marker}" > /dev/null\n      echo "token=out-$((6 * 7))" >> "$STEPWISE_OUTPUT"\n      echo in-step\n      sleep 600\n      true\n    rollback: echo undone\n`,
    );
    const cli = startCli(['run', file, '--json', '--state-dir', ws.stateDir], { env: { TMPDIR: tmp } });
    await cli.waitFor('in-step');
    process.kill(cli.child.pid as number, 'SIGKILL');
    const killed = await cli.done;
    expect(killed.signal).toBe('SIGKILL');
    const runId = String(jsonLines(killed.stdout)[0]?.runId);
    const sid = readNumber(sidFile);
    const stepPids = sessionPids(sid);
    expect(stepPids.length).toBeGreaterThanOrEqual(2);

    // The step still runs, but its script has no name on disk: what is left is its outputs file.
    const [dir] = readdirSync(tmp);
    expect(dir).toMatch(new RegExp(`^stepwise-${runId.replaceAll('.', '\\.')}-[A-Za-z0-9]{6}$`));
    expect(statSync(join(tmp, String(dir))).mode & 0o777).toBe(0o700);
    const files = filesUnder(tmp);
    expect(files.filter((f) => readFileSync(f, 'utf8').includes(marker))).toEqual([]);
    expect(files.map((f) => [f.slice(tmp.length), readFileSync(f, 'utf8'), statSync(f).mode & 0o777])).toEqual([[`/${dir}/1.out`, 'token=out-42\n', 0o600]]);

    const rolled = await runCli(['rollback', runId, '--state-dir', ws.stateDir], { env: { TMPDIR: tmp } });
    // Its exit code is the rollback's business (nothing to compensate here); it ran, and first of all:
    expect(rolled.code).not.toBe(2);
    expect(rolled.stdout + rolled.stderr).toMatch(/ended [1-9]\d* process\(es\) still running from the interrupted run/);
    expect(stepPids.filter(alive)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });
});
