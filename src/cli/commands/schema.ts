/**
 * `stepwise schema`: prints the runbook JSON Schema for editors, e.g. with
 * `# yaml-language-server: $schema=./runbook.schema.json` after `stepwise schema > runbook.schema.json`.
 */
import { schema } from '../../runbook/schema-file.js';

/** Writes the schema, pretty-printed, to stdout; returns the exit code. */
export function schemaCommand(): number {
  process.stdout.write(`${JSON.stringify(schema(), null, 2)}\n`);
  return 0;
}
