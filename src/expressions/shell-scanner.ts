/**
 * Reads a shell script far enough to know, for each `${{ }}` (a PLACEHOLDER in the scanned
 * text), how the reference to its variable must be quoted and whether bash would evaluate
 * the value (arithmetic, variable names, code). Not a full parser, and it need not be: values
 * never enter the script text, so a misjudged quoting context only changes how a reference
 * is quoted (word splitting at worst). What must be found are the evaluating constructs.
 */
import { refuse, requireNumber, type Quoting, type Site } from './shell-context.js';
import { classifyCommand, isDeclarationCommand } from './shell-command-rules.js';
import { literalWord, plainText, type VariableFacts, type Word } from './shell-words.js';

/** Stand-in for a substitution while scanning; a private-use code point. */
export const PLACEHOLDER = '\uE000';

type ListEnd = 'eof' | ')' | '`' | 'case-item';

interface Collector {
  sites: Site[];
  /** Sites added while this collector was innermost. */
  direct: Site[];
}

interface Command {
  words: Word[];
  assignments: number;
  /** Index in the scanner's sites where the command began (its compound's start for `} | sh`). */
  firstSite: number;
  compound: boolean;
  hereStringSites: Site[];
  heredocs: Heredoc[];
  stdinCode?: string;
}

interface Heredoc {
  delimiter: string;
  stripTabs: boolean;
  quoted: boolean;
  owner: Command;
  /** Set when the document's reader turns out to feed a shell (`cat <<EOF | sh`). */
  code?: string;
}

const META = new Set([' ', '\t', '\n', ';', '&', '|', '<', '>', '(', ')']);
const OPENERS = new Set(['{', 'if', 'while', 'until']);
const CLOSERS = new Set(['}', 'fi', 'done']);
const TRANSPARENT = new Set(['then', 'else', 'elif', 'do', '!', 'time', 'in', 'esac', 'coproc']);
const ARITHMETIC_TESTS = new Set(['-eq', '-ne', '-lt', '-le', '-gt', '-ge']);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REDIRECT = /^(?:&>>|&>|>>|>&-?|<&-?|<>|>\||[<>])/;

/** Nesting deeper than any real script; beyond it the scanner stops rather than exhaust the stack. */
const MAX_NESTING = 200;

/** The script nests constructs deeper than the scanner follows. */
export class ShellTooDeepError extends Error {
  override name = 'ShellTooDeepError';
}

/** The site of every PLACEHOLDER in `text`, in order. */
export function scanShell(text: string): Site[] {
  return new ShellScanner(text).scan();
}

class ShellScanner {
  private readonly sites: Site[] = [];
  private i = 0;
  private readonly collectors: Collector[] = [];
  private readonly heredocs: Heredoc[] = [];
  private readonly compounds: number[] = [];
  /** Inside backticks, the first unescaped backtick ends the command, whatever else is open. */
  private backticks = 0;
  private readonly deferred: Array<{ site: Site; name: string; kind: 'value' | 'subscript' }> = [];
  private readonly facts: VariableFacts = {
    integerNames: new Set(),
    assocNames: new Set(),
    defer: (site, name, kind) => this.deferred.push({ site, name, kind }),
  };

  constructor(private readonly text: string) {}

  scan(): Site[] {
    this.scanList('eof');
    return this.resolve();
  }

  /** Scans the text as the body of an unquoted here-document (expansions, no quotes). */
  scanHeredocBody(): Site[] {
    while (!this.atEnd()) {
      const ch = this.text[this.i] as string;
      if (ch === PLACEHOLDER) this.site('raw');
      else if (ch === '\\') this.escape('$`\\\n', 'raw');
      else if (ch === '$') this.dollar(true);
      else if (ch === '`') this.nestedList('`', 1);
      else this.i++;
    }
    return this.resolve();
  }

  private resolve(): Site[] {
    for (const { site, name, kind } of this.deferred) {
      if (kind === 'value' && this.facts.integerNames.has(name)) requireNumber(site, 'an integer variable (declare -i)');
      if (kind === 'subscript' && !this.facts.assocNames.has(name)) requireNumber(site, 'an array index');
    }
    return this.sites;
  }

