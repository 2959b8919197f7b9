/** `stepwise history`: past runs, newest first. */
import { formatHistory, listRuns, locateStateDir } from '../../journal/index.js';
import { writeStdout } from '../output.js';

export function historyCommand(args: { runbook?: string; limit?: number; stateDir?: string }): number {
  const state = locateStateDir(args.stateDir ? { stateDir: args.stateDir } : {});
  const entries = listRuns(state, { ...(args.runbook ? { runbook: args.runbook } : {}), limit: args.limit ?? 20 });
  writeStdout(formatHistory(entries, { runsDir: state.runs, ...(args.runbook ? { runbook: args.runbook } : {}) }));
  return 0;
}
