/**
 * Runs shipped library steps for real: writes a runbook (built as data, serialised with the
 * `yaml` library so no test hand-quotes YAML) to a temp dir, runs the built CLI with `--json`
 * and hands back the events. The runbook sits in a dir without `steps/`, so `uses:` resolves
 * to the package's own top-level steps/ folder — the files we ship.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type CliProcess, jsonLines, runCli, startCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A JSON Lines event of the CLI. */
export type Event = Record<string, unknown>;

/** What one run did. */
export interface StepsRun {
  code: number | null;
  stdout: string;
  stderr: string;
  events: Event[];
  runId: string;
  /** The `step.finished` event of a step (phase run). */
  finished(stepId: string): Event | undefined;
  /** Outputs a step wrote. */
  outputs(stepId: string): Record<string, string>;
  /** Every output line of a step (both streams, run phase unless told), joined by newlines. */
  log(stepId: string, phase?: 'run' | 'rollback'): string;
  /** The `rollback.finished` event of a step. */
  rollback(stepId: string): Event | undefined;
  /** What the step's `check:` found, in order: `before:holds`, `after:fails`, … */
  checks(stepId: string): string[];
}

/** A scratch dir for one test. */
export function scratch(prefix = 'stepwise-steps-'): string {
  return tempDir(prefix).dir;
}

/** Writes `runbook` into `dir` and runs it; `args` are extra CLI arguments. */
export async function runRunbook(dir: string, runbook: Record<string, unknown>, options: { args?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<StepsRun> {
  const file = join(dir, 'runbook.yaml');
  writeFileSync(file, stringify(runbook));
  const result = await runCli(['run', file, '--json', '--yes', '--state-dir', join(dir, 'state'), ...(options.args ?? [])], {
    cwd: dir,
    env: { CI: '', ...options.env },
    timeoutMs: options.timeoutMs ?? 180_000,
  });
  return describeRun(result);
}

/** Writes `runbook` into `dir` and starts it: the test can wait for output (events) while it runs. */
export function startRunbook(dir: string, runbook: Record<string, unknown>, options: { args?: string[]; env?: NodeJS.ProcessEnv } = {}): { cli: CliProcess; done: Promise<StepsRun> } {
  const file = join(dir, 'runbook.yaml');
  writeFileSync(file, stringify(runbook));
  const cli = startCli(['run', file, '--json', '--yes', '--state-dir', join(dir, 'state'), ...(options.args ?? [])], { cwd: dir, env: options.env ?? {} });
  return { cli, done: cli.done.then(describeRun) };
}

/** `stepwise resume RUN_ID` of a run started in `dir` (by runRunbook or startRunbook). */
export async function resumeRun(dir: string, runId: string, options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<StepsRun> {
  const result = await runCli(['resume', runId, '--json', '--yes', '--state-dir', join(dir, 'state')], { cwd: dir, env: { CI: '', ...options.env }, timeoutMs: options.timeoutMs ?? 180_000 });
  return describeRun(result);
}

/** Parses a finished CLI run into a StepsRun. */
export function describeRun(result: { code: number | null; stdout: string; stderr: string }): StepsRun {
  const events = result.stdout.trim() === '' ? [] : jsonLines(result.stdout);
  const of = (type: string, stepId: string, phase?: string) => events.find((e) => e.type === type && e.stepId === stepId && (phase === undefined || e.phase === phase));
  return {
    ...result,
    events,
    runId: String(events.find((e) => e.type === 'run.started')?.runId ?? ''),
    finished: (stepId) => of('step.finished', stepId, 'run'),
    outputs: (stepId) => (of('step.finished', stepId, 'run')?.outputs ?? {}) as Record<string, string>,
    log: (stepId, phase = 'run') =>
      events
        .filter((e) => e.type === 'step.output' && e.stepId === stepId && e.phase === phase)
        .map((e) => String(e.line))
        .join('\n'),
    rollback: (stepId) => of('rollback.finished', stepId),
    checks: (stepId) => events.filter((e) => e.type === 'step.check.finished' && e.stepId === stepId).map((e) => `${String(e.when)}:${String(e.result)}`),
  };
}

/** A runbook of one library step `uses` with inputs `with`, plus extra step keys. */
export function oneStep(uses: string, withValues: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: `try-${uses}`, steps: [{ id: 'step', uses, with: withValues, ...extra }] };
}
