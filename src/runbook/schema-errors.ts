/**
 * Turns ajv errors into located, human diagnostics (ARCHITECTURE §2, §8):
 * ``Expected `timeout` to be a duration like 30s, got `abc` (string)`` and
 * "unknown key `retyr`; did you mean `retry`?". The schema avoids oneOf/anyOf (type unions,
 * `dependencies` and if/then instead), so each problem yields one ajv error; the annotations
 * `x-expected` / `x-message` on the failing schema node (ajv `verbose`) supply the wording.
 */
import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../errors/stepwise-error.js';
import { describeValue, typePhrase } from './describe-value.js';
import { formatPath } from './diagnostics.js';
import { didYouMean } from './did-you-mean.js';
import type { SchemaNode } from './schema-file.js';
import type { Locator, PathSegment } from './locator.js';

/** ajv keywords whose error only restates errors reported on their own. */
const SILENT = new Set(['if', 'propertyNames', 'allOf']);

function parsePointer(pointer: string, value: unknown): PathSegment[] {
  if (pointer === '') return [];
  const segments: PathSegment[] = [];
  let node = value;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    const segment: PathSegment = Array.isArray(node) && /^[0-9]+$/.test(key) ? Number(key) : key;
    segments.push(segment);
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[String(segment)] : undefined;
  }
  return segments;
}

function valueAt(value: unknown, path: readonly PathSegment[]): unknown {
  let node = value;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[String(segment)];
  }
  return node;
}

/** `timeout`, `steps[2]`, or "the file" at the top. */
function subject(path: readonly PathSegment[]): string {
  const last = path[path.length - 1];
  if (last === undefined) return 'the file';
  if (typeof last === 'number') return `\`${formatPath(path.slice(-2))}\``;
  return `\`${last}\``;
}

function annotation(node: unknown, key: 'x-expected' | 'x-message'): string | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const text = (node as SchemaNode)[key];
  return typeof text === 'string' ? text : undefined;
}

function expected(error: ErrorObject, fallback: string): string {
  return annotation(error.parentSchema, 'x-expected') ?? fallback;
}

const BOUND_WORDS: Record<string, string> = { '>=': 'at least', '<=': 'at most', '>': 'more than', '<': 'less than' };

interface Message {
  path: PathSegment[];
  message: string;
  /** Point at the key (unknown keys, bad names) rather than the value. */
  atKey?: boolean;
}

function humanize(error: ErrorObject, path: PathSegment[], value: unknown): Message {
  const got = describeValue(valueAt(value, path));
  const params = error.params as Record<string, unknown>;
  const what = subject(path);
  if (error.propertyName !== undefined) {
    const name = error.propertyName;
    return { path: [...path, name], atKey: true, message: `invalid name \`${name}\`: expected ${expected(error, 'a simple name')}` };
  }
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema as SchemaNode | undefined)?.properties ?? {});
      const hint = didYouMean(key, allowed) || (allowed.length > 0 ? `; allowed keys here: ${allowed.join(', ')}` : '');
      return { path: [...path, key], atKey: true, message: `unknown key \`${key}\`${hint}` };
    }
    case 'required':
      return { path, message: `missing required key \`${String(params.missingProperty)}\`` };
    case 'dependencies':
      return { path: [...path, String(params.property)], atKey: true, message: `\`${String(params.property)}\` is only allowed together with \`${String(params.missingProperty)}\`` };
    case 'type':
      return { path, message: `Expected ${what} to be ${expected(error, typePhrase(params.type))}, got ${got}` };
    case 'pattern':
      return { path, message: `Expected ${what} to be ${expected(error, `text matching /${String(params.pattern)}/`)}, got ${got}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      // The bound says more than the annotation ("at least 1" rather than "a number of attempts").
      return { path, message: `Expected ${what} to be ${BOUND_WORDS[String(params.comparison)] ?? String(params.comparison)} ${String(params.limit)}, got ${got}` };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const actual = valueAt(value, path);
      const hint = typeof actual === 'string' ? didYouMean(actual, allowed) : '';
      return { path, message: `Expected ${what} to be one of ${allowed.map((a) => `\`${a}\``).join(', ')}, got ${got}${hint}` };
    }
    case 'minItems':
      return { path, message: Number(params.limit) === 1 ? `${what} must not be empty` : `${what} needs at least ${String(params.limit)} items` };
    case 'uniqueItems':
      return { path: [...path, Number(params.i)], message: `${describeValue(valueAt(value, [...path, Number(params.i)]))} is listed twice` };
    default: {
      // `not`, `minProperties`, `maxProperties`: the schema node says what it means.
      const text = annotation(error.parentSchema, 'x-message');
      const key = path[path.length - 1];
      return { path, message: text ? text.replaceAll('{key}', String(key ?? '')) : `${what} ${error.message ?? 'is invalid'}` };
    }
  }
}

/** Located diagnostics for ajv errors on `value`, which was parsed from `locator`'s file. */
export function schemaDiagnostics(errors: readonly ErrorObject[], value: unknown, locator: Locator, prefix: readonly PathSegment[] = []): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const error of errors) {
    if (SILENT.has(error.keyword) && error.propertyName === undefined) continue;
    const { path, message, atKey } = humanize(error, parsePointer(error.instancePath, value), value);
    const full = [...prefix, ...path];
    diagnostics.push({ location: locator.locate(full, { key: atKey === true }), path: formatPath(full), message });
  }
  return diagnostics;
}
