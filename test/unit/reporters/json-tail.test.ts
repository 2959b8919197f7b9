/** `--json`: a failed step's `step.finished` carries the same failure tail as cron mail (both streams, as they came). */
import { describe, expect, it } from '@jest/globals';
import type { EngineEvent, EventInput } from '../../../src/engine/events.js';
import { createJsonReporter } from '../../../src/reporters/json-reporter.js';
import { dispatch } from '../../../src/reporters/multiplexer.js';

function render(events: EventInput[]): Array<Record<string, unknown>> {
  let text = '';
  const reporter = createJsonReporter((t) => (text += t));
  for (const event of events) dispatch(reporter, { ...event, time: '2026-11-30T03:00:00.000Z', runId: 'R' } as EngineEvent);
  return text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('json reporter', () => {
  it('adds the last 20 lines of stdout and stderr to a failed step, and nothing to one that succeeded', () => {
    const output: EventInput[] = [];
    for (let i = 1; i <= 25; i++) output.push({ type: 'step.output', stepId: 'a', phase: 'run', stream: i % 2 ? 'stdout' : 'stderr', lines: [`l${i}`] });
    const events = render([
      { type: 'step.started', stepId: 'ok', name: 'ok', phase: 'run', targets: ['local'], maxAttempts: 1 },
      { type: 'step.output', stepId: 'ok', phase: 'run', stream: 'stdout', lines: ['fine'] },
      { type: 'step.finished', stepId: 'ok', name: 'ok', phase: 'run', status: 'succeeded', exitCode: 0, durationMs: 1, attempt: 1, outputs: {}, targets: [] },
      { type: 'step.started', stepId: 'a', name: 'a', phase: 'run', targets: ['local'], maxAttempts: 1 },
      ...output,
      { type: 'step.finished', stepId: 'a', name: 'a', phase: 'run', status: 'failed', exitCode: 1, durationMs: 1, attempt: 1, outputs: {}, targets: [] },
    ]);
    const finished = events.filter((e) => e.type === 'step.finished');
    expect(finished[0]).not.toHaveProperty('tail');
    const tail = finished[1]?.tail as Array<{ stream: string; line: string }>;
    expect(tail).toHaveLength(20);
    expect(tail[0]).toEqual({ stream: 'stderr', line: 'l6' });
    expect(tail[19]).toEqual({ stream: 'stdout', line: 'l25' });
    expect(tail.map((t) => t.stream)).toEqual(Array.from({ length: 20 }, (_, k) => ((k + 6) % 2 ? 'stdout' : 'stderr')));
    // Every other event is exactly as the engine emitted it.
    expect(events.filter((e) => e.type === 'step.output')).toHaveLength(26);
  });

  it('a failed group step carries the tails of the hosts that failed', () => {
    const events = render([
      { type: 'step.started', stepId: 'r', name: 'r', phase: 'run', targets: ['web-1', 'web-2'], maxAttempts: 1 },
      { type: 'step.output', stepId: 'r', phase: 'run', host: 'web-1', stream: 'stdout', lines: ['ok here'] },
      { type: 'step.output', stepId: 'r', phase: 'run', host: 'web-2', stream: 'stderr', lines: ['broken here'] },
      {
        type: 'step.finished', stepId: 'r', name: 'r', phase: 'run', status: 'failed', exitCode: 1, durationMs: 1, attempt: 1, outputs: {},
        targets: [
          { target: 'web-1', status: 'succeeded', exitCode: 0, attempt: 1, durationMs: 1 },
          { target: 'web-2', status: 'failed', exitCode: 1, attempt: 1, durationMs: 1 },
        ],
      },
    ]);
    expect(events.at(-1)?.tail).toEqual([{ stream: 'stderr', line: 'broken here', host: 'web-2' }]);
  });
});
