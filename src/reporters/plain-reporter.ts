/**
 * For cron, pipes and CI (SPEC §7): one line per event, ISO timestamp first, no colour and no
 * cursor movement. Output lines carry the step id (and host) so a log grep works.
 *
 * Two streams, so that `>/dev/null` in a crontab mails failures only: progress of a run goes
 * to `progress` (stdout); a failed step (with the last lines of both its streams), what
 * follows it (compensation, finally), warnings and the summary of a run that did not succeed
 * go to `problems` (stderr). `--quiet` prints nothing at all for a run that succeeds.
 */
import type { EngineEvent, RollbackFinishedEvent, RunFinishedEvent, StepFinishedEvent } from '../engine/events.js';
import { formatDuration } from '../runbook/durations.js';
import { LinePrefixer } from '../engine/output-bytes.js';
import { hasControlBytes } from './control-bytes.js';
import { FailureTails, type TailLine } from './failure-tail.js';
import { countHosts, formatHostCounts, statesOf } from './host-counts.js';
import type { TextWriter } from './json-reporter.js';
import { hasControlCodes } from './terminal-style.js';
import type { Reporter } from './reporter.js';
import { endedWell, newRunFacts, nextCommands, observe, runHeadline, stepCounts, wasDeclined, type RunFacts } from './run-outcome.js';
import { ROLLBACK_WORDS, stepWord } from './status-words.js';

/** Where the lines go. */
export interface PlainWriters {
  /** Progress of the run (stdout). */
  progress: TextWriter;
  /** Failures, what follows them, warnings, and the summary of a run that did not succeed (stderr). */
  problems: TextWriter;
  /** Step output for `progress` as bytes, written as they are (only output found free of control codes comes here). */
  progressBytes?: BytesWriter;
  /** The same for `problems`. */
  problemsBytes?: BytesWriter;
}

/** Writes bytes synchronously, as they are. */
export type BytesWriter = (bytes: Uint8Array) => void;

export interface PlainOptions {
  /** `--quiet`: nothing for a run that succeeds; for one that does not, only the failure and what follows it. */
  quiet?: boolean;
}

/** A step on several hosts ends with where they stand: `[187/200 hosts done, 2 failed: web-17, web-103]`. */
function hostsNote(e: StepFinishedEvent, hosts: readonly string[] | undefined): string {
  if (hosts !== undefined && hosts.length > 1 && e.status !== 'skipped') {
    const tolerates = e.toleratedFailures !== undefined ? `; tolerates ${e.toleratedFailures} failed` : '';
    return ` [${formatHostCounts(countHosts(hosts, statesOf(e.targets)), { ended: true })}${tolerates}]`;
  }
  const failed = e.targets.filter((t) => t.status !== 'succeeded' && t.status !== 'alreadyDone');
  return e.targets.length > 1 && failed.length > 0 ? ` [failed on ${failed.map((t) => t.target).join(', ')}]` : '';
}

function isFailure(e: StepFinishedEvent): boolean {
  return e.status === 'failed' || e.status === 'timedOut';
}

function stepEnd(e: StepFinishedEvent, declined: boolean, hosts: readonly string[] | undefined): string {
  const label = e.name === e.stepId ? e.stepId : `${e.stepId} (${e.name})`;
  const phase = e.phase === 'finally' ? 'finally ' : 'step ';
  if (e.status === 'alreadyDone') return `${phase}${label} ↷ already done (its check holds; not run)`;
  if (e.status === 'skipped') return `${phase}${label} skipped${e.error ? `: ${e.error}` : ''}`;
  if (declined) return `${phase}${label} declined${e.error ? `: ${e.error}` : ''}`;
  const attempts = e.attempt > 1 ? `, attempt ${e.attempt}` : '';
  const exit = e.exitCode !== null && e.status !== 'succeeded' ? `, exit ${e.exitCode}` : '';
  const tolerated = e.continueOnError ? ' (continueOnError: the run goes on)' : '';
  const done = e.targets.filter((t) => t.status === 'alreadyDone').map((t) => t.target);
  const already = done.length > 0 && !(hosts !== undefined && hosts.length > 1) ? ` (already done on ${done.join(', ')})` : '';
  const why = e.error && e.status !== 'succeeded' ? `: ${e.error}` : '';
  return `${phase}${label} ${stepWord(e.status)}${tolerated} in ${formatDuration(e.durationMs)}${attempts}${exit}${hostsNote(e, hosts)}${already}${why}`;
}

function rollbackEnd(e: RollbackFinishedEvent): string {
  const exit = e.status !== 'succeeded' && e.exitCode !== null ? `, exit ${e.exitCode}` : '';
  return `rollback of ${e.stepId} ${ROLLBACK_WORDS[e.status]} in ${formatDuration(e.durationMs)}${exit}${e.error ? `: ${e.error}` : ''}`;
}

function runEnd(e: RunFinishedEvent, facts: RunFacts): string[] {
  const counts = facts.mode === 'run' ? `${stepCounts(facts)}; ` : '';
  const what = facts.mode === 'rollback' ? `rollback of run ${e.runId}` : `run ${e.runId}`;
  const lines = [`${what} ${runHeadline(e, facts)} in ${formatDuration(e.durationMs)} (${counts}exit ${e.exitCode})${e.error ? `: ${e.error}` : ''}`];
  for (const [command, why] of nextCommands(e, facts)) lines.push(`next: ${command}  (${why})`);
  return lines;
}

