/**
 * Finds the shell quoting context of each `${{ }}` in a script, so that substitution can
 * quote the value for exactly that context (SPEC §2, injection safety). A scanner, not a
 * full shell parser: it tracks quotes, `$( )`, `${ }`, `$(( ))`, backticks, comments and
 * here-documents — the constructs that decide how a substituted character is read.
 */

/** Where a substitution stands. Only `bare`, `dq` and `comment` can be made safe. */
export type ShellContext = 'bare' | 'dq' | 'comment' | 'sq' | 'ansi' | 'param' | 'arith' | 'backtick' | 'heredoc';

type Frame = { kind: 'cmd'; parens: number } | { kind: 'dq' | 'sq' | 'ansi' | 'backtick' | 'comment' } | { kind: 'param' | 'arith'; depth: number };

/** Stand-in for a substitution while scanning; a private-use code point no script uses. */
export const PLACEHOLDER = '\uE000';

const WORD_BREAK = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);

/** Returns the context of every PLACEHOLDER in `text`, in order. */
export function scanShellContexts(text: string): ShellContext[] {
  const contexts: ShellContext[] = [];
  const stack: Frame[] = [{ kind: 'cmd', parens: 0 }];
  const pendingHeredocs: Array<{ delimiter: string; stripTabs: boolean }> = [];
  let wordStart = true;
  let i = 0;

  const top = (): Frame => stack[stack.length - 1] as Frame;
  const startsWith = (s: string) => text.startsWith(s, i);

  /** Reads here-document bodies that begin after the newline at `i`; returns the index after them. */
  function skipHeredocBodies(from: number): number {
    let pos = from;
    while (pendingHeredocs.length > 0) {
      const { delimiter, stripTabs } = pendingHeredocs.shift() as { delimiter: string; stripTabs: boolean };
      for (;;) {
        if (pos >= text.length) return pos;
        const end = text.indexOf('\n', pos);
        const lineEnd = end < 0 ? text.length : end;
        const line = text.slice(pos, lineEnd);
        const compared = stripTabs ? line.replace(/^\t+/, '') : line;
        for (const ch of line) if (ch === PLACEHOLDER) contexts.push('heredoc');
        pos = lineEnd + 1;
        if (compared === delimiter) break;
      }
    }
    return pos;
  }

  /** Parses the delimiter word after `<<` / `<<-`. */
  function readHeredocDelimiter() {
    let stripTabs = false;
    if (text[i] === '-') {
      stripTabs = true;
      i++;
    }
    while (text[i] === ' ' || text[i] === '\t') i++;
    let delimiter = '';
    while (i < text.length && !WORD_BREAK.has(text[i] as string)) {
      const ch = text[i] as string;
      if (ch === "'" || ch === '"') {
        const close = text.indexOf(ch, i + 1);
        const stop = close < 0 ? text.length : close;
        delimiter += text.slice(i + 1, stop);
        i = stop + 1;
      } else if (ch === '\\') {
        delimiter += text[i + 1] ?? '';
        i += 2;
      } else {
        delimiter += ch;
        i++;
      }
    }
    if (delimiter) pendingHeredocs.push({ delimiter, stripTabs });
  }

  /** Opens the expansions that may start with `$` or a backtick in unquoted and double-quoted text. */
  function openExpansion(): boolean {
    // Most characters open nothing: answer those without the string comparisons below.
    if (text[i] !== '$' && text[i] !== '`') return false;
    if (startsWith('$((')) {
      stack.push({ kind: 'arith', depth: 0 });
      i += 3;
    } else if (startsWith('$(')) {
      stack.push({ kind: 'cmd', parens: 0 });
      i += 2;
    } else if (startsWith('${')) {
      stack.push({ kind: 'param', depth: 0 });
      i += 2;
    } else if (text[i] === '`') {
      stack.push({ kind: 'backtick' });
      i += 1;
    } else {
      return false;
    }
    wordStart = true;
    return true;
  }

  while (i < text.length) {
    const frame = top();
    const ch = text[i] as string;
    if (ch === PLACEHOLDER) {
      contexts.push(contextOf(frame));
      i++;
      wordStart = false;
      continue;
    }
    switch (frame.kind) {
      case 'cmd':
        if (ch === '\\') {
          i += 2;
          wordStart = false;
        } else if (ch === "'") {
          stack.push({ kind: 'sq' });
          i++;
        } else if (ch === '"') {
          stack.push({ kind: 'dq' });
          i++;
        } else if (ch === '$' && startsWith("$'")) {
          stack.push({ kind: 'ansi' });
          i += 2;
        } else if (openExpansion()) {
          // pushed
        } else if (ch === '#' && wordStart) {
          stack.push({ kind: 'comment' });
          i++;
        } else if (ch === '<' && startsWith('<<<')) {
          i += 3;
          wordStart = true;
        } else if (ch === '<' && startsWith('<<')) {
          i += 2;
          readHeredocDelimiter();
          wordStart = false;
        } else if (ch === '\n') {
          i = skipHeredocBodies(i + 1);
          wordStart = true;
        } else if (ch === '(') {
          frame.parens++;
          i++;
          wordStart = true;
        } else if (ch === ')' && stack.length > 1) {
          if (frame.parens > 0) frame.parens--;
          else stack.pop();
          i++;
          wordStart = false;
        } else {
          wordStart = WORD_BREAK.has(ch);
          i++;
        }
        break;
      case 'dq':
        if (ch === '\\') i += 2;
        else if (ch === '"') {
          stack.pop();
          i++;
          wordStart = false;
        } else if (!openExpansion()) i++;
        break;
      case 'sq':
        if (ch === "'") stack.pop();
        i++;
        break;
      case 'ansi':
      case 'backtick':
        if (ch === '\\') i += 2;
        else {
          if (ch === (frame.kind === 'ansi' ? "'" : '`')) stack.pop();
          i++;
        }
        break;
      case 'comment':
        if (ch === '\n') {
          stack.pop();
          // the newline also ends the command line: let the cmd frame see it
        } else i++;
        break;
      case 'param':
      case 'arith': {
        const open = frame.kind === 'param' ? '{' : '(';
        const close = frame.kind === 'param' ? '}' : ')';
        if (ch === '\\') i += 2;
        else if (frame.kind === 'param' && ch === "'") {
          stack.push({ kind: 'sq' });
          i++;
        } else if (frame.kind === 'param' && ch === '"') {
          stack.push({ kind: 'dq' });
          i++;
        } else if (ch === open) {
          frame.depth++;
          i++;
        } else if (ch === close) {
          if (frame.depth > 0) frame.depth--;
          else if (frame.kind === 'param') stack.pop();
          else if (text[i + 1] === ')') {
            stack.pop();
            i++;
          }
          i++;
        } else i++;
        break;
      }
    }
  }
  return contexts;
}

