/**
 * Everything stored about one run, read back: for `show`, `logs`, and for `resume` and
 * `rollback`, which continue it from its journal and its runbook copy.
 */
import { join } from 'node:path';
import type { ScalarValue } from '../runbook/model.js';
import { isRecord, readJsonFile } from './fs-util.js';
import { readJournal } from './journal-reader.js';
import { resolveRunId } from './run-lookup.js';
import { readRunMeta } from './run-meta.js';
import { runPaths, type RunPaths } from './run-paths.js';
import { unfinishedState } from './run-state.js';
import type { StateDir } from './state-dir.js';
import type { StoredRun } from './store.js';
import { assembleRun } from './stored-run.js';

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
  const params = readJsonFile(paths.params);
  const run = assembleRun({
    runId,
    journalLocation: paths.journal,
    meta,
    journal: readJournal(paths.journal),
    params: isRecord(params) ? (params as Record<string, ScalarValue>) : undefined,
    unfinished: () => unfinishedState(state, runId, meta),
    now,
  });
  return { ...run, paths, ...(meta?.runbookCopy ? { runbookCopy: join(paths.dir, meta.runbookCopy) } : {}) };
}
