/** The journal's public surface: state dir, run ids, writer, reader, locks, history, formatting. */
export { openStateDir, locateStateDir, resolveStateDir, ensureStateDir, checkStateDirWritable, stateDirAt, type StateDir, type StateDirOptions } from './state-dir.js';
export { newRunId, runIdTime, isSafeRunId, RUN_ID_PATTERN } from './run-id.js';
export { JournalWriter, type JournalWriterOptions } from './journal-writer.js';
export type { NewRunMeta, RunMeta, RunSession, JsonValue } from './run-meta.js';
export { readJournal, parseJournal, describeLost, type JournalContents, type LostLine } from './journal-reader.js';
export { priorRunState } from './prior-state.js';
export { summarizeRun, type RunSummary, type StepSummary } from './run-summary.js';
export { loadRun, type LoadedRun } from './load-run.js';
export { resolveRunId, listRunIds } from './run-lookup.js';
export { acquireLock, type AcquireLockOptions, type HeldLock } from './lock.js';
export { LockBusyError } from './lock-errors.js';
export { readLockHolder, sanitizeLockName, type LockHolder } from './lock-file.js';
export { listRuns, describeRun, type HistoryEntry, type HistoryOptions } from './history.js';
export type { RunState } from './run-state.js';
export { formatHistory } from './format-history.js';
export { formatShow, type ShowOptions } from './format-show.js';
export { runLogFiles, writeRunLogs, type RunLogFile } from './run-logs.js';
export { runPaths, type RunPaths } from './run-paths.js';
