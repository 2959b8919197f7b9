/**
 * `resume` and `rollback` continue a stored run: its journal says what was done, its
 * runbook copy says what to do (SPEC §4), and what it acted on — params, inventory,
 * `--limit`, `--from`, `--only` — is the run's own, never changed on the way. The same lock
 * is taken again. `--dry-run` prints what would happen and touches nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isSelected } from '../engine/step-selection.js';
import { UsageError } from '../errors/stepwise-error.js';
import { hostname } from 'node:os';
import { describeLost, openStateStore, untrustedJournal, type RunbookCheckout, type StateStore, type StoredRun } from '../journal/index.js';
import { createStyle } from '../reporters/terminal-style.js';
import { loadRunbook } from '../runbook/load-runbook.js';
import type { Runbook, ScalarValue } from '../runbook/model.js';
import { resolveSecrets } from '../runbook/secrets.js';
import { endLeftovers } from '../targets/local-leftovers.js';
import { compensationJson, compensationPreview, formatCompensation } from './compensation-format.js';
import { compensationPlan, restoredForResume, type CompensationPlan } from './continue-preview.js';
import { colorWanted } from './create-reporters.js';
import { countOption } from './count-option.js';
import { writeStderr, writeStdout } from './output.js';
import { buildPlan } from './plan-model.js';
import { printPlan } from './plan-print.js';
import { PlanResolver } from './plan-resolve.js';
import { askBeforeRollback } from './rollback-question.js';
import type { ContinueArgs, RunArgs } from './run-args.js';
import { runSession } from './run-session.js';
import { stateChoiceOf } from './state-args.js';
import { checkLimit, parseOnly } from './step-selection.js';
import { paramsOfRun } from './stored-params.js';
import { canPrompt } from './tty-prompter.js';

/** SIGTERM to SIGKILL for leftovers of a crashed run, as for a timed-out step. */
const LEFTOVER_GRACE_MS = 5000;

/** What the original invocation chose about steps and targets; it still applies. */
interface StoredSelection {
  /** Absolute: resolved against the directory the run was started in. */
  inventory?: string;
  limit?: string;
  only?: string;
  from?: string;
  noRollback: boolean;
}

function storedSelection(run: StoredRun): StoredSelection {
  const stored = run.meta?.options ?? {};
  const text = (key: string) => (typeof stored[key] === 'string' ? (stored[key] as string) : undefined);
  const inventory = text('inventory');
  const selection: StoredSelection = { noRollback: stored.noRollback === true };
  if (inventory !== undefined) {
    const path = resolve(run.meta?.cwd ?? process.cwd(), inventory);
    if (!existsSync(path)) {
      throw new UsageError(`run ${run.runId} used --inventory ${inventory} (${path}), which is gone`, {
        hint: 'put the inventory back where it was: resume and rollback act on the hosts the run used',
      });
    }
    selection.inventory = path;
  }
  for (const key of ['limit', 'only', 'from'] as const) {
    const value = text(key);
    if (value !== undefined) selection[key] = value;
  }
  return selection;
}

/** Everything checked and loaded; nothing executed yet. */
interface Continuation {
  store: StateStore;
  run: StoredRun;
  runbook: Runbook;
  params: Record<string, ScalarValue>;
  /** Values of top-level `secrets:` (not read for a dry run). */
  secrets: Record<string, string>;
  selection: StoredSelection;
}

export async function continueRun(runIdInput: string, args: ContinueArgs, mode: 'run' | 'rollback'): Promise<number> {
  countOption('output-lines', args.outputLines, 0);
  countOption('forks', args.forks, 1);
  if (args.dryRun && args.report !== undefined) throw new UsageError('--report has nothing to report with --dry-run: a dry run executes nothing', { hint: 'Leave out one of them.' });
  // A dry run creates nothing, not even a missing state directory.
  const store = await openStateStore(stateChoiceOf(args), { writable: !args.dryRun });
  let checkout: RunbookCheckout | undefined;
  try {
    const run = await store.loadRun(await store.resolveRunId(runIdInput));
    checkout = await checkContinuable(store, run, mode);
    return await continueLoaded(store, run, checkout, args, mode);
  } finally {
    checkout?.dispose();
    await store.close();
  }
}

