/**
 * Validates parsed YAML against the runbook schema. Prefers the validators precompiled at
 * build time (no ajv compiler on the cold path of `stepwise validate`); compiles at run time
 * only when they are absent, as when tests run from src/.
 */
import { existsSync } from 'node:fs';
import type { Diagnostic } from '../errors/stepwise-error.js';
import type { SchemaKind } from './schema-file.js';
import { schemaDiagnostics } from './schema-errors.js';
import type { SchemaValidators } from './schema-types.js';
import type { Locator } from './locator.js';

let validators: Promise<SchemaValidators> | undefined;

async function load(): Promise<SchemaValidators> {
  if (existsSync(new URL('./schema-validators.js', import.meta.url))) {
    return (await import('./schema-validators.js')) as SchemaValidators;
  }
  const { compileValidators } = await import('./schema-compile.js');
  return compileValidators();
}

/** The validators, loaded once per process. */
export function schemaValidators(): Promise<SchemaValidators> {
  validators ??= load();
  return validators;
}

/** Schema diagnostics of a parsed file (empty when it is valid), with validators at hand. */
export function validateWith(validators: SchemaValidators, kind: SchemaKind, value: unknown, locator: Locator): Diagnostic[] {
  const validate = validators[kind];
  if (validate(value)) return [];
  return schemaDiagnostics(validate.errors ?? [], value, locator);
}
