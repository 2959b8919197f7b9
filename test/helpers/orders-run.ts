/**
 * One stored run of the runbook "orders" for the tests of loading and showing a run: a
 * failed migration whose rollback failed, written through the real JournalWriter with its
 * runbook copy and masked params.
 */
import { JournalWriter } from '../../src/journal/journal-writer.js';
import type { StateDir } from '../../src/journal/state-dir.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { output, retrying, rollbackFinished, rollbackStarted, runFinished, runStarted, stepFinished, stepStarted } from './engine-events.js';

/** The run id `recordOrdersRun` uses unless told otherwise. */
export const RUN = '20261127T101500.000Z-beef';

/** Writes a run of "orders": meta, runbook copy, params (token masked), then `events`. */
export function recordOrdersRun(state: StateDir, events: EngineEvent[], runId = RUN): JournalWriter {
  const writer = JournalWriter.create(state, { runbook: 'orders', file: '/rb/orders.yaml', lock: 'orders' }, { runId });
  writer.writeRunbookCopy('name: orders\n', 'orders.yaml');
  writer.writeParams({ version: 'v3', token: '***' });
  for (const e of events) writer.onEvent(e);
  writer.close();
  return writer;
}

/** backup succeeds on db-1, migrate fails after a retry, both are compensated and migrate's rollback fails (exit 3). */
export const failedOrdersRun = (): EngineEvent[] => [
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
