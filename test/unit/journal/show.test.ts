import { afterAll, describe, expect, it } from '@jest/globals';
import { appendFileSync } from 'node:fs';
import { JournalWriter } from '../../../src/journal/journal-writer.js';
import { loadRun } from '../../../src/journal/load-run.js';
import { formatShow } from '../../../src/journal/format-show.js';
import { FileStore } from '../../../src/journal/file-store.js';
import { logTails } from '../../../src/journal/log-tails.js';
import { UsageError } from '../../../src/errors/stepwise-error.js';
import type { StateDir } from '../../../src/journal/state-dir.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import { cleanTempDirs, tempStateDir } from '../../helpers/temp-dir.js';
import { output, retrying, rollbackFinished, rollbackStarted, runFinished, runStarted, stepFinished, stepStarted } from '../../helpers/engine-events.js';

afterAll(cleanTempDirs);

const RUN = '20261127T101500.000Z-beef';

function record(state: StateDir, events: EngineEvent[], runId = RUN): JournalWriter {
  const writer = JournalWriter.create(state, { runbook: 'orders', file: '/rb/orders.yaml', lock: 'orders' }, { runId });
  writer.writeRunbookCopy('name: orders\n', 'orders.yaml');
  writer.writeParams({ version: 'v3', token: '***' });
  for (const e of events) writer.onEvent(e);
  writer.close();
  return writer;
}

const failedRun = (): EngineEvent[] => [
  runStarted(['backup', 'migrate', 'verify'], { runbook: 'orders', file: '/rb/orders.yaml' }),
  stepStarted('backup', { targets: ['db-1'] }),
  output('backup', Array.from({ length: 20 }, (_, i) => `dumped table ${i}`), { host: 'db-1' }),
  stepFinished('backup', { durationMs: 1234, outputs: { file: '/b/1.dump' } }),
  stepStarted('migrate', { maxAttempts: 2 }),
  output('migrate', ['ERROR: relation missing'], { stream: 'stderr' }),
  retrying('migrate', 1, { maxAttempts: 2 }),
  stepFinished('migrate', { status: 'failed', exitCode: 1, attempt: 2, durationMs: 4000, error: 'step "migrate" failed with exit code 1' }),
  rollbackStarted('migrate'),
  rollbackFinished('migrate', { status: 'failed', exitCode: 5, error: 'rollback exit 5' }),
  rollbackStarted('backup', ['db-1']),
  rollbackFinished('backup'),
  runFinished({ status: 'rollbackFailed', exitCode: 3, durationMs: 9000, error: 'a rollback failed' }),
];

describe('loadRun', () => {
  it('loads meta, journal, prior state, runbook copy and params; accepts a unique id prefix', () => {
    const state = tempStateDir();
    const writer = record(state, failedRun());
    const run = loadRun(state, RUN.slice(0, 12));
    expect(run.runId).toBe(RUN);
    expect(run.state).toBe('rollbackFailed');
    expect(run.durationMs).toBe(9000);
    expect(run.runbookCopy).toBe(`${writer.paths.dir}/runbook/orders.yaml`);
    expect(run.params).toEqual({ version: 'v3', token: '***' });
    expect(run.prior.steps.map((s) => [s.stepId, s.status, s.rolledBack, s.rollbackFailed])).toEqual([
      ['backup', 'succeeded', true, false], ['migrate', 'failed', true, true],
    ]);
  });

  it('rejects unknown, ambiguous and unsafe ids with a UsageError that points at history', () => {
    const state = tempStateDir();
    record(state, failedRun(), '20261127T101500.000Z-0001');
    record(state, failedRun(), '20261127T101500.000Z-0002');
    const errorOf = (id: string): UsageError => {
      try {
        loadRun(state, id);
      } catch (e) {
        return e as UsageError;
      }
      throw new Error('no error');
    };
    expect(errorOf('20990101').message).toMatch(/No run "20990101"/);
    expect(errorOf('20990101').hint).toContain('stepwise history');
    expect(errorOf('20261127').message).toMatch(/ambiguous/);
    expect(errorOf('../../etc')).toBeInstanceOf(UsageError);
  });
});

