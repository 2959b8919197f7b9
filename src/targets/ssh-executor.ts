/**
 * Runs steps on SSH targets with the system OpenSSH client (SPEC §6): one multiplexed
 * connection per host per run, and over it one remote supervisor per host (ssh-supervisor.ts)
 * that every step of that host goes through. Scripts and values travel on stdin, never in
 * an argv; output streams; the remote process tree is killed on abort; transport failures
 * are TransportErrors naming the host.
 */
import { StepwiseError } from '../errors/stepwise-error.js';
import type { Host } from '../runbook/model.js';
import type { Executor, ExecRequest, ExecResult } from './executor.js';
import { invalidEnvNames, unsendable } from './remote/step-frame.js';
import { connectionKey } from './ssh-args.js';
import { SshConnectionPool, type SshConnectionOptions } from './ssh-connection.js';
import { SupervisorSession, type EndTimings } from './ssh-supervisor.js';

/** Options of `new SshExecutor(...)`; only `runId` is required. */
export interface SshExecutorOptions extends SshConnectionOptions {
  /** How long a process forked just before a script exited has to leave with setsid() (default 1 s, as local steps). */
  settleMs?: number;
  /** How long output is still read after a script exited (default 1 s, as local steps). */
  drainMs?: number;
}

/** The Executor for `{ kind: 'ssh' }` targets. Call `close()` at the end of the run. */
export class SshExecutor implements Executor {
  private readonly pool: SshConnectionPool;
  private readonly timings: EndTimings;
  private readonly live = new Map<string, SupervisorSession>();
  private readonly opening = new Map<string, Promise<SupervisorSession>>();

  constructor(options: SshExecutorOptions) {
    this.pool = new SshConnectionPool(options);
    this.timings = { settleMs: options.settleMs ?? 1000, drainMs: options.drainMs ?? 1000 };
  }

  /** The private directory of the control sockets, once a host has been used. */
  get controlDir(): string | undefined {
    return this.pool.controlDir;
  }

  /** Runs one script on the target host; rejects with TransportError when the host cannot be used. */
  async exec(request: ExecRequest): Promise<ExecResult> {
    const startedAt = performance.now();
    const { target } = request;
    if (target.kind !== 'ssh') {
      throw new StepwiseError(`the SSH executor cannot run on the ${target.name} target`, {
        hint: 'This is a bug in stepwise: local targets go to the local executor.',
      });
    }
    const invalid = invalidEnvNames(request.env);
    if (invalid.length > 0) {
      throw new StepwiseError(`cannot pass ${invalid.map((n) => JSON.stringify(n)).join(', ')} to ${target.name}: not a shell variable name`, {
        hint: 'Remote environment variable names must match [A-Za-z_][A-Za-z0-9_]*.',
      });
    }
    const refused = unsendable(request.script, request.env);
    if (refused !== undefined) {
      const startError = `${refused} (on ${target.name})`;
      request.onOutput('stderr', Buffer.from(`stepwise: ${startError}\n`));
      return { exitCode: null, signal: null, outputs: {}, durationMs: performance.now() - startedAt, startError };
    }
    if (request.signal.aborted) return cancelledBeforeStart(startedAt);
    const session = await untilAborted(this.sessionFor(target.host), request.signal);
    if (session === undefined) return cancelledBeforeStart(startedAt);
    return session.run(request, startedAt);
  }

  /** Ends every supervisor (ssh -T stdin closed), closes every master and removes the control directory. */
  async close(): Promise<void> {
    const opening = await Promise.allSettled(this.opening.values());
    const sessions = new Set([...this.live.values(), ...opening.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []))]);
    this.live.clear();
    await Promise.all([...sessions].map((s) => s.close()));
    await this.pool.close();
  }

  /** The host's live supervisor, or a new one (concurrent first steps share its start). */
  private sessionFor(host: Host): Promise<SupervisorSession> {
    const key = connectionKey(host);
    const live = this.live.get(key);
    if (live?.usable) return Promise.resolve(live);
    let opening = this.opening.get(key);
    if (opening === undefined) {
      opening = this.pool.socketFor(host).then((socket) => SupervisorSession.open(host, socket, this.timings));
      this.opening.set(key, opening);
      // A failed start is not kept: the step's retry really tries again.
      const settled = opening.then((session) => { this.live.set(key, session); }, () => undefined);
      void settled.finally(() => this.opening.delete(key));
    }
    return opening;
  }
}

/** Nothing ran on the host: reported like a step stopped by SIGTERM, which is what was asked. */
function cancelledBeforeStart(startedAt: number): ExecResult {
  return { exitCode: null, signal: 'SIGTERM', outputs: {}, durationMs: performance.now() - startedAt };
}

/** Resolves with the value, or undefined as soon as `signal` aborts (the set-up goes on for others). */
async function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
