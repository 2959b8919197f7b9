/**
 * Splits the remote stderr into the step's own bytes and the wrapper's trailer
 * (`MARKER rc killed n\n` + n bytes of the outputs file), in bounded memory: only a
 * possible partial marker at a chunk's end, the header line and the capped outputs are held.
 */
import { parseOutputsFile } from './shell-command.js';

/** What the remote wrapper reported after the step ended. */
export interface Trailer {
  /** Exit status as the remote shell's `wait` saw it (128+N when killed by signal N). */
  status: number;
  /** True when the wrapper killed the step because stdin reached EOF (abort or lost link). */
  killed: boolean;
  /** Raw contents of `$STEPWISE_OUTPUT` (capped). */
  outputs: Buffer;
}

const MAX_HEADER = 128;

/** Feeds stderr chunks through, passing everything that is not the trailer to `passThrough`. */
export class TrailerReader {
  private readonly marker: Buffer;
  private state: 'stream' | 'header' | 'outputs' | 'done' | 'broken' = 'stream';
  private held: Buffer = Buffer.alloc(0);
  private header = '';
  private status = 0;
  private killed = false;
  private remaining = 0;
  private readonly outputs: Buffer[] = [];

  constructor(marker: string, private readonly passThrough: (chunk: Buffer) => void) {
    this.marker = Buffer.from(marker, 'ascii');
  }

  /** Consumes one chunk of stderr. */
  push(chunk: Buffer): void {
    let rest: Buffer = chunk;
    while (rest.length > 0) rest = this.step(rest);
  }

  /** Releases bytes held back as a possible marker start; call once stderr has ended. */
  end(): void {
    if (this.held.length > 0) this.passThrough(this.held);
    this.held = Buffer.alloc(0);
  }

  /** The trailer when it arrived complete; undefined means the wrapper never finished. */
  trailer(): Trailer | undefined {
    if (this.state !== 'done') return undefined;
    return { status: this.status, killed: this.killed, outputs: Buffer.concat(this.outputs) };
  }

  /** Handles the start of `data` in the current state; returns what is left. */
  private step(data: Buffer): Buffer {
    switch (this.state) {
      case 'stream':
        return this.scanForMarker(data);
      case 'header':
        return this.readHeader(data);
      case 'outputs':
        return this.readOutputs(data);
      case 'done':
      case 'broken':
        // Late writes of a step's leftover background process: still the step's stderr.
        this.passThrough(data);
        return Buffer.alloc(0);
    }
  }

  private scanForMarker(data: Buffer): Buffer {
    const buf = this.held.length > 0 ? Buffer.concat([this.held, data]) : data;
    this.held = Buffer.alloc(0);
    const at = buf.indexOf(this.marker);
    if (at >= 0) {
      if (at > 0) this.passThrough(buf.subarray(0, at));
      this.state = 'header';
      return buf.subarray(at + this.marker.length);
    }
    const keep = partialMarkerSuffix(buf, this.marker);
    if (buf.length > keep) this.passThrough(buf.subarray(0, buf.length - keep));
    this.held = Buffer.from(buf.subarray(buf.length - keep));
    return Buffer.alloc(0);
  }

  private readHeader(data: Buffer): Buffer {
    const nl = data.indexOf(0x0a);
    this.header += data.subarray(0, nl < 0 ? data.length : nl).toString('ascii');
    if (this.header.length > MAX_HEADER) return this.broken(data, nl);
    if (nl < 0) return Buffer.alloc(0);
    const [status, killed, count] = this.header.trim().split(' ').map(Number);
    if (status === undefined || killed === undefined || count === undefined || [status, killed, count].some(Number.isNaN)) {
      return this.broken(data, nl);
    }
    this.status = status;
    this.killed = killed === 1;
    this.remaining = count;
    this.state = count > 0 ? 'outputs' : 'done';
    return data.subarray(nl + 1);
  }

  /** A garbled header cannot be trusted: show it as stderr and report no trailer. */
  private broken(data: Buffer, nl: number): Buffer {
    this.state = 'broken';
    this.passThrough(Buffer.concat([this.marker, Buffer.from(this.header, 'ascii')]));
    return data.subarray(nl < 0 ? data.length : nl);
  }

  private readOutputs(data: Buffer): Buffer {
    const take = data.subarray(0, this.remaining);
    this.outputs.push(Buffer.from(take));
    this.remaining -= take.length;
    if (this.remaining === 0) this.state = 'done';
    return data.subarray(take.length);
  }
}

/** Length of the longest suffix of `buf` that is a proper prefix of `marker` (usually 0). */
function partialMarkerSuffix(buf: Buffer, marker: Buffer): number {
  const max = Math.min(buf.length, marker.length - 1);
  for (let len = max; len > 0; len--) {
    if (buf.subarray(buf.length - len).equals(marker.subarray(0, len))) return len;
  }
  return 0;
}

/** Parses the outputs file sent back in the trailer (the same rules as a local step's). */
export function parseOutputs(raw: Buffer): Record<string, string> {
  return parseOutputsFile(raw.toString('utf8'));
}
