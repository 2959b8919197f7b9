/**
 * Issue 15's speed target: 100 trivial local steps (`/bin/true`) with the state in PostgreSQL
 * on loopback against the state dir, side by side. The bench starts its own throwaway cluster
 * (durability on, see lib/postgres.mjs) and stops it afterwards, also on error.
 *
 * stepwise has no way to run without a journal, so the floor for "journal cost" is the
 * cheapest journal there is: the state dir on tmpfs (its fsyncs cost nearly nothing). 1-step
 * runs split fixed per-run costs (importing pg, connecting, the schema check, the lock) from
 * per-step ones; a database with synchronous_commit=off shows what waiting for the WAL flush
 * of each commit costs. Afterwards, untimed: commits, WAL syncs and statements of one run
 * from the server's own statistics, which events each commit carried, one commit and one
 * fdatasync timed without stepwise, and where a run's wall and CPU time go.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freshStateDir, stepwiseCommand } from '../lib/context.mjs';
import { localRunbook } from '../lib/generate.mjs';
import { median, runInterleaved } from '../lib/measure.mjs';
import { probeCommits } from '../lib/pg-commit-probe.mjs';
import { postgresUnavailableReason, startPostgres } from '../lib/postgres.mjs';
import { checkOf, fmtMs, summarise } from '../lib/report.mjs';

export const id = 'state-postgres';

const TITLE = '100 trivial local steps: state in PostgreSQL vs the state dir';
const SYNC_DB = 'bench';
const ASYNC_DB = 'bench_async';
/** The run that wrote the newest event (the one just run). */
const LATEST_RUN = '(SELECT run_id FROM stepwise_events ORDER BY time DESC LIMIT 1)';

