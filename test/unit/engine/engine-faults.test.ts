/**
 * The engine under faults (issue: never lie about state, never lose a secret, stop safely):
 * a second signal during compensation, a signal during `finally`, state that can no longer
 * be written, and secret values passed between steps.
 */
import { describe, expect, it } from '@jest/globals';
import { runEngine, type EngineOptions } from '../../../src/engine/engine.js';
import type { PriorRunState } from '../../../src/engine/prior-run.js';
import type { Runbook } from '../../../src/runbook/model.js';
import { FakeExecutor, type FakeBehaviour } from '../../helpers/fake-executor.js';
import { runbook, step } from '../../helpers/model.js';
import { RecordingSink } from '../../helpers/recording-reporter.js';

function setup(rb: Runbook, behaviour?: FakeBehaviour, extra: Partial<EngineOptions> = {}) {
  const executor = new FakeExecutor(behaviour);
  const sink = new RecordingSink();
  const run = () => runEngine({ runbook: rb, runId: 'r1', params: {}, secrets: {}, executorFor: () => executor, onEvent: sink.onEvent, startDir: '/tmp', env: {}, ...extra });
  return { executor, sink, run };
}

/** Aborts `controller` when the executor is asked to run a script containing `marker`. */
function abortAt(controller: AbortController, marker: string, rest: FakeBehaviour = () => ({ exitCode: 0 }), reason?: string): FakeBehaviour {
  return (req, call) => {
    if (req.script.includes(marker)) {
      controller.abort(reason);
      return { hangUntilAborted: true };
    }
    return rest(req, call);
  };
}

