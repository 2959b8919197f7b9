/** `stepwise resume RUN_ID`: continue from the first step that did not succeed. */
import { continueRun } from '../continue-run.js';
import type { ContinueArgs } from '../run-args.js';

export function resumeCommand(runId: string, args: ContinueArgs): Promise<number> {
  return continueRun(runId, args, 'run');
}
