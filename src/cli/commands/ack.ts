/**
 * `stepwise ack RUN_ID [--note TEXT]`: someone looked at a failed, cancelled or crashed run;
 * the next run of its lock may start although its runbook says `blockAfterFailure: true`.
 * Journaled in the run, with who, where, when and the note.
 */
import { hostname, userInfo } from 'node:os';
import { UsageError } from '../../errors/stepwise-error.js';
import { blockingRunOf, openStateStore, type StateStore } from '../../journal/index.js';
import { writeStdout } from '../output.js';
import { stateChoiceOf } from '../state-args.js';

/** Options of `ack`. */
export interface AckArgs {
  note?: string;
  state?: string;
  stateDir?: string;
}

export async function ackCommand(typed: string, args: AckArgs): Promise<number> {
  const store = await openStateStore(stateChoiceOf(args), { writable: true });
  try {
    return await acknowledge(store, typed, args.note);
  } finally {
    await store.close();
  }
}

async function acknowledge(store: StateStore, typed: string, note: string | undefined): Promise<number> {
  const run = await store.loadRun(await store.resolveRunId(typed));
  if (run.state === 'running') throw new UsageError(`run ${run.runId} is still running: there is nothing to acknowledge yet`, { hint: `\`stepwise show ${run.runId}\` shows what it is doing.` });
  if (run.state === 'succeeded') throw new UsageError(`run ${run.runId} succeeded: there is nothing to acknowledge`);
  const blocking = blockingRunOf(run);
  // One writer per journal: the run's own lock, as resume would take it (busy: exit 75).
  const lock = run.meta?.lock === undefined ? undefined : await store.acquireLock(run.meta.lock, { runId: run.runId });
  try {
    await store.acknowledge(run.runId, { by: who(), host: hostname(), ...(note ? { note } : {}) });
  } finally {
    await lock?.release();
  }
  const what = blocking ? `; the next run of lock "${run.meta?.lock ?? run.summary.runbook ?? '?'}" may start` : ' (it was not blocking anything)';
  writeStdout(`acknowledged run ${run.runId} (${run.state})${what}\n`);
  return 0;
}

function who(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
