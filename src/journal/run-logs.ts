/**
 * `stepwise logs RUN_ID [STEP_ID]`: the full captured output, streamed log by log to a
 * Writable with backpressure, so a gigabyte log never sits in memory; and the state dir's
 * log files (which exist, in which order).
 */
import { closeSync, createReadStream, existsSync, fstatSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UsageError } from '../errors/stepwise-error.js';
import type { LoadedRun } from './load-run.js';
import { readAt } from './fs-util.js';
import { stepLogName } from './run-paths.js';
import type { LogBytes, StateStore, StoredRun } from './store.js';

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

/** Streams a run's logs to `out` (not ended), with a `==> step <==` header per log when several. */
export async function writeRunLogs(store: StateStore, run: StoredRun, out: Writable, stepId?: string): Promise<void> {
  const logs = await store.logsOf(run, stepId);
  if (logs.length === 0) {
    out.write(stepId === undefined ? `Run ${run.runId} captured no output.\n` : `Step "${stepId}" captured no output.\n`);
    return;
  }
  for (const [index, log] of logs.entries()) {
    if (logs.length > 1) out.write(`${index > 0 ? '\n' : ''}==> ${log.stepId}${log.phase === 'rollback' ? ' (rollback)' : ''} <==\n`);
    await store.writeLog(run, log, out);
  }
}

/** Streams one log file to `out` (not ended). */
export async function writeLogFile(path: string, out: Writable): Promise<void> {
  await pipeline(createReadStream(path), out, { end: false });
}

/** At most `headBytes` from the start and `tailBytes` from the end of a log file. */
export function readLogFileBytes(path: string, headBytes: number, tailBytes: number): LogBytes {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size <= headBytes + tailBytes) return { totalBytes: size, head: readAt(fd, 0, size), tail: Buffer.alloc(0), droppedBytes: 0 };
    return { totalBytes: size, head: readAt(fd, 0, headBytes), tail: readAt(fd, size - tailBytes, tailBytes), droppedBytes: 0 };
  } finally {
    closeSync(fd);
  }
}


function listLogs(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => n.endsWith('.log')).sort();
  } catch {
    return [];
  }
}