describe('formatShow', () => {
  it('answers who, where, when, with which params; per step targets, times, attempts with exit codes, outputs, rollback and log tail', async () => {
    const state = tempStateDir();
    record(state, failedRun());
    const run = loadRun(state, RUN);
    // The log tails come from the store, as `stepwise show` reads them.
    const text = formatShow(run, { tailLines: 2, tails: await logTails(FileStore.open(state.root, { writable: false }), run, 10) });
    const day = (run.startedAt ?? '').slice(0, 10);
    expect(text).toContain(`Run ${RUN}  orders  rollbackFailed (exit 3)`);
    expect(text).toMatch(new RegExp(`\\n  who       run by \\S+ on \\S+ \\(pid ${process.pid}\\) at ${day}T\\d\\d:\\d\\d:\\d\\dZ\\n`));
    expect(text).toMatch(/\n {2}when {6}started \S+Z, ended \S+Z; took 9\.0s\n/);
    expect(text).toContain('\n  params    version=v3  token=***\n');
    expect(text).toContain('\n  error     a rollback failed\n');
    expect(text).toMatch(/\n {3}1\. backup {2}succeeded\n {7}on {8}db-1\n {7}when {6}started \d\d:\d\d:\d\dZ, ended \d\d:\d\d:\d\dZ, took 1\.2s\n/);
    expect(text).toContain('       outputs   file=/b/1.dump\n');
    expect(text).toMatch(/ {7}rollback {2}succeeded \(exit 0, took 40ms\) on db-1 at \d\d:\d\d:\d\dZ\n/);
    expect(text).toContain(`last 2 lines; \`stepwise logs ${RUN} backup\` for all:`);
    expect(text).toContain('| [db-1] dumped table 19');
    expect(text).not.toContain('dumped table 17');
    expect(text).toMatch(/ {3}2\. migrate {2}failed\n/);
    expect(text).toMatch(/ {7}attempts {2}1 failed \(exit 1\) at \d\d:\d\d:\d\dZ: exit code 1\n/);
    expect(text).toContain('rollback  failed (exit 5, took 40ms) on local');
    expect(text).toContain('! ERROR: relation missing');
    expect(text).toMatch(/ {3}3\. verify {2}not started\n/);
    expect(text).not.toContain('Journal damaged');
  });

  it('ends with a text timeline of everything journaled, in the words it is given', () => {
    const state = tempStateDir();
    record(state, failedRun());
    const words = { step: (s: string, declined: boolean) => (declined ? 'declined' : s === 'timedOut' ? 'timed out' : s), rollback: (s: string) => s, run: (s: string) => (s === 'rollbackFailed' ? 'rollback failed' : s) };
    const text = formatShow(loadRun(state, RUN), { words, headline: 'failed; rollback incomplete', next: [[`stepwise rollback ${RUN}`, 'retry the rollbacks that failed']] });
    expect(text).toContain(`Run ${RUN}  orders  failed; rollback incomplete (exit 3)`);
    expect(text).toContain(`  next      stepwise rollback ${RUN}  (retry the rollbacks that failed)`);
    const timeline = text.slice(text.indexOf('\nTimeline\n'));
    expect(timeline.split('\n').slice(3).map((l) => l.replace(/^ {2}\d\d:\d\d:\d\dZ {2}/, ''))).toEqual([
      'run started (orders)',
      '▶ backup started on db-1',
      '✔ backup succeeded (1.2s)',
      '▶ migrate started on local',
      '  migrate: attempt 1/2 failed (exit 1); retrying in 1.0s',
      '✖ migrate failed (4.0s, exit 1)',
      '← rollback of migrate started on local',
      '← rollback of migrate failed (40ms, exit 5)',
      '← rollback of backup started on db-1',
      '← rollback of backup succeeded (40ms)',
      '■ ended: rollback failed (exit 3)',
      '',
    ]);
  });

  it('shows a crashed run, what is readable, and what was lost', () => {
    const state = tempStateDir();
    const writer = record(state, [runStarted(['a', 'b']), stepStarted('a'), stepFinished('a'), stepStarted('b')]);
    appendFileSync(writer.paths.journal, '{"type":"step.finished","ti');
    const text = formatShow(loadRun(state, RUN));
    expect(text).toContain(`Run ${RUN}  demo  crashed`);
    expect(text).toContain(`\`stepwise resume ${RUN}\``);
    expect(text).toMatch(/\n {3}2\. b {2}started, never finished\n/);
    expect(text).toContain('Journal damaged: 1 record(s) could not be read');
    expect(text).toMatch(/line 5 \(\d+ bytes\) torn: cut short by a crash/);
  });

  it('points at stepwise rollback when compensation was cut short', () => {
    const state = tempStateDir();
    record(state, [runStarted(['a']), stepStarted('a'), stepFinished('a', { status: 'failed' }), runFinished({ status: 'cancelled', exitCode: 130, rollbackPending: ['a'] })]);
    expect(formatShow(loadRun(state, RUN))).toContain(`rollback of a did not run: \`stepwise rollback ${RUN}\``);
  });
});
