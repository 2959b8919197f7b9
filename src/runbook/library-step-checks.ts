/** Semantic checks of a library step file: its expressions (in terms of its inputs) and durations. */
import { checkDuration, checkRetry } from './duration-checks.js';
import { checkField, type FieldContext } from './expression-checks.js';
import type { ParamSpec } from './model.js';
import { checkCommandField } from './step-checks.js';
import { entriesOf, isRecord } from './raw-types.js';
import type { ReferenceScope } from './reference-rules.js';

/** Checks a library step's data (read defensively; the schema reports shape problems). */
export function checkLibraryStep(value: Record<string, unknown>, inputs: readonly ParamSpec[], context: FieldContext): void {
  const scope: ReferenceScope = {
    kind: 'library',
    params: new Set(),
    secrets: new Set(),
    inputs: new Set(inputs.map((input) => input.name)),
    allSteps: new Map(),
    visibleBefore: 0,
    types: new Map(inputs.map((input) => [`inputs.${input.name}`, input.type])),
  };
  const shell = typeof value.shell === 'string' ? value.shell : 'bash';
  if (typeof value.run === 'string') checkField('shell', value.run, ['run'], scope, context, shell);
  for (const [key, env] of entriesOf(value.env)) if (typeof env === 'string') checkField('text', env, ['env', key], scope, context);
  checkCommandField(value.check, ['check'], shell, scope, context);
  checkDuration(value.timeout, ['timeout'], context, { positive: true });
  checkRetry(value.retry, ['retry'], context);
  const rollback = value.rollback;
  if (typeof rollback === 'string') checkField('shell', rollback, ['rollback'], scope, context, shell);
  else if (isRecord(rollback)) {
    if (typeof rollback.run === 'string') checkField('shell', rollback.run, ['rollback', 'run'], scope, context, shell);
    for (const [key, env] of entriesOf(rollback.env)) if (typeof env === 'string') checkField('text', env, ['rollback', 'env', key], scope, context);
    checkDuration(rollback.timeout, ['rollback', 'timeout'], context, { positive: true });
    checkRetry(rollback.retry, ['rollback', 'retry'], context);
  }
}
