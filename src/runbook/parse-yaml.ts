/**
 * A YAML file → its plain value and a Locator for its nodes, by the `yaml` package alone.
 * YAML 1.2 core schema, so `on:` is a string key and `yes` a string (`<<` merge keys are
 * allowed); duplicate keys, tabs as indentation, several documents and unknown tags are errors.
 */
import { resolve } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type YAMLError } from 'yaml';
import type { Diagnostic } from '../errors/stepwise-error.js';
import { fileStart, withHint } from './diagnostics.js';
import { Locator } from './locator.js';
import { displayPath } from './paths.js';
import { readSource, type SourceKind } from './read-source.js';

/** A YAML text that parsed to a mapping. */
export interface ParsedYaml {
  value: Record<string, unknown>;
  locator: Locator;
}

export type ParseResult = { ok: true; parsed: ParsedYaml } | { ok: false; diagnostics: Diagnostic[] };

/** A YAML file that parsed to a mapping. */
export interface YamlFile extends ParsedYaml {
  /** Absolute path. */
  path: string;
  /** Path as shown in diagnostics. */
  display: string;
  text: string;
}

export type YamlFileResult = { ok: true; file: YamlFile } | { ok: false; diagnostics: Diagnostic[] };

const SELF_CONTAINED = new Set(['DUPLICATE_KEY', 'TAB_AS_INDENT', 'MULTIPLE_DOCS', 'TAG_RESOLVE_FAILED']);

function describe(error: YAMLError, text: string): string {
  const start = error.pos[0];
  const rest = text.slice(start, start + 200).split('\n')[0] ?? '';
  // The error points at the first character; show the whole key or tag it starts.
  const found = (error.code === 'DUPLICATE_KEY' ? /^("[^"]*"|'[^']*'|[^:]+?)\s*:/.exec(rest)?.[1] : /^\S+/.exec(rest)?.[0]) ?? '';
  switch (error.code) {
    case 'TAB_AS_INDENT':
      return withHint('a tab is used for indentation; YAML indents with spaces only', 'replace the tab with spaces');
    case 'DUPLICATE_KEY':
      return withHint(`duplicate key${found ? ` \`${found}\`` : ''}: a key may appear only once in a mapping`, 'remove or merge one of them');
    case 'MULTIPLE_DOCS':
      return withHint('a second YAML document starts here (`---`); a file holds one document', 'move it to its own file');
    case 'TAG_RESOLVE_FAILED':
      return withHint(`unknown tag${found ? ` \`${found}\`` : ''}`, 'YAML tags such as !foo are not used in stepwise files; remove it or quote the value');
    default:
      return withHint(`YAML syntax error: ${error.message.replace(/\s+/g, ' ').trim()}`, 'check indentation, quotes and brackets here');
  }
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'nothing (only comments)';
  return `a ${typeof value} \`${String(value).slice(0, 40)}\``;
}

/** Parses text (already decoded), shown as `file`; `kind` names the file in messages. */
export function parseYaml(text: string, file: string, kind: SourceKind): ParseResult {
  const lineCounter = new LineCounter();
  // `merge: true` keeps YAML 1.1's `<<: *anchor` working (shared step fragments); nothing else of 1.1.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, version: '1.2', schema: 'core', merge: true });
  // After one real syntax error the parser's recovery reports follow-on noise: keep the
  // first, plus the self-contained kinds (duplicate keys, tabs, tags, extra documents).
  const syntax = doc.errors.filter((error) => !SELF_CONTAINED.has(error.code));
  const problems = [...doc.errors.filter((error) => SELF_CONTAINED.has(error.code)), ...syntax.slice(0, 1), ...doc.warnings];
  if (problems.length > 0) {
    const diagnostics = problems.map((error): Diagnostic => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return { location: { file, line, col }, path: '', message: describe(error, text) };
    });
    return { ok: false, diagnostics };
  }
  if (doc.contents === null) {
    return { ok: false, diagnostics: [{ location: fileStart(file), path: '', message: `the ${kind} file is empty (it has only comments)` }] };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    // Only the alias-expansion guard throws here ("billion laughs").
    return { ok: false, diagnostics: [{ location: fileStart(file), path: '', message: `cannot expand the YAML: ${(error as Error).message}` }] };
  }
  if (!isMap(doc.contents)) {
    const start = doc.contents.range?.[0] ?? 0;
    const { line, col } = lineCounter.linePos(start);
    const found = isSeq(doc.contents) ? 'a list' : kindOf(value);
    const message = withHint(`the top level of a ${kind} must be a mapping (\`key: value\` lines), found ${found}`, topLevelHint(kind));
    return { ok: false, diagnostics: [{ location: { file, line, col }, path: '', message }] };
  }
  return { ok: true, parsed: { value: value as Record<string, unknown>, locator: new Locator({ file, text, doc, lineCounter }) } };
}

/** Reads and parses `path` (resolved against the working directory); `kind` names the file in messages. */
export function loadYamlFile(path: string, kind: SourceKind): YamlFileResult {
  const absolute = resolve(path);
  const display = displayPath(absolute);
  const source = readSource(absolute, display, kind);
  if (!source.ok) return { ok: false, diagnostics: [source.diagnostic] };
  const parsed = parseYaml(source.text, display, kind);
  if (!parsed.ok) return parsed;
  return { ok: true, file: { ...parsed.parsed, path: absolute, display, text: source.text } };
}

function topLevelHint(kind: SourceKind): string {
  return kind === 'runbook' ? 'start with `name: my-runbook` and `steps:`' : `write the ${kind} as \`key: value\` lines`;
}
