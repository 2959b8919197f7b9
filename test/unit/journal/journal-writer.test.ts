import { afterAll, describe, expect, it } from '@jest/globals';
import { appendFileSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as tickLoop } from 'node:timers/promises';
import { JournalWriter } from '../../../src/journal/journal-writer.js';
import { journalDamage, readJournal } from '../../../src/journal/journal-reader.js';
import { readRunMeta } from '../../../src/journal/run-meta.js';
import { decodeLine } from '../../../src/journal/journal-line.js';
import { UsageError } from '../../../src/errors/stepwise-error.js';
import { cleanTempDirs, tempStateDir } from '../../helpers/temp-dir.js';
import { output, retrying, rollbackFinished, rollbackStarted, runFinished, runStarted, stepFinished, stepStarted, successfulRun } from '../../helpers/engine-events.js';

afterAll(cleanTempDirs);

const META = { runbook: 'demo', file: '/rb/demo.yaml', cwd: '/work', lock: 'demo', options: { noRollback: true } };

describe('JournalWriter.create', () => {
  it('creates runs/RUN_ID with a journal, meta and logs, dirs 0700 and files 0600', () => {
    const state = tempStateDir();
    const writer = JournalWriter.create(state, META);
    writer.writeRunbookCopy('name: demo\n', 'demo.yaml');
    writer.writeParams({ version: 'v2', token: '***' });
    for (const e of successfulRun(['a'])) writer.onEvent(e);
    writer.close();
    const dir = writer.paths.dir;
    expect(readdirSync(state.runs)).toEqual([writer.runId]);
    expect(readdirSync(dir).sort()).toEqual(['journal.jsonl', 'logs', 'meta.json', 'params.json', 'runbook']);
    for (const d of [dir, join(dir, 'logs'), join(dir, 'runbook')]) expect(statSync(d).mode & 0o777).toBe(0o700);
    for (const f of ['journal.jsonl', 'meta.json', 'params.json', 'runbook/demo.yaml', 'logs/a.log']) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, 'params.json'), 'utf8'))).toEqual({ version: 'v2', token: '***' });
    expect(readFileSync(join(dir, 'runbook/demo.yaml'), 'utf8')).toBe('name: demo\n');
  });

  it('records meta: runbook, original path, cwd, lock, options, copy, one session per run.started', () => {
    const writer = JournalWriter.create(tempStateDir(), META);
    writer.writeRunbookCopy('x', 'demo.yaml');
    writer.onEvent(runStarted(['a']));
    writer.close();
    const meta = readRunMeta(writer.paths.meta);
    expect(meta).toMatchObject({ version: 1, runId: writer.runId, runbook: 'demo', file: '/rb/demo.yaml', cwd: '/work', lock: 'demo', options: { noRollback: true }, runbookCopy: 'runbook/demo.yaml' });
    expect(meta?.sessions).toEqual([expect.objectContaining({ pid: process.pid, mode: 'run', resumed: false })]);
  });

  it('uses a given run id, and refuses to create it twice', () => {
    const state = tempStateDir();
    JournalWriter.create(state, META, { runId: '20260101T000000.000Z-abcd' }).close();
    expect(() => JournalWriter.create(state, META, { runId: '20260101T000000.000Z-abcd' })).toThrow(/Cannot create run directory/);
  });

  it('refuses a run id that could escape the runs directory', () => {
    expect(() => JournalWriter.create(tempStateDir(), META, { runId: '../escape' })).toThrow(UsageError);
  });

  it('refuses events after close instead of reopening files', () => {
    const writer = JournalWriter.create(tempStateDir(), META);
    writer.close();
    expect(() => writer.onEvent(output('a', ['late']))).toThrow(/closed; event step.output was not recorded/);
    expect(() => writer.close()).not.toThrow();
  });

  it('keeps library-step copies beside the runbook copy, never outside the run dir', () => {
    const writer = JournalWriter.create(tempStateDir(), META);
    expect(writer.writeRunbookAsset('steps/pg.yaml', 'p')).toBe(join(writer.paths.runbook, 'steps/pg.yaml'));
    expect(writer.writeRunbookAsset('../../evil', 'e')).toBe(join(writer.paths.runbook, '_/_/evil'));
    writer.close();
  });
});

