/**
 * The timeline of `show`: one line per journaled moment (sessions, steps, checks, retries,
 * rollbacks, decisions, notices, ends), UTC times, the date written again only when it
 * changes. Output lines are left out: they are in the logs.
 */
import type { EngineEvent, RollbackStatus, RunStatus, StepStatus } from '../engine/events.js';
import { formatDuration } from '../runbook/durations.js';

/** Words for statuses (as `show` is given them). */
export interface TimelineWords {
  step(status: StepStatus): string;
  rollback(status: RollbackStatus): string;
  run(status: RunStatus): string;
}

/** What one event says on the timeline, or undefined when it is not a moment of its own. */
function describe(event: EngineEvent, words: TimelineWords, declined: ReadonlySet<string>): string | undefined {
  const host = 'host' in event && event.host !== undefined ? ` on ${event.host}` : '';
  switch (event.type) {
    case 'run.started':
      return `${event.mode === 'rollback' ? 'rollback of the run started' : event.resumed ? 'run resumed' : 'run started'} (${event.runbook})`;
    case 'step.started':
      return `▶ ${event.phase === 'finally' ? 'finally ' : ''}${event.stepId} started on ${event.targets.join(', ')}`;
    case 'step.batch':
      return `  ${event.stepId}: batch ${event.targets.join(', ')}`;
    case 'step.check.finished': {
      const verdict = event.result === 'holds' ? 'holds' : event.result === 'fails' ? 'does not hold' : `could not run: ${event.error ?? 'unknown error'}`;
      return `  ${event.stepId}: check ${event.when} the step${host}: ${verdict}`;
    }
    case 'step.retrying':
      return `  ${event.phase === 'rollback' ? 'rollback of ' : ''}${event.stepId}${host}: attempt ${event.attempt}/${event.maxAttempts} failed (exit ${event.exitCode ?? '-'}); retrying in ${formatDuration(event.delayMs)}`;
    case 'step.finished': {
      const icon = event.status === 'succeeded' ? '✔' : event.status === 'alreadyDone' ? '↷' : event.status === 'skipped' ? '↓' : '✖';
      const word = declined.has(event.stepId) && event.status === 'failed' ? 'declined' : words.step(event.status);
      const exit = event.exitCode !== null && event.status !== 'succeeded' && event.status !== 'alreadyDone' ? `, exit ${event.exitCode}` : '';
      return `${icon} ${event.phase === 'finally' ? 'finally ' : ''}${event.stepId} ${word} (${formatDuration(event.durationMs)}${exit})${event.continueOnError ? ', the run went on (continueOnError)' : ''}`;
    }
    case 'rollback.started':
      return `← rollback of ${event.stepId} started on ${event.targets.join(', ')}`;
    case 'rollback.finished':
      return `← rollback of ${event.stepId} ${words.rollback(event.status)} (${formatDuration(event.durationMs)}${event.exitCode !== null && event.status !== 'succeeded' ? `, exit ${event.exitCode}` : ''})`;
    case 'step.decision':
      return `  operator chose ${event.choice} at ${event.stepId}${event.note ? `: ${event.note}` : ''}`;
    case 'run.notice':
      return `  ${event.level === 'warn' ? 'warning: ' : ''}${event.message}`;
    case 'run.finished':
      return `■ ended: ${words.run(event.status)} (exit ${event.exitCode})${event.compensated?.length === 0 ? ', nothing to undo' : ''}`;
    default:
      return undefined;
  }
}

/** The timeline lines of a run's events. */
export function formatTimeline(events: readonly EngineEvent[], words: TimelineWords): string[] {
  const lines: string[] = [];
  const declined = new Set<string>();
  let day = '';
  for (const event of events) {
    if (event.type === 'step.decision' && event.choice === 'no') declined.add(event.stepId);
    const text = describe(event, words, declined);
    if (text === undefined) continue;
    const iso = new Date(event.time);
    if (Number.isNaN(iso.getTime())) {
      lines.push(`${event.time}  ${text}`);
      continue;
    }
    const stamp = iso.toISOString();
    const date = stamp.slice(0, 10);
    if (date !== day) {
      day = date;
      lines.push(`${date}`);
    }
    lines.push(`${stamp.slice(11, 19)}Z  ${text}`);
  }
  return lines.length > 0 ? lines : ['(nothing journaled)'];
}
