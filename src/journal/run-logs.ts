/**
 * `stepwise logs RUN_ID [STEP_ID]`: the full captured output, streamed file by file to
 * a Writable with backpressure, so a gigabyte log never sits in memory.
 */
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UsageError } from '../errors/stepwise-error.js';
import type { LoadedRun } from './load-run.js';
import { stepLogName } from './run-paths.js';

/** One log file of a run. */
export interface RunLogFile {
  stepId: string;
  phase: 'run' | 'rollback';
  path: string;
}

/**
 * The run's log files in the order things ran (each step, then its rollback; finally
 * steps last), optionally of one step. Unknown step → UsageError naming the known ones.
 */
export function runLogFiles(run: LoadedRun, stepId?: string): RunLogFile[] {
  const files: RunLogFile[] = [];
  const seen = new Set<string>();
  const add = (id: string, phase: 'run' | 'rollback'): void => {
    const name = stepLogName(id, phase);
    const path = join(run.paths.logs, name);
    if (!seen.has(name) && existsSync(path)) files.push({ stepId: id, phase, path });
    seen.add(name);
  };
  for (const step of run.summary.steps) {
    if (stepId !== undefined && step.stepId !== stepId) continue;
    add(step.stepId, 'run');
    add(step.stepId, 'rollback');
  }
  // Logs the journal does not mention (its records were lost): still show them.
  for (const name of listLogs(run.paths.logs)) {
    const rollback = name.endsWith('.rollback.log');
    const id = name.slice(0, -(rollback ? '.rollback.log' : '.log').length);
    if (stepId === undefined || id === stepId) add(id, rollback ? 'rollback' : 'run');
  }
  if (stepId !== undefined && files.length === 0 && !run.summary.steps.some((s) => s.stepId === stepId)) {
    const known = run.summary.steps.map((s) => s.stepId);
    throw new UsageError(`Run ${run.runId} has no step "${stepId}"${known.length > 0 ? ` (steps: ${known.join(', ')})` : ''}`, {
      hint: `\`stepwise show ${run.runId}\` lists its steps.`,
    });
  }
  return files;
}

/** Streams logs to `out` (not ended), with a `==> step <==` header per file when several. */
export async function writeRunLogs(run: LoadedRun, out: Writable, stepId?: string): Promise<void> {
  const files = runLogFiles(run, stepId);
  if (files.length === 0) {
    out.write(stepId === undefined ? `Run ${run.runId} captured no output.\n` : `Step "${stepId}" captured no output.\n`);
    return;
  }
  for (const [index, file] of files.entries()) {
    if (files.length > 1) out.write(`${index > 0 ? '\n' : ''}==> ${file.stepId}${file.phase === 'rollback' ? ' (rollback)' : ''} <==\n`);
    await pipeline(createReadStream(file.path), out, { end: false });
  }
}

function listLogs(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => n.endsWith('.log')).sort();
  } catch {
    return [];
  }
}
