/**
 * `stepwise report` against `stepwise show` of the same stored run (issue 17: report in under
 * 1.5× the time of show). The run is made once, untimed: 100 local steps, each printing a few
 * lines (some coloured), the last one failing so its rollback shows too. Also informational:
 * the report of a run whose one step printed 200 MB (the log is read at its head and tail only).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stepwiseCommand } from '../lib/context.mjs';
import { runInterleaved } from '../lib/measure.mjs';
import { checkOf, summarise } from '../lib/report.mjs';

export const id = 'report';

/** A 100-step runbook whose steps print a little (the realistic case for a report). */
function chattyRunbook(dir, n) {
  const path = join(dir, `chatty-${n}.yaml`);
  const steps = Array.from({ length: n }, (_, i) => {
    const fail = i === n - 1 ? '\n      exit 1' : '';
    return `  - id: s${i + 1}\n    description: Step ${i + 1} of the report benchmark.\n    run: |\n      echo "step ${i + 1}: checking things"\n      printf '\\033[32mok\\033[0m %s\\n' one two three\n      echo "done with step ${i + 1}" >&2${fail}\n    rollback: echo "undo ${i + 1}"\n`;
  });
  writeFileSync(path, `name: bench-report-${n}\ndescription: A run for the report benchmark.\nsteps:\n${steps.join('')}`);
  return path;
}

function loudRunbook(dir, bytes) {
  const path = join(dir, 'loud.yaml');
  writeFileSync(path, `name: bench-report-loud\nsteps:\n  - id: loud\n    run: head -c ${bytes} /dev/zero | tr '\\0' 'x' | fold -w 99\n`);
  return path;
}

/** Runs a runbook once into a fresh state dir (untimed); returns the state dir and the run id. */
function storedRun(ctx, runbook) {
  const stateDir = mkdtempSync(join(ctx.scratch, 'state-report-'));
  const { cmd, args, env, cwd } = stepwiseCommand(ctx, ['run', runbook, '--state-dir', stateDir]);
  try {
    execFileSync(cmd, args, { env: { ...process.env, ...env }, cwd, stdio: 'ignore' });
  } catch {
    // The chatty run fails on purpose (exit 1).
  }
  const [runId] = readdirSync(join(stateDir, 'runs'));
  return { stateDir, runId };
}

export async function run(ctx) {
  if (ctx.cliUnavailable) return { title: 'Report vs show', unavailable: ctx.cliUnavailable };
  const chatty = storedRun(ctx, chattyRunbook(ctx.scratch, 100));
  const loud = storedRun(ctx, loudRunbook(ctx.scratch, 200_000_000));
  const out = (name) => join(ctx.scratch, name);
  const rss = !ctx.timeUnavailable;
  const variants = [
    { id: 'show', label: '`stepwise show RUN` (100 steps)', rss, command: () => stepwiseCommand(ctx, ['show', chatty.runId, '--state-dir', chatty.stateDir]) },
    { id: 'report', label: '`stepwise report RUN -o FILE` (100 steps)', rss, command: () => stepwiseCommand(ctx, ['report', chatty.runId, '-o', out('chatty.html'), '--state-dir', chatty.stateDir]) },
    { id: 'showLoud', label: '`stepwise show RUN` (one step printed 200 MB) (info)', rss, command: () => stepwiseCommand(ctx, ['show', loud.runId, '--state-dir', loud.stateDir]) },
    { id: 'reportLoud', label: '`stepwise report RUN -o FILE` (one step printed 200 MB) (info)', rss, command: () => stepwiseCommand(ctx, ['report', loud.runId, '-o', out('loud.html'), '--state-dir', loud.stateDir]) },
  ];
  const results = await runInterleaved(variants, { rounds: ctx.rounds * 2, scratch: ctx.scratch, log: ctx.log });
  const stats = summarise(variants, results, 'show');
  const size = (name) => {
    try {
      return `${(statSync(out(name)).size / 1024).toFixed(0)} KiB`;
    } catch {
      return '?';
    }
  };
  return {
    title: 'Report vs show',
    description: 'Whole process, spawn to exit, of the built CLI on one stored run (made once, untimed). `report` writes the HTML file; `show` prints to /dev/null.',
    refLabel: '`show`',
    stats,
    extraColumns: [{ title: 'peak RSS', value: (s) => (s.rssKb === undefined ? '—' : `${(s.rssKb / 1024).toFixed(0)} MiB`) }],
    checks: [
      checkOf(stats, 'report / show, 100-step run — issue 17', (v) => v('report') / v('show'), { max: 1.5 }),
      checkOf(stats, 'report / show, 200 MB log (info)', (v) => v('reportLoud') / v('showLoud'), {}),
    ],
    notes: [
      `Report sizes: 100-step run ${size('chatty.html')}, 200 MB log ${size('loud.html')} (a log is read at its head and tail only).`,
      ...(ctx.timeUnavailable ? [`Peak RSS not measured: ${ctx.timeUnavailable}`] : []),
    ],
  };
}
