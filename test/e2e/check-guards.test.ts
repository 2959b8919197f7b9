/**
 * `check:` guards through the built CLI (SPEC §2, issue 19): a check that holds skips the step
 * (marker files prove its script never ran and its rollback was never pushed), a check still
 * failing after the step fails it and compensates it, a check that cannot answer is a step
 * failure of its own, resume after SIGKILL does not re-run a step whose check holds, and a
 * group step over SSH is decided per host. Every file a step or rollback would touch is a
 * marker: its absence is the proof.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { jsonLines, runCli, startCli } from '../helpers/run-cli.js';
import { workspace } from '../helpers/temp-dir.js';

type Event = Record<string, unknown>;

/** Lines of a marker file (none when it does not exist). */
const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

/** Writes the runbook (serialised by the yaml library) into a fresh workspace. */
function setup(runbook: (dir: string) => Record<string, unknown>) {
  const ws = workspace();
  const file = ws.write('runbook.yaml', stringify(runbook(ws.dir)));
  const events = (stdout: string) => jsonLines(stdout);
  return { ws, file, dir: ws.dir, args: ['run', file, '--json', '--state-dir', ws.stateDir], events };
}

const finished = (events: Event[], stepId: string) => events.find((e) => e.type === 'step.finished' && e.stepId === stepId && e.phase === 'run');
const checksOf = (events: Event[], stepId: string) => events.filter((e) => e.type === 'step.check.finished' && e.stepId === stepId).map((e) => `${String(e.when)}:${String(e.result)}`);

describe('check: before the step', () => {
  it('holds: the step is already done, its script never runs, and a later failure compensates nothing of it', async () => {
    const s = setup((dir) => ({
      name: 'holds',
      steps: [
        {
          id: 'install',
          run: `echo ran >> ${dir}/ran-install`,
          check: `echo "$STEPWISE_PHASE" >> ${dir}/check-phase\ntest -e ${dir}/installed`,
          rollback: `echo undo >> ${dir}/undo-install`,
        },
        { id: 'boom', run: 'exit 1' },
      ],
    }));
    writeFileSync(join(s.dir, 'installed'), '');
    const result = await runCli(s.args);
    expect(result.code).toBe(1);
    const events = s.events(result.stdout);
    expect(finished(events, 'install')).toMatchObject({ status: 'alreadyDone', attempt: 0 });
    expect(checksOf(events, 'install')).toEqual(['before:holds']);
    expect(finished(events, 'boom')?.status).toBe('failed');
    expect(lines(join(s.dir, 'ran-install'))).toEqual([]);
    expect(lines(join(s.dir, 'undo-install'))).toEqual([]);
    expect(events.filter((e) => e.type === 'rollback.started' && e.stepId === 'install')).toEqual([]);
    expect(lines(join(s.dir, 'check-phase'))).toEqual(['check']);
  });

  it('fails: the step runs, and the check after it must hold', async () => {
    const s = setup((dir) => ({
      name: 'runs',
      steps: [{ id: 'install', run: `echo ran >> ${dir}/ran-install\ntouch ${dir}/installed`, check: `test -e ${dir}/installed` }],
    }));
    const result = await runCli(s.args);
    expect(result.code).toBe(0);
    const events = s.events(result.stdout);
    expect(finished(events, 'install')?.status).toBe('succeeded');
    expect(checksOf(events, 'install')).toEqual(['before:fails', 'after:holds']);
    expect(lines(join(s.dir, 'ran-install'))).toEqual(['ran']);
  });
});

describe('check: after the step', () => {
  it('still failing: the step fails (its retry covers run + check) and its rollback runs', async () => {
    const s = setup((dir) => ({
      name: 'unmet',
      steps: [
        { id: 'before', run: 'true', rollback: `echo undo >> ${dir}/undo-before` },
        { id: 'install', run: `echo ran >> ${dir}/ran-install`, check: `test -e ${dir}/never`, retry: { attempts: 2, delay: '100ms' }, rollback: `echo undo >> ${dir}/undo-install` },
      ],
    }));
    const result = await runCli(s.args);
    expect(result.code).toBe(1);
    const events = s.events(result.stdout);
    expect(finished(events, 'install')).toMatchObject({ status: 'failed', error: 'step "install" ran but its check still fails: the desired state does not hold' });
    expect(checksOf(events, 'install')).toEqual(['before:fails', 'after:fails', 'after:fails']);
    expect(lines(join(s.dir, 'ran-install'))).toEqual(['ran', 'ran']);
    expect(lines(join(s.dir, 'undo-install'))).toEqual(['undo']);
    expect(lines(join(s.dir, 'undo-before'))).toEqual(['undo']);
  });

  it('after: false: no check after the step', async () => {
    const s = setup((dir) => ({ name: 'no-after', steps: [{ id: 'start', run: `echo ran >> ${dir}/ran`, check: { run: `test -e ${dir}/never`, after: false } }] }));
    const result = await runCli(s.args);
    expect(result.code).toBe(0);
    const events = s.events(result.stdout);
    expect(checksOf(events, 'start')).toEqual(['before:fails']);
    expect(lines(join(s.dir, 'ran'))).toEqual(['ran']);
  });
});

