/**
 * One remote supervisor per host per run (ARCHITECTURE §16): a single `ssh` over the
 * host's ControlMaster runs src/targets/remote/supervisor.sh, and every step on that host
 * is a frame on its stdin; output, start errors and results come back framed on its stdout.
 * A step costs no new ssh process, channel or login shell.
 *
 * Closing the session's stdin is the kill switch: the supervisor kills every step it runs
 * and exits, whether the run ended, the connection dropped or stepwise died. A step whose
 * kill gets no answer in time (a hung link) ends the whole session the same way.
 */
import { execa, type ResultPromise } from 'execa';
import { constants } from 'node:os';
import type { ExecRequest, ExecResult, OutputStream } from './executor.js';
import type { Host } from '../runbook/model.js';
import { FrameReader, ProtocolError, type SupervisorEvent } from './remote/frame-reader.js';
import { killFrame, stepFrame } from './remote/step-frame.js';
import { SUPERVISOR_COMMAND, supervisorUpload } from './remote/supervisor-script.js';
import { parseOutputsFile } from './shell-command.js';
import { SlotPool } from './remote/slot-pool.js';
import { sessionArgs, sshArgs } from './ssh-args.js';
import { classifySshStderr, effectiveAddress, transportError } from './ssh-errors.js';
import { stepNotice, supervisorStartError } from './ssh-notices.js';

/** How long a finished step's leftovers may take to leave, and its output to drain (as local steps). */
export interface EndTimings {
  settleMs: number;
  drainMs: number;
}

/** Beyond the grace, settle and drain: how long a killed step may take to be reported. */
const REPORT_MARGIN_MS = 5000;
const STDERR_TAIL = 4096;

interface RunningStep {
  request: ExecRequest;
  slot: number;
  startedAt: number;
  resolve: (result: ExecResult) => void;
  reject: (error: unknown) => void;
  killSent: boolean;
  aborted: boolean;
  failure?: unknown;
  startError?: string;
  stderrEndsLine: boolean;
  fallback?: NodeJS.Timeout;
  onAbort: () => void;
}

/** A live supervisor on one host. */
export class SupervisorSession {
  private readonly reader: FrameReader;
  private readonly steps = new Map<number, RunningStep>();
  private readonly slots = new SlotPool();
  private nextId = 0;
  private stderrTail = '';
  private exited = false;
  private readyWaiter: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  private readonly ended: Promise<void>;

  private constructor(
    private readonly host: Host,
    private readonly socket: string,
    private readonly child: ResultPromise<{ buffer: false; reject: false; stdin: 'pipe'; stdout: 'pipe'; stderr: 'pipe'; detached: true }>,
    private readonly timings: EndTimings,
  ) {
    this.reader = new FrameReader((event) => this.onEvent(event));
    child.stdout.on('data', (chunk: Buffer) => {
      try {
        this.reader.push(chunk);
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        this.stderrTail += `\nstepwise: ${error.message}`;
        this.terminate();
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    // ssh may exit before reading what we wrote (a dead master); that is reported on exit.
    child.stdin.on('error', () => undefined);
    this.ended = child.then(() => this.onExit(), () => this.onExit());
  }

  /** Starts the supervisor on `host` through the master at `socket`; rejects with TransportError. */
  static async open(host: Host, socket: string, timings: EndTimings): Promise<SupervisorSession> {
    const child = execa('ssh', sessionArgs(host, socket, SUPERVISOR_COMMAND), {
      buffer: false, reject: false, stdin: 'pipe', stdout: 'pipe', stderr: 'pipe',
      // Own process group: a terminal Ctrl-C must reach the engine (which aborts, then
      // compensates over SSH), not kill ssh behind its back.
      detached: true,
    });
    const session = new SupervisorSession(host, socket, child, timings);
    const ready = new Promise<void>((resolve, reject) => (session.readyWaiter = { resolve, reject }));
    child.stdin.write(supervisorUpload());
    await ready;
    return session;
  }

  /** False once the ssh process is gone: the next step opens a new session. */
  get usable(): boolean {
    return !this.exited;
  }

  /** Runs one step; rejects with TransportError when the connection is lost under it. */
  run(request: ExecRequest, startedAt: number): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
      if (this.exited) {
        reject(this.lostError());
        return;
      }
      const id = ++this.nextId;
      const step: RunningStep = {
        request, slot: this.slots.take(), startedAt, resolve, reject,
        killSent: false, aborted: false, stderrEndsLine: true, onAbort: () => this.abort(id),
      };
      this.steps.set(id, step);
      this.write(stepFrame({
        id, slot: step.slot, script: request.script, shell: request.shell, env: request.env,
        ...(request.cwd !== undefined ? { cwd: request.cwd } : {}), host: this.host.name,
        killGraceMs: request.killGraceMs, ...this.timings,
      }));
      if (request.signal.aborted) this.abort(id);
      else request.signal.addEventListener('abort', step.onAbort, { once: true });
    });
  }

