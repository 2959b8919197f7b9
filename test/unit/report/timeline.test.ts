import { describe, expect, it } from '@jest/globals';
import type { EngineEvent } from '../../../src/engine/events.js';
import { buildTimeline, MAX_HOST_ROWS } from '../../../src/report/timeline.js';

const T0 = Date.parse('2026-11-27T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const ev = (ms: number, e: Record<string, unknown>) => ({ time: at(ms), runId: 'r', ...e }) as unknown as EngineEvent;
const started = (ms: number, steps: string[], over: Record<string, unknown> = {}) => ev(ms, { type: 'run.started', runbook: 'x', file: 'x', params: {}, mode: 'run', resumed: false, steps, ...over });
const result = (target: string, status: string, durationMs: number, attempt = 1) => ({ target, status, exitCode: status === 'succeeded' ? 0 : 1, attempt, durationMs });

describe('buildTimeline', () => {
  it('gives a group step one row per host, in serial batches, with attempts and waits', () => {
    const events = [
      started(0, ['deploy']),
      ev(100, { type: 'step.started', stepId: 'deploy', name: 'deploy', phase: 'run', targets: ['a', 'b'], maxAttempts: 2 }),
      ev(100, { type: 'step.batch', stepId: 'deploy', phase: 'run', targets: ['a'] }),
      ev(400, { type: 'step.batch', stepId: 'deploy', phase: 'run', targets: ['b'] }),
      ev(600, { type: 'step.retrying', stepId: 'deploy', phase: 'run', host: 'b', attempt: 1, maxAttempts: 2, delayMs: 100, exitCode: 1, error: 'failed' }),
      ev(1000, { type: 'step.finished', stepId: 'deploy', name: 'deploy', phase: 'run', status: 'failed', exitCode: 1, durationMs: 900, attempt: 2, outputs: {}, targets: [result('a', 'succeeded', 300), result('b', 'failed', 600, 2)] }),
      ev(1010, { type: 'rollback.started', stepId: 'deploy', targets: ['b', 'a'] }),
      ev(1100, { type: 'rollback.finished', stepId: 'deploy', status: 'succeeded', exitCode: 0, durationMs: 90, targets: [result('b', 'succeeded', 50), result('a', 'succeeded', 40)] }),
      ev(1200, { type: 'run.finished', status: 'rolledBack', durationMs: 1200, exitCode: 1 }),
    ];
    const [session] = buildTimeline(events, false, T0 + 5000);
    expect(session?.rows.map((r) => r.host)).toEqual(['a', 'b']);
    const [a, b] = session?.rows ?? [];
    expect(a?.bars.map((x) => [x.kind, x.segments.map((s) => [s.kind, s.start - T0, s.end - T0])])).toEqual([
      ['run', [['ok', 100, 400]]],
      ['rollback', [['ok', 1060, 1100]]],
    ]);
    expect(b?.bars.map((x) => [x.kind, x.segments.map((s) => [s.kind, s.start - T0, s.end - T0])])).toEqual([
      ['run', [['failed', 400, 600], ['wait', 600, 700], ['failed', 700, 1000]]],
      ['rollback', [['ok', 1010, 1060]]],
    ]);
    expect(session?.notStarted).toEqual([]);
    expect([session?.start, session?.end]).toEqual([T0, T0 + 1200]);
  });

  it('splits sessions at each run.started, lists steps not started, and ends live work at now', () => {
    const events = [
      started(0, ['a', 'b']),
      ev(10, { type: 'step.started', stepId: 'a', name: 'a', phase: 'run', targets: ['local'], maxAttempts: 1 }),
      // The runner died here; a resume starts a new session.
      started(60_000, ['a', 'b'], { resumed: true }),
      ev(60_010, { type: 'step.started', stepId: 'a', name: 'a', phase: 'run', targets: ['local'], maxAttempts: 1 }),
    ];
    const sessions = buildTimeline(events, true, T0 + 61_000);
    expect(sessions).toHaveLength(2);
    expect(sessions[0]?.rows[0]?.bars[0]?.segments.map((s) => [s.kind, s.end - T0])).toEqual([['unfinished', 10]]);
    expect(sessions[1]?.resumed).toBe(true);
    expect(sessions[1]?.rows[0]?.bars[0]?.segments.map((s) => [s.kind, s.end - T0])).toEqual([['running', 61_000]]);
    expect(sessions[1]?.notStarted).toEqual(['b']);
    const rollback = buildTimeline([...events, started(70_000, ['a', 'b'], { mode: 'rollback' })], false, T0 + 71_000);
    expect(rollback[2]?.notStarted).toEqual([]);
  });

  it('summarises a step on very many hosts into one row', () => {
    const hosts = Array.from({ length: MAX_HOST_ROWS + 1 }, (_, i) => `h${i}`);
    const events = [
      started(0, ['wide']),
      ev(0, { type: 'step.started', stepId: 'wide', name: 'wide', phase: 'run', targets: hosts, maxAttempts: 1 }),
      ev(500, { type: 'step.finished', stepId: 'wide', name: 'wide', phase: 'run', status: 'failed', exitCode: 1, durationMs: 500, attempt: 1, outputs: {}, targets: hosts.map((h, i) => result(h, i === 3 ? 'failed' : 'succeeded', 100 + i)) }),
    ];
    const [session] = buildTimeline(events, false, T0);
    expect(session?.rows.map((r) => r.host)).toEqual([`${hosts.length} hosts`]);
    expect(session?.rows[0]?.bars[0]?.segments).toEqual([{ kind: 'failed', start: T0, end: T0 + 100 + MAX_HOST_ROWS }]);
  });

  it('draws skipped and confirm steps (no targets) as a stretch of their own', () => {
    const events = [
      started(0, ['maybe']),
      ev(5, { type: 'step.finished', stepId: 'maybe', name: 'maybe', phase: 'run', status: 'skipped', exitCode: null, durationMs: 0, attempt: 0, error: 'condition is false', outputs: {}, targets: [] }),
      ev(6, { type: 'step.started', stepId: 'fin', name: 'fin', phase: 'finally', targets: ['local'], maxAttempts: 1 }),
      ev(9, { type: 'step.finished', stepId: 'fin', name: 'fin', phase: 'finally', status: 'succeeded', exitCode: 0, durationMs: 3, attempt: 1, outputs: {}, targets: [result('local', 'succeeded', 3)] }),
    ];
    const [session] = buildTimeline(events, false, T0);
    expect(session?.rows.map((r) => [r.stepId, r.bars[0]?.kind, r.bars[0]?.segments[0]?.kind])).toEqual([['maybe', 'run', 'skipped'], ['fin', 'finally', 'ok']]);
  });
});
