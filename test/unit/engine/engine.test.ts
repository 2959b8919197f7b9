import { describe, expect, it, jest } from '@jest/globals';
import { runEngine, type EngineOptions } from '../../../src/engine/engine.js';
import type { Runbook } from '../../../src/runbook/model.js';
import { FakeExecutor, type FakeBehaviour } from '../../helpers/fake-executor.js';
import { command, runbook, step } from '../../helpers/model.js';
import { RecordingSink } from '../../helpers/recording-reporter.js';

function setup(rb: Runbook, behaviour?: FakeBehaviour, extra: Partial<EngineOptions> = {}) {
  const executor = new FakeExecutor(behaviour);
  const sink = new RecordingSink();
  const run = () =>
    runEngine({ runbook: rb, runId: 'r1', params: {}, secrets: {}, executorFor: () => executor, onEvent: sink.onEvent, startDir: '/tmp', env: {}, ...extra });
  return { executor, sink, run };
}

const failOn = (marker: string): FakeBehaviour => (req) => ({ exitCode: req.script.includes(marker) ? 1 : 0 });

describe('engine', () => {
  it('runs steps strictly in order and succeeds with exit 0', async () => {
    const { executor, sink, run } = setup(runbook([step({ id: 'a', run: 'echo a' }), step({ id: 'b', run: 'echo b' })]));
    expect(await run()).toEqual({ status: 'succeeded', exitCode: 0 });
    expect(executor.scripts).toEqual(['echo a', 'echo b']);
    expect(sink.trail).toEqual(['run.started', 'step.started:a', 'step.finished:a:succeeded', 'step.started:b', 'step.finished:b:succeeded', 'run.finished:succeeded']);
  });

  it('every event carries type, time and runId', async () => {
    const { sink, run } = setup(runbook([step({ id: 'a' })]));
    await run();
    for (const e of sink.events) {
      expect(e.runId).toBe('r1');
      expect(new Date(e.time).toISOString()).toBe(e.time);
    }
  });

  it('skips a step whose condition is false and never compensates it', async () => {
    const rb = runbook(
      [step({ id: 'a', when: "params.env == 'prod'", rollback: 'undo a' }), step({ id: 'b', run: 'fail', rollback: 'undo b' })],
      { params: [] },
    );
    const { executor, sink, run } = setup(rb, failOn('fail'), { params: { env: 'staging' } });
    expect(await run()).toEqual({ status: 'rolledBack', exitCode: 1 });
    expect(executor.scripts).toEqual(['fail', 'undo b']);
    expect(sink.of('step.finished')[0]?.status).toBe('skipped');
  });

  it('compensates in reverse order, the failed step first, passing over steps without rollback', async () => {
    const rb = runbook([
      step({ id: 'a', run: 'do a', rollback: 'undo a' }),
      step({ id: 'b', run: 'do b' }),
      step({ id: 'c', run: 'do c', rollback: 'undo c' }),
      step({ id: 'd', run: 'do d fail', rollback: 'undo d' }),
      step({ id: 'e', run: 'do e', rollback: 'undo e' }),
    ]);
    const { executor, sink, run } = setup(rb, failOn('fail'));
    expect(await run()).toEqual({ status: 'rolledBack', exitCode: 1 });
    expect(executor.scripts).toEqual(['do a', 'do b', 'do c', 'do d fail', 'undo d', 'undo c', 'undo a']);
    expect(sink.of('rollback.started').map((e) => e.stepId)).toEqual(['d', 'c', 'a']);
    const rollbackCall = executor.calls[4];
    expect(rollbackCall?.env.STEPWISE_PHASE).toBe('rollback');
    expect(rollbackCall?.env.STEPWISE_STEP_ID).toBe('d');
  });

  it('a failing rollback is reported, the rest still run, exit 3', async () => {
    const rb = runbook([
      step({ id: 'a', rollback: 'undo a' }),
      step({ id: 'b', rollback: 'undo b fail' }),
      step({ id: 'c', run: 'c fail' }),
    ]);
    const { executor, sink, run } = setup(rb, failOn('fail'));
    expect(await run()).toEqual({ status: 'rollbackFailed', exitCode: 3 });
    expect(executor.scripts.slice(-2)).toEqual(['undo b fail', 'undo a']);
    expect(sink.of('rollback.finished').map((e) => `${e.stepId}:${e.status}`)).toEqual(['b:failed', 'a:succeeded']);
  });

  it('onFailure: halt and --no-rollback halt without compensating, exit 1', async () => {
    for (const extra of [{ rb: { onFailure: 'halt' as const }, opts: {} }, { rb: {}, opts: { noRollback: true } }]) {
      const rb = runbook([step({ id: 'a', rollback: 'undo a' }), step({ id: 'b', run: 'fail' })], extra.rb);
      const { executor, run } = setup(rb, failOn('fail'), extra.opts);
      expect(await run()).toEqual({ status: 'failed', exitCode: 1 });
      expect(executor.scripts).toEqual(['true', 'fail']);
    }
  });

  it('continueOnError lets the run go on and end with exit 0', async () => {
    const rb = runbook([step({ id: 'a', run: 'fail', continueOnError: true }), step({ id: 'b' })]);
    const { sink, run } = setup(rb, failOn('fail'));
    expect(await run()).toEqual({ status: 'succeeded', exitCode: 0 });
    expect(sink.of('step.finished')[0]).toMatchObject({ status: 'failed', continueOnError: true });
  });

  it('finally runs after compensation and sees run.status', async () => {
    const rb = runbook([step({ id: 'a', run: 'fail', rollback: 'undo a' })], {
      finally: [step({ id: 'notify', run: 'echo ${{ run.status }}' })],
    });
    const { executor, run } = setup(rb, failOn('fail'));
    await run();
    expect(executor.commands).toEqual(['fail', 'undo a', 'echo rolledBack']);
  });

  it('a failing finally step fails a run that had succeeded', async () => {
    const rb = runbook([step({ id: 'a' })], { finally: [step({ id: 'cleanup', run: 'fail' })] });
    const { run } = setup(rb, failOn('fail'));
    expect(await run()).toEqual({ status: 'failed', exitCode: 1 });
  });

  it('passes outputs between steps and fails a step that refers to an output never written', async () => {
    const rb = runbook([
      step({ id: 'make', run: 'make' }),
      step({ id: 'use', run: 'use ${{ steps.make.outputs.file }}' }),
      step({ id: 'missing', run: 'use ${{ steps.make.outputs.nope }}' }),
    ]);
    const { executor, sink, run } = setup(rb, (req) => ({ exitCode: 0, outputs: req.script === 'make' ? { file: '/tmp/x y' } : ({} as Record<string, string>) }));
    expect(await run()).toEqual({ status: 'rolledBack', exitCode: 1 });
    expect(executor.commands).toEqual(['make', 'use /tmp/x y']);
    const missing = sink.of('step.finished').find((e) => e.stepId === 'missing');
    expect(missing?.error).toMatch(/did not write output `nope` \(it wrote: file\)/);
  });

  it('exposes stdout, status and exitCode of earlier steps', async () => {
    const rb = runbook([
      step({ id: 'a', run: 'a', continueOnError: true }),
      step({ id: 'b', run: 'echo ${{ steps.a.stdout }} ${{ steps.a.status }} ${{ steps.a.exitCode }}' }),
    ]);
    const { executor, run } = setup(rb, (req) => (req.script === 'a' ? { exitCode: 4, stdout: 'hello\nworld\n' } : { exitCode: 0 }));
    await run();
    expect(executor.commands[1]).toBe('echo hello\nworld failed 4');
  });

  it('sets STEPWISE_* variables and step env', async () => {
    const rb = runbook([step({ id: 'a', command: { env: { GREETING: 'hi ${{ params.who }}' } } })], { env: { BASE: 'b' } });
    const { executor, run } = setup(rb, undefined, { params: { who: 'ops' } });
    await run();
    expect(executor.calls[0]?.env).toMatchObject({ STEPWISE_RUN_ID: 'r1', STEPWISE_STEP_ID: 'a', STEPWISE_ATTEMPT: '1', STEPWISE_PHASE: 'run', GREETING: 'hi ops', BASE: 'b' });
  });

  it('masks secrets in output, errors, params and outputs', async () => {
    const rb = runbook([step({ id: 'a', run: 'leak' })], { params: [{ name: 'token', type: 'string', required: false, secret: true, location: { file: 'x', line: 1, col: 1 } }] });
    const { sink, run } = setup(rb, () => ({ exitCode: 1, stdout: 'token=s3cr3t here\n', outputs: { t: 'xs3cr3tx' } }), { params: { token: 's3cr3t' }, secrets: {} });
    await run();
    const text = JSON.stringify(sink.events);
    expect(text).not.toContain('s3cr3t');
    expect(sink.of('step.output')[0]?.lines).toEqual(['token=*** here']);
  });

  it('a confirm step without a terminal fails at once naming --yes; --yes answers it', async () => {
    const rb = runbook([step({ id: 'gate', confirm: 'Go?' }), step({ id: 'after' })]);
    const denied = setup(rb);
    expect((await denied.run()).exitCode).toBe(1);
    expect(denied.sink.of('step.finished')[0]?.error).toMatch(/--yes/);
    const allowed = setup(rb, undefined, { assumeYes: true });
    expect((await allowed.run()).exitCode).toBe(0);
    expect(allowed.executor.scripts).toEqual(['true']);
  });

  it('--from and --only select steps', async () => {
    const rb = runbook(['a', 'b', 'c'].map((id) => step({ id, run: id })));
    const from = setup(rb, undefined, { from: 'b' });
    await from.run();
    expect(from.executor.scripts).toEqual(['b', 'c']);
    const only = setup(rb, undefined, { only: ['a', 'c'] });
    await only.run();
    expect(only.executor.scripts).toEqual(['a', 'c']);
  });
});

