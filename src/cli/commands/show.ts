/** `stepwise show RUN_ID|last`: one run step by step, in the words the live view uses. */
import { logTails, openStateStore, type StoredRun } from '../../journal/index.js';
import { newRunFacts, nextCommands, observe, runHeadline } from '../../reporters/run-outcome.js';
import { ROLLBACK_WORDS, runStateWord, stepWord } from '../../reporters/status-words.js';
import { formatShow } from '../../views/format-show.js';
import { writeStdout } from '../output.js';
import { stateChoiceOf } from '../state-args.js';

/** Output lines shown per step; the tail read has a few more, for the notes left out. */
const TAIL_LINES = 5;

export async function showCommand(typed: string, args: { state?: string; stateDir?: string }): Promise<number> {
  const store = await openStateStore(stateChoiceOf(args), { writable: false });
  try {
    const run = await store.loadRun(await store.resolveRunId(typed));
    const tails = await logTails(store, run, TAIL_LINES + 8);
    writeStdout(formatShow(run, { tailLines: TAIL_LINES, tails, words: { step: stepWord, rollback: (s) => ROLLBACK_WORDS[s], run: runStateWord }, ...outcome(run) }));
    return 0;
  } finally {
    await store.close();
  }
}

/** The headline and next commands of a finished run, replayed from its journal as the live view said them. */
function outcome(run: StoredRun): { headline?: string; next?: Array<[string, string]> } {
  const facts = newRunFacts();
  let finished;
  for (const event of run.journal.events) {
    observe(facts, event);
    if (event.type === 'run.finished') finished = event;
    // A later session starts afresh: what it did decides the words.
    if (event.type === 'run.started') finished = undefined;
  }
  if (!finished || run.state === 'running' || run.state === 'crashed') return {};
  return { headline: runHeadline(finished, facts), next: nextCommands(finished, facts).filter(([command]) => !command.startsWith('stepwise show')) };
}
