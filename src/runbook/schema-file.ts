/**
 * The runbook JSON Schema as data: the single source of truth for the format (ARCHITECTURE §1),
 * read from the JSON file beside this module (copied into dist/ by the build).
 */
import { readFileSync } from 'node:fs';

/** `$id` of the schema; fragments of it name the library-step and inventory schemas. */
export const SCHEMA_ID = 'https://example.invalid/stepwise/runbook.schema.json';

/** A JSON Schema node, looked at generically by the error humanizer. */
export type SchemaNode = { [key: string]: unknown };

/** Which part of the schema validates each kind of file, as a JSON pointer into it. */
export const SCHEMA_ROOTS = {
  runbook: '',
  libraryStep: '/definitions/libraryStep',
  inventory: '/definitions/inventory',
} as const;

export type SchemaKind = keyof typeof SCHEMA_ROOTS;

let text: string | undefined;
let parsed: SchemaNode | undefined;

/** The schema file's text, exactly as shipped. */
export function schemaText(): string {
  text ??= readFileSync(new URL('./runbook.schema.json', import.meta.url), 'utf8');
  return text;
}

/** The schema, parsed once. */
export function schema(): SchemaNode {
  parsed ??= JSON.parse(schemaText()) as SchemaNode;
  return parsed;
}

/** The schema node at a JSON pointer (`/definitions/step/properties/retry`), if any. */
export function schemaAt(pointer: string): unknown {
  let node: unknown = schema();
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as SchemaNode)[segment];
  }
  return node;
}
