/**
 * PostgreSQL as a {@link StateStore} (SPEC §4, issue 15): runs, journal events, runbook and
 * library texts, masked params and step logs in tables stepwise owns, shared by every machine
 * that points at the database. Locks are session-level advisory locks on this store's one
 * connection, with a row naming the holder; a holder that dies frees its lock when its
 * connection closes. If the database goes away during a run, the run stops where it is
 * (`whenUnrecordable: 'stop'`): its lock went with the connection, so nothing more is done
 * blind.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../../errors/stepwise-error.js';
import { blockingRunOf } from '../blocking.js';
import { safeRelativePath } from '../journal-notes.js';
import { LockBusyError } from '../lock-errors.js';
import type { LockHolder } from '../lock-file.js';
import { isSafeRunId } from '../run-id.js';
import type { RunMeta } from '../run-meta.js';
import type {
  Acknowledgement, AcquireLockOptions, BlockingRun, FollowOptions, HeldLock, HistoryEntry, HistoryQuery, LogBytes, NewRun,
  RunbookCheckout, RunRecorder, StateStore, StoredLog, StoredRun,
} from '../store.js';
import { connect } from './pg-connect.js';
import { DEFAULT_LOG_CAP, PgRecorder } from './pg-recorder.js';
import { SerialClient } from './pg-serial.js';
import { historyEntry, loadStoredRun, orderLogs, RUN_ROW_SQL, type RunRow } from './pg-runs.js';
import { ensureSchema } from './pg-schema.js';

const HINT = '`stepwise history --state URL` lists the runs of this database.';

/** The state database. One connection: it holds the run's lock, so losing it stops the run. */
export class PostgresStore implements StateStore {
  readonly whenUnrecordable = 'stop' as const;

  private constructor(
    readonly client: SerialClient,
    readonly location: string,
    /** Bytes of one step log kept whole (`STEPWISE_LOG_CAP_MB`, default 16 MiB); past it, its first and last MiB. */
    private readonly logCap: number,
  ) {}

