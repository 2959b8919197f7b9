/**
 * The cost of one journal commit on this machine, without stepwise: over one connection
 * (node-postgres, as stepwise uses), N autocommit INSERTs of a ~200-byte JSON row into a
 * scratch table, timed one by one from the client. Run once with synchronous_commit on (the
 * commit waits for its WAL fsync) and once off (it does not), so the difference is the fsync.
 */
import pg from 'pg';
import { median } from './measure.mjs';

const ROW = JSON.stringify({ type: 'step.started', time: new Date().toISOString(), runId: '20261126T231500Z-7f3a', stepId: 's1', phase: 'run', attempt: 1, host: 'local', pad: 'x'.repeat(60) });

/** Resolves { n, sync: { medianMs, p90Ms }, async: { medianMs, p90Ms } }. */
export async function probeCommits(url, n = 200) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // A regular table: a temporary one writes no WAL, so its commits would not wait for an fsync.
    await client.query('CREATE TABLE bench_commit_probe (seq integer, body jsonb)');
    const time = async (mode) => {
      await client.query(`SET synchronous_commit = ${mode}`);
      const times = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await client.query('INSERT INTO bench_commit_probe (seq, body) VALUES ($1, $2::jsonb)', [i, ROW]);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      return { medianMs: median(times), p90Ms: times[Math.floor(n * 0.9)] };
    };
    return { n, sync: await time('on'), async: await time('off') };
  } finally {
    await client.query('DROP TABLE IF EXISTS bench_commit_probe').catch(() => undefined);
    await client.end();
  }
}
