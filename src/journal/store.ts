/**
 * What the engine and the CLI need from state (ARCHITECTURE §14): record a run, read runs
 * back, take locks. The state dir and PostgreSQL implement it; nothing outside an
 * implementation knows where or how a run is kept.
 */
import type { Writable } from 'node:stream';
import type { EngineEvent } from '../engine/events.js';
import type { PriorRunState } from '../engine/prior-run.js';
import type { ScalarValue } from '../runbook/model.js';
import type { JournalContents } from './journal-reader.js';
import type { LockHolder } from './lock-file.js';
import type { NewRunMeta, RunMeta } from './run-meta.js';
import type { RunState } from './run-state.js';
import type { RunSummary } from './run-summary.js';
import type { HistoryEntry, HistoryOptions as HistoryQuery } from './history.js';

export type { HistoryEntry, HistoryQuery };

/** Everything a new run stores before its first event. */
export interface NewRun {
  runId: string;
  meta: NewRunMeta;
  /** The runbook's text and its file name: `resume` runs exactly that. */
  runbook: { fileName: string; text: string };
  /** Library step files that are not bundled, by path relative to the runbook. */
  assets: Array<{ relativePath: string; text: string }>;
  /** Resolved params, secrets already masked. */
  maskedParams: Record<string, ScalarValue>;
}

/** Records one run's events, outputs and logs, in order. Not shared between processes. */
export interface RunRecorder {
  readonly runId: string;
  /** Where the run's state is kept, for messages (a directory, or a database). */
  readonly location: string;
  /** Records an event; throws a StepwiseError when the state cannot be written. */
  record(event: EngineEvent): void;
  /** Makes everything recorded so far durable (the engine awaits it before acting on a start). */
  checkpoint(): Promise<void>;
  /** Makes everything durable and lets go; idempotent. A failure here counts like a write failure. */
  close(): Promise<void>;
}

/** What a store does when it can no longer record a run (see EngineOptions.whenUnrecordable). */
export type UnrecordablePolicy = 'compensate' | 'stop';

/** A run as stored. */
export interface StoredRun {
  runId: string;
  /** Where its journal is, for messages. */
  journalLocation: string;
  /** Undefined when the run's meta record is missing (the journal still tells most). */
  meta: RunMeta | undefined;
  journal: JournalContents;
  /** What `resume`/`rollback` hand to the engine. */
  prior: PriorRunState;
  summary: RunSummary;
  state: RunState;
  startedAt?: string;
  durationMs?: number;
  /** The masked params the run was started with. */
  params?: Record<string, ScalarValue>;
  /** True when the runbook text it ran was stored (resume and rollback need it). */
  hasRunbookCopy: boolean;
}

/** The stored runbook of a run, as files `loadRunbook` can read (library steps beside it). */
export interface RunbookCheckout {
  /** Absolute path of the runbook copy. */
  file: string;
  text: string;
  /** Removes what was written for this checkout (nothing for the state dir, which keeps the copy). */
  dispose(): void;
}

/** One captured log of a run: a step's output (run or finally), or its rollback's. */
export interface StoredLog {
  stepId: string;
  phase: 'run' | 'rollback';
  /** Where the whole log can be read, for messages. */
  location: string;
}

/** Bytes of a log: its start and its end, never its middle. */
export interface LogBytes {
  totalBytes: number;
  /** From the start (everything when the log fits in head + tail). */
  head: Buffer;
  /** From the end; empty when `head` holds everything. */
  tail: Buffer;
  /** Bytes the store itself no longer has (a capped log), between head and tail. */
  droppedBytes: number;
}

/** How to follow a running run's logs. */
export interface FollowOptions {
  stepId?: string;
  pollMs?: number;
  signal?: AbortSignal;
}

/** How to take a lock. */
export interface AcquireLockOptions {
  /** The run that will hold it (named to whoever finds it held). */
  runId: string;
  /** Wait this long for a live holder to let go (`--wait-lock`); 0 (default) fails at once (exit 75). */
  waitMs?: number;
  /** Poll interval while waiting; default 250 ms. */
  pollMs?: number;
  /** Told when the lock was taken from a dead holder (`undefined`: unreadable holder record). */
  onTakeover?: (stale: LockHolder | undefined) => void;
  /** Aborts a wait (e.g. Ctrl-C); the promise rejects with the abort reason. */
  signal?: AbortSignal;
}

/** A lock this process holds. */
export interface HeldLock {
  name: string;
  holder: LockHolder;
  /** Lets go if still held; idempotent. */
  release(): Promise<void>;
}

/** A failed run of a `blockAfterFailure` runbook that nobody acknowledged. */
export interface BlockingRun {
  runId: string;
  state: RunState;
  /** The step it failed at, when known. */
  stepId?: string;
  /** When it ended (or was last heard of). */
  at?: string;
}

/** Who acknowledges a run, and why. */
export interface Acknowledgement {
  by: string;
  host: string;
  note?: string;
}

/** A place runs are kept. */
export interface StateStore {
  /** A directory, or `postgres://user@host:port/db` (never a password), for messages. */
  readonly location: string;
  /** What a run does when this store can no longer record it. */
  readonly whenUnrecordable: UnrecordablePolicy;
  /** Starts recording a new run (the lock is held). */
  createRun(run: NewRun): Promise<RunRecorder>;
  /** Records more of an existing run (`resume`, `rollback`; the lock is held). */
  continueRun(runId: string): Promise<RunRecorder>;
  /** The full id of a run from an id, an unambiguous prefix, or `last`; UsageError otherwise. */
  resolveRunId(typed: string): Promise<string>;
  listRuns(query?: HistoryQuery): Promise<HistoryEntry[]>;
  /** Everything stored about a run (by its full id). */
  loadRun(runId: string, now?: number): Promise<StoredRun>;
  /** The stored runbook and library steps, as files; undefined when none were stored. */
  checkoutRunbook(run: StoredRun): Promise<RunbookCheckout | undefined>;
  /** Logs in the order things ran, optionally of one step (unknown step: UsageError). */
  logsOf(run: StoredRun, stepId?: string): Promise<StoredLog[]>;
  /** Streams a whole log to `out` (not ended), saying where a capped log lost its middle. */
  writeLog(run: StoredRun, log: StoredLog, out: Writable): Promise<void>;
  /** At most `headBytes` from the start and `tailBytes` from the end of a log. */
  readLogBytes(run: StoredRun, log: StoredLog, headBytes: number, tailBytes: number): Promise<LogBytes>;
  /** Writes a running run's logs as they grow; resolves when it is no longer running. */
  followLogs(runId: string, out: Writable, options?: FollowOptions): Promise<void>;
  /** Takes a run lock, or throws LockBusyError (exit 75). */
  acquireLock(name: string, options: AcquireLockOptions): Promise<HeldLock>;
  /** The newest run of lock `lock`, if it is a failed `blockAfterFailure` run nobody acknowledged. */
  blockingRun(lock: string): Promise<BlockingRun | undefined>;
  /** Journals an acknowledgement of a run. */
  acknowledge(runId: string, ack: Acknowledgement): Promise<void>;
  close(): Promise<void>;
}