export async function run(ctx) {
  const unavailable = ctx.cliUnavailable ?? postgresUnavailableReason();
  if (unavailable) return { title: TITLE, unavailable };
  const N = 100;
  const sw100 = localRunbook(ctx.scratch, N);
  const sw1 = localRunbook(ctx.scratch, 1);
  let pg;
  try {
    // In the system temp dir, not the scratch dir: the server's account must be able to reach it.
    pg = await startPostgres();
    ctx.log(`  private PostgreSQL ${pg.version} on 127.0.0.1:${pg.port}, data in ${pg.dataDir} (fsync on)`);
    pg.createDatabase(SYNC_DB);
    pg.createDatabase(ASYNC_DB);
    pg.psql(`ALTER DATABASE ${ASYNC_DB} SET synchronous_commit = off`);
    pg.psql('CREATE EXTENSION pg_stat_statements', SYNC_DB);
    const disk = freshStateDir(ctx.scratch);
    const shm = freshStateDir(ctx.shm);
    const dir = (file) => (c) => stepwiseCommand(ctx, ['run', file, '--state-dir', c.stateDir]);
    const db = (file, name) => () => stepwiseCommand(ctx, ['run', file, '--state', pg.url(name)]);
    // The untimed warm-up of each PostgreSQL variant creates the schema: what follows is a
    // database in use, as a team's would be (the first-use migration is a one-time cost).
    const variants = [
      { id: 'disk100', label: 'stepwise, 100 steps, state dir on disk', ...disk, command: dir(sw100) },
      { id: 'pg100', label: 'stepwise, 100 steps, PostgreSQL on loopback', command: db(sw100, SYNC_DB) },
      { id: 'shm100', label: 'stepwise, 100 steps, state dir on tmpfs (floor)', ...shm, command: dir(sw100) },
      { id: 'pgAsync100', label: 'stepwise, 100 steps, PostgreSQL, synchronous_commit=off (info)', command: db(sw100, ASYNC_DB) },
      { id: 'disk1', label: 'stepwise, 1 step, state dir on disk', ...disk, command: dir(sw1) },
      { id: 'pg1', label: 'stepwise, 1 step, PostgreSQL on loopback', command: db(sw1, SYNC_DB) },
    ];
    const results = await runInterleaved(variants, { rounds: ctx.rounds, scratch: ctx.scratch, log: ctx.log });
    const stats = summarise(variants, results, 'disk100');
    const notes = [
      'No variant runs without a journal (stepwise has no such mode), so the journal-cost verdict is (PostgreSQL − state dir on tmpfs) / 100: everything PostgreSQL adds over the cheapest journal, fixed per-run costs (loading `pg`, connecting, the schema check, the lock) included. It slightly understates the whole journal cost, since the tmpfs journal itself is not free.',
      `Server: PostgreSQL ${pg.version}, private cluster started by the bench, data dir on the same disk as the state dirs, defaults for fsync, synchronous_commit and full_page_writes (the test harness turns them off; here they stay on so both backends pay for durability). One database for all runs of a variant; the file variants get a fresh state dir per run.`,
    ];
    if (!stats.get('pg100').unavailable) notes.push(...(await profileRun(ctx, pg, sw100, N)));
    return {
      title: TITLE,
      description: 'Each step runs the external program `/bin/true`; stdout to /dev/null. `--state postgres://postgres@127.0.0.1:PORT/bench` against `--state-dir DIR`.',
      refLabel: 'state dir on disk',
      stats,
      checks: [
        checkOf(stats, 'PostgreSQL / state dir on disk, 100 steps — issue 15', (v) => v('pg100') / v('disk100'), { max: 1.3 }),
        checkOf(stats, 'journal per step: (PostgreSQL − tmpfs floor) / 100 — issue 15', (v) => (v('pg100') - v('shm100')) / N, { max: 2, unit: 'ms' }),
        checkOf(stats, 'extra per step over the state dir on disk: (PostgreSQL − disk) / 100 (info)', (v) => (v('pg100') - v('disk100')) / N, { unit: 'ms' }),
        checkOf(stats, 'extra per step, fixed costs excluded: ((PG100 − PG1) − (disk100 − disk1)) / 99 (info)', (v) => (v('pg100') - v('pg1') - v('disk100') + v('disk1')) / (N - 1), { unit: 'ms' }),
        checkOf(stats, 'fixed extra per run: PG 1 step − disk 1 step (info)', (v) => v('pg1') - v('disk1'), { unit: 'ms' }),
        checkOf(stats, 'waiting for commits per step: (PG − PG synchronous_commit=off) / 100 (info)', (v) => (v('pg100') - v('pgAsync100')) / N, { unit: 'ms' }),
      ],
      notes,
    };
  } catch (error) {
    const log = pg ? ` | server log: ${pg.log().split('\n').slice(-5).join(' / ')}` : '';
    return { title: TITLE, unavailable: `${error.message.split('\n')[0]}${log}` };
  } finally {
    pg?.stop();
  }
}

/**
 * Untimed: one 100-step run against freshly reset server statistics (commits, WAL syncs and
 * their time, statements, events per commit), the cost of one commit and of one fdatasync
 * without stepwise, then one run per backend split into phases by its own event times.
 */
