/** The run report says what happened in the live view's words: no "rolled back" when nothing was, "declined" for a confirm answered no. */
import { afterAll, describe, expect, it } from '@jest/globals';
import type { EngineEvent } from '../../../src/engine/events.js';
import { loadRun } from '../../../src/journal/load-run.js';
import { describeOutcome } from '../../../src/report/outcome.js';
import { cleanTempDirs, tempStateDir } from '../../helpers/temp-dir.js';
import { runFinished, runStarted, stepFinished, stepStarted, tick } from '../../helpers/engine-events.js';
import { recordRun } from '../../helpers/report-runs.js';

afterAll(cleanTempDirs);

const RUN = '20261127T101500.000Z-bbbb';
const load = (events: EngineEvent[]) => {
  const state = tempStateDir();
  recordRun(state, RUN, events);
  return loadRun(state, RUN);
};

describe('report outcome words', () => {
  it('a failed run whose compensation found nothing to undo is not called rolled back', () => {
    const run = load([runStarted(['b']), stepStarted('b'), stepFinished('b', { status: 'failed', exitCode: 2 }), runFinished({ status: 'rolledBack', exitCode: 1, compensated: [] })]);
    expect(describeOutcome(run)).toMatchObject({ title: 'Failed, nothing to undo', detail: 'Step "b" failed; nothing to undo.' });
  });

  it('a confirm answered no was declined', () => {
    const run = load([
      runStarted(['go']),
      stepStarted('go'),
      { type: 'step.decision', stepId: 'go', choice: 'no', time: tick(), runId: RUN },
      stepFinished('go', { status: 'failed', exitCode: null, error: 'step "go": the operator answered no to "Go?"' }),
      runFinished({ status: 'rolledBack', exitCode: 1, compensated: [] }),
    ]);
    expect(describeOutcome(run)).toMatchObject({ title: 'Failed, nothing to undo', detail: 'Step "go" was declined; nothing to undo.' });
  });
});
