/** `stepwise state import DIR --state URL`: copy a state dir's history into the database (idempotent). */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../errors/stepwise-error.js';
import { FileStore, importIntoDatabase, stateTarget, type StateChoice } from '../../journal/index.js';
import { writeStderr, writeStdout } from '../output.js';
import { stateChoiceOf } from '../state-args.js';

export async function stateImportCommand(dir: string, args: StateChoice): Promise<number> {
  const choice = stateChoiceOf(args);
  const target = stateTarget(choice);
  if (target.kind !== 'postgres') {
    throw new UsageError('state import copies a state dir into a database, and no database was given', { hint: 'Pass --state postgres://user@host:port/db (or set STEPWISE_STATE).' });
  }
  const root = resolve(dir);
  if (!existsSync(join(root, 'runs')) || !statSync(join(root, 'runs')).isDirectory()) {
    throw new UsageError(`${root} is not a stepwise state dir (it has no runs/ directory)`, { hint: 'Give the directory --state-dir pointed at (default ~/.local/state/stepwise).' });
  }
  const result = await importIntoDatabase(target.url, FileStore.open(root, { writable: false }), (line) => writeStderr(`stepwise: ${line}\n`));
  writeStdout(`imported ${result.imported.length} run(s) from ${root} into ${result.location}; ${result.skipped.length} were there already\n`);
  return 0;
}
