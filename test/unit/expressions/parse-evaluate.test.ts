/** The `${{ }}` language (SPEC §2): parsing, precedence, comparisons, truthiness and limits. */
import { describe, expect, it } from '@jest/globals';
import { ExpressionSyntaxError } from '../../../src/expressions/ast.js';
import { evaluate, EvaluationError, isTruthy, type ExprValue } from '../../../src/expressions/evaluate.js';
import { parseExpression } from '../../../src/expressions/parse.js';
import { parseCondition, parseTemplate } from '../../../src/expressions/template.js';

const values: Record<string, ExprValue> = { 'params.n': '10', 'params.word': 'prod', 'params.flag': true, 'params.zero': '0', 'params.empty': '', 'steps.create-db.outputs.dump-file': '/tmp/d', 'params.x y': 'spaced' };
const resolve = (path: readonly string[]): ExprValue => {
  const key = path.join('.');
  if (!(key in values)) throw new EvaluationError(`unknown ${key}`);
  return values[key] as ExprValue;
};
const run = (source: string) => evaluate(parseExpression(source), resolve);

describe('expressions', () => {
  it('binds ! tighter than comparisons, comparisons tighter than &&, && tighter than ||', () => {
    expect(run("params.word == 'prod' || false && false")).toBe(true);
    expect(run("(params.word == 'prod' || false) && false")).toBe(false);
    expect(run('!false == true')).toBe(true);
    expect(run('1 < 2 == true')).toBe(true);
  });

  it('compares numeric strings as numbers, booleans as their text, other strings as strings', () => {
    expect(run('params.n > 9')).toBe(true);
    expect(run('params.n == 10.0')).toBe(true);
    // Two strings compare as text, even when both read as numbers.
    expect(run("params.n == '10.0'")).toBe(false);
    expect(run("params.flag == 'true'")).toBe(true);
    expect(run("'abc' < 'abd'")).toBe(true);
    expect(() => run("params.flag < 'x'")).toThrow(EvaluationError);
  });

  it('treats empty, false and 0 as falsy; && and || short-circuit and give booleans', () => {
    for (const falsy of ['', 'false', '0', ' FALSE ', 0, false, null] as ExprValue[]) expect(isTruthy(falsy)).toBe(false);
    for (const truthy of ['no', '00x', 1, true] as ExprValue[]) expect(isTruthy(truthy)).toBe(true);
    expect(run('params.zero || params.word')).toBe(true);
    expect(run('params.empty && params.missing')).toBe(false);
  });

  it('reads single-quoted strings with doubled quotes, numbers, and references with dashes and [..]', () => {
    expect(run("'it''s'")).toBe("it's");
    expect(run('3.5')).toBe(3.5);
    expect(run('steps.create-db.outputs.dump-file')).toBe('/tmp/d');
    expect(run("params['x y']")).toBe('spaced');
  });

  it('locates syntax errors and refuses double quotes, unclosed strings and templates', () => {
    const offsetOf = (source: string) => {
      try {
        parseExpression(source);
      } catch (error) {
        if (error instanceof ExpressionSyntaxError) return [error.offset, error.message];
      }
      return undefined;
    };
    expect(offsetOf('params.x ==')).toEqual([11, 'expression ends too early']);
    expect(offsetOf('"prod"')?.[1]).toMatch(/single quotes/);
    expect(offsetOf("'open")?.[1]).toBe('unterminated string literal');
    expect(() => parseTemplate('echo ${{ params.x')).toThrow(/never closed/);
    expect(evaluate(parseCondition('${{ params.n > 1 }}'), resolve)).toBe(true);
    expect(evaluate(parseCondition('params.n > 11'), resolve)).toBe(false);
  });

  it('refuses, located, expressions that nest too deep or run too long, instead of exhausting the stack', () => {
    expect(() => parseExpression(`${'('.repeat(20_000)}true${')'.repeat(20_000)}`)).toThrow(/too long \(40001 tokens; at most 2000\)/);
    expect(() => parseExpression(`${'('.repeat(100)}true${')'.repeat(100)}`)).toThrow(/nests deeper than 64/);
    expect(() => parseExpression(`${'!'.repeat(100)}true`)).toThrow(/nests deeper than 64/);
    expect(() => parseExpression(Array.from({ length: 1500 }, () => 'true').join(' && '))).toThrow(/too long/);
    expect(run(`${'('.repeat(60)}true${')'.repeat(60)}`)).toBe(true);
  });
});