  // ---- primitives -------------------------------------------------------------------------

  private get ch(): string | undefined {
    return this.text[this.i];
  }

  private at(s: string): boolean {
    return this.text.startsWith(s, this.i);
  }

  /** The end of the text, or the backtick that closes the innermost backtick command. */
  private atEnd(): boolean {
    return this.i >= this.text.length || (this.backticks > 0 && this.text[this.i] === '`');
  }

  /** `word` stands at the cursor as a whole word. */
  private atWord(word: string): boolean {
    const after = this.text[this.i + word.length];
    return this.at(word) && (after === undefined || META.has(after));
  }

  /** Records the substitution at `offset` (default: the cursor, which then moves past it). */
  private addSite(quoting: Quoting, offset: number): Site {
    const site: Site = { offset, quoting };
    this.sites.push(site);
    for (const collector of this.collectors) collector.sites.push(site);
    this.collectors[this.collectors.length - 1]?.direct.push(site);
    return site;
  }

  private site(quoting: Quoting): Site {
    const site = this.addSite(quoting, this.i);
    this.i++;
    return site;
  }

  private collect(scan: () => void): Collector {
    if (this.collectors.length > MAX_NESTING) throw new ShellTooDeepError();
    const collector: Collector = { sites: [], direct: [] };
    this.collectors.push(collector);
    try {
      scan();
    } finally {
      this.collectors.pop();
    }
    return collector;
  }

  private nestedList(end: ')' | '`', skip: number): void {
    this.i += skip;
    if (end === '`') this.backticks++;
    try {
      this.collect(() => this.scanList(end));
    } finally {
      if (end === '`') this.backticks--;
    }
  }

  private skipBlanks(newlines = false): void {
    for (;;) {
      const ch = this.ch;
      if (ch === ' ' || ch === '\t' || (newlines && ch === '\n')) this.i++;
      else if (ch === '\\' && this.text[this.i + 1] === '\n') this.i += 2;
      else return;
    }
  }

  private skipComment(): void {
    while (!this.atEnd() && this.ch !== '\n') {
      if (this.ch === PLACEHOLDER) this.site('bare');
      else this.i++;
    }
  }

  /** A backslash: returns the escaped character's text. A substitution right after it is refused. */
  private escape(specials: string | undefined, quoting: Quoting): string {
    const next = this.text[this.i + 1];
    if (next === PLACEHOLDER) {
      refuse(this.addSite(quoting, this.i + 1), 'escaped', '\\');
      this.i += 2;
      return '';
    }
    if (specials !== undefined && (next === undefined || !specials.includes(next))) {
      this.i++;
      return '\\';
    }
    this.i += 2;
    return next === '\n' || next === undefined ? '' : next;
  }

  // ---- command lists -----------------------------------------------------------------------

  private newCommand(): Command {
    return { words: [], assignments: 0, firstSite: this.sites.length, compound: false, hereStringSites: [], heredocs: [] };
  }

