/** Turns an error into what the operator sees and the exit code of SPEC §1. */
import { LockHeldError, StepwiseError, UsageError, ValidationError } from '../errors/stepwise-error.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, rollbackFailed: 3, lockHeld: 75, interrupted: 130 } as const;

/** Prints the error (no stack for user errors unless `debug`) and returns the exit code. */
export function reportError(error: unknown, debug: boolean): number {
  if (error instanceof StepwiseError) {
    process.stderr.write(`stepwise: ${error.message}\n`);
    if (error.hint) process.stderr.write(`  hint: ${error.hint}\n`);
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
    if (error instanceof ValidationError || error instanceof UsageError) return EXIT.usage;
    if (error instanceof LockHeldError) return EXIT.lockHeld;
    return EXIT.failed;
  }
  // Not one of ours: a bug. Say so, with the stack, so it can be reported.
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`stepwise: internal error (please report): ${text}\n`);
  return EXIT.failed;
}
