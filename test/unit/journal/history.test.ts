import { afterAll, describe, expect, it } from '@jest/globals';
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { JournalWriter } from '../../../src/journal/journal-writer.js';
import { describeRun, listRuns } from '../../../src/journal/history.js';
import { acquireLock } from '../../../src/journal/lock.js';
import { readRunMeta, writeRunMeta } from '../../../src/journal/run-meta.js';
import type { StateDir } from '../../../src/journal/state-dir.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import { cleanTempDirs, tempStateDir } from '../../helpers/temp-dir.js';
import { runFinished, runStarted, stepFinished, stepStarted, successfulRun } from '../../helpers/engine-events.js';

afterAll(cleanTempDirs);

function record(state: StateDir, runId: string, runbook: string, events: EngineEvent[], lock?: string): JournalWriter {
  const writer = JournalWriter.create(state, { runbook, file: `/rb/${runbook}.yaml`, ...(lock ? { lock } : {}) }, { runId });
  for (const e of events) writer.onEvent(e);
  writer.close();
  return writer;
}

const id = (n: number): string => `2026112${n}T000000.000Z-000${n}`;

describe('listRuns', () => {
  it('lists runs newest first with status, start, duration and exit code', () => {
    const state = tempStateDir();
    record(state, id(1), 'alpha', successfulRun(['a']));
    record(state, id(2), 'beta', [runStarted(['a']), stepStarted('a'), stepFinished('a', { status: 'failed' }), runFinished({ status: 'rolledBack', exitCode: 1, durationMs: 2500 })]);
    const runs = listRuns(state);
    expect(runs.map((r) => [r.runId, r.runbook, r.status, r.exitCode, r.durationMs])).toEqual([
      [id(2), 'beta', 'rolledBack', 1, 2500],
      [id(1), 'alpha', 'succeeded', 0, 1500],
    ]);
    expect(Date.parse(runs[0]?.startedAt ?? '')).toBeGreaterThan(Date.now() - 3_600_000);
  });

  it('filters by runbook and limits after filtering', () => {
    const state = tempStateDir();
    for (const n of [1, 2, 3, 4]) record(state, id(n), n % 2 ? 'odd' : 'even', successfulRun(['a']));
    expect(listRuns(state, { runbook: 'odd' }).map((r) => r.runId)).toEqual([id(3), id(1)]);
    expect(listRuns(state, { runbook: 'odd', limit: 1 }).map((r) => r.runId)).toEqual([id(3)]);
    expect(listRuns(state, { limit: 2 }).map((r) => r.runId)).toEqual([id(4), id(3)]);
  });

  it('filters by state and by start time, then limits', () => {
    const state = tempStateDir();
    const failed = [runStarted(['a']), stepStarted('a'), stepFinished('a', { status: 'failed' }), runFinished({ status: 'rolledBack', exitCode: 1 })];
    record(state, id(1), 'job', successfulRun(['a']));
    record(state, id(2), 'job', failed);
    record(state, id(3), 'job', successfulRun(['a']));
    expect(listRuns(state, { states: new Set(['rolledBack', 'failed']) }).map((r) => r.runId)).toEqual([id(2)]);
    expect(listRuns(state, { states: new Set(['succeeded']), limit: 1 }).map((r) => r.runId)).toEqual([id(3)]);
    // Ids carry their creation time: 2026-11-21..23 midnight UTC.
    expect(listRuns(state, { since: Date.parse('2026-11-22T00:00:00Z') }).map((r) => r.runId)).toEqual([id(3), id(2)]);
    expect(listRuns(state, { since: Date.parse('2026-11-24T00:00:00Z') })).toEqual([]);
  });

  it('tells a crashed run (no run.finished, holder gone) from a running one (lock held by it)', async () => {
    const state = tempStateDir();
    record(state, id(1), 'job', [runStarted(['a']), stepStarted('a')], 'job-lock');
    expect(describeRun(state, id(1))?.status).toBe('crashed');
    const lock = await acquireLock(state, 'job-lock', { runId: id(1) });
    expect(describeRun(state, id(1), { now: Date.now() })?.status).toBe('running');
    lock.release();
  });

  it('without a recorded lock, judges by the pid of the last session', () => {
    const state = tempStateDir();
    const w = record(state, id(1), 'job', [runStarted(['a']), stepStarted('a')]);
    expect(describeRun(state, id(1))?.status).toBe('running'); // that pid is this test process
    const meta = readRunMeta(w.paths.meta);
    const dead = spawnSync(process.execPath, ['-e', '']).pid ?? 999_999;
    if (meta) writeRunMeta(w.paths.meta, { ...meta, sessions: [{ ...meta.sessions[0]!, pid: dead, host: hostname() }] });
    expect(describeRun(state, id(1))?.status).toBe('crashed');
  });

  it('sees through a torn last record and trailing notices', () => {
    const state = tempStateDir();
    const w = record(state, id(1), 'job', [...successfulRun(['a']), { type: 'run.notice', level: 'info', message: 'bye', time: new Date().toISOString(), runId: id(1) }]);
    appendFileSync(w.paths.journal, '{"type":"run.no');
    expect(describeRun(state, id(1))?.status).toBe('succeeded');
  });

  it('falls back to the runbook named in the journal when meta.json is missing, and skips stray directories', () => {
    const state = tempStateDir();
    const w = record(state, id(1), 'job', successfulRun(['a']));
    rmSync(w.paths.meta);
    mkdirSync(join(state.runs, 'not-a-run'));
    mkdirSync(join(state.runs, '.hidden'));
    expect(listRuns(state).map((r) => [r.runId, r.runbook, r.status])).toEqual([[id(1), 'demo', 'succeeded']]);
  });

  it('returns nothing for a state dir without runs', () => {
    const state = tempStateDir();
    rmSync(state.runs, { recursive: true });
    expect(listRuns(state)).toEqual([]);
  });
});
