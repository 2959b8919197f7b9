/**
 * The last lines of each log of a run, read through the store (`show` prints them under each
 * step): a bounded read from the end of each log, never a whole log.
 */
import type { StateStore, StoredRun } from './store.js';

/** The last lines of a log. */
export interface LogTail {
  lines: string[];
  /** True when the log has earlier lines than those returned. */
  hasMore: boolean;
}

/** Bytes read from the end of each log: lines longer than this are shown cut. */
const TAIL_BYTES = 64 * 1024;

/** The key of a step's log in the map {@link logTails} returns (finally steps log as `run`). */
export function logTailKey(stepId: string, phase: 'run' | 'finally' | 'rollback'): string {
  return `${stepId}:${phase === 'rollback' ? 'rollback' : 'run'}`;
}

/** Up to `count` last lines of every log of `run`, by {@link logTailKey}. */
export async function logTails(store: StateStore, run: StoredRun, count: number): Promise<Map<string, LogTail>> {
  const tails = new Map<string, LogTail>();
  if (count <= 0) return tails;
  for (const log of await store.logsOf(run)) {
    const bytes = await store.readLogBytes(run, log, 0, TAIL_BYTES);
    const whole = bytes.tail.length === 0;
    const text = (whole ? bytes.head : bytes.tail).toString('utf8');
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    // A read that starts inside the log starts inside a line: that piece is not a line.
    if (!whole && lines.length > 1) lines.shift();
    tails.set(logTailKey(log.stepId, log.phase), { lines: lines.slice(-count), hasMore: !whole || lines.length > count });
  }
  return tails;
}
