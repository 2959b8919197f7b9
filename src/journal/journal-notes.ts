/**
 * The `# ` lines the journal writer adds to step logs, so a log read on its own still
 * shows where attempts, batches and rollbacks begin and end; and file-name hygiene.
 */
import type { EngineEvent, Phase } from '../engine/events.js';
import { formatDuration } from '../runbook/durations.js';

/** A note for one step's log. */
export interface LogNote {
  stepId: string;
  phase: Phase;
  text: string;
}

/** The log note an event deserves, if any. */
export function noteFor(event: EngineEvent): LogNote | undefined {
  const at = event.time;
  switch (event.type) {
    case 'step.started':
      return { stepId: event.stepId, phase: event.phase, text: `${at} ${event.phase === 'finally' ? 'finally step' : 'step'} started on ${event.targets.join(', ') || 'local'} (attempts: ${event.maxAttempts})` };
    case 'step.batch':
      return { stepId: event.stepId, phase: event.phase, text: `${at} batch started on ${event.targets.join(', ')}` };
    case 'step.retrying':
      return { stepId: event.stepId, phase: event.phase, text: `${at} attempt ${event.attempt}/${event.maxAttempts}${event.host ? ` on ${event.host}` : ''} failed (exit ${event.exitCode ?? 'none'}): ${event.error}; retrying in ${formatDuration(event.delayMs)}` };
    case 'step.finished':
      return { stepId: event.stepId, phase: event.phase, text: `${at} ${event.status} (exit ${event.exitCode ?? 'none'}, attempt ${event.attempt}, ${formatDuration(event.durationMs)})${event.error ? `: ${event.error}` : ''}` };
    case 'rollback.started':
      return { stepId: event.stepId, phase: 'rollback', text: `${at} rollback started on ${event.targets.join(', ') || 'local'}` };
    case 'rollback.finished':
      return { stepId: event.stepId, phase: 'rollback', text: `${at} rollback ${event.status} (exit ${event.exitCode ?? 'none'}, ${formatDuration(event.durationMs)})${event.error ? `: ${event.error}` : ''}` };
    case 'step.decision':
      return { stepId: event.stepId, phase: 'run', text: `${at} operator chose ${event.choice}${event.note ? `: ${event.note}` : ''}` };
    default:
      return undefined;
  }
}

/**
 * A caller-given relative path made safe under a folder: separators kept, `..`, empty
 * and hidden segments neutralised, odd characters replaced.
 */
export function safeRelativePath(path: string): string {
  const segments = path
    .split(/[\\/]+/)
    .filter((s) => s !== '' && s !== '.')
    .map((s) => (s === '..' ? '_' : s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\./, '_')));
  return segments.length > 0 ? segments.join('/') : 'runbook.yaml';
}
