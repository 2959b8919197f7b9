/**
 * The one check of whether a process (or a process group) exists on this machine: signal 0
 * reaches it. EPERM means it exists but belongs to another user, so it counts as alive.
 */

/** True when signal 0 reaches `target`: a pid, or `-pgid` for a process group. */
function signalReaches(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when a process with this pid exists on this host. */
export function isPidAlive(pid: number): boolean {
  return Number.isInteger(pid) && pid > 0 && signalReaches(pid);
}

/** True when process group `pgid` has a member (zombies not yet reaped count). */
export function isGroupAlive(pgid: number): boolean {
  return Number.isInteger(pgid) && pgid > 0 && signalReaches(-pgid);
}
