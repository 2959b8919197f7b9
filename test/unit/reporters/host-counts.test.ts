/** Where the hosts of a group step stand: the counting both the plain lines and the live view use. */
import { describe, expect, it } from '@jest/globals';
import type { EngineEvent, EventInput, TargetResult } from '../../../src/engine/events.js';
import { countHosts, formatHostCounts, statesOf, type HostState } from '../../../src/reporters/host-counts.js';
import { dispatch } from '../../../src/reporters/multiplexer.js';
import { createPlainReporter } from '../../../src/reporters/plain-reporter.js';

const hosts = Array.from({ length: 200 }, (_, i) => `web-${i + 1}`);
const result = (target: string, status: TargetResult['status']): TargetResult => ({ target, status, exitCode: status === 'succeeded' ? 0 : 1, attempt: 1, durationMs: 5 });

describe('host counts', () => {
  it('web: 187/200 done, 2 failed: web-17, web-103 — and what is still running or waiting', () => {
    const states = new Map<string, HostState>(hosts.slice(0, 187).map((h) => [h, 'succeeded']));
    states.set('web-17', 'failed');
    states.set('web-103', 'timedOut');
    states.set('web-188', 'succeeded');
    states.set('web-189', 'succeeded');
    for (const h of hosts.slice(189, 192)) states.set(h, 'running');
    const counts = countHosts(hosts, states);
    expect(counts).toEqual({ total: 200, done: 187, alreadyDone: 0, failed: ['web-17', 'web-103'], running: 3, waiting: 8 });
    expect(formatHostCounts(counts, { label: 'web' })).toBe('web: 187/200 done, 2 failed: web-17, web-103, 3 running, 8 waiting');
    expect(formatHostCounts(counts, { ended: true })).toBe('187/200 hosts done, 2 failed: web-17, web-103, 3 running, 8 not started');
  });

  it('already-done hosts count as done and are said; many failed hosts are named up to a limit, then counted', () => {
    const states = statesOf([...hosts.slice(0, 5).map((h) => result(h, 'alreadyDone')), ...hosts.slice(5, 20).map((h) => result(h, 'failed')), result('web-21', 'succeeded')]);
    const counts = countHosts(hosts.slice(0, 21), states);
    expect(formatHostCounts(counts, { label: 'web', names: 3 })).toBe('web: 6/21 done (5 already done), 15 failed: web-6, web-7, web-8 and 12 more');
  });
});

describe('plain output of a group step', () => {
  function render(events: EventInput[]): string {
    let out = '';
    const reporter = createPlainReporter({ progress: (t) => (out += t), problems: (t) => (out += t) });
    events.forEach((event) => dispatch(reporter, { ...event, time: '2026-12-01T00:00:00.000Z', runId: 'r1' } as EngineEvent));
    return out;
  }

  it('ends the step line with the counts, naming the failures it tolerated', () => {
    const targets = hosts.map((h) => result(h, h === 'web-17' || h === 'web-103' ? 'failed' : 'succeeded'));
    const out = render([
      { type: 'step.started', stepId: 'deploy', name: 'deploy', phase: 'run', targets: hosts, maxAttempts: 1 },
      { type: 'step.finished', stepId: 'deploy', name: 'deploy', phase: 'run', status: 'succeeded', exitCode: 0, durationMs: 61_000, attempt: 1, outputs: {}, targets, failedHosts: ['web-17', 'web-103'], toleratedFailures: 3 },
    ]);
    expect(out.split('\n')[1]).toBe('2026-12-01T00:00:00.000Z step deploy succeeded in 1m01s [198/200 hosts done, 2 failed: web-17, web-103; tolerates 3 failed]');
  });

  it('a step that stopped says which hosts never started; a one-host step has no counts', () => {
    const out = render([
      { type: 'step.started', stepId: 'deploy', name: 'deploy', phase: 'run', targets: hosts.slice(0, 6), maxAttempts: 1 },
      { type: 'step.finished', stepId: 'deploy', name: 'deploy', phase: 'run', status: 'failed', exitCode: 1, durationMs: 900, attempt: 1, error: 'boom', outputs: {}, targets: [result('web-1', 'failed'), result('web-2', 'succeeded')], failedHosts: ['web-1'] },
      { type: 'step.started', stepId: 'one', name: 'one', phase: 'run', targets: ['db-1'], maxAttempts: 1 },
      { type: 'step.finished', stepId: 'one', name: 'one', phase: 'run', status: 'succeeded', exitCode: 0, durationMs: 900, attempt: 1, outputs: {}, targets: [result('db-1', 'succeeded')] },
    ]);
    expect(out).toContain('step deploy failed in 900ms, exit 1 [1/6 hosts done, 1 failed: web-1, 4 not started]: boom\n');
    expect(out).toContain('step one succeeded in 900ms\n');
  });
});
