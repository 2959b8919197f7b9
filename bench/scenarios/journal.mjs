/**
 * The state dir's own costs, informational (no target): `stepwise history` over 200 stored
 * runs whose step records carry 60 KB stdout tails (every fifth run crashed), as a whole
 * process against `node -e 0`; and, in-process through `bench/lib/journal-probe.mjs`, what
 * the JournalWriter costs per step with its fsyncs coalesced or at every boundary, and what
 * listRuns costs over the same 200 runs. The runs are written once, untimed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { stepwiseCommand } from '../lib/context.mjs';
import { runInterleaved } from '../lib/measure.mjs';
import { checkOf, fmtMs, summarise } from '../lib/report.mjs';

export const id = 'journal';

const RUNS = 200;
const STEPS = 300;

/** Runs the probe in a child process; its JSON result, or undefined with the reason logged. */
function probe(ctx, args) {
  try {
    const text = execFileSync(process.execPath, [join(ctx.benchDir, 'lib', 'journal-probe.mjs'), ...args], { encoding: 'utf8', cwd: ctx.scratch });
    return JSON.parse(text);
  } catch (error) {
    ctx.log(`  ! journal probe ${args[0]} failed: ${error.message.split('\n')[0]}`);
    return undefined;
  }
}

export async function run(ctx) {
  const title = 'State dir: journal writes and history';
  if (ctx.cliUnavailable) return { title, unavailable: ctx.cliUnavailable };
  const dist = join(ctx.root, 'dist');
  const stateDir = mkdtempSync(join(ctx.scratch, 'state-history-'));
  const listed = probe(ctx, ['history', dist, stateDir, String(RUNS), String(ctx.rounds)]);
  if (!listed) return { title, unavailable: 'the stored runs could not be written (see the log)' };
  const writer = probe(ctx, ['writer', dist, ctx.scratch, String(STEPS), String(ctx.rounds)]);
  const variants = [
    { id: 'node', label: '`node -e 0`', command: () => ({ cmd: process.execPath, args: ['-e', '0'] }) },
    { id: 'history', label: `\`stepwise history --limit ${RUNS}\` (${RUNS} runs, 60 KB tails)`, command: () => stepwiseCommand(ctx, ['history', '--limit', String(RUNS), '--state-dir', stateDir]) },
    { id: 'historyJson', label: `\`stepwise history --limit ${RUNS} --json\``, command: () => stepwiseCommand(ctx, ['history', '--limit', String(RUNS), '--json', '--state-dir', stateDir]) },
  ];
  const results = await runInterleaved(variants, { rounds: ctx.rounds, scratch: ctx.scratch, log: ctx.log });
  const stats = summarise(variants, results, 'node');
  const perStep = (m) => `${fmtMs(m.msPerStep)} per step, ${m.syncsPerStep.toFixed(2)} fsync per step`;
  const notes = [
    `In-process \`listRuns\` over the same ${listed.runs} runs (${listed.crashed} crashed): ${fmtMs(listed.listMs)} (median of ${listed.rounds} after one warm-up).`,
    writer
      ? `In-process JournalWriter, ${writer.steps} steps of start + 2 output lines + finish (median of ${writer.rounds} after one warm-up): coalesced, steps back to back ${perStep(writer.coalesced)}; coalesced, an event-loop turn between steps ${perStep(writer.coalescedWithTurns)}; an fsync at every boundary ${perStep(writer.everyBoundary)}. The \`local\` scenario times one bare append + fdatasync on this disk.`
      : 'In-process JournalWriter: the probe failed (see the log).',
  ];
  return {
    title,
    description: `Whole process, spawn to exit, stdout to /dev/null, of the built CLI on one state dir of ${RUNS} runs written once, untimed (every fifth run has no end, as after a crash).`,
    refLabel: '`node -e 0`',
    stats,
    checks: [checkOf(stats, `history of ${RUNS} runs − node -e 0 (info)`, (v) => v('history') - v('node'), { unit: 'ms' })],
    notes,
  };
}
