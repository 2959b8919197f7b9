/** What a run is given (by the CLI, or a test) and what it reports back. */
import type { Runbook, ScalarValue } from '../runbook/model.js';
import type { ExecutorProvider } from '../targets/executor.js';
import type { EventSink, RunStatus } from './events.js';
import type { PriorRunState } from './prior-run.js';
import type { Prompter } from './prompter.js';

export interface EngineOptions {
  runbook: Runbook;
  runId: string;
  params: Record<string, ScalarValue>;
  /** Values of top-level `secrets:` by name. */
  secrets: Record<string, string>;
  executorFor: ExecutorProvider;
  /** Receives every event, in order (reporters and the journal). Must not throw. */
  onEvent: EventSink;
  /**
   * Awaited after each boundary event (run, step and rollback starts) before the engine acts
   * on it: a state backend that commits asynchronously makes the event durable here.
   */
  checkpoint?: () => Promise<void>;
  /** First SIGINT/SIGTERM/SIGHUP: stop the current step, compensate, run `finally`. */
  cancel?: AbortSignal;
  /** Second signal: stop compensation (and `finally`) at once. */
  hardStop?: AbortSignal;
  /**
   * Aborted (with the reason as text) when the run's state can no longer be written: no new
   * step starts, the running one is stopped, compensation runs, then `finally`.
   */
  unrecordable?: AbortSignal;
  /**
   * What the run does once `unrecordable` aborts, as the state backend says: `compensate`
   * (default; a state dir) stops the running step, compensates and runs `finally`; `stop` (a
   * shared database, whose run lock went with the connection) lets the running step finish
   * and then starts nothing more — no step, no compensation, no `finally`.
   */
  whenUnrecordable?: 'compensate' | 'stop';
  /** `--no-rollback`: on failure halt and keep state for `stepwise rollback`. */
  noRollback?: boolean;
  /** `--from` / `--only` (ids already checked by the CLI). */
  from?: string;
  only?: string[];
  /** `--limit`: restrict remote targets to a host or group. */
  limit?: string;
  /** `--forks N`: most hosts in flight at once, instead of the runbook's `forks:`. */
  forks?: number;
  /** What an earlier invocation of this run did (resume, rollback). */
  prior?: PriorRunState;
  /** `run` (also resume) or `rollback` (compensate a halted run now). */
  mode?: 'run' | 'rollback';
  prompter?: Prompter;
  /** `--yes`: answer yes to every `confirm:`. */
  assumeYes?: boolean;
  /** `--step`: ask before each step. */
  stepThrough?: boolean;
  /** `--interactive`: ask what to do when a step fails. */
  interactive?: boolean;
  /** Grace between SIGTERM and SIGKILL when a tree is killed (default 5s). */
  killGraceMs?: number;
  /** Directory stepwise was started in. */
  startDir: string;
  /** The environment stepwise was started with (`env.*` and local steps). */
  env: Record<string, string | undefined>;
}

export interface RunOutcome {
  status: RunStatus;
  exitCode: number;
}
