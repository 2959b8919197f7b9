/**
 * A remote supervisor (ARCHITECTURE §16): one `ssh` over the host's ControlMaster runs
 * src/targets/remote/supervisor.sh, and steps are frames on its stdin, one at a time. A
 * step's output is the session's own stdout and stderr up to a random marker, then its end
 * report: no new ssh process, channel or login shell per step, and no process of ours
 * between the step and the connection.
 *
 * Closing the session's stdin is the kill switch: the supervisor kills the running step
 * and exits, whether the run ended, the connection dropped or stepwise died. A kill that
 * gets no answer in time (a hung link) ends the whole session the same way.
 */
import { execa, type ResultPromise } from 'execa';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import type { ExecRequest, ExecResult, OutputStream } from './executor.js';
import type { Host } from '../runbook/model.js';
import { killFrame, stepFrame } from './remote/step-frame.js';
import { ProtocolError, StderrReader, StdoutReader, type StepEnd } from './remote/step-streams.js';
import { SUPERVISOR_COMMAND, supervisorUpload } from './remote/supervisor-script.js';
import { parseOutputsFile } from './shell-command.js';
import { sessionArgs, sshArgs } from './ssh-args.js';
import { classifySshStderr, effectiveAddress, transportError } from './ssh-errors.js';
import { stepNotice, supervisorStartError } from './ssh-notices.js';

/** How long a process forked just before a script exited may take to leave (as local steps). */
export interface EndTimings {
  settleMs: number;
}

/** Beyond the grace and settle time: how long a killed step may take to be reported. */
const REPORT_MARGIN_MS = 5000;
const STDERR_TAIL = 4096;

interface RunningStep {
  id: number;
  request: ExecRequest;
  startedAt: number;
  resolve: (result: ExecResult) => void;
  reject: (error: unknown) => void;
  end?: StepEnd;
  stderrDone: boolean;
  killSent: boolean;
  failure?: unknown;
  stderrEndsLine: boolean;
  fallback?: NodeJS.Timeout;
  onAbort: () => void;
}

type SshChild = ResultPromise<{ buffer: false; reject: false; stdin: 'pipe'; stdout: 'pipe'; stderr: 'pipe'; detached: true }>;

/** A live supervisor on one host; runs one step at a time. */
export class SupervisorSession {
  private readonly stdout: StdoutReader;
  private readonly stderr: StderrReader;
  private step: RunningStep | undefined;
  private nextId = 0;
  private stderrTail = '';
  private exited = false;
  /** A daemon holds the session's output: no step may run here any more. */
  private retired = false;
  private readyWaiter: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  private readonly ended: Promise<void>;

  private constructor(
    private readonly host: Host,
    private readonly socket: string,
    private readonly child: SshChild,
    private readonly timings: EndTimings,
  ) {
    this.stdout = new StdoutReader({
      ready: () => {
        this.readyWaiter?.resolve();
        this.readyWaiter = undefined;
      },
      output: (chunk) => this.forward('stdout', chunk),
      end: (end) => {
        if (this.step) this.step.end = end;
        this.settle();
      },
    });
    this.stderr = new StderrReader((chunk) => this.forward('stderr', chunk), () => {
      if (this.step) this.step.stderrDone = true;
      this.settle();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      try {
        this.stdout.push(chunk);
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        this.stderrTail += `\nstepwise: ${error.message}`;
        this.terminate();
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
      this.stderr.push(chunk);
    });
    // ssh may exit before reading what we wrote (a dead master); that is reported on exit.
    child.stdin.on('error', () => undefined);
    // The mux client hands its pipes to the master, which keeps them while the remote side
    // lives: after the client has exited, what is still in them is read for a moment, then
    // they are let go (a remote login that never ends must not hold the run).
    child.once('exit', () => {
      const release = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, 1000);
      release.unref();
    });
    this.ended = child.then(() => this.onExit(), () => this.onExit());
  }

  /**
   * Starts the supervisor on `host` through the master at `socket`; rejects with TransportError.
   * `started` is told the session before it is ready, so that whoever closes the run can end
   * a start that never completes (a login that waits for input).
   */
  static async open(host: Host, socket: string, timings: EndTimings, started?: (session: SupervisorSession) => void): Promise<SupervisorSession> {
    const child = execa('ssh', sessionArgs(host, socket, SUPERVISOR_COMMAND), {
      buffer: false, reject: false, stdin: 'pipe', stdout: 'pipe', stderr: 'pipe',
      // Own process group: a terminal Ctrl-C must reach the engine (which aborts, then
      // compensates over SSH), not kill ssh behind its back.
      detached: true,
    });
    const session = new SupervisorSession(host, socket, child, timings);
    const ready = new Promise<void>((resolve, reject) => (session.readyWaiter = { resolve, reject }));
    started?.(session);
    child.stdin.write(supervisorUpload());
    await ready;
    return session;
  }

  /** Whether a step may run here now: connected, idle, and not given up for a daemon. */
  get idle(): boolean {
    return !this.exited && !this.retired && this.step === undefined;
  }