describe('JournalWriter events', () => {
  it('journals every event but step.output, which goes to the step log only', () => {
    const writer = JournalWriter.create(tempStateDir(), META);
    const events = successfulRun(['a', 'b']);
    for (const e of events) writer.onEvent(e);
    writer.close();
    expect(readJournal(writer.paths.journal).events).toEqual(events.filter((e) => e.type !== 'step.output'));
    expect(readFileSync(join(writer.paths.logs, 'b.log'), 'utf8')).toMatch(/^# .* step started on local \(attempts: 1\)\nO hello from b\n# .* succeeded \(exit 0, attempt 1, 120ms\)\n$/);
  });

  it('fsyncs each boundary: a start at once, an end with the next start or within one loop turn', async () => {
    const writer = JournalWriter.create(tempStateDir(), META);
    writer.onEvent(runStarted(['a', 'b']));
    expect(writer.syncCount).toBe(1);
    writer.onEvent(stepStarted('a'));
    expect(writer.syncCount).toBe(2);
    writer.onEvent(output('a', ['x']));
    writer.onEvent(stepFinished('a'));
    expect(writer.syncCount).toBe(2); // deferred...
    writer.onEvent(stepStarted('b'));
    expect(writer.syncCount).toBe(3); // ...and coalesced with the next start
    writer.onEvent(stepFinished('b'));
    await tickLoop();
    expect(writer.syncCount).toBe(4); // or synced on the next turn when nothing follows at once
    writer.onEvent(runFinished());
    expect(writer.syncCount).toBe(5);
    writer.close();
    expect(writer.syncCount).toBe(5);
  });

  it('fsyncs a retry at once (the next attempt starts without another record)', () => {
    const writer = JournalWriter.create(tempStateDir(), META);
    writer.onEvent(stepStarted('a', { maxAttempts: 3 }));
    const before = writer.syncCount;
    writer.onEvent(retrying('a', 1));
    expect(writer.syncCount).toBe(before + 1);
    writer.close();
  });

  it('can fsync every boundary on its own (for measurement)', () => {
    const writer = JournalWriter.create(tempStateDir(), META, { syncEveryBoundary: true });
    for (const e of successfulRun(['a'])) writer.onEvent(e);
    writer.close();
    expect(writer.syncCount).toBe(4);
  });

  it('writes rollback and retry notes to the right logs, with stream and host tags', () => {
    const writer = JournalWriter.create(tempStateDir(), META);
    writer.onEvent(stepStarted('m', { targets: ['web-1', 'web-2'], maxAttempts: 3 }));
    writer.onEvent(output('m', ['out 1', 'out 2'], { host: 'web-1' }));
    writer.onEvent(output('m', ['boom'], { stream: 'stderr', host: 'web-2' }));
    writer.onEvent(retrying('m', 1, { host: 'web-2' }));
    writer.onEvent(stepFinished('m', { status: 'failed', exitCode: 2, error: 'exit code 2' }));
    writer.onEvent(rollbackStarted('m', ['web-2', 'web-1']));
    writer.onEvent(output('m', ['undo'], { phase: 'rollback' }));
    writer.onEvent(rollbackFinished('m'));
    writer.close();
    const log = readFileSync(join(writer.paths.logs, 'm.log'), 'utf8').split('\n');
    expect(log.slice(1, 4)).toEqual(['O [web-1] out 1', 'O [web-1] out 2', 'E [web-2] boom']);
    expect(log[4]).toMatch(/^# .* attempt 1\/3 on web-2 failed \(exit 1\): exit code 1; retrying in 1s$/);
    expect(log[5]).toMatch(/failed \(exit 2, attempt 1, 120ms\): exit code 2$/);
    const rb = readFileSync(join(writer.paths.logs, 'm.rollback.log'), 'utf8').split('\n');
    expect(rb[0]).toMatch(/rollback started on web-2, web-1$/);
    expect(rb[1]).toBe('O undo');
    expect(rb[2]).toMatch(/rollback succeeded/);
  });
});

describe('JournalWriter.open (resume)', () => {
  it('appends to the same journal and logs, after repairing a torn last line', () => {
    const state = tempStateDir();
    const first = JournalWriter.create(state, META);
    first.onEvent(runStarted(['a']));
    first.onEvent(stepStarted('a'));
    first.onEvent(output('a', ['before crash']));
    first.close();
    appendFileSync(first.paths.journal, '{"type":"step.fini'); // the runner died mid-write
    const second = JournalWriter.open(state, first.runId);
    second.onEvent(runStarted(['a'], { resumed: true }));
    second.onEvent(stepStarted('a'));
    second.onEvent(output('a', ['after resume']));
    second.onEvent(stepFinished('a'));
    second.close();
    const journal = readJournal(first.paths.journal);
    expect(journal.events.map((e) => e.type)).toEqual(['run.started', 'step.started', 'run.started', 'step.started', 'step.finished']);
    // The resumed writer explained the torn line: it is reported, and it is not damage.
    expect(journal.lost).toEqual([expect.objectContaining({ line: 3, reason: 'torn' })]);
    expect(journalDamage(journal)).toEqual([]);
    expect(readFileSync(join(first.paths.logs, 'a.log'), 'utf8')).toMatch(/O before crash\n[^]*O after resume\n/);
    expect(readRunMeta(first.paths.meta)?.sessions.map((s) => s.resumed)).toEqual([false, true]);
  });

  it('numbers every record, continuing the sequence across sessions, each line with its checksum', () => {
    const state = tempStateDir();
    const first = JournalWriter.create(state, META);
    for (const e of [runStarted(['a']), stepStarted('a'), stepFinished('a'), runFinished({ status: 'failed', exitCode: 1 })]) first.onEvent(e);
    first.close();
    const second = JournalWriter.open(state, first.runId);
    second.onEvent(runStarted(['a'], { resumed: true }));
    second.acknowledge({ time: new Date().toISOString(), by: 'ops', host: 'h', note: 'looked' });
    second.close();
    const decoded = readFileSync(first.paths.journal, 'utf8').trimEnd().split('\n').map((line) => decodeLine(line));
    expect(decoded.map((d) => ('seq' in d ? d.seq : d.problem))).toEqual([1, 2, 3, 4, 5, 6]);
    const journal = readJournal(first.paths.journal);
    expect(journal.lost).toEqual([]);
    expect(journal.acks).toEqual([expect.objectContaining({ type: 'run.acknowledged', by: 'ops', host: 'h', note: 'looked', runId: first.runId })]);
  });

  it('rebuilds meta.json from run.started when it was lost', () => {
    const state = tempStateDir();
    const first = JournalWriter.create(state, META);
    first.close();
    writeFileSync(first.paths.meta, 'not json');
    const second = JournalWriter.open(state, first.runId);
    second.onEvent(runStarted(['a'], { runbook: 'demo', resumed: true }));
    second.close();
    expect(readRunMeta(first.paths.meta)).toMatchObject({ runbook: 'demo', runId: first.runId });
  });

  it('says an unknown run is unknown (UsageError with a hint)', () => {
    expect(() => JournalWriter.open(tempStateDir(), '20990101T000000.000Z-0000')).toThrow(UsageError);
  });
});