  private scanList(end: ListEnd): void {
    let pipeline: Command[] = [];
    let cmd = this.newCommand();
    const finishCommand = (): void => {
      if (cmd.words.length > 0 || cmd.heredocs.length > 0 || cmd.hereStringSites.length > 0 || cmd.compound) {
        const stdinCode = classifyCommand(cmd.words, cmd.assignments, this.facts).stdinCode;
        if (stdinCode !== undefined) {
          cmd.stdinCode = stdinCode;
          cmd.hereStringSites.forEach((s) => refuse(s, 'code', `a here-string read by ${stdinCode}`));
        }
        pipeline.push(cmd);
      }
      cmd = this.newCommand();
    };
    const finishPipeline = (): void => {
      finishCommand();
      this.applyPipeRule(pipeline);
      pipeline = [];
    };
    for (;;) {
      this.skipBlanks();
      const ch = this.ch;
      if (this.atEnd()) {
        finishPipeline();
        if (ch === '`' && end === '`') this.i++;
        return;
      }
      if (ch === '\n') {
        finishPipeline();
        this.i++;
        this.readHeredocBodies();
      } else if (ch === '#') this.skipComment();
      else if (ch === ')' && end === ')') {
        finishPipeline();
        this.i++;
        return;
      } else if (end === 'case-item' && (this.at(';;') || this.at(';&') || (cmd.words.length === 0 && this.atWord('esac')))) {
        return finishPipeline();
      } else if (ch === ';' || ch === ')' || (ch === '&' && !this.at('&>')) || this.at('||')) {
        finishPipeline();
        this.i += this.at('&&') || this.at('||') ? 2 : 1;
      } else if (ch === '|') {
        finishCommand();
        this.i += this.at('|&') ? 2 : 1;
      } else if (ch === '<' || ch === '>' || ch === '&') this.scanRedirect(cmd);
      else if (ch === '(') this.scanParen(cmd);
      else this.scanCommandWord(cmd);
    }
  }

  private scanCommandWord(cmd: Command): void {
    const commandPosition = cmd.words.length === cmd.assignments;
    const before = this.i;
    const word = this.scanWord(commandPosition || isDeclarationCommand(cmd.words, cmd.assignments));
    if (this.i === before) this.i++;
    if (cmd.words.length === 0 && !word.quoted && !word.dynamic && this.keyword(word.text, cmd)) return;
    if (commandPosition && word.assignedName !== undefined && word.valueFrom !== undefined) cmd.assignments++;
    cmd.words.push(word);
  }

  /** Handles a reserved word at command position; false when `text` is not one. */
  private keyword(text: string, cmd: Command): boolean {
    if (text === 'case') {
      const start = this.sites.length;
      this.scanCase();
      Object.assign(cmd, { firstSite: start, compound: true });
    } else if (text === '[[') this.scanTest();
    else if (text === 'function') {
      this.skipBlanks();
      this.scanWord(false);
      this.skipBlanks();
      if (this.at('()')) this.i += 2;
    } else if (text === 'for' || text === 'select') this.scanForHeader();
    else if (OPENERS.has(text)) this.compounds.push(this.sites.length);
    else if (CLOSERS.has(text)) Object.assign(cmd, { firstSite: this.compounds.pop() ?? cmd.firstSite, compound: true });
    else return TRANSPARENT.has(text);
    return true;
  }

  /** `for NAME in WORDS` / `for (( … ))`: loop words are data. */
  private scanForHeader(): void {
    this.compounds.push(this.sites.length);
    this.skipBlanks();
    if (this.at('((')) return this.scanArith('))', 'for (( ))', 2);
    while (!this.atEnd() && !['\n', ';', '&', '|', ')'].includes(this.ch as string)) {
      this.skipBlanks();
      const before = this.i;
      this.scanWord(false);
      if (this.i === before && !['\n', ';', '&', '|', ')'].includes(this.ch as string)) this.i++;
    }
  }

  /** `( … )` subshell, `(( … ))` arithmetic, `NAME ()` function definition. */
  private scanParen(cmd: Command): void {
    if (cmd.words.length === 0) {
      const start = this.sites.length;
      if (this.at('((')) this.scanArith('))', '(( ))', 2);
      else this.nestedList(')', 1);
      Object.assign(cmd, { firstSite: start, compound: true });
      return;
    }
    const close = /^\([ \t]*\)/.exec(this.text.slice(this.i));
    if (cmd.words.length === 1 && close) {
      this.i += close[0].length;
      Object.assign(cmd, { words: [], assignments: 0 });
      return;
    }
    this.i++;
  }

  /** A pipe into something that reads its input as code makes everything before it code. */
  private applyPipeRule(pipeline: Command[]): void {
    pipeline.forEach((member, k) => {
      const first = pipeline[0];
      if (k === 0 || member.stdinCode === undefined || first === undefined) return;
      for (const site of this.sites.slice(first.firstSite, member.firstSite)) refuse(site, 'code', `a pipe into ${member.stdinCode}`);
      for (const earlier of pipeline.slice(0, k)) for (const doc of earlier.heredocs) doc.code ??= member.stdinCode;
    });
  }

