/**
 * Runs steps on SSH targets with the system OpenSSH client (SPEC §6): one multiplexed
 * connection per host per run, the script on stdin (never in argv), output streamed,
 * the remote process tree killed on abort, transport failures as TransportError.
 */
import { StepwiseError } from '../errors/stepwise-error.js';
import type { Executor, ExecRequest, ExecResult } from './executor.js';
import { SshConnectionPool, type SshConnectionOptions } from './ssh-connection.js';
import { runSession } from './ssh-session.js';
import { invalidEnvNames } from './ssh-wrapper.js';

/** Options of `new SshExecutor(...)`; only `runId` is required. */
export type SshExecutorOptions = SshConnectionOptions;

/** The Executor for `{ kind: 'ssh' }` targets. Call `close()` at the end of the run. */
export class SshExecutor implements Executor {
  private readonly pool: SshConnectionPool;

  constructor(options: SshExecutorOptions) {
    this.pool = new SshConnectionPool(options);
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
    if (request.signal.aborted) return cancelledBeforeStart(startedAt);
    const socket = await untilAborted(this.pool.socketFor(target.host), request.signal);
    if (socket === undefined) return cancelledBeforeStart(startedAt);
    return runSession(target.host, socket, request, startedAt);
  }

  /** Closes every master (`ssh -O exit`) and removes the control directory. */
  async close(): Promise<void> {
    await this.pool.close();
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
