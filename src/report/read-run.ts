/**
 * Everything the report reads from stored state, in one place: the run, its logs (head and
 * tail only) and its runbook copy, all through the state store, so a report reads the same
 * from a state dir or from PostgreSQL.
 */
import { openStateStore, type StateChoice, type StateStore, type StoredLog, type StoredRun } from '../journal/index.js';
import { excerptOf, type ExcerptLimits, type LogExcerpt } from './log-excerpt.js';

/** One captured log of a run. */
export interface ReportLog {
  stepId: string;
  phase: 'run' | 'rollback';
  /** Where the whole log can be read, for the note on left-out output. */
  location: string;
  /** Reads its head and tail within the limits (never the whole log). */
  excerpt(limits: ExcerptLimits): Promise<LogExcerpt>;
}

/** A run as the report needs it; close it once the report is built. */
export interface ReportSource {
  run: StoredRun;
  logs: ReportLog[];
  /** The text of the runbook copy the run used, when it was stored and is readable. */
  runbookText: string | undefined;
  /** Lets go of the store, when this source opened it. */
  close(): Promise<void>;
}

/** Runbook copies are small; a bigger one is not read (the report then lacks descriptions). */
const MAX_RUNBOOK_BYTES = 4 * 1024 * 1024;

/** Where to look for runs: an open store, or the state options of the command line. */
export type ReportSourceOptions = { store: StateStore } | StateChoice;

/** Loads a run by id, unambiguous prefix or `last`; UsageError (exit 2) when there is none. */
export async function openReportSource(typedRunId: string, options: ReportSourceOptions = {}): Promise<ReportSource> {
  const own = !('store' in options);
  const store = 'store' in options ? options.store : await openStateStore(options, { writable: false });
  try {
    const run = await store.loadRun(await store.resolveRunId(typedRunId));
    const logs = (await store.logsOf(run)).map((log) => reportLog(store, run, log));
    return { run, logs, runbookText: await runbookText(store, run), close: async () => (own ? store.close() : undefined) };
  } catch (error) {
    if (own) await store.close();
    throw error;
  }
}

function reportLog(store: StateStore, run: StoredRun, log: StoredLog): ReportLog {
  return {
    stepId: log.stepId,
    phase: log.phase,
    location: log.location,
    excerpt: async (limits) => excerptOf(await store.readLogBytes(run, log, limits.headBytes, limits.tailBytes), limits),
  };
}

async function runbookText(store: StateStore, run: StoredRun): Promise<string | undefined> {
  try {
    const checkout = await store.checkoutRunbook(run);
    checkout?.dispose();
    return checkout && Buffer.byteLength(checkout.text) <= MAX_RUNBOOK_BYTES ? checkout.text : undefined;
  } catch {
    return undefined;
  }
}