async function profileRun(ctx, pg, runbook, steps) {
  const notes = [];
  let commitsPerStep;
  let gaps = [];
  const q = (sql) => pg.psql(sql, SYNC_DB);
  try {
    q("SELECT pg_stat_reset(), pg_stat_reset_shared('wal'), pg_stat_statements_reset()");
    const before = Number(q(`SELECT xact_commit FROM pg_stat_database WHERE datname = '${SYNC_DB}'`));
    const { cmd, args, env, cwd } = stepwiseCommand(ctx, ['run', runbook, '--state', pg.url(SYNC_DB)]);
    execFileSync(cmd, args, { env: { ...process.env, ...env }, cwd, stdio: 'ignore' });
    // A backend's statistics reach the shared counters when it exits, which may trail the client.
    for (let i = 0; i < 50 && q("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'stepwise'") !== '0'; i++) execFileSync('sleep', ['0.1']);
    const after = Number(q(`SELECT pg_stat_clear_snapshot(); SELECT xact_commit FROM pg_stat_database WHERE datname = '${SYNC_DB}'`).split('\n').pop());
    const [walRecords, walSyncs, walSyncMs, walWrites] = q('SELECT wal_records, wal_sync, wal_sync_time, wal_write FROM pg_stat_wal').split('|').map(Number);
    const commits = after - before;
    notes.push(`Server statistics of one 100-step run (reset before it): ${commits} commits (${(commits / steps).toFixed(2)} per step; the lock, schema check and runbook texts and the statistics queries are a few of them), ${walSyncs} WAL syncs (${(walSyncs / steps).toFixed(2)} per step) taking ${fmtMs(walSyncMs / Math.max(walSyncs, 1))} each on average (${fmtMs(walSyncMs)} in all), ${walWrites} WAL writes, ${walRecords} WAL records.`);
    const rows = q(`SELECT calls, round(total_exec_time::numeric, 2), round(mean_exec_time::numeric, 3), regexp_replace(left(query, 70), '\\s+', ' ', 'g')
      FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = '${SYNC_DB}' AND query NOT ILIKE '%pg_stat%' ORDER BY total_exec_time DESC LIMIT 6`);
    const shown = rows.split('\n').filter(Boolean).map((line) => {
      const [calls, total, mean, text] = line.split('|');
      return `${calls} × \`${text.trim().replace(/\|/g, '/')}…\` (${fmtMs(Number(mean))} each, ${fmtMs(Number(total))} in all)`;
    });
    if (shown.length) notes.push(`Statements of that run by server execution time (pg_stat_statements; commit and network not included): ${shown.join('; ')}.`);
    // Rows inserted by one transaction share its xmin: which events each commit carried.
    const groups = q(`SELECT string_agg(type, '+' ORDER BY seq) FROM stepwise_events
      WHERE run_id = ${LATEST_RUN} GROUP BY xmin::text ORDER BY min(seq)`).split('\n').filter(Boolean);
    const counts = new Map();
    for (const g of groups) counts.set(g, (counts.get(g) ?? 0) + 1);
    const common = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([g, n]) => `${n} × [${g}]`);
    commitsPerStep = groups.length / steps;
    // A step.process commit delays the next step only when the step ends before it returns.
    gaps = q(`WITH e AS (SELECT body->>'stepId' AS step, type, time::timestamptz AS t FROM stepwise_events WHERE run_id = ${LATEST_RUN})
      SELECT extract(epoch FROM f.t - p.t) * 1000 FROM e p JOIN e f ON f.step = p.step AND f.type = 'step.finished' WHERE p.type = 'step.process'`)
      .split('\n').filter(Boolean).map(Number).sort((a, b) => a - b);
    notes.push(`Events per commit in that run (rows grouped by their inserting transaction, xmin): ${groups.length} commits carried events; most common: ${common.join(', ')}.`);
  } catch (error) {
    notes.push(`Server statistics unavailable: ${error.message.split('\n')[0]}`);
  }
  try {
    const probe = await probeCommits(pg.url(SYNC_DB), 200);
    notes.push(`One autocommit INSERT of a journal-sized row over node-postgres without stepwise (${probe.n}×): synchronous_commit on median ${fmtMs(probe.sync.medianMs)} (p90 ${fmtMs(probe.sync.p90Ms)}), off median ${fmtMs(probe.async.medianMs)} (p90 ${fmtMs(probe.async.p90Ms)}): a WAL fsync costs ≈ ${fmtMs(probe.sync.medianMs - probe.async.medianMs)} of each commit.`);
    const fsync = JSON.parse(execFileSync(process.execPath, [join(ctx.benchDir, 'lib', 'fsync-probe.mjs'), ctx.scratch, '200'], { encoding: 'utf8' }));
    notes.push(`For comparison, at the same moment: one append + fdatasync of a journal line on the same disk (bench/lib/fsync-probe.mjs, ${fsync.n}×): median ${fmtMs(fsync.medianMs)} (p90 ${fmtMs(fsync.p90Ms)}); the state dir makes about one such sync per step (counted with strace by the local scenario).`);
    if (commitsPerStep !== undefined) notes.push(`Estimated commit cost per step = ${commitsPerStep.toFixed(2)} journal commits × ${fmtMs(probe.sync.medianMs)} = ${fmtMs(commitsPerStep * probe.sync.medianMs)} of commits, of which one per step (step.finished + the next step.started) is always waited for: ${fmtMs(probe.sync.medianMs)}.`);
    if (gaps.length) {
      const shorter = gaps.filter((g) => g < probe.sync.medianMs).length;
      notes.push(`The step.process commit is waited for only when the step ends before it returns: from step.process to step.finished took ${fmtMs(median(gaps))} (median; p10 ${fmtMs(gaps[Math.floor(gaps.length * 0.1)])}) in that run, shorter than one commit's median in ${shorter} of ${gaps.length} steps.`);
    }
  } catch (error) {
    notes.push(`Commit probe failed: ${error.message.split('\n')[0]}`);
  }
  // Where the fixed cost sits, by the runs' own event times: spawn → run.started (start-up,
  // opening the state, the lock, storing the runbook), the steps, run.finished → exit.
  const stateDir = mkdtempSync(join(ctx.scratch, 'state-phases-'));
  try {
    const pgTimes = () => q(`SELECT type || ' ' || time FROM stepwise_events WHERE run_id = ${LATEST_RUN} AND type IN ('run.started', 'run.finished')`).split('\n');
    const fileTimes = () => {
      const runs = join(stateDir, 'runs');
      const journal = readFileSync(join(runs, readdirSync(runs)[0], 'journal.jsonl'), 'utf8');
      return journal.split('\n').filter(Boolean).map((line) => JSON.parse(line)).map((e) => `${e.type} ${e.time}`);
    };
    notes.push(`One more run each, phases by event times (CPU by /usr/bin/time, children included): PostgreSQL ${phases(ctx, runbook, ['--state', pg.url(SYNC_DB)], pgTimes)}; state dir on disk ${phases(ctx, runbook, ['--state-dir', stateDir], fileTimes)}.`);
  } catch (error) {
    notes.push(`Phases unavailable: ${error.message.split('\n')[0]}`);
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
  return notes;
}

