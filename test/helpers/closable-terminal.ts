/**
 * Runs the built CLI as the session leader of a real pseudo-terminal and then closes that
 * terminal, the way an operator's SSH connection or terminal window disappears: the kernel
 * hangs the terminal up (SIGHUP to the CLI, and every later write to it fails with EIO).
 * Two terminals: util-linux `script` (its master side closed by SIGKILL) and a tmux pane on
 * a private server socket (`kill-session`). Nothing is found or killed by name.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CLI_PATH } from './run-cli.js';
import { alive } from './proc-state.js';
import { eventually } from './processes.js';

/** A CLI running on a terminal that the test can close. */
export interface ClosableTerminal {
  /** Pid of the CLI (node) process itself. */
  readonly cliPid: number;
  /** Closes the terminal (hang-up); the CLI goes on alone. */
  close(): void;
  /** Resolves once the CLI process is gone (false if it is still there after ~60 s). */
  cliGone(): Promise<boolean>;
  /** Ends anything left of the terminal (test cleanup). */
  dispose(): void;
}

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * `exec node CLI ARGS` in `cwd` (the shell is replaced: the CLI is the terminal's session
 * leader), with core dumps allowed as on many operators' machines, so that a crash of the CLI
 * leaves a `core` file in `cwd` for the test to find.
 */
function cliCommand(args: string[], cwd: string): string {
  return `cd ${shellQuote(cwd)} && { ulimit -c unlimited 2>/dev/null; exec env -u CI NO_COLOR=1 TERM=xterm-256color ${[process.execPath, CLI_PATH, ...args].map(shellQuote).join(' ')}; }`;
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function waitForCli(parent: () => number | undefined): Promise<number> {
  let pid: number | undefined;
  const found = await eventually(() => {
    const candidate = parent();
    if (candidate === undefined) return false;
    // The shell has exec'd node once the command line is the CLI's.
    try {
      if (readFileSync(`/proc/${candidate}/cmdline`, 'utf8').includes(CLI_PATH)) pid = candidate;
    } catch {
      return false;
    }
    return pid !== undefined;
  }, 600);
  if (!found || pid === undefined) throw new Error('the CLI did not start on the terminal');
  return pid;
}

const gone = (pid: number) => eventually(() => !alive(pid), 1200, 50);

/** The CLI under util-linux `script`; closing kills `script` (SIGKILL: no clean-up of its own), which closes the terminal's master side. */
export async function runOnScriptTerminal(args: string[], cwd: string): Promise<ClosableTerminal> {
  const script = spawn('script', ['-qfec', `stty cols 100 rows 30 2>/dev/null; ${cliCommand(args, cwd)}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  script.stdout.resume();
  script.stderr.resume();
  script.stdin.on('error', () => {});
  const scriptPid = script.pid;
  if (scriptPid === undefined) throw new Error('script did not start');
  const cliPid = await waitForCli(() => childrenOf(scriptPid)[0]);
  return {
    cliPid,
    close: () => process.kill(scriptPid, 'SIGKILL'),
    cliGone: () => gone(cliPid),
    dispose: () => {
      for (const pid of [scriptPid, cliPid]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    },
  };
}

/** Whether tmux is installed here. */
export function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The CLI in a tmux pane of a private server; closing is `tmux kill-session`. */
export async function runOnTmuxTerminal(args: string[], cwd: string): Promise<ClosableTerminal> {
  const socket = `stepwise-hangup-${process.pid}-${randomBytes(3).toString('hex')}`;
  const tmux = (...words: string[]) => execFileSync('tmux', ['-L', socket, ...words], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  tmux('new-session', '-d', '-s', 'run', '-x', '100', '-y', '30', cliCommand(args, cwd));
  const panePid = () => {
    try {
      const pid = Number(tmux('list-panes', '-t', 'run', '-F', '#{pane_pid}').trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  const cliPid = await waitForCli(panePid);
  return {
    cliPid,
    close: () => tmux('kill-session', '-t', 'run'),
    cliGone: () => gone(cliPid),
    dispose: () => {
      try {
        tmux('kill-server');
      } catch {
        // the server left with its last session
      }
      try {
        process.kill(cliPid, 'SIGKILL');
      } catch {
        // gone
      }
    },
  };
}
