/**
 * Appends a run's engine events to `journal.jsonl` (SPEC §4) and its output to per-step
 * log files. Synchronous I/O: order is exact and memory stays bounded. Records that must
 * be durable before the engine acts (a step or rollback starting) are fsynced at once;
 * records of something that ended are fsynced with the next such record, or within one
 * event-loop turn, whichever comes first, so a step costs about one fsync.
 */
import { closeSync, fdatasyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EngineEvent, EventSink } from '../engine/events.js';
import type { ScalarValue } from '../runbook/model.js';
import { StepwiseError, UsageError } from '../errors/stepwise-error.js';
import { DIR_MODE, FILE_MODE, errnoCode, fsyncDir, writeFileAtomic } from './fs-util.js';
import { isSafeRunId, newRunId } from './run-id.js';
import { readRunMeta, sessionFor, writeRunMeta, type NewRunMeta, type RunMeta } from './run-meta.js';
import { runPaths, type RunPaths } from './run-paths.js';
import type { StateDir } from './state-dir.js';
import { StepLogs } from './step-logs.js';
import { noteFor, safeRelativePath } from './journal-notes.js';
import { encodeLine, type AckRecord, type StateRecord } from './journal-line.js';
import { journalEnd, type JournalEnd } from './journal-end.js';

/**
 * Durable before we return: the engine acts on the world right after these (a start, a
 * batch, a decision), or they are rare (retries) or last. `step.finished` and
 * `rollback.finished` are always followed by one of these or by an event-loop turn, so
 * their fsync is coalesced with it: about one fsync per step instead of two.
 */
const SYNC_NOW: ReadonlySet<string> = new Set([
  'journal.torn', 'run.started', 'step.started', 'step.batch', 'step.retrying', 'rollback.started', 'step.decision', 'run.finished',
]);

/** Tuning; the default is right for real runs. */
export interface JournalWriterOptions {
  /** Fsync every boundary record on its own instead of coalescing (for measurement). Default false. */
  syncEveryBoundary?: boolean;
}

/** Writes one run's journal, logs, runbook copy, params and meta. Not shared between processes. */
export class JournalWriter {
  private fd: number | undefined;
  private readonly logs: StepLogs;
  private pendingSync = false;
  private syncTimer: NodeJS.Immediate | undefined;
  private deferredError: unknown;
  private syncs = 0;

  /** Starts the journal of a new run: creates `runs/RUN_ID/` (0700) and its files (0600). */
  static create(state: StateDir, meta: NewRunMeta, options: JournalWriterOptions & { runId?: string } = {}): JournalWriter {
    if (options.runId !== undefined && !isSafeRunId(options.runId)) {
      throw new UsageError(`"${options.runId}" cannot be a run id`, { hint: 'Run ids are letters, digits, ".", "_" and "-".' });
    }
    for (let tries = 0; ; tries++) {
      const runId = options.runId ?? newRunId();
      const paths = runPaths(state, runId);
      try {
        mkdirSync(paths.dir, { mode: DIR_MODE });
      } catch (error) {
        // Two runs in the same millisecond with the same 16 random bits: draw again.
        if (errnoCode(error) === 'EEXIST' && options.runId === undefined && tries < 5) continue;
        throw journalError(`Cannot create run directory ${paths.dir}`, error);
      }
      const stored = newMeta(runId, meta);
      try {
        mkdirSync(paths.logs, { mode: DIR_MODE });
        writeRunMeta(paths.meta, stored);
        const fd = openSync(paths.journal, 'ax', FILE_MODE);
        fsyncDir(paths.dir);
        fsyncDir(state.runs);
        return new JournalWriter(paths, fd, stored, options);
      } catch (error) {
        throw journalError(`Cannot create the journal of run ${runId}`, error);
      }
    }
  }

  /** Reopens an existing run's journal to append (`resume`, `rollback`, `ack`). Unknown run → UsageError. */
  static open(state: StateDir, runId: string, options: JournalWriterOptions = {}): JournalWriter {
    if (!isSafeRunId(runId)) throw new UsageError(`"${runId}" is not a run id`, { hint: '`stepwise history` lists runs.' });
    const paths = runPaths(state, runId);
    let fd: number;
    try {
      fd = openSync(paths.journal, 'a+', FILE_MODE);
    } catch (error) {
      throw new UsageError(`Cannot open the journal of run ${runId}: ${errnoCode(error) ?? String(error)}`, {
        cause: error, hint: '`stepwise history` lists runs.',
      });
    }
    let end: JournalEnd;
    try {
      end = journalEnd(paths.journal);
      mkdirSync(paths.logs, { recursive: true, mode: DIR_MODE });
    } catch (error) {
      closeSync(fd);
      throw journalError(`Cannot read the end of the journal of run ${runId}`, error);
    }
    const writer = new JournalWriter(paths, fd, readRunMeta(paths.meta), options, end.nextSeq);
    // A crash tore the last line: start on a fresh line so our first record stays whole, and
    // say what that line was, so readers know it is explained and not damage.
    if (end.tornBytes !== undefined) {
      writeSync(fd, '\n');
      writer.append({ type: 'journal.torn', time: new Date().toISOString(), runId, bytes: end.tornBytes });
    }
    return writer;
  }

  /** Appends `stepwise ack`'s record (made durable at once). */
  acknowledge(ack: Omit<AckRecord, 'type' | 'runId'>): void {
    this.append({ type: 'run.acknowledged', runId: this.runId, ...ack });
    this.syncNow();
  }

