/**
 * Compares the fast parser (js-yaml + index) with the exact one (`yaml`) on one text: the
 * same verdict where the fast one answers, the same value, and the same line:col for every
 * data path — values, keys, missing children, and offsets inside strings.
 */
import { expect } from '@jest/globals';
import type { PathSegment } from '../../../src/runbook/locator.js';
import { parseFast } from '../../../src/runbook/parse-fast.js';
import { parseYaml } from '../../../src/runbook/parse-yaml.js';
import { YamlLocator } from '../../../src/runbook/yaml-locate.js';

/** Every data path of `value` (up to `limit`), depth first; shared (aliased) nodes are walked again. */
export function pathsOf(value: unknown, limit = 20_000): PathSegment[][] {
  const paths: PathSegment[][] = [];
  const walk = (node: unknown, path: PathSegment[]) => {
    if (paths.length >= limit) return;
    paths.push(path);
    if (Array.isArray(node)) node.forEach((item, index) => walk(item, [...path, index]));
    else if (node !== null && typeof node === 'object') for (const [key, item] of Object.entries(node)) walk(item, [...path, key]);
  };
  walk(value, []);
  return paths;
}

/** Offsets of a string worth locating: its ends and every `${{`. */
function offsetsOf(text: string): number[] {
  const offsets = new Set([0, Math.max(0, text.length - 1)]);
  for (let at = text.indexOf('${{'); at >= 0; at = text.indexOf('${{', at + 1)) offsets.add(at).add(at + 4);
  return [...offsets];
}

function valueAt(value: unknown, path: PathSegment[]): unknown {
  let node = value;
  for (const segment of path) node = (node as Record<string | number, unknown>)[segment];
  return node;
}

/** `fast` when the fast parser answered, `handed over` when it left the file to the exact parser. */
export type Comparison = 'fast' | 'handed over';

/**
 * Expects the two parsers to agree on `text`; returns whether the fast one answered. When it
 * answers, the exact parser must accept the file too (the fast one never says yes to a file
 * `yaml` refuses) and agree on everything.
 */
export function compareParsers(text: string): Comparison {
  const fast = parseFast(text, 'f.yaml');
  if (!fast) return 'handed over';
  const exact = parseYaml(text, 'f.yaml', 'runbook');
  if (!exact.ok) throw new Error(`the fast parser accepted what yaml refuses: ${exact.diagnostics.map((d) => d.message).join('; ')}\n${text}`);
  expect(fast.value).toEqual(exact.parsed.value);
  expect(JSON.stringify(fast.value)).toBe(JSON.stringify(exact.parsed.value)); // and keys in the same order
  const locator = new YamlLocator(exact.parsed);
  for (const path of pathsOf(exact.parsed.value)) {
    const where = { path, key: false };
    expect({ ...where, at: fast.locator.locate(path) }).toEqual({ ...where, at: locator.locate(path) });
    expect({ ...where, key: true, at: fast.locator.locate(path, { key: true }) }).toEqual({ ...where, key: true, at: locator.locate(path, { key: true }) });
    const missing = [...path, 'no-such-key'];
    expect({ path: missing, at: fast.locator.locate(missing) }).toEqual({ path: missing, at: locator.locate(missing) });
    const value = valueAt(exact.parsed.value, path);
    if (typeof value !== 'string') continue;
    for (const offset of offsetsOf(value)) {
      expect({ path, offset, at: fast.locator.locateInString(path, value, offset) }).toEqual({ path, offset, at: locator.locateInString(path, value, offset) });
    }
  }
  return 'fast';
}
