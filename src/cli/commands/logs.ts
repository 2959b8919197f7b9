/** `stepwise logs RUN_ID|last [STEP_ID] [-f]`: the full captured output, streamed; `-f` follows a running run until it ends. */
import { openStateStore, writeRunLogs, type StateStore } from '../../journal/index.js';
import { stateChoiceOf } from '../state-args.js';

export async function logsCommand(typed: string, stepId: string | undefined, args: { state?: string; stateDir?: string; follow?: boolean }): Promise<number> {
  const store = await openStateStore(stateChoiceOf(args), { writable: false });
  try {
    return await printLogs(store, typed, stepId, args.follow === true);
  } finally {
    await store.close();
  }
}

async function printLogs(store: StateStore, typed: string, stepId: string | undefined, follow: boolean): Promise<number> {
  // `stepwise logs ID | head` closes the pipe early: that is a normal end, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  const run = await store.loadRun(await store.resolveRunId(typed));
  try {
    if (follow && run.state === 'running') {
      // An unknown step is refused now, as without -f (it may not have started yet: then it is known from the runbook).
      if (stepId !== undefined) await store.logsOf(run, stepId);
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await store.followLogs(run.runId, process.stdout, { ...(stepId !== undefined ? { stepId } : {}), signal: stop.signal });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      return stop.signal.aborted ? 130 : 0;
    }
    await writeRunLogs(store, run, process.stdout, stepId);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
  }
  return 0;
}
