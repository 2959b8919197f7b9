/**
 * Parser for the small `${{ }}` expression language of SPEC §2: references, literals,
 * `== != < <= > >= && || !` and parentheses. Nothing is ever evaluated as code.
 * Identifiers may contain `-` and `_` (there is no minus operator), so
 * `steps.create-db.outputs.dump-file` is one reference.
 */
import { ExpressionSyntaxError, type BinaryOperator, type Expr } from './ast.js';

type Token =
  | { type: 'ident'; value: string; offset: number }
  | { type: 'string'; value: string; offset: number }
  | { type: 'number'; value: number; offset: number }
  | { type: 'op'; value: string; offset: number }
  | { type: 'end'; offset: number };

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_-]/;
const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '.', '[', ']'];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'") {
      // Single-quoted string; '' inside stands for one quote (as in GitHub Actions).
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= source.length) throw new ExpressionSyntaxError('unterminated string literal', i);
        if (source[j] === "'") {
          if (source[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += source[j];
        j++;
      }
      tokens.push({ type: 'string', value, offset: i });
      i = j + 1;
    } else if (/[0-9]/.test(ch)) {
      const match = /^[0-9]+(\.[0-9]+)?/.exec(source.slice(i)) as RegExpExecArray;
      tokens.push({ type: 'number', value: Number(match[0]), offset: i });
      i += match[0].length;
    } else if (IDENT_START.test(ch)) {
      let j = i + 1;
      while (j < source.length && IDENT_PART.test(source[j] as string)) j++;
      tokens.push({ type: 'ident', value: source.slice(i, j), offset: i });
      i = j;
    } else {
      const op = OPERATORS.find((candidate) => source.startsWith(candidate, i));
      if (!op) {
        const hint = ch === '"' ? " (string literals use single quotes: 'prod')" : '';
        throw new ExpressionSyntaxError(`unexpected character \`${ch}\`${hint}`, i);
      }
      tokens.push({ type: 'op', value: op, offset: i });
      i += op.length;
    }
  }
  tokens.push({ type: 'end', offset: source.length });
  return tokens;
}

const PRECEDENCE: Array<BinaryOperator[]> = [['||'], ['&&'], ['==', '!='], ['<', '<=', '>', '>=']];
/** Limits that keep parsing and evaluation far from the stack's end, whatever a runbook holds. */
const MAX_NESTING = 64;
const MAX_TOKENS = 2000;

/** Parses an expression (the text between `${{` and `}}`, or a bare `when:`). */
export function parseExpression(source: string): Expr {
  const tokens = tokenize(source);
  if (tokens.length > MAX_TOKENS) throw new ExpressionSyntaxError(`expression is too long (${tokens.length - 1} tokens; at most ${MAX_TOKENS})`, 0);
  let pos = 0;
  let depth = 0;
  const deeper = (offset: number): void => {
    if (++depth > MAX_NESTING) throw new ExpressionSyntaxError(`expression nests deeper than ${MAX_NESTING} levels of parentheses and \`!\``, offset);
  };
  const peek = (): Token => tokens[pos] as Token;
  const next = (): Token => tokens[pos++] as Token;
  const isOp = (token: Token, value: string) => token.type === 'op' && token.value === value;

  function parseBinary(level: number): Expr {
    if (level >= PRECEDENCE.length) return parseUnary();
    let left = parseBinary(level + 1);
    const ops = PRECEDENCE[level] as BinaryOperator[];
    for (;;) {
      const token = peek();
      if (token.type !== 'op' || !ops.includes(token.value as BinaryOperator)) return left;
      next();
      const right = parseBinary(level + 1);
      left = { kind: 'binary', op: token.value as BinaryOperator, left, right, offset: token.offset };
    }
  }

  function parseUnary(): Expr {
    const token = peek();
    if (isOp(token, '!')) {
      next();
      deeper(token.offset);
      const operand = parseUnary();
      depth--;
      return { kind: 'not', operand, offset: token.offset };
    }
    return parsePrimary();
  }

  function parsePrimary(): Expr {
    const token = next();
    switch (token.type) {
      case 'string':
      case 'number':
        return { kind: 'literal', value: token.value, offset: token.offset };
      case 'ident':
        if (token.value === 'true' || token.value === 'false') {
          return { kind: 'literal', value: token.value === 'true', offset: token.offset };
        }
        if (token.value === 'null') return { kind: 'literal', value: null, offset: token.offset };
        return parseReference(token);
      case 'op':
        if (token.value === '(') {
          deeper(token.offset);
          const inner = parseBinary(0);
          depth--;
          const close = next();
          if (!isOp(close, ')')) throw new ExpressionSyntaxError('expected `)`', close.offset);
          return inner;
        }
        throw new ExpressionSyntaxError(`unexpected \`${token.value}\``, token.offset);
      case 'end':
        throw new ExpressionSyntaxError('expression ends too early', token.offset);
    }
  }

  function parseReference(first: Token & { type: 'ident' }): Expr {
    const path = [first.value];
    for (;;) {
      const token = peek();
      if (isOp(token, '.')) {
        next();
        const part = next();
        // Output keys and host vars may start with a digit; accept numbers as path parts.
        if (part.type === 'ident') path.push(part.value);
        else if (part.type === 'number' && Number.isInteger(part.value)) path.push(String(part.value));
        else throw new ExpressionSyntaxError('expected a name after `.`', part.offset);
      } else if (isOp(token, '[')) {
        next();
        const key = next();
        if (key.type !== 'string') throw new ExpressionSyntaxError("expected a quoted key like ['name']", key.offset);
        const close = next();
        if (!isOp(close, ']')) throw new ExpressionSyntaxError('expected `]`', close.offset);
        path.push(key.value);
      } else {
        return { kind: 'reference', path, offset: first.offset };
      }
    }
  }

  const expr = parseBinary(0);
  const rest = peek();
  if (rest.type !== 'end') {
    const what = rest.type === 'op' ? rest.value : rest.type === 'ident' ? rest.value : String(rest.value);
    throw new ExpressionSyntaxError(`unexpected \`${what}\` after the expression`, rest.offset);
  }
  return expr;
}
