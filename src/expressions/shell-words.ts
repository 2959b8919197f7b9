/** The units the shell scanner hands to the command rules: words and simple commands. */
import type { Site } from './shell-context.js';

/** One shell word as the scanner read it. */
export interface Word {
  /** Text after quote removal; expansions and substitutions contribute nothing. */
  text: string;
  /** Holds an expansion (`$x`, `$( )`…) or a substitution: its runtime text is not `text`. */
  dynamic: boolean;
  /** Holds quotes or backslashes: not a reserved word even if `text` reads like one. */
  quoted: boolean;
  /** Every substitution inside the word, nested ones (`$( … )`) included. */
  sites: Site[];
  /** Substitutions standing in the word itself (bare or in its double quotes), not nested in an expansion. */
  directSites: Site[];
  /** Index in `sites` where the part after the first unquoted `=` begins. */
  valueFrom?: number;
  /** `NAME` of `NAME=…`, `NAME+=…`, `NAME[…]=…`. */
  assignedName?: string;
  /** The word is a process substitution `<( … )` / `>( … )`. */
  processSubstitution: boolean;
  /** The value is an array literal `NAME=( … )`. */
  arrayLiteral: boolean;
}

/** A word that is an operator or keyword of the scanner's own making. */
export function literalWord(text: string): Word {
  return { text, dynamic: false, quoted: false, sites: [], directSites: [], processSubstitution: false, arrayLiteral: false };
}

/** The literal text of a word, or undefined when it is quoted or holds expansions. */
export function plainText(word: Word | undefined): string | undefined {
  return word && !word.dynamic ? word.text : undefined;
}

/** Sites of the part of the word before its first unquoted `=` (all of them when there is none). */
export function namePartSites(word: Word): Site[] {
  return word.sites.slice(0, word.valueFrom ?? word.sites.length);
}

/** Sites of the part after the first unquoted `=`. */
export function valuePartSites(word: Word): Site[] {
  return word.valueFrom === undefined ? [] : word.sites.slice(word.valueFrom);
}

/** What the command rules learn about variables, applied once the whole script is read. */
export interface VariableFacts {
  /** Names declared with `-i` (integer): assigning them evaluates arithmetic. */
  integerNames: Set<string>;
  /** Names declared with `-A` (associative): their subscripts are strings, not arithmetic. */
  assocNames: Set<string>;
  /** Records a site whose meaning depends on the facts about `name`. */
  defer(site: Site, name: string, kind: 'value' | 'subscript'): void;
}
