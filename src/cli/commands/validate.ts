/**
 * `stepwise validate FILE...`: loads each runbook exactly as `run` would, prints `FILE: ok`
 * (stdout) or every located problem (stderr). Exit 0 when all are valid, 2 otherwise.
 * Imports only the loader: no engine, execa or listr2 on this path.
 */
import { formatDiagnostic, ValidationError } from '../../errors/stepwise-error.js';
import { loadRunbook } from '../../runbook/load-runbook.js';

/** Validates every file (not stopping at the first bad one); returns the exit code. */
export async function validateCommand(files: string[], inventory?: string): Promise<number> {
  let failed = 0;
  for (const file of files) {
    try {
      await loadRunbook(file, inventory === undefined ? {} : { inventoryFile: inventory });
      process.stdout.write(`${file}: ok\n`);
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
