/**
 * Ends what a crashed runner's local steps left running. A step runs in its own process
 * group, so when the runner is killed (SIGKILL, OOM) the step goes on; `resume` must not
 * start the same step a second time beside it. Linux /proc only; elsewhere nothing to do.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Pids of live processes in one of `groups` whose environment names this run. */
export function leftoverPids(groups: ReadonlySet<number>, runId: string): number[] {
  if (groups.size === 0) return [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const marker = `STEPWISE_RUN_ID=${runId}\0`;
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command name (which may hold spaces): state, ppid, pgrp.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' || !groups.has(Number(pgrp))) continue;
      // Pids are reused: only a process that carries this run's id in its environment is ours.
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').includes(marker)) pids.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

/** TERM, then KILL after the grace period; returns how many processes there were. */
export async function endLeftovers(groups: ReadonlySet<number>, runId: string, graceMs: number): Promise<number> {
  const found = leftoverPids(groups, runId);
  const signal = (pids: number[], name: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, name);
      } catch {
        // already gone
      }
    }
  };
  signal(found, 'SIGTERM');
  for (let waited = 0; waited < graceMs && leftoverPids(groups, runId).length > 0; waited += 100) await sleep(100);
  signal(leftoverPids(groups, runId), 'SIGKILL');
  return found.length;
}
