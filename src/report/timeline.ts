/**
 * The timeline of a run, replayed from its journal: per session (a run, a resume, a
 * `stepwise rollback`), one row per step and host, each with its bars — the execution
 * (attempts, waits between retries) and the compensation — in milliseconds since epoch.
 */
import type { EngineEvent, RollbackFinishedEvent, StepFinishedEvent, StepRetryingEvent } from '../engine/events.js';

/** What a stretch of time was. */
export type SegmentKind = 'ok' | 'failed' | 'timedOut' | 'wait' | 'skipped' | 'running' | 'unfinished';

/** A stretch of one bar. */
export interface Segment {
  kind: SegmentKind;
  start: number;
  end: number;
  /** Attempt number, for attempts. */
  attempt?: number;
  exitCode?: number | null;
  error?: string;
}

/** One execution of a step, of a finally step, or of a compensation, on one host. */
export interface Bar {
  kind: 'run' | 'finally' | 'rollback';
  segments: Segment[];
  maxAttempts: number;
}

/** One step on one host (or, past {@link MAX_HOST_ROWS}, on all its hosts). */
export interface TimelineRow {
  stepId: string;
  host: string;
  bars: Bar[];
}

/** One process's go at the run. */
export interface TimelineSession {
  mode: 'run' | 'rollback';
  resumed: boolean;
  start: number;
  end: number;
  rows: TimelineRow[];
  /** Planned steps this session never started. */
  notStarted: string[];
}

/** A group step with more hosts than this gets one summary row instead of one per host. */
export const MAX_HOST_ROWS = 24;

interface Open {
  stepId: string;
  kind: Bar['kind'];
  start: number;
  hostStart: Map<string, number>;
  retries: StepRetryingEvent[];
  maxAttempts: number;
  targets: string[];
}

const ms = (iso: string): number => Date.parse(iso);

/** Replays events into sessions. Unfinished work ends at `now` when the run is live, else at its last record. */
export function buildTimeline(events: readonly EngineEvent[], live: boolean, now: number): TimelineSession[] {
  const sessions: TimelineSession[] = [];
  let session: TimelineSession | undefined;
  let rows = new Map<string, TimelineRow>();
  const open = new Map<string, Open>();
  const rowFor = (stepId: string, host: string): TimelineRow => {
    const key = `${stepId}\u0000${host}`;
    let row = rows.get(key);
    if (!row) {
      row = { stepId, host, bars: [] };
      rows.set(key, row);
      session?.rows.push(row);
    }
    return row;
  };
  const closeSession = (end: number, isLast: boolean) => {
    if (!session) return;
    for (const o of open.values()) {
      const kind: SegmentKind = isLast && live ? 'running' : 'unfinished';
      const stop = isLast && live ? Math.max(now, end) : end;
      for (const host of hostsOf(o.targets)) pushBar(rowFor(o.stepId, host), o, [{ kind, start: o.hostStart.get(host) ?? o.start, end: stop }]);
      session.end = Math.max(session.end, stop);
    }
    open.clear();
    const started = new Set(session.rows.map((r) => r.stepId));
    session.notStarted = session.notStarted.filter((id) => !started.has(id));
  };
  for (const event of events) {
    const t = ms(event.time);
    if (!Number.isFinite(t)) continue;
    if (event.type === 'run.started') {
      closeSession(session?.end ?? t, false);
      // A `stepwise rollback` runs no steps, so none of them is "not run" there.
      session = { mode: event.mode, resumed: event.resumed, start: t, end: t, rows: [], notStarted: event.mode === 'rollback' ? [] : [...event.steps] };
      rows = new Map();
      sessions.push(session);
      continue;
    }
    if (!session) continue;
    session.end = Math.max(session.end, t);
    switch (event.type) {
      case 'step.started':
        open.set(`run:${event.stepId}`, { stepId: event.stepId, kind: event.phase, start: t, hostStart: new Map(), retries: [], maxAttempts: event.maxAttempts, targets: event.targets });
        break;
      case 'rollback.started':
        open.set(`rollback:${event.stepId}`, { stepId: event.stepId, kind: 'rollback', start: t, hostStart: new Map(), retries: [], maxAttempts: 1, targets: event.targets });
        break;
      case 'step.batch': {
        const o = open.get(`${event.phase === 'rollback' ? 'rollback' : 'run'}:${event.stepId}`);
        for (const host of event.targets) o?.hostStart.set(host, t);
        break;
      }
      case 'step.retrying':
        open.get(`${event.phase === 'rollback' ? 'rollback' : 'run'}:${event.stepId}`)?.retries.push(event);
        break;
      case 'step.finished': {
        const o = open.get(`run:${event.stepId}`);
        open.delete(`run:${event.stepId}`);
        finishStep(event, o, t, rowFor);
        break;
      }
      case 'rollback.finished': {
        const o = open.get(`rollback:${event.stepId}`);
        open.delete(`rollback:${event.stepId}`);
        if (o) finishRollback(event, o, rowFor);
        break;
      }
      default:
        break;
    }
  }
  closeSession(session?.end ?? now, true);
  return sessions.map(summariseWideSteps);
}

