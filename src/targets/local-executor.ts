/**
 * Runs scripts on this machine with execa. The script reaches the shell as an unlinked
 * 0600 file on its fd 3 (never argv, never stdin, which the script's own commands may read:
 * they get /dev/null); the shell leads a new session, so a timeout or Ctrl-C can end
 * everything the step started and nothing that left it (process-tree.ts, local-step-end.ts).
 */
import { execa } from 'execa';
import type { ExecRequest, ExecResult, Executor } from './executor.js';
import { superviseStep } from './local-step-end.js';
import type { OutputPipes } from './output-pipes.js';
import { parseOutputsFile, shellCommand } from './shell-command.js';
import { describeStartFailure, workingDirectoryProblem } from './start-errors.js';
import { StepFileDir } from './step-files.js';

/** Options of the local executor; the timings are for tests and need no change otherwise. */
export interface LocalExecutorOptions {
  /** Names the private temp directory, so `resume`/`rollback` of a crashed run can remove it. */
  runId?: string;
  /** Where that directory is made (default: the system's temp directory, $TMPDIR). */
  tempRoot?: string;
  /** How long a process forked just before the script exited has to leave with setsid() before it counts as a leftover. */
  settleMs?: number;
  /** How long output is still read after the script exited. */
  drainMs?: number;
}

export class LocalExecutor implements Executor {
  private readonly files: StepFileDir;
  private readonly timings: { settleMs: number; drainMs: number };
  /** Pipes still held by processes outside a finished step; closed at the end of the run. */
  private readonly cutPipes = new Set<OutputPipes>();

  constructor(options: LocalExecutorOptions = {}) {
    this.files = new StepFileDir(options.runId, options.tempRoot);
    this.timings = { settleMs: options.settleMs ?? 1000, drainMs: options.drainMs ?? 1000 };
  }

  async exec(request: ExecRequest): Promise<ExecResult> {
    const started = performance.now();
    const failed = (startError: string): ExecResult => {
      // Also in the step's output, so its log names the cause whatever the caller shows.
      request.onOutput('stderr', Buffer.from(`stepwise: ${startError}\n`));
      return { exitCode: null, signal: null, outputs: {}, durationMs: performance.now() - started, startError };
    };
    const badDirectory = workingDirectoryProblem(request.cwd);
    if (badDirectory) return failed(badDirectory);

    const files = this.files.create(request.script);
    try {
      const [file, args] = shellCommand(request.shell, files.scriptPath);
      const env = { ...request.env, STEPWISE_OUTPUT: files.outputsPath };
      const subprocess = execa(file, args, {
        cwd: request.cwd,
        env,
        // stdin is /dev/null for the script's commands; fd 3 is the script (step-files.ts).
        // execa hands any descriptor number to child_process.spawn; its types list only 3-9.
        stdio: ['ignore', 'pipe', 'pipe', files.scriptFd as 3],
        buffer: false,
        // A new session (setsid): the shell's pid names every process of the step.
        detached: true,
        reject: false,
        stripFinalNewline: false,
      });
      // Its promise settles when the pipes close, which a daemon may delay for ever: only its events are used.
      void subprocess.catch(() => undefined);
      if (subprocess.pid === undefined) {
        const result = await subprocess;
        return failed(describeStartFailure(result.cause, { shell: request.shell, file, env: { ...process.env, ...env }, ...(request.cwd ? { cwd: request.cwd } : {}) }));
      }
      // The step is supervised whatever happens; if its start cannot be recorded, it is ended at once.
      let spawnError: unknown;
      try {
        request.onSpawn?.(subprocess.pid);
      } catch (error) {
        spawnError = error;
      }
      const { end, pipes } = await superviseStep(subprocess, request, { ...this.timings, endAtOnce: spawnError !== undefined });
      if (end.outputCut) this.cutPipes.add(pipes);
      if (spawnError !== undefined) throw spawnError;
      if (end.outputError !== undefined) throw end.outputError;
      return {
        exitCode: end.exitCode,
        signal: end.signal,
        outputs: parseOutputsFile(files.readOutputs()),
        durationMs: performance.now() - started,
        ...(end.outputCut ? { outputCut: true } : {}),
      };
    } finally {
      files.close();
    }
  }

  async close(): Promise<void> {
    for (const pipes of this.cutPipes) pipes.destroy();
    this.cutPipes.clear();
    this.files.remove();
  }
}