describe('retries', () => {
  it('retries with exponential backoff capped by maxDelay, reporting each attempt', async () => {
    jest.useFakeTimers();
    try {
      const retry = { attempts: 4, delayMs: 1000, backoff: 3, maxDelayMs: 5000 };
      const rb = runbook([step({ id: 'flaky', command: { retry } })]);
      const { sink, run, executor } = setup(rb, (req, call) => ({ exitCode: call < 4 ? 1 : 0 }));
      const done = run();
      for (let i = 0; i < 10; i++) await jest.advanceTimersByTimeAsync(10_000);
      expect(await done).toEqual({ status: 'succeeded', exitCode: 0 });
      expect(sink.of('step.retrying').map((e) => [e.attempt, e.delayMs])).toEqual([
        [1, 1000],
        [2, 3000],
        [3, 5000],
      ]);
      expect(executor.calls.map((c) => c.env.STEPWISE_ATTEMPT)).toEqual(['1', '2', '3', '4']);
      expect(sink.of('step.finished')[0]?.attempt).toBe(4);
    } finally {
      jest.useRealTimers();
    }
  });

  it('a timed-out attempt counts as failed and is retried; the message gives elapsed and limit', async () => {
    const rb = runbook([step({ id: 'slow', command: { timeoutMs: 50, retry: { attempts: 2, delayMs: 0, backoff: 1 } } })]);
    const { sink, run } = setup(rb, () => ({ hangUntilAborted: true }));
    expect(await run()).toEqual({ status: 'rolledBack', exitCode: 1 });
    expect(sink.of('step.retrying')).toHaveLength(1);
    const finished = sink.of('step.finished')[0];
    expect(finished?.status).toBe('timedOut');
    expect(finished?.error).toMatch(/step "slow" timed out after \d+ms \(timeout 50ms\)/);
  });
});

