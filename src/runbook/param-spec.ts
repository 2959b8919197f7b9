/**
 * Reads `params:` / `inputs:` declarations into ParamSpecs and checks that each declaration
 * makes sense on its own: a default that obeys the rules, a pattern that compiles, bounds
 * only on numbers, minimum not above maximum, enum values of the declared type.
 */
import type { Diagnostic } from '../errors/stepwise-error.js';
import { formatPath, withHint } from './diagnostics.js';
import type { ParamSpec, ParamType, ScalarValue } from './model.js';
import { brokenRule, coerce } from './param-rules.js';
import { entriesOf, isRecord } from './raw-types.js';
import type { Locator, PathSegment } from './locator.js';

const TYPES: readonly ParamType[] = ['string', 'integer', 'number', 'boolean'];

function isScalar(value: unknown): value is ScalarValue {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** Builds the specs of a `params:`/`inputs:` mapping at `at`; problems go to `diagnostics`. */
export function readParamSpecs(raw: unknown, at: PathSegment[], locator: Locator, diagnostics: Diagnostic[]): ParamSpec[] {
  const specs: ParamSpec[] = [];
  for (const [name, entry] of entriesOf(raw)) {
    if (!isRecord(entry)) continue; // the schema reports it
    const here = [...at, name];
    const report = (key: string, message: string) =>
      diagnostics.push({ location: locator.locate([...here, key]), path: formatPath([...here, key]), message });
    const type = TYPES.includes(entry.type as ParamType) ? (entry.type as ParamType) : 'string';
    const spec: ParamSpec = {
      name,
      type,
      required: entry.required === true,
      secret: entry.secret === true,
      location: locator.locate(here, { key: true }),
    };
    if (typeof entry.description === 'string') spec.description = entry.description;
    if (typeof entry.pattern === 'string') {
      try {
        new RegExp(entry.pattern, 'u');
        spec.pattern = entry.pattern;
      } catch (error) {
        report('pattern', `not a valid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`);
      }
      if (type !== 'string') report('pattern', `\`pattern\` applies to string values, but \`${name}\` is ${type}`);
    }
    for (const bound of ['minimum', 'maximum'] as const) {
      if (typeof entry[bound] !== 'number') continue;
      spec[bound] = entry[bound];
      if (type !== 'integer' && type !== 'number') report(bound, `\`${bound}\` applies to integer and number values, but \`${name}\` is ${type}`);
    }
    if (spec.minimum !== undefined && spec.maximum !== undefined && spec.minimum > spec.maximum) {
      report('maximum', `\`maximum\` (${spec.maximum}) is below \`minimum\` (${spec.minimum})`);
    }
    if (Array.isArray(entry.enum)) {
      const values: ScalarValue[] = [];
      entry.enum.forEach((value, index) => {
        const typed = coerce(spec, value);
        if (typed.ok && typed.value === value) values.push(typed.value);
        else if (isScalar(value)) {
          diagnostics.push({ location: locator.locate([...here, 'enum', index]), path: formatPath([...here, 'enum', index]), message: `enum value \`${String(value)}\` is not ${type === 'integer' ? 'an' : 'a'} ${type}` });
        }
      });
      spec.enum = values;
    }
    if (entry.default !== undefined && isScalar(entry.default)) {
      const typed = coerce({ ...spec, secret: false }, entry.default);
      const problem = typed.ok && typed.value === entry.default ? brokenRule({ ...spec, secret: false }, typed.value) : `type: expected ${type}, got \`${String(entry.default)}\``;
      if (problem) report('default', withHint(`the default breaks the param's own rule — ${problem}`, 'fix the default or the rule'));
      else spec.default = entry.default;
    }
    specs.push(spec);
  }
  return specs;
}
