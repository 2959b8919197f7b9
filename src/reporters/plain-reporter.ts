/**
 * For cron, pipes and CI (SPEC §7): one line per event, ISO timestamp first, no colour
 * and no cursor movement. Output lines carry the step id (and host) so a log grep works.
 */
import type { EngineEvent, StepFinishedEvent, TargetResult } from '../engine/events.js';
import { formatDuration } from '../engine/format-duration.js';
import type { TextWriter } from './json-reporter.js';
import type { Reporter } from './reporter.js';

/** Lines of a failed step's stdout that `--quiet` still prints. */
const QUIET_TAIL_LINES = 10;

export interface PlainOptions {
  /** `--quiet`: only failures and the summary. */
  quiet?: boolean;
}

function hostsNote(targets: TargetResult[]): string {
  const failed = targets.filter((t) => t.status !== 'succeeded' && t.status !== 'alreadyDone');
  return targets.length > 1 && failed.length > 0 ? ` [failed on ${failed.map((t) => t.target).join(', ')}]` : '';
}

function stepEnd(e: StepFinishedEvent): string {
  const label = e.name === e.stepId ? e.stepId : `${e.stepId} (${e.name})`;
  const attempts = e.attempt > 1 ? `, attempt ${e.attempt}` : '';
  const exit = e.exitCode !== null && e.status !== 'succeeded' ? `, exit ${e.exitCode}` : '';
  const tolerated = e.continueOnError ? ' (continueOnError)' : '';
  const why = e.error && e.status !== 'succeeded' ? `: ${e.error}` : '';
  const phase = e.phase === 'finally' ? 'finally ' : 'step ';
  if (e.status === 'alreadyDone') return `${phase}${label} ↷ already done (its check holds; not run)`;
  return `${phase}${label} ${e.status}${tolerated} in ${formatDuration(e.durationMs)}${attempts}${exit}${hostsNote(e.targets)}${why}`;
}

export function createPlainReporter(write: TextWriter, options: PlainOptions = {}): Reporter {
  const quiet = options.quiet ?? false;
  const line = (e: EngineEvent, text: string) => write(`${e.time} ${text}\n`);
  return {
    onRunBegin: (e) => !quiet && line(e, `run ${e.runId} ${e.mode === 'rollback' ? 'rolling back' : e.resumed ? 'resuming' : 'started'}: ${e.runbook} (${e.file})`),
    onStepBegin: (e) => !quiet && line(e, `${e.phase === 'finally' ? 'finally' : 'step'} ${e.stepId}${e.name !== e.stepId ? ` (${e.name})` : ''} started on ${e.targets.join(', ')}`),
    onBatchBegin: (e) => !quiet && line(e, `step ${e.stepId} batch: ${e.targets.join(', ')}`),
    onStepOutput: (e) => {
      if (quiet) return;
      const prefix = `${e.time} ${e.stepId}${e.phase === 'rollback' ? ' (rollback)' : ''}${e.host ? ` @${e.host}` : ''}${e.stream === 'stderr' ? ' !' : ' |'} `;
      let text = '';
      for (const l of e.lines) text += prefix + l + '\n';
      write(text);
    },
    onStepRetry: (e) => line(e, `step ${e.stepId}${e.host ? ` @${e.host}` : ''} attempt ${e.attempt}/${e.maxAttempts} failed (${e.error}); retrying in ${formatDuration(e.delayMs)}`),
    onStepEnd: (e) => {
      const failed = e.status !== 'succeeded' && e.status !== 'skipped' && e.status !== 'alreadyDone';
      if (quiet && !failed) return;
      line(e, stepEnd(e));
      // --quiet showed none of the output: give cron mail the last lines and where the rest is.
      if (quiet && failed && !e.continueOnError) {
        const tail = (e.stdoutTail ?? '').split('\n').filter(Boolean).slice(-QUIET_TAIL_LINES);
        let text = '';
        for (const l of tail) text += `${e.time} ${e.stepId} | ${l}\n`;
        write(`${text}${e.time} full output: stepwise logs ${e.runId} ${e.stepId}\n`);
      }
    },
    onRollbackBegin: (e) => !quiet && line(e, `rollback of ${e.stepId} started on ${e.targets.join(', ')}`),
    onRollbackEnd: (e) => (!quiet || e.status !== 'succeeded') && line(e, `rollback of ${e.stepId} ${e.status} in ${formatDuration(e.durationMs)}${e.error ? `: ${e.error}` : ''}`),
    onNotice: (e) => line(e, `${e.level === 'warn' ? 'warning: ' : ''}${e.message}`),
    onDecision: (e) => line(e, `operator chose ${e.choice} at step ${e.stepId}${e.note ? `: ${e.note}` : ''}`),
    onRunEnd: (e) =>
      line(e, `run ${e.runId} ${e.status} in ${formatDuration(e.durationMs)} (exit ${e.exitCode})${e.error ? `: ${e.error}` : ''}${e.rollbackPending?.length ? `; rollback pending for ${e.rollbackPending.join(', ')}: stepwise rollback ${e.runId}` : ''}`),
  };
}
