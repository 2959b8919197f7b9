/**
 * Which processes are a step's, and how they are ended. THE RULE (mirror it on remote hosts):
 *
 * A step's shell is started as the leader of a new session (setsid), so its pid is the
 * session id. The step's processes are exactly the live processes whose session id
 * (field 6 of /proc/PID/stat) equals the shell's pid: every process it forks inherits the
 * session and keeps it when reparented, whatever process group it moves to (`timeout`,
 * `setpgid`, job control). A process that calls setsid() leaves the session: it is
 * starting a service (SPEC §3.6), is not the step's, and is never signalled.
 *
 * Signals are sent to process *groups* (kill(-pgid)) found in the session, never to pids
 * one by one. A process group never spans sessions, and the kernel delivers a group signal
 * atomically: a process that has called setsid() before the signal is sent is no longer in
 * the group and does not get it; one that has not yet is still the step's and does. So
 * there is no window between "read its session id" and "signal it" in which a process that
 * has left could be hit. (Which processes are still *about* to leave when a finished step's
 * leftovers are ended is a policy question, answered in local-step-end.ts.)
 *
 * Ids are not reused while referenced: the kernel keeps a pid number allocated while any
 * process still uses it as its pid, process group or session id, so the session id names
 * this step's processes for as long as one of them lives. Once the last one has died the
 * number can come back only after the pid counter wraps (pids are handed out cyclically),
 * which takes far longer than the half second at most between two scans here (and a known
 * process is checked by its session id too, not by its pid alone); a process whose pid
 * equals the session id after the shell was reaped is a new session, so the scan stops.
 *
 * Where /proc cannot be read (not Linux), the session cannot be listed and only the
 * shell's own process group is used, as before.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isGroupAlive } from './process-alive.js';

/** One live process of a step's session. */
export interface SessionMember {
  pid: number;
  pgid: number;
  /** Command name from /proc (at most 15 characters), e.g. `setsid` while it is about to leave. */
  comm: string;
}

/** How often a session is looked at while waiting for it to empty. */
const POLL_MS = 50;
/** SIGKILL rounds at most: each kills every group still present; new forks are caught by the next round. */
const KILL_ROUNDS = 40;

let procReadable: boolean | undefined;

/** True where the process table can be read from /proc (Linux). */
export function canListSessions(): boolean {
  if (procReadable === undefined) {
    try {
      readFileSync('/proc/self/stat', 'latin1');
      procReadable = true;
    } catch {
      procReadable = false;
    }
  }
  return procReadable;
}

interface StatFields {
  comm: string;
  state: string;
  pgid: number;
  sid: number;
}

/** Parses /proc/PID/stat: the command name is in parentheses and may itself hold spaces or ')'. */
export function parseStat(text: string): StatFields | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // After the name: state ppid pgrp session ...
  const [state, , pgrp, session] = text.slice(close + 2).split(' ');
  if (state === undefined || pgrp === undefined || session === undefined) return undefined;
  return { comm: text.slice(open + 1, close), state, pgid: Number(pgrp), sid: Number(session) };
}

/** Reused for the small /proc files read at every step's end. */
const procBuffer = Buffer.alloc(4096);

/**
 * A small /proc file in one read: readFileSync would also stat it (its size shows as 0) and
 * read again for the end, and each system call counts at every step's end.
 */
function readProcFile(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const length = readSync(fd, procBuffer, 0, procBuffer.length, null);
    return length < procBuffer.length ? procBuffer.toString('latin1', 0, length) : readFileSync(path, 'latin1');
  } finally {
    closeSync(fd);
  }
}

/** Reads one process's stat; undefined when it is gone (or not ours to read). */
function readStat(pid: number | string): StatFields | undefined {
  try {
    return parseStat(readProcFile(`/proc/${pid}/stat`));
  } catch {
    return undefined;
  }
}

/** A zombie (Z) or dead (X) entry has finished: it holds no resources worth ending. */
const finished = (state: string) => state === 'Z' || state === 'X';

