/** Syntax tree of a `${{ }}` expression. Offsets are relative to the expression source. */
export type Expr =
  | { kind: 'literal'; value: string | number | boolean | null; offset: number }
  | { kind: 'reference'; path: string[]; offset: number }
  | { kind: 'not'; operand: Expr; offset: number }
  | { kind: 'binary'; op: BinaryOperator; left: Expr; right: Expr; offset: number };

export type BinaryOperator = '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';

/** A malformed expression; `offset` points into the expression source. */
export class ExpressionSyntaxError extends Error {
  override name = 'ExpressionSyntaxError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Every reference (`params.x`, `steps.a.outputs.b`) in an expression, in source order. */
export function collectReferences(expr: Expr, into: Array<{ path: string[]; offset: number }> = []) {
  switch (expr.kind) {
    case 'reference':
      into.push({ path: expr.path, offset: expr.offset });
      break;
    case 'not':
      collectReferences(expr.operand, into);
      break;
    case 'binary':
      collectReferences(expr.left, into);
      collectReferences(expr.right, into);
      break;
    case 'literal':
      break;
  }
  return into;
}
