/**
 * Whether a stored run can be trusted to act on: `resume` and `rollback` decide what to run
 * from the journal, so a journal that is missing, unreadable or damaged before its last
 * line makes them refuse (exit 2, nothing executed) rather than guess. A torn last line is
 * what a crash leaves, and is fine.
 */
import { UsageError } from '../errors/stepwise-error.js';
import { describeLost, journalDamage } from './journal-reader.js';
import type { StoredRun } from './store.js';

/** The refusal for `command` on `run`, or undefined when its journal can be acted on. */
export function untrustedJournal(run: StoredRun, command: 'resume' | 'rollback'): UsageError | undefined {
  const hint = `\`stepwise show ${run.runId}\` shows what could be read; nothing was executed. Restore the journal from a backup, or finish the run by hand.`;
  const cannot = `run ${run.runId} cannot be ${command === 'resume' ? 'resumed' : 'rolled back'}`;
  if (!run.journal.exists) {
    return new UsageError(`${cannot}: its journal is missing (${run.journalLocation}), so what it did is unknown`, { hint });
  }
  if (run.journal.unreadable !== undefined) {
    return new UsageError(`${cannot}: its journal cannot be read (${run.journal.unreadable})`, { hint });
  }
  const damage = journalDamage(run.journal);
  const first = damage[0];
  if (first !== undefined) {
    const more = damage.length > 1 ? ` (and ${damage.length - 1} more problem(s))` : '';
    return new UsageError(`${cannot}: its journal ${run.journalLocation} is damaged: ${describeLost([first])[0] ?? ''}${more}`, { hint });
  }
  return undefined;
}
