/**
 * The fast parser: js-yaml (about ten times faster than `yaml` on a 10 MB runbook) with a
 * position index built from its parse events. It only ever says yes to a file the exact
 * parser (parse-yaml.ts) reads the same way; for anything else — a syntax error, a warning,
 * a construct where the two parsers differ — it returns undefined and the caller parses
 * exactly, so every diagnostic still comes from `yaml`.
 */
import { load } from 'js-yaml';
import { textDiffers } from './fast-yaml-differences.js';
import { FastIndexBuilder } from './fast-yaml-index.js';
import { FastLocator } from './fast-yaml-locate.js';
import { NONE } from './fast-yaml-nodes.js';
import { FAST_SCHEMA } from './fast-yaml-schema.js';

/** A file the fast parser read: a mapping, and where each of its nodes is written. */
export interface FastParsed {
  value: Record<string, unknown>;
  locator: FastLocator;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Parses `text` (shown as `file`), or returns undefined when only the exact parser may judge it. */
export function parseFast(text: string, file: string): FastParsed | undefined {
  if (textDiffers(text)) return undefined;
  const index = new FastIndexBuilder(text);
  let warned = false;
  let value: unknown;
  try {
    value = load(text, { schema: FAST_SCHEMA, listener: index.listener, onWarning: () => (warned = true) });
  } catch {
    // A YAML error, FastIndexUnsure (or a bug here): `yaml`, always right, gives the verdict.
    return undefined;
  }
  if (warned || index.root === NONE || !isMapping(value)) return undefined;
  return { value, locator: new FastLocator(file, text, index.nodes, index.root) };
}
