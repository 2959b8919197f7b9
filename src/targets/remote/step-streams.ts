/**
 * Reads a supervisor session's stdout and stderr (protocol in supervisor.sh). A step's
 * output is the raw bytes of the streams up to its random marker; what follows the marker
 * on stdout is the step's end report. Memory stays bounded: output is passed on as it
 * arrives, holding back only what could be the start of the marker; only the report's
 * header, start error and capped outputs file are gathered.
 */
import { READY_LINE } from './supervisor-script.js';
import { MAX_OUTPUTS_BYTES } from './step-frame.js';

/** How a step ended, as the supervisor reported it. */
export interface StepEnd {
  status: number;
  killed: boolean;
  /** A process outside the step still holds the session's output: the session is done for. */
  cut: boolean;
  leftovers: number;
  /** Why the step could not start (empty when it did). */
  why: string;
  outputs: Buffer;
}

/** The stream broke the protocol: nothing after it can be trusted. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

const NEWLINE = 0x0a;
const MAX_HEADER = 128;
const MAX_CHATTER = 4096;
/** A login shell that prints more than this before the ready line is not starting the supervisor. */
const MAX_PREAMBLE = 1024 * 1024;

/** Passes bytes on until `marker`, holding back only a possible partial marker at a chunk's end. */
export class MarkerSplitter {
  private held = Buffer.alloc(0);

  constructor(private readonly marker: Buffer, private readonly pass: (chunk: Buffer) => void) {}

  /** Feeds `data`; returns what follows the marker once it is found, else undefined. */
  push(data: Buffer): Buffer | undefined {
    const buf = this.held.length > 0 ? Buffer.concat([this.held, data]) : data;
    this.held = Buffer.alloc(0);
    const at = buf.indexOf(this.marker);
    if (at >= 0) {
      if (at > 0) this.pass(buf.subarray(0, at));
      return buf.subarray(at + this.marker.length);
    }
    const keep = partialSuffix(buf, this.marker);
    if (buf.length > keep) this.pass(buf.subarray(0, buf.length - keep));
    this.held = Buffer.from(buf.subarray(buf.length - keep));
    return undefined;
  }
}

/** Length of the longest suffix of `buf` that is a proper prefix of `marker` (usually 0). */
function partialSuffix(buf: Buffer, marker: Buffer): number {
  for (let len = Math.min(buf.length, marker.length - 1); len > 0; len--) {
    if (buf.subarray(buf.length - len).equals(marker.subarray(0, len))) return len;
  }
  return 0;
}

/** What the session's stdout says. */
export interface StdoutListener {
  ready(pid: number): void;
  output(chunk: Buffer): void;
  end(end: StepEnd): void;
}

type StdoutState =
  | { kind: 'preamble'; line: string; bytes: number }
  | { kind: 'idle' }
  | { kind: 'output'; splitter: MarkerSplitter }
  | { kind: 'header'; line: string }
  | { kind: 'body'; fields: number[]; left: number; parts: Buffer[] };

/** The session's stdout: the ready line, then per step its output and its end report. */
export class StdoutReader {
  private state: StdoutState = { kind: 'preamble', line: '', bytes: 0 };
  private chatter = '';

  constructor(private readonly listener: StdoutListener) {}

  /** What the login shell printed before the supervisor started (its tail). */
  get preamble(): string {
    return this.chatter;
  }

  /** A step starts: what arrives now is its output, up to `marker`. */
  begin(marker: string): void {
    if (this.state.kind !== 'idle') throw new ProtocolError(`a step began while the session was ${this.state.kind}`);
    this.state = { kind: 'output', splitter: new MarkerSplitter(Buffer.from(marker, 'latin1'), (c) => this.listener.output(c)) };
  }

  /** Consumes one chunk; throws ProtocolError on garbage. */
  push(chunk: Buffer): void {
    let rest: Buffer | undefined = chunk;
    while (rest !== undefined && rest.length > 0) rest = this.step(rest);
  }

