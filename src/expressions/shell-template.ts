/**
 * A script with its `${{ }}` substitutions located (SPEC §2, injection safety). Compiled once
 * (validation reports refused substitutions); rendered per execution into a script that only
 * *refers* to variables, plus the variables' values, which the runner passes as environment.
 * The value never becomes script text, so no quoting mistake can turn it into code.
 */
import type { Expr } from './ast.js';
import { EvaluationError } from './evaluate.js';
import { arithmeticAdvice, refusalAdvice, type Site } from './shell-context.js';
import { PLACEHOLDER, scanShell, ShellTooDeepError } from './shell-scanner.js';
import { parseTemplate } from './template.js';

export type ShellPart = { kind: 'text'; text: string } | { kind: 'expr'; expr: Expr; source: string; offset: number; line: number; site: Site };

/** A substitution that cannot stand where it is written. */
export interface ShellTemplateProblem {
  offset: number;
  message: string;
  hint: string;
}

export interface ShellTemplate {
  parts: ShellPart[];
  problems: ShellTemplateProblem[];
}

/** The script to run and the variables it refers to (values by name). */
export interface RenderedScript {
  script: string;
  env: Record<string, string>;
}

/** Prefix of the variables that carry substitution values into a script. */
export const VALUE_VARIABLE_PREFIX = 'STEPWISE_V_';

const POSIX_SHELLS = new Set(['bash', 'sh', 'dash', 'ash', 'ksh', 'mksh']);
/** What bash arithmetic accepts as a plain number (no names, no subscripts, no bases). */
const NUMBER = /^[+-]?[0-9]+(\.[0-9]+)?$/;

/** True for the shells whose syntax the scanner reads (`bash`, `sh -x`, `/bin/dash`…). */
export function isPosixShell(shell: string): boolean {
  const program = shell.trim().split(/\s+/)[0] ?? '';
  return POSIX_SHELLS.has(program.slice(program.lastIndexOf('/') + 1));
}

/** Parses a script run by `shell`; throws ExpressionSyntaxError for malformed `${{ }}`. */
export function compileShellTemplate(script: string, shell = 'bash'): ShellTemplate {
  const raw = parseTemplate(script);
  const posix = isPosixShell(shell);
  let scanned = '';
  const placeholderAt: number[] = [];
  for (const part of raw) {
    if (part.kind === 'text') scanned += part.text;
    else {
      placeholderAt.push(scanned.length);
      scanned += PLACEHOLDER;
    }
  }
  const sites = new Map<number, Site>();
  try {
    if (posix && placeholderAt.length > 0) for (const site of scanShell(scanned)) sites.set(site.offset, site);
  } catch (error) {
    // Every substitution of a script nested past the scanner's depth is refused as unreadable.
    if (!(error instanceof ShellTooDeepError)) throw error;
  }
  const parts: ShellPart[] = [];
  const problems: ShellTemplateProblem[] = [];
  let index = 0;
  for (const part of raw) {
    if (part.kind === 'text') {
      parts.push({ kind: 'text', text: part.text });
      continue;
    }
    const at = placeholderAt[index++] as number;
    // A substitution the scanner did not account for is refused, never guessed.
    const site: Site = sites.get(at) ?? { offset: at, quoting: 'bare', refused: posix ? { reason: 'unreadable', construct: '' } : { reason: 'interpreter', construct: shell } };
    if (site.refused) problems.push({ offset: part.offset, ...refusalAdvice(site.refused) });
    const line = script.slice(0, part.offset).split('\n').length;
    parts.push({ kind: 'expr', expr: part.expr, source: part.source, offset: part.offset, line, site });
  }
  return { parts, problems };
}

/** The script text with references in place of values, and the values by variable name. */
export function renderShellTemplate(template: ShellTemplate, valueOf: (expr: Expr, source: string) => string): RenderedScript {
  let script = '';
  const env: Record<string, string> = {};
  let count = 0;
  for (const part of template.parts) {
    if (part.kind === 'text') {
      script += part.text;
      continue;
    }
    if (part.site.refused) {
      const { message, hint } = refusalAdvice(part.site.refused);
      throw new EvaluationError(`\${{ ${part.source} }} at line ${part.line} of the script: ${message}`, hint);
    }
    const value = valueOf(part.expr, part.source);
    if (value.includes('\u0000')) throw new EvaluationError(`value of ${part.source} contains a NUL byte, which no program can receive`, 'NUL cannot travel in an environment variable or argument; pass such data through a file');
    if (part.site.arithmetic !== undefined && !NUMBER.test(value.trim())) {
      const { hint } = arithmeticAdvice(part.site.arithmetic, part.source);
      throw new EvaluationError(`value of ${part.source} is not a number (${preview(value)}); it is used in arithmetic (${part.site.arithmetic}) at line ${part.line} of the script`, hint);
    }
    const name = `${VALUE_VARIABLE_PREFIX}${++count}`;
    env[name] = value;
    script += part.site.quoting === 'bare' ? `"\${${name}}"` : `\${${name}}`;
  }
  return { script, env };
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach a terminal raw
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

/** A short, printable rendering of a value for an error message. */
function preview(value: string): string {
  const shown = value.length > 60 ? `${value.slice(0, 57)}…` : value;
  return `'${shown.replace(CONTROL_CHARACTERS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
}