  // ---- redirections and here-documents --------------------------------------------------------

  private scanRedirect(cmd: Command): void {
    if (this.at('<(') || this.at('>(')) {
      this.i += 2;
      const inner = this.collect(() => this.scanList(')'));
      cmd.words.push({ ...literalWord(''), sites: inner.sites, dynamic: true, processSubstitution: true });
      return;
    }
    if (this.at('<<<')) {
      this.i += 3;
      this.skipBlanks();
      cmd.hereStringSites.push(...this.scanWord(false).sites);
      return;
    }
    if (this.at('<<')) {
      this.i += 2;
      const stripTabs = this.ch === '-';
      if (stripTabs) this.i++;
      this.skipBlanks();
      const word = this.scanWord(false);
      word.sites.forEach((s) => refuse(s, 'code', 'a here-document delimiter'));
      const doc: Heredoc = { delimiter: word.text, stripTabs, quoted: word.quoted, owner: cmd };
      this.heredocs.push(doc);
      cmd.heredocs.push(doc);
      return;
    }
    const operator = REDIRECT.exec(this.text.slice(this.i, this.i + 3))?.[0] ?? (this.ch as string);
    this.i += operator.length;
    this.skipBlanks();
    if (!operator.endsWith('-') && this.ch !== undefined && !META.has(this.ch)) this.scanWord(false);
  }

  /** Bodies of the here-documents of the line that just ended. */
  private readHeredocBodies(): void {
    for (let doc = this.heredocs.shift(); doc !== undefined; doc = this.heredocs.shift()) {
      const bodyStart = this.i;
      let bodyEnd = this.text.length;
      let after = this.text.length;
      for (let lineStart = bodyStart; lineStart < this.text.length; ) {
        const newline = this.text.indexOf('\n', lineStart);
        const lineEnd = newline < 0 ? this.text.length : newline;
        const line = this.text.slice(lineStart, lineEnd);
        if ((doc.stripTabs ? line.replace(/^\t+/, '') : line) === doc.delimiter) {
          bodyEnd = lineStart;
          after = Math.min(this.text.length, lineEnd + 1);
          break;
        }
        lineStart = lineEnd + 1;
      }
      const code = doc.owner.stdinCode ?? doc.code;
      const body = this.text.slice(bodyStart, bodyEnd);
      if (doc.quoted) {
        for (let k = 0; k < body.length; k++) {
          if (body[k] === PLACEHOLDER) refuse(this.addSite('raw', bodyStart + k), 'quoted-heredoc', `<<'${doc.delimiter}'`);
        }
      } else {
        // A scanner of its own: the body cannot run past its delimiter, whatever it holds.
        for (const found of new ShellScanner(body).scanHeredocBody()) {
          Object.assign(this.addSite(found.quoting, bodyStart + found.offset), { ...found, offset: bodyStart + found.offset });
        }
      }
      if (code !== undefined) this.sites.filter((s) => s.offset >= bodyStart && s.offset < bodyEnd).forEach((s) => refuse(s, 'code', `a here-document read by ${code}`));
      this.i = after;
    }
  }

  // ---- compound commands ------------------------------------------------------------------

  private scanCase(): void {
    this.skipBlanks();
    this.scanWord(false);
    this.skipBlanks(true);
    if (this.atWord('in')) this.i += 2;
    for (;;) {
      this.skipBlanks(true);
      if (this.atEnd()) return;
      if (this.ch === '#') {
        this.skipComment();
        continue;
      }
      if (this.atWord('esac')) {
        this.i += 4;
        return;
      }
      if (this.ch === '(') this.i++;
      for (;;) {
        this.skipBlanks(true);
        const ch = this.ch;
        if (ch === undefined) return;
        this.i += ch === ')' || ch === '|' ? 1 : 0;
        if (ch === ')') break;
        if (ch === '|') continue;
        const before = this.i;
        this.scanWord(false);
        if (this.i === before) this.i++;
      }
      this.scanList('case-item');
      this.i += this.at(';;&') ? 3 : this.at(';;') || this.at(';&') ? 2 : 0;
    }
  }

