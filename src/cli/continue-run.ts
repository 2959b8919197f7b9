/**
 * `resume` and `rollback` continue a stored run: its journal says what was done, its
 * runbook copy says what to do (SPEC §4). The same lock is taken again.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors/stepwise-error.js';
import { describeLost, JournalWriter, loadRun, openStateDir, type LoadedRun } from '../journal/index.js';
import { loadRunbook } from '../runbook/load-runbook.js';
import { resolveParams } from '../runbook/params.js';
import { resolveSecrets } from '../runbook/secrets.js';
import { endLeftovers } from '../targets/local-leftovers.js';
import { writeStderr } from './output.js';
import type { RunArgs } from './run-args.js';
import { runSession } from './run-session.js';

/** SIGTERM to SIGKILL for leftovers of a crashed run, as for a timed-out step. */
const LEFTOVER_GRACE_MS = 5000;

/** Options of the original invocation that still apply, unless given again now. */
function inheritedArgs(run: LoadedRun, args: RunArgs): RunArgs {
  const stored = run.meta?.options ?? {};
  const text = (key: string) => (typeof stored[key] === 'string' ? (stored[key] as string) : undefined);
  const merged: RunArgs = { ...args };
  merged.inventory ??= text('inventory');
  merged.limit ??= text('limit');
  merged.only ??= text('only');
  merged.from ??= text('from');
  if (stored.noRollback === true && args.rollback !== false) merged.rollback = false;
  return merged;
}

/** Stored params (secrets are never stored: they must be given again), then new --param values. */
function paramsAgain(run: LoadedRun, args: RunArgs): string[] {
  const secretNames = new Set(Array.isArray(run.meta?.options.secretParams) ? (run.meta?.options.secretParams as string[]) : []);
  const stored = Object.entries(run.params ?? {})
    .filter(([name]) => !secretNames.has(name))
    .map(([name, value]) => `${name}=${String(value)}`);
  return [...stored, ...(args.param ?? [])];
}

export async function continueRun(runIdInput: string, rawArgs: RunArgs, mode: 'run' | 'rollback'): Promise<number> {
  const state = openStateDir(rawArgs.stateDir ? { stateDir: rawArgs.stateDir } : {});
  const run = loadRun(state, runIdInput);
  for (const line of describeLost(run.journal.lost)) writeStderr(`stepwise: warning: ${line}\n`);
  const status = run.prior.status;
  if (mode === 'run' && status === 'succeeded') {
    writeStderr(`stepwise: run ${run.runId} already succeeded; nothing to resume\n`);
    return 0;
  }
  if (mode === 'rollback' && status === 'succeeded') {
    throw new UsageError(`run ${run.runId} succeeded; rolling back a finished run is not what rollback is for`, {
      hint: 'rollback compensates a run that failed, was halted (--no-rollback) or crashed',
    });
  }
  if (!run.runbookCopy) throw new UsageError(`run ${run.runId} has no stored runbook copy, so it cannot be continued`);
  const args = inheritedArgs(run, rawArgs);
  const runbook = await loadRunbook(run.runbookCopy, { forRun: true, ...(args.inventory ? { inventoryFile: args.inventory } : {}) });
  warnIfChanged(run);
  const params = resolveParams(runbook, { params: paramsAgain(run, args), ...(args.paramsFile ? { paramsFile: args.paramsFile } : {}) });
  const secrets = resolveSecrets(runbook, process.env);
  return runSession({
    runbook,
    params,
    secrets,
    runId: run.runId,
    state,
    args,
    mode,
    prior: run.prior,
    startDir: run.meta?.cwd ?? process.cwd(),
    openJournal: () => JournalWriter.open(state, run.runId),
    // Only now, with the lock held, is it certain the processes below belong to a dead runner.
    beforeEngine: async (notice) => {
      const groups = new Set(run.journal.events.flatMap((e) => (e.type === 'step.process' ? [e.pid] : [])));
      const ended = await endLeftovers(groups, run.runId, LEFTOVER_GRACE_MS);
      if (ended > 0) notice(`ended ${ended} process(es) still running from the interrupted run's steps, so no step runs twice at once`);
    },
  });
}

/** Resume always uses the copy; say so when the file on disk has changed since. */
function warnIfChanged(run: LoadedRun): void {
  const original = run.meta?.file;
  if (!original || !run.runbookCopy) return;
  try {
    if (readFileSync(original, 'utf8') !== readFileSync(run.runbookCopy, 'utf8')) {
      writeStderr(`stepwise: note: ${original} changed since run ${run.runId} started; continuing with the copy it started with\n`);
    }
  } catch {
    writeStderr(`stepwise: note: ${original} is gone; continuing with the copy run ${run.runId} started with\n`);
  }
}
