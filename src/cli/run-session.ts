/**
 * One invocation that executes something — `run`, `resume` or `rollback`: take the lock,
 * journal every event, render, handle signals, run the engine, release everything.
 */
import { runEngine, type EngineOptions } from '../engine/engine.js';
import type { EventSink } from '../engine/events.js';
import type { PriorRunState } from '../engine/prior-run.js';
import { parseDuration } from '../runbook/durations.js';
import type { Runbook, ScalarValue } from '../runbook/model.js';
import { LockHeldError, UsageError } from '../errors/stepwise-error.js';
import type { RunRecorder, StateStore, StoreLock } from '../journal/index.js';
import { Multiplexer } from '../reporters/multiplexer.js';
import { createReporters } from './create-reporters.js';
import { createExecutors } from './executors.js';
import { writeStderr } from './output.js';
import { RecordingSink } from './recording-sink.js';
import type { RunArgs } from './run-args.js';
import { watchSignals } from './signals.js';
import { canPrompt, checkPromptsPossible, createTtyPrompter } from './tty-prompter.js';
import { restoredForResume } from './continue-preview.js';
import { StepPreview } from './step-preview.js';

export interface SessionInput {
  runbook: Runbook;
  params: Record<string, ScalarValue>;
  secrets: Record<string, string>;
  runId: string;
  /** Where the run is recorded and its lock taken. */
  store: StateStore;
  args: RunArgs;
  mode: 'run' | 'rollback';
  prior?: PriorRunState;
  /** Local steps run here (the directory the run was first started in, for resume). */
  startDir: string;
  /** Starts recording once the lock is held (SPEC §3.2: lock, then journal). */
  openRecorder: () => Promise<RunRecorder>;
  /** Work that needs the lock held and may say something (resume: end a dead runner's leftovers). */
  beforeEngine?: (notice: (message: string) => void) => Promise<void>;
}

/** Parses `--wait-lock`; a bad value is a usage error. */
function waitLockMs(value: string | undefined): number {
  if (value === undefined) return 0;
  const ms = parseDuration(value);
  if (ms === undefined) throw new UsageError(`--wait-lock expects a duration like 30s or 5m, got \`${value}\``);
  return ms;
}

