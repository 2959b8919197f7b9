/**
 * Types of the module scripts/build-schema-validators.mjs generates into dist/runbook/ at build
 * time (ajv standalone code). It does not exist under src/; schema-validate.ts falls back then.
 */
import type { SchemaValidateFunction } from './schema-types.js';

export declare const runbook: SchemaValidateFunction;
export declare const libraryStep: SchemaValidateFunction;
export declare const inventory: SchemaValidateFunction;
