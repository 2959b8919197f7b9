/** The plain reporter (cron, pipes, CI): exact lines for a fixed event stream, and --quiet. */
import { describe, expect, it } from '@jest/globals';
import type { EngineEvent, EventInput } from '../../../src/engine/events.js';
import { dispatch } from '../../../src/reporters/multiplexer.js';
import { createPlainReporter } from '../../../src/reporters/plain-reporter.js';

const EVENTS: EventInput[] = [
  { type: 'run.started', runbook: 'nightly', file: '/etc/stepwise/nightly.yaml', params: { env: 'prod', token: '***' }, mode: 'run', resumed: false, steps: ['fetch', 'restart', 'skip-me'] },
  { type: 'step.started', stepId: 'fetch', name: 'Fetch data', phase: 'run', targets: ['local'], maxAttempts: 2 },
  { type: 'step.output', stepId: 'fetch', phase: 'run', stream: 'stdout', lines: ['got 12 rows', 'done'] },
  { type: 'step.retrying', stepId: 'fetch', phase: 'run', attempt: 1, maxAttempts: 2, delayMs: 1500, exitCode: 1, error: 'step "fetch" failed with exit code 1' },
  { type: 'step.finished', stepId: 'fetch', name: 'Fetch data', phase: 'run', status: 'succeeded', exitCode: 0, durationMs: 2345, attempt: 2, outputs: {}, targets: [] },
  { type: 'step.started', stepId: 'restart', name: 'restart', phase: 'run', targets: ['web-1', 'web-2'], maxAttempts: 1 },
  { type: 'step.batch', stepId: 'restart', phase: 'run', targets: ['web-1'] },
  { type: 'step.output', stepId: 'restart', phase: 'run', host: 'web-1', stream: 'stderr', lines: ['unit failed'] },
  {
    type: 'step.finished',
    stepId: 'restart',
    name: 'restart',
    phase: 'run',
    status: 'failed',
    exitCode: 3,
    durationMs: 812,
    attempt: 1,
    error: 'step "restart" failed with exit code 3 on web-1',
    outputs: {},
    targets: [
      { target: 'web-1', status: 'failed', exitCode: 3, attempt: 1, durationMs: 800 },
      { target: 'web-2', status: 'succeeded', exitCode: 0, attempt: 1, durationMs: 700 },
    ],
  },
  { type: 'rollback.started', stepId: 'fetch', targets: ['local'] },
  { type: 'step.output', stepId: 'fetch', phase: 'rollback', stream: 'stdout', lines: ['undone'] },
  { type: 'rollback.finished', stepId: 'fetch', status: 'succeeded', exitCode: 0, durationMs: 40, targets: [] },
  { type: 'step.decision', stepId: 'restart', choice: 'rollback', note: 'web-1 is sick' },
  { type: 'run.notice', level: 'warn', message: 'took over a stale lock' },
  { type: 'run.finished', status: 'rolledBack', durationMs: 65_000, exitCode: 1, error: 'step "restart" failed with exit code 3 on web-1' },
];

function render(quiet: boolean): string {
  let text = '';
  const reporter = createPlainReporter((t) => (text += t), { quiet });
  EVENTS.forEach((event, i) => dispatch(reporter, { ...event, time: `2026-11-30T03:00:${String(i).padStart(2, '0')}.000Z`, runId: '20261130T030000Z-ab12' } as EngineEvent));
  return text;
}

describe('plain reporter', () => {
  it('writes one timestamped line per event, with step, host and stream marks', () => {
    expect(render(false)).toBe(
      [
        '2026-11-30T03:00:00.000Z run 20261130T030000Z-ab12 started: nightly (/etc/stepwise/nightly.yaml)',
        '2026-11-30T03:00:01.000Z step fetch (Fetch data) started on local',
        '2026-11-30T03:00:02.000Z fetch | got 12 rows',
        '2026-11-30T03:00:02.000Z fetch | done',
        '2026-11-30T03:00:03.000Z step fetch attempt 1/2 failed (step "fetch" failed with exit code 1); retrying in 1.5s',
        '2026-11-30T03:00:04.000Z step fetch (Fetch data) succeeded in 2.3s, attempt 2',
        '2026-11-30T03:00:05.000Z step restart started on web-1, web-2',
        '2026-11-30T03:00:06.000Z step restart batch: web-1',
        '2026-11-30T03:00:07.000Z restart @web-1 ! unit failed',
        '2026-11-30T03:00:08.000Z step restart failed in 812ms, exit 3 [failed on web-1]: step "restart" failed with exit code 3 on web-1',
        '2026-11-30T03:00:09.000Z rollback of fetch started on local',
        '2026-11-30T03:00:10.000Z fetch (rollback) | undone',
        '2026-11-30T03:00:11.000Z rollback of fetch succeeded in 40ms',
        '2026-11-30T03:00:12.000Z operator chose rollback at step restart: web-1 is sick',
        '2026-11-30T03:00:13.000Z warning: took over a stale lock',
        '2026-11-30T03:00:14.000Z run 20261130T030000Z-ab12 rolledBack in 1m05s (exit 1): step "restart" failed with exit code 3 on web-1',
        '',
      ].join('\n'),
    );
  });

  it('--quiet keeps failures (with their last output lines and where the rest is), notices, decisions and the summary only', () => {
    expect(render(true)).toBe(
      [
        '2026-11-30T03:00:03.000Z step fetch attempt 1/2 failed (step "fetch" failed with exit code 1); retrying in 1.5s',
        '2026-11-30T03:00:08.000Z step restart failed in 812ms, exit 3 [failed on web-1]: step "restart" failed with exit code 3 on web-1',
        '2026-11-30T03:00:08.000Z full output: stepwise logs 20261130T030000Z-ab12 restart',
        '2026-11-30T03:00:12.000Z operator chose rollback at step restart: web-1 is sick',
        '2026-11-30T03:00:13.000Z warning: took over a stale lock',
        '2026-11-30T03:00:14.000Z run 20261130T030000Z-ab12 rolledBack in 1m05s (exit 1): step "restart" failed with exit code 3 on web-1',
        '',
      ].join('\n'),
    );
  });

  it('never writes an escape code', () => {
    // eslint-disable-next-line no-control-regex
    expect(render(false)).not.toMatch(/[\u001b\u009b]/);
  });
});
