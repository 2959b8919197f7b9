/**
 * Reads a run's `journal.jsonl` back. What a crash leaves is tolerated: a torn last line
 * (the runner died mid-write), and such a line that a later session explained with a
 * `journal.torn` record when it appended after it. Anything else that is not whole — a
 * line that fails its checksum, junk, a sequence number that skips records — is reported
 * by line number as damage: readers show the rest, `resume` and `rollback` refuse.
 */
import { readFileSync } from 'node:fs';
import type { EngineEvent } from '../engine/events.js';
import { errnoCode } from './fs-util.js';
import { decodeLine, type AckRecord } from './journal-line.js';

/** A journal line, or a run of records, that could not be used. */
export interface LostLine {
  /** 1-based line number in `journal.jsonl` (for `missing`: the line after the gap). */
  line: number;
  /**
   * `torn`: cut short by a crash (the last line, or one a later session explained);
   * `corrupt`: any other unreadable line; `missing`: sequence numbers skip records.
   */
  reason: 'torn' | 'corrupt' | 'missing';
  bytes: number;
  detail: string;
}

/** What could be read from a journal. */
export interface JournalContents {
  events: EngineEvent[];
  lost: LostLine[];
  /** False when the file does not exist at all. */
  exists: boolean;
  /** Set when the journal exists but could not be read (`EACCES`, `EISDIR`…). */
  unreadable?: string;
  /** `stepwise ack` records, oldest first. */
  acks: AckRecord[];
}

/** Fields each event type must carry to be usable, beyond `type` and `time`. */
const REQUIRED: Record<EngineEvent['type'], readonly string[]> = {
  'run.started': ['runbook'],
  'step.started': ['stepId'],
  'step.batch': ['stepId'],
  'step.output': ['stepId'],
  'step.retrying': ['stepId'],
  'step.finished': ['stepId', 'status'],
  'step.check.started': ['stepId', 'when'],
  'step.check.finished': ['stepId', 'when', 'result'],
  'rollback.started': ['stepId'],
  'rollback.finished': ['stepId', 'status'],
  'run.finished': ['status'],
  'run.notice': ['message'],
  'step.decision': ['stepId', 'choice'],
  'step.process': ['stepId', 'pid'],
};

/** Reads and parses `journal.jsonl` (a missing file reads as empty, `exists: false`; an unreadable one says why). */
export function readJournal(path: string): JournalContents {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { events: [], lost: [], exists: false, acks: [] };
    return { events: [], lost: [], exists: true, unreadable: `${path}: ${errnoCode(error) ?? String(error)}`, acks: [] };
  }
  return { ...parseJournal(text), exists: true };
}

/** What a line holds, once decoded and checked. */
type Parsed =
  | { kind: 'event'; event: EngineEvent; seq: number | undefined }
  | { kind: 'ack'; ack: AckRecord; seq: number | undefined }
  | { kind: 'torn-marker'; bytes: number; seq: number | undefined }
  | { kind: 'unknown'; seq: number | undefined }
  | { kind: 'bad'; problem: string };

/** Parses journal text: one record per line; records of types it does not know are skipped (a newer writer). */
export function parseJournal(text: string): Omit<JournalContents, 'exists'> {
  const events: EngineEvent[] = [];
  const acks: AckRecord[] = [];
  const lost: LostLine[] = [];
  const lines = text.split('\n');
  // Every record ends with a newline, so a last piece that is not empty lacks one: torn.
  const lastIndex = lines.length - 1;
  let previousSeq: number | undefined;
  let pendingBad: LostLine | undefined;
  // Unreadable lines since the last good record: each may be one of the records a gap misses.
  let badSinceGood = 0;
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const parsed = parseRecord(line);
    if (parsed.kind === 'bad') {
      if (pendingBad) lost.push(pendingBad);
      badSinceGood++;
      const torn = index === lastIndex;
      pendingBad = {
        line: index + 1,
        reason: torn ? 'torn' : 'corrupt',
        bytes: Buffer.byteLength(line),
        detail: torn ? 'cut short by a crash while it was written' : parsed.problem,
      };
      return;
    }
    if (parsed.kind === 'torn-marker' && pendingBad && pendingBad.bytes === parsed.bytes) {
      pendingBad = { ...pendingBad, reason: 'torn', detail: 'cut short by a crash while it was written; the run went on after it' };
    }
    if (pendingBad) lost.push(pendingBad);
    pendingBad = undefined;
    const { seq } = parsed;
    const unreadable = badSinceGood;
    badSinceGood = 0;
    // Records that the unreadable lines just before may have been are already reported as those lines.
    if (seq !== undefined && previousSeq !== undefined && seq !== previousSeq + 1 && seq - previousSeq - 1 !== unreadable) {
      lost.push({ line: index + 1, reason: 'missing', bytes: 0, detail: gapDetail(previousSeq, seq) });
    }
    // A line of an older journal breaks the chain: sequence numbers start again after it.
    previousSeq = seq;
    if (parsed.kind === 'event') events.push(parsed.event);
    else if (parsed.kind === 'ack') acks.push(parsed.ack);
  });
  if (pendingBad) lost.push(pendingBad);
  return { events, lost, acks };
}

