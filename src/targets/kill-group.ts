/** Ends a process group: SIGTERM now, SIGKILL after the grace period if anything is left. */
export function killProcessGroup(pgid: number, graceMs: number): void {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  const timer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), graceMs);
  timer.unref();
}

/** Sends a signal to every process of a group; false when the group is already empty. */
function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