  /** Runs one step (the session must be idle); rejects with TransportError when the connection is lost under it. */
  run(request: ExecRequest, startedAt: number): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
      if (!this.idle) {
        reject(new Error('stepwise bug: a step was given to a busy or closed supervisor session'));
        return;
      }
      const id = ++this.nextId;
      const step: RunningStep = {
        id, request, startedAt, resolve, reject,
        stderrDone: false, killSent: false, stderrEndsLine: true, onAbort: () => this.abort(),
      };
      this.step = step;
      const marker = `::stepwise-${randomBytes(16).toString('hex')}::`;
      this.stdout.begin(marker);
      this.stderr.begin(marker);
      this.write(stepFrame({
        id, marker, script: request.script, shell: request.shell, env: request.env,
        ...(request.cwd !== undefined ? { cwd: request.cwd } : {}), host: this.host.name,
        killGraceMs: request.killGraceMs, ...this.timings,
      }));
      if (request.signal.aborted) this.abort();
      else request.signal.addEventListener('abort', step.onAbort, { once: true });
    });
  }

  /** Ends the supervisor (it kills what still runs) and waits for ssh to exit. */
  async close(): Promise<void> {
    this.child.stdin.end();
    // A daemon that holds the session's output keeps the channel open: no need to wait for it.
    const timer = setTimeout(() => this.terminate(), this.retired ? 1000 : 10_000);
    await this.ended;
    clearTimeout(timer);
  }

  private write(frame: Buffer): void {
    if (!this.exited) this.child.stdin.write(frame);
  }

  /** Asks the supervisor to kill the running step; if no answer comes in time, the whole session goes. */
  private abort(): void {
    const step = this.step;
    if (!step || step.killSent) return;
    step.killSent = true;
    this.write(killFrame(step.id));
    step.fallback = setTimeout(() => this.terminate(), step.request.killGraceMs + this.timings.settleMs + REPORT_MARGIN_MS);
  }

  /** Cuts the session: the supervisor sees its stdin close and kills everything it started. */
  private terminate(): void {
    this.child.stdin.destroy();
    this.child.kill('SIGKILL');
  }

  private forward(stream: OutputStream, chunk: Buffer): void {
    const step = this.step;
    if (!step || step.failure !== undefined) return;
    try {
      step.request.onOutput(stream, chunk);
      if (stream === 'stderr') step.stderrEndsLine = chunk[chunk.length - 1] === 0x0a;
    } catch (error) {
      // The caller cannot take the output: the step is ended and exec rejects with that error.
      step.failure = error;
      this.abort();
    }
  }

  private notice(text: string): void {
    const step = this.step;
    if (step) this.forward('stderr', Buffer.from(`${step.stderrEndsLine ? '' : '\n'}stepwise: ${text}\n`));
  }

  /** The step is over once its end report and the end of its stderr are both in. */
  private settle(): void {
    const step = this.step;
    if (!step || !step.end || !step.stderrDone) return;
    const end = step.end;
    if (end.cut) this.retired = true;
    const durationMs = performance.now() - step.startedAt;
    const finish = (settle: () => void) => {
      step.request.signal.removeEventListener('abort', step.onAbort);
      if (step.fallback !== undefined) clearTimeout(step.fallback);
      this.step = undefined;
      settle();
    };
    if (end.why !== '') {
      this.notice(end.why);
      finish(() => step.resolve({ exitCode: null, signal: null, outputs: {}, durationMs, startError: end.why }));
      return;
    }
    if (end.leftovers > 0) this.notice(stepNotice('leftovers', end.leftovers));
    if (end.cut) this.notice(stepNotice('cut', end.leftovers));
    if (step.failure !== undefined) {
      finish(() => step.reject(step.failure));
      return;
    }
    const outputs = parseOutputsFile(end.outputs.toString('utf8'));
    const cut = end.cut ? { outputCut: true } : {};
    const result: ExecResult = end.killed
      ? { exitCode: null, signal: signalName(end.status - 128) ?? 'SIGTERM', outputs, durationMs, ...cut }
      : { exitCode: end.status, signal: null, outputs, durationMs, ...cut };
    finish(() => step.resolve(result));
  }

  private async onExit(): Promise<void> {
    this.exited = true;
    if (this.readyWaiter) {
      const waiter = this.readyWaiter;
      this.readyWaiter = undefined;
      waiter.reject(await this.startError());
    }
    const step = this.step;
    if (!step) return;
    this.step = undefined;
    step.request.signal.removeEventListener('abort', step.onAbort);
    if (step.fallback !== undefined) clearTimeout(step.fallback);
    const durationMs = performance.now() - step.startedAt;
    if (step.failure !== undefined) step.reject(step.failure);
    // Killed as asked: the supervisor took the step down with it when its stdin closed.
    else if (step.killSent) step.resolve({ exitCode: null, signal: 'SIGKILL', outputs: {}, durationMs });
    else step.reject(await this.lostError());
  }

  private async address(): Promise<string> {
    return effectiveAddress(this.host, sshArgs(this.host, this.socket));
  }

  private async startError(): Promise<Error> {
    const stderr = this.stderrTail.trim();
    const reason = classifySshStderr(stderr);
    const address = await this.address();
    if (reason !== 'other') return transportError(this.host, address, stderr, reason);
    return supervisorStartError(this.host, address, stderr, this.stdout.preamble);
  }

  private async lostError(): Promise<Error> {
    const stderr = this.stderrTail.trim();
    const reason = classifySshStderr(stderr);
    return transportError(this.host, await this.address(), stderr || 'the connection closed', reason === 'other' ? 'connection-lost' : reason);
  }
}

function signalName(num: number): NodeJS.Signals | undefined {
  const entry = Object.entries(constants.signals).find(([, n]) => n === num);
  return entry?.[0] as NodeJS.Signals | undefined;
}
