/**
 * Runs the built CLI (`node dist/cli/main.js`) to completion, as an operator would, and
 * returns its exit code and output. E2E tests need `npm run build` first (`npm test` does it).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the built CLI entry point. */
export const CLI_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/cli/main.js');

/** How to run the CLI. */
export interface RunCliOptions {
  /** Working directory (default: the test process's). */
  cwd?: string;
  /** Added to (and overriding) the test process's environment; `undefined` values unset a variable. */
  env?: NodeJS.ProcessEnv;
  /** Text written to stdin (stdin is closed either way, so nothing can wait on it). */
  input?: string;
  /** Kill the CLI after this long (default 30 s) and fail loudly rather than hang the suite. */
  timeoutMs?: number;
}

/** What the CLI did. `code` is null when it was ended by a signal. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `stepwise ARGS...` and resolves when it exits. */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliRun> {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run \`npm run build\` before the e2e tests`);
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...options.env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`stepwise ${args.join(' ')} did not finish within ${options.timeoutMs ?? 30_000} ms\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => {}); // the CLI may exit before reading stdin
    child.stdin.end(options.input ?? '');
  });
}
