/**
 * `stepwise validate FILE...`: loads each runbook exactly as `run` would, prints `FILE: ok`
 * (stdout) or every located problem (stderr). A library step file (`steps/NAME.yaml`) is
 * checked as a library step. Exit 0 when all are valid, 2 otherwise. Imports only the
 * loader: no engine, execa or listr2 on this path.
 */
import { formatDiagnostic, ValidationError } from '../../errors/stepwise-error.js';
import { loadRunbook } from '../../runbook/load-runbook.js';

/** Validates every file (not stopping at the first bad one); returns the exit code. */
export async function validateCommand(files: string[], inventory?: string): Promise<number> {
  let failed = 0;
  for (const file of files) {
    try {
      const what = await validateOne(file, inventory);
      process.stdout.write(`${file}: ok${what === 'library step' ? ' (library step)' : ''}\n`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      failed++;
      for (const diagnostic of error.diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
      const count = error.diagnostics.length;
      process.stderr.write(`${file}: ${count} ${count === 1 ? 'problem' : 'problems'}\n`);
    }
  }
  return failed === 0 ? 0 : 2;
}

/** A runbook, or — when it is not one and looks like a library step — a library step. */
async function validateOne(file: string, inventory: string | undefined): Promise<'runbook' | 'library step'> {
  try {
    await loadRunbook(file, inventory === undefined ? {} : { inventoryFile: inventory });
    return 'runbook';
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // Only a file that is no runbook is looked at again, so a runbook's validation costs nothing more.
    const library = await import('../../runbook/library-step-file.js');
    if (!library.isLibraryStepFile(file)) throw error;
    await library.validateLibraryStepFile(file);
    return 'library step';
  }
}
