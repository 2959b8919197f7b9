/** `show`'s text (src/views/format-show.ts) of runs stored through the real JournalWriter. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { appendFileSync } from 'node:fs';
import { loadRun } from '../../../src/journal/load-run.js';
import { FileStore } from '../../../src/journal/file-store.js';
import { logTails } from '../../../src/journal/log-tails.js';
import { formatShow } from '../../../src/views/format-show.js';
import { cleanTempDirs, tempStateDir } from '../../helpers/temp-dir.js';
import { runFinished, runStarted, stepFinished, stepStarted } from '../../helpers/engine-events.js';
import { failedOrdersRun, recordOrdersRun, RUN } from '../../helpers/orders-run.js';

afterAll(cleanTempDirs);

describe('formatShow', () => {
  it('answers who, where, when, with which params; per step targets, times, attempts with exit codes, outputs, rollback and log tail', async () => {
    const state = tempStateDir();
    recordOrdersRun(state, failedOrdersRun());
    const run = loadRun(state, RUN);
    // The log tails come from the store, as `stepwise show` reads them.
    const text = formatShow(run, { tailLines: 2, tails: await logTails(FileStore.open(state.root, { writable: false }), run, 10) });
    const day = (run.startedAt ?? '').slice(0, 10);
    expect(text).toContain(`Run ${RUN}  orders  rollbackFailed (exit 3)`);
    expect(text).toMatch(new RegExp(`\\n  who       run by \\S+ on \\S+ \\(pid ${process.pid}\\) at ${day}T\\d\\d:\\d\\d:\\d\\dZ\\n`));
    expect(text).toMatch(/\n {2}when {6}started \S+Z, ended \S+Z; took 9s\n/);
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
    recordOrdersRun(state, failedOrdersRun());
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
      '  migrate: attempt 1/2 failed (exit 1); retrying in 1s',
      '✖ migrate failed (4s, exit 1)',
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
    const writer = recordOrdersRun(state, [runStarted(['a', 'b']), stepStarted('a'), stepFinished('a'), stepStarted('b')]);
    appendFileSync(writer.paths.journal, '{"type":"step.finished","ti');
    const text = formatShow(loadRun(state, RUN));
    expect(text).toContain(`Run ${RUN}  demo  crashed`);
    expect(text).toContain(`\`stepwise resume ${RUN}\``);
    expect(text).toMatch(/\n {3}2\. b {2}started, never finished\n/);
    expect(text).toContain('Journal damaged: 1 record(s) could not be read');
    expect(text).toMatch(/line 5 \(\d+ bytes\) torn: cut short by a crash/);
  });

  it("prints the runbook's description (as recorded, Markdown for a terminal, control characters stripped) before the steps", () => {
    const state = tempStateDir();
    const description = 'Migrates the **orders** database.\n\n- backs it up first\n- run `stepwise rollback` to undo\u001b[31m';
    recordOrdersRun(state, [runStarted(['a'], { runbook: 'orders', description }), stepStarted('a'), stepFinished('a'), runFinished()]);
    const text = formatShow(loadRun(state, RUN));
    const block = text.slice(text.indexOf('\n\n') + 2, text.indexOf('\nSteps\n'));
    expect(block).toBe(['  Migrates the orders database.', '', '    - backs it up first', '    - run `stepwise rollback` to undo', ''].join('\n'));
    expect(text).not.toContain('\u001b');
    // Without a description, the header is followed by the steps at once.
    const other = tempStateDir();
    recordOrdersRun(other, [runStarted(['a']), stepStarted('a'), stepFinished('a'), runFinished()]);
    expect(formatShow(loadRun(other, RUN))).toMatch(/\n {2}params {4}[^\n]*\n\nSteps\n/);
  });

  it('points at stepwise rollback when compensation was cut short', () => {
    const state = tempStateDir();
    recordOrdersRun(state, [runStarted(['a']), stepStarted('a'), stepFinished('a', { status: 'failed' }), runFinished({ status: 'cancelled', exitCode: 130, rollbackPending: ['a'] })]);
    expect(formatShow(loadRun(state, RUN))).toContain(`rollback of a did not run: \`stepwise rollback ${RUN}\``);
  });
});
