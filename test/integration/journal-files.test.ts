/**
 * What lands on disk: file and directory modes whatever the umask, and (informally,
 * printed, never asserted) what journaling costs per step including fsync on this disk.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { closeSync, fdatasyncSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
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

describe('journaling cost (informal: printed, not asserted)', () => {
  it('measures ms per step including fsync', async () => {
    const state = openStateDir({ stateDir: tempDir().path('state') });
    const steps = 300;
    const raw = (() => {
      const fd = openSync(tempDir().path('probe'), 'a', 0o600);
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) {
        writeSync(fd, `{"i":${i}}\n`);
        fdatasyncSync(fd);
      }
      closeSync(fd);
      return (performance.now() - t0) / steps;
    })();
    const once = async (options: { syncEveryBoundary?: boolean }, yieldBetween: boolean): Promise<{ ms: number; syncs: number }> => {
      const writer = JournalWriter.create(state, { runbook: 'bench', file: '/b.yaml' }, options);
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) {
        for (const e of stepEvents(writer.runId, i)) writer.onEvent(e);
        // An engine that awaits I/O between steps lets the deferred sync run on its own.
        if (yieldBetween) await nextTurn();
      }
      writer.close();
      return { ms: (performance.now() - t0) / steps, syncs: writer.syncCount / steps };
    };
    await once({}, false); // warm up the JIT and the filesystem
    // The machine is shared: report the median of three rounds.
    const measure = async (label: string, options: { syncEveryBoundary?: boolean }, yieldBetween: boolean): Promise<string> => {
      const rounds = [await once(options, yieldBetween), await once(options, yieldBetween), await once(options, yieldBetween)];
      const median = rounds.map((r) => r.ms).sort((a, b) => a - b)[1] ?? NaN;
      return `${label}: ${median.toFixed(3)} ms/step (median of 3), ${rounds[0]?.syncs.toFixed(2)} fsync/step`;
    };
    const lines = [
      `one write+fdatasync: ${raw.toFixed(3)} ms`,
      await measure('coalesced, steps back to back', {}, false),
      await measure('coalesced, event loop turn between steps', {}, true),
      await measure('fsync at every boundary', { syncEveryBoundary: true }, false),
    ];
    console.log(`journal cost over ${steps} steps (start, 2 output lines, finish):\n  ${lines.join('\n  ')}`);
    expect(lines).toHaveLength(4);
  }, 60_000);

  it('measures history over a few hundred runs with big stdout tails', () => {
    const state = openStateDir({ stateDir: tempDir().path('state') });
    const tail = 'x'.repeat(60_000);
    for (let r = 0; r < 200; r++) {
      const writer = JournalWriter.create(state, { runbook: r % 2 ? 'odd' : 'even', file: '/h.yaml', lock: 'h' });
      const time = new Date().toISOString();
      writer.onEvent({ type: 'run.started', time, runId: writer.runId, runbook: 'h', file: '/h.yaml', params: {}, mode: 'run', resumed: false, steps: [] });
      for (const e of stepEvents(writer.runId, 0)) writer.onEvent(e.type === 'step.finished' ? { ...e, stdoutTail: tail } : e);
      // Every fifth run "crashed": its journal ends in a 60 KB step record.
      if (r % 5) writer.onEvent({ type: 'run.finished', time, runId: writer.runId, status: 'succeeded', durationMs: 1, exitCode: 0 });
      writer.close();
    }
    listRuns(state); // warm up
    const t0 = performance.now();
    const rows = listRuns(state);
    const ms = performance.now() - t0;
    console.log(`history of ${rows.length} runs: ${ms.toFixed(1)} ms`);
    expect(rows.filter((r) => r.status === 'crashed')).toHaveLength(40);
  }, 60_000);
});
