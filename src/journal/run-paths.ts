/** The files of one run under `STATE_DIR/runs/RUN_ID/` (SPEC §4), in one place. */
import { join } from 'node:path';
import type { Phase } from '../engine/events.js';
import type { StateDir } from './state-dir.js';

/** Paths of one run's directory and the fixed files inside it. */
export interface RunPaths {
  runId: string;
  dir: string;
  journal: string;
  meta: string;
  params: string;
  logs: string;
  /** Folder holding the runbook copy (and any library steps copied beside it). */
  runbook: string;
}

/** Paths for a run id (nothing is created or checked). */
export function runPaths(state: StateDir, runId: string): RunPaths {
  const dir = join(state.runs, runId);
  return {
    runId,
    dir,
    journal: join(dir, 'journal.jsonl'),
    meta: join(dir, 'meta.json'),
    params: join(dir, 'params.json'),
    logs: join(dir, 'logs'),
    runbook: join(dir, 'runbook'),
  };
}

/** A step id made safe as a file name (engine ids are already safe; this is defence in depth). */
export function safeFileStem(id: string): string {
  const stem = id.replace(/[^A-Za-z0-9_-]/g, '_');
  return stem === '' ? '_' : stem;
}

/**
 * Log file name of a step execution: `ID.log` for run and finally steps,
 * `ID.rollback.log` for a compensation (step ids never contain a dot, so no clash).
 */
export function stepLogName(stepId: string, phase: Phase): string {
  return phase === 'rollback' ? `${safeFileStem(stepId)}.rollback.log` : `${safeFileStem(stepId)}.log`;
}
