/**
 * Injection safety inside `check:` through the built CLI (SPEC §2): a seeded sample of
 * generated scripts with hostile params, all in one check, prints every value verbatim and
 * runs none (the marker file never appears); a value in arithmetic is refused before
 * anything runs. The whole property is proven on the renderer in
 * test/unit/expressions/shell-injection.property.test.ts; this shows checks take that path.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { checkInjectionCase } from '../helpers/check-injection.js';
import { jsonLines, runCli } from '../helpers/run-cli.js';
import { workspace } from '../helpers/temp-dir.js';

const SEED = Number(process.env.STEPWISE_TEST_SEED ?? Date.now() % 2 ** 31);

describe(`hostile params in a check stay data (seed ${SEED})`, () => {
  it.each([
    ['bash', 40],
    ['sh', 20],
  ] as const)('%s: every generated check prints its value verbatim, and none runs', async (shell, count) => {
    const ws = workspace();
    const c = checkInjectionCase(ws.dir, shell, count, SEED);
    const file = ws.write('runbook.yaml', stringify(c.runbook));
    writeFileSync(join(ws.dir, 'params.json'), JSON.stringify(c.params));
    const result = await runCli(['run', file, '--json', '--params-file', join(ws.dir, 'params.json'), '--state-dir', ws.stateDir]);
    expect(result.stderr).not.toContain('internal error');
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout).filter((e) => e.type === 'step.check.finished').map((e) => e.result)).toEqual(['fails']);
    expect(readFileSync(join(ws.dir, 'check-out'), 'utf8')).toBe(c.expected);
    expect(readFileSync(join(ws.dir, 'ran'), 'utf8')).toBe('ran\n');
    expect(existsSync(join(ws.dir, 'pwned'))).toBe(false);
  }, 120_000);

  it('a string in a check\'s arithmetic is refused at validation: nothing runs', async () => {
    const ws = workspace();
    const runbook = {
      name: 'check-arithmetic',
      params: { n: { type: 'string' } },
      steps: [{ id: 'guarded', run: `touch "${ws.dir}/ran"`, check: '(( ${{ params.n }} > 1 ))' }],
    };
    const file = ws.write('runbook.yaml', stringify(runbook));
    const result = await runCli(['run', file, '--param', `n=a[$(touch ${ws.dir}/pwned)]`, '--state-dir', ws.stateDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/runbook\.yaml:\d+:\d+/);
    expect(existsSync(join(ws.dir, 'ran'))).toBe(false);
    expect(existsSync(join(ws.dir, 'pwned'))).toBe(false);
  });
});