/** Creates the plain reporter. */
export function createPlainReporter(writers: PlainWriters, options: PlainOptions = {}): Reporter {
  const quiet = options.quiet ?? false;
  const facts = newRunFacts();
  const tails = new FailureTails();
  const prefixer = new LinePrefixer();
  /** Set once the run is going wrong: from then on everything is part of the failure. */
  let failing = false;
  /** Under --quiet, warnings wait: they are printed only if the run does not succeed. */
  const heldWarnings: string[] = [];
  /** Hosts each step started with (by `phase:stepId`), for the counts at its end. */
  const stepHosts = new Map<string, string[]>();
  const stamp = (e: EngineEvent, text: string) => `${e.time} ${text}\n`;
  const progress = (e: EngineEvent, text: string) => {
    if (failing) writers.problems(stamp(e, text));
    else if (!quiet) writers.progress(stamp(e, text));
  };
  const problem = (e: EngineEvent, text: string) => writers.problems(stamp(e, text));
  /** The lines as they were shown while streaming, then where the whole log is. */
  const tailText = (e: EngineEvent, stepId: string, lines: TailLine[], rollback = false) => {
    let text = '';
    for (const l of lines) text += `${l.time} ${stepId}${rollback ? ' (rollback)' : ''}${l.host !== undefined ? ` @${l.host}` : ''}${l.stream === 'stderr' ? ' !' : ' |'} ${l.line}\n`;
    return `${text}${e.time} full output: stepwise logs ${e.runId} ${stepId}\n`;
  };

  return {
    onRunBegin: (e) => {
      observe(facts, e);
      progress(e, `run ${e.runId} ${e.mode === 'rollback' ? 'rolling back' : e.resumed ? 'resuming' : 'started'}: ${e.runbook} (${e.file})`);
    },
    onStepBegin: (e) => {
      observe(facts, e);
      stepHosts.set(`${e.phase}:${e.stepId}`, e.targets);
      progress(e, `${e.phase === 'finally' ? 'finally' : 'step'} ${e.stepId}${e.name !== e.stepId ? ` (${e.name})` : ''} started on ${e.targets.join(', ')}`);
    },
    onBatchBegin: (e) => progress(e, `step ${e.stepId} batch: ${e.targets.join(', ')}`),
    onStepOutput: (e) => {
      tails.push(e);
      if (quiet && !failing) return;
      const prefix = `${e.time} ${e.stepId}${e.phase === 'rollback' ? ' (rollback)' : ''}${e.host ? ` @${e.host}` : ''}${e.stream === 'stderr' ? ' !' : ' |'} `;
      // Bytes move as they are unless something in them could drive a terminal: that text is sanitized.
      const asBytes = failing ? writers.problemsBytes : writers.progressBytes;
      if (e.bytes !== undefined && asBytes !== undefined && !hasControlCodes(prefix) && !hasControlBytes(e.bytes)) return asBytes(prefixer.apply(e.bytes, prefix));
      let text = '';
      for (const l of e.lines) text += prefix + l + '\n';
      (failing ? writers.problems : writers.progress)(text);
    },
    onStepRetry: (e) => progress(e, `step ${e.stepId}${e.host ? ` @${e.host}` : ''} attempt ${e.attempt}/${e.maxAttempts} failed (${e.error}); retrying in ${formatDuration(e.delayMs)}`),
    onStepCheck: (e) => {
      if (e.type !== 'step.check.finished' || e.result !== 'error') return;
      progress(e, `step ${e.stepId}${e.host ? ` @${e.host}` : ''} check ${e.when === 'before' ? 'before the step' : 'after the step'} could not run: ${e.error ?? 'unknown error'}`);
    },
    onStepEnd: (e) => {
      observe(facts, e);
      const line = stepEnd(e, wasDeclined(facts, e.stepId), stepHosts.get(`${e.phase}:${e.stepId}`));
      if (!isFailure(e) || e.continueOnError) {
        tails.drop(e.stepId, e.phase);
        progress(e, line);
        return;
      }
      // The failure and everything after it go to stderr; the tail repeats what stdout showed, so the mail stands alone.
      failing = true;
      for (const warning of heldWarnings.splice(0)) writers.problems(warning);
      const tail = tails.take(e.stepId, e.phase, e.targets);
      problem(e, line);
      if (!wasDeclined(facts, e.stepId)) writers.problems(tailText(e, e.stepId, tail));
    },
    onRollbackBegin: (e) => {
      observe(facts, e);
      // Compensation after a failure is part of the failure; `stepwise rollback` is what was asked for.
      if (facts.mode === 'run') failing = true;
      progress(e, `rollback of ${e.stepId} started on ${e.targets.join(', ')}`);
    },
    onRollbackEnd: (e) => {
      const tail = tails.take(e.stepId, 'rollback', e.targets);
      if (e.status === 'succeeded') return progress(e, rollbackEnd(e));
      // Its lines are already on stderr unless --quiet held them or they went out as progress.
      const shown = failing && !quiet;
      failing = true;
      problem(e, rollbackEnd(e));
      if (!shown) writers.problems(tailText(e, e.stepId, tail, true));
    },
    onNotice: (e) => {
      const text = stamp(e, `${e.level === 'warn' ? 'warning: ' : ''}${e.message}`);
      if (e.level === 'warn') {
        if (quiet && !failing) heldWarnings.push(text);
        else writers.problems(text);
      } else progress(e, e.message);
    },
    onDecision: (e) => {
      observe(facts, e);
      progress(e, `operator chose ${e.choice} at step ${e.stepId}${e.note ? `: ${e.note}` : ''}`);
    },
    onRunEnd: (e) => {
      const ok = endedWell(e, facts);
      if (!ok) {
        failing = true;
        for (const warning of heldWarnings.splice(0)) writers.problems(warning);
      }
      for (const text of runEnd(e, facts)) (ok ? progress : problem)(e, text);
    },
  };
}
