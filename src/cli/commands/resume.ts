/** `stepwise resume RUN_ID`: continue from the first step that did not succeed. */
import { continueRun } from '../continue-run.js';
import type { RunArgs } from '../run-args.js';

export function resumeCommand(runId: string, args: RunArgs): Promise<number> {
  return continueRun(runId, args, 'run');
}
