/**
 * Runs the built CLI (`node dist/cli/main.js`) as a real child process, as an operator would:
 * to its end (`runCli`), or started so the test can wait for what it prints and signal it
 * (`startCli`). The one way tests run the CLI without a terminal; E2E tests need
 * `npm run build` first (`npm test` does it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the built CLI entry point. */
export const CLI_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/cli/main.js');

/** Ample for any one CLI run on a loaded shared machine: a hang guard, not a speed check. */
const HANG_GUARD_MS = 120_000;
/** Ample for one line to appear once what leads to it has started. */
const WAIT_GUARD_MS = 30_000;

/** How to run the CLI. */
export interface CliOptions {
  /** Working directory (default: the test process's). */
  cwd?: string;
  /**
   * Added to (and overriding) the test process's environment, in which NO_COLOR=1 and an empty
   * CI are set first (so runs read the same here and on CI); `undefined` values unset a variable.
   */
  env?: NodeJS.ProcessEnv;
  /** Text written to stdin before it is closed; without it stdin is /dev/null. */
  input?: string;
  /** Make stdin a pipe that nobody writes to or closes while the CLI runs (a reader would wait forever). */
  keepStdinOpen?: boolean;
  /** Kill the CLI after this long and fail loudly, with its output so far (default 120 s). */
  timeoutMs?: number;
}

/** What the CLI did. `code` is null when it was ended by a signal. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A CLI still running: the test may signal `child`, wait for output, then await `done`. */
export interface CliProcess {
  child: ChildProcess;
  /** Resolves when the CLI has exited and its output is closed; rejects if the hang guard fired. */
  done: Promise<CliResult>;
  /** stdout followed by stderr, as printed so far. */
  output(): string;
  /**
   * Resolves once stdout or stderr contains `text`; rejects, naming `text` and with the output
   * so far, if the CLI ends first or nothing matches within `timeoutMs` (default 30 s).
   */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
}

/** Starts `stepwise ARGS...` and returns at once. */
export function startCli(args: string[], options: CliOptions = {}): CliProcess {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run \`npm run build\` before the e2e tests`);
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: '', ...options.env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    cwd: options.cwd,
    env,
    stdio: [options.input === undefined && !options.keepStdinOpen ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  const command = `stepwise ${args.join(' ')}`;
  let stdout = '';
  let stderr = '';
  const output = () => `${stdout}${stderr}`;
  const listeners = new Set<() => void>();
  const onData = () => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    onData();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    onData();
  });
  if (child.stdin) {
    child.stdin.on('error', () => {}); // the CLI may exit before reading stdin
    if (options.keepStdinOpen) child.on('close', () => child.stdin?.destroy());
    else child.stdin.end(options.input);
  }

  const timeoutMs = options.timeoutMs ?? HANG_GUARD_MS;
  const done = new Promise<CliResult>((resolveDone, reject) => {
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not finish within ${timeoutMs} ms (killed)\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
    }, timeoutMs);
    guard.unref();
    child.on('error', (error) => {
      clearTimeout(guard);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolveDone({ code, signal, stdout, stderr });
    });
  });
  done.catch(() => {}); // a test that never awaits `done` must not see an unhandled rejection

  const waitFor = (text: string | RegExp, waitMs = WAIT_GUARD_MS) =>
    new Promise<void>((resolveWait, reject) => {
      const matches = () => (typeof text === 'string' ? output().includes(text) : text.test(output()));
      if (matches()) return resolveWait();
      const finish = (error?: Error) => {
        listeners.delete(listener);
        clearTimeout(guard);
        if (error) reject(error);
        else resolveWait();
      };
      const listener = () => {
        if (matches()) finish();
      };
      const guard = setTimeout(() => finish(new Error(`${command} printed no ${String(text)} within ${waitMs} ms; output so far:\n${output()}`)), waitMs);
      listeners.add(listener);
      void done.then(
        () => finish(matches() ? undefined : new Error(`${command} ended before printing ${String(text)}; output:\n${output()}`)),
        (error: unknown) => finish(error instanceof Error ? error : new Error(String(error))),
      );
    });

  return { child, done, output, waitFor };
}

/** Runs `stepwise ARGS...` and resolves when it has exited. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/** Parses JSON Lines output (the CLI's `--json`), blank lines skipped. */
export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
