/**
 * Loading a runbook (SPEC §3.1): read → parse YAML with positions → schema → semantic checks
 * → typed Runbook. Every problem of the file, of the library steps it uses and of the
 * inventory is collected and thrown at once as one ValidationError.
 */
import { dirname } from 'node:path';
import type { Diagnostic } from '../errors/stepwise-error.js';
import { ValidationError } from '../errors/stepwise-error.js';
import { buildRunbook } from './build-runbook.js';
import { sortDiagnostics, throwIfAny } from './diagnostics.js';
import { inventoryFrom, readInventoryFile } from './inventory.js';
import type { Runbook } from './model.js';
import { loadYamlFile } from './parse-yaml.js';
import { schemaValidators, validateWith } from './schema-validate.js';
import { checkRunbook } from './semantic-checks.js';
import { StepsLibrary } from './steps-library.js';

/** Options of loadRunbook. */
export interface LoadRunbookOptions {
  /** An inventory file to use instead of the runbook's inline `targets:`. */
  inventoryFile?: string;
  /**
   * The runbook is about to run: also check what only a run needs — that every `identity:`
   * key file exists. `validate` and `plan` leave it out, so a runbook can be checked on a
   * machine that does not hold the keys (a laptop, CI).
   */
  forRun?: boolean;
}

/** Loads and validates a runbook; throws ValidationError listing every problem found. */
export async function loadRunbook(file: string, options: LoadRunbookOptions = {}): Promise<Runbook> {
  const validators = await schemaValidators();
  const loaded = loadYamlFile(file, 'runbook');
  if (!loaded.ok) throw new ValidationError(sortDiagnostics(loaded.diagnostics));
  const runbook = loaded.file;
  const diagnostics: Diagnostic[] = validateWith(validators, 'runbook', runbook.value, runbook.locator);
  const identityFiles = options.forRun === true;
  // Inline targets are built (and so checked) even when an inventory file replaces them.
  const inline = inventoryFrom(runbook, runbook.value.targets, ['targets'], diagnostics, identityFiles);
  const inventory = options.inventoryFile === undefined ? inline : readInventoryFile(options.inventoryFile, validators, diagnostics, identityFiles);
  const library = new StepsLibrary(dirname(runbook.path), validators, diagnostics);
  checkRunbook({ value: runbook.value, locator: runbook.locator, inventory, library, diagnostics });
  throwIfAny(diagnostics);
  return buildRunbook(runbook, inventory, library);
}
