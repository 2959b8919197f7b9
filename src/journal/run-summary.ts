/**
 * A run step by step, for `show`: status, attempts, exit codes, durations, targets,
 * errors, rollbacks, operator decisions and notices, replayed from the journal.
 */
import type { EngineEvent, RollbackStatus, RunStatus, StepStatus, TargetResult } from '../engine/events.js';
import type { LostLine } from './journal-reader.js';

/** An attempt that failed and was retried. */
export interface FailedAttempt {
  attempt: number;
  host?: string;
  exitCode: number | null;
  error: string;
  time: string;
}

/** The compensation of one step. */
export interface RollbackSummary {
  status: RollbackStatus | 'started';
  startedAt: string;
  exitCode: number | null;
  durationMs?: number;
  error?: string;
  targets: string[];
}

/** A `check:` of a step that finished on a target (before the step: already done?; after it: does it hold?). */
export interface CheckSummary {
  when: 'before' | 'after';
  host?: string;
  result: 'holds' | 'fails' | 'error';
  exitCode: number | null;
  time: string;
  error?: string;
}

/** One step as `show` presents it (its latest execution, with every failed attempt kept). */
export interface StepSummary {
  stepId: string;
  name: string;
  phase: 'run' | 'finally';
  /** `notStarted`: planned but never begun; `started`: begun, never finished (crash). */
  status: StepStatus | 'started' | 'notStarted';
  startedAt?: string;
  /** When its `step.finished` was recorded. */
  finishedAt?: string;
  durationMs?: number;
  exitCode: number | null;
  /** Outputs it wrote (secrets masked); keys in `maskedOutputs` held a secret. */
  outputs: Record<string, string>;
  maskedOutputs?: string[];
  /** Its `check:` results, in order. */
  checks: CheckSummary[];
  /** Attempt that produced the final status. */
  attempt?: number;
  maxAttempts?: number;
  failedAttempts: FailedAttempt[];
  targets: string[];
  results: TargetResult[];
  error?: string;
  continueOnError?: boolean;
  /** How many times the step was started (more than 1 after resume). */
  executions: number;
  rollback?: RollbackSummary;
  decisions: { choice: string; note?: string; time: string }[];
}

/** One process's go at the run (the first run, a resume, a `stepwise rollback`). */
export interface SessionSummary {
  mode: 'run' | 'rollback';
  resumed: boolean;
  startedAt: string;
  finishedAt?: string;
  status?: RunStatus;
  exitCode?: number;
  error?: string;
  rollbackPending?: string[];
  /** Present when compensation ran: the steps whose rollback ran (empty: nothing to undo). */
  compensated?: string[];
}

/** Everything `show` needs, except liveness (which needs the lock; see run-state.ts). */
export interface RunSummary {
  runbook?: string;
  file?: string;
  sessions: SessionSummary[];
  steps: StepSummary[];
  notices: { level: 'info' | 'warn'; message: string; stepId?: string; time: string }[];
  lost: LostLine[];
  /** The last event's time (how far a crashed run got). */
  lastEventAt?: string;
}

/** Replays events into a step-by-step summary. */
export function summarizeRun(events: readonly EngineEvent[], lost: readonly LostLine[] = []): RunSummary {
  const summary: RunSummary = { sessions: [], steps: [], notices: [], lost: [...lost] };
  const steps = new Map<string, StepSummary>();
  const stepFor = (stepId: string, phase: 'run' | 'finally' = 'run', name = stepId): StepSummary => {
    let step = steps.get(stepId);
    if (!step) {
      step = { stepId, name, phase, status: 'notStarted', exitCode: null, outputs: {}, checks: [], failedAttempts: [], targets: [], results: [], executions: 0, decisions: [] };
      steps.set(stepId, step);
    }
    return step;
  };
  for (const event of events) {
    summary.lastEventAt = event.time;
    switch (event.type) {
      case 'run.started':
        summary.runbook ??= event.runbook;
        summary.file ??= event.file;
        summary.sessions.push({ mode: event.mode, resumed: event.resumed, startedAt: event.time });
        for (const id of event.steps) stepFor(id);
        break;
      case 'step.started': {
        const step = stepFor(event.stepId, event.phase, event.name);
        Object.assign(step, { name: event.name, phase: event.phase, status: 'started', startedAt: event.time, maxAttempts: event.maxAttempts, targets: [...event.targets], executions: step.executions + 1 });
        // A compensation, an end and checks belong to the execution before this one (the step is being re-run).
        step.rollback = undefined;
        step.finishedAt = undefined;
        step.checks = [];
        break;
      }
      case 'step.check.finished': {
        const check: CheckSummary = { when: event.when, result: event.result, exitCode: event.exitCode, time: event.time };
        if (event.host !== undefined) check.host = event.host;
        if (event.error !== undefined) check.error = event.error;
        stepFor(event.stepId, event.phase).checks.push(check);
        break;
      }
      case 'step.retrying':
        if (event.phase !== 'rollback') {
          const attempt: FailedAttempt = { attempt: event.attempt, exitCode: event.exitCode, error: event.error, time: event.time };
          if (event.host !== undefined) attempt.host = event.host;
          stepFor(event.stepId).failedAttempts.push(attempt);
        }
        break;
      case 'step.finished':
        Object.assign(stepFor(event.stepId, event.phase, event.name), {
          status: event.status, exitCode: event.exitCode, durationMs: event.durationMs, attempt: event.attempt, finishedAt: event.time,
          results: event.targets, error: event.error, continueOnError: event.continueOnError, outputs: { ...event.outputs }, maskedOutputs: event.maskedOutputs,
        });
        break;
      case 'rollback.started':
        stepFor(event.stepId).rollback = { status: 'started', startedAt: event.time, exitCode: null, targets: [...event.targets] };
        break;
      case 'rollback.finished': {
        const step = stepFor(event.stepId);
        const started = step.rollback ?? { startedAt: event.time, targets: event.targets.map((t) => t.target) };
        step.rollback = { ...started, status: event.status, exitCode: event.exitCode, durationMs: event.durationMs, ...(event.error ? { error: event.error } : {}) };
        break;
      }
      case 'step.decision':
        stepFor(event.stepId).decisions.push({ choice: event.choice, ...(event.note ? { note: event.note } : {}), time: event.time });
        break;
      case 'run.notice':
        summary.notices.push({ level: event.level, message: event.message, time: event.time, ...(event.stepId ? { stepId: event.stepId } : {}) });
        break;
      case 'run.finished': {
        const session = summary.sessions.at(-1);
        if (session) {
          Object.assign(session, { finishedAt: event.time, status: event.status, exitCode: event.exitCode, error: event.error, rollbackPending: event.rollbackPending, compensated: event.compensated });
        }
        break;
      }
      default:
        break;
    }
  }
  // Run steps in plan order first, then finally steps in the order they ran.
  const all = [...steps.values()];
  summary.steps = [...all.filter((s) => s.phase === 'run'), ...all.filter((s) => s.phase === 'finally')];
  return summary;
}
