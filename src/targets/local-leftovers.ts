/**
 * Ends what a crashed runner's local steps left behind. A step's shell leads its own
 * session, so when the runner is killed (SIGKILL, OOM) the step goes on; `resume` must not
 * start the same step a second time beside it, and no script or outputs file of the dead
 * run may stay in the temp directory. Linux /proc only; elsewhere there is nothing to list.
 *
 * Each step's shell pid is journaled (`step.process`); it is the session id of everything
 * the step started (process-tree.ts has the rule, the same as for a running step). The
 * journaled number may have been reused since, so a session counts as this run's only if
 * one of its live processes carries `STEPWISE_RUN_ID=<run id>` in its environment: a
 * session id stays allocated while any member lives, so all members at that moment are of
 * the same session. Processes that left with setsid() are services and are not touched.
 */
import { readFileSync } from 'node:fs';
import { endSession, sessionMembers, type SessionMember } from './process-tree.js';
import { removeRunTempFiles } from './step-files.js';

/** True when one of the process's environment entries is exactly `STEPWISE_RUN_ID=<runId>`. */
function carriesRunId(pid: number, runId: string): boolean {
  try {
    const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    return entries.includes(`STEPWISE_RUN_ID=${runId}`);
  } catch {
    return false;
  }
}

/** The live processes of session `sid` if it is provably a step session of `runId`, else none. */
export function runSessionMembers(sid: number, runId: string): SessionMember[] {
  const members = sessionMembers(sid);
  return members.some((m) => carriesRunId(m.pid, runId)) ? members : [];
}

/** Pids of live processes still running from `runId`'s steps, whose shells had the pids in `sessions`. */
export function leftoverPids(sessions: ReadonlySet<number>, runId: string): number[] {
  return [...sessions].flatMap((sid) => runSessionMembers(sid, runId).map((m) => m.pid));
}

/**
 * Ends the dead run's step processes (TERM, then KILL after the grace period), then removes
 * its temp files; returns how many processes there were.
 */
export async function endLeftovers(sessions: ReadonlySet<number>, runId: string, graceMs: number): Promise<number> {
  const ended = await Promise.all([...sessions].map((sid) => endSession(sid, graceMs, { members: (s) => runSessionMembers(s, runId) })));
  removeRunTempFiles(runId);
  return ended.reduce((sum, end) => sum + end.processes, 0);
}
