/**
 * Loading a runbook (SPEC §3.1): read → parse YAML with positions → schema → semantic checks
 * → typed Runbook. Every problem of the file, of the library steps it uses and of the
 * inventory is collected and thrown at once as one ValidationError.
 */
import { dirname } from 'node:path';
import type { Diagnostic } from '../errors/stepwise-error.js';
import { ValidationError } from '../errors/stepwise-error.js';
import { inventoryFrom, readInventoryFile, type InventoryChecks } from '../targets/inventory.js';
import { buildRunbook } from './build-runbook.js';
import { sortDiagnostics, throwIfAny } from './diagnostics.js';
import type { Runbook } from './model.js';
import { fastThenExact } from './parser-fallback.js';
import { schemaValidators, validateWith } from './schema-validate.js';
import type { SchemaValidators } from './schema-types.js';
import { checkRunbook } from './semantic-checks.js';
import { StepsLibrary } from './steps-library.js';
import { loadYamlFile, type YamlParser } from './yaml-file.js';

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
  /**
   * Read every file with this parser only, instead of the fast one first and, on any problem,
   * the exact one (yaml-file.ts). For tests, and for checking a suspected parser difference.
   */
  parser?: YamlParser;
}

/** Loads and validates a runbook; throws ValidationError listing every problem found. */
export async function loadRunbook(file: string, options: LoadRunbookOptions = {}): Promise<Runbook> {
  const validators = await schemaValidators();
  if (options.parser) return loadWith(options.parser, file, options, validators);
  return fastThenExact(async (parser) => loadWith(parser, file, options, validators));
}

async function loadWith(parser: YamlParser, file: string, options: LoadRunbookOptions, validators: SchemaValidators): Promise<Runbook> {
  const loaded = loadYamlFile(file, 'runbook', { parser });
  if (!loaded.ok) throw new ValidationError(sortDiagnostics(loaded.diagnostics));
  const runbook = loaded.file;
  const diagnostics: Diagnostic[] = validateWith(validators, 'runbook', runbook.value, runbook.locator);
  const baseDir = dirname(runbook.path);
  const checks: InventoryChecks = { parser, identityFiles: options.forRun === true };
  // Inline targets are built (and so checked) even when an inventory file replaces them.
  const inline = inventoryFrom(runbook.value.targets, ['targets'], runbook.locator, baseDir, diagnostics, checks);
  const inventory = options.inventoryFile === undefined ? inline : await readInventoryFile(options.inventoryFile, diagnostics, checks);
  const library = new StepsLibrary(baseDir, validators, diagnostics, parser);
  checkRunbook({ value: runbook.value, locator: runbook.locator, inventory, library, diagnostics });
  throwIfAny(diagnostics);
  return buildRunbook(runbook, inventory, library);
}