  private step(data: Buffer): Buffer | undefined {
    const state = this.state;
    switch (state.kind) {
      case 'preamble':
        return this.preambleLine(state, data);
      case 'idle':
        // After a cut, a daemon's writes: nobody's output any more.
        return undefined;
      case 'output': {
        const rest = state.splitter.push(data);
        if (rest !== undefined) this.state = { kind: 'header', line: '' };
        return rest;
      }
      case 'header':
        return this.header(state, data);
      case 'body':
        return this.body(state, data);
    }
  }

  private preambleLine(state: Extract<StdoutState, { kind: 'preamble' }>, data: Buffer): Buffer {
    const nl = data.indexOf(NEWLINE);
    const part = data.subarray(0, nl < 0 ? data.length : nl);
    state.line += part.toString('latin1');
    state.bytes += part.length + 1;
    if (state.bytes > MAX_PREAMBLE) throw new ProtocolError('the remote login printed over 1 MiB without starting the supervisor');
    if (nl < 0) return Buffer.alloc(0);
    const match = READY_LINE.exec(state.line);
    if (match) {
      this.state = { kind: 'idle' };
      this.listener.ready(Number(match[1]));
    } else {
      this.chatter = `${this.chatter}${state.line}\n`.slice(-MAX_CHATTER);
      state.line = '';
    }
    return data.subarray(nl + 1);
  }

  private header(state: Extract<StdoutState, { kind: 'header' }>, data: Buffer): Buffer {
    const nl = data.indexOf(NEWLINE);
    state.line += data.subarray(0, nl < 0 ? data.length : nl).toString('latin1');
    if (state.line.length > MAX_HEADER) throw new ProtocolError('step report header too long');
    if (nl < 0) return Buffer.alloc(0);
    // ` x <status> <killed> <cut> <left> <why bytes> <outputs bytes>`
    const match = /^ x (\d{1,3}) ([01]) ([01]) (\d{1,9}) (\d{1,9}) (\d{1,9})$/.exec(state.line);
    if (!match) throw new ProtocolError(`unexpected step report ${JSON.stringify(state.line)}`);
    const fields = match.slice(1).map(Number);
    const [, , , , why = 0, outputs = 0] = fields;
    if (why > MAX_HEADER * 1024 || outputs > MAX_OUTPUTS_BYTES) throw new ProtocolError(`step report too large ${JSON.stringify(state.line)}`);
    this.state = { kind: 'body', fields, left: why + outputs, parts: [] };
    if (why + outputs === 0) this.finish(this.state);
    return data.subarray(nl + 1);
  }

  private body(state: Extract<StdoutState, { kind: 'body' }>, data: Buffer): Buffer {
    const take = data.subarray(0, state.left);
    state.parts.push(take);
    state.left -= take.length;
    if (state.left === 0) this.finish(state);
    return data.subarray(take.length);
  }

  private finish(state: Extract<StdoutState, { kind: 'body' }>): void {
    this.state = { kind: 'idle' };
    const [status = 0, killed, cut, leftovers = 0, why = 0] = state.fields;
    const all = Buffer.concat(state.parts);
    this.listener.end({
      status, killed: killed === 1, cut: cut === 1, leftovers,
      why: all.subarray(0, why).toString('utf8'), outputs: all.subarray(why),
    });
  }
}

/** The session's stderr: per step its stderr up to `<marker> e\n`; the rest is kept as diagnostics. */
export class StderrReader {
  private splitter: MarkerSplitter | undefined;
  private tail = '';

  constructor(private readonly output: (chunk: Buffer) => void, private readonly end: () => void) {}

  /** The last words the session said outside any step (ssh's, the login shell's). */
  get diagnostics(): string {
    return this.tail;
  }

  /** A step starts: what arrives now is its stderr, up to its marker. */
  begin(marker: string): void {
    this.splitter = new MarkerSplitter(Buffer.from(`${marker} e\n`, 'latin1'), this.output);
  }

  /** Consumes one chunk. */
  push(chunk: Buffer): void {
    if (this.splitter === undefined) {
      this.keep(chunk);
      return;
    }
    const rest = this.splitter.push(chunk);
    if (rest === undefined) return;
    this.splitter = undefined;
    this.end();
    if (rest.length > 0) this.keep(rest);
  }

  private keep(chunk: Buffer): void {
    this.tail = (this.tail + chunk.toString('utf8')).slice(-MAX_CHATTER);
  }
}
