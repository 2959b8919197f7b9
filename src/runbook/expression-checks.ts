/**
 * Checks the `${{ }}` in one field: syntax, references in scope, and — for shell scripts —
 * substitutions that cannot be made shell-safe where they stand (e.g. inside single quotes).
 */
import type { Diagnostic } from '../errors/stepwise-error.js';
import { collectReferences, ExpressionSyntaxError, type Expr } from '../expressions/ast.js';
import { compileShellTemplate } from '../expressions/shell-template.js';
import { hasExpressions, parseCondition, parseTemplate } from '../expressions/template.js';
import { formatPath, withHint } from './diagnostics.js';
import { referenceProblem, type ReferenceScope } from './reference-rules.js';
import type { Locator, PathSegment } from './locator.js';

/** How a field's text is read: a shell script, plain text with substitutions, or a condition. */
export type FieldKind = 'shell' | 'text' | 'condition';

/** Where the checker writes and how it locates offsets in the field's file. */
export interface FieldContext {
  locator: Locator;
  diagnostics: Diagnostic[];
}

function syntaxMessage(error: ExpressionSyntaxError): string {
  return withHint(`invalid expression: ${error.message}`, 'expressions use references like params.x, `==`, `&&`, `!` and single-quoted strings');
}

/** Checks `value` (the string at `at`); every problem becomes a located diagnostic. */
export function checkField(kind: FieldKind, value: string, at: PathSegment[], scope: ReferenceScope, context: FieldContext): void {
  const report = (offset: number, message: string) =>
    context.diagnostics.push({ location: context.locator.locateInString(at, value, offset), path: formatPath(at), message });
  // Each expression with the offset in `value` that its reference offsets count from.
  const expressions: Array<{ expr: Expr; base: number }> = [];
  try {
    if (kind === 'condition') {
      const leading = value.length - value.trimStart().length;
      const wrapped = value.trim().startsWith('${{');
      expressions.push({ expr: parseCondition(value), base: wrapped ? leading + 3 : leading });
    } else if (hasExpressions(value)) {
      const template = kind === 'shell' ? compileShellTemplate(value) : undefined;
      if (template) {
        for (const problem of template.problems) report(problem.offset, withHint(problem.message, problem.hint));
        for (const part of template.parts) if (part.kind === 'expr') expressions.push({ expr: part.expr, base: part.offset + 3 });
      }
      // Unsafe substitutions are dropped from the shell parts; read their references from the
      // plain parse (not needed when there are none: parsing is most of a big runbook's checks).
      if (!template || template.problems.length > 0) {
        for (const part of parseTemplate(value)) {
          if (part.kind === 'expr' && !expressions.some((e) => e.base === part.offset + 3)) expressions.push({ expr: part.expr, base: part.offset + 3 });
        }
      }
    }
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    // A condition is parsed trimmed; templates are parsed as written.
    report(kind === 'condition' ? error.offset + value.length - value.trimStart().length : error.offset, syntaxMessage(error));
    return;
  }
  for (const { expr, base } of expressions) {
    for (const reference of collectReferences(expr)) {
      const problem = referenceProblem(reference.path, scope);
      if (problem) report(base + reference.offset, problem);
    }
  }
}
