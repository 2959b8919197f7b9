/**
 * Crash safety of the journal with real processes: a runner SIGKILLed while appending
 * leaves a journal that says exactly which steps completed (no partial state misreported),
 * a torn last line is tolerated, and a resumed run appends cleanly after it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { JournalWriter } from '../../src/journal/journal-writer.js';
import { journalDamage, readJournal } from '../../src/journal/journal-reader.js';
import { priorRunState } from '../../src/journal/prior-state.js';
import { loadRun } from '../../src/journal/load-run.js';
import { formatShow } from '../../src/views/format-show.js';
import { runPaths } from '../../src/journal/run-paths.js';
import { cleanTempDirs, tempStateDir } from '../helpers/temp-dir.js';
import { compileJournal } from '../helpers/compile-journal.js';
import type { StateDir } from '../../src/journal/state-dir.js';

/** Appends steps forever, each with outputs and a stdout tail of a size that varies with i. */
const APPENDER = `
import { JournalWriter } from './src/journal/journal-writer.js';
import { stateDirAt } from './src/journal/state-dir.js';
const [root, runId] = process.argv.slice(2);
const w = JournalWriter.create(stateDirAt(root), { runbook: 'crash', file: '/crash.yaml', lock: 'crash' }, { runId });
const t = () => new Date().toISOString();
const base = () => ({ time: t(), runId });
w.onEvent({ ...base(), type: 'run.started', runbook: 'crash', file: '/crash.yaml', params: {}, mode: 'run', resumed: false, steps: [] });
for (let i = 0; ; i++) {
  const id = 's' + i;
  const tail = String(i % 10).repeat(1000 + (i % 7) * 3000);
  w.onEvent({ ...base(), type: 'step.started', stepId: id, name: id, phase: 'run', targets: ['local'], maxAttempts: 1 });
  w.onEvent({ ...base(), type: 'step.output', stepId: id, phase: 'run', stream: 'stdout', lines: ['line of ' + id, tail] });
  w.onEvent({ ...base(), type: 'step.finished', stepId: id, name: id, phase: 'run', status: 'succeeded', exitCode: 0, durationMs: 1, attempt: 1, outputs: { n: String(i) }, stdoutTail: tail, targets: [] });
  if (i === 50) process.stdout.write('running\\n');
}
`;

let js: string;
beforeAll(() => {
  js = compileJournal();
  writeFileSync(join(js, 'appender.mjs'), APPENDER);
});
afterAll(cleanTempDirs);

async function killMidRun(state: StateDir, runId: string, afterMs: number): Promise<void> {
  const child = spawn(process.execPath, [join(js, 'appender.mjs'), state.root, runId], { cwd: js, stdio: ['ignore', 'pipe', 'inherit'] });
  await once(child.stdout, 'data');
  await sleep(afterMs);
  child.kill('SIGKILL');
  await once(child, 'exit');
}

function expectedTail(i: number): string {
  return String(i % 10).repeat(1000 + (i % 7) * 3000);
}

describe('a runner SIGKILLed while journaling', () => {
  it.each([0, 7, 31, 90])('leaves a journal whose every readable record is whole (killed %i ms in)', async (afterMs) => {
    const state = tempStateDir();
    const runId = `20261128T000000.0${String(afterMs).padStart(2, '0')}Z-dead`;
    await killMidRun(state, runId, afterMs);
    const journal = readJournal(runPaths(state, runId).journal);
    // Only the very last line may be lost (torn); nothing in the middle.
    expect(journal.lost.filter((l) => l.reason !== 'torn')).toEqual([]);
    const prior = priorRunState(journal.events);
    expect(journal.events.some((event) => event.type === 'run.finished')).toBe(false);
    expect(prior.steps.length).toBeGreaterThan(50);
    prior.steps.forEach((step, i) => {
      expect(step.stepId).toBe(`s${i}`);
      const isLast = i === prior.steps.length - 1;
      if (step.status === 'started') {
        // Only the step that was running when the runner died may be unfinished.
        expect(isLast).toBe(true);
      } else {
        expect(step.status).toBe('succeeded');
        expect(step.outputs).toEqual({ n: String(i) });
        expect(step.stdoutTail).toBe(expectedTail(i));
      }
    });
    // show still reads it and calls it crashed (its lock is not held).
    expect(formatShow(loadRun(state, runId))).toMatch(/ crashed\n/);
  }, 30_000);
});

describe('a torn last line', () => {
  it('is reported, skipped, and repaired before a resumed run appends', async () => {
    const state = tempStateDir();
    const runId = '20261128T000000.500Z-torn';
    await killMidRun(state, runId, 20);
    const path = runPaths(state, runId).journal;
    // Cut the file in the middle of its last record, as a crash mid-write would.
    const text = readFileSync(path, 'utf8');
    const lastStart = text.lastIndexOf('\n', text.length - 2) + 1;
    truncateSync(path, lastStart + 25);
    const before = readJournal(path);
    expect(before.lost).toEqual([expect.objectContaining({ reason: 'torn', bytes: 25 })]);
    const steps = priorRunState(before.events).steps.length;

    const writer = JournalWriter.open(state, runId);
    const time = new Date().toISOString();
    writer.onEvent({ type: 'run.started', time, runId, runbook: 'crash', file: '/crash.yaml', params: {}, mode: 'run', resumed: true, steps: [] });
    writer.onEvent({ type: 'step.started', time, runId, stepId: 'again', name: 'again', phase: 'run', targets: ['local'], maxAttempts: 1 });
    writer.close();
    const after = readJournal(path);
    // Still reported where it was, and known for what it is: torn by the crash, not damage.
    expect(after.lost).toEqual([expect.objectContaining({ line: before.lost[0]?.line, reason: 'torn' })]);
    expect(journalDamage(after)).toEqual([]);
    expect(after.events.slice(-2).map((e) => e.type)).toEqual(['run.started', 'step.started']);
    expect(priorRunState(after.events).steps.length).toBe(steps + 1);
  }, 30_000);

  it('in an otherwise complete journal still lets history and show work', () => {
    const state = tempStateDir();
    const writer = JournalWriter.create(state, { runbook: 'x', file: '/x.yaml', lock: 'x' }, { runId: '20261128T000001.000Z-0001' });
    const time = new Date().toISOString();
    writer.onEvent({ type: 'run.started', time, runId: writer.runId, runbook: 'x', file: '/x.yaml', params: {}, mode: 'run', resumed: false, steps: ['a'] });
    writer.close();
    appendFileSync(writer.paths.journal, '{"type":"step.sta');
    expect(statSync(writer.paths.journal).size).toBeGreaterThan(0);
    expect(formatShow(loadRun(state, writer.runId))).toContain('Journal damaged: 1 record(s)');
  });
});
