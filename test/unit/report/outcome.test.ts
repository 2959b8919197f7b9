import { afterAll, describe, expect, it } from '@jest/globals';
import type { EngineEvent } from '../../../src/engine/events.js';
import { loadRun } from '../../../src/journal/load-run.js';
import { describeOutcome, nextSteps } from '../../../src/report/outcome.js';
import { cleanTempDirs, tempStateDir } from '../../helpers/temp-dir.js';
import { output, rollbackFinished, rollbackStarted, runFinished, runStarted, stepFinished, stepStarted, tick } from '../../helpers/engine-events.js';
import { recordRun } from '../../helpers/report-runs.js';

afterAll(cleanTempDirs);

const RUN = '20261127T101500.000Z-aaaa';
const load = (events: EngineEvent[]) => {
  const state = tempStateDir();
  recordRun(state, RUN, events);
  return loadRun(state, RUN);
};
const failedStep = (id: string) => stepFinished(id, { status: 'failed', exitCode: 2, error: `step "${id}" failed with exit code 2` });
const commands = (run: ReturnType<typeof load>) => nextSteps(run).map((a) => a.command ?? a.text);

describe('describeOutcome and nextSteps', () => {
  it('a success: counts, and nothing to do', () => {
    const run = load([runStarted(['a', 'b']), stepStarted('a'), stepFinished('a'), stepFinished('b', { status: 'skipped', targets: [] }), runFinished()]);
    expect(describeOutcome(run)).toEqual({ title: 'Succeeded', tone: 'ok', detail: '1 step succeeded, 1 skipped.' });
    expect(commands(run)).toEqual(['Nothing to resume or roll back.']);
  });

  it('rolled back: names the failed step and what was compensated, or that there was nothing to undo', () => {
    const run = load([runStarted(['a', 'b']), stepStarted('a'), stepFinished('a'), stepStarted('b'), failedStep('b'), rollbackStarted('a'), rollbackFinished('a'), runFinished({ status: 'rolledBack', exitCode: 1 })]);
    expect(describeOutcome(run)).toMatchObject({ title: 'Failed, rolled back', detail: 'Step "b" failed; 1 step compensated ("a").' });
    const nothing = load([runStarted(['b']), stepStarted('b'), failedStep('b'), runFinished({ status: 'rolledBack', exitCode: 1 })]);
    expect(describeOutcome(nothing).detail).toBe('Step "b" failed; nothing to undo.');
  });

  it('rollback failed: says a human must look, and that `rollback` retries the failed compensations', () => {
    const run = load([runStarted(['a']), stepStarted('a'), failedStep('a'), rollbackStarted('a'), rollbackFinished('a', { status: 'failed', exitCode: 5 }), runFinished({ status: 'rollbackFailed', exitCode: 3 })]);
    expect(describeOutcome(run)).toMatchObject({ title: 'Rollback failed: a human must look', detail: 'Step "a" failed, and the rollback of "a" failed.' });
    expect(commands(run)).toEqual([`stepwise rollback ${RUN}`]);
  });

  it('halted without compensation, and failed only in finally', () => {
    const halted = load([runStarted(['a']), stepStarted('a'), failedStep('a'), runFinished({ status: 'failed', exitCode: 1 })]);
    expect(describeOutcome(halted)).toMatchObject({ title: 'Failed, not compensated', detail: 'Step "a" failed; the run halted without compensating.' });
    expect(commands(halted)).toEqual([`stepwise resume ${RUN}`, `stepwise rollback ${RUN}`]);
    const fin = load([runStarted(['a']), stepStarted('a'), stepFinished('a'), stepStarted('f', { phase: 'finally' }), stepFinished('f', { phase: 'finally', status: 'failed', exitCode: 1 }), runFinished({ status: 'failed', exitCode: 1 })]);
    expect(describeOutcome(fin)).toMatchObject({ title: 'Failed in finally', detail: 'The steps succeeded, but finally step "f" failed.' });
  });

  it('interrupted: compensated, cut short by a second signal, or not compensated', () => {
    const compensated = load([runStarted(['a', 'b']), stepStarted('a'), stepFinished('a'), stepStarted('b'), failedStep('b'), rollbackStarted('a'), rollbackFinished('a'), runFinished({ status: 'cancelled', exitCode: 130 })]);
    expect(describeOutcome(compensated)).toMatchObject({ title: 'Interrupted', detail: 'The run was interrupted; 1 step compensated ("a").' });
    expect(commands(compensated)).toEqual([`stepwise resume ${RUN}`]);
    const cut = load([runStarted(['a']), stepStarted('a'), stepFinished('a'), runFinished({ status: 'cancelled', exitCode: 130, rollbackPending: ['a'] })]);
    expect(describeOutcome(cut).detail).toBe('The run was interrupted; compensation was cut short by a second signal; not compensated: "a".');
    expect(commands(cut)).toEqual([`stepwise rollback ${RUN}`]);
    const kept = load([runStarted(['a']), stepStarted('a'), stepFinished('a'), { type: 'run.notice', level: 'info', message: `compensation not run; to run it later: stepwise rollback ${RUN}`, time: tick(), runId: RUN }, runFinished({ status: 'cancelled', exitCode: 130 })]);
    expect(describeOutcome(kept).detail).toBe('The run was interrupted; compensation was not run.');
    expect(commands(kept)).toEqual([`stepwise resume ${RUN}`, `stepwise rollback ${RUN}`]);
  });

  it('crashed and running: where it got to, and what to do', () => {
    const events = [runStarted(['a', 'b']), stepStarted('a'), stepFinished('a'), stepStarted('b'), output('b', ['working'])];
    const crashed = load(events);
    expect(crashed.state).toBe('crashed');
    expect(describeOutcome(crashed)).toMatchObject({ title: 'Crashed', tone: 'warn' });
    expect(describeOutcome(crashed).detail).toMatch(/^The runner stopped before the run finished \(last record at .*Z\), while step "b" was running\.$/);
    expect(commands(crashed)).toEqual([`stepwise resume ${RUN}`, `stepwise rollback ${RUN}`]);
    const live = { ...crashed, state: 'running' as const };
    expect(describeOutcome(live)).toMatchObject({ title: 'In progress', tone: 'live' });
    expect(describeOutcome(live).detail).toMatch(/^The run is still going: step "b" is running\. This report shows what was recorded up to .*Z\.$/);
    expect(commands(live)).toEqual([`stepwise report ${RUN}`]);
  });
});
