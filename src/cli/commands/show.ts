/** `stepwise show RUN_ID`: one run step by step. */
import { formatShow, loadRun, locateStateDir } from '../../journal/index.js';
import { writeStdout } from '../output.js';

export function showCommand(runId: string, args: { stateDir?: string }): number {
  const state = locateStateDir(args.stateDir ? { stateDir: args.stateDir } : {});
  writeStdout(formatShow(loadRun(state, runId)));
  return 0;
}
