/**
 * Starts the built CLI as a real child process we can signal directly (not a wrapper
 * shell), with its own temp state dir, and collects its output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/cli/main.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  done: Promise<CliResult>;
  /** Resolves once stdout or stderr has contained `text`. */
  waitFor(text: string | RegExp): Promise<void>;
}

export function startCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', CI: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ match: (s: string) => boolean; resolve: () => void }> = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.match(stdout + stderr)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
    check();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    check();
  });
  const done = new Promise<CliResult>((resolvePromise) => {
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
  return {
    child,
    done,
    waitFor: (text) =>
      new Promise<void>((resolveWait, reject) => {
        const match = (s: string) => (typeof text === 'string' ? s.includes(text) : text.test(s));
        if (match(stdout + stderr)) return resolveWait();
        waiters.push({ match, resolve: resolveWait });
        void done.then(() => (match(stdout + stderr) ? resolveWait() : reject(new Error(`CLI ended before printing ${String(text)}\n${stdout}\n${stderr}`))));
      }),
  };
}

/** Runs the CLI to completion. */
export function runCliToEnd(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/** A temp workspace with a state dir and a helper to write runbooks into it. */
export function workspace(): { dir: string; stateDir: string; write(name: string, text: string): string } {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-e2e-'));
  const stateDir = join(dir, 'state');
  return {
    dir,
    stateDir,
    write(name, text) {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    },
  };
}

/** Parses JSON Lines output. */
export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
