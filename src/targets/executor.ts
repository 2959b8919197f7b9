/**
 * The one interface every transport implements (ARCHITECTURE §5): run a script on a
 * target, stream its output, stop it through an AbortSignal. Injected into the engine.
 */
import type { Target } from '../runbook/model.js';

export type OutputStream = 'stdout' | 'stderr';

export interface ExecRequest {
  target: Target;
  /** The whole script, already substituted; reaches the shell as an unlinked 0600 file on its fd 3 (local) or on stdin (SSH), never in argv. */
  script: string;
  /** `bash` runs `bash --noprofile --norc -eo pipefail FILE`, `sh` runs `sh -e FILE`, anything else `<shell> FILE`. */
  shell: string;
  /** Variables added to the environment of the script. */
  env: Record<string, string>;
  /** Working directory (absolute for local; as given for remote). */
  cwd?: string;
  /** Aborting kills the whole process tree (SIGTERM, then SIGKILL after `killGraceMs`). */
  signal: AbortSignal;
  killGraceMs: number;
  /** Told the pid of the local shell as soon as it exists: it leads the step's session and process group (journaled for resume). */
  onSpawn?: (pid: number) => void;
  /** Raw output as it arrives; never buffered whole. If it throws, the step is ended and `exec` rejects with that error. */
  onOutput: (stream: OutputStream, chunk: Buffer) => void;
}

export interface ExecResult {
  /** Exit code, or null when the process was ended by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** `key=value` lines the script wrote to `$STEPWISE_OUTPUT`. */
  outputs: Record<string, string>;
  durationMs: number;
  /** The shell could not be started, and why (`working directory /x does not exist`, `shell "fish" not found on PATH`); exitCode and signal are null. */
  startError?: string;
  /** Output was cut after the script exited: a process that left the step (setsid) still held its stdout/stderr. The step's stderr says so too. */
  outputCut?: boolean;
}

export interface Executor {
  /** Runs one script. Rejects with TransportError when the target cannot be reached. */
  exec(request: ExecRequest): Promise<ExecResult>;
  /** Releases connections and temporary files at the end of a run. */
  close?(): Promise<void>;
}

/** Chooses the executor for a target (local, ssh, or a test fake). */
export type ExecutorProvider = (target: Target) => Executor;