  /** `[[ … ]]`: operands of `-eq`… are arithmetic; the operand of `-v` is a variable name. */
  private scanTest(): void {
    const words: Word[] = [];
    for (;;) {
      this.skipBlanks(true);
      if (this.atEnd()) break;
      if (this.atWord(']]')) {
        this.i += 2;
        break;
      }
      const operator = ['&&', '||', '(', ')', '<', '>'].find((op) => this.at(op));
      if (operator !== undefined) {
        words.push(literalWord(operator));
        this.i += operator.length;
        continue;
      }
      const before = this.i;
      words.push(this.scanWord(false));
      if (this.i === before) this.i++;
    }
    words.forEach((word, k) => {
      const prev = plainText(words[k - 1]);
      const op = [prev, plainText(words[k + 1])].find((t) => t !== undefined && ARITHMETIC_TESTS.has(t));
      if (op !== undefined) word.sites.forEach((s) => requireNumber(s, `[[ ${op} ]]`));
      if (prev === '-v' || prev === '-R') word.sites.forEach((s) => refuse(s, 'name', `[[ ${prev} ]]`));
    });
  }

  // ---- words --------------------------------------------------------------------------------

  /** One word; `assignable` where `NAME=…` and `NAME[…]=…` are assignments. */
  private scanWord(assignable: boolean): Word {
    const word = literalWord('');
    const collected = this.collect(() => {
      const own = this.collectors[this.collectors.length - 1] as Collector;
      while (!this.atEnd()) {
        const ch = this.ch as string;
        if (META.has(ch)) {
          if (ch !== '(') break;
          if (/[@!+*?]$/.test(word.text)) this.scanExtglob();
          else if (word.assignedName !== undefined && own.sites.length === word.valueFrom && this.text[this.i - 1] === '=') {
            this.i++;
            word.arrayLiteral = true;
            this.scanArrayLiteral(word.assignedName);
          } else break;
          word.dynamic = true;
          continue;
        }
        switch (ch) {
          case PLACEHOLDER:
            this.site('bare');
            word.dynamic = true;
            break;
          case "'":
            word.quoted = true;
            word.text += this.scanSingleQuoted();
            break;
          case '"':
            word.quoted = true;
            this.i++;
            word.dynamic = this.scanDoubleQuoted(word) || word.dynamic;
            break;
          case '\\':
            word.quoted = true;
            word.text += this.escape(undefined, 'bare');
            break;
          case '$':
            if (this.dollar(false)) word.dynamic = true;
            else word.text += '$';
            break;
          case '`':
            this.nestedList('`', 1);
            word.dynamic = true;
            break;
          case '[':
            if (assignable && word.valueFrom === undefined && !word.quoted && !word.dynamic && IDENTIFIER.test(word.text)) this.scanAssignmentSubscript(word);
            else {
              word.text += ch;
              this.i++;
            }
            break;
          case '=':
            if (word.valueFrom === undefined) {
              word.valueFrom = own.sites.length;
              const name = word.text.endsWith('+') ? word.text.slice(0, -1) : word.text;
              if (assignable && !word.quoted && !word.dynamic && IDENTIFIER.test(name)) word.assignedName = name;
            }
            word.text += ch;
            this.i++;
            break;
          default:
            word.text += ch;
            this.i++;
        }
      }
    });
    word.sites = collected.sites;
    word.directSites = collected.direct;
    return word;
  }

  /** `NAME[…]` at the start of a word: an assignment's subscript if `=` or `+=` follows. */
  private scanAssignmentSubscript(word: Word): void {
    const name = word.text;
    this.i++;
    const subscript = this.collect(() => this.scanSubscript());
    word.dynamic = true;
    if (this.at('=') || this.at('+=')) {
      word.assignedName = name;
      subscript.sites.forEach((s) => this.facts.defer(s, name, 'subscript'));
    }
  }

