/**
 * A stored run put together from what any backend reads back — meta, journal, params — and
 * whether its runner is alive: the replayed summary and prior state, its one-word state and
 * its duration. Backend-independent.
 */
import type { ScalarValue } from '../runbook/model.js';
import type { JournalContents } from './journal-reader.js';
import { priorRunState } from './prior-state.js';
import type { RunMeta } from './run-meta.js';
import { runDurationMs, type RunState } from './run-state.js';
import { summarizeRun } from './run-summary.js';
import type { StoredRun } from './store.js';

/** What a backend read of one run. */
export interface RunParts {
  runId: string;
  journalLocation: string;
  meta: RunMeta | undefined;
  journal: JournalContents;
  params: Record<string, ScalarValue> | undefined;
  /** Asked only when the last session has no `run.finished`: is its runner alive? */
  unfinished: () => 'running' | 'crashed';
  now?: number | undefined;
}

/** The stored run. */
export function assembleRun(parts: RunParts): StoredRun {
  const { journal, meta } = parts;
  const summary = summarizeRun(journal.events, journal.lost);
  const prior = priorRunState(journal.events);
  const lastSession = summary.sessions.at(-1);
  const finishedStatus = lastSession?.finishedAt ? lastSession.status : undefined;
  const state: RunState = finishedStatus ?? parts.unfinished();
  const startedAt = summary.sessions[0]?.startedAt ?? meta?.sessions[0]?.startedAt;
  const finishedEvent = [...journal.events].reverse().find((e) => e.type === 'run.finished');
  const durationMs = runDurationMs({
    startedAt,
    sessions: summary.sessions.length,
    ...(finishedStatus && finishedEvent?.type === 'run.finished' ? { finished: finishedEvent } : {}),
    ...(summary.lastEventAt ? { lastEventAt: summary.lastEventAt } : {}),
    state,
    ...(parts.now === undefined ? {} : { now: parts.now }),
  });
  const run: StoredRun = { runId: parts.runId, journalLocation: parts.journalLocation, meta, journal, prior, summary, state, hasRunbookCopy: meta?.runbookCopy !== undefined };
  if (startedAt !== undefined) run.startedAt = startedAt;
  if (durationMs !== undefined) run.durationMs = durationMs;
  if (parts.params !== undefined) run.params = parts.params;
  return run;
}