/** Runs stepwise once; says how long it took to reach run.started, to run the steps, and to exit. */
function phases(ctx, runbook, extra, eventLines) {
  const out = join(ctx.scratch, `cpu-${process.pid}.txt`);
  const { cmd, args, env, cwd } = stepwiseCommand(ctx, ['run', runbook, ...extra]);
  const timed = ctx.timeUnavailable ? [cmd, args] : ['/usr/bin/time', ['-f', '%U %S', '-o', out, cmd, ...args]];
  const t0 = Date.now();
  execFileSync(timed[0], timed[1], { env: { ...process.env, ...env }, cwd, stdio: 'ignore' });
  const t1 = Date.now();
  const at = (type) => Date.parse(eventLines().find((l) => l.startsWith(`${type} `))?.split(' ')[1] ?? '');
  const started = at('run.started');
  const finished = at('run.finished');
  let cpu = '';
  if (!ctx.timeUnavailable) {
    const [user, sys] = readFileSync(out, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    rmSync(out, { force: true });
    cpu = `, ${((user + sys) * 1000).toFixed(0)} ms CPU (user ${(user * 1000).toFixed(0)} + sys ${(sys * 1000).toFixed(0)})`;
  }
  return `${fmtMs(t1 - t0)} wall = ${fmtMs(started - t0)} to run.started + ${fmtMs(finished - started)} of steps + ${fmtMs(t1 - finished)} to exit${cpu}`;
}