  /** Connects and makes sure the schema is there (created or migrated on first use). */
  static async open(url: string, _options: { writable: boolean }): Promise<PostgresStore> {
    const logCap = logCapFrom(process.env.STEPWISE_LOG_CAP_MB);
    const { client, location } = await connect(url);
    try {
      await ensureSchema(client, location);
    } catch (error) {
      await client.end().catch(() => undefined);
      if (error instanceof UsageError) throw error;
      throw new UsageError(`Cannot use the PostgreSQL state ${location}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    return new PostgresStore(new SerialClient(client), location, logCap);
  }

  async createRun(run: NewRun): Promise<RunRecorder> {
    const runbookCopy = join('runbook', safeRelativePath(run.runbook.fileName));
    const meta: RunMeta = {
      version: 1, runId: run.runId, runbook: run.meta.runbook, file: run.meta.file, cwd: run.meta.cwd ?? process.cwd(),
      ...(run.meta.lock === undefined ? {} : { lock: run.meta.lock }),
      ...(run.meta.blockAfterFailure ? { blockAfterFailure: true } : {}),
      options: run.meta.options ?? {}, createdAt: new Date().toISOString(), runbookCopy, sessions: [],
    };
    const files = [{ path: runbookCopy, text: run.runbook.text }, ...run.assets.map((a) => ({ path: join('runbook', safeRelativePath(a.relativePath)), text: a.text }))];
    try {
      await this.client.transaction(async (client) => {
        await client.query('INSERT INTO stepwise_runs (run_id, runbook, lock_name, meta, params) VALUES ($1, $2, $3, $4, $5)', [
          run.runId, run.meta.runbook, run.meta.lock ?? null, JSON.stringify(meta), JSON.stringify(run.maskedParams),
        ]);
        await client.query('INSERT INTO stepwise_files (run_id, path, text) SELECT $1, x.path, x.text FROM jsonb_to_recordset($2::jsonb) AS x(path text, text text)', [run.runId, JSON.stringify(files)]);
      });
    } catch (error) {
      throw new UsageError(`Cannot create run ${run.runId} in ${this.location}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    return new PgRecorder({ client: this.client, location: this.location, runId: run.runId, meta, nextSeq: 1, logs: [], logCap: this.logCap });
  }

  async continueRun(runId: string): Promise<RunRecorder> {
    const row = (await this.client.query<{ meta: RunMeta; next: number }>('SELECT meta, (SELECT COALESCE(max(seq), 0) + 1 FROM stepwise_events WHERE run_id = $1) AS next FROM stepwise_runs WHERE run_id = $1', [runId])).rows[0];
    if (!row) throw new UsageError(`No run "${runId}" in ${this.location}`, { hint: HINT });
    const logs = await this.client.query<{ step_id: string; phase: 'run' | 'rollback'; total_bytes: string }>('SELECT step_id, phase, total_bytes FROM stepwise_logs WHERE run_id = $1', [runId]);
    return new PgRecorder({
      client: this.client, location: this.location, runId, meta: row.meta, nextSeq: Number(row.next),
      logs: logs.rows.map((l) => ({ stepId: l.step_id, phase: l.phase, total: Number(l.total_bytes) })),
      logCap: this.logCap,
    });
  }

  async resolveRunId(typed: string): Promise<string> {
    if (typed === 'last') {
      const newest = (await this.client.query<{ run_id: string }>('SELECT run_id FROM stepwise_runs ORDER BY run_id DESC LIMIT 1')).rows[0];
      if (!newest) throw new UsageError(`No runs in ${this.location}`, { hint: 'Runs appear there once `stepwise run --state URL` has started one.' });
      return newest.run_id;
    }
    if (!isSafeRunId(typed)) throw new UsageError(`"${typed}" is not a run id`, { hint: HINT });
    const pattern = `${typed.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const matches = (await this.client.query<{ run_id: string }>('SELECT run_id FROM stepwise_runs WHERE run_id = $1 OR run_id LIKE $2 ORDER BY run_id DESC LIMIT 6', [typed, pattern])).rows.map((r) => r.run_id);
    if (matches.includes(typed)) return typed;
    if (matches.length === 1 && matches[0] !== undefined) return matches[0];
    if (matches.length > 1) {
      throw new UsageError(`Run id "${typed}" is ambiguous: it starts ${matches.length > 5 ? 'more than 5' : matches.length} runs (${matches.slice(0, 5).join(', ')})`, { hint: 'Type more of the id.' });
    }
    throw new UsageError(`No run "${typed}" in ${this.location}`, { hint: `${HINT} A run recorded in another database or state dir is not here.` });
  }

  async listRuns(query: HistoryQuery = {}): Promise<HistoryEntry[]> {
    const entries: HistoryEntry[] = [];
    const limit = query.limit ?? Infinity;
    let before: string | null = null;
    // Pages newest first: states are decided per run, so a filter may need more than `limit` rows.
    for (;;) {
      const rows: RunRow[] = (await this.client.query<RunRow>(`${RUN_ROW_SQL} WHERE ($1::text IS NULL OR r.run_id < $1) AND ($2::text IS NULL OR r.runbook = $2) ORDER BY r.run_id DESC LIMIT 200`, [before, query.runbook ?? null])).rows;
      for (const row of rows) {
        const entry = historyEntry(row, query.now);
        if (query.since !== undefined && (entry.startedAt === undefined || Date.parse(entry.startedAt) < query.since)) continue;
        if (query.states && !query.states.has(entry.status)) continue;
        entries.push(entry);
        if (entries.length >= limit) return entries;
      }
      if (rows.length < 200) return entries;
      before = rows.at(-1)?.run_id ?? null;
    }
  }

  async loadRun(runId: string, now?: number): Promise<StoredRun> {
    const run = await loadStoredRun(this.client, runId, this.location, now);
    if (!run) throw new UsageError(`No run "${runId}" in ${this.location}`, { hint: HINT });
    return run;
  }

  async checkoutRunbook(run: StoredRun): Promise<RunbookCheckout | undefined> {
    const copy = run.meta?.runbookCopy;
    if (!copy) return undefined;
    const files = (await this.client.query<{ path: string; text: string }>('SELECT path, text FROM stepwise_files WHERE run_id = $1', [run.runId])).rows;
    const main = files.find((f) => f.path === copy);
    if (!main) return undefined;
    // The runbook and its library steps as files, where loadRunbook finds them, private to us.
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-runbook-'));
    try {
      for (const file of files) {
        const path = join(dir, safeRelativePath(file.path));
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        writeFileSync(path, file.text, { mode: 0o600 });
      }
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return { file: join(dir, safeRelativePath(copy)), text: main.text, dispose: () => rmSync(dir, { recursive: true, force: true }) };
  }

  async logsOf(run: StoredRun, stepId?: string): Promise<StoredLog[]> {
    const rows = (await this.client.query<{ step_id: string; phase: 'run' | 'rollback' }>('SELECT step_id, phase FROM stepwise_logs WHERE run_id = $1 ORDER BY opened', [run.runId])).rows;
    const logs = orderLogs(run, rows.map((r) => ({ stepId: r.step_id, phase: r.phase }))).filter((l) => stepId === undefined || l.stepId === stepId);
    if (stepId !== undefined && logs.length === 0 && !run.summary.steps.some((s) => s.stepId === stepId)) {
      const known = run.summary.steps.map((s) => s.stepId);
      throw new UsageError(`Run ${run.runId} has no step "${stepId}"${known.length > 0 ? ` (steps: ${known.join(', ')})` : ''}`, { hint: `\`stepwise show ${run.runId}\` lists its steps.` });
    }
    return logs.map((l) => ({ ...l, location: `${this.location} (run ${run.runId}, log of ${l.stepId}${l.phase === 'rollback' ? ' rollback' : ''})` }));
  }

  async writeLog(run: StoredRun, log: StoredLog, out: Writable): Promise<void> {
    let expected = 0;
    for (let from = 0; ; ) {
      // A few chunks at a time: a capped log is at most 2 MiB kept, an uncapped one 16 MiB.
      const rows = (await this.client.query<{ byte_offset: string; data: Buffer }>(
        'SELECT byte_offset, data FROM stepwise_log_chunks WHERE run_id = $1 AND step_id = $2 AND phase = $3 AND byte_offset >= $4 ORDER BY byte_offset LIMIT 8',
        [run.runId, log.stepId, log.phase, from],
      )).rows;
      for (const row of rows) {
        const offset = Number(row.byte_offset);
        if (offset > expected) await write(out, `# … ${offset - expected} bytes of output not kept here (the log passed its cap: its first and last MiB are kept) …\n`);
        await write(out, row.data);
        expected = offset + row.data.length;
        from = expected;
      }
      if (rows.length < 8) return;
    }
  }

  async readLogBytes(run: StoredRun, log: StoredLog, headBytes: number, tailBytes: number): Promise<LogBytes> {
    const key = [run.runId, log.stepId, log.phase];
    const total = Number((await this.client.query<{ total_bytes: string }>('SELECT total_bytes FROM stepwise_logs WHERE run_id = $1 AND step_id = $2 AND phase = $3', key)).rows[0]?.total_bytes ?? 0);
    const range = async (from: number, to: number): Promise<{ data: Buffer; kept: number }> => {
      if (to <= from) return { data: Buffer.alloc(0), kept: 0 };
      const rows = (await this.client.query<{ byte_offset: string; data: Buffer }>(
        'SELECT byte_offset, data FROM stepwise_log_chunks WHERE run_id = $1 AND step_id = $2 AND phase = $3 AND byte_offset < $5 AND byte_offset + length(data) > $4 ORDER BY byte_offset',
        [...key, from, to],
      )).rows;
      const parts = rows.map((r) => {
        const offset = Number(r.byte_offset);
        return r.data.subarray(Math.max(0, from - offset), Math.min(r.data.length, to - offset));
      });
      const data = Buffer.concat(parts);
      return { data, kept: data.length };
    };
    if (total <= headBytes + tailBytes) {
      const all = await range(0, total);
      return { totalBytes: total, head: all.data, tail: Buffer.alloc(0), droppedBytes: total - all.kept };
    }
    const head = await range(0, headBytes);
    const tail = await range(total - tailBytes, total);
    return { totalBytes: total, head: head.data, tail: tail.data, droppedBytes: headBytes + tailBytes - head.kept - tail.kept };
  }

  async followLogs(runId: string, out: Writable, options: FollowOptions = {}): Promise<void> {
    const offsets = new Map<string, number>();
    let shown: string | undefined;
    for (;;) {
      const run = await this.loadRun(runId);
      const running = run.state === 'running';
      for (const log of await this.logsOf(run, options.stepId).catch(() => [])) {
        const key = `${log.phase}:${log.stepId}`;
        const rows = (await this.client.query<{ byte_offset: string; data: Buffer }>(
          'SELECT byte_offset, data FROM stepwise_log_chunks WHERE run_id = $1 AND step_id = $2 AND phase = $3 AND byte_offset >= $4 ORDER BY byte_offset',
          [runId, log.stepId, log.phase, offsets.get(key) ?? 0],
        )).rows;
        for (const row of rows) {
          if (shown !== key) {
            await write(out, `${shown === undefined ? '' : '\n'}==> ${log.stepId}${log.phase === 'rollback' ? ' (rollback)' : ''} <==\n`);
            shown = key;
          }
          await write(out, row.data);
          offsets.set(key, Number(row.byte_offset) + row.data.length);
        }
      }
      if (!running || options.signal?.aborted) return;
      await sleep(options.pollMs ?? 250, undefined, options.signal ? { signal: options.signal } : {}).catch(() => undefined);
    }
  }

  async acquireLock(name: string, options: AcquireLockOptions): Promise<HeldLock> {
    const key = lockKey(name);
    const deadline = Date.now() + Math.max(0, options.waitMs ?? 0);
    for (;;) {
      options.signal?.throwIfAborted();
      const won = (await this.client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [key.id])).rows[0]?.ok === true;
      if (won) {
        const holder: LockHolder = { runId: options.runId, pid: process.pid, host: hostname(), since: new Date().toISOString() };
        await this.client.query(
          `INSERT INTO stepwise_locks (lock_key, name, run_id, host, pid, since, backend_pid) VALUES ($1, $2, $3, $4, $5, $6, pg_backend_pid())
           ON CONFLICT (lock_key) DO UPDATE SET name = EXCLUDED.name, run_id = EXCLUDED.run_id, host = EXCLUDED.host, pid = EXCLUDED.pid, since = EXCLUDED.since, backend_pid = EXCLUDED.backend_pid`,
          [key.hex, name, holder.runId, holder.host, holder.pid, holder.since],
        );
        let released = false;
        return {
          name,
          holder,
          release: async () => {
            if (released) return;
            released = true;
            await this.client.query('DELETE FROM stepwise_locks WHERE lock_key = $1 AND run_id = $2', [key.hex, holder.runId]);
            await this.client.query('SELECT pg_advisory_unlock($1::bigint)', [key.id]);
          },
        };
      }
      if (Date.now() >= deadline) {
        const row = (await this.client.query<{ run_id: string; pid: number; host: string; since: string }>('SELECT run_id, pid, host, since FROM stepwise_locks WHERE lock_key = $1', [key.hex])).rows[0];
        const holder = row ? { runId: row.run_id, pid: row.pid, host: row.host, since: row.since } : undefined;
        throw new LockBusyError(name, this.location, holder, options.waitMs ?? 0, lockHint(holder));
      }
      await sleep(Math.min(options.pollMs ?? 250, Math.max(1, deadline - Date.now())), undefined, options.signal ? { signal: options.signal } : {}).catch((error: unknown) => {
        if (options.signal?.aborted) throw options.signal.reason;
        throw error;
      });
    }
  }

  async blockingRun(lock: string): Promise<BlockingRun | undefined> {
    const newest = (await this.client.query<{ run_id: string }>('SELECT run_id FROM stepwise_runs WHERE lock_name = $1 ORDER BY run_id DESC LIMIT 1', [lock])).rows[0];
    return newest ? blockingRunOf(await this.loadRun(newest.run_id)) : undefined;
  }

  async acknowledge(runId: string, ack: Acknowledgement): Promise<void> {
    const body = { type: 'run.acknowledged', time: new Date().toISOString(), runId, ...ack };
    await this.client.query(
      'INSERT INTO stepwise_events (run_id, seq, type, time, body) SELECT $1, COALESCE(max(seq), 0) + 1, $2, $3, $4 FROM stepwise_events WHERE run_id = $1',
      [runId, body.type, body.time, JSON.stringify(body)],
    );
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

/** `STEPWISE_LOG_CAP_MB` (MiB, at least 2: the kept head and tail) or the default; a bad value is exit 2. */
function logCapFrom(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_LOG_CAP;
  const mib = Number(value);
  if (!Number.isInteger(mib) || mib < 2) throw new UsageError(`STEPWISE_LOG_CAP_MB must be a whole number of MiB, 2 or more; got \`${value}\``);
  return mib * 1024 * 1024;
}

/** A lock name as an advisory lock key: any length of name, hashed (never refused for its length). */
function lockKey(name: string): { id: string; hex: string } {
  const digest = createHash('sha256').update(`stepwise-lock:${name}`).digest();
  return { id: digest.readBigInt64BE(0).toString(), hex: digest.toString('hex') };
}

function lockHint(holder: LockHolder | undefined): string {
  const show = holder ? ` \`stepwise show ${holder.runId}\` shows what it is doing.` : '';
  return `Wait for it to finish (--wait-lock DURATION waits for it).${show} The lock belongs to the holder's database session: it frees itself when that runner ends or loses its connection.`;
}

async function write(out: Writable, data: string | Buffer): Promise<void> {
  if (!out.write(data)) await once(out, 'drain');
}
