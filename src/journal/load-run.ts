/**
 * Everything stored about one run, read back: for `show`, `logs`, and for `resume` and
 * `rollback`, which continue it from its journal and its runbook copy.
 */
import { join } from 'node:path';
import type { ScalarValue } from '../runbook/model.js';
import { isRecord, readJsonFile } from './fs-util.js';
import { readJournal } from './journal-reader.js';
import { priorRunState } from './prior-state.js';
import { resolveRunId } from './run-lookup.js';
import { readRunMeta } from './run-meta.js';
import { runPaths, type RunPaths } from './run-paths.js';
import { runDurationMs, unfinishedState, type RunState } from './run-state.js';
import { summarizeRun } from './run-summary.js';
import type { StateDir } from './state-dir.js';
import type { StoredRun } from './store.js';

/** A run as the state dir stores it: a {@link StoredRun} and the paths of its files. */
export interface LoadedRun extends StoredRun {
  paths: RunPaths;
  /** Absolute path of the runbook copy, when one was stored. */
  runbookCopy?: string;
}

/** Loads a run by id or unambiguous id prefix; UsageError (exit 2) when there is none. */
export function loadRun(state: StateDir, typedRunId: string, now?: number): LoadedRun {
  const runId = resolveRunId(state, typedRunId);
  const paths = runPaths(state, runId);
  const meta = readRunMeta(paths.meta);
  const journal = readJournal(paths.journal);
  const summary = summarizeRun(journal.events, journal.lost);
  const prior = priorRunState(journal.events);
  const lastSession = summary.sessions.at(-1);
  const finishedStatus = lastSession?.finishedAt ? lastSession.status : undefined;
  const runState: RunState = finishedStatus ?? unfinishedState(state, runId, meta);
  const startedAt = summary.sessions[0]?.startedAt ?? meta?.sessions[0]?.startedAt;
  const finishedEvent = [...journal.events].reverse().find((e) => e.type === 'run.finished');
  const durationMs = runDurationMs({
    startedAt,
    sessions: summary.sessions.length,
    ...(finishedStatus && finishedEvent?.type === 'run.finished' ? { finished: finishedEvent } : {}),
    ...(summary.lastEventAt ? { lastEventAt: summary.lastEventAt } : {}),
    state: runState,
    ...(now === undefined ? {} : { now }),
  });
  const loaded: LoadedRun = { runId, paths, journalLocation: paths.journal, meta, journal, prior, summary, state: runState, hasRunbookCopy: meta?.runbookCopy !== undefined };
  if (startedAt !== undefined) loaded.startedAt = startedAt;
  if (durationMs !== undefined) loaded.durationMs = durationMs;
  if (meta?.runbookCopy) loaded.runbookCopy = join(paths.dir, meta.runbookCopy);
  const params = readJsonFile(paths.params);
  if (isRecord(params)) loaded.params = params as Record<string, ScalarValue>;
  return loaded;
}
