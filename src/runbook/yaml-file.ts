/** Reads and parses one YAML file of any kind, ready for schema validation and locating. */
import { resolve } from 'node:path';
import type { Diagnostic } from '../errors/stepwise-error.js';
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
  locator: YamlLocator;
}

export type YamlFileResult = { ok: true; file: YamlFile } | { ok: false; diagnostics: Diagnostic[] };

/**
 * Loads `path` (resolved against the working directory). `kind` names the file in messages;
 * `display` overrides how it is shown (defaults to relative-to-cwd when inside it).
 */
export function loadYamlFile(path: string, kind: string, display?: string): YamlFileResult {
  const absolute = resolve(path);
  const shown = display ?? displayPath(absolute);
  const source = readSource(absolute, shown, kind);
  if (!source.ok) return { ok: false, diagnostics: [source.diagnostic] };
  const parsed = parseYaml(source.text, shown, kind);
  if (!parsed.ok) return { ok: false, diagnostics: parsed.diagnostics };
  const file: YamlFile = {
    path: absolute,
    display: shown,
    text: source.text,
    value: parsed.parsed.value as Record<string, unknown>,
    locator: new YamlLocator(parsed.parsed),
  };
  return { ok: true, file };
}
