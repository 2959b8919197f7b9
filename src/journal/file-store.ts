/**
 * The state dir (SPEC §4) as a {@link StateStore}: `runs/RUN_ID/` with the journal, logs,
 * runbook copy, params and meta of each run, and `locks/`. The only module outside the
 * state dir's own files that knows its layout is none: this one hands it out.
 */
import type { Writable } from 'node:stream';
import { readFileSync, statSync } from 'node:fs';
import { UsageError } from '../errors/stepwise-error.js';
import { blockingRunOf } from './blocking.js';
import { followRunLogs } from './follow-logs.js';
import { errnoCode } from './fs-util.js';
import { listRuns } from './history.js';
import { JournalWriter } from './journal-writer.js';
import { loadRun, type LoadedRun } from './load-run.js';
import { acquireLock } from './lock.js';
import { readRunMeta } from './run-meta.js';
import { readLogFileBytes, runLogFiles, writeLogFile } from './run-logs.js';
import { listRunIds, resolveRunId } from './run-lookup.js';
import { runPaths } from './run-paths.js';
import { ensureStateDir, checkStateDirWritable, stateDirAt, type StateDir } from './state-dir.js';
import type {
  Acknowledgement, AcquireLockOptions, BlockingRun, FollowOptions, HeldLock, HistoryEntry, HistoryQuery, LogBytes, NewRun,
  RunbookCheckout, RunRecorder, StateStore, StoredLog, StoredRun,
} from './store.js';

const HINT = 'Pass --state-dir DIR or set STEPWISE_STATE_DIR to a directory you can use.';

/** A state dir. `writable` creates and probes it (run, resume, rollback, ack); readers touch nothing. */
export class FileStore implements StateStore {
  readonly whenUnrecordable = 'compensate' as const;
  private readonly dir: StateDir;

  private constructor(root: string, writable: boolean) {
    this.dir = writable ? ensureStateDir(root) : stateDirAt(root);
    if (writable) checkStateDirWritable(this.dir);
    else checkReadable(this.dir);
  }

  /** Opens the state dir at `root` (an absolute path). */
  static open(root: string, options: { writable: boolean }): FileStore {
    return new FileStore(root, options.writable);
  }

  /** The directory (`--state-dir`, for messages and tests). */
  get location(): string {
    return this.dir.root;
  }

  /** The layout, for the state dir's own modules and tests. */
  get stateDir(): StateDir {
    return this.dir;
  }

  /** Run ids, newest first, without reading any run (shell completion). */
  runIds(): string[] {
    return listRunIds(this.dir);
  }

  async createRun(run: NewRun): Promise<RunRecorder> {
    const writer = JournalWriter.create(this.dir, run.meta, { runId: run.runId });
    try {
      writer.writeRunbookCopy(run.runbook.text, run.runbook.fileName);
      for (const asset of run.assets) writer.writeRunbookAsset(asset.relativePath, asset.text);
      writer.writeParams(run.maskedParams);
    } catch (error) {
      writer.close();
      throw stateError(`Cannot store the runbook and params of run ${run.runId} in ${writer.paths.dir}`, error);
    }
    return new FileRecorder(writer);
  }

  async continueRun(runId: string): Promise<RunRecorder> {
    return new FileRecorder(JournalWriter.open(this.dir, runId));
  }

  async resolveRunId(typed: string): Promise<string> {
    return this.reading(() => {
      if (typed !== 'last') return resolveRunId(this.dir, typed);
      const newest = listRunIds(this.dir)[0];
      if (newest === undefined) throw new UsageError(`No runs in ${this.dir.runs}`, { hint: 'Runs appear there once `stepwise run` has started one.' });
      return newest;
    });
  }

  async listRuns(query: HistoryQuery = {}): Promise<HistoryEntry[]> {
    return this.reading(() => listRuns(this.dir, query));
  }

  async loadRun(runId: string, now?: number): Promise<LoadedRun> {
    return this.reading(() => loadRun(this.dir, runId, now));
  }