/** Runs the session; returns the process exit code. */
export async function runSession(input: SessionInput): Promise<number> {
  const { runbook, args } = input;
  // --step / --interactive with nobody to answer: refuse before the lock (exit 2), never run unasked.
  checkPromptsPossible(args);
  // --report FILE: an unusable path is refused now (exit 2), not found out after the run.
  const report = args.report === undefined ? undefined : (await import('./commands/report.js')).prepareRunReport(args.report, args.quiet ?? false);
  // Notices (signals, lock takeover) go through the sinks once they exist, so the live view
  // prints them cleanly and the journal keeps them; before that they wait, or go to stderr.
  let deliver: EventSink | undefined;
  const waiting: string[] = [];
  const notice = (message: string) => {
    if (deliver) deliver({ type: 'run.notice', level: 'warn', message, time: new Date().toISOString(), runId: input.runId });
    else waiting.push(message);
  };
  const signals = watchSignals(notice);
  let lock: StoreLock | undefined;
  let recording: RecordingSink | undefined;
  let reporters: Multiplexer | undefined;
  try {
    lock = await input.store.acquireLock(runbook.lock, {
      runId: input.runId,
      waitMs: waitLockMs(args.waitLock),
      signal: signals.cancel,
      onTakeover: (stale) =>
        notice(stale ? `took over lock "${runbook.lock}" from run ${stale.runId} (pid ${stale.pid} on ${stale.host} is gone)` : `took over lock "${runbook.lock}" (unreadable lock file)`),
    });
    // With the lock held nobody else starts a run of it: now its last run's verdict is final.
    if (input.mode === 'run' && !input.prior) await refuseIfBlocked(input.store, runbook.lock);
    const recorder = new RecordingSink(await input.openRecorder());
    recording = recorder;
    reporters = new Multiplexer([...(await createReporters(args))], (m) => writeStderr(`stepwise: ${m}\n`));
    // `--step` shows each command resolved with what the run knows by then, as `plan` would.
    const preview = new StepPreview(runbook, input.params, process.env, input.runId, args.limit, args.step && input.prior ? restoredForResume(input.prior, runbook).known : undefined);
    const show = reporters.onEvent;
    const onEvent: EventSink = (event) => {
      const failure = recorder.record(event);
      preview.observe(event);
      // A step whose start could not be recorded does not run: never announce it as started.
      if (failure === undefined || !(event.type === 'step.started' && event.phase === 'run')) show(event);
      if (failure !== undefined) {
        show({ type: 'run.notice', level: 'warn', message: `${failure}; no new step starts: stopping, compensating what ran, then finally (what follows is not in the journal)`, time: event.time, runId: input.runId });
      }
    };
    const executors = await createExecutors(runbook, input.runId);
    const prompter = canPrompt() ? createTtyPrompter({ runbook, preview: (step, style) => preview.lines(step, style) }) : undefined;
    try {
      const options: EngineOptions = {
        runbook,
        runId: input.runId,
        params: input.params,
        secrets: input.secrets,
        executorFor: executors.provider,
        onEvent,
        cancel: signals.cancel,
        hardStop: signals.hardStop,
        unrecordable: recorder.unrecordable,
        whenUnrecordable: input.store.whenUnrecordable,
        checkpoint: recorder.checkpoint,
        noRollback: args.rollback === false,
        mode: input.mode,
        startDir: input.startDir,
        env: process.env,
        assumeYes: args.yes ?? false,
        stepThrough: args.step ?? false,
        interactive: args.interactive ?? false,
        ...(prompter ? { prompter } : {}),
        ...(input.prior ? { prior: input.prior } : {}),
        ...(args.from ? { from: args.from } : {}),
        ...(args.only ? { only: args.only.split(',').map((s) => s.trim()) } : {}),
        ...(args.limit ? { limit: args.limit } : {}),
        ...(args.forks !== undefined ? { forks: args.forks } : {}),
      };
      deliver = onEvent;
      for (const message of waiting.splice(0)) notice(message);
      await input.beforeEngine?.(notice);
      const outcome = await runEngine(options);
      await recorder.close();
      if (recorder.failure === undefined) return outcome.exitCode;
      writeStderr(`stepwise: ${recorder.failure}\n  hint: ${unrecordedHint(input.store, input.runId)}\n`);
      return outcome.exitCode === 0 ? 1 : outcome.exitCode;
    } finally {
      await executors.close();
    }
  } finally {
    deliver = undefined;
    for (const message of waiting) writeStderr(`stepwise: ${message}\n`);
    signals.dispose();
    await recording?.close();
    await lock?.release().catch(() => undefined);
    await reporters?.close();
    // However the run ended, once it was journaled; this never throws, so the run's code stands.
    if (report && recording) await report.write(input.store, input.runId);
  }
}

/** What to do once state could not be written, as the store keeps it. */
function unrecordedHint(store: StateStore, runId: string): string {
  if (store.whenUnrecordable === 'stop') {
    return `the run stopped where its state could no longer be written (nothing was compensated blind); once ${store.location} is reachable again, \`stepwise resume ${runId}\` continues it or \`stepwise rollback ${runId}\` compensates it`;
  }
  return 'free space or fix permissions there; the journal ends where writing failed, so check the system before stepwise resume or rollback';
}

/** `blockAfterFailure`: a failed run of this lock that nobody acknowledged refuses the next one (exit 75). */
async function refuseIfBlocked(store: StateStore, lock: string): Promise<void> {
  const blocking = await store.blockingRun(lock);
  if (!blocking) return;
  const where = blocking.stepId ? ` at step ${blocking.stepId}` : '';
  const what = blocking.state === 'crashed' ? 'died' : blocking.state === 'cancelled' ? 'was cancelled' : 'failed';
  const when = blocking.at ? ` on ${blocking.at.slice(0, 19).replace('T', ' ')}Z` : '';
  throw new LockHeldError(
    `blocked: run ${blocking.runId} ${what}${where}${when}; look at it (stepwise show ${blocking.runId}), then stepwise ack ${blocking.runId}`,
    { hint: `The runbook says blockAfterFailure: true. \`stepwise resume ${blocking.runId}\` or \`stepwise rollback ${blocking.runId}\` to completion also unblocks it.` },
  );
}
