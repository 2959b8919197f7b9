/** Finds a run by the id an operator typed: exact, or an unambiguous prefix of one. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors/stepwise-error.js';
import { errnoCode } from './fs-util.js';
import { isSafeRunId } from './run-id.js';
import type { StateDir } from './state-dir.js';

/** Run ids under `runs/`, newest first (ids sort by time). */
export function listRunIds(state: StateDir): string[] {
  try {
    return readdirSync(state.runs)
      .filter((name) => isSafeRunId(name))
      .sort()
      .reverse();
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
}

/** The full id of a run; UsageError (exit 2) when unknown or ambiguous. */
export function resolveRunId(state: StateDir, typed: string): string {
  const hint = '`stepwise history` lists runs.';
  if (!isSafeRunId(typed)) throw new UsageError(`"${typed}" is not a run id`, { hint });
  if (existsSync(join(state.runs, typed, 'journal.jsonl')) || existsSync(join(state.runs, typed, 'meta.json'))) return typed;
  const matches = listRunIds(state).filter((id) => id.startsWith(typed));
  if (matches.length === 1 && matches[0] !== undefined) return matches[0];
  if (matches.length > 1) {
    const shown = matches.slice(0, 5).join(', ');
    throw new UsageError(`Run id "${typed}" is ambiguous: it starts ${matches.length} runs (${shown}${matches.length > 5 ? ', …' : ''})`, {
      hint: 'Type more of the id.',
    });
  }
  throw new UsageError(`No run "${typed}" in ${state.runs}`, { hint });
}
