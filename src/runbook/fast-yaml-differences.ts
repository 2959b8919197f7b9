/**
 * Where js-yaml and the `yaml` package part ways on the same text — found by comparing the
 * two on mutated and generated runbooks (test/unit/runbook/parser-equivalence.test.ts). The
 * fast parser must never accept a file `yaml` refuses, nor read one differently, so each
 * case here throws FastIndexUnsure and the exact parser decides.
 */
import { Kind, NONE, type FastNodes } from './fast-yaml-nodes.js';
import { isBlank, skipProperty, skipSeparation } from './fast-yaml-text.js';

/** The fast index cannot be trusted to match `yaml` here; the message says why. */
export class FastIndexUnsure extends Error {
  override name = 'FastIndexUnsure';
}

/** Gives the file to the exact parser. */
export function fail(reason: string): never {
  throw new FastIndexUnsure(reason);
}

/** `yaml` refuses a file whose anchors are used more often than this (its alias-expansion guard). */
export const MAX_ALIASES = 1000;
/** `yaml` refuses implicit keys longer than this. */
export const MAX_KEY_CHARS = 1024;

/**
 * Whole-text patterns (cheap, and rare in runbooks): a lone carriage return as a line break,
 * a blank line holding a tab, a document marker (`---`, `...`) followed on its line by
 * anything but a comment, and a last line of only blanks (a `|+` block before it keeps
 * a different number of line breaks).
 */
const TEXT_DIFFERENCES = [/\r(?!\n)/, /^[ \t]*\t[ \t]*\r?$/m, /^(?:---|\.\.\.)(?!(?:[ \t]+#.*)?[ \t]*\r?$)/m, /\n[ \t]+$/];

/** True when the text holds a construct the two parsers read differently. */
export function textDiffers(text: string): boolean {
  return TEXT_DIFFERENCES.some((pattern) => pattern.test(text));
}

const HASH = 0x23;

/**
 * `&x[1]`, `!<tag>x`: js-yaml reads a property glued to its node, `yaml` wants a blank
 * between. Returns where the node's anchor is written (-1 when it has none).
 */
export function checkProperties(text: string, open: number): number {
  let anchorAt = -1;
  let at = skipSeparation(text, open);
  while (text[at] === '&' || text[at] === '!') {
    if (text[at] === '&') anchorAt = at;
    const end = skipProperty(text, at);
    if (end < text.length && !isBlank(text.charCodeAt(end))) fail('a property glued to its node');
    at = skipSeparation(text, end);
  }
  return anchorAt;
}

/**
 * `a: !!str` and the scalar on the next line: js-yaml resolves the scalar first (`1` → 1)
 * and tags the result, `yaml` tags the text (`'1'`). `open` is where a tagged scalar that
 * js-yaml read in two steps (so it has children) was opened.
 */
export function checkTagBeforeLine(text: string, open: number): void {
  let at = skipSeparation(text, open);
  let tagged = false;
  while (text[at] === '&' || text[at] === '!') {
    tagged ||= text[at] === '!';
    const end = skipProperty(text, at);
    at = skipSeparation(text, end);
    if (tagged && text.slice(end, at).includes('\n')) fail('a tag on the line before its scalar');
  }
}

/** `&a: x` is an anchor `a:` to js-yaml and ambiguous to `yaml`. */
export function checkAnchorName(name: string): void {
  if (name.endsWith(':')) fail('an anchor ending in `:`');
}

/** `"x"#c`: `yaml` wants a blank between a quoted scalar (ending at `close`) and a comment. */
export function checkScalarEnd(text: string, close: number): void {
  const last = text[close - 1];
  if (text.charCodeAt(close) === HASH && (last === '"' || last === "'")) fail('a comment glued to a quoted scalar');
}

/** Spaces at the start of the line holding `at`. */
function indentOfLine(text: string, at: number): number {
  let from = text.lastIndexOf('\n', at - 1) + 1;
  const lineStart = from;
  while (text[from] === ' ') from++;
  return from - lineStart;
}

/**
 * A flow collection from `start` to `close`. `[a,#c` or `{a: 1}#c`: `yaml` wants a blank
 * before the `#`. Over several lines, `yaml` wants each line indented past the line the
 * collection starts on (its block), where js-yaml lets some through: the check is kept
 * simple and strict, as multi-line flow collections are rare.
 */
export function checkFlowCollection(text: string, start: number, close: number): void {
  const source = text.slice(start, close);
  if (text.charCodeAt(close) === HASH || /[,[{]#/.test(source)) fail('a comment glued to a flow collection');
  if (!source.includes('\n')) return;
  const indent = indentOfLine(text, start);
  for (const line of source.split('\n').slice(1)) {
    const content = line.replace(/\r$/, '');
    if (content.trim() !== '' && content.length - content.trimStart().length <= indent) fail('a flow collection line indented too little');
  }
}

/** `a: &x b: 1`: a block mapping (first key opened at `firstKey`) starting on its key's line is an error to `yaml`. */
export function checkMappingValue(text: string, valueOpen: number, firstKey: number): void {
  const between = text.slice(valueOpen, firstKey);
  if (!between.includes('\n') && !between.includes('{')) fail('a block mapping on its key’s line');
}

/**
 * `<<:` takes a mapping, an alias of one, or a sequence of those. js-yaml also merges other
 * objects (a sequence's indexes become keys); `yaml` refuses them.
 */
export function checkMergeValue(nodes: FastNodes, value: number): void {
  const isMap = (id: number) => nodes.kind[id] === Kind.MAPPING || (nodes.kind[id] === Kind.ALIAS && nodes.kind[nodes.target[id] as number] === Kind.MAPPING);
  if (value === NONE) fail('a merge of nothing');
  if (isMap(value)) return;
  if (nodes.kind[value] !== Kind.SEQUENCE) fail('a merge of something else than mappings');
  for (let i = 0; i < (nodes.size[value] as number); i++) if (!isMap(nodes.child(value, i))) fail('a merge of something else than mappings');
}
