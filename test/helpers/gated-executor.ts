/**
 * An executor for engine unit tests whose calls stay open until the test ends them: it shows
 * how many run at once and in what order they start, without a single sleep.
 */
import type { ExecRequest, ExecResult, Executor } from '../../src/targets/executor.js';

interface OpenCall {
  request: ExecRequest;
  end: (result: ExecResult) => void;
}

export class GatedExecutor implements Executor {
  readonly calls: ExecRequest[] = [];
  /** Most held calls open at the same time. */
  maxInFlight = 0;
  private readonly open: OpenCall[] = [];
  private readonly waiters: Array<{ count: number; resolve: () => void }> = [];

  /** `held` decides which calls wait for the test; the others end at once with exit 0. */
  constructor(private readonly held: (request: ExecRequest) => boolean = () => true) {}

  exec(request: ExecRequest): Promise<ExecResult> {
    this.calls.push(request);
    const done = (exitCode: number | null, signal: NodeJS.Signals | null = null): ExecResult => ({ exitCode, signal, outputs: {}, durationMs: 1 });
    const result = this.held(request)
      ? new Promise<ExecResult>((resolve) => {
          const call: OpenCall = { request, end: resolve };
          this.open.push(call);
          this.maxInFlight = Math.max(this.maxInFlight, this.open.length);
          const abort = () => this.finish(call, done(null, 'SIGTERM'));
          if (request.signal.aborted) abort();
          else request.signal.addEventListener('abort', abort, { once: true });
        })
      : Promise.resolve(done(0));
    for (const waiter of this.waiters.filter((w) => this.calls.length >= w.count)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    return result;
  }

  /** Resolves once `count` calls have been made (held or not). */
  callsReach(count: number): Promise<void> {
    if (this.calls.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  /** Target names of the held calls still open, in start order. */
  get running(): string[] {
    return this.open.map((c) => c.request.target.name);
  }

  /** Names of the targets called, in call order, for calls whose script is `script`. */
  targetsOf(script: string): string[] {
    return this.calls.filter((c) => c.script === script).map((c) => c.target.name);
  }

  /** Ends the open held call on `target` with `exitCode`. */
  release(target: string, exitCode = 0): void {
    const call = this.open.find((c) => c.request.target.name === target);
    if (!call) throw new Error(`no open call on ${target}; open: ${this.running.join(', ') || 'none'}`);
    this.finish(call, { exitCode, signal: null, outputs: {}, durationMs: 1 });
  }

  private finish(call: OpenCall, result: ExecResult): void {
    const index = this.open.indexOf(call);
    if (index < 0) return;
    this.open.splice(index, 1);
    call.end(result);
  }
}