/** The pid the kernel handed out last in our pid namespace, if it can be read. */
function lastPid(): number | undefined {
  try {
    const value = Number(readProcFile('/proc/sys/kernel/ns_last_pid'));
    return Number.isInteger(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Which pids can have been handed out since the leader `sid` was: the kernel allocates
 * pids cyclically, so they lie after `sid` up to the last pid allocated, wrapping once at
 * pid_max. That holds unless the counter went all the way round past `sid` again (pid_max
 * allocations, 32768 at the least) — which is why only short steps use it.
 */
function bornAfter(sid: number, last: number | undefined): (pid: number) => boolean {
  if (last === undefined) return () => true;
  return last >= sid ? (pid) => pid > sid && pid <= last : (pid) => pid > sid || pid <= last;
}

/**
 * Up to this many pids handed out since the leader, they are looked up one by one instead
 * of listing /proc: at a short step's end that is the step's own few processes, while the
 * listing costs a read of every process on the machine.
 */
const PROBE_AT_MOST = 64;

/** Which processes {@link sessionMembers} looks at. */
export interface ScanOptions {
  /**
   * The session's leader (the step's shell) has exited and been reaped: a live process
   * with pid `sid` that leads a session is a newcomer that got the number again, and the
   * step's session is over.
   */
  leaderGone?: boolean;
  /**
   * Read only processes created after the leader (see bornAfter): reading /proc/PID/stat
   * costs tens of microseconds per process on a busy virtual machine, and the check at
   * every step's end would otherwise read the whole process table. For a step that ran a
   * short time only, where the pid counter cannot have gone round.
   */
  recentOnly?: boolean;
}

/** The live processes of session `sid`. */
export function sessionMembers(sid: number, options: ScanOptions = {}): SessionMember[] {
  if (!canListSessions()) return isGroupAlive(sid) ? [{ pid: sid, pgid: sid, comm: '' }] : [];
  // (With recentOnly the counter has not gone round, so the number cannot be back yet.)
  if (options.leaderGone && !options.recentOnly) {
    const leader = readStat(sid);
    if (leader && leader.sid === sid && !finished(leader.state)) return [];
  }
  const pids = candidatePids(sid, options.recentOnly ?? false);
  const members: SessionMember[] = [];
  for (const pid of pids ?? []) {
    if (options.leaderGone && pid === sid) continue;
    const stat = readStat(pid);
    if (!stat || stat.sid !== sid || finished(stat.state)) continue;
    members.push({ pid, pgid: stat.pgid, comm: stat.comm });
  }
  return members;
}

/** The pids that can be in session `sid` (see ScanOptions.recentOnly); undefined when /proc cannot be listed. */
function candidatePids(sid: number, recentOnly: boolean): number[] | undefined {
  const last = recentOnly ? lastPid() : undefined;
  // The leader and the few pids handed out since: one lookup each (a gone one is simply not found).
  if (last !== undefined && last >= sid && last - sid <= PROBE_AT_MOST) return Array.from({ length: last - sid + 1 }, (_, i) => sid + i);
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  // The last pid is read after the listing, so every pid listed was handed out by then.
  const recent = recentOnly ? bornAfter(sid, lastPid()) : () => true;
  const pids: number[] = [];
  for (const entry of entries) {
    const first = entry.charCodeAt(0);
    if (first < 48 || first > 57) continue;
    const pid = Number(entry);
    if (pid === sid || recent(pid)) pids.push(pid);
  }
  return pids;
}

/** True while `pid` is alive and still in session `sid`. */
function stillMember(pid: number, sid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.sid === sid && !finished(stat.state);
}

let ownGroup: number | undefined;

/** The runner's own process group, never a step's: a guard against signalling ourselves. */
function runnerGroup(): number {
  ownGroup ??= canListSessions() ? (readStat('self')?.pgid ?? -1) : -1;
  return ownGroup;
}

/** Sends `signal` to every process group of `members` (see the rule above: groups, not pids). */
export function signalGroups(members: readonly SessionMember[], signal: NodeJS.Signals): void {
  for (const pgid of new Set(members.map((m) => m.pgid))) {
    // pgid 0 or 1 can never be a step's group (kill(-1) would signal every process we may).
    if (pgid <= 1 || pgid === runnerGroup()) continue;
    try {
      process.kill(-pgid, signal);
    } catch {
      // the group emptied meanwhile
    }
  }
}

/** What ending a session did. */
export interface SessionEnd {
  /** Distinct processes seen in the session while ending it. */
  processes: number;
  /** Some survived SIGKILL rounds (a process stuck in the kernel, state D). */
  survivors: number;
}

/** How {@link endSession} looks at the session. */
export interface EndOptions {
  /** Asked at each scan: see {@link ScanOptions.leaderGone}. */
  leaderGone?: () => boolean;
  /** Asked at each scan: see {@link ScanOptions.recentOnly}. */
  recentOnly?: () => boolean;
  /** Replaces the scan (resume keeps only a session that is provably its run's). */
  members?: (sid: number) => SessionMember[];
}

/** While the groups signalled are still there, the whole table is read again only this often. */
const FULL_SCAN_EVERY_MS = 500;

/**
 * Ends every process of session `sid`: SIGTERM to each of its process groups, up to
 * `graceMs` for them to exit, then SIGKILL rounds until none is left. Groups made during
 * the grace (a trap's cleanup) are left to finish it, and killed with the rest after it.
 */
export async function endSession(sid: number, graceMs: number, options: EndOptions = {}): Promise<SessionEnd> {
  const seen = new Set<number>();
  const look = () => {
    const members = options.members ? options.members(sid) : sessionMembers(sid, { leaderGone: options.leaderGone?.() ?? false, recentOnly: options.recentOnly?.() ?? false });
    for (const m of members) seen.add(m.pid);
    return members;
  };
  let members = look();
  if (members.length === 0) return { processes: 0, survivors: 0 };
  signalGroups(members, 'SIGTERM');
  // Stopped processes cannot act on SIGTERM until continued (a job-control `kill -STOP`).
  signalGroups(members, 'SIGCONT');
  const deadline = performance.now() + graceMs;
  let lastScan = performance.now();
  while (performance.now() < deadline) {
    await sleep(Math.min(POLL_MS, Math.max(1, deadline - performance.now())));
    // Looking at the processes already known is far cheaper than reading the whole table
    // (and, unlike kill(-pgid, 0), does not count zombies that no one has reaped yet).
    if (members.some((m) => stillMember(m.pid, sid)) && performance.now() - lastScan < FULL_SCAN_EVERY_MS) continue;
    members = look();
    lastScan = performance.now();
    if (members.length === 0) break;
  }
  for (let round = 0; round < KILL_ROUNDS && members.length > 0; round++) {
    signalGroups(members, 'SIGKILL');
    await sleep(round < 5 ? 10 : POLL_MS);
    members = look();
  }
  return { processes: seen.size, survivors: members.length };
}
