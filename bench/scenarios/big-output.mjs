/**
 * A step printing a lot (default 1 GB = 10^9 bytes in 100-byte lines): the whole stepwise
 * run with its stdout to /dev/null against bash writing the same bytes to a file on the
 * same disk. Throughput in MB/s (10^6 bytes) and peak RSS (GNU time %M: the largest
 * process of the tree, which is the stepwise Node process).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { stepwiseCommand } from '../lib/context.mjs';
import { bigBashScript, bigRunbook } from '../lib/generate.mjs';
import { runInterleaved } from '../lib/measure.mjs';
import { check, checkOf, summarise } from '../lib/report.mjs';

export const id = 'big-output';

function duBytes(dir) {
  try {
    return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
  } catch {
    return NaN;
  }
}

export async function run(ctx) {
  const bytes = ctx.bigBytes;
  const mb = bytes / 1e6;
  const swFile = bigRunbook(ctx.scratch, bytes);
  const shFile = bigBashScript(ctx.scratch, bytes);
  let stateBytes = NaN;
  const rssUnavailable = ctx.timeUnavailable;
  const variants = [
    {
      id: 'bash', label: `bash → file, ${mb} MB`, rss: !rssUnavailable,
      prepare: () => ({ out: join(mkdtempSync(join(ctx.scratch, 'big-')), 'out') }),
      cleanup: (c) => rmSync(join(c.out, '..'), { recursive: true, force: true }),
      command: (c) => ({ cmd: 'bash', args: ['--noprofile', '--norc', '-eo', 'pipefail', shFile], env: { OUT_FILE: c.out } }),
    },
    {
      id: 'sw', label: `stepwise → /dev/null, ${mb} MB`, rss: !rssUnavailable, unavailable: ctx.cliUnavailable,
      prepare: () => ({ stateDir: mkdtempSync(join(ctx.scratch, 'state-')) }),
      cleanup: (c) => {
        if (Number.isNaN(stateBytes)) stateBytes = duBytes(c.stateDir);
        rmSync(c.stateDir, { recursive: true, force: true });
      },
      command: (c) => stepwiseCommand(ctx, ['run', swFile, '--state-dir', c.stateDir]),
    },
  ];
  const results = await runInterleaved(variants, { rounds: ctx.bigRounds, scratch: ctx.scratch, log: ctx.log });
  const stats = summarise(variants, results, 'bash');
  const sw = stats.get('sw');
  const notes = [
    `The step is \`head -c ${bytes} < <(yes "$(printf '%099d' 0)")\` (100-byte lines); bash runs the same line with \`> file\` on the same disk (${ctx.machine.scratchFs}).`,
    `stepwise also writes the step's log into its state dir on that disk: ${Number.isFinite(stateBytes) ? `${(stateBytes / 1e6).toFixed(0)} MB` : 'size unknown'} after one run (and prints every line through the plain reporter to /dev/null).`,
  ];
  if (rssUnavailable) notes.push(`Peak RSS not measured: ${rssUnavailable}`);
  return {
    title: `Large output: one step printing ${mb} MB`,
    refLabel: 'bash',
    stats,
    extraColumns: [
      { title: 'MB/s', value: (s) => (bytes / 1e6 / (s.median / 1000)).toFixed(0) },
      { title: 'peak RSS', value: (s) => (s.rssKb === undefined ? '—' : `${(s.rssKb / 1024).toFixed(0)} MiB`) },
    ],
    checks: [
      checkOf(stats, 'stepwise / bash', (v) => v('sw') / v('bash'), { max: 2 }),
      check('stepwise peak RSS (max over runs)', sw.rssKb === undefined ? NaN : sw.rssKb / 1024, { max: 150, unit: 'MiB' }),
    ],
    notes,
  };
}
