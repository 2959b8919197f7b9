import { describe, expect, it } from '@jest/globals';
import { priorRunState } from '../../../src/journal/prior-state.js';
import { batch, output, rollbackFinished, rollbackStarted, runFinished, runStarted, stepFinished, stepStarted, successfulRun } from '../../helpers/engine-events.js';

describe('priorRunState', () => {
  it('reports completed steps with outputs, stdout tail and exit code', () => {
    const state = priorRunState(successfulRun(['a', 'b']));
    expect(state.steps).toEqual([
      { stepId: 'a', status: 'succeeded', outputs: { who: 'a' }, maskedOutputs: [], stdoutTail: 'hello from a', stdoutMasked: false, exitCode: 0, targets: ['local'], rolledBack: false, rollbackFailed: false },
      { stepId: 'b', status: 'succeeded', outputs: { who: 'b' }, maskedOutputs: [], stdoutTail: 'hello from b', stdoutMasked: false, exitCode: 0, targets: ['local'], rolledBack: false, rollbackFailed: false },
    ]);
  });

  it('marks the step the runner died in as started', () => {
    const state = priorRunState([runStarted(['a', 'b']), stepStarted('a'), stepFinished('a'), stepStarted('b'), output('b', ['x'])]);
    expect(state.steps.map((s) => [s.stepId, s.status])).toEqual([['a', 'succeeded'], ['b', 'started']]);
  });

  it('keeps only hosts whose batch began, in start order, for a serial group step', () => {
    const state = priorRunState([
      runStarted(['r']),
      stepStarted('r', { targets: ['w1', 'w2', 'w3', 'w4'] }),
      batch('r', ['w2', 'w1']),
      batch('r', ['w3']),
    ]);
    expect(state.steps[0]?.targets).toEqual(['w2', 'w1', 'w3']);
  });

  it('uses the start targets when no batches were reported, merged over resumes', () => {
    const state = priorRunState([
      runStarted(['r']), stepStarted('r', { targets: ['w1'] }),
      runStarted(['r'], { resumed: true }), stepStarted('r', { targets: ['w1', 'w2'] }), stepFinished('r'),
    ]);
    expect(state.steps[0]).toMatchObject({ status: 'succeeded', targets: ['w1', 'w2'] });
  });

  it('lets a later run of a step override an earlier failure (resume)', () => {
    const state = priorRunState([
      runStarted(['a']), stepStarted('a'), stepFinished('a', { status: 'failed', exitCode: 3 }), runFinished({ status: 'failed', exitCode: 1 }),
      runStarted(['a'], { resumed: true }), stepStarted('a'), stepFinished('a', { outputs: { k: 'v' } }),
    ]);
    expect(state.steps[0]).toMatchObject({ status: 'succeeded', exitCode: 0, outputs: { k: 'v' } });
  });

  it('tracks rollback progress: done, failed, or interrupted (pending)', () => {
    const state = priorRunState([
      runStarted(['a', 'b', 'c']),
      stepStarted('a'), stepFinished('a'), stepStarted('b'), stepFinished('b'), stepStarted('c'), stepFinished('c', { status: 'failed', exitCode: 1 }),
      rollbackStarted('c'), rollbackFinished('c', { status: 'failed', exitCode: 4 }),
      rollbackStarted('b'), rollbackFinished('b'),
      rollbackStarted('a'), // second signal: never finished
      runFinished({ status: 'cancelled', exitCode: 130, rollbackPending: ['a'] }),
    ]);
    expect(state.steps.map((s) => [s.stepId, s.rolledBack, s.rollbackFailed])).toEqual([
      ['a', false, false], ['b', true, false], ['c', true, true],
    ]);
  });

  it('ignores finally steps and keeps skipped steps (a skip has no start record)', () => {
    const state = priorRunState([
      runStarted(['a']), stepFinished('a', { status: 'skipped', exitCode: null, targets: [] }),
      stepStarted('n', { phase: 'finally' }), stepFinished('n', { phase: 'finally' }), runFinished(),
    ]);
    expect(state.steps).toEqual([expect.objectContaining({ stepId: 'a', status: 'skipped', targets: [] })]);
  });

  it('still knows a step whose start record was lost from its rollback record', () => {
    const state = priorRunState([rollbackStarted('x', ['h1']), rollbackFinished('x')]);
    expect(state.steps).toEqual([expect.objectContaining({ stepId: 'x', status: 'started', targets: ['h1'], rolledBack: true })]);
  });
});