function contextOf(frame: Frame): ShellContext {
  switch (frame.kind) {
    case 'cmd':
      return 'bare';
    case 'dq':
      return 'dq';
    default:
      return frame.kind;
  }
}

/** Why a substitution in this context cannot be made safe, and what to do instead. */
export const UNSAFE_CONTEXT_ADVICE: Record<Exclude<ShellContext, 'bare' | 'dq' | 'comment'>, { message: string; hint: string }> = {
  sq: {
    message: 'a ${{ }} substitution inside single quotes cannot be made shell-safe',
    hint: 'write it bare or inside double quotes: echo "${{ params.x }}"',
  },
  ansi: {
    message: "a ${{ }} substitution inside $'...' cannot be made shell-safe",
    hint: 'write it bare or inside double quotes',
  },
  param: {
    message: 'a ${{ }} substitution inside ${...} cannot be made shell-safe',
    hint: 'assign it to a variable first: v="${{ params.x }}"; echo "${other:-$v}"',
  },
  arith: {
    message: 'a ${{ }} substitution inside $(( )) cannot be made shell-safe',
    hint: 'assign it to a variable first: n="${{ params.n }}"; echo $(( n + 1 ))',
  },
  backtick: {
    message: 'a ${{ }} substitution inside backticks cannot be made shell-safe',
    hint: 'use $( ) instead of backticks: "$(echo "${{ params.x }}")"',
  },
  heredoc: {
    message: 'a ${{ }} substitution inside a here-document cannot be made shell-safe',
    hint: 'pass the value through the step env: (env: { X: "${{ params.x }}" }) and use "$X" in the here-document',
  },
};

/** Quotes a value so the shell reads it verbatim in the given (safe) context. */
export function quoteForContext(value: string, context: 'bare' | 'dq' | 'comment'): string {
  if (context === 'comment') return value.replace(/[\r\n]/g, ' ');
  const singleQuoted = `'${value.replaceAll("'", `'\\''`)}'`;
  // Inside double quotes: close them, add the single-quoted literal, reopen them.
  return context === 'dq' ? `"${singleQuoted}"` : singleQuoted;
}
