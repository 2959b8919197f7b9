/**
 * Reads what a supervisor writes to stdout (protocol in supervisor.sh) into events, in
 * bounded memory: output chunks are passed on as they arrive, never gathered; only a frame
 * header, a start error and a capped outputs file are held. Before the ready line, whatever
 * the login shell printed (a chatty ~/.bashrc) is kept, as a tail, for error messages.
 */
import type { OutputStream } from '../executor.js';
import { READY_LINE } from './supervisor-script.js';
import { MAX_OUTPUTS_BYTES } from './step-frame.js';

/** What the supervisor said. */
export type SupervisorEvent =
  | { type: 'ready'; pid: number }
  | { type: 'output'; id: number; stream: OutputStream; chunk: Buffer }
  | { type: 'start-error'; id: number; text: string }
  | { type: 'end'; id: number; status: number; killed: boolean; cut: boolean; leftovers: number; outputs: Buffer };

/** The stream broke the protocol: nothing after it can be trusted. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

const MAX_HEADER = 128;
const MAX_CHATTER = 4096;
/** A login shell that prints more than this before the ready line is not starting the supervisor. */
const MAX_PREAMBLE = 1024 * 1024;
const NEWLINE = 0x0a;

type Body =
  | { kind: 'output'; id: number; stream: OutputStream; left: number }
  | { kind: 'start-error'; id: number; left: number; parts: Buffer[] }
  | { kind: 'end'; id: number; fields: number[]; left: number; parts: Buffer[] };

export class FrameReader {
  private ready = false;
  private line = '';
  private preambleBytes = 0;
  private chatter = '';
  private body: Body | undefined;

  constructor(private readonly onEvent: (event: SupervisorEvent) => void) {}

  /** What the login shell printed before the supervisor started (its tail). */
  get preamble(): string {
    return this.chatter;
  }

  /** Consumes one chunk of the supervisor's stdout; throws ProtocolError on garbage. */
  push(chunk: Buffer): void {
    let rest = chunk;
    while (rest.length > 0) rest = this.body ? this.readBody(rest, this.body) : this.readLine(rest);
  }

  private readLine(data: Buffer): Buffer {
    const nl = data.indexOf(NEWLINE);
    const part = data.subarray(0, nl < 0 ? data.length : nl).toString('latin1');
    this.line += part;
    if (!this.ready) {
      this.preambleBytes += part.length + (nl < 0 ? 0 : 1);
      if (this.preambleBytes > MAX_PREAMBLE) throw new ProtocolError('the remote login printed over 1 MiB without starting the supervisor');
    } else if (this.line.length > MAX_HEADER) {
      throw new ProtocolError(`frame header too long: ${JSON.stringify(this.line.slice(0, 40))}…`);
    }
    if (nl < 0) return Buffer.alloc(0);
    const line = this.line;
    this.line = '';
    if (this.ready) this.header(line);
    else this.preambleLine(line);
    return data.subarray(nl + 1);
  }

  private preambleLine(line: string): void {
    const match = READY_LINE.exec(line);
    if (match) {
      this.ready = true;
      this.onEvent({ type: 'ready', pid: Number(match[1]) });
      return;
    }
    this.chatter = `${this.chatter}${line}\n`.slice(-MAX_CHATTER);
  }

  private header(line: string): void {
    const [kind, ...rest] = line.split(' ');
    const fields = rest.map((f) => (/^\d{1,15}$/.test(f) ? Number(f) : NaN));
    const bad = () => new ProtocolError(`unexpected frame header ${JSON.stringify(line)}`);
    if (fields.some(Number.isNaN)) throw bad();
    const [id = NaN, n = NaN] = fields;
    switch (kind) {
      case 'o':
      case 'e':
        if (fields.length !== 2) throw bad();
        this.body = { kind: 'output', id, stream: kind === 'o' ? 'stdout' : 'stderr', left: n };
        break;
      case 'w':
        if (fields.length !== 2 || n > MAX_HEADER * 1024) throw bad();
        this.body = { kind: 'start-error', id, left: n, parts: [] };
        break;
      case 'x': {
        const size = fields[5];
        if (fields.length !== 6 || size === undefined || size > MAX_OUTPUTS_BYTES) throw bad();
        this.body = { kind: 'end', id, fields, left: size, parts: [] };
        break;
      }
      default:
        throw bad();
    }
    if (this.body.left === 0) this.finish(this.body);
  }

  private readBody(data: Buffer, body: Body): Buffer {
    const take = data.subarray(0, body.left);
    body.left -= take.length;
    if (body.kind === 'output') {
      if (take.length > 0) this.onEvent({ type: 'output', id: body.id, stream: body.stream, chunk: take });
    } else {
      body.parts.push(take);
    }
    if (body.left === 0) this.finish(body);
    return data.subarray(take.length);
  }

  private finish(body: Body): void {
    this.body = undefined;
    if (body.kind === 'start-error') {
      this.onEvent({ type: 'start-error', id: body.id, text: Buffer.concat(body.parts).toString('utf8') });
    } else if (body.kind === 'end') {
      const [id, status = 0, killed, cut, leftovers = 0] = body.fields;
      this.onEvent({ type: 'end', id: id ?? body.id, status, killed: killed === 1, cut: cut === 1, leftovers, outputs: Buffer.concat(body.parts) });
    }
  }
}
