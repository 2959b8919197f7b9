/** `stepwise rollback RUN_ID`: compensate a halted, failed or crashed run now. */
import { continueRun } from '../continue-run.js';
import type { ContinueArgs } from '../run-args.js';

export function rollbackCommand(runId: string, args: ContinueArgs): Promise<number> {
  return continueRun(runId, args, 'rollback');
}
