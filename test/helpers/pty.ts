/**
 * Runs the built CLI on a pseudo-terminal with util-linux `script`, so it sees a TTY on
 * stdin, stdout and stderr exactly as an operator's shell gives it. Answers are typed by
 * writing to script's stdin once the question is on screen (never ahead of it: a line
 * typed early would be read by whoever reads first).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CLI_PATH } from './run-cli.js';

// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007|\u001b[78=>]/g;

/** Terminal output with escape sequences and carriage returns removed. */
export function stripEscapes(text: string): string {
  return text.replace(ESCAPES, '').replace(/\r/g, '');
}

/**
 * What the terminal shows once all output is applied, scrollback included: a tiny
 * emulator for what log-update and listr2 send (erase line, cursor up, column 0).
 */
export function finalScreen(raw: string): string {
  const lines: string[][] = [[]];
  let row = 0;
  let col = 0;
  // eslint-disable-next-line no-control-regex
  const token = /\u001b\[([0-9;?]*)([A-Za-z])|\u001b\][^\u0007]*\u0007|\u001b[78=>]|\r|\n|[^\u001b\r\n]/gu;
  for (const match of raw.matchAll(token)) {
    const [text, params, command] = match;
    const line = () => (lines[row] ??= []);
    if (text === '\n') {
      row++;
      col = 0;
    } else if (text === '\r') col = 0;
    else if (command !== undefined) {
      const n = Number(params?.replace('?', '') || '1');
      if (command === 'A') row = Math.max(0, row - n);
      else if (command === 'B') row += n;
      else if (command === 'G') col = Math.max(0, n - 1);
      else if (command === 'K') line().length = params === '2' ? 0 : Math.min(line().length, col);
      else if (command === 'J') lines.length = row + 1;
    } else if (!text.startsWith('\u001b')) {
      const cells = line();
      while (cells.length < col) cells.push(' ');
      cells[col++] = text;
    }
  }
  return lines
    .map((cells) => (cells ?? []).join('').trimEnd())
    .join('\n')
    .replace(/\n+$/, '');
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A CLI running on a pseudo-terminal. */
export interface PtyRun {
  /** Everything the terminal received so far, escape codes included. */
  readonly raw: string;
  /** Resolves once the (unescaped) output matches; rejects if the CLI ends first or `guardMs` passes. */
  waitFor(pattern: string | RegExp, guardMs?: number): Promise<void>;
  /** Types text (add `\n` to press Enter). */
  type(text: string): void;
  /** The exit code of the CLI (script -e passes it through), the raw output, its text, and the final screen. */
  readonly done: Promise<{ code: number | null; raw: string; text: string; screen: string }>;
}

/** Where and how to run it. */
export interface PtyOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  columns?: number;
  rows?: number;
  /** Give the CLI /dev/null as stdin instead of the terminal (stdout and stderr stay a TTY). */
  stdinNull?: boolean;
}

/** Starts `stepwise ARGS...` on a pseudo-terminal. */
export function runInPty(args: string[], options: PtyOptions = {}): PtyRun {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run \`npm run build\` before the e2e tests`);
  const command = `stty cols ${options.columns ?? 100} rows ${options.rows ?? 40} 2>/dev/null; exec ${[process.execPath, CLI_PATH, ...args].map(shellQuote).join(' ')}${options.stdinNull ? ' </dev/null' : ''}`;
  const env: NodeJS.ProcessEnv = { ...process.env, CI: '', TERM: 'xterm-256color', ...options.env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let raw = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    raw += chunk.toString('utf8');
    for (const listener of [...listeners]) listener();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  child.stdin.on('error', () => {});
  let ended = false;
  const done = new Promise<{ code: number | null; raw: string; text: string; screen: string }>((resolveDone) => {
    child.on('close', (code) => {
      ended = true;
      for (const listener of [...listeners]) listener();
      resolveDone({ code, raw, text: stripEscapes(raw), screen: finalScreen(raw) });
    });
  });
  return {
    get raw() {
      return raw;
    },
    done,
    type: (text) => child.stdin.write(text),
    waitFor: (pattern, guardMs = 30_000) =>
      new Promise<void>((resolveWait, reject) => {
        const matches = () => (typeof pattern === 'string' ? stripEscapes(raw).includes(pattern) : pattern.test(stripEscapes(raw)));
        const check = () => {
          if (matches()) {
            cleanup();
            resolveWait();
          } else if (ended) {
            cleanup();
            reject(new Error(`the CLI ended without printing ${String(pattern)}:\n${stripEscapes(raw)}`));
          }
        };
        // A guard against a hung test, not a timing assertion.
        const timer = setTimeout(() => {
          cleanup();
          child.kill('SIGKILL');
          reject(new Error(`no ${String(pattern)} on the terminal:\n${stripEscapes(raw)}`));
        }, guardMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      }),
  };
}
