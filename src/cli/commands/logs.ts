/** `stepwise logs RUN_ID [STEP_ID]`: the full captured output, streamed. */
import { loadRun, openStateDir, writeRunLogs } from '../../journal/index.js';

export async function logsCommand(runId: string, stepId: string | undefined, args: { stateDir?: string }): Promise<number> {
  const state = openStateDir(args.stateDir ? { stateDir: args.stateDir } : {});
  await writeRunLogs(loadRun(state, runId), process.stdout, stepId);
  return 0;
}