describe('a check that cannot answer is a step failure of its own', () => {
  it.each([
    ['times out', { run: 'sleep 30', timeout: '300ms' }, /^step "install": its check could not run: check of "install" timed out after .* \(timeout 300ms\)$/],
    ['cannot start', { run: 'true', shell: '/nonexistent/shell' }, /^step "install": its check could not run: .*\/nonexistent\/shell/],
  ])('a check that %s: the step fails with that reason, nothing of it runs, nothing is compensated', async (_what, check, message) => {
    const s = setup((dir) => ({
      name: 'broken-check',
      steps: [{ id: 'install', run: `echo ran >> ${dir}/ran-install`, check, rollback: `echo undo >> ${dir}/undo-install` }],
    }));
    const result = await runCli(s.args);
    expect(result.code).toBe(1);
    const events = s.events(result.stdout);
    expect(String(finished(events, 'install')?.status)).toBe('failed');
    expect(String(finished(events, 'install')?.error)).toMatch(message);
    expect(checksOf(events, 'install')).toEqual(['before:error']);
    expect(lines(join(s.dir, 'ran-install'))).toEqual([]);
    expect(lines(join(s.dir, 'undo-install'))).toEqual([]);
  });
});

describe('resume after SIGKILL of the runner', () => {
  /** Step `a` does its work, then waits until killed (first run only); the runner is SIGKILLed by pid. */
  const crashing = (dir: string, extra: Array<Record<string, unknown>> = []) => ({
    name: 'crash',
    steps: [
      {
        id: 'a',
        run: `echo ran >> ${dir}/ran-a\ntouch ${dir}/a-done\nif [ ! -e ${dir}/killed ]; then echo in-a; sleep 60; fi`,
        check: `test -e ${dir}/a-done`,
        rollback: `echo undo >> ${dir}/undo-a`,
      },
      { id: 'b', run: `echo ran >> ${dir}/ran-b` },
      ...extra,
    ],
  });

  async function killInA(s: ReturnType<typeof setup>): Promise<string> {
    const cli = startCli(s.args);
    await cli.waitFor('in-a');
    process.kill(cli.child.pid ?? 0, 'SIGKILL');
    const killed = await cli.done;
    expect(killed.signal).toBe('SIGKILL');
    writeFileSync(join(s.dir, 'killed'), '');
    return String(jsonLines(killed.stdout)[0]?.runId);
  }

  it('the step that was running is checked first: its check holds, so it is not run again', async () => {
    const s = setup((dir) => crashing(dir));
    const runId = await killInA(s);
    const resumed = await runCli(['resume', runId, '--json', '--state-dir', s.ws.stateDir]);
    expect(resumed.code).toBe(0);
    const events = s.events(resumed.stdout);
    expect(finished(events, 'a')?.status).toBe('alreadyDone');
    expect(checksOf(events, 'a')).toEqual(['before:holds']);
    expect(lines(join(s.dir, 'ran-a'))).toEqual(['ran']);
    expect(lines(join(s.dir, 'ran-b'))).toEqual(['ran']);
  });

  // SPEC §3.7: rollbacks run over every step that started. The killed run did a's work (that
  // is why its check holds on resume), so a later failure must still compensate it.
  it('a step found already done on resume was started by the killed run: a later failure still compensates it', async () => {
    const s = setup((dir) => crashing(dir, [{ id: 'boom', run: 'exit 1' }]));
    const runId = await killInA(s);
    const resumed = await runCli(['resume', runId, '--json', '--state-dir', s.ws.stateDir]);
    expect(resumed.code).toBe(1);
    expect(lines(join(s.dir, 'ran-a'))).toEqual(['ran']);
    expect(lines(join(s.dir, 'undo-a'))).toEqual(['undo']);
  });
});