  private scanSingleQuoted(): string {
    this.i++;
    let text = '';
    while (!this.atEnd() && this.ch !== "'") {
      if (this.ch === PLACEHOLDER) refuse(this.site('bare'), 'single-quotes', "'…'");
      else text += this.text[this.i++];
    }
    this.i++;
    return text;
  }

  /** After the opening `"`; returns whether the text held expansions. */
  private scanDoubleQuoted(word?: Word): boolean {
    let dynamic = false;
    while (!this.atEnd()) {
      const ch = this.ch as string;
      if (ch === '"') {
        this.i++;
        break;
      }
      if (ch === PLACEHOLDER) {
        this.site('dq');
        dynamic = true;
      } else if (ch === '\\') {
        const text = this.escape('$`"\\\n', 'dq');
        if (word) word.text += text;
      } else if (ch === '$') {
        if (this.dollar(true)) dynamic = true;
        else if (word) word.text += '$';
      } else if (ch === '`') {
        this.nestedList('`', 1);
        dynamic = true;
      } else {
        if (word) word.text += ch;
        this.i++;
      }
    }
    return dynamic;
  }

  /** A `$` and what it opens; false when it is a literal dollar sign. */
  private dollar(inDq: boolean): boolean {
    const next = this.text[this.i + 1];
    if (next === PLACEHOLDER) {
      refuse(this.addSite(inDq ? 'dq' : 'bare', this.i + 1), 'escaped', '$');
      this.i += 2;
    } else if (next === "'" && !inDq) {
      this.i++;
      this.scanAnsiC();
    } else if (next === '"' && !inDq) {
      this.i += 2;
      this.scanDoubleQuoted();
    } else if (this.at('$((')) this.scanArith('))', '$(( ))', 3);
    else if (this.at('$(')) this.nestedList(')', 2);
    else if (this.at('${')) {
      this.i += 2;
      this.scanParam(inDq);
    } else if (this.at('$[')) this.scanArith(']', '$[ ]', 2);
    else if (next !== undefined && /[A-Za-z_]/.test(next)) {
      this.i++;
      while (/[A-Za-z0-9_]/.test(this.ch ?? '')) this.i++;
    } else if (next !== undefined && /[0-9@*#?$!-]/.test(next)) this.i += 2;
    else {
      this.i++;
      return false;
    }
    return true;
  }

  private scanAnsiC(): void {
    this.i++;
    while (!this.atEnd() && this.ch !== "'") {
      if (this.ch === PLACEHOLDER) refuse(this.site('bare'), 'ansi-c', "$'…'");
      else if (this.ch === '\\' && this.text[this.i + 1] === PLACEHOLDER) {
        this.i++;
        refuse(this.site('bare'), 'ansi-c', "$'…'");
      } else this.i += this.ch === '\\' ? 2 : 1;
    }
    this.i++;
  }

  /** `$(( ))`, `(( ))`, `$[ ]`, `for (( ))`: every substitution inside is evaluated as arithmetic. */
  private scanArith(close: '))' | ']', construct: string, skip: number): void {
    this.i += skip;
    const inner = this.collect(() => {
      let depth = 0;
      while (!this.atEnd()) {
        const ch = this.ch as string;
        if (depth === 0 && (close === '))' ? this.at('))') : ch === ']')) {
          this.i += close.length;
          return;
        }
        if (ch === (close === '))' ? '(' : '[')) depth++;
        if (ch === (close === '))' ? ')' : ']')) depth = Math.max(0, depth - 1);
        this.expansionChar('raw', false);
      }
    });
    inner.sites.forEach((s) => requireNumber(s, construct));
  }

  /** One character inside arithmetic, a subscript or a `${ }` word: quotes and expansions nest. */
  private expansionChar(quoting: Quoting, inDq: boolean): void {
    const ch = this.ch as string;
    if (ch === PLACEHOLDER) this.site(quoting);
    else if (ch === '\\') this.escape(undefined, quoting);
    else if (ch === "'" && !inDq) this.scanSingleQuoted();
    else if (ch === '"') {
      this.i++;
      this.scanDoubleQuoted();
    } else if (ch === '$') this.dollar(inDq);
    else if (ch === '`') this.nestedList('`', 1);
    else this.i++;
  }

  /** After `${`: name, subscript (arithmetic unless associative), `:OFFSET` (arithmetic), operator word. */
  private scanParam(inDq: boolean): void {
    this.collect(() => {
      if (this.ch === '#' && this.text[this.i + 1] !== '}') this.i++;
      if (this.ch === '!') this.i++;
      let name = '';
      if (this.ch === PLACEHOLDER) refuse(this.site('bare'), 'name', '${…}');
      else if (/[A-Za-z_]/.test(this.ch ?? '')) while (/[A-Za-z0-9_]/.test(this.ch ?? '')) name += this.text[this.i++];
      else if (/[0-9]/.test(this.ch ?? '')) while (/[0-9]/.test(this.ch ?? '')) this.i++;
      else if (this.ch !== undefined && '@*#?$!-'.includes(this.ch)) this.i++;
      if (this.ch === '[') {
        this.i++;
        this.collect(() => this.scanSubscript()).sites.forEach((s) => this.facts.defer(s, name, 'subscript'));
      }
      if (this.ch === '}') {
        this.i++;
        return;
      }
      if (this.ch === ':' && !'-=?+'.includes(this.text[this.i + 1] ?? '')) {
        this.i++;
        this.collect(() => this.scanParamWord(inDq, 'raw')).sites.forEach((s) => requireNumber(s, '${s:OFFSET}'));
        return;
      }
      this.scanParamWord(inDq, 'bare');
    });
  }

  /** The word of `${x:-WORD}`, `${x#WORD}`, `${x/A/B}`… up to the closing brace. */
  private scanParamWord(inDq: boolean, quoting: Quoting): void {
    let depth = 0;
    while (!this.atEnd()) {
      const ch = this.ch as string;
      if (ch === '}' && depth === 0) {
        this.i++;
        return;
      }
      if (ch === '{') depth++;
      if (ch === '}') depth--;
      this.expansionChar(quoting, inDq);
    }
  }

  /** After `[`: up to the matching `]`, on one line. */
  private scanSubscript(): void {
    let depth = 0;
    while (!this.atEnd() && this.ch !== '\n') {
      const ch = this.ch as string;
      if (ch === ']' && depth === 0) {
        this.i++;
        return;
      }
      if (ch === '[') depth++;
      if (ch === ']') depth--;
      this.expansionChar('raw', false);
    }
  }

  /** After `NAME=(`: elements are values of NAME; `[k]=v` subscripts are indexes of NAME. */
  private scanArrayLiteral(name: string): void {
    for (;;) {
      this.skipBlanks(true);
      const ch = this.ch;
      if (ch === undefined) return;
      if (ch === ')') {
        this.i++;
        return;
      }
      if (ch === '#') {
        this.skipComment();
        continue;
      }
      if (ch === '[') {
        this.i++;
        this.collect(() => this.scanSubscript()).sites.forEach((s) => this.facts.defer(s, name, 'subscript'));
      }
      const before = this.i;
      this.scanWord(false).sites.forEach((s) => this.facts.defer(s, name, 'value'));
      if (this.i === before && !['\n', ' ', '\t', ')', '['].includes(this.ch ?? ')')) this.i++;
    }
  }

  /** `@( … )`, `!( … )` and friends inside a word: a pattern, data. */
  private scanExtglob(): void {
    this.i++;
    let depth = 0;
    while (!this.atEnd()) {
      const ch = this.ch as string;
      if (ch === ')' && depth === 0) {
        this.i++;
        return;
      }
      if (ch === '(') depth++;
      if (ch === ')') depth--;
      this.expansionChar('bare', false);
    }
  }
}
