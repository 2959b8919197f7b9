/** `stepwise logs RUN_ID [STEP_ID]`: the full captured output, streamed. */
import { loadRun, locateStateDir, writeRunLogs } from '../../journal/index.js';

export async function logsCommand(runId: string, stepId: string | undefined, args: { stateDir?: string }): Promise<number> {
  const state = locateStateDir(args.stateDir ? { stateDir: args.stateDir } : {});
  // `stepwise logs ID | head` closes the pipe early: that is a normal end, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  try {
    await writeRunLogs(loadRun(state, runId), process.stdout, stepId);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
  }
  return 0;
}
