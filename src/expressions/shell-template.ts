/**
 * A `run:` script with its `${{ }}` substitutions located in their shell context.
 * Compiled once (validation reports the unsafe ones); rendered per execution.
 */
import type { Expr } from './ast.js';
import { PLACEHOLDER, quoteForContext, scanShellContexts, UNSAFE_CONTEXT_ADVICE, type ShellContext } from './shell-context.js';
import { parseTemplate } from './template.js';

export type ShellPart =
  | { kind: 'text'; text: string }
  | { kind: 'expr'; expr: Expr; source: string; offset: number; context: 'bare' | 'dq' | 'comment' };

/** A substitution that cannot be made safe where it stands. */
export interface ShellTemplateProblem {
  offset: number;
  message: string;
  hint: string;
}

export interface ShellTemplate {
  parts: ShellPart[];
  problems: ShellTemplateProblem[];
}

/** Parses a script; throws ExpressionSyntaxError for malformed `${{ }}`. */
export function compileShellTemplate(script: string): ShellTemplate {
  const raw = parseTemplate(script);
  const scanned = raw.map((part) => (part.kind === 'text' ? part.text : PLACEHOLDER)).join('');
  const contexts = scanShellContexts(scanned);
  const parts: ShellPart[] = [];
  const problems: ShellTemplateProblem[] = [];
  let index = 0;
  for (const part of raw) {
    if (part.kind === 'text') {
      parts.push({ kind: 'text', text: part.text });
      continue;
    }
    const context: ShellContext = contexts[index++] ?? 'bare';
    if (context === 'bare' || context === 'dq' || context === 'comment') {
      parts.push({ kind: 'expr', expr: part.expr, source: part.source, offset: part.offset, context });
    } else {
      problems.push({ offset: part.offset, ...UNSAFE_CONTEXT_ADVICE[context] });
      parts.push({ kind: 'text', text: '' });
    }
  }
  return { parts, problems };
}

/** Produces the script text with every substitution quoted for its context. */
export function renderShellTemplate(template: ShellTemplate, valueOf: (expr: Expr, source: string) => string): string {
  let out = '';
  for (const part of template.parts) {
    out += part.kind === 'text' ? part.text : quoteForContext(valueOf(part.expr, part.source), part.context);
  }
  return out;
}
