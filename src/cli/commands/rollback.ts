/** `stepwise rollback RUN_ID`: compensate a halted, failed or crashed run now. */
import { continueRun } from '../continue-run.js';
import type { RunArgs } from '../run-args.js';

export function rollbackCommand(runId: string, args: RunArgs): Promise<number> {
  return continueRun(runId, args, 'rollback');
}