describe('cancellation', () => {
  it('first signal stops the step, compensates, runs finally, status cancelled (130)', async () => {
    const cancel = new AbortController();
    const rb = runbook([step({ id: 'a', rollback: 'undo a' }), step({ id: 'b', run: 'hang', rollback: 'undo b' }), step({ id: 'c' })], {
      finally: [step({ id: 'fin', run: 'fin' })],
    });
    const { executor, run } = setup(rb, (req) => {
      if (req.script === 'hang') cancel.abort(); // the signal arrives while the step runs
      return { hangUntilAborted: req.script === 'hang', exitCode: 0 };
    }, { cancel: cancel.signal });
    expect(await run()).toEqual({ status: 'cancelled', exitCode: 130 });
    expect(executor.scripts).toEqual(['true', 'hang', 'undo b', 'undo a', 'fin']);
  });

  it('second signal stops compensation at once and leaves the rest pending', async () => {
    const cancel = new AbortController();
    const hardStop = new AbortController();
    const rb = runbook([step({ id: 'a', rollback: 'undo a' }), step({ id: 'b', rollback: 'undo b hang' }), step({ id: 'c', run: 'hang' })]);
    const { executor, sink, run } = setup(rb, (req) => {
      // Each signal arrives while its command runs: the first during step c, the second during b's rollback.
      if (req.script === 'hang') cancel.abort();
      if (req.script === 'undo b hang') hardStop.abort();
      return { hangUntilAborted: req.script.includes('hang'), exitCode: 0 };
    }, { cancel: cancel.signal, hardStop: hardStop.signal });
    expect(await run()).toEqual({ status: 'cancelled', exitCode: 130 });
    expect(executor.scripts).toEqual(['true', 'true', 'hang', 'undo b hang']);
    expect(sink.of('run.finished')[0]?.rollbackPending).toEqual(['b', 'a']);
  });
});

