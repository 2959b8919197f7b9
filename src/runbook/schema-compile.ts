/**
 * Compiles the schema with ajv. Used at build time (scripts/build-schema-validators.mjs emits
 * standalone code, so `stepwise validate` never loads ajv's compiler) and, when that generated
 * module is absent (tests run from src/), at run time — with the same options either way.
 */
import { Ajv } from 'ajv';
import { SCHEMA_ID, SCHEMA_ROOTS, schema, type SchemaKind } from './schema-file.js';
import type { SchemaValidateFunction, SchemaValidators } from './schema-types.js';

/** The ajv references of the validators, one per kind of file. */
export const VALIDATOR_REFS: Record<SchemaKind, string> = {
  runbook: SCHEMA_ID,
  libraryStep: `${SCHEMA_ID}#${SCHEMA_ROOTS.libraryStep}`,
  inventory: `${SCHEMA_ID}#${SCHEMA_ROOTS.inventory}`,
};

/** An ajv instance holding the schema; `source: true` keeps code for standalone output. */
export function createAjv(options: { source: boolean }): Ajv {
  const ajv = new Ajv({
    allErrors: true, // report every problem of a file at once
    verbose: true, // errors carry their schema node: messages read our x-expected / x-message annotations
    strict: true, // a sloppy schema fails the build instead of validating loosely
    strictRequired: false, // `required` inside if/not names keys of the enclosing object
    allowUnionTypes: true, // `retry: 3` or `retry: {...}` without oneOf noise
    code: { source: options.source, esm: true },
  });
  // Our annotations for error messages; they validate nothing.
  ajv.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' });
  ajv.addSchema(schema());
  return ajv;
}

/** Compiles every validator now (the slow path, for tests and a missing build artefact). */
export function compileValidators(): SchemaValidators {
  const ajv = createAjv({ source: false });
  const get = (kind: SchemaKind): SchemaValidateFunction => {
    const validate = ajv.getSchema(VALIDATOR_REFS[kind]);
    if (!validate) throw new Error(`schema reference ${VALIDATOR_REFS[kind]} not found`);
    return validate as SchemaValidateFunction;
  };
  return { runbook: get('runbook'), libraryStep: get('libraryStep'), inventory: get('inventory') };
}
