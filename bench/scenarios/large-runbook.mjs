/**
 * The largest runbook stepwise reads: `stepwise validate large.yaml` (1 MiB, about 4,000
 * steps, read and located by `yaml` alone) against `node -e 0`. Files over 1 MiB are
 * refused before parsing, so this is the most a validation can cost.
 */
import { stepwiseCommand } from '../lib/context.mjs';
import { largeRunbook } from '../lib/generate.mjs';
import { runInterleaved } from '../lib/measure.mjs';
import { checkOf, summarise } from '../lib/report.mjs';

export const id = 'large-runbook';

export async function run(ctx) {
  const large = largeRunbook(ctx.scratch);
  const variants = [
    { id: 'node', label: '`node -e 0`', command: () => ({ cmd: process.execPath, args: ['-e', '0'] }) },
    { id: 'large', label: `\`stepwise validate large.yaml\` (${large.steps} steps, ${(large.bytes / 1048576).toFixed(2)} MiB)`, unavailable: ctx.cliUnavailable, command: () => stepwiseCommand(ctx, ['validate', large.path]), rss: !ctx.timeUnavailable },
  ];
  const results = await runInterleaved(variants, { rounds: ctx.rounds, scratch: ctx.scratch, log: ctx.log });
  const stats = summarise(variants, results, 'node');
  return {
    title: 'Validating the largest runbook (1 MiB)',
    description: 'Whole process, spawn to exit, stdout to /dev/null. Each step has a name, a description, a two-line script with `${{ }}` references, a timeout and a retry.',
    refLabel: '`node -e 0`',
    stats,
    extraColumns: [{ title: 'peak RSS', value: (s) => (s.rssKb === undefined ? '' : `${(s.rssKb / 1024).toFixed(0)} MiB`) }],
    checks: [checkOf(stats, 'validate large.yaml, whole process', (v) => v('large'), { max: 1000, unit: 'ms', note: '(on this machine)' })],
  };
}