/** Refuses what cannot be continued (exit 2, nothing executed); returns the stored runbook. */
async function checkContinuable(store: StateStore, run: StoredRun, mode: 'run' | 'rollback'): Promise<RunbookCheckout> {
  const command = mode === 'run' ? 'resume' : 'rollback';
  const untrusted = untrustedJournal(run, command);
  if (untrusted) throw untrusted;
  for (const line of describeLost(run.journal.lost)) writeStderr(`stepwise: warning: ${line}\n`);
  // A failed run whose compensation found nothing to undo left everything as it was: resumable.
  const nothingUndone = run.state === 'rolledBack' && run.summary.sessions.at(-1)?.compensated?.length === 0;
  if (mode === 'run' && (run.state === 'succeeded' || (run.state === 'rolledBack' && !nothingUndone))) {
    throw new UsageError(`run ${run.runId} ${run.state === 'succeeded' ? 'already succeeded' : 'was rolled back'}: it is finished, so there is nothing to resume`, {
      hint: '`stepwise run` starts a new run of its runbook.',
    });
  }
  if (mode === 'rollback' && run.state === 'succeeded') {
    throw new UsageError(`run ${run.runId} succeeded; rolling back a finished run is not what rollback is for`, {
      hint: 'rollback compensates a run that failed, was halted (--no-rollback) or crashed',
    });
  }
  const checkout = await store.checkoutRunbook(run);
  if (!checkout) throw new UsageError(`run ${run.runId} has no stored runbook copy, so it cannot be continued`);
  return checkout;
}

async function continueLoaded(store: StateStore, run: StoredRun, checkout: RunbookCheckout, args: ContinueArgs, mode: 'run' | 'rollback'): Promise<number> {
  const command = mode === 'run' ? 'resume' : 'rollback';
  const selection = storedSelection(run);
  const runbook = await loadRunbook(checkout.file, { forRun: !args.dryRun, ...(selection.inventory ? { inventoryFile: selection.inventory } : {}) });
  warnIfChanged(run, checkout);
  // The inventory file may have changed since the run started.
  checkLimit(runbook, selection.limit);
  const compensation = mode === 'rollback' ? await compensationPlan(run.prior, runbook, selection.limit) : undefined;
  // A run still going may yet stack rollbacks: then its lock answers (exit 75), not this.
  const nothingToUndo = compensation?.entries.length === 0 && run.state !== 'running';
  // Secrets are asked for only when something will run that may need them.
  const needSecrets = !args.dryRun && !nothingToUndo;
  const params = paramsOfRun(runbook, { runId: run.runId, command, stored: run.params ?? {}, param: args.param, paramsFile: args.paramsFile, needSecrets });
  if (args.dryRun && run.state === 'running') writeStderr(`stepwise: note: run ${run.runId} is still running; what it has done may change before you act\n`);
  // Read before any question, so a missing secret never follows a "yes".
  // A secret `file:` is relative to the runbook the run started from, not to its stored copy.
  const secrets = needSecrets ? resolveSecrets({ ...runbook, file: run.meta?.file ?? runbook.file }, process.env) : {};
  const continuation: Continuation = { store, run, runbook, params, secrets, selection };
  if (mode === 'run' && args.dryRun) return previewResume(continuation, args);
  if (compensation) {
    const decided = await beforeRollback(continuation, compensation, args);
    if (decided !== undefined) return decided;
  }
  return execute(continuation, args, mode);
}

/** `resume --dry-run`: the plan of what is left, with what the run already knows filled in. */
function previewResume({ run, runbook, params, selection }: Continuation, args: ContinueArgs): number {
  const restored = restoredForResume(run.prior, runbook);
  const only = parseOnly(selection.only);
  const selected = runbook.steps.filter((s) => !restored.done.has(s.id) && isSelected(s.id, runbook.steps, { from: selection.from, only }));
  const plan = buildPlan({
    runbook,
    params,
    resolver: new PlanResolver(runbook, params, process.env, { runId: run.runId, steps: restored.known }),
    selected,
    ...(only ? { only } : {}),
    ...(selection.from ? { from: selection.from } : {}),
    ...(selection.limit ? { limit: selection.limit } : {}),
    ...(selection.inventory ? { inventory: selection.inventory } : {}),
    noRollback: selection.noRollback || args.rollback === false,
    resume: { runId: run.runId, done: runbook.steps.filter((s) => restored.done.has(s.id)).map((s) => s.id), stacked: restored.stacked },
  });
  printPlan(plan, args.json === true);
  return 0;
}

