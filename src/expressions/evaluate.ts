/**
 * Evaluates a parsed expression against a resolver of references. Comparison rules are
 * deliberately simple and written down in the README: numbers and numeric strings compare
 * as numbers (step outputs are strings), booleans equal their text `true`/`false`, and a
 * string is falsy when empty, `false` or `0`.
 */
import type { Expr } from './ast.js';

/** A value that only exists at run time; `plan` shows its description instead of guessing. */
export class Deferred {
  constructor(readonly description: string) {}
  toString(): string {
    return this.description;
  }
}

export type ExprValue = string | number | boolean | null | Deferred;

/** Looks a reference up; throws EvaluationError when it does not exist. */
export type Resolver = (path: readonly string[]) => ExprValue;

/** A reference that cannot be resolved now, or a comparison that makes no sense. */
export class EvaluationError extends Error {
  override name = 'EvaluationError';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Truthiness used by `when`, `!`, `&&` and `||`. */
export function isTruthy(value: ExprValue): boolean {
  if (value instanceof Deferred) return true;
  if (typeof value === 'string') return !['', 'false', '0'].includes(value.trim().toLowerCase());
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  return value === true;
}

/** The text a value becomes when substituted into a command or string. */
export function stringify(value: ExprValue): string {
  if (value === null) return '';
  if (value instanceof Deferred) return value.description;
  return String(value);
}

function asNumber(value: string | number | boolean | null): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value.trim());
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

function looselyEqual(a: string | number | boolean | null, b: string | number | boolean | null): boolean {
  if (typeof a === typeof b) return a === b;
  if (a === null || b === null) return false;
  if (typeof a === 'boolean' || typeof b === 'boolean') return String(a) === String(b);
  const na = asNumber(a);
  const nb = asNumber(b);
  return na !== undefined && nb !== undefined && na === nb;
}

function compareOrdered(op: string, a: string | number | boolean | null, b: string | number | boolean | null): boolean {
  const na = asNumber(a);
  const nb = asNumber(b);
  let order: number;
  if (na !== undefined && nb !== undefined) order = na - nb;
  else if (typeof a === 'string' && typeof b === 'string') order = a < b ? -1 : a > b ? 1 : 0;
  else throw new EvaluationError(`cannot compare ${JSON.stringify(a)} ${op} ${JSON.stringify(b)}`, 'compare numbers with numbers and strings with strings');
  switch (op) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    default:
      return order >= 0;
  }
}

/** Evaluates an expression; a Deferred operand makes the result Deferred. */
export function evaluate(expr: Expr, resolve: Resolver): ExprValue {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'reference':
      return resolve(expr.path);
    case 'not': {
      const operand = evaluate(expr.operand, resolve);
      return operand instanceof Deferred ? operand : !isTruthy(operand);
    }
    case 'binary': {
      const left = evaluate(expr.left, resolve);
      if (expr.op === '&&' && !(left instanceof Deferred) && !isTruthy(left)) return false;
      if (expr.op === '||' && !(left instanceof Deferred) && isTruthy(left)) return true;
      const right = evaluate(expr.right, resolve);
      if (left instanceof Deferred) return left;
      if (right instanceof Deferred) return right;
      switch (expr.op) {
        case '&&':
        case '||':
          return isTruthy(right);
        case '==':
          return looselyEqual(left, right);
        case '!=':
          return !looselyEqual(left, right);
        default:
          return compareOrdered(expr.op, left, right);
      }
    }
  }
}
