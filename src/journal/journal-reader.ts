/**
 * Reads a run's `journal.jsonl` back, tolerating what a crash leaves: a torn last line
 * (the runner died mid-write) and corrupt lines. Nothing is guessed: a line that is not
 * a whole, well-formed event is reported as lost, by line number.
 */
import { readFileSync } from 'node:fs';
import type { EngineEvent } from '../engine/events.js';
import { errnoCode, isRecord } from './fs-util.js';

/** A journal line that could not be used. */
export interface LostLine {
  /** 1-based line number in `journal.jsonl`. */
  line: number;
  /** `torn`: the last line, cut short by a crash; `corrupt`: any other unreadable line. */
  reason: 'torn' | 'corrupt';
  bytes: number;
  detail: string;
}

/** What could be read from a journal. */
export interface JournalContents {
  events: EngineEvent[];
  lost: LostLine[];
  /** False when the file does not exist at all. */
  exists: boolean;
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

/** Reads and parses `journal.jsonl` (a missing file reads as empty, `exists: false`). */
export function readJournal(path: string): JournalContents {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { events: [], lost: [], exists: false };
    throw error;
  }
  return { ...parseJournal(text), exists: true };
}

/** Parses journal text: one event per line; unknown event types are skipped (newer writer). */
export function parseJournal(text: string): Omit<JournalContents, 'exists'> {
  const events: EngineEvent[] = [];
  const lost: LostLine[] = [];
  const lines = text.split('\n');
  // Every record ends with a newline, so a last piece that is not empty lacks one: torn.
  const lastIndex = lines.length - 1;
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const parsed = parseEvent(line);
    if (parsed.event) {
      events.push(parsed.event);
      return;
    }
    if (parsed.unknownType) return;
    const torn = index === lastIndex;
    lost.push({
      line: index + 1,
      reason: torn ? 'torn' : 'corrupt',
      bytes: Buffer.byteLength(line),
      detail: torn ? 'cut short by a crash while it was written' : parsed.problem ?? 'unreadable',
    });
  });
  return { events, lost };
}

/** Parses one line into an event, or says why not. */
export function parseEvent(line: string): { event?: EngineEvent; unknownType?: boolean; problem?: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { problem: 'not valid JSON' };
  }
  if (!isRecord(value) || typeof value.type !== 'string' || typeof value.time !== 'string') {
    return { problem: 'not an event (no type or time)' };
  }
  if (!Object.hasOwn(REQUIRED, value.type)) return { unknownType: true };
  const required = REQUIRED[value.type as EngineEvent['type']];
  const missing = required.filter((key) => value[key] === undefined);
  if (missing.length > 0) return { problem: `${value.type} without ${missing.join(', ')}` };
  return { event: value as unknown as EngineEvent };
}

/** One line per lost record, for `show` and for resume warnings. */
export function describeLost(lost: readonly LostLine[]): string[] {
  return lost.map((l) => `line ${l.line} (${l.bytes} bytes) ${l.reason === 'torn' ? 'torn' : 'corrupt'}: ${l.detail}`);
}
