/**
 * `stepwise state import DIR`: a state dir's history copied into the database, so a team
 * moves without losing its past. Idempotent: a run already in the database is left as it is.
 * Each run is copied in one transaction (all of it or none): meta, masked params, journal
 * records, what its journal lost, the runbook and library copies, and its logs (capped as a
 * run's own would be).
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type pg from 'pg';
import type { FileStore } from '../file-store.js';
import type { LoadedRun } from '../load-run.js';
import { runLogFiles } from '../run-logs.js';
import { DEFAULT_LOG_CAP, LOG_HEAD, LOG_TAIL } from './pg-recorder.js';
import type { PostgresStore } from './postgres-store.js';

/** What an import did. */
export interface ImportResult {
  imported: string[];
  skipped: string[];
}

const CHUNK = 256 * 1024;

/** Copies every run of `source` that `target` does not have yet. */
export async function importStateDir(target: PostgresStore, source: FileStore, say: (line: string) => void): Promise<ImportResult> {
  const result: ImportResult = { imported: [], skipped: [] };
  const client = target.client;
  for (const runId of source.runIds().reverse()) {
    const exists = (await client.query('SELECT 1 FROM stepwise_runs WHERE run_id = $1', [runId])).rowCount !== 0;
    if (exists) {
      result.skipped.push(runId);
      continue;
    }
    const run = await source.loadRun(runId);
    if (!run.meta) {
      say(`skipped run ${runId}: its meta.json is missing or unreadable`);
      continue;
    }
    await client.transaction((inside) => copyRun(inside, run));
    result.imported.push(runId);
    say(`imported run ${runId} (${run.meta.runbook}, ${run.state})`);
  }
  return result;
}

async function copyRun(client: pg.Client, run: LoadedRun): Promise<void> {
  const meta = run.meta;
  if (!meta) return;
  await client.query('INSERT INTO stepwise_runs (run_id, runbook, lock_name, meta, params, lost) VALUES ($1, $2, $3, $4, $5, $6)', [
    run.runId, meta.runbook, meta.lock ?? null, JSON.stringify(meta), run.params ? JSON.stringify(run.params) : null, JSON.stringify(run.journal.lost),
  ]);
  const records = [...run.journal.events, ...run.journal.acks].map((body, i) => ({ seq: i + 1, type: body.type, time: body.time, body }));
  await client.query(
    'INSERT INTO stepwise_events (run_id, seq, type, time, body) SELECT $1, x.seq, x.type, x.time, x.body FROM jsonb_to_recordset($2::jsonb) AS x(seq integer, type text, time text, body jsonb)',
    [run.runId, JSON.stringify(records)],
  );
  const files = filesUnder(join(run.paths.dir, 'runbook')).map((path) => ({ path: relative(run.paths.dir, path), text: readFileSync(path, 'utf8') }));
  await client.query('INSERT INTO stepwise_files (run_id, path, text) SELECT $1, x.path, x.text FROM jsonb_to_recordset($2::jsonb) AS x(path text, text text)', [run.runId, JSON.stringify(files)]);
  for (const [opened, log] of runLogFiles(run).entries()) {
    const total = statSync(log.path).size;
    await client.query('INSERT INTO stepwise_logs (run_id, step_id, phase, total_bytes, opened) VALUES ($1, $2, $3, $4, $5)', [run.runId, log.stepId, log.phase, total, opened]);
    // A log over the cap keeps its first and last MiB, as a run recording into the database would.
    const ranges: Array<[number, number]> = total > DEFAULT_LOG_CAP ? [[0, LOG_HEAD], [total - LOG_TAIL, total]] : [[0, total]];
    for (const [from, to] of ranges) {
      for (let offset = from; offset < to; offset += CHUNK) {
        const data = readRange(log.path, offset, Math.min(CHUNK, to - offset));
        await client.query('INSERT INTO stepwise_log_chunks (run_id, step_id, phase, byte_offset, data) VALUES ($1, $2, $3, $4, $5)', [run.runId, log.stepId, log.phase, offset, data]);
      }
    }
  }
}

function filesUnder(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
}

function readRange(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const n = readSync(fd, buffer, 0, length, offset);
    return buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
