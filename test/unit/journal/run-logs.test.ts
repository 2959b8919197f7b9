import { afterAll, describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { JournalWriter } from '../../../src/journal/journal-writer.js';
import { loadRun, type LoadedRun } from '../../../src/journal/load-run.js';
import { FileStore } from '../../../src/journal/file-store.js';
import { runLogFiles, writeRunLogs } from '../../../src/journal/run-logs.js';
import { UsageError } from '../../../src/errors/stepwise-error.js';
import { cleanTempDirs, tempStateDir } from '../../helpers/temp-dir.js';
import { output, rollbackFinished, rollbackStarted, runFinished, runStarted, stepFinished, stepStarted } from '../../helpers/engine-events.js';

afterAll(cleanTempDirs);

const RUN = '20261127T101500.000Z-cafe';

async function collect(write: (out: PassThrough) => Promise<void>): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await write(out);
  return Buffer.concat(chunks).toString('utf8');
}

function setup(): ReturnType<typeof loadRun> {
  const state = tempStateDir();
  const writer = JournalWriter.create(state, { runbook: 'r', file: '/r.yaml' }, { runId: RUN });
  for (const e of [
    runStarted(['a', 'b']),
    stepStarted('a'), output('a', ['a says hi']), stepFinished('a'),
    stepStarted('b'), output('b', ['b fails'], { stream: 'stderr' }), stepFinished('b', { status: 'failed' }),
    rollbackStarted('a'), output('a', ['undoing a'], { phase: 'rollback' }), rollbackFinished('a'),
    stepStarted('bye', { phase: 'finally' }), output('bye', ['ciao'], { phase: 'finally' }), stepFinished('bye', { phase: 'finally' }),
    runFinished({ status: 'rolledBack', exitCode: 1 }),
  ]) writer.onEvent(e);
  writer.close();
  return loadRun(state, RUN);
}

/** The state dir a loaded run is in, as a store. */
const storeOf = (run: LoadedRun) => FileStore.open(dirname(dirname(run.paths.dir)), { writable: false });

describe('run logs', () => {
  it('lists log files in the order things ran: each step, its rollback, then finally', () => {
    const run = setup();
    expect(runLogFiles(run).map((f) => `${f.stepId}:${f.phase}`)).toEqual(['a:run', 'a:rollback', 'b:run', 'bye:run']);
  });

  it('streams every log with a header per file', async () => {
    const run = setup();
    const text = await collect((out) => writeRunLogs(storeOf(run), run, out));
    expect(text).toMatch(/^==> a <==\n# .*\nO a says hi\n# .*\n\n==> a \(rollback\) <==\n# .*\nO undoing a\n/);
    expect(text).toContain('==> b <==');
    expect(text).toContain('E b fails');
    expect(text).toContain('==> bye <==');
  });

  it('streams one step (with its rollback), and rejects an unknown step with the known ones', async () => {
    const run = setup();
    const text = await collect((out) => writeRunLogs(storeOf(run), run, out, 'b'));
    expect(text).not.toContain('==>');
    expect(text).toContain('E b fails');
    await expect(collect((out) => writeRunLogs(storeOf(run), run, out, 'nope'))).rejects.toThrow(UsageError);
    await expect(collect((out) => writeRunLogs(storeOf(run), run, out, 'nope'))).rejects.toThrow(/steps: a, b, bye/);
  });

  it('also shows logs the journal lost track of', () => {
    const run = setup();
    writeFileSync(join(run.paths.logs, 'orphan.log'), 'O x\n');
    expect(runLogFiles(run).map((f) => f.stepId)).toContain('orphan');
  });

  it('streams a large log without error', async () => {
    const run = setup();
    writeFileSync(join(run.paths.logs, 'a.log'), 'O line\n'.repeat(300_000));
    const text = await collect((out) => writeRunLogs(storeOf(run), run, out, 'a'));
    expect(text.length).toBeGreaterThan(2_000_000);
  });
});
