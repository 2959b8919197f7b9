/**
 * In-process costs of the state dir, through the built modules (dist/journal/), measured in
 * a child process of its own so the bench's parent stays small. Prints one JSON object.
 *
 * usage: node journal-probe.mjs writer  DIST SCRATCH [STEPS] [ROUNDS]
 *          the JournalWriter, STEPS steps of start + 2 output lines + finish: fsyncs
 *          coalesced with steps back to back, coalesced with an event-loop turn between
 *          steps (as the engine awaits I/O), and an fsync at every boundary; ms and fsyncs
 *          per step, median of ROUNDS after one warm-up.
 *        node journal-probe.mjs history DIST STATE_DIR [RUNS] [ROUNDS]
 *          writes RUNS runs into STATE_DIR (each step record carries a 60 KB stdout tail;
 *          every fifth run has no end, as after a crash), then times listRuns over them.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setImmediate as nextTurn } from 'node:timers/promises';

const [mode, dist, dir, countArg, roundsArg] = process.argv.slice(2);
if (!['writer', 'history'].includes(mode) || !dist || !dir) {
  process.stderr.write('usage: node journal-probe.mjs writer|history DIST DIR [COUNT] [ROUNDS]\n');
  process.exit(2);
}
const load = (file) => import(pathToFileURL(join(dist, 'journal', file)).href);
const { openStateDir } = await load('state-dir.js');
const { JournalWriter } = await load('journal-writer.js');
const rounds = Math.max(1, Number(roundsArg ?? 3));

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

/** One step's events as the engine emits them: start, two lines of output, finish. */
function stepEvents(runId, i, stdoutTail = `hello ${i}\nsecond line`) {
  const time = new Date().toISOString();
  const stepId = `step-${i}`;
  return [
    { type: 'step.started', time, runId, stepId, name: stepId, phase: 'run', targets: ['local'], maxAttempts: 1 },
    { type: 'step.output', time, runId, stepId, phase: 'run', stream: 'stdout', lines: [`hello ${i}`, 'second line'] },
    {
      type: 'step.finished', time, runId, stepId, name: stepId, phase: 'run', status: 'succeeded', exitCode: 0, durationMs: 3, attempt: 1,
      outputs: { i: String(i) }, stdoutTail, targets: [{ target: 'local', status: 'succeeded', exitCode: 0, attempt: 1, durationMs: 3 }],
    },
  ];
}

async function writer() {
  const steps = Number(countArg ?? 300);
  const state = openStateDir({ stateDir: join(dir, `journal-probe-${process.pid}`) });
  const once = async (options, yieldBetween) => {
    const journal = JournalWriter.create(state, { runbook: 'bench', file: '/b.yaml' }, options);
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) {
      for (const event of stepEvents(journal.runId, i)) journal.onEvent(event);
      // An engine that awaits I/O between steps lets the deferred sync run on its own.
      if (yieldBetween) await nextTurn();
    }
    journal.close();
    return { ms: (performance.now() - t0) / steps, syncs: journal.syncCount / steps };
  };
  await once({}, false); // warm up the JIT and the filesystem
  const measure = async (options, yieldBetween) => {
    const samples = [];
    for (let r = 0; r < rounds; r++) samples.push(await once(options, yieldBetween));
    return { msPerStep: median(samples.map((s) => s.ms)), syncsPerStep: samples[0].syncs };
  };
  return {
    steps, rounds,
    coalesced: await measure({}, false),
    coalescedWithTurns: await measure({}, true),
    everyBoundary: await measure({ syncEveryBoundary: true }, false),
  };
}

async function history() {
  const runs = Number(countArg ?? 200);
  const { listRuns } = await load('history.js');
  const state = openStateDir({ stateDir: dir });
  const tail = 'x'.repeat(60_000);
  for (let r = 0; r < runs; r++) {
    const journal = JournalWriter.create(state, { runbook: r % 2 ? 'odd' : 'even', file: '/h.yaml', lock: 'h' });
    const time = new Date().toISOString();
    journal.onEvent({ type: 'run.started', time, runId: journal.runId, runbook: 'h', file: '/h.yaml', params: {}, mode: 'run', resumed: false, steps: ['step-0'] });
    for (const event of stepEvents(journal.runId, 0, tail)) journal.onEvent(event);
    if (r % 5) journal.onEvent({ type: 'run.finished', time, runId: journal.runId, status: 'succeeded', durationMs: 1, exitCode: 0 });
    journal.close();
  }
  listRuns(state); // warm up
  const samples = [];
  let listed = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    listed = listRuns(state);
    samples.push(performance.now() - t0);
  }
  return { runs: listed.length, crashed: listed.filter((entry) => entry.status === 'crashed').length, rounds, listMs: median(samples) };
}

process.stdout.write(`${JSON.stringify(mode === 'writer' ? await writer() : await history())}\n`);
