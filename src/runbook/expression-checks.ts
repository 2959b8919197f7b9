/**
 * Checks the `${{ }}` in one field: syntax, references in scope, and — for shell scripts —
 * substitutions that cannot stand where they are written (inside single quotes, given to
 * `eval`…) or that bash evaluates as arithmetic while not being known to be numbers.
 */
import type { Diagnostic } from '../errors/stepwise-error.js';
import { collectReferences, ExpressionSyntaxError, type Expr } from '../expressions/ast.js';
import { arithmeticAdvice } from '../expressions/shell-context.js';
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

/** Checks `value` (the string at `at`, a script for `shell` when kind is 'shell'); every problem becomes a located diagnostic. */
export function checkField(kind: FieldKind, value: string, at: PathSegment[], scope: ReferenceScope, context: FieldContext, shell = 'bash'): void {
  const report = (offset: number, message: string) =>
    context.diagnostics.push({ location: context.locator.locateInString(at, value, offset), path: formatPath(at), message });
  // Each expression with the offset in `value` that its reference offsets count from.
  const expressions: Array<{ expr: Expr; base: number }> = [];
  try {
    if (kind === 'condition') {
      const leading = value.length - value.trimStart().length;
      const wrapped = value.trim().startsWith('${{');
      expressions.push({ expr: parseCondition(value), base: wrapped ? leading + 3 : leading });
    } else if (kind === 'shell' && hasExpressions(value)) {
      const template = compileShellTemplate(value, shell);
      for (const problem of template.problems) report(problem.offset, withHint(problem.message, problem.hint));
      for (const part of template.parts) {
        if (part.kind !== 'expr') continue;
        expressions.push({ expr: part.expr, base: part.offset + 3 });
        const notNumber = part.site.arithmetic === undefined || part.site.refused ? undefined : knownNotNumber(part.expr, scope);
        if (notNumber !== undefined) {
          const { message, hint } = arithmeticAdvice(part.site.arithmetic as string, `\${{ ${part.source} }}`);
          report(part.offset, withHint(`${message}, and ${notNumber}`, hint));
        }
      }
    } else if (hasExpressions(value)) {
      for (const part of parseTemplate(value)) if (part.kind === 'expr') expressions.push({ expr: part.expr, base: part.offset + 3 });
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

/**
 * Why an expression is known not to be a number before the run, or undefined when it is a
 * number or can only be known at run time (outputs, env, secrets: checked before the step).
 */
function knownNotNumber(expr: Expr, scope: ReferenceScope): string | undefined {
  if (expr.kind === 'literal') return typeof expr.value === 'number' || (typeof expr.value === 'string' && /^[+-]?[0-9]+(\.[0-9]+)?$/.test(expr.value)) ? undefined : 'that literal is not a number';
  if (expr.kind !== 'reference') return 'a comparison gives true or false, not a number';
  const [root, name, field] = expr.path;
  const reference = expr.path.join('.');
  if (root === 'params' || root === 'inputs') {
    const type = scope.types?.get(`${root}.${name ?? ''}`);
    return type === undefined || type === 'integer' || type === 'number' ? undefined : `${reference} is a ${type} ${root === 'params' ? 'param' : 'input'}`;
  }
  if (root === 'steps') return field === 'status' ? `${reference} is a status word` : undefined;
  if (root === 'run') return `${reference} is text`;
  if (root === 'target') return name === 'vars' ? undefined : `${reference} is text`;
  return undefined;
}
