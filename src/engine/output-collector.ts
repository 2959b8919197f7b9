/**
 * Turns raw output chunks into masked complete lines for reporters, keeping only a bounded
 * tail of stdout in memory (for `steps.<id>.stdout`). A step may print gigabytes. The tail
 * keeps the real text: it is data for later steps; masking is for what is shown and stored.
 */
import type { OutputStream } from '../targets/executor.js';
import type { Redactor } from './redact.js';

/** `steps.<id>.stdout` keeps this much (SPEC §2). */
export const STDOUT_TAIL_BYTES = 64 * 1024;
/** A "line" longer than this without a newline is passed on in pieces rather than held. */
const MAX_PENDING_LINE = 1024 * 1024;

export class OutputCollector {
  private readonly pending: Record<OutputStream, Buffer | undefined> = { stdout: undefined, stderr: undefined };
  private readonly tail: string[] = [];
  private tailLength = 0;

  constructor(
    private readonly redactor: Redactor,
    private readonly emitLines: (stream: OutputStream, lines: string[]) => void,
  ) {}

  /** Accepts a chunk; emits the complete lines it finishes. */
  push(stream: OutputStream, chunk: Buffer): void {
    const last = chunk.lastIndexOf(10);
    const before = this.pending[stream];
    if (last < 0) {
      const joined = before ? Buffer.concat([before, chunk]) : chunk;
      if (joined.length > MAX_PENDING_LINE) {
        this.pending[stream] = undefined;
        this.deliver(stream, joined.toString('utf8'));
      } else {
        this.pending[stream] = joined;
      }
      return;
    }
    const complete = before ? Buffer.concat([before, chunk.subarray(0, last)]) : chunk.subarray(0, last);
    this.pending[stream] = last + 1 < chunk.length ? Buffer.from(chunk.subarray(last + 1)) : undefined;
    this.deliver(stream, complete.toString('utf8'));
  }

  /** Emits what is left of unfinished lines (at the end of an execution). */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.pending[stream];
      this.pending[stream] = undefined;
      if (rest && rest.length > 0) this.deliver(stream, rest.toString('utf8'));
    }
  }

  /** The last 64 KiB of stdout, trimmed, as the step printed it (mask before showing or storing). */
  stdoutTail(): string {
    return this.tail.join('').slice(-STDOUT_TAIL_BYTES).trim();
  }

  private deliver(stream: OutputStream, rawText: string): void {
    if (stream === 'stdout') this.remember(rawText);
    const text = this.redactor.active ? this.redactor.mask(rawText) : rawText;
    this.emitLines(stream, text.split('\n').map(stripCarriageReturn));
  }

  private remember(text: string): void {
    this.tail.push(text, '\n');
    this.tailLength += text.length + 1;
    while (this.tail.length > 2 && this.tailLength - (this.tail[0] as string).length >= STDOUT_TAIL_BYTES) {
      this.tailLength -= (this.tail.shift() as string).length;
    }
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