describe('engine under faults', () => {
  it('a second signal during compensation leaves the run cancelled, with what is still to undo listed, never rolledBack', async () => {
    const cancel = new AbortController();
    const hardStop = new AbortController();
    const rb = runbook([step({ id: 'a', rollback: 'undo a' }), step({ id: 'b', rollback: 'undo b' }), step({ id: 'c', run: 'fail', rollback: 'undo c' })]);
    const behaviour: FakeBehaviour = (req) => {
      if (req.script === 'fail') return { exitCode: 1 };
      if (req.script === 'undo b') {
        cancel.abort();
        hardStop.abort();
        return { hangUntilAborted: true };
      }
      return { exitCode: 0 };
    };
    const { executor, sink, run } = setup(rb, behaviour, { cancel: cancel.signal, hardStop: hardStop.signal });
    expect(await run()).toEqual({ status: 'cancelled', exitCode: 130 });
    expect(executor.scripts).toEqual(['true', 'true', 'fail', 'undo c', 'undo b']);
    const finished = sink.of('run.finished')[0];
    expect(finished?.rollbackPending).toEqual(['b', 'a']);
    // b's rollback started but was cut short: it is pending, not compensated.
    expect(finished?.compensated).toEqual(['c']);
    expect(sink.of('rollback.finished').map((e) => e.stepId)).toEqual(['c']);
  });

  it('a signal while a finally step runs stops it and the steps after it; the run says cancelled', async () => {
    const cancel = new AbortController();
    const rb = runbook([step({ id: 'a' })], { finally: [step({ id: 'f1', run: 'slow finally' }), step({ id: 'f2', run: 'second finally' })] });
    const { executor, sink, run } = setup(rb, abortAt(cancel, 'slow finally'), { cancel: cancel.signal, hardStop: new AbortController().signal });
    expect(await run()).toEqual({ status: 'cancelled', exitCode: 130 });
    expect(executor.scripts).toEqual(['true', 'slow finally']);
    expect(executor.calls[1]?.signal.aborted).toBe(true);
    expect(sink.events.some((e) => e.type === 'run.notice' && e.message.includes('finally step "f2" not run'))).toBe(true);
  });

  it('after a first signal during the steps, finally still runs; only a second signal stops it', async () => {
    const cancel = new AbortController();
    const hardStop = new AbortController();
    const rb = runbook([step({ id: 'a', run: 'slow step', rollback: 'undo a' })], { finally: [step({ id: 'f', run: 'cleanup' })] });
    const { executor, run } = setup(rb, abortAt(cancel, 'slow step'), { cancel: cancel.signal, hardStop: hardStop.signal });
    expect(await run()).toEqual({ status: 'cancelled', exitCode: 130 });
    expect(executor.scripts).toEqual(['slow step', 'undo a', 'cleanup']);
  });

  it('state that cannot be written: the running step is stopped, no new step starts, compensation and finally run, exit 1', async () => {
    const unrecordable = new AbortController();
    const rb = runbook(
      [step({ id: 'a', rollback: 'undo a' }), step({ id: 'b', run: 'printing', rollback: 'undo b' }), step({ id: 'c', run: 'never' })],
      { finally: [step({ id: 'f', run: 'cleanup' })] },
    );
    const { executor, sink, run } = setup(rb, abortAt(unrecordable, 'printing', undefined, 'cannot write the run state in /state: ENOSPC'), { unrecordable: unrecordable.signal });
    expect(await run()).toEqual({ status: 'rolledBack', exitCode: 1 });
    expect(executor.scripts).toEqual(['true', 'printing', 'undo b', 'undo a', 'cleanup']);
    expect(sink.of('run.finished')[0]?.error).toMatch(/stopped at step "b": cannot write the run state in \/state: ENOSPC/);
  });

  it('a step whose start cannot be recorded does not run', async () => {
    const unrecordable = new AbortController();
    const rb = runbook([step({ id: 'a', rollback: 'undo a' }), step({ id: 'b', run: 'must not run' })]);
    let events = 0;
    const { executor, run } = setup(rb, undefined, {
      unrecordable: unrecordable.signal,
      onEvent: (event) => {
        events++;
        if (event.type === 'step.started' && event.stepId === 'b') unrecordable.abort('cannot write: EIO');
      },
    });
    expect(await run()).toEqual({ status: 'rolledBack', exitCode: 1 });
    expect(executor.scripts).toEqual(['true', 'undo a']);
    expect(events).toBeGreaterThan(0);
  });

  it('a step output equal to a secret reaches the next step as the real value; events and journal see ***', async () => {
    const rb = runbook([step({ id: 'a', run: 'make' }), step({ id: 'b', run: 'use ${{ steps.a.outputs.token }} ${{ steps.a.stdout }}' })]);
    const behaviour: FakeBehaviour = (req) => (req.script === 'make' ? { exitCode: 0, outputs: { token: 's3cret', other: 'plain' }, stdout: 's3cret\n' } : { exitCode: 0 });
    const { executor, sink, run } = setup(rb, behaviour, { secrets: { API_TOKEN: 's3cret' } });
    expect(await run()).toEqual({ status: 'succeeded', exitCode: 0 });
    expect(executor.commands[1]).toBe('use s3cret s3cret');
    const finished = sink.of('step.finished')[0];
    expect(finished?.outputs).toEqual({ token: '***', other: 'plain' });
    expect(finished?.maskedOutputs).toEqual(['token']);
    expect(finished?.stdoutTail).toBe('***');
    expect(JSON.stringify(sink.events)).not.toContain('s3cret');
  });

  it('after resume, an output that held a secret is not passed on as ***: the step that needs it fails saying why', async () => {
    const prior: PriorRunState = {
      steps: [{ stepId: 'a', status: 'succeeded', outputs: { token: '***' }, maskedOutputs: ['token'], stdoutTail: '', exitCode: 0, targets: ['local'], rolledBack: false, rollbackFailed: false }],
    };
    const rb = runbook([step({ id: 'a' }), step({ id: 'b', run: 'use ${{ steps.a.outputs.token }}' })]);
    const { executor, sink, run } = setup(rb, undefined, { prior });
    expect(await run()).toEqual({ status: 'rolledBack', exitCode: 1 });
    expect(executor.scripts).toEqual([]);
    expect(sink.of('step.finished')[0]?.error).toMatch(/output `token` of step `a` held a secret value, which is never stored/);
  });

  it('after resume, a stdout tail that held a secret is refused too, never passed on as ***', async () => {
    const prior: PriorRunState = {
      steps: [{ stepId: 'a', status: 'succeeded', outputs: {}, maskedOutputs: [], stdoutTail: 'token ***', stdoutMasked: true, exitCode: 0, targets: ['local'], rolledBack: false, rollbackFailed: false }],
    };
    const rb = runbook([step({ id: 'a' }), step({ id: 'b', run: 'use ${{ steps.a.stdout }}' })]);
    const { executor, sink, run } = setup(rb, undefined, { prior });
    expect(await run()).toEqual({ status: 'rolledBack', exitCode: 1 });
    expect(executor.scripts).toEqual([]);
    expect(sink.of('step.finished')[0]?.error).toMatch(/the stdout of step `a` held a secret value/);
  });

  it('compensation that ran nothing says so in run.finished (compensated: [])', async () => {
    const rb = runbook([step({ id: 'a', run: 'fail' })]);
    const { sink, run } = setup(rb, (req) => ({ exitCode: req.script === 'fail' ? 1 : 0 }));
    expect(await run()).toEqual({ status: 'rolledBack', exitCode: 1 });
    expect(sink.of('run.finished')[0]?.compensated).toEqual([]);
  });

  it('a step whose value is refused before anything ran is not compensated (nothing ran, nothing to undo)', async () => {
    const rb = runbook([
      step({ id: 'a', run: 'do a', rollback: 'undo a' }),
      step({ id: 'b', run: 'echo $(( ${{ steps.a.outputs.n }} + 1 ))', rollback: 'undo b' }),
    ]);
    const { executor, sink, run } = setup(rb, (req) => ({ exitCode: 0, outputs: req.script === 'do a' ? { n: 'a[$(id)]' } : ({} as Record<string, string>) }));
    expect(await run()).toEqual({ status: 'rolledBack', exitCode: 1 });
    expect(executor.scripts).toEqual(['do a', 'undo a']);
    expect(sink.of('step.finished')[1]?.targets[0]?.notRun).toBe(true);
    expect(sink.of('step.finished')[1]?.error).toMatch(/value of steps.a.outputs.n is not a number/);
  });
});
