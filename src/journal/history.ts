/**
 * `stepwise history`: past runs newest first. Fast with hundreds of runs: per run it
 * reads `meta.json` and the last few journal records, never a whole journal.
 */
import type { EngineEvent, RunFinishedEvent } from '../engine/events.js';
import { errnoCode } from './fs-util.js';
import { parseEvent } from './journal-reader.js';
import { listRunIds } from './run-lookup.js';
import { readRunMeta } from './run-meta.js';
import { runPaths } from './run-paths.js';
import { runIdTime } from './run-id.js';
import { runDurationMs, unfinishedState, type RunState } from './run-state.js';
import type { StateDir } from './state-dir.js';
import { linesFromEnd, readFirstLine } from './tail.js';

/** One row of `history`. */
export interface HistoryEntry {
  runId: string;
  runbook: string;
  status: RunState;
  startedAt?: string;
  durationMs?: number;
  /** The exit code the run ended with, when it finished. */
  exitCode?: number;
  /** Its compensation ran and found no step with anything to undo. */
  nothingToUndo?: boolean;
}

/** Filters of `history`. */
export interface HistoryOptions {
  /** Only runs of this runbook name. */
  runbook?: string;
  /** At most this many rows (newest). */
  limit?: number;
  /** Only runs in one of these states. */
  states?: ReadonlySet<RunState>;
  /** Only runs started at or after this time (ms since the epoch). */
  since?: number;
  /** Clock for durations of running runs (tests). */
  now?: number;
}

/** Lists runs newest first. */
export function listRuns(state: StateDir, options: HistoryOptions = {}): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  const limit = options.limit ?? Infinity;
  for (const runId of listRunIds(state)) {
    if (entries.length >= limit) break;
    // Ids sort by their creation time, newest first: once one is older than --since, all the rest are.
    const created = runIdTime(runId)?.getTime();
    if (options.since !== undefined && created !== undefined && created < options.since) break;
    const entry = describeRun(state, runId, options);
    if (!entry || (options.runbook !== undefined && entry.runbook !== options.runbook)) continue;
    if (options.states && !options.states.has(entry.status)) continue;
    if (options.since !== undefined && created === undefined && (entry.startedAt === undefined || Date.parse(entry.startedAt) < options.since)) continue;
    entries.push(entry);
  }
  return entries;
}

/** One run's history row; undefined for a directory that holds no run. */
export function describeRun(state: StateDir, runId: string, options: Pick<HistoryOptions, 'now'> = {}): HistoryEntry | undefined {
  const paths = runPaths(state, runId);
  const meta = readRunMeta(paths.meta);
  const first = meta ? undefined : firstEvent(paths.journal);
  const runbook = meta?.runbook ?? (first?.type === 'run.started' ? first.runbook : undefined);
  if (runbook === undefined) return undefined;
  const end = lastRecords(paths.journal);
  const status: RunState = end.finished?.status ?? unfinishedState(state, runId, meta);
  const startedAt = meta?.sessions[0]?.startedAt ?? first?.time ?? runIdTime(runId)?.toISOString();
  const durationMs = runDurationMs({
    startedAt,
    sessions: meta?.sessions.length ?? 1,
    ...(end.finished ? { finished: end.finished } : {}),
    ...(end.lastEventAt ? { lastEventAt: end.lastEventAt } : {}),
    state: status,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const entry: HistoryEntry = { runId, runbook, status };
  if (startedAt !== undefined) entry.startedAt = startedAt;
  if (durationMs !== undefined) entry.durationMs = durationMs;
  if (end.finished) entry.exitCode = end.finished.exitCode;
  if (end.finished?.compensated?.length === 0) entry.nothingToUndo = true;
  return entry;
}

/**
 * How the journal ends: its final `run.finished` if the last session finished (notices
 * after it do not count), and the time of the last readable record.
 */
function lastRecords(journal: string): { finished?: RunFinishedEvent; lastEventAt?: string } {
  let lastEventAt: string | undefined;
  let looked = 0;
  try {
    for (const line of linesFromEnd(journal)) {
      // Torn, corrupt or notice records at the end: look a little further back, not forever.
      if (++looked > 16) break;
      const { event } = parseEvent(line);
      if (!event) continue;
      lastEventAt ??= event.time;
      if (event.type === 'run.notice') continue;
      return event.type === 'run.finished' ? { finished: event, lastEventAt } : { lastEventAt };
    }
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
  return lastEventAt ? { lastEventAt } : {};
}

function firstEvent(journal: string): EngineEvent | undefined {
  const line = readFirstLine(journal);
  return line === undefined ? undefined : parseEvent(line).event;
}
