/**
 * How a run ended, in words that are true (SPEC §7): "rolled back" only when a rollback ran,
 * "nothing to undo" when compensation found nothing, "rollback incomplete" when one failed or
 * was cut short, "declined" for a confirm answered no, "cancelled" only for a signal. The
 * live view and the plain lines both say it this way, with the commands to type next.
 */
import type { EngineEvent, RunFinishedEvent } from '../engine/events.js';
import { COMPENSATION_WORDS } from './status-words.js';

/** What a reporter saw during this invocation that changes the words of the summary. */
export interface RunFacts {
  runbook: string;
  runId: string;
  mode: 'run' | 'rollback';
  /** This invocation continued an earlier one (resume). */
  resumed: boolean;
  /** Rollbacks started in this invocation. */
  rollbacks: number;
  /** Steps of the run phase that started here (a failed one may have half-applied). */
  started: number;
  /** Run-phase steps that ran (succeeded or failed), were already done, or were skipped. */
  ran: number;
  alreadyDone: number;
  skipped: number;
  /** Steps whose `confirm:` was answered no (the engine reports them failed). */
  declined: Set<string>;
  /** Steps whose non-tolerated failure stopped the run (run phase). */
  failedSteps: string[];
  /** Finally steps that failed. */
  failedFinally: string[];
  /** The operator chose quit at `--step`. */
  quit: boolean;
}

/** Fresh facts, before `run.started`. */
export function newRunFacts(): RunFacts {
  return { runbook: '', runId: '', mode: 'run', resumed: false, rollbacks: 0, started: 0, ran: 0, alreadyDone: 0, skipped: 0, declined: new Set(), failedSteps: [], failedFinally: [], quit: false };
}

/** Updates the facts with one event (call it for every event, before rendering it). */
export function observe(facts: RunFacts, event: EngineEvent): void {
  switch (event.type) {
    case 'run.started':
      Object.assign(facts, { runbook: event.runbook, runId: event.runId, mode: event.mode, resumed: event.resumed });
      return;
    case 'step.started':
      if (event.phase === 'run') facts.started++;
      return;
    case 'step.decision':
      // `no` is only ever the answer to a confirm: gate; `quit` only to --step.
      if (event.choice === 'no') facts.declined.add(event.stepId);
      if (event.choice === 'quit') facts.quit = true;
      return;
    case 'step.finished': {
      const failed = event.status === 'failed' || event.status === 'timedOut';
      if (event.phase === 'finally') {
        if (failed && !event.continueOnError) facts.failedFinally.push(event.stepId);
        return;
      }
      if (event.status === 'alreadyDone') facts.alreadyDone++;
      else if (event.status === 'skipped') facts.skipped++;
      else facts.ran++;
      if (failed && !event.continueOnError) facts.failedSteps.push(event.stepId);
      return;
    }
    case 'rollback.started':
      facts.rollbacks++;
      return;
    default:
      return;
  }
}

/** A step counts as declined when its failure was the operator's no. */
export function wasDeclined(facts: RunFacts, stepId: string): boolean {
  return facts.declined.has(stepId);
}

/** What compensation did, from `run.finished` (`compensated` is present only when it ran). */
export function compensationWord(e: RunFinishedEvent): (typeof COMPENSATION_WORDS)[keyof typeof COMPENSATION_WORDS] {
  if (e.status === 'rollbackFailed' || (e.rollbackPending?.length ?? 0) > 0) return COMPENSATION_WORDS.incomplete;
  if (e.compensated !== undefined) return e.compensated.length > 0 ? COMPENSATION_WORDS.done : COMPENSATION_WORDS.nothing;
  // Journals from before `compensated` existed: the engine says rolledBack only after compensation ran.
  return e.status === 'rolledBack' ? COMPENSATION_WORDS.done : COMPENSATION_WORDS.notRun;
}

/** Why the steps stopped, in words: failed, or a confirm was declined. */
function cause(facts: RunFacts): string {
  const last = facts.failedSteps.at(-1);
  return last !== undefined && facts.declined.has(last) ? `stopped: "${last}" was declined` : 'failed';
}

