/**
 * Signals sent to the node process itself, by pid (issue 13, SPEC §3.9): SIGHUP stops a run
 * as safely as Ctrl-C; a signal during `finally` stops the finally step there and then; a
 * second signal during compensation leaves the run `cancelled` with what is still to undo,
 * which `stepwise rollback` then finishes, exactly that and nothing more.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLines, runCli, startCli } from '../helpers/run-cli.js';
import { workspace } from '../helpers/temp-dir.js';
import { alive, killPids } from '../helpers/proc-state.js';
import { eventually } from '../helpers/processes.js';
import { journaledStatus, journalRecords, onlyRunId, readPids } from '../helpers/run-processes.js';

const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;
const dirs: string[] = [];
const strays = new Set<number>();
afterAll(() => {
  killPids(strays);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freshWorkspace(): ReturnType<typeof workspace> {
  const ws = workspace();
  dirs.push(ws.dir);
  return ws;
}

/** How many times a step appended to its counter file. */
function count(dir: string, name: string): number {
  const file = join(dir, name);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

/** Waits until the step has written `n` pids to `file`; returns them (also remembered for cleanup). */
async function pidsWritten(file: string, n: number): Promise<number[]> {
  expect(await eventually(() => readPids(file).length >= n, 600)).toBe(true);
  const pids = readPids(file);
  for (const pid of pids) strays.add(pid);
  return pids;
}

describe('SIGHUP to the runner (the operator\'s SSH session dropped)', () => {
  it('stops the step\'s whole tree, compensates newest first, runs finally, exits 130, recorded cancelled', async () => {
    const ws = freshWorkspace();
    const pidFile = join(ws.dir, 'pids');
    const file = ws.write(
      'hup.yaml',
      [
        'name: hup',
        'steps:',
        `  - id: a\n    run: "true"\n    rollback: echo x >> ${ws.dir}/undo-a`,
        '  - id: plain\n    run: "true"',
        '  - id: b',
        '    run: |',
        `      echo $$ >> ${pidFile}`,
        `      sleep 300 & echo $! >> ${pidFile}`,
        // a grandchild, and one in a process group of its own (coreutils timeout does setpgid)
        `      bash -c 'sleep 300 & echo $! >> ${pidFile}; wait' &`,
        `      timeout 600 bash -c 'echo $$ >> ${pidFile}; exec sleep 300' &`,
        '      wait',
        `    rollback: echo x >> ${ws.dir}/undo-b`,
        `  - id: c\n    run: echo x >> ${ws.dir}/c\n    rollback: echo x >> ${ws.dir}/undo-c`,
        'finally:',
        `  - id: fin\n    run: echo "status=\${{ run.status }}" > ${ws.dir}/fin`,
        '',
      ].join('\n'),
    );
    const cli = startCli(['run', file, '--state-dir', ws.stateDir]);
    const pids = await pidsWritten(pidFile, 4);
    expect(pids.every(alive)).toBe(true);
    expect(cli.child.pid).toBeDefined();
    process.kill(cli.child.pid as number, 'SIGHUP');
    const result = await cli.done;

    expect({ code: result.code, signal: result.signal }).toEqual({ code: 130, signal: null });
    expect(result.stdout + result.stderr).toMatch(/received SIGHUP/);
    expect(result.stdout + result.stderr).not.toMatch(STACK_LINE);
    expect(await eventually(() => pids.every((pid) => !alive(pid)))).toBe(true);
    // the failed step's own rollback first, then the earlier ones; nothing after it started
    expect({ undoB: count(ws.dir, 'undo-b'), undoA: count(ws.dir, 'undo-a'), c: count(ws.dir, 'c'), undoC: count(ws.dir, 'undo-c') }).toEqual({ undoB: 1, undoA: 1, c: 0, undoC: 0 });
    expect(readFileSync(join(ws.dir, 'fin'), 'utf8').trim()).toBe('status=cancelled');

    const runId = onlyRunId(ws.stateDir);
    expect(journaledStatus(ws.stateDir, runId)).toBe('cancelled');
    const order = journalRecords(ws.stateDir, runId)
      .filter((r) => r.type === 'rollback.started')
      .map((r) => r.stepId);
    expect(order).toEqual(['b', 'a']);
    const show = await runCli(['show', runId, '--state-dir', ws.stateDir]);
    expect(show.code).toBe(0);
    expect(show.stdout.split('\n')[0]).toMatch(/\bcancelled\b/);
  });
});

describe('a signal while a finally step runs', () => {
  it('kills that finally step at once, runs no later finally step, exits 130, recorded cancelled', async () => {
    const ws = freshWorkspace();
    const pidFile = join(ws.dir, 'f1-pids');
    const file = ws.write(
      'fin.yaml',
      [
        'name: fin',
        'steps:',
        `  - id: a\n    run: echo x >> ${ws.dir}/a`,
        'finally:',
        '  - id: f1',
        '    run: |',
        `      echo $$ >> ${pidFile}`,
        `      sleep 300 & echo $! >> ${pidFile}`,
        '      wait',
        `      echo x >> ${ws.dir}/f1-finished`,
        `  - id: f2\n    run: echo x >> ${ws.dir}/f2`,
        '',
      ].join('\n'),
    );
    const cli = startCli(['run', file, '--json', '--state-dir', ws.stateDir]);
    const pids = await pidsWritten(pidFile, 2);
    process.kill(cli.child.pid as number, 'SIGINT');
    // No wall-clock limit: a finally step left to finish would keep this waiting for 300 s,
    // and the test would fail on jest's timeout instead.
    const result = await cli.done;

    expect({ code: result.code, signal: result.signal }).toEqual({ code: 130, signal: null });
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(await eventually(() => pids.every((pid) => !alive(pid)))).toBe(true);
    expect({ a: count(ws.dir, 'a'), f1Finished: count(ws.dir, 'f1-finished'), f2: count(ws.dir, 'f2') }).toEqual({ a: 1, f1Finished: 0, f2: 0 });
    const events = jsonLines(result.stdout);
    const f1 = events.find((e) => e.type === 'step.finished' && e.stepId === 'f1');
    expect(f1?.status).not.toBe('succeeded');
    expect(events.some((e) => e.type === 'step.started' && e.stepId === 'f2')).toBe(false);
    expect(events.find((e) => e.type === 'run.finished')?.status).toBe('cancelled');
    expect(journaledStatus(ws.stateDir, onlyRunId(ws.stateDir))).toBe('cancelled');
  });
});

describe('a second signal during compensation', () => {
  it('records cancelled (never rolledBack) with what is left; stepwise rollback then finishes exactly that', async () => {
    const ws = freshWorkspace();
    const pidFile = join(ws.dir, 'undo-b-pids');
    const file = ws.write(
      'twice.yaml',
      [
        'name: twice',
        'steps:',
        `  - id: a\n    run: "true"\n    rollback: echo x >> ${ws.dir}/undo-a`,
        '  - id: b',
        '    run: "true"',
        '    rollback: |',
        // the first compensation blocks here until the second signal; a later one goes through
        `      if [ ! -e ${ws.dir}/blocked-once ]; then`,
        `        touch ${ws.dir}/blocked-once; echo $$ >> ${pidFile}; sleep 300 & echo $! >> ${pidFile}; wait`,
        '      fi',
        `      echo x >> ${ws.dir}/undo-b`,
        '  - id: no-undo\n    run: "true"',
        `  - id: c\n    run: "true"\n    rollback: echo x >> ${ws.dir}/undo-c`,
        `  - id: d\n    run: echo x >> ${ws.dir}/d-started; sleep 300`,
        '',
      ].join('\n'),
    );
    const cli = startCli(['run', file, '--json', '--state-dir', ws.stateDir]);
    await cli.waitFor(/"type":"step.started","stepId":"d"/);
    expect(await eventually(() => count(ws.dir, 'd-started') === 1, 600)).toBe(true);
    process.kill(cli.child.pid as number, 'SIGINT');
    const blocked = await pidsWritten(pidFile, 2);
    process.kill(cli.child.pid as number, 'SIGINT');
    const result = await cli.done;

    expect({ code: result.code, signal: result.signal }).toEqual({ code: 130, signal: null });
    expect(await eventually(() => blocked.every((pid) => !alive(pid)))).toBe(true);
    const finished = jsonLines(result.stdout).find((e) => e.type === 'run.finished');
    expect(finished?.status).toBe('cancelled');
    expect(finished?.rollbackPending).toEqual(['b', 'a']);
    expect({ c: count(ws.dir, 'undo-c'), b: count(ws.dir, 'undo-b'), a: count(ws.dir, 'undo-a') }).toEqual({ c: 1, b: 0, a: 0 });

    const runId = String(finished?.runId);
    const journaled = journalRecords(ws.stateDir, runId).filter((r) => r.type === 'run.finished');
    expect(journaled.map((r) => [r.status, r.rollbackPending])).toEqual([['cancelled', ['b', 'a']]]);
    const show = await runCli(['show', runId, '--state-dir', ws.stateDir]);
    expect(show.stdout.split('\n')[0]).toMatch(/\bcancelled\b/);
    expect(show.stdout.split('\n')[0]).not.toMatch(/rolled ?back/i);

    const rollback = await runCli(['rollback', runId, '--json', '--state-dir', ws.stateDir]);
    expect(rollback.code).toBe(1);
    const events = jsonLines(rollback.stdout);
    expect(events.filter((e) => e.type === 'rollback.started').map((e) => e.stepId)).toEqual(['b', 'a']);
    expect(events.filter((e) => e.type === 'rollback.finished').map((e) => [e.stepId, e.status])).toEqual([
      ['b', 'succeeded'],
      ['a', 'succeeded'],
    ]);
    // c was compensated once, by the interrupted run; b and a once, by stepwise rollback
    expect({ c: count(ws.dir, 'undo-c'), b: count(ws.dir, 'undo-b'), a: count(ws.dir, 'undo-a') }).toEqual({ c: 1, b: 1, a: 1 });
    expect(journaledStatus(ws.stateDir, runId)).toBe('rolledBack');
  });
});