  async checkoutRunbook(run: StoredRun): Promise<RunbookCheckout | undefined> {
    const file = this.loaded(run).runbookCopy;
    if (file === undefined) return undefined;
    const text = this.reading(() => readFileSync(file, 'utf8'));
    // The state dir keeps the copy: nothing to remove.
    return { file, text, dispose: () => undefined };
  }

  async logsOf(run: StoredRun, stepId?: string): Promise<StoredLog[]> {
    return this.reading(() => runLogFiles(this.loaded(run), stepId).map((f) => ({ stepId: f.stepId, phase: f.phase, location: f.path })));
  }

  async writeLog(_run: StoredRun, log: StoredLog, out: Writable): Promise<void> {
    await writeLogFile(log.location, out);
  }

  async readLogBytes(_run: StoredRun, log: StoredLog, headBytes: number, tailBytes: number): Promise<LogBytes> {
    return readLogFileBytes(log.location, headBytes, tailBytes);
  }

  async followLogs(runId: string, out: Writable, options: FollowOptions = {}): Promise<void> {
    await followRunLogs(this.dir, runId, out, options);
  }

  async acquireLock(name: string, options: AcquireLockOptions): Promise<HeldLock> {
    const lock = await acquireLock(this.dir, name, options);
    return { name: lock.name, holder: lock.holder, release: async () => void lock.release() };
  }

  async blockingRun(lock: string): Promise<BlockingRun | undefined> {
    return this.reading(() => {
      // Runs newest first: the first of this lock is the one that counts.
      for (const runId of listRunIds(this.dir)) {
        const meta = readRunMeta(runPaths(this.dir, runId).meta);
        if (meta?.lock !== lock) continue;
        return blockingRunOf(loadRun(this.dir, runId));
      }
      return undefined;
    });
  }

  async acknowledge(runId: string, ack: Acknowledgement): Promise<void> {
    const writer = JournalWriter.open(this.dir, runId);
    try {
      writer.acknowledge({ time: new Date().toISOString(), ...ack });
    } finally {
      writer.close();
    }
  }

  async close(): Promise<void> {
    // Nothing is held open between runs.
  }

  /** A run this store loaded (its paths are known), or the same run loaded again. */
  private loaded(run: StoredRun): LoadedRun {
    return 'paths' in run ? (run as LoadedRun) : loadRun(this.dir, run.runId);
  }

  /** Runs a read; a state dir that cannot be read is exit 2 naming it, never a stack trace. */
  private reading<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (errnoCode(error) === undefined) throw error;
      throw stateError(`Cannot read the state directory ${this.dir.root}`, error);
    }
  }
}

/** Records a run in its `runs/RUN_ID/` directory. */
class FileRecorder implements RunRecorder {
  constructor(private readonly writer: JournalWriter) {}

  get runId(): string {
    return this.writer.runId;
  }

  get location(): string {
    return this.writer.paths.dir;
  }

  record(event: Parameters<RunRecorder['record']>[0]): void {
    this.writer.onEvent(event);
  }

  // Boundary records are fsynced as they are written: by now they are durable.
  checkpoint(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.writer.close();
  }
}

/** A state dir that exists but cannot be used: exit 2 with the path and the error. */
function checkReadable(dir: StateDir): void {
  for (const path of [dir.root, dir.runs]) {
    try {
      if (!statSync(path).isDirectory()) throw new UsageError(`The state directory ${path} is not a directory`, { hint: HINT });
    } catch (error) {
      if (error instanceof UsageError) throw error;
      // Missing is fine for a reader: there are no runs yet.
      if (errnoCode(error) === 'ENOENT') return;
      throw stateError(`Cannot read the state directory ${path}`, error);
    }
  }
}

function stateError(message: string, error: unknown): UsageError {
  const code = errnoCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  return new UsageError(`${message}: ${code && !detail.startsWith(code) ? `${code} (${detail})` : detail}`, { cause: error, hint: HINT });
}
