/**
 * Records one run in the state database. `record` is synchronous (the engine's sink): events
 * and log output are queued in order and written by one statement per flush, a flush soon
 * after anything is queued; `checkpoint` resolves once everything queued before it is
 * committed, so no step starts before its start record is durable. The first failure (the
 * database went away) is kept: every later call throws it, nothing is written after it.
 *
 * Step logs stream in as chunks, capped per log (default 16 MiB): past the cap the first and
 * last MiB are kept, the middle is deleted as it goes, and memory stays bounded by the cap.
 */
import type { SerialClient } from './pg-serial.js';
import type { EngineEvent, Phase } from '../../engine/events.js';
import { StepwiseError } from '../../errors/stepwise-error.js';
import { noteFor } from '../journal-notes.js';
import { sessionFor, type RunMeta } from '../run-meta.js';
import { formatOutputLines, LOG_TAGS } from '../step-logs.js';
import type { RunRecorder } from '../store.js';

/** How much of a log is kept whole; beyond it, {@link LOG_HEAD} and {@link LOG_TAIL}. */
export const DEFAULT_LOG_CAP = 16 * 1024 * 1024;
export const LOG_HEAD = 1024 * 1024;
export const LOG_TAIL = 1024 * 1024;
/** A log's queued bytes are flushed once this many wait, even between boundaries. */
const CHUNK_BYTES = 256 * 1024;

interface LogStream {
  stepId: string;
  phase: 'run' | 'rollback';
  /** Bytes produced so far (what `logs` reports as the log's size). */
  total: number;
  /** Offset of the first queued byte. */
  offset: number;
  queued: Buffer[];
  queuedBytes: number;
  /** Sequence number of the first record after it was opened (orders logs). */
  opened: number;
  /** The total last written to its row. */
  reported: number;
}

interface Pending {
  events: Array<{ seq: number; type: string; time: string; body: EngineEvent }>;
  /** Every log whose size changed (created with `opened` when new). */
  logs: Array<{ step_id: string; phase: string; opened: number; total: number }>;
  chunks: Array<{ step_id: string; phase: string; byte_offset: number; data: string }>;
  prune: Array<{ step_id: string; phase: string; from: number; to: number }>;
  meta: RunMeta | undefined;
}

const FLUSH_SQL = `
WITH ev AS (
  INSERT INTO stepwise_events (run_id, seq, type, time, body)
  SELECT $1, x.seq, x.type, x.time, x.body FROM jsonb_to_recordset($2::jsonb) AS x(seq integer, type text, time text, body jsonb)
), lg AS (
  INSERT INTO stepwise_logs (run_id, step_id, phase, total_bytes, opened)
  SELECT $1, x.step_id, x.phase, x.total, x.opened FROM jsonb_to_recordset($3::jsonb) AS x(step_id text, phase text, total bigint, opened bigint)
  ON CONFLICT (run_id, step_id, phase) DO UPDATE SET total_bytes = EXCLUDED.total_bytes
), ch AS (
  INSERT INTO stepwise_log_chunks (run_id, step_id, phase, byte_offset, data)
  SELECT $1, x.step_id, x.phase, x.byte_offset, decode(x.data, 'base64') FROM jsonb_to_recordset($4::jsonb) AS x(step_id text, phase text, byte_offset bigint, data text)
), pr AS (
  DELETE FROM stepwise_log_chunks c USING jsonb_to_recordset($5::jsonb) AS x(step_id text, phase text, "from" bigint, "to" bigint)
  WHERE c.run_id = $1 AND c.step_id = x.step_id AND c.phase = x.phase AND c.byte_offset >= x."from" AND c.byte_offset + length(c.data) <= x."to"
)
UPDATE stepwise_runs SET meta = $6::jsonb WHERE run_id = $1 AND $6::jsonb IS NOT NULL`;

/** What a recorder needs from its store. */
export interface RecorderOptions {
  client: SerialClient;
  location: string;
  runId: string;
  meta: RunMeta | undefined;
  nextSeq: number;
  /** Log streams that already exist (a resumed run appends to them), with their sizes. */
  logs: Array<{ stepId: string; phase: 'run' | 'rollback'; total: number }>;
  logCap?: number;
}

/** A run's recorder on one database connection (the one holding its lock). */
export class PgRecorder implements RunRecorder {
  readonly runId: string;
  readonly location: string;
  private readonly client: SerialClient;
  private meta: RunMeta | undefined;
  private seq: number;
  private readonly cap: number;
  private readonly streams = new Map<string, LogStream>();
  private pending = emptyPending();
  private dirty = false;
  private flushing: Promise<void> | undefined;
  private scheduled: NodeJS.Immediate | undefined;
  private failure: StepwiseError | undefined;
  private closed = false;

  constructor(options: RecorderOptions) {
    this.client = options.client;
    this.location = options.location;
    this.runId = options.runId;
    this.meta = options.meta;
    this.seq = options.nextSeq;
    this.cap = Math.max(options.logCap ?? DEFAULT_LOG_CAP, LOG_HEAD + LOG_TAIL);
    for (const log of options.logs) this.streams.set(`${log.phase}:${log.stepId}`, { ...log, offset: log.total, queued: [], queuedBytes: 0, opened: 0, reported: log.total });
  }

