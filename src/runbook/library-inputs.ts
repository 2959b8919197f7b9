/**
 * Run-time half of `with:` checking: values holding `${{ }}` are only known when the step
 * runs. Renders them in the caller's context, applies input defaults, then coerces and
 * checks each value against its input's rules — what the engine puts in `inputs.*`.
 */
import { StepwiseError } from '../errors/stepwise-error.js';
import { hasExpressions } from '../expressions/template.js';
import type { LibraryBinding, ScalarValue } from './model.js';
import { checkValue } from './param-rules.js';

/** `inputs.*` for one execution; throws StepwiseError naming the input and the rule it breaks. */
export function libraryInputs(binding: LibraryBinding, render: (template: string) => string): Record<string, ScalarValue> {
  const values: Record<string, ScalarValue> = {};
  for (const input of binding.inputs) {
    const given = binding.with[input.name];
    if (given === undefined) {
      if (input.default !== undefined) values[input.name] = input.default;
      else if (input.required) throw new StepwiseError(`\`${binding.name}\` needs input \`${input.name}\``, { hint: `add with: { ${input.name}: ... }` });
      continue;
    }
    const value = typeof given === 'string' && hasExpressions(given) ? render(given) : given;
    const checked = checkValue(input, value);
    if (!checked.ok) throw new StepwiseError(`input \`${input.name}\` of \`${binding.name}\` breaks rule ${checked.message}`, { hint: `it was given as ${input.secret ? '***' : JSON.stringify(given)}` });
    values[input.name] = checked.value;
  }
  return values;
}
