/** The error a held lock raises: names the holder and says what the operator can do. */
import { LockHeldError } from '../errors/stepwise-error.js';
import { formatDuration } from '../runbook/durations.js';
import type { LockHolder } from './lock-file.js';
import { hostname } from 'node:os';

/** A {@link LockHeldError} (exit 75) that also carries the holder, for `--json` and tests. */
export class LockBusyError extends LockHeldError {
  constructor(
    readonly lockName: string,
    readonly lockFile: string,
    readonly holder: LockHolder | undefined,
    waitedMs: number,
    /** What the operator can do, when the lock is not a file (a database lock frees itself). */
    hint?: string,
  ) {
    super(messageFor(lockName, lockFile, holder, waitedMs), { hint: hint ?? hintFor(lockFile, holder) });
  }
}

function messageFor(name: string, file: string, holder: LockHolder | undefined, waitedMs: number): string {
  const who = holder
    ? `run ${holder.runId} (pid ${holder.pid} on host ${holder.host}, since ${holder.since})`
    : `an unknown holder (lock file ${file} is unreadable)`;
  const waited = waitedMs > 0 ? `; still held after waiting ${formatDuration(waitedMs)}` : '';
  return `Lock "${name}" is held by ${who}${waited}`;
}

function hintFor(file: string, holder: LockHolder | undefined): string {
  if (!holder) return `If no stepwise run is active, remove ${file}.`;
  const wait = `Wait for it to finish (--wait-lock DURATION waits for it); \`stepwise show ${holder.runId}\` shows what it is doing.`;
  if (holder.host !== hostname()) {
    return `${wait} It runs on another host, so stepwise cannot check it is alive; if it is not, remove ${file}.`;
  }
  return wait;
}
