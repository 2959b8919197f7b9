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

/** Renders EVENTS (or `events`); returns what went to stdout, to stderr, and both in order. */
function render(quiet: boolean, events: EventInput[] = EVENTS) {
  let out = '';
  let err = '';
  let both = '';
  const reporter = createPlainReporter({ progress: (t) => ((out += t), (both += t)), problems: (t) => ((err += t), (both += t)) }, { quiet });
  events.forEach((event, i) => dispatch(reporter, { ...event, time: `2026-11-30T03:00:${String(i).padStart(2, '0')}.000Z`, runId: '20261130T030000Z-ab12' } as EngineEvent));
  return { out, err, both };
}

describe('plain reporter', () => {
  it('writes one timestamped line per event: progress to stdout, the failure and all that follows it to stderr', () => {
    const { out, err } = render(false);
    expect(out).toBe(
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
        '',
      ].join('\n'),
    );
    expect(err).toBe(
      [
        '2026-11-30T03:00:08.000Z step restart failed in 812ms, exit 3 [1/2 hosts done, 1 failed: web-1]: step "restart" failed with exit code 3 on web-1',
        '2026-11-30T03:00:07.000Z restart @web-1 ! unit failed',
        '2026-11-30T03:00:08.000Z full output: stepwise logs 20261130T030000Z-ab12 restart',
        '2026-11-30T03:00:09.000Z rollback of fetch started on local',
        '2026-11-30T03:00:10.000Z fetch (rollback) | undone',
        '2026-11-30T03:00:11.000Z rollback of fetch succeeded in 40ms',
        '2026-11-30T03:00:12.000Z operator chose rollback at step restart: web-1 is sick',
        '2026-11-30T03:00:13.000Z warning: took over a stale lock',
        '2026-11-30T03:00:14.000Z run 20261130T030000Z-ab12 failed and was rolled back in 1m05s (2 ran; exit 1): step "restart" failed with exit code 3 on web-1',
        '2026-11-30T03:00:14.000Z next: stepwise show 20261130T030000Z-ab12  (every step, attempt and exit code)',
        '',
      ].join('\n'),
    );
  });

  it('--quiet: the failure with its tail of both streams, compensation, decisions, warnings and the summary, on stderr only', () => {
    const { out, err } = render(true);
    expect(out).toBe('');
    expect(err).toBe(
      [
        '2026-11-30T03:00:08.000Z step restart failed in 812ms, exit 3 [1/2 hosts done, 1 failed: web-1]: step "restart" failed with exit code 3 on web-1',
        '2026-11-30T03:00:07.000Z restart @web-1 ! unit failed',
        '2026-11-30T03:00:08.000Z full output: stepwise logs 20261130T030000Z-ab12 restart',
        '2026-11-30T03:00:09.000Z rollback of fetch started on local',
        '2026-11-30T03:00:10.000Z fetch (rollback) | undone',
        '2026-11-30T03:00:11.000Z rollback of fetch succeeded in 40ms',
        '2026-11-30T03:00:12.000Z operator chose rollback at step restart: web-1 is sick',
        '2026-11-30T03:00:13.000Z warning: took over a stale lock',
        '2026-11-30T03:00:14.000Z run 20261130T030000Z-ab12 failed and was rolled back in 1m05s (2 ran; exit 1): step "restart" failed with exit code 3 on web-1',
        '2026-11-30T03:00:14.000Z next: stepwise show 20261130T030000Z-ab12  (every step, attempt and exit code)',
        '',
      ].join('\n'),
    );
  });

  it('--quiet prints nothing at all for a run that succeeds, not even its retries or a warning', () => {
    const ok: EventInput[] = [
      EVENTS[0] as EventInput,
      { type: 'run.notice', level: 'warn', message: 'took over a stale lock' },
      ...EVENTS.slice(1, 5),
      { type: 'run.finished', status: 'succeeded', durationMs: 3000, exitCode: 0 },
    ];
    expect(render(true, ok)).toEqual({ out: '', err: '', both: '' });
    // Without --quiet the progress is on stdout and the summary says what ran; the warning on stderr.
    const loud = render(false, ok);
    expect(loud.out).toContain('run 20261130T030000Z-ab12 succeeded in 3s (1 ran; exit 0)');
    expect(loud.err).toBe('2026-11-30T03:00:01.000Z warning: took over a stale lock\n');
  });

  it('the failure tail is the last 20 lines of stdout and stderr, interleaved as they came', () => {
    const lines: EventInput[] = [];
    for (let i = 1; i <= 30; i++) lines.push({ type: 'step.output', stepId: 'load', phase: 'run', stream: i % 3 === 0 ? 'stderr' : 'stdout', lines: [`line ${i}`] });
    const events: EventInput[] = [
      EVENTS[0] as EventInput,
      { type: 'step.started', stepId: 'load', name: 'load', phase: 'run', targets: ['local'], maxAttempts: 1 },
      ...lines,
      { type: 'step.finished', stepId: 'load', name: 'load', phase: 'run', status: 'failed', exitCode: 4, durationMs: 10, attempt: 1, error: 'step "load" failed with exit code 4', outputs: {}, targets: [] },
      { type: 'run.finished', status: 'failed', durationMs: 20, exitCode: 1, error: 'step "load" failed with exit code 4' },
    ];
    const { err } = render(true, events);
    const tail = err.split('\n').filter((l) => / load [|!] /.test(l)).map((l) => l.replace(/^\S+ /, ''));
    expect(tail).toEqual(Array.from({ length: 20 }, (_, k) => `load ${(k + 11) % 3 === 0 ? '!' : '|'} line ${k + 11}`));
    expect(err).toContain('next: stepwise resume 20261130T030000Z-ab12  (continue from the first step that did not succeed)');
    expect(err).toContain('next: stepwise rollback 20261130T030000Z-ab12  (undo what was done instead)');
  });

  it('words: declined, already done, timed out, nothing to undo; never an internal identifier', () => {
    const events: EventInput[] = [
      EVENTS[0] as EventInput,
      { type: 'step.started', stepId: 'a', name: 'a', phase: 'run', targets: ['local'], maxAttempts: 1 },
      { type: 'step.finished', stepId: 'a', name: 'a', phase: 'run', status: 'alreadyDone', exitCode: 0, durationMs: 3, attempt: 0, outputs: {}, targets: [] },
      { type: 'step.started', stepId: 'b', name: 'b', phase: 'run', targets: ['local'], maxAttempts: 1 },
      { type: 'step.finished', stepId: 'b', name: 'b', phase: 'run', status: 'timedOut', exitCode: null, durationMs: 1000, attempt: 1, continueOnError: true, error: 'step "b" timed out after 1s (timeout 1s)', outputs: {}, targets: [] },
      { type: 'step.started', stepId: 'go', name: 'go', phase: 'run', targets: ['local'], maxAttempts: 1 },
      { type: 'step.decision', stepId: 'go', choice: 'no' },
      { type: 'step.finished', stepId: 'go', name: 'go', phase: 'run', status: 'failed', exitCode: null, durationMs: 1000, attempt: 1, error: 'step "go": the operator answered no to "Go?"', outputs: {}, targets: [] },
      { type: 'run.finished', status: 'rolledBack', durationMs: 2000, exitCode: 1, error: 'step "go": the operator answered no to "Go?"', compensated: [] },
    ];
    const { both, err } = render(false, events);
    expect(both).toContain('step a ↷ already done (its check holds; not run)');
    expect(both).toContain('step b timed out (continueOnError: the run goes on) in 1s');
    expect(err).toContain('step go declined: step "go": the operator answered no to "Go?"');
    expect(err).toContain('run 20261130T030000Z-ab12 stopped: "go" was declined; nothing to undo in 2s (2 ran, 1 already done; exit 1)');
    expect(both).not.toMatch(/rolledBack|timedOut|alreadyDone|rollbackFailed|stepwise rollback/);
  });

  it('never writes an escape code', () => {
    // eslint-disable-next-line no-control-regex
    expect(render(false).both).not.toMatch(/[\u001b\u009b]/);
  });
});