  /** Ends the supervisor (it kills what still runs) and waits for ssh to exit. */
  async close(): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.terminate(), 10_000);
    await this.ended;
    clearTimeout(timer);
  }

  private write(frame: Buffer): void {
    if (!this.exited) this.child.stdin.write(frame);
  }

  /** Asks the supervisor to kill step `id`; if no answer comes in time, the whole session goes. */
  private abort(id: number): void {
    const step = this.steps.get(id);
    if (!step || step.killSent) return;
    step.aborted = true;
    step.killSent = true;
    this.write(killFrame(id, step.slot));
    const { killGraceMs } = step.request;
    step.fallback = setTimeout(() => this.terminate(), killGraceMs + this.timings.settleMs + this.timings.drainMs + REPORT_MARGIN_MS);
  }

  /** Cuts the session: the supervisor sees its stdin close and kills everything it started. */
  private terminate(): void {
    this.child.stdin.destroy();
    this.child.kill('SIGKILL');
  }

  private onEvent(event: SupervisorEvent): void {
    if (event.type === 'ready') {
      this.readyWaiter?.resolve();
      this.readyWaiter = undefined;
      return;
    }
    const step = this.steps.get(event.id);
    // A retired slot's framer may still pass on output of a step that already ended.
    if (!step) return;
    if (event.type === 'output') this.forward(event.id, step, event.stream, event.chunk);
    else if (event.type === 'start-error') step.startError = event.text;
    else this.finish(event.id, step, event);
  }

  private forward(id: number, step: RunningStep, stream: OutputStream, chunk: Buffer): void {
    if (step.failure !== undefined) return;
    try {
      step.request.onOutput(stream, chunk);
      if (stream === 'stderr') step.stderrEndsLine = chunk[chunk.length - 1] === 0x0a;
    } catch (error) {
      // The caller cannot take the output: the step is ended and exec rejects with that error.
      step.failure = error;
      this.abort(id);
    }
  }

  private notice(step: RunningStep, text: string): void {
    this.forward(-1, step, 'stderr', Buffer.from(`${step.stderrEndsLine ? '' : '\n'}stepwise: ${text}\n`));
  }

  private finish(id: number, step: RunningStep, end: Extract<SupervisorEvent, { type: 'end' }>): void {
    this.steps.delete(id);
    step.request.signal.removeEventListener('abort', step.onAbort);
    if (step.fallback !== undefined) clearTimeout(step.fallback);
    // A slot whose fifo a daemon still holds is never used again in this session.
    if (end.cut) this.slots.retire(step.slot);
    else this.slots.free(step.slot);
    const durationMs = performance.now() - step.startedAt;
    const outputs = parseOutputsFile(end.outputs.toString('utf8'));
    if (step.startError !== undefined) {
      this.notice(step, step.startError);
      step.resolve({ exitCode: null, signal: null, outputs: {}, durationMs, startError: step.startError });
      return;
    }
    if (end.leftovers > 0) this.notice(step, stepNotice('leftovers', end.leftovers, this.timings));
    if (end.cut) this.notice(step, stepNotice('cut', 0, this.timings));
    if (step.failure !== undefined) {
      step.reject(step.failure);
      return;
    }
    const cut = end.cut ? { outputCut: true } : {};
    if (end.killed) {
      step.resolve({ exitCode: null, signal: signalName(end.status - 128) ?? 'SIGTERM', outputs, durationMs, ...cut });
    } else {
      step.resolve({ exitCode: end.status, signal: null, outputs, durationMs, ...cut });
    }
  }

  private async onExit(): Promise<void> {
    this.exited = true;
    if (this.readyWaiter) {
      const waiter = this.readyWaiter;
      this.readyWaiter = undefined;
      waiter.reject(await this.startError());
    }
    if (this.steps.size === 0) return;
    const lost = await this.lostErrorWithAddress();
    for (const [id, step] of this.steps) {
      this.steps.delete(id);
      step.request.signal.removeEventListener('abort', step.onAbort);
      if (step.fallback !== undefined) clearTimeout(step.fallback);
      const durationMs = performance.now() - step.startedAt;
      if (step.failure !== undefined) step.reject(step.failure);
      // Killed as asked: the supervisor took its steps down with it when its stdin closed.
      else if (step.aborted) step.resolve({ exitCode: null, signal: 'SIGKILL', outputs: {}, durationMs });
      else step.reject(lost);
    }
  }

  private async address(): Promise<string> {
    return effectiveAddress(this.host, sshArgs(this.host, this.socket));
  }

  private async startError(): Promise<Error> {
    const stderr = this.stderrTail.trim();
    const reason = classifySshStderr(stderr);
    const address = await this.address();
    if (reason !== 'other') return transportError(this.host, address, stderr, reason);
    return supervisorStartError(this.host, address, stderr, this.reader.preamble);
  }

  private lostError(): Error {
    return transportError(this.host, `${this.host.host}:${this.host.port ?? 22}`, this.stderrTail.trim() || 'the connection closed', 'connection-lost');
  }

  private async lostErrorWithAddress(): Promise<Error> {
    const stderr = this.stderrTail.trim();
    const reason = classifySshStderr(stderr);
    return transportError(this.host, await this.address(), stderr || 'the connection closed', reason === 'other' ? 'connection-lost' : reason);
  }
}

function signalName(num: number): NodeJS.Signals | undefined {
  const entry = Object.entries(constants.signals).find(([, n]) => n === num);
  return entry?.[0] as NodeJS.Signals | undefined;
}
