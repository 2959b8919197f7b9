/**
 * Step output as the engine hands it on: a block of complete lines as UTF-8 bytes, secrets
 * masked, every line ending in `\n`. A step may print gigabytes: writers that copy output
 * whole (the step log, the plain reporter) move these bytes and never split them into
 * strings; only what looks at lines (`--json`, the failure tail, the live view) decodes.
 */
import type { StepOutputEvent } from './events.js';

const NEWLINE = 0x0a;

/** The lines of a block, without their newlines. */
export function decodeLines(bytes: Buffer): string[] {
  return bytes.length === 0 ? [] : bytes.toString('utf8', 0, bytes.length - 1).split('\n');
}

/** A `step.output` event as the engine emits it (before its time and run id). */
export type OutputEventInput = Omit<StepOutputEvent, 'time' | 'runId'>;

/** Where an output event keeps its decoded lines once read. */
const DECODED = Symbol('decoded lines');

type OutputEventObject = OutputEventInput & { [DECODED]?: string[] };

/**
 * The getter of `lines` on every output event. One function for all: a getter made per event
 * would give every event its own hidden class, which V8 keeps in the old generation, so a
 * gigabyte of output would cost full collections.
 */
function decodedLines(this: OutputEventObject): string[] {
  let lines = this[DECODED];
  if (lines === undefined) {
    lines = decodeLines(this.bytes ?? Buffer.alloc(0));
    Object.defineProperty(this, DECODED, { value: lines });
  }
  return lines;
}

/** An output event with `bytes`, and `lines` decoded from them only when first read. */
export function outputEvent(fields: Omit<OutputEventInput, 'lines' | 'bytes'>, bytes: Buffer): OutputEventInput {
  // `bytes` is not enumerable, so copies stay plain data; `lines` is, so a copy or the JSON of the event still has its lines.
  Object.defineProperty(fields, 'bytes', { value: bytes });
  Object.defineProperty(fields, 'lines', { enumerable: true, configurable: true, get: decodedLines });
  return fields as OutputEventInput;
}

/** The last `count` lines of an event, decoding no more of a large block than those. */
export function lastLines(event: Pick<StepOutputEvent, 'lines' | 'bytes'>, count: number): string[] {
  if (count <= 0) return [];
  const bytes = event.bytes;
  if (bytes === undefined) return event.lines.slice(-count);
  if (bytes.length === 0) return [];
  // Walk back over `count` newlines (the block's last byte is one).
  let start = bytes.length - 1;
  for (let found = 0; found < count; found++) {
    const before = start === 0 ? -1 : bytes.lastIndexOf(NEWLINE, start - 1);
    if (before < 0) return decodeLines(bytes);
    start = before;
  }
  return decodeLines(bytes.subarray(start + 1));
}

/**
 * Puts a prefix before every line of blocks (a log tag, a timestamp and step id). One buffer
 * is reused, so even a gigabyte of output makes no garbage per line.
 */
export class LinePrefixer {
  private scratch = Buffer.alloc(0);
  private prefix = '';
  private lead = '';

  /** The block with `prefix` (text) before every line: a view of a buffer the next call reuses. */
  apply(bytes: Buffer, prefix: string): Buffer {
    if (bytes.length === 0) return bytes;
    if (prefix !== this.prefix) {
      this.prefix = prefix;
      this.lead = Buffer.from(prefix, 'utf8').toString('latin1');
    }
    const lines = latin1Lines(bytes);
    const size = bytes.length + lines.length * this.lead.length;
    if (this.scratch.length < size) this.scratch = Buffer.allocUnsafe(Math.max(size, 2 * this.scratch.length));
    // Joined a slice at a time, so no string grows past V8's large-object size (slow to make).
    const perJoin = Math.max(64, Math.floor(PREFIX_BYTES_PER_JOIN / Math.max(1, this.lead.length)));
    const separator = `\n${this.lead}`;
    let at = 0;
    for (let i = 0; i < lines.length; i += perJoin) {
      const slice = lines.length <= perJoin ? lines : lines.slice(i, i + perJoin);
      at += this.scratch.write(this.lead, at, 'latin1');
      at += this.scratch.write(slice.join(separator), at, 'latin1');
      this.scratch[at++] = NEWLINE;
    }
    return this.scratch.subarray(0, at);
  }
}

/** Prefix bytes one joined string holds at most, beside the block's own (at most a pipe's 64 KiB). */
const PREFIX_BYTES_PER_JOIN = 32 * 1024;

/** The last block split by `latin1Lines`, kept because the log and the plain reporter prefix the same block in turn. */
let lastSplit: { bytes: Buffer; lines: string[] } | undefined;

/**
 * The lines of a block as latin1 strings: every byte one char, so UTF-8 passes through
 * untouched, while the splitting and joining run in the engine's native string builtins
 * rather than a loop over lines.
 */
function latin1Lines(bytes: Buffer): string[] {
  if (lastSplit?.bytes !== bytes) lastSplit = { bytes, lines: bytes.toString('latin1', 0, bytes.length - 1).split('\n') };
  return lastSplit.lines;
}
