/** An executor for engine unit tests: scripted results, records every call. */
import type { ExecRequest, ExecResult, Executor } from '../../src/targets/executor.js';

export type FakeBehaviour = (request: ExecRequest, call: number) => Partial<ExecResult> & { stdout?: string; stderr?: string; hangUntilAborted?: boolean };

export class FakeExecutor implements Executor {
  readonly calls: ExecRequest[] = [];

  constructor(private readonly behaviour: FakeBehaviour = () => ({ exitCode: 0 })) {}

  async exec(request: ExecRequest): Promise<ExecResult> {
    this.calls.push(request);
    const result = this.behaviour(request, this.calls.length);
    if (result.stdout) request.onOutput('stdout', Buffer.from(result.stdout));
    if (result.stderr) request.onOutput('stderr', Buffer.from(result.stderr));
    if (result.hangUntilAborted) {
      await new Promise<void>((resolve) => {
        if (request.signal.aborted) resolve();
        request.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      return { exitCode: null, signal: 'SIGTERM', outputs: {}, durationMs: 1 };
    }
    return {
      exitCode: result.exitCode === undefined ? 0 : result.exitCode,
      signal: result.signal ?? null,
      outputs: result.outputs ?? {},
      durationMs: 1,
      ...(result.startError !== undefined ? { startError: result.startError } : {}),
    };
  }

  /** The scripts run, in order, as written (values appear only as variable references). */
  get scripts(): string[] {
    return this.calls.map((c) => c.script);
  }

  /** The scripts run, with each value reference replaced by the value it carries (what the shell sees). */
  get commands(): string[] {
    return this.calls.map((c) => c.script.replace(/"?\$\{(STEPWISE_V_[0-9]+)\}"?/g, (_, name: string) => c.env[name] ?? `<unset ${name}>`));
  }
}