/** The summary's headline after the runbook name: `failed and was rolled back`, `succeeded`, … */
export function runHeadline(e: RunFinishedEvent, facts: RunFacts): string {
  const undo = compensationWord(e);
  if (facts.mode === 'rollback') {
    if (e.status === 'cancelled') return `rollback was cancelled; ${undo === COMPENSATION_WORDS.notRun ? COMPENSATION_WORDS.incomplete : undo}`;
    if (undo === COMPENSATION_WORDS.incomplete) return `${undo}: a human must look`;
    return undo;
  }
  switch (e.status) {
    case 'succeeded':
      return 'succeeded';
    case 'failed':
      if (facts.failedSteps.length === 0 && facts.failedFinally.length > 0) return `failed in finally (${facts.failedFinally.join(', ')})`;
      return `${cause(facts)} and halted (${COMPENSATION_WORDS.notRun})`;
    case 'rolledBack':
      return undo === COMPENSATION_WORDS.nothing ? `${cause(facts)}; ${undo}` : `${cause(facts)} and was ${undo}`;
    case 'rollbackFailed':
      return `${cause(facts)}; ${COMPENSATION_WORDS.incomplete} (a rollback failed): a human must look`;
    case 'cancelled':
      if (facts.quit) return `was stopped by the operator (${COMPENSATION_WORDS.notRun})`;
      if (undo === COMPENSATION_WORDS.done) return `was cancelled and ${undo}`;
      if (undo === COMPENSATION_WORDS.notRun) return `was cancelled (${undo})`;
      return `was cancelled; ${undo}${undo === COMPENSATION_WORDS.incomplete ? ' (a second signal stopped it)' : ''}`;
  }
}

/** True when the run ended as asked: succeeded, or (for `stepwise rollback`) fully compensated. */
export function endedWell(e: RunFinishedEvent, facts: RunFacts): boolean {
  return e.status === 'succeeded' || (facts.mode === 'rollback' && e.status === 'rolledBack');
}

/** `3 ran, 2 already done, 1 skipped` (what this invocation did with the run's steps). */
export function stepCounts(facts: RunFacts): string {
  const parts = [`${facts.ran} ran`];
  if (facts.alreadyDone > 0) parts.push(`${facts.alreadyDone} already done`);
  if (facts.skipped > 0) parts.push(`${facts.skipped} skipped`);
  return parts.join(', ');
}

/** The commands to type next, each with what it does; none for a run that ended well. */
export function nextCommands(e: RunFinishedEvent, facts: RunFacts): Array<[command: string, why: string]> {
  if (endedWell(e, facts)) return [];
  const id = e.runId;
  const tips: Array<[string, string]> = [];
  if (e.rollbackPending?.length) tips.push([`stepwise rollback ${id}`, `finish the rollback (${e.rollbackPending.join(', ')})`]);
  else if (e.status === 'rollbackFailed') tips.push([`stepwise rollback ${id}`, 'retry the rollbacks that failed, once their cause is fixed']);
  const halted = facts.mode === 'run' && e.compensated === undefined && (e.status === 'failed' || e.status === 'cancelled') && facts.failedSteps.length + (facts.quit ? 1 : 0) + (e.status === 'cancelled' ? 1 : 0) > 0;
  // Compensation that found nothing to undo left the done steps done: continuing is the way on.
  if (facts.mode === 'run' && e.status === 'rolledBack' && e.compensated?.length === 0 && facts.failedSteps.length > 0) {
    tips.push([`stepwise resume ${id}`, 'nothing was undone: continue from where the run stopped, once its cause is dealt with']);
  }
  if (halted) {
    tips.push([`stepwise resume ${id}`, 'continue from the first step that did not succeed']);
    if (facts.started > 0 || facts.resumed) tips.push([`stepwise rollback ${id}`, 'undo what was done instead']);
  }
  tips.push([`stepwise show ${id}`, 'every step, attempt and exit code']);
  return tips;
}
