/**
 * The rules of a typed input (runbook `params:`, library `inputs:`): coercion of a given
 * value to the declared type, then enum / pattern / minimum / maximum. Shared by `--param`,
 * `--params-file`, declared defaults and literal `with:` values.
 */
import type { ParamSpec, ParamType, ScalarValue } from './model.js';

export type Coerced = { ok: true; value: ScalarValue } | { ok: false; message: string };

const INTEGER = /^[+-]?[0-9]+$/;
const NUMBER = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
const TRUE_WORDS = new Set(['true', 'yes', '1']);
const FALSE_WORDS = new Set(['false', 'no', '0']);

const TYPE_WORDS: Record<ParamType, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
};

/** How a value is quoted in messages; secrets never appear in them. */
export function shown(spec: Pick<ParamSpec, 'secret'>, value: unknown): string {
  return spec.secret ? '`***` (secret)' : `\`${String(value)}\``;
}

/**
 * Converts a value to the declared type. Strings (from `--param` or quoted in a file) are
 * parsed; YAML numbers and booleans must already fit; a string param takes any scalar as text.
 */
export function coerce(spec: Pick<ParamSpec, 'type' | 'secret'>, value: unknown): Coerced {
  const bad = (): Coerced => ({ ok: false, message: `expected ${TYPE_WORDS[spec.type]}, got ${shown(spec, value)}` });
  if (value === null || value === undefined) return { ok: false, message: 'no value given' };
  if (typeof value === 'object') return { ok: false, message: `expected ${TYPE_WORDS[spec.type]}, got a ${Array.isArray(value) ? 'list' : 'mapping'}` };
  switch (spec.type) {
    case 'string':
      return { ok: true, value: String(value) };
    case 'integer': {
      const n = typeof value === 'string' && INTEGER.test(value.trim()) ? Number(value.trim()) : value;
      return typeof n === 'number' && Number.isSafeInteger(n) ? { ok: true, value: n } : bad();
    }
    case 'number': {
      const n = typeof value === 'string' && NUMBER.test(value.trim()) ? Number(value.trim()) : value;
      return typeof n === 'number' && Number.isFinite(n) ? { ok: true, value: n } : bad();
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value };
      const word = typeof value === 'string' ? value.trim().toLowerCase() : '';
      if (TRUE_WORDS.has(word)) return { ok: true, value: true };
      if (FALSE_WORDS.has(word)) return { ok: true, value: false };
      return bad();
    }
  }
}

/** The first rule the (typed) value breaks, as `rule: explanation`, or undefined. */
export function brokenRule(spec: ParamSpec, value: ScalarValue): string | undefined {
  if (spec.enum && !spec.enum.some((allowed) => allowed === value)) {
    return `enum: must be one of ${spec.enum.map((v) => `\`${String(v)}\``).join(', ')}, got ${shown(spec, value)}`;
  }
  if (spec.pattern !== undefined && typeof value === 'string') {
    let matches = true;
    try {
      matches = new RegExp(spec.pattern, 'u').test(value);
    } catch {
      // An invalid pattern is reported when the runbook is validated; nothing to add here.
    }
    if (!matches) return `pattern: must match \`${spec.pattern}\`, got ${shown(spec, value)}`;
  }
  if (typeof value === 'number') {
    if (spec.minimum !== undefined && value < spec.minimum) return `minimum: must be at least ${spec.minimum}, got ${shown(spec, value)}`;
    if (spec.maximum !== undefined && value > spec.maximum) return `maximum: must be at most ${spec.maximum}, got ${shown(spec, value)}`;
  }
  return undefined;
}

/** Coerces and checks in one go: the typed value, or what is wrong with it. */
export function checkValue(spec: ParamSpec, value: unknown): Coerced {
  const coerced = coerce(spec, value);
  if (!coerced.ok) return { ok: false, message: `type: ${coerced.message}` };
  const rule = brokenRule(spec, coerced.value);
  return rule ? { ok: false, message: rule } : coerced;
}
