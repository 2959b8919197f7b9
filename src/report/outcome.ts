/**
 * A run's outcome in plain words, and what the operator can do next. Every sentence here
 * is derived from the journal; where the journal cannot tell, it says less, not more.
 */
import type { StoredRun } from '../journal/index.js';
import type { StepSummary } from '../journal/run-summary.js';
import { formatTime } from '../reporters/format-time.js';
import { COMPENSATION_WORDS } from '../reporters/status-words.js';

/** Colour family of a status. */
export type Tone = 'ok' | 'bad' | 'warn' | 'live' | 'muted';

/** The headline of the report. */
export interface Outcome {
  title: string;
  detail: string;
  tone: Tone;
}

/** One thing to do next: a sentence and, usually, the command that does it. */
export interface Advice {
  text: string;
  command?: string;
}

const failedOf = (steps: readonly StepSummary[]) => steps.filter((s) => (s.status === 'failed' || s.status === 'timedOut') && !s.continueOnError);
const names = (steps: readonly StepSummary[]) => steps.map((s) => `"${s.stepId}"`).join(', ');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Says how the run ended (or that it has not). */
export function describeOutcome(run: StoredRun): Outcome {
  const steps = run.summary.steps;
  const runSteps = steps.filter((s) => s.phase === 'run');
  const failed = failedOf(runSteps);
  const compensated = steps.filter((s) => s.rollback?.status === 'succeeded');
  const rollbackFailed = steps.filter((s) => s.rollback && s.rollback.status !== 'succeeded' && s.rollback.status !== 'started');
  const pending = run.summary.sessions.at(-1)?.rollbackPending ?? [];
  const running = steps.filter((s) => s.status === 'started');
  const undone = compensated.length > 0 ? `${plural(compensated.length, 'step')} compensated (${names(compensated)})` : 'nothing to undo';
  // A confirm answered no was declined, not failed (the live view's words).
  const declined = failed.length > 0 && failed.every((s) => s.decisions.some((d) => d.choice === 'no'));
  const failure = failed.length > 0 ? `Step ${names(failed)} ${declined ? 'was declined' : 'failed'}` : 'The run failed';
  switch (run.state) {
    case 'succeeded': {
      const done = runSteps.filter((s) => s.status === 'succeeded').length;
      const skipped = runSteps.filter((s) => s.status === 'skipped').length;
      const tolerated = runSteps.filter((s) => s.continueOnError).length;
      const extra = [skipped ? `${skipped} skipped` : '', tolerated ? `${tolerated} failed under continueOnError` : ''].filter(Boolean);
      return { title: 'Succeeded', tone: 'ok', detail: `${plural(done, 'step')} succeeded${extra.length ? `, ${extra.join(', ')}` : ''}.` };
    }
    case 'rolledBack':
      // Compensation ran; "rolled back" only when some rollback did (the live view's words).
      return { title: `Failed, ${compensated.length > 0 ? COMPENSATION_WORDS.done : COMPENSATION_WORDS.nothing}`, tone: 'bad', detail: `${failure}; ${undone}.` };
    case 'rollbackFailed':
      return { title: 'Rollback failed: a human must look', tone: 'bad', detail: `${failure}, and the rollback of ${names(rollbackFailed)} failed${compensated.length ? `; ${undone}` : ''}.` };
    case 'failed': {
      const finallyFailed = failedOf(steps.filter((s) => s.phase === 'finally'));
      if (failed.length === 0 && finallyFailed.length > 0) {
        return { title: 'Failed in finally', tone: 'bad', detail: `The steps succeeded, but finally step ${names(finallyFailed)} failed.` };
      }
      return { title: 'Failed, not compensated', tone: 'bad', detail: `${failure}; the run halted without compensating${compensated.length ? ` (${undone})` : ''}.` };
    }
    case 'cancelled': {
      const notRun = run.summary.notices.some((n) => n.message.startsWith('compensation not run'));
      const how = pending.length > 0 ? `compensation was cut short by a second signal; not compensated: ${pending.map((p) => `"${p}"`).join(', ')}` : notRun ? 'compensation was not run' : undone;
      return { title: 'Interrupted', tone: 'warn', detail: `The run was interrupted; ${how}.` };
    }
    case 'running':
      return { title: 'In progress', tone: 'live', detail: `The run is still going${running.length ? `: step ${names(running)} is running` : ''}. This report shows what was recorded up to ${formatTime(run.summary.lastEventAt)}.` };
    case 'crashed':
      return { title: 'Crashed', tone: 'warn', detail: `The runner stopped before the run finished (last record at ${formatTime(run.summary.lastEventAt)})${running.length ? `, while step ${names(running)} was running` : ''}.` };
  }
}

/** What can be done about the run now, for the footer (empty when nothing applies). */
export function nextSteps(run: StoredRun): Advice[] {
  const id = run.runId;
  const resume: Advice = { text: 'Continue from the first step that did not succeed:', command: `stepwise resume ${id}` };
  const rollback: Advice = { text: 'Compensate the steps that ran, newest first:', command: `stepwise rollback ${id}` };
  const pending = run.summary.sessions.at(-1)?.rollbackPending ?? [];
  switch (run.state) {
    case 'succeeded':
      return [{ text: 'Nothing to resume or roll back.' }];
    case 'rolledBack':
      if (run.summary.sessions.at(-1)?.compensated?.length === 0) return [{ text: 'Nothing was undone (no step that ran had a rollback). Fix the cause, then continue from the step that failed:', command: `stepwise resume ${id}` }];
      return [{ text: 'Everything that ran and had a rollback was compensated. Fix the cause, then run the runbook again.' }];
    case 'rollbackFailed':
      return [{ text: 'Find out why the rollback failed and repair it by hand if needed; then retry the compensations that failed:', command: `stepwise rollback ${id}` }];
    case 'failed':
      return [resume, rollback];
    case 'cancelled':
      if (pending.length > 0) return [{ text: `Finish the compensation a second signal cut short (${pending.join(', ')}):`, command: `stepwise rollback ${id}` }];
      if (run.summary.notices.some((n) => n.message.startsWith('compensation not run'))) return [resume, rollback];
      return [{ text: 'Everything that ran and had a rollback was compensated. To run the steps again:', command: `stepwise resume ${id}` }];
    case 'running':
      return [{ text: 'The run is still going. Write the report again when it has ended:', command: `stepwise report ${id}` }];
    case 'crashed':
      return [resume, rollback];
  }
}
