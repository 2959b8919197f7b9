/** `stepwise history`: past runs, newest first, filtered by runbook, state and start time. */
import { openStateStore, type HistoryEntry } from '../../journal/index.js';
import { COMPENSATION_WORDS, runStateWord } from '../../reporters/status-words.js';
import { formatHistory } from '../../views/format-history.js';
import { countOption } from '../count-option.js';
import { sinceTime, statesFor } from '../history-filters.js';
import { writeStdout } from '../output.js';
import { stateChoiceOf } from '../state-args.js';

/** Options of `history`, as given. */
export interface HistoryArgs {
  runbook?: string;
  limit?: number;
  status?: string;
  since?: string;
  json?: boolean;
  state?: string;
  stateDir?: string;
}

/** Prints the runs; every filter is checked before any run is read (a bad one is exit 2). */
export async function historyCommand(args: HistoryArgs): Promise<number> {
  const limit = countOption('limit', args.limit, 1) ?? 20;
  const states = args.status === undefined ? undefined : statesFor(args.status);
  const since = args.since === undefined ? undefined : sinceTime(args.since);
  const store = await openStateStore(stateChoiceOf(args), { writable: false });
  let entries: HistoryEntry[];
  try {
    entries = await store.listRuns({ limit, ...(args.runbook ? { runbook: args.runbook } : {}), ...(states ? { states } : {}), ...(since !== undefined ? { since } : {}) });
  } finally {
    await store.close();
  }
  if (args.json) {
    writeStdout(entries.map((e) => `${JSON.stringify(jsonOf(e))}\n`).join(''));
    return 0;
  }
  const filters = [args.status !== undefined ? `--status ${args.status}` : '', args.since !== undefined ? `--since ${args.since}` : ''].filter(Boolean);
  writeStdout(formatHistory(entries, { runsDir: store.location, ...(args.runbook ? { runbook: args.runbook } : {}), filters, stateWord }));
  return 0;
}

/** A run's state in the words of the live view: a failed run whose compensation found nothing is not "rolled back". */
function stateWord(state: HistoryEntry['status'], entry: HistoryEntry): string {
  return state === 'rolledBack' && entry.nothingToUndo ? `failed; ${COMPENSATION_WORDS.nothing}` : runStateWord(state);
}

/** One run as JSON: the stored status identifiers (as `--json` events use them). */
function jsonOf(entry: HistoryEntry) {
  return {
    runId: entry.runId,
    runbook: entry.runbook,
    status: entry.status,
    ...(entry.startedAt !== undefined ? { startedAt: entry.startedAt } : {}),
    ...(entry.durationMs !== undefined ? { durationMs: Math.round(entry.durationMs) } : {}),
    ...(entry.exitCode !== undefined ? { exitCode: entry.exitCode } : {}),
  };
}