/**
 * `rollback`: with `--dry-run` print what would be compensated; with nothing to compensate
 * say so; on a terminal ask first. Returns the exit code when nothing is to run.
 */
async function beforeRollback({ run, runbook, params }: Continuation, { entries, known }: CompensationPlan, args: ContinueArgs): Promise<number | undefined> {
  const preview = compensationPreview(run.runId, runbook, entries, new PlanResolver(runbook, params, process.env, { runId: run.runId, steps: known }));
  const style = (tty: boolean) => createStyle(tty && colorWanted());
  if (args.dryRun) {
    writeStdout(args.json ? compensationJson(preview) : `${formatCompensation(preview, style(Boolean(process.stdout.isTTY))).join('\n')}\n`);
    return 0;
  }
  if (entries.length === 0 && run.state !== 'running') {
    // Nothing to compensate, but a crashed run's leftovers (processes, temp files) still go.
    await endDeadRunLeftovers(run, (message) => writeStderr(`stepwise: ${message}\n`));
    (args.json ? writeStderr : writeStdout)(`${formatCompensation(preview, style(false)).join('\n')}\n`);
    return 0;
  }
  if (args.yes || !canPrompt()) return undefined;
  const answer = await askBeforeRollback(formatCompensation(preview, style(Boolean(process.stderr.isTTY))));
  if (answer === 'yes') return undefined;
  if (answer === 'interrupted') {
    writeStderr(`stepwise: interrupted; nothing was done to run ${run.runId}\n`);
    return 130;
  }
  writeStderr(`stepwise: ${answer === 'no' ? 'not rolled back' : 'no answer'}: nothing was done; run ${run.runId} is as it was (stepwise rollback ${run.runId} when ready)\n`);
  return 0;
}

/** Takes the lock and runs the engine on the stored run. */
function execute({ store, run, runbook, params, secrets, selection }: Continuation, args: ContinueArgs, mode: 'run' | 'rollback'): Promise<number> {
  const runArgs: RunArgs = {
    ...args,
    file: runbook.file,
    ...(selection.inventory ? { inventory: selection.inventory } : {}),
    ...(selection.limit ? { limit: selection.limit } : {}),
    ...(selection.only ? { only: selection.only } : {}),
    ...(selection.from ? { from: selection.from } : {}),
    // A run started with --no-rollback stays so: it was asked to keep state for a human.
    ...(selection.noRollback ? { rollback: false } : {}),
  };
  return runSession({
    runbook,
    params,
    secrets,
    runId: run.runId,
    store,
    args: runArgs,
    mode,
    prior: run.prior,
    startDir: run.meta?.cwd ?? process.cwd(),
    openRecorder: () => store.continueRun(run.runId),
    // Only now, with the lock held, is it certain the processes below belong to a dead runner.
    beforeEngine: (notice) => endDeadRunLeftovers(run, notice),
  });
}

/**
 * Ends what a dead runner's local steps left running and removes its temp files (the run id
 * in their environment proves whose they are) — on this machine only: a runner that died on
 * another one left its processes there, out of reach.
 */
async function endDeadRunLeftovers(run: StoredRun, notice: (message: string) => void): Promise<void> {
  const last = run.meta?.sessions.at(-1);
  if (last && last.host !== hostname()) {
    notice(`run ${run.runId} last ran on ${last.host} (pid ${last.pid}); processes its steps left running there cannot be ended from ${hostname()} (remote steps end when that runner's SSH connections close)`);
    return;
  }
  const groups = new Set(run.journal.events.flatMap((e) => (e.type === 'step.process' ? [e.pid] : [])));
  const ended = await endLeftovers(groups, run.runId, LEFTOVER_GRACE_MS);
  if (ended > 0) notice(`ended ${ended} process(es) still running from the interrupted run's steps, so no step runs twice at once`);
}

/** Resume always uses the copy; say so when the file on disk has changed since. */
function warnIfChanged(run: StoredRun, checkout: RunbookCheckout): void {
  const original = run.meta?.file;
  if (!original) return;
  try {
    if (readFileSync(original, 'utf8') !== checkout.text) {
      writeStderr(`stepwise: note: ${original} changed since run ${run.runId} started; continuing with the copy it started with\n`);
    }
  } catch {
    writeStderr(`stepwise: note: ${original} is gone; continuing with the copy run ${run.runId} started with\n`);
  }
}
