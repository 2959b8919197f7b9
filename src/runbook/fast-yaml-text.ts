/**
 * Scanning YAML source around the offsets js-yaml reports: a node is opened before its
 * separation space, comments and properties (`&anchor`, `!tag`), so its first character is
 * found by skipping them the way the parser did.
 */
import { Kind, type FastNodes } from './fast-yaml-nodes.js';

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const HASH = 0x23;

/** Past spaces and tabs. */
export function skipBlanks(text: string, at: number): number {
  let code = text.charCodeAt(at);
  while (code === SPACE || code === TAB) code = text.charCodeAt(++at);
  return at;
}

/** Past blanks, comments and line breaks (YAML separation space). */
export function skipSeparation(text: string, at: number): number {
  for (;;) {
    at = skipBlanks(text, at);
    let code = text.charCodeAt(at);
    if (code === HASH) {
      while (at < text.length && code !== LF && code !== CR) code = text.charCodeAt(++at);
    }
    if (code !== LF && code !== CR) return at;
    at++;
  }
}

/** True for characters that end an anchor, alias or tag name (whitespace and flow indicators). */
export function endsName(code: number): boolean {
  return Number.isNaN(code) || isBlank(code) || code === 0x2c || code === 0x5b || code === 0x5d || code === 0x7b || code === 0x7d;
}

/** True for a blank or a line break. */
export function isBlank(code: number): boolean {
  return code === SPACE || code === TAB || code === LF || code === CR;
}

/** Past one property (`&name`, `!tag`, `!<verbatim:tag>`). */
export function skipProperty(text: string, at: number): number {
  if (text.startsWith('!<', at)) {
    const close = text.indexOf('>', at);
    return close < 0 ? text.length : close + 1;
  }
  do at++;
  while (!endsName(text.charCodeAt(at)));
  return at;
}

/**
 * Offset of a node's first character, where the `yaml` package's range starts: its content,
 * after any properties. A value written as nothing sits after the `:` and the blanks of its line.
 */
export function nodeStart(text: string, nodes: FastNodes, id: number): number {
  const open = nodes.open[id] as number;
  if (nodes.kind[id] === Kind.EMPTY) return skipBlanks(text, open);
  return nodes.kind[id] === Kind.ALIAS ? skipSeparation(text, open) : contentStart(text, open);
}

/** Past separation space and properties, from where js-yaml opened a node. */
export function contentStart(text: string, open: number): number {
  let at = skipSeparation(text, open);
  while (text[at] === '&' || text[at] === '!') at = skipSeparation(text, skipProperty(text, at));
  return at;
}

/**
 * The character before a node opened at `open`, blanks skipped: `:` for a mapping value
 * (js-yaml composes it right after the colon), `?` for an explicit key.
 */
export function markBefore(text: string, open: number): string {
  let at = open - 1;
  while (text.charCodeAt(at) === SPACE || text.charCodeAt(at) === TAB) at--;
  return text.charAt(at);
}
