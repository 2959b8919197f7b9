/**
 * Internal limits of the expression language and the shell-context scanner (issue 13): an
 * expression nested 20,000 levels deep, or a `${{ }}` inside 20,000 nested `$(`, is a located
 * exit-2 error from validate and run alike — never a stack overflow, an "internal
 * error" or a run that started.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const DEEP = 20_000;
const dir = tempDir('stepwise-deep-').dir;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A guard against a hang, not a timing check. */
const GUARD = { timeoutMs: 120_000 };

interface DeepCase {
  name: string;
  /** The runbook's text; `MARKER` is a file that exists only if something ran. */
  text: (marker: string) => string;
  /** `line:col` the error must point at, and words it must say. */
  at: string;
  says: RegExp;
}

const open = (n: number, s: string) => s.repeat(n);
const cases: DeepCase[] = [
  {
    name: 'when: with 20,000 parentheses',
    text: (m) => `name: deep-when\nsteps:\n  - id: a\n    when: "${open(DEEP, '(')}true${open(DEEP, ')')}"\n    run: touch ${m}\n`,
    at: '4:11',
    says: /steps\[0\]\.when: invalid expression: expression is too long/,
  },
  {
    name: 'when: with 20,000 negations',
    text: (m) => `name: deep-not\nsteps:\n  - id: a\n    when: "${open(DEEP, '!')}true"\n    run: touch ${m}\n`,
    at: '4:11',
    says: /steps\[0\]\.when: invalid expression/,
  },
  {
    name: 'when: 65 levels of parentheses (one past the depth limit, short enough for the token limit)',
    text: (m) => `name: deep-65\nsteps:\n  - id: a\n    when: "${open(65, '(')}true${open(65, ')')}"\n    run: touch ${m}\n`,
    at: '4:11',
    says: /nests deeper than 64 levels/,
  },
  {
    name: 'a ${{ }} of 20,000 parentheses inside a run: script',
    text: (m) => `name: deep-expr\nsteps:\n  - id: a\n    run: touch ${m}; echo "\${{ ${open(DEEP, '(')}true${open(DEEP, ')')} }}"\n`,
    at: '4:',
    says: /steps\[0\]\.run: invalid expression/,
  },
  {
    name: 'run: with 20,000 nested $( around a ${{ }}',
    text: (m) => `name: deep-run\nparams:\n  p: { type: string, default: v }\nsteps:\n  - id: a\n    run: touch ${m}; echo ${open(DEEP, '$(')}\${{ params.p }}${open(DEEP, ')')}\n`,
    at: '6:',
    says: /steps\[0\]\.run: .*\$\{\{ \}\}/,
  },
  {
    name: 'rollback: with 20,000 nested $( around a ${{ }}',
    text: (m) => `name: deep-rollback\nparams:\n  p: { type: string, default: v }\nsteps:\n  - id: a\n    run: touch ${m}\n    rollback: echo ${open(DEEP, '$(')}\${{ params.p }}${open(DEEP, ')')}\n`,
    at: '7:',
    says: /steps\[0\]\.rollback: .*\$\{\{ \}\}/,
  },
];

function expectLocatedRefusal(result: CliResult, file: string, c: DeepCase): void {
  expect({ code: result.code, signal: result.signal }).toEqual({ code: 2, signal: null });
  expect(result.stderr).toContain(`${file}:${c.at}`);
  expect(result.stderr).toMatch(c.says);
  expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(result.stderr).not.toMatch(/internal error|RangeError|Maximum call stack/);
}

describe('deeply nested input is refused where it is, with exit 2', () => {
  for (const c of cases) {
    it(`${c.name}: validate and run`, async () => {
      const marker = join(dir, `${c.name.replace(/\W+/g, '-')}.ran`);
      const file = join(dir, `${c.name.replace(/\W+/g, '-')}.yaml`);
      writeFileSync(file, c.text(marker));
      const stateDir = join(dir, `${c.name.replace(/\W+/g, '-')}.state`);
      for (const args of [['validate', file], ['run', file, '--state-dir', stateDir]]) {
        const result = await runCli(args, GUARD);
        expectLocatedRefusal(result, file, c);
      }
      expect(existsSync(marker)).toBe(false);
      expect(existsSync(join(stateDir, 'runs')) ? readdirSync(join(stateDir, 'runs')) : []).toEqual([]);
    }, 300_000);
  }
});