describe('resume and rollback from a prior state', () => {
  const prior = (steps: Array<{ stepId: string; status: 'succeeded' | 'failed' | 'started'; outputs?: Record<string, string>; rolledBack?: boolean }>) => ({
    steps: steps.map((s) => ({ outputs: {}, maskedOutputs: [], stdoutTail: '', exitCode: 0, targets: ['local'], rolledBack: false, rollbackFailed: false, ...s })),
  });

  it('resume re-runs from the first step that did not succeed, with earlier outputs restored', async () => {
    const rb = runbook([step({ id: 'a', run: 'a' }), step({ id: 'b', run: 'b ${{ steps.a.outputs.x }}' }), step({ id: 'c', run: 'c' })]);
    const { executor, run } = setup(rb, undefined, { prior: prior([{ stepId: 'a', status: 'succeeded', outputs: { x: '42' } }, { stepId: 'b', status: 'started' }]) });
    expect(await run()).toEqual({ status: 'succeeded', exitCode: 0 });
    expect(executor.commands).toEqual(['b 42', 'c']);
  });

  it('compensation after a resume still covers steps completed before it', async () => {
    const rb = runbook([step({ id: 'a', run: 'a', rollback: 'undo a' }), step({ id: 'b', run: 'b fail', rollback: 'undo b' })]);
    const { executor, run } = setup(rb, failOn('fail'), { prior: prior([{ stepId: 'a', status: 'succeeded' }]) });
    await run();
    expect(executor.scripts).toEqual(['b fail', 'undo b', 'undo a']);
  });

  it('rollback mode compensates started steps newest first, including one that was running', async () => {
    const rb = runbook([step({ id: 'a', rollback: 'undo a' }), step({ id: 'b', rollback: 'undo b' }), step({ id: 'c', rollback: 'undo c' })]);
    const { executor, run } = setup(rb, undefined, { mode: 'rollback', prior: prior([{ stepId: 'a', status: 'succeeded' }, { stepId: 'b', status: 'started' }]) });
    expect(await run()).toEqual({ status: 'rolledBack', exitCode: 1 });
    expect(executor.scripts).toEqual(['undo b', 'undo a']);
  });
});

describe('commands', () => {
  it('a library step gets typed inputs from with:', async () => {
    const lib = command('wait ${{ inputs.host }}:${{ inputs.port }}', {
      library: {
        name: 'wait-for-port',
        file: '/x.yaml',
        inputs: [
          { name: 'host', type: 'string', required: false, default: '127.0.0.1', secret: false, location: { file: 'x', line: 1, col: 1 } },
          { name: 'port', type: 'integer', required: true, secret: false, location: { file: 'x', line: 1, col: 1 } },
        ],
        with: { port: '${{ params.port }}' },
      },
    });
    const rb = runbook([{ ...step({ id: 'w' }), action: { kind: 'run', command: lib } }]);
    const { executor, run } = setup(rb, undefined, { params: { port: 5432 } });
    await run();
    expect(executor.commands).toEqual(['wait 127.0.0.1:5432']);
  });
});
