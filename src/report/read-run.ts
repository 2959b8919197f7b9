/**
 * Everything the report reads from stored state, in one place: the run (through the
 * journal module), its log files and its runbook copy. When state moves behind interfaces
 * (or into PostgreSQL), this file is the only one of the report that changes.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from '../errors/stepwise-error.js';
import { listRunIds, loadRun, locateStateDir, runLogFiles, type LoadedRun } from '../journal/index.js';
import { readLogExcerpt, type ExcerptLimits, type LogExcerpt } from './log-excerpt.js';

/** One captured log of a run. */
export interface ReportLog {
  stepId: string;
  phase: 'run' | 'rollback';
  /** Where the whole log can be read, for the note on left-out output. */
  location: string;
  /** Reads its head and tail within the limits (never the whole file). */
  excerpt(limits: ExcerptLimits): LogExcerpt;
}

/** A run as the report needs it. */
export interface ReportSource {
  run: LoadedRun;
  logs: ReportLog[];
  /** The text of the runbook copy the run used, when it was stored and is readable. */
  runbookText: string | undefined;
}

/** Runbook copies are small; a bigger one is not read (the report then lacks descriptions). */
const MAX_RUNBOOK_BYTES = 4 * 1024 * 1024;

/** Where to look for runs. */
export interface ReportSourceOptions {
  stateDir?: string;
}

/** Loads a run by id, unambiguous prefix or `last`; UsageError (exit 2) when there is none. */
export function openReportSource(typedRunId: string, options: ReportSourceOptions = {}): ReportSource {
  const state = locateStateDir(options.stateDir ? { stateDir: options.stateDir } : {});
  let runId = typedRunId;
  if (typedRunId === 'last') {
    const newest = listRunIds(state)[0];
    if (newest === undefined) throw new UsageError(`No runs in ${state.runs}`, { hint: 'Runs appear there once `stepwise run` has started one.' });
    runId = newest;
  }
  const run = loadRun(state, runId);
  const logs = runLogFiles(run).map((file) => ({
    stepId: file.stepId,
    phase: file.phase,
    location: file.path,
    excerpt: (limits: ExcerptLimits) => readLogExcerpt(file.path, limits),
  }));
  return { run, logs, runbookText: run.runbookCopy ? readSmallText(run.runbookCopy) : undefined };
}

function readSmallText(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_RUNBOOK_BYTES) return undefined;
    const buffer = Buffer.alloc(size);
    const n = readSync(fd, buffer, 0, size, 0);
    return buffer.subarray(0, n).toString('utf8');
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
