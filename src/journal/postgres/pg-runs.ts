/**
 * Runs read back from the state database: `history` rows from one query per page (the last
 * boundary record and liveness of each run, never whole journals), and a whole run for
 * `show`, `resume` and the others, assembled by the same code as the state dir's.
 */
import type { SerialClient } from './pg-serial.js';
import type { EngineEvent, RunFinishedEvent } from '../../engine/events.js';
import type { ScalarValue } from '../../runbook/model.js';
import type { AckRecord } from '../journal-line.js';
import { isEngineEvent, type LostLine } from '../journal-reader.js';
import type { RunMeta } from '../run-meta.js';
import { runDurationMs, type RunState } from '../run-state.js';
import type { HistoryEntry, StoredRun } from '../store.js';
import { assembleRun } from '../stored-run.js';

/** A run is running when the holder row of a lock names it and that session still holds an advisory lock. */
const LIVE = `EXISTS (SELECT 1 FROM stepwise_locks h JOIN pg_locks l ON l.pid = h.backend_pid AND l.locktype = 'advisory' AND l.granted WHERE h.run_id = r.run_id)`;

/** One `history` row's inputs. */
export interface RunRow {
  run_id: string;
  runbook: string;
  meta: RunMeta;
  last_boundary: EngineEvent | null;
  last_event_at: string | null;
  sessions: string;
  live: boolean;
}

/** Select list of {@link RunRow}; append WHERE / ORDER BY. */
export const RUN_ROW_SQL = `
SELECT r.run_id, r.runbook, r.meta,
  (SELECT e.body FROM stepwise_events e WHERE e.run_id = r.run_id AND e.type IN ('run.started', 'run.finished') ORDER BY e.seq DESC LIMIT 1) AS last_boundary,
  (SELECT e.time FROM stepwise_events e WHERE e.run_id = r.run_id AND e.type <> 'run.acknowledged' ORDER BY e.seq DESC LIMIT 1) AS last_event_at,
  (SELECT count(*) FROM stepwise_events e WHERE e.run_id = r.run_id AND e.type = 'run.started') AS sessions,
  ${LIVE} AS live
FROM stepwise_runs r`;

/** The `history` row of a run. */
export function historyEntry(row: RunRow, now?: number): HistoryEntry {
  const finished = row.last_boundary?.type === 'run.finished' ? (row.last_boundary as RunFinishedEvent) : undefined;
  const status: RunState = finished?.status ?? (row.live ? 'running' : 'crashed');
  const startedAt = row.meta.sessions[0]?.startedAt ?? row.meta.createdAt;
  const durationMs = runDurationMs({
    startedAt,
    sessions: Number(row.sessions),
    ...(finished ? { finished } : {}),
    ...(row.last_event_at ? { lastEventAt: row.last_event_at } : {}),
    state: status,
    ...(now === undefined ? {} : { now }),
  });
  const entry: HistoryEntry = { runId: row.run_id, runbook: row.runbook, status };
  if (startedAt !== undefined) entry.startedAt = startedAt;
  if (durationMs !== undefined) entry.durationMs = durationMs;
  if (finished) entry.exitCode = finished.exitCode;
  if (finished?.compensated?.length === 0) entry.nothingToUndo = true;
  return entry;
}

/** Everything stored about a run, or undefined when the database has no such run. */
export async function loadStoredRun(client: SerialClient, runId: string, location: string, now?: number): Promise<StoredRun | undefined> {
  const row = (await client.query<{ meta: RunMeta; params: Record<string, ScalarValue> | null; lost: LostLine[]; live: boolean }>(
    `SELECT r.meta, r.params, r.lost, ${LIVE} AS live FROM stepwise_runs r WHERE r.run_id = $1`,
    [runId],
  )).rows[0];
  if (!row) return undefined;
  const bodies = (await client.query<{ body: Record<string, unknown> }>('SELECT body FROM stepwise_events WHERE run_id = $1 ORDER BY seq', [runId])).rows.map((r) => r.body);
  const events: EngineEvent[] = [];
  const acks: AckRecord[] = [];
  for (const body of bodies) {
    if (body.type === 'run.acknowledged') acks.push(body as unknown as AckRecord);
    else if (isEngineEvent(body)) events.push(body);
  }
  return assembleRun({
    runId,
    journalLocation: `${location} (journal of run ${runId})`,
    meta: row.meta,
    journal: { events, lost: row.lost, exists: true, acks },
    params: row.params ?? undefined,
    unfinished: () => (row.live ? 'running' : 'crashed'),
    now,
  });
}

/** Logs in the order things ran: each step's output then its rollback's, in plan order; others as opened. */
export function orderLogs(run: StoredRun, logs: Array<{ stepId: string; phase: 'run' | 'rollback' }>): Array<{ stepId: string; phase: 'run' | 'rollback' }> {
  const ordered: Array<{ stepId: string; phase: 'run' | 'rollback' }> = [];
  const has = (stepId: string, phase: string) => logs.some((l) => l.stepId === stepId && l.phase === phase);
  for (const step of run.summary.steps) {
    for (const phase of ['run', 'rollback'] as const) if (has(step.stepId, phase)) ordered.push({ stepId: step.stepId, phase });
  }
  for (const log of logs) if (!ordered.some((o) => o.stepId === log.stepId && o.phase === log.phase)) ordered.push(log);
  return ordered;
}
