/**
 * Loading a runbook (SPEC §3.1): read → parse YAML with positions → schema → semantic checks
 * → typed Runbook. Every problem of the file, of the library steps it uses and of the
 * inventory is collected and thrown at once as one ValidationError.
 */
import { dirname } from 'node:path';
import type { Diagnostic } from '../errors/stepwise-error.js';
import { ValidationError } from '../errors/stepwise-error.js';
import { inventoryFrom, readInventoryFile } from '../targets/inventory.js';
import { buildRunbook } from './build-runbook.js';
import { sortDiagnostics, throwIfAny } from './diagnostics.js';
import type { Runbook } from './model.js';
import { schemaValidators, validateWith } from './schema-validate.js';
import { checkRunbook } from './semantic-checks.js';
import { StepsLibrary } from './steps-library.js';
import { loadYamlFile } from './yaml-file.js';

/** Options of loadRunbook. */
export interface LoadRunbookOptions {
  /** An inventory file to use instead of the runbook's inline `targets:`. */
  inventoryFile?: string;
}

/** Loads and validates a runbook; throws ValidationError listing every problem found. */
export async function loadRunbook(file: string, options: LoadRunbookOptions = {}): Promise<Runbook> {
  const loaded = loadYamlFile(file, 'runbook');
  if (!loaded.ok) throw new ValidationError(sortDiagnostics(loaded.diagnostics));
  const runbook = loaded.file;
  const validators = await schemaValidators();
  const diagnostics: Diagnostic[] = validateWith(validators, 'runbook', runbook.value, runbook.locator);
  const baseDir = dirname(runbook.path);
  // Inline targets are built (and so checked) even when an inventory file replaces them.
  const inline = inventoryFrom(runbook.value.targets, ['targets'], runbook.locator, baseDir, diagnostics);
  const inventory = options.inventoryFile === undefined ? inline : await readInventoryFile(options.inventoryFile, diagnostics);
  const library = new StepsLibrary(baseDir, validators, diagnostics);
  checkRunbook({ value: runbook.value, locator: runbook.locator, inventory, library, diagnostics });
  throwIfAny(diagnostics);
  return buildRunbook(runbook, inventory, library);
}