function gapDetail(previous: number, seq: number): string {
  if (seq <= previous) return `sequence number ${seq} after ${previous}: records are duplicated or out of order`;
  const first = previous + 1;
  const last = seq - 1;
  return `record${first === last ? ` ${first} is` : `s ${first}–${last} are`} missing (the sequence goes from ${previous} to ${seq})`;
}

function parseRecord(line: string): Parsed {
  const decoded = decodeLine(line);
  if ('problem' in decoded) return { kind: 'bad', problem: decoded.problem };
  const { value, seq } = decoded;
  if (typeof value.type !== 'string' || typeof value.time !== 'string') return { kind: 'bad', problem: 'not an event (no type or time)' };
  if (value.type === 'journal.torn') {
    return typeof value.bytes === 'number' ? { kind: 'torn-marker', bytes: value.bytes, seq } : { kind: 'bad', problem: 'journal.torn without bytes' };
  }
  if (value.type === 'run.acknowledged') {
    return typeof value.by === 'string' && typeof value.host === 'string'
      ? { kind: 'ack', ack: value as unknown as AckRecord, seq }
      : { kind: 'bad', problem: 'run.acknowledged without by, host' };
  }
  if (!Object.hasOwn(REQUIRED, value.type)) return { kind: 'unknown', seq };
  const missing = REQUIRED[value.type as EngineEvent['type']].filter((key) => value[key] === undefined);
  if (missing.length > 0) return { kind: 'bad', problem: `${value.type} without ${missing.join(', ')}` };
  return { kind: 'event', event: value as unknown as EngineEvent, seq };
}

/** True for a whole engine event of a type this stepwise knows (a record read from a database). */
export function isEngineEvent(value: Record<string, unknown>): value is Record<string, unknown> & EngineEvent {
  if (typeof value.type !== 'string' || typeof value.time !== 'string' || !Object.hasOwn(REQUIRED, value.type)) return false;
  return REQUIRED[value.type as EngineEvent['type']].every((key) => value[key] !== undefined);
}

/** Parses one line into an engine event, or says why not (for readers of a journal's first or last lines). */
export function parseEvent(line: string): { event?: EngineEvent; unknownType?: boolean; problem?: string; seq?: number } {
  const parsed = parseRecord(line);
  if (parsed.kind === 'bad') return { problem: parsed.problem };
  const seq = parsed.seq === undefined ? {} : { seq: parsed.seq };
  return parsed.kind === 'event' ? { event: parsed.event, ...seq } : { unknownType: true, ...seq };
}

/** The lost records that make a journal untrustworthy to act on: everything but torn lines. */
export function journalDamage(journal: Pick<JournalContents, 'lost'>): LostLine[] {
  return journal.lost.filter((l) => l.reason !== 'torn');
}

/** One line per lost record, for `show` and for resume warnings. */
export function describeLost(lost: readonly LostLine[]): string[] {
  return lost.map((l) => (l.reason === 'missing' ? `before line ${l.line}: ${l.detail}` : `line ${l.line} (${l.bytes} bytes) ${l.reason}: ${l.detail}`));
}
