/** Reads single processes from /proc by pid, to prove what is alive and where it belongs. */
import { readdirSync, readFileSync } from 'node:fs';

/** Process group, session and command name of a pid, or undefined once it is gone (a zombie counts as gone). */
export function procInfo(pid: number): { pgid: number; sid: number; comm: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const close = text.lastIndexOf(')');
    const [state, , pgrp, session] = text.slice(close + 2).split(' ');
    if (state === 'Z' || state === 'X') return undefined;
    return { pgid: Number(pgrp), sid: Number(session), comm: text.slice(text.indexOf('(') + 1, close) };
  } catch {
    return undefined;
  }
}

/** True while the process exists and has not finished. */
export const alive = (pid: number): boolean => procInfo(pid) !== undefined;

/** Live pids whose session id is `sid`. */
export function sessionPids(sid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => procInfo(pid)?.sid === sid);
}

/** Kills each pid that is still alive (test cleanup; by pid, never by name). */
export function killPids(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}