  private constructor(
    /** Where this run's files live. */
    readonly paths: RunPaths,
    fd: number,
    private meta: RunMeta | undefined,
    private readonly options: JournalWriterOptions,
    /** Sequence number of the next record (records of the journal count from 1). */
    private nextSeq = 1,
  ) {
    this.fd = fd;
    this.logs = new StepLogs(paths.logs);
  }

  /** The run id. */
  get runId(): string {
    return this.paths.runId;
  }

  /** How many fsyncs of the journal were made (for tests and measurement). */
  get syncCount(): number {
    return this.syncs;
  }

  /** Records one engine event (an {@link EventSink}); throws StepwiseError when the disk refuses. */
  readonly onEvent: EventSink = (event) => {
    // After close nothing may reopen files (a late output event would leak a descriptor).
    if (this.fd === undefined) throw new StepwiseError(`The journal of run ${this.runId} is closed; event ${event.type} was not recorded`);
    this.raiseDeferredError();
    if (event.type === 'step.output') {
      this.logs.output(event);
      return;
    }
    this.append(event);
    if (event.type === 'run.started') {
      // A run whose meta.json was lost still gets one, rebuilt from what the engine says.
      const meta = this.meta ?? newMeta(this.runId, { runbook: event.runbook, file: event.file });
      this.meta = { ...meta, sessions: [...meta.sessions, sessionFor(event)] };
      try {
        writeRunMeta(this.paths.meta, this.meta);
      } catch (error) {
        throw journalError(`Cannot write meta.json of run ${this.runId}`, error);
      }
    }
    const note = noteFor(event);
    if (note) this.logs.note(note.stepId, note.phase, note.text);
    if (event.type === 'step.finished') this.logs.close(event.stepId, event.phase);
    if (event.type === 'rollback.finished') this.logs.close(event.stepId, 'rollback');
    if (event.type === 'run.finished') this.logs.closeAll();
  };

  /** Stores the runbook text the run uses, so `resume` runs exactly that (returns its path). */
  writeRunbookCopy(sourceText: string, fileName: string): string {
    const path = this.writeRunbookAsset(fileName, sourceText);
    if (this.meta) {
      this.meta = { ...this.meta, runbookCopy: join('runbook', safeRelativePath(fileName)) };
      writeRunMeta(this.paths.meta, this.meta);
    }
    return path;
  }

  /** Stores a file beside the runbook copy, e.g. `steps/NAME.yaml` of a local library step. */
  writeRunbookAsset(relativePath: string, text: string): string {
    const path = join(this.paths.runbook, safeRelativePath(relativePath));
    mkdirSync(dirname(path), { recursive: true, mode: DIR_MODE });
    writeFileAtomic(path, text);
    return path;
  }

  /** Stores the resolved params, already masked by the caller (`params.json`). */
  writeParams(maskedParams: Record<string, ScalarValue>): void {
    writeFileAtomic(this.paths.params, `${JSON.stringify(maskedParams, null, 2)}\n`);
  }

  /** Makes everything written so far durable now. */
  flush(): void {
    this.raiseDeferredError();
    if (this.pendingSync) this.syncNow();
  }

  /** Flushes and closes the journal and any open log. Idempotent. */
  close(): void {
    if (this.fd === undefined) return;
    try {
      this.flush();
    } finally {
      this.logs.closeAll();
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  private append(event: EngineEvent | StateRecord): void {
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, encodeLine(this.nextSeq, event));
      this.nextSeq++;
      if (SYNC_NOW.has(event.type) || this.options.syncEveryBoundary) this.syncNow();
      // A pid only matters while this machine is up, and written lines outlive a killed
      // runner without an fsync: no extra sync per step for it.
      else if (event.type !== 'step.process') this.scheduleSync();
    } catch (error) {
      throw journalError(`Cannot write the journal of run ${this.runId}`, error);
    }
  }

  private syncNow(): void {
    if (this.syncTimer) clearImmediate(this.syncTimer);
    this.syncTimer = undefined;
    this.pendingSync = false;
    if (this.fd === undefined) return;
    // fdatasync also persists the new file size, which is all an append needs.
    fdatasyncSync(this.fd);
    this.syncs++;
  }

  private scheduleSync(): void {
    this.pendingSync = true;
    if (this.syncTimer) return;
    this.syncTimer = setImmediate(() => {
      this.syncTimer = undefined;
      try {
        if (this.pendingSync) this.syncNow();
      } catch (error) {
        // Never throw from a timer (it would crash the process): report on the next event.
        this.deferredError = error;
      }
    });
  }

  private raiseDeferredError(): void {
    if (this.deferredError === undefined) return;
    const error = this.deferredError;
    this.deferredError = undefined;
    throw journalError(`Cannot sync the journal of run ${this.runId}`, error);
  }
}

function newMeta(runId: string, meta: NewRunMeta): RunMeta {
  return {
    version: 1, runId, runbook: meta.runbook, file: meta.file, cwd: meta.cwd ?? process.cwd(),
    ...(meta.lock === undefined ? {} : { lock: meta.lock }),
    ...(meta.blockAfterFailure ? { blockAfterFailure: true } : {}),
    options: meta.options ?? {}, createdAt: new Date().toISOString(), sessions: [],
  };
}

function journalError(message: string, cause: unknown): StepwiseError {
  if (cause instanceof StepwiseError) return cause;
  return new StepwiseError(`${message}: ${errnoCode(cause) ?? String(cause)}`, {
    cause,
    hint: 'The run can no longer be recorded: check free space and permissions of the state directory.',
  });
}
