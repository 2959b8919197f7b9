import { describe, expect, it } from '@jest/globals';
import { summarizeRun } from '../../../src/journal/run-summary.js';
import { retrying, rollbackFinished, rollbackStarted, runFinished, runStarted, stepFinished, stepStarted } from '../../helpers/engine-events.js';
import type { EngineEvent } from '../../../src/engine/events.js';

describe('summarizeRun', () => {
  const events: EngineEvent[] = [
    runStarted(['backup', 'migrate', 'verify']),
    stepStarted('backup', { targets: ['db-1'] }),
    stepFinished('backup', { durationMs: 1200 }),
    stepStarted('migrate', { maxAttempts: 3 }),
    retrying('migrate', 1),
    retrying('migrate', 2, { exitCode: 2, error: 'exit code 2' }),
    stepFinished('migrate', { status: 'failed', exitCode: 2, attempt: 3, error: 'step "migrate" failed', durationMs: 3400 }),
    { type: 'step.decision', stepId: 'migrate', choice: 'rollback', note: 'db looks odd', time: 't', runId: 'r' },
    rollbackStarted('migrate'),
    rollbackFinished('migrate'),
    { type: 'run.notice', level: 'warn', message: 'lock taken over', time: 't', runId: 'r' },
    stepStarted('notify', { phase: 'finally' }),
    stepFinished('notify', { phase: 'finally' }),
    runFinished({ status: 'rolledBack', exitCode: 1, error: 'step "migrate" failed' }),
  ];

  it('lists planned steps in order (unstarted ones too), then finally steps', () => {
    const s = summarizeRun(events);
    expect(s.steps.map((x) => [x.stepId, x.phase, x.status])).toEqual([
      ['backup', 'run', 'succeeded'], ['migrate', 'run', 'failed'], ['verify', 'run', 'notStarted'], ['notify', 'finally', 'succeeded'],
    ]);
  });

  it('keeps attempts, exit codes, durations, targets, decisions and the rollback of a step', () => {
    const migrate = summarizeRun(events).steps[1];
    expect(migrate).toMatchObject({
      exitCode: 2, attempt: 3, maxAttempts: 3, durationMs: 3400, error: 'step "migrate" failed', executions: 1,
      failedAttempts: [{ attempt: 1, exitCode: 1 }, { attempt: 2, exitCode: 2, error: 'exit code 2' }],
      decisions: [{ choice: 'rollback', note: 'db looks odd' }],
      rollback: { status: 'succeeded', exitCode: 0, targets: ['local'] },
    });
    expect(summarizeRun(events).steps[0]?.targets).toEqual(['db-1']);
  });

  it('records sessions, notices and what was lost', () => {
    const s = summarizeRun(events, [{ line: 9, reason: 'torn', bytes: 3, detail: 'x' }]);
    expect(s).toMatchObject({ runbook: 'demo', file: '/rb/demo.yaml', lost: [{ line: 9 }], notices: [{ level: 'warn', message: 'lock taken over' }] });
    expect(s.sessions).toEqual([expect.objectContaining({ mode: 'run', status: 'rolledBack', exitCode: 1, error: 'step "migrate" failed' })]);
  });

  it('shows a step still running when the journal ends as started', () => {
    const s = summarizeRun([runStarted(['a']), stepStarted('a')]);
    expect(s.steps[0]?.status).toBe('started');
    expect(s.sessions[0]?.finishedAt).toBeUndefined();
  });
});
