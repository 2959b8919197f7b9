/** Reads and parses one YAML file of any kind, ready for schema validation and locating. */
import { resolve } from 'node:path';
import type { Diagnostic } from '../errors/stepwise-error.js';
import type { Locator } from './locator.js';
import { parseFast } from './parse-fast.js';
import { parseYaml } from './parse-yaml.js';
import { displayPath } from './paths.js';
import { readSource } from './read-source.js';
import { YamlLocator } from './yaml-locate.js';

/** A YAML file that parsed to a mapping. */
export interface YamlFile {
  /** Absolute path. */
  path: string;
  /** Path as shown in diagnostics. */
  display: string;
  text: string;
  value: Record<string, unknown>;
  locator: Locator;
}

export type YamlFileResult = { ok: true; file: YamlFile } | { ok: false; diagnostics: Diagnostic[] };

/**
 * Which parser reads the file. `fast` (js-yaml) reads valid files in a fraction of the time
 * and hands anything doubtful to `exact` (`yaml`) itself; its positions equal exact ones,
 * but a caller that finds problems re-reads with `exact` (see loading.ts), whose diagnostics
 * and locations are the contract.
 */
export type YamlParser = 'fast' | 'exact';

/** How to load a file. */
export interface LoadYamlOptions {
  /** How the path is shown (default: relative to the working directory when inside it). */
  display?: string;
  /** Default `exact`. */
  parser?: YamlParser;
}

/** Loads `path` (resolved against the working directory); `kind` names the file in messages. */
export function loadYamlFile(path: string, kind: string, options: LoadYamlOptions = {}): YamlFileResult {
  const absolute = resolve(path);
  const shown = options.display ?? displayPath(absolute);
  const source = readSource(absolute, shown, kind);
  if (!source.ok) return { ok: false, diagnostics: [source.diagnostic] };
  const text = source.text;
  const fast = options.parser === 'fast' ? parseFast(text, shown) : undefined;
  if (fast) return { ok: true, file: { path: absolute, display: shown, text, value: fast.value, locator: fast.locator } };
  const parsed = parseYaml(text, shown, kind);
  if (!parsed.ok) return { ok: false, diagnostics: parsed.diagnostics };
  const value = parsed.parsed.value as Record<string, unknown>;
  return { ok: true, file: { path: absolute, display: shown, text, value, locator: new YamlLocator(parsed.parsed) } };
}
