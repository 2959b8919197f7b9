/**
 * Cold start: `stepwise validate small.yaml` against `node -e 0`, the floor of any Node CLI.
 * Also informational: `stepwise --help` (yargs alone plus our main module).
 */
import { stepwiseCommand } from '../lib/context.mjs';
import { smallRunbook } from '../lib/generate.mjs';
import { runInterleaved } from '../lib/measure.mjs';
import { checkOf, summarise } from '../lib/report.mjs';

export const id = 'cold-start';

export async function run(ctx) {
  const file = smallRunbook(ctx.scratch);
  const variants = [
    { id: 'node', label: '`node -e 0`', command: () => ({ cmd: process.execPath, args: ['-e', '0'] }) },
    { id: 'validate', label: '`stepwise validate small.yaml`', unavailable: ctx.cliUnavailable, command: () => stepwiseCommand(ctx, ['validate', file]) },
    { id: 'help', label: '`stepwise --help` (info)', unavailable: ctx.cliUnavailable, command: () => stepwiseCommand(ctx, ['--help']) },
  ];
  const results = await runInterleaved(variants, { rounds: ctx.rounds * 2, scratch: ctx.scratch, log: ctx.log });
  const stats = summarise(variants, results, 'node');
  return {
    title: 'Cold start',
    description: 'Whole process, spawn to exit, stdout to /dev/null. Small runbook: 3 steps, 2 params, a retry, a rollback, expressions.',
    refLabel: '`node -e 0`',
    stats,
    checks: [checkOf(stats, 'validate / `node -e 0`', (v) => v('validate') / v('node'), { max: 2.5 })],
  };
}
