/**
 * Reads the values of top-level `secrets:` (SPEC §4) from environment variables or files.
 * A missing or empty secret stops the run before anything executes.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Diagnostic } from '../errors/stepwise-error.js';
import { throwIfAny, withHint } from './diagnostics.js';
import type { Runbook } from './model.js';
import { resolveFrom } from './paths.js';

/** Secret values by name; throws ValidationError naming each secret that cannot be read. */
export function resolveSecrets(runbook: Runbook, env: NodeJS.ProcessEnv): Record<string, string> {
  const values: Record<string, string> = {};
  const diagnostics: Diagnostic[] = [];
  for (const source of runbook.secrets) {
    const report = (message: string, hint: string) =>
      diagnostics.push({ location: source.location, path: `secrets.${source.name}`, message: withHint(message, hint) });
    if ('env' in source) {
      const value = env[source.env];
      if (value === undefined || value === '') {
        report(`secret \`${source.name}\`: environment variable ${source.env} is ${value === undefined ? 'not set' : 'empty'}`, `export ${source.env}=... before running`);
      } else values[source.name] = value;
      continue;
    }
    const path = resolveFrom(dirname(runbook.file), source.file);
    try {
      // One trailing newline is what `echo secret > file` adds; it is not part of the secret.
      const value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
      if (value === '') report(`secret \`${source.name}\`: file ${path} is empty`, 'write the secret into the file');
      else values[source.name] = value;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable (permission denied)' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? 'error'})`;
      report(`secret \`${source.name}\`: file ${path} ${why}`, 'relative paths are resolved against the runbook directory');
    }
  }
  throwIfAny(diagnostics);
  return values;
}
