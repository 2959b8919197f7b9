/** Whether the process that holds a lock (or ran a run) can still be alive. */
import { hostname, uptime } from 'node:os';
import { isPidAlive } from '../targets/process-alive.js';

/** `alive`, `dead`, or `unknown` (another host: we cannot look, so we must assume alive). */
export type Liveness = 'alive' | 'dead' | 'unknown';

/** When this machine booted, in ms since the epoch. */
export function bootTimeMs(): number {
  return Date.now() - uptime() * 1000;
}

/**
 * Liveness of a process recorded as `{pid, host, since}`. A record from before the last
 * boot is dead even if its pid now exists: after a reboot pids are reused, and a stale
 * lock must not be kept alive by an unrelated daemon that drew the same pid.
 */
export function processLiveness(holder: { pid: number; host: string; since: string }): Liveness {
  if (holder.host !== hostname()) return 'unknown';
  const since = Date.parse(holder.since);
  // 5 s of slack: uptime has second granularity and clocks are adjusted at boot.
  if (Number.isFinite(since) && since < bootTimeMs() - 5000) return 'dead';
  return isPidAlive(holder.pid) ? 'alive' : 'dead';
}
