/** Shape shared by the precompiled (build-time) and runtime-compiled schema validators. */
import type { ErrorObject } from 'ajv';
import type { SchemaKind } from './schema-file.js';

/** An ajv validate function: true when valid, else `errors` says why. */
export type SchemaValidateFunction = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** One validator per kind of file. */
export type SchemaValidators = Record<SchemaKind, SchemaValidateFunction>;
