/**
 * Splits text into literal parts and `${{ expression }}` parts. Used for every field that
 * may hold substitutions; shell scripts additionally go through shell-template.ts.
 */
import { ExpressionSyntaxError, type Expr } from './ast.js';
import { parseExpression } from './parse.js';

export type TemplatePart =
  | { kind: 'text'; text: string; offset: number }
  | { kind: 'expr'; source: string; expr: Expr; offset: number; end: number };

/** Finds the `}}` closing an expression opened at `from`, skipping quoted strings. */
function findClose(text: string, from: number): number {
  let inString = false;
  for (let i = from; i < text.length - 1; i++) {
    if (text[i] === "'") inString = !inString;
    else if (!inString && text[i] === '}' && text[i + 1] === '}') return i;
  }
  return -1;
}

/** Parses a template; throws ExpressionSyntaxError with an offset into `text`. */
export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let cursor = 0;
  for (;;) {
    const open = text.indexOf('${{', cursor);
    if (open < 0) break;
    if (open > cursor) parts.push({ kind: 'text', text: text.slice(cursor, open), offset: cursor });
    const close = findClose(text, open + 3);
    if (close < 0) throw new ExpressionSyntaxError('`${{` is never closed by `}}`', open);
    const source = text.slice(open + 3, close);
    let expr: Expr;
    try {
      expr = parseExpression(source);
    } catch (error) {
      if (error instanceof ExpressionSyntaxError) throw new ExpressionSyntaxError(error.message, open + 3 + error.offset);
      throw error;
    }
    parts.push({ kind: 'expr', source: source.trim(), expr, offset: open, end: close + 2 });
    cursor = close + 2;
  }
  if (cursor < text.length) parts.push({ kind: 'text', text: text.slice(cursor), offset: cursor });
  return parts;
}

/** True when the text contains a `${{`. Cheap test to skip parsing plain strings. */
export function hasExpressions(text: string): boolean {
  return text.includes('${{');
}

/** Parses a `when:` value, which may be written with or without `${{ }}`. */
export function parseCondition(text: string): Expr {
  const trimmed = text.trim();
  if (trimmed.startsWith('${{') && trimmed.endsWith('}}')) {
    const parts = parseTemplate(trimmed);
    const only = parts[0];
    if (parts.length === 1 && only?.kind === 'expr') return only.expr;
  }
  return parseExpression(trimmed);
}
