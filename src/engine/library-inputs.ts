/** Resolves a library step's `with:` values into typed `inputs.*` (SPEC §5). */
import { EvaluationError, type Resolver } from '../expressions/evaluate.js';
import { substituteText } from '../expressions/substitute.js';
import type { LibraryBinding, ParamSpec, ScalarValue } from '../runbook/model.js';

/** Applies defaults and coerces substituted text to each input's declared type. */
export function resolveInputs(binding: LibraryBinding, resolve: Resolver): Record<string, ScalarValue> {
  const inputs: Record<string, ScalarValue> = {};
  for (const spec of binding.inputs) {
    const given = binding.with[spec.name];
    if (given === undefined) {
      if (spec.default !== undefined) inputs[spec.name] = spec.default;
      else if (spec.required) throw new EvaluationError(`input \`${spec.name}\` of \`${binding.name}\` is required`);
      continue;
    }
    inputs[spec.name] = typeof given === 'string' ? coerce(spec, substituteText(given, resolve), binding.name) : given;
  }
  return inputs;
}

function coerce(spec: ParamSpec, text: string, library: string): ScalarValue {
  switch (spec.type) {
    case 'string':
      return text;
    case 'boolean':
      if (text === 'true' || text === 'false') return text === 'true';
      break;
    case 'integer':
    case 'number': {
      const n = Number(text);
      if (text.trim() !== '' && !Number.isNaN(n) && (spec.type === 'number' || Number.isInteger(n))) return n;
      break;
    }
  }
  throw new EvaluationError(`input \`${spec.name}\` of \`${library}\` must be ${spec.type === 'integer' ? 'an integer' : `a ${spec.type}`}, got \`${text}\``);
}
