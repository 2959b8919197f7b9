/**
 * What lands on disk: file and directory modes whatever the umask, and runs whose last
 * record is big read back as they ended. What journaling costs is measured in bench/
 * (the `journal` scenario), not here.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { openStateDir } from '../../src/journal/state-dir.js';
import { JournalWriter } from '../../src/journal/journal-writer.js';
import { acquireLock } from '../../src/journal/lock.js';
import { listRuns } from '../../src/journal/history.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { cleanTempDirs, tempDir } from '../helpers/temp-dir.js';

afterAll(cleanTempDirs);

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? [path, ...walk(path)] : [path];
  });
}

function stepEvents(runId: string, i: number): EngineEvent[] {
  const time = new Date().toISOString();
  const stepId = `step-${i}`;
  return [
    { type: 'step.started', time, runId, stepId, name: stepId, phase: 'run', targets: ['local'], maxAttempts: 1 },
    { type: 'step.output', time, runId, stepId, phase: 'run', stream: 'stdout', lines: [`hello ${i}`, 'second line'] },
    { type: 'step.finished', time, runId, stepId, name: stepId, phase: 'run', status: 'succeeded', exitCode: 0, durationMs: 3, attempt: 1, outputs: { i: String(i) }, stdoutTail: `hello ${i}\nsecond line`, targets: [{ target: 'local', status: 'succeeded', exitCode: 0, attempt: 1, durationMs: 3 }] },
  ];
}

describe('file modes', () => {
  it('creates directories 0700 and files 0600 even under umask 000', async () => {
    const previous = process.umask(0o000);
    try {
      const state = openStateDir({ stateDir: tempDir().path('state') });
      const lock = await acquireLock(state, 'modes', { runId: 'r' });
      const writer = JournalWriter.create(state, { runbook: 'modes', file: '/m.yaml' });
      writer.writeRunbookCopy('name: modes\n', 'modes.yaml');
      writer.writeRunbookAsset('steps/lib.yaml', 'x: 1\n');
      writer.writeParams({ a: 1 });
      for (const e of stepEvents(writer.runId, 0)) writer.onEvent(e);
      writer.onEvent({ type: 'rollback.started', time: new Date().toISOString(), runId: writer.runId, stepId: 'step-0', targets: ['local'] });
      writer.onEvent({ type: 'step.output', time: new Date().toISOString(), runId: writer.runId, stepId: 'step-0', phase: 'rollback', stream: 'stderr', lines: ['undo'] });
      writer.close();
      const modes = [state.root, ...walk(state.root)].map((p) => `${relative(state.root, p) || '.'} ${(statSync(p).mode & 0o777).toString(8)}`);
      for (const entry of modes) {
        const [path, mode] = entry.split(' ');
        expect(`${path} ${mode}`).toBe(`${path} ${statSync(join(state.root, path ?? '')).isDirectory() ? '700' : '600'}`);
      }
      expect(modes.some((m) => m.startsWith('locks/modes.lock '))).toBe(true);
      expect(modes.some((m) => m.endsWith('logs/step-0.rollback.log 600'))).toBe(true);
      lock.release();
    } finally {
      process.umask(previous);
    }
  });
});

describe('history over runs with big records', () => {
  // The end of a journal is read from its tail: a 60 KB last record must still be found
  // whole, and a run without its end must read as crashed (its timings are in bench/, the
  // `journal` scenario).
  it('lists 200 runs whose step records carry 60 KB tails, and finds exactly the crashed ones', () => {
    const state = openStateDir({ stateDir: tempDir().path('state') });
    const tail = 'x'.repeat(60_000);
    const crashed: string[] = [];
    for (let r = 0; r < 200; r++) {
      const writer = JournalWriter.create(state, { runbook: r % 2 ? 'odd' : 'even', file: '/h.yaml', lock: 'h' });
      const time = new Date().toISOString();
      writer.onEvent({ type: 'run.started', time, runId: writer.runId, runbook: 'h', file: '/h.yaml', params: {}, mode: 'run', resumed: false, steps: [] });
      for (const e of stepEvents(writer.runId, 0)) writer.onEvent(e.type === 'step.finished' ? { ...e, stdoutTail: tail } : e);
      // Every fifth run "crashed": its journal ends in a 60 KB step record.
      if (r % 5) writer.onEvent({ type: 'run.finished', time, runId: writer.runId, status: 'succeeded', durationMs: 1, exitCode: 0 });
      else crashed.push(writer.runId);
      writer.close();
    }
    const rows = listRuns(state);
    expect(rows).toHaveLength(200);
    expect(rows.filter((r) => r.status === 'crashed').map((r) => r.runId).sort()).toEqual(crashed.sort());
    expect(rows.filter((r) => r.status === 'succeeded')).toHaveLength(160);
  }, 60_000);
});