  record(event: EngineEvent): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new StepwiseError(`The journal of run ${this.runId} is closed; event ${event.type} was not recorded`);
    if (event.type === 'step.output') {
      if (event.lines.length > 0) this.appendLog(event.stepId, event.phase, formatOutputLines(event));
    } else {
      this.pending.events.push({ seq: this.seq++, type: event.type, time: event.time, body: event });
      if (event.type === 'run.started' && this.meta) {
        this.meta = { ...this.meta, sessions: [...this.meta.sessions, sessionFor(event)] };
        this.pending.meta = this.meta;
      }
      const note = noteFor(event);
      if (note) this.appendLog(note.stepId, note.phase, `${LOG_TAGS.note}${note.text.replace(/\n/g, ' ')}\n`);
    }
    this.dirty = true;
    this.schedule();
  }

  async checkpoint(): Promise<void> {
    if (this.failure) throw this.failure;
    // Everything queued before this call is in the next flush (or the one running now).
    while (this.dirty || this.flushing) {
      await (this.flushing ?? this.flush());
      if (this.failure) throw this.failure;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.checkpoint();
    } finally {
      this.closed = true;
      if (this.scheduled) clearImmediate(this.scheduled);
    }
  }

  private appendLog(stepId: string, phase: Phase, text: string): void {
    const kind = phase === 'rollback' ? 'rollback' : 'run';
    const key = `${kind}:${stepId}`;
    let stream = this.streams.get(key);
    if (!stream) {
      stream = { stepId, phase: kind, total: 0, offset: 0, queued: [], queuedBytes: 0, opened: this.seq, reported: -1 };
      this.streams.set(key, stream);
    }
    const data = Buffer.from(text, 'utf8');
    stream.queued.push(data);
    stream.queuedBytes += data.length;
    stream.total += data.length;
    // Past the cap only the last MiB will be kept: older queued bytes beyond the head go now.
    if (stream.total > this.cap) this.trimQueued(stream);
    if (stream.queuedBytes >= CHUNK_BYTES) this.schedule();
  }

  /** Drops queued bytes that lie after the kept head and before the kept tail. */
  private trimQueued(stream: LogStream): void {
    const tailStart = stream.total - LOG_TAIL;
    const queuedStart = stream.total - stream.queuedBytes;
    const dropFrom = Math.max(queuedStart, LOG_HEAD);
    const dropTo = Math.min(tailStart, stream.total);
    if (dropTo <= dropFrom) return;
    const all = Buffer.concat(stream.queued);
    const keepHead = all.subarray(0, dropFrom - queuedStart);
    const keepTail = all.subarray(dropTo - queuedStart);
    // Keep the head part as its own piece, at its own offset, then the tail at the tail's offset.
    if (keepHead.length > 0) this.pending.chunks.push(chunkRow(stream, stream.offset, keepHead));
    stream.offset = dropTo;
    stream.queued = keepTail.length > 0 ? [Buffer.from(keepTail)] : [];
    stream.queuedBytes = keepTail.length;
  }

  private schedule(): void {
    if (this.scheduled || this.failure) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      if (!this.flushing && this.dirty) void this.flush();
    });
  }

  /** Writes everything queued in one statement (one round trip, one commit). */
  private flush(): Promise<void> {
    const run = async () => {
      const batch = this.takePending();
      try {
        await this.client.query(FLUSH_SQL, [
          this.runId,
          JSON.stringify(batch.events),
          JSON.stringify(batch.logs),
          JSON.stringify(batch.chunks),
          JSON.stringify(batch.prune),
          batch.meta ? JSON.stringify(batch.meta) : null,
        ]);
      } catch (error) {
        this.failure = new StepwiseError(`${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    };
    this.flushing = run().finally(() => {
      this.flushing = undefined;
      if (this.dirty && !this.failure) this.schedule();
    });
    return this.flushing;
  }

  private takePending(): Pending {
    for (const stream of this.streams.values()) {
      if (stream.queuedBytes > 0) {
        this.pending.chunks.push(...splitAtHead(stream, Buffer.concat(stream.queued)));
        stream.offset += stream.queuedBytes;
        stream.queued = [];
        stream.queuedBytes = 0;
      }
      if (stream.total === stream.reported) continue;
      this.pending.logs.push({ step_id: stream.stepId, phase: stream.phase, opened: stream.opened, total: stream.total });
      stream.reported = stream.total;
      if (stream.total > this.cap) this.pending.prune.push({ step_id: stream.stepId, phase: stream.phase, from: LOG_HEAD, to: stream.total - LOG_TAIL });
    }
    const batch = this.pending;
    this.pending = emptyPending();
    this.dirty = false;
    return batch;
  }
}

function emptyPending(): Pending {
  return { events: [], logs: [], chunks: [], prune: [], meta: undefined };
}

function chunkRow(stream: LogStream, offset: number, data: Buffer): Pending['chunks'][number] {
  return { step_id: stream.stepId, phase: stream.phase, byte_offset: offset, data: data.toString('base64') };
}

/** Chunks of `data` at the stream's offset, split where the kept head ends (so pruning keeps exactly the head). */
function splitAtHead(stream: LogStream, data: Buffer): Pending['chunks'] {
  const start = stream.offset;
  if (start < LOG_HEAD && start + data.length > LOG_HEAD) {
    const cut = LOG_HEAD - start;
    return [chunkRow(stream, start, data.subarray(0, cut)), chunkRow(stream, LOG_HEAD, data.subarray(cut))];
  }
  return [chunkRow(stream, start, data)];
}
