/**
 * `stepwise validate steps/NAME.yaml`: a library step file is checked as a library step
 * (its schema, inputs and expressions in terms of its inputs), not as a runbook it is not.
 * A file is taken for a library step when it has a top-level `run:` and no `steps:`, or
 * lives in a folder named `steps` and has no `steps:`.
 */
import { basename, dirname, resolve } from 'node:path';
import type { Diagnostic } from '../errors/stepwise-error.js';
import { throwIfAny } from './diagnostics.js';
import { loadYamlFile } from './parse-yaml.js';
import { schemaValidators } from './schema-validate.js';
import { loadLibraryStep } from './steps-library.js';

/** True when the file at `path` is a library step rather than a runbook (false when it cannot be read or parsed). */
export function isLibraryStepFile(path: string): boolean {
  const inSteps = basename(dirname(resolve(path))) === 'steps';
  const loaded = loadYamlFile(path, 'library step');
  if (!loaded.ok) return inSteps;
  const value = loaded.file.value;
  if ('steps' in value) return false;
  return typeof value.run === 'string' || inSteps;
}

/** Validates a library step file; throws ValidationError listing every located problem. */
export async function validateLibraryStepFile(path: string): Promise<void> {
  const diagnostics: Diagnostic[] = [];
  const name = basename(path).replace(/\.ya?ml$/, '');
  loadLibraryStep(name, path, await schemaValidators(), diagnostics);
  throwIfAny(diagnostics);
}
