/**
 * One line of `journal.jsonl`: a JSON record that carries its sequence number (`seq`, first)
 * and a CRC-32 of everything before it (`crc`, last), so a reader tells a damaged or missing
 * record from a whole one instead of guessing. Lines of journals written before sequence
 * numbers existed (no `seq`, no `crc`) are still read.
 */
import { crc32 } from 'node:zlib';

/** A record of the journal file that is not an engine event (the engine never emits these). */
export type StateRecord = TornLineRecord | AckRecord;

/** Written when a journal is reopened after a crash tore its last line: that line is explained, not corrupt. */
export interface TornLineRecord {
  type: 'journal.torn';
  time: string;
  runId: string;
  /** Length in bytes of the torn line just before this record. */
  bytes: number;
}

/** `stepwise ack RUN_ID`: someone looked at a failed run; a `blockAfterFailure` runbook may run again. */
export interface AckRecord {
  type: 'run.acknowledged';
  time: string;
  runId: string;
  /** Login name of who acknowledged. */
  by: string;
  host: string;
  note?: string;
}

const CRC_TAIL = /,"crc":"([0-9a-f]{8})"\}$/;

/** The CRC-32 of a text, as 8 hex digits. */
function checksum(text: string): string {
  return crc32(text).toString(16).padStart(8, '0');
}

/** The line (with its newline) for a record with sequence number `seq`. */
export function encodeLine(seq: number, record: object): string {
  const body = JSON.stringify({ seq, ...record });
  return `${body.slice(0, -1)},"crc":"${checksum(body)}"}\n`;
}

/** A decoded line: the record and its sequence number (undefined for a line of an older journal), or why it is unusable. */
export type DecodedLine = { value: Record<string, unknown>; seq: number | undefined } | { problem: string };

/** Decodes one line (without its newline); never throws. */
export function decodeLine(line: string): DecodedLine {
  const tail = CRC_TAIL.exec(line);
  const body = tail ? `${line.slice(0, tail.index)}}` : line;
  if (tail && checksum(body) !== tail[1]) return { problem: 'checksum mismatch (the line was altered or partly written)' };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { problem: 'not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: 'not an event (no type or time)' };
  const record = value as Record<string, unknown>;
  if (!tail) {
    // A line of this format that lost its checksum is damage, not an older journal's line.
    if ('seq' in record || 'crc' in record) return { problem: 'checksum missing' };
    return { value: record, seq: undefined };
  }
  const { seq, ...rest } = record;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return { problem: 'no valid sequence number' };
  return { value: rest, seq };
}
