/**
 * Checks a `uses:` + `with:` pair against the library step's `inputs` at load time: unknown
 * inputs (with "did you mean"), missing required ones, and literal values of the wrong type
 * or breaking a rule. Values holding `${{ }}` are checked for references now, for type at run time.
 */
import { hasExpressions } from '../expressions/template.js';
import { formatPath, withHint } from './diagnostics.js';
import { didYouMean } from './did-you-mean.js';
import { checkField, type FieldContext } from './expression-checks.js';
import { checkValue } from './param-rules.js';
import { entriesOf } from './raw-types.js';
import type { ReferenceScope } from './reference-rules.js';
import type { LibraryStep } from './steps-library.js';
import type { PathSegment } from './locator.js';

/** Checks the `with:` at `withAt` for the library step named at `usesAt`. */
export function checkWith(library: LibraryStep, withValue: unknown, usesAt: PathSegment[], withAt: PathSegment[], scope: ReferenceScope, context: FieldContext): void {
  const inputs = new Map(library.inputs.map((input) => [input.name, input]));
  const given = entriesOf(withValue);
  const report = (at: PathSegment[], message: string, key = false) =>
    context.diagnostics.push({ location: context.locator.locate(at, { key }), path: formatPath(at), message });
  const names = [...inputs.keys()];
  for (const [name, value] of given) {
    const at = [...withAt, name];
    const input = inputs.get(name);
    if (!input) {
      const list = names.length > 0 ? `its inputs: ${names.join(', ')}` : 'it takes no inputs';
      report(at, withHint(`unknown input \`${name}\` for \`${library.name}\`${didYouMean(name, names)}`, list), true);
      continue;
    }
    if (typeof value === 'string' && hasExpressions(value)) {
      checkField('text', value, at, scope, context);
      continue;
    }
    const checked = checkValue(input, value);
    if (!checked.ok) report(at, `input \`${name}\` of \`${library.name}\` breaks rule ${checked.message}`);
  }
  const givenNames = new Set(given.map(([name]) => name));
  for (const input of library.inputs) {
    if (input.required && input.default === undefined && !givenNames.has(input.name)) {
      report(usesAt, withHint(`\`${library.name}\` needs input \`${input.name}\``, `add with: { ${input.name}: ... }`));
    }
  }
}
