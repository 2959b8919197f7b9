/**
 * Runs steps on SSH targets with the system OpenSSH client (SPEC §6): one multiplexed
 * connection per host per run, and over it one remote supervisor per host (ssh-supervisor.ts)
 * that the host's steps go through, one after the other. Only while two steps run on the
 * same host at once does it get a second supervisor (kept for later steps too). Scripts and
 * values travel on stdin, never in an argv; output streams; the remote process tree is
 * killed on abort; transport failures are TransportErrors naming the host.
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
}

/** The Executor for `{ kind: 'ssh' }` targets. Call `close()` at the end of the run. */
export class SshExecutor implements Executor {
  private readonly pool: SshConnectionPool;
  private readonly timings: EndTimings;
  /** Per connection: its supervisors not running a step right now. */
  private readonly idle = new Map<string, SupervisorSession[]>();
  private readonly all = new Set<SupervisorSession>();
  private readonly opening = new Set<Promise<SupervisorSession>>();

  constructor(options: SshExecutorOptions) {
    this.pool = new SshConnectionPool(options);
    this.timings = { settleMs: options.settleMs ?? 1000 };
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
    const key = connectionKey(target.host);
    const acquiring = this.acquire(key, target.host);
    const session = await untilAborted(acquiring, request.signal);
    if (session === undefined) {
      // Started for nothing this time: kept for the host's next step.
      void acquiring.then((s) => this.release(key, s), () => undefined);
      return cancelledBeforeStart(startedAt);
    }
    try {
      return await session.run(request, startedAt);
    } finally {
      this.release(key, session);
    }
  }

  /** Ends every supervisor (its stdin closed), closes every master and removes the control directory. */
  async close(): Promise<void> {
    // A session still starting is ended too (its start then fails): never waited on for ever.
    const sessions = [...this.all];
    this.all.clear();
    this.idle.clear();
    await Promise.all(sessions.map((s) => s.close()));
    await Promise.allSettled(this.opening);
    await this.pool.close();
  }

  /** An idle supervisor of the host, or a new one. A failed start is not kept: a retry really tries again. */
  private async acquire(key: string, host: Host): Promise<SupervisorSession> {
    const idle = this.idle.get(key) ?? [];
    while (idle.length > 0) {
      const session = idle.pop()!;
      if (session.idle) return session;
      this.all.delete(session);
    }
    const opening = this.pool.socketFor(host).then((socket) => SupervisorSession.open(host, socket, this.timings, (s) => this.all.add(s)));
    this.opening.add(opening);
    try {
      return await opening;
    } finally {
      this.opening.delete(opening);
    }
  }

  /** The step is over: the session serves the host's next step, unless it can no longer. */
  private release(key: string, session: SupervisorSession): void {
    if (!session.idle) return;
    const idle = this.idle.get(key);
    if (idle) idle.push(session);
    else this.idle.set(key, [session]);
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