function hostsOf(targets: readonly string[]): string[] {
  return targets.length > 0 ? [...targets] : ['local'];
}

function pushBar(row: TimelineRow, o: Pick<Open, 'kind' | 'maxAttempts'>, segments: Segment[]): void {
  row.bars.push({ kind: o.kind, segments, maxAttempts: o.maxAttempts });
}

/** Attempts of one host: each retry ends an attempt and starts a wait; the last attempt ends with the host's result. */
function attempts(start: number, end: number, retries: readonly StepRetryingEvent[], final: Omit<Segment, 'start' | 'end'>): Segment[] {
  const segments: Segment[] = [];
  let cursor = start;
  for (const retry of retries) {
    const failedAt = Math.max(cursor, ms(retry.time));
    segments.push({ kind: /timed out/.test(retry.error) ? 'timedOut' : 'failed', start: cursor, end: failedAt, attempt: retry.attempt, exitCode: retry.exitCode, error: retry.error });
    cursor = Math.min(Math.max(failedAt, end), failedAt + retry.delayMs);
    segments.push({ kind: 'wait', start: failedAt, end: cursor });
  }
  segments.push({ ...final, start: cursor, end: Math.max(cursor, end) });
  return segments;
}

const segmentKind = (status: string): SegmentKind => (status === 'succeeded' ? 'ok' : status === 'timedOut' ? 'timedOut' : status === 'skipped' ? 'skipped' : 'failed');

function finishStep(event: StepFinishedEvent, o: Open | undefined, t: number, rowFor: (stepId: string, host: string) => TimelineRow): void {
  const kind: Bar['kind'] = event.phase;
  if (!o || event.targets.length === 0) {
    // Skipped, confirmed, or failed before it could start: one stretch from start (if any) to now.
    const host = o?.targets.length === 1 ? (o.targets[0] ?? 'local') : 'local';
    const final = { kind: segmentKind(event.status), attempt: event.attempt, exitCode: event.exitCode, ...(event.error ? { error: event.error } : {}) };
    pushBar(rowFor(event.stepId, host), { kind, maxAttempts: o?.maxAttempts ?? 1 }, [{ ...final, start: o?.start ?? t, end: t }]);
    return;
  }
  const single = event.targets.length === 1;
  for (const result of event.targets) {
    const start = o.hostStart.get(result.target) ?? o.start;
    const retries = o.retries.filter((r) => r.host === result.target || (single && r.host === undefined));
    const final = { kind: segmentKind(result.status), attempt: result.attempt, exitCode: result.exitCode, ...(result.error ? { error: result.error } : {}) };
    pushBar(rowFor(event.stepId, result.target), o, attempts(start, start + result.durationMs, retries, final));
  }
  // Hosts of a batch that never started (a failed serial batch stops the rest) get no bar.
}

function finishRollback(event: RollbackFinishedEvent, o: Open, rowFor: (stepId: string, host: string) => TimelineRow): void {
  // Hosts are compensated one after another, in the order of the results.
  let cursor = o.start;
  const single = event.targets.length === 1;
  for (const result of event.targets) {
    const retries = o.retries.filter((r) => r.host === result.target || (single && r.host === undefined));
    const final = { kind: segmentKind(result.status), attempt: result.attempt, exitCode: result.exitCode, ...(result.error ? { error: result.error } : {}) };
    pushBar(rowFor(event.stepId, result.target), o, attempts(cursor, cursor + result.durationMs, retries, final));
    cursor += result.durationMs;
  }
}

/** Steps on more hosts than {@link MAX_HOST_ROWS}: one row, one bar per kind from first start to last end. */
function summariseWideSteps(session: TimelineSession): TimelineSession {
  const byStep = new Map<string, TimelineRow[]>();
  for (const row of session.rows) byStep.set(row.stepId, [...(byStep.get(row.stepId) ?? []), row]);
  const rows: TimelineRow[] = [];
  for (const [stepId, stepRows] of byStep) {
    if (stepRows.length <= MAX_HOST_ROWS) {
      rows.push(...stepRows);
      continue;
    }
    const bars: Bar[] = [];
    for (const kind of ['run', 'finally', 'rollback'] as const) {
      const all = stepRows.flatMap((r) => r.bars.filter((b) => b.kind === kind));
      if (all.length === 0) continue;
      const segments = all.flatMap((b) => b.segments);
      const worst = segments.find((s) => s.kind !== 'ok' && s.kind !== 'wait') ?? segments[0];
      const start = Math.min(...segments.map((s) => s.start));
      const end = Math.max(...segments.map((s) => s.end));
      bars.push({ kind, maxAttempts: all[0]?.maxAttempts ?? 1, segments: [{ kind: worst?.kind ?? 'ok', start, end }] });
    }
    rows.push({ stepId, host: `${stepRows.length} hosts`, bars });
  }
  return { ...session, rows };
}
