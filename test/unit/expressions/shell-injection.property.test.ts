/**
 * The injection boundary as a property (SPEC §2): for generated scripts that mix quoting and
 * evaluating constructs, and hostile values, either validation refuses the script, the value
 * is refused before the command starts (not a number in arithmetic), or the shell runs it and
 * the value stays data — printed verbatim where the script prints it, and the marker file
 * that any executed value would create never appears. Run through the product's own
 * rendering (references + environment) and its own shell invocation.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EvaluationError } from '../../../src/expressions/evaluate.js';
import { compileShellTemplate } from '../../../src/expressions/shell-template.js';
import { substituteScript } from '../../../src/expressions/substitute.js';
import { shellCommand } from '../../../src/targets/shell-command.js';
import { evaluatingScript, hostileValue, printingScript, type ScriptCase } from '../../helpers/hostile-shell.js';
import { tempDir } from '../../helpers/temp-dir.js';

const work = tempDir('stepwise-inject-prop-').dir;
const marker = join(work, 'pwned');
const scriptFile = join(work, 'step.sh');

type Outcome = { kind: 'refused'; why: string } | { kind: 'ran'; stdout: string; stderr: string; status: number | null };

/** Validates, renders and runs one case exactly as a local step would. */
function execute(testCase: ScriptCase, value: string): Outcome {
  const { problems } = compileShellTemplate(testCase.template, testCase.shell);
  if (problems.length > 0) return { kind: 'refused', why: problems[0]?.message ?? '' };
  let rendered;
  try {
    rendered = substituteScript(testCase.template, () => value, testCase.shell);
  } catch (error) {
    if (error instanceof EvaluationError) return { kind: 'refused', why: error.message };
    throw error;
  }
  // The value never becomes script text: the script is the same whatever the value.
  expect(rendered.script).toBe(substituteScript(testCase.template, () => '0', testCase.shell).script);
  writeFileSync(scriptFile, rendered.script);
  const [file, args] = shellCommand(testCase.shell, scriptFile);
  const result = spawnSync(file, args, {
    cwd: work,
    env: { PATH: process.env.PATH, HOME: work, ...rendered.env },
    encoding: 'utf8',
    timeout: 10_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { kind: 'ran', stdout: result.stdout, stderr: result.stderr, status: result.status };
}

/** Every hostile value fits in the environment (no NUL byte, which no exec can carry). */
const value = hostileValue(marker).filter((v) => !v.includes('\u0000'));

describe('injection safety as a property (SPEC §2)', () => {
  for (const shell of ['bash', 'sh'] as const) {
    it(`${shell}: scripts that print the value print it verbatim, whatever it holds`, () => {
      fc.assert(
        fc.property(printingScript(shell), value, (testCase, v) => {
          rmSync(marker, { force: true });
          const outcome = execute(testCase, v);
          // Every construct of this family is safe: refusing one would be a scanner bug too.
          expect({ template: testCase.template, outcome: outcome.kind }).toEqual({ template: testCase.template, outcome: 'ran' });
          if (outcome.kind !== 'ran') return;
          expect({ template: testCase.template, stdout: outcome.stdout, status: outcome.status }).toEqual({
            template: testCase.template,
            stdout: testCase.expected?.(v),
            status: 0,
          });
          expect(existsSync(marker)).toBe(false);
        }),
        { numRuns: shell === 'bash' ? 1500 : 500 },
      );
    });
  }

  it('bash: a value in an evaluating construct is refused, checked to be a number, or stays data', () => {
    let refusals = 0;
    fc.assert(
      fc.property(evaluatingScript(), value, (testCase, v) => {
        rmSync(marker, { force: true });
        const outcome = execute(testCase, v);
        if (outcome.kind === 'refused') refusals++;
        expect({ template: testCase.template, value: v, pwned: existsSync(marker) }).toEqual({ template: testCase.template, value: v, pwned: false });
      }),
      { numRuns: 1500 },
    );
    // The generator really reaches the dangerous places (a test that cannot fail is worth nothing).
    expect(refusals).toBeGreaterThan(500);
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));
});
