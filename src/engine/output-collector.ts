/**
 * Turns raw output chunks into masked blocks of complete lines (output-bytes.ts), keeping
 * only a bounded tail of stdout in memory (for `steps.<id>.stdout`). A step may print
 * gigabytes: its bytes are moved, never split into line strings here. The tail keeps the
 * real text: it is data for later steps; masking is for what is shown and stored.
 */
import { isUtf8 } from 'node:buffer';
import type { OutputStream } from '../targets/executor.js';
import type { Redactor } from './redact.js';

/** `steps.<id>.stdout` keeps this much (SPEC §2), counted in UTF-16 code units as the string is. */
export const STDOUT_TAIL_BYTES = 64 * 1024;
/** Bytes of stdout kept to cut the tail from: a UTF-8 char takes at most 3 bytes per code unit, and the oldest may be cut. */
const TAIL_KEEP_BYTES = 3 * STDOUT_TAIL_BYTES + 4;
/** A "line" longer than this without a newline is passed on in pieces rather than held. */
const MAX_PENDING_LINE = 1024 * 1024;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const NEWLINE_BYTE = Buffer.from('\n');

export class OutputCollector {
  private readonly pending: Record<OutputStream, Buffer | undefined> = { stdout: undefined, stderr: undefined };
  private readonly tail = new TailBytes(TAIL_KEEP_BYTES);

  /** `emitLines` gets complete lines as UTF-8 bytes, secrets masked, each ending in `\n`. */
  constructor(
    private readonly redactor: Redactor,
    private readonly emitLines: (stream: OutputStream, bytes: Buffer) => void,
  ) {}

  /** Accepts a chunk; emits the complete lines it finishes. */
  push(stream: OutputStream, chunk: Buffer): void {
    const last = chunk.lastIndexOf(NEWLINE);
    const before = this.pending[stream];
    if (last < 0) {
      const joined = before ? Buffer.concat([before, chunk]) : chunk;
      if (joined.length > MAX_PENDING_LINE) {
        this.pending[stream] = undefined;
        this.deliver(stream, Buffer.concat([joined, NEWLINE_BYTE]));
      } else {
        // Copied: a few bytes held must not keep a whole pipe chunk alive.
        this.pending[stream] = before ? joined : Buffer.from(chunk);
      }
      return;
    }
    let start = 0;
    if (before) {
      // Only the held line is joined: copying whole chunks into fresh buffers costs more than the rest of the path.
      const first = chunk.indexOf(NEWLINE);
      this.deliver(stream, Buffer.concat([before, chunk.subarray(0, first + 1)]));
      start = first + 1;
    }
    this.pending[stream] = last + 1 < chunk.length ? Buffer.from(chunk.subarray(last + 1)) : undefined;
    if (start <= last) this.deliver(stream, chunk.subarray(start, last + 1));
  }

  /** Emits what is left of unfinished lines (at the end of an execution). */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.pending[stream];
      this.pending[stream] = undefined;
      if (rest && rest.length > 0) this.deliver(stream, Buffer.concat([rest, NEWLINE_BYTE]));
    }
  }

  /** The last 64 KiB of stdout, trimmed, as the step printed it (mask before showing or storing). */
  stdoutTail(): string {
    return this.tail.bytes().toString('utf8').slice(-STDOUT_TAIL_BYTES).trim();
  }

  /** `block` ends with a newline; invalid UTF-8 in it becomes U+FFFD, as decoding it would. */
  private deliver(stream: OutputStream, block: Buffer): void {
    const text = isUtf8(block) ? block : Buffer.from(block.toString('utf8'), 'utf8');
    if (stream === 'stdout') this.tail.append(text);
    let shown = this.redactor.active ? this.redactor.maskBytes(text) : text;
    // A secret that ended with the newline took it along: every line still ends with one.
    if (shown[shown.length - 1] !== NEWLINE) shown = Buffer.concat([shown, NEWLINE_BYTE]);
    if (shown.includes(CARRIAGE_RETURN)) shown = withoutCarriageReturns(shown);
    this.emitLines(stream, shown);
  }
}

/**
 * The last bytes of a stream, copied into one ring buffer: holding on to the pipe's chunks
 * instead would keep them alive into the old generation, where their memory waits for a
 * full collection while gigabytes stream past.
 */
class TailBytes {
  /** Grows as bytes come (most steps print little), then turns into a ring of `size` bytes. */
  private ring = Buffer.alloc(0);
  private end = 0;
  private full = false;

  constructor(private readonly size: number) {}

  append(block: Buffer): void {
    const size = this.size;
    if (!this.full && this.end + block.length < size) {
      if (this.ring.length < this.end + block.length) this.grow(Math.min(size, Math.max(2 * this.ring.length, this.end + block.length, 4096)));
      this.end += block.copy(this.ring, this.end);
      return;
    }
    if (this.ring.length < size) this.grow(size);
    if (block.length >= size) {
      block.copy(this.ring, 0, block.length - size);
      this.end = 0;
      this.full = true;
      return;
    }
    const first = Math.min(block.length, size - this.end);
    block.copy(this.ring, this.end, 0, first);
    block.copy(this.ring, 0, first);
    if (this.end + block.length >= size) this.full = true;
    this.end = (this.end + block.length) % size;
  }

  /** What is kept, oldest first (its first char may be cut: the ring is larger than what is used). */
  bytes(): Buffer {
    return this.full ? Buffer.concat([this.ring.subarray(this.end), this.ring.subarray(0, this.end)]) : this.ring.subarray(0, this.end);
  }

  private grow(length: number): void {
    const ring = Buffer.alloc(length);
    this.ring.copy(ring, 0, 0, this.end);
    this.ring = ring;
  }
}

/** `\r\n` line ends become `\n` (a Windows program's lines), other carriage returns stay. */
function withoutCarriageReturns(block: Buffer): Buffer {
  return Buffer.from(block.toString('latin1').replaceAll('\r\n', '\n'), 'latin1');
}
