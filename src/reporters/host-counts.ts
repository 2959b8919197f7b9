/**
 * Where the hosts of a group step stand, in one line a reader takes in at once:
 * `web: 187/200 done, 2 failed: web-17, web-103`. Pure, so the plain reporter (at a step's
 * end) and the live view (while it runs) count the same way.
 */
import type { StepStatus, TargetResult } from '../engine/events.js';

/** What is known of one host of the step; a host not mentioned has not started. */
export type HostState = 'running' | Exclude<StepStatus, 'skipped'>;

export interface HostCounts {
  /** Hosts the step runs on (after `--limit`). */
  total: number;
  /** Ended well: succeeded, or already done (their check held). */
  done: number;
  /** Of `done`, those whose check held, so the step did not run there. */
  alreadyDone: number;
  /** Failed or timed out, in the order given. */
  failed: string[];
  running: number;
  /** Not started (yet, or ever: a later batch after the step stopped). */
  waiting: number;
}

/** Counts the hosts of a step: `hosts` are all its hosts, `states` what is known of them (by name). */
export function countHosts(hosts: readonly string[], states: ReadonlyMap<string, HostState>): HostCounts {
  const counts: HostCounts = { total: hosts.length, done: 0, alreadyDone: 0, failed: [], running: 0, waiting: 0 };
  for (const host of hosts) {
    const state = states.get(host);
    if (state === undefined) counts.waiting++;
    else if (state === 'running') counts.running++;
    else if (state === 'succeeded' || state === 'alreadyDone') {
      counts.done++;
      if (state === 'alreadyDone') counts.alreadyDone++;
    } else counts.failed.push(host);
  }
  return counts;
}

export interface HostCountsFormat {
  /** What the counts are of (a group name); without it the line says `hosts`. */
  label?: string;
  /** Failed hosts named before the rest are counted (default 5). */
  names?: number;
  /** At a step's end, waiting hosts never started: say so (`11 not started`), not `11 waiting`. */
  ended?: boolean;
}

/** `web: 187/200 done, 2 failed: web-17, web-103`, with running, waiting and already-done hosts when there are any. */
export function formatHostCounts(counts: HostCounts, format: HostCountsFormat = {}): string {
  const shown = format.names ?? 5;
  const head = format.label !== undefined ? `${format.label}: ${counts.done}/${counts.total} done` : `${counts.done}/${counts.total} hosts done`;
  const parts = [counts.alreadyDone > 0 ? `${head} (${counts.alreadyDone} already done)` : head];
  if (counts.failed.length > 0) {
    const more = counts.failed.length > shown ? ` and ${counts.failed.length - shown} more` : '';
    parts.push(`${counts.failed.length} failed: ${counts.failed.slice(0, shown).join(', ')}${more}`);
  }
  if (counts.running > 0) parts.push(`${counts.running} running`);
  if (counts.waiting > 0) parts.push(format.ended ? `${counts.waiting} not started` : `${counts.waiting} waiting`);
  return parts.join(', ');
}

/** What a finished step's per-host results say of each host that started. */
export function statesOf(results: readonly TargetResult[]): Map<string, HostState> {
  const states = new Map<string, HostState>();
  for (const r of results) if (r.status !== 'skipped') states.set(r.target, r.status);
  return states;
}
