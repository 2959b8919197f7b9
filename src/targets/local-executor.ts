/**
 * Runs scripts on this machine with execa. The script goes to a 0600 file (never argv,
 * never stdin, which the script's own commands may read); the shell runs in a new process
 * group so a timeout or Ctrl-C can kill the whole tree, grandchildren included.
 */
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecRequest, ExecResult, Executor } from './executor.js';
import { parseOutputsFile, shellCommand } from './shell-command.js';
import { killProcessGroup } from './kill-group.js';

export class LocalExecutor implements Executor {
  private dir: string | undefined;
  private counter = 0;

  /** A private 0700 directory for scripts and outputs files of this run. */
  private workDir(): string {
    this.dir ??= mkdtempSync(join(tmpdir(), 'stepwise-'));
    return this.dir;
  }

  async exec(request: ExecRequest): Promise<ExecResult> {
    const started = performance.now();
    const base = join(this.workDir(), String(++this.counter));
    const scriptFile = `${base}.sh`;
    const outputsFile = `${base}.out`;
    writeFileSync(scriptFile, request.script, { mode: 0o600 });
    const [file, args] = shellCommand(request.shell, scriptFile);
    try {
      const subprocess = execa(file, args, {
        cwd: request.cwd,
        env: { ...request.env, STEPWISE_OUTPUT: outputsFile },
        stdin: 'ignore',
        buffer: false,
        detached: true,
        reject: false,
        stripFinalNewline: false,
      });
      const pid = subprocess.pid;
      if (pid !== undefined) request.onSpawn?.(pid);
      subprocess.stdout?.on('data', (chunk: Buffer) => request.onOutput('stdout', chunk));
      subprocess.stderr?.on('data', (chunk: Buffer) => request.onOutput('stderr', chunk));

      const stopTree = () => {
        if (pid !== undefined) killProcessGroup(pid, request.killGraceMs);
      };
      if (request.signal.aborted) stopTree();
      request.signal.addEventListener('abort', stopTree, { once: true });
      // The shell is done, but a background grandchild may still hold the pipes open:
      // what the step left behind is the step's, and goes with it (daemons use setsid).
      subprocess.once('exit', stopTree);

      const result = await subprocess;
      request.signal.removeEventListener('abort', stopTree);
      return {
        exitCode: result.exitCode ?? null,
        signal: (result.signal as NodeJS.Signals | undefined) ?? null,
        outputs: readOutputs(outputsFile),
        durationMs: performance.now() - started,
      };
    } finally {
      safeUnlink(scriptFile);
      safeUnlink(outputsFile);
    }
  }

  async close(): Promise<void> {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

function readOutputs(file: string): Record<string, string> {
  try {
    return parseOutputsFile(readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
}

function safeUnlink(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
