/** `check:` in runbooks and library steps: the model it builds and the located errors of bad input. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { ValidationError } from '../../../src/errors/stepwise-error.js';
import { loadRunbook } from '../../../src/runbook/load-runbook.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir('stepwise-check-');
afterAll(() => dir.remove());

async function problems(name: string, text: string): Promise<string[]> {
  const file = dir.write(name, text);
  try {
    await loadRunbook(file);
    return [];
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.diagnostics.map((d) => `${d.location.line}:${d.location.col} ${d.path}: ${d.message}`);
  }
}

describe('check:', () => {
  it('builds the step check (a command or a mapping) and a library step check with the step inputs', async () => {
    dir.write('steps/installer.yaml', 'inputs:\n  pkg: { type: string, required: true }\nrun: install "${{ inputs.pkg }}"\ncheck: is-installed "${{ inputs.pkg }}"\n');
    const file = dir.write(
      'ok.yaml',
      [
        'name: ok',
        'defaults: { timeout: 2m }',
        'steps:',
        '  - id: a',
        '    run: make it so',
        '    check: test -f /srv/done',
        '  - id: b',
        '    run: start',
        '    check: { run: is-up, after: false, timeout: 5s, env: { X: "1" } }',
        '  - id: c',
        '    uses: installer',
        '    with: { pkg: nginx }',
      ].join('\n'),
    );
    const runbook = await loadRunbook(file);
    const [a, b, c] = runbook.steps;
    expect(a?.check).toMatchObject({ after: true, command: { run: 'test -f /srv/done', shell: 'bash', timeoutMs: 120_000, retry: { attempts: 1 } } });
    expect(b?.check).toMatchObject({ after: false, command: { run: 'is-up', timeoutMs: 5_000, env: { X: '1' } } });
    expect(c?.check?.command.run).toBe('is-installed "${{ inputs.pkg }}"');
    expect(c?.check?.command.library?.with).toEqual({ pkg: 'nginx' });
  });

  it('refuses check on a confirm step, an empty check, a non-boolean after, and a check reading its own step', async () => {
    const found = await problems(
      'bad.yaml',
      [
        'name: bad',
        'steps:',
        '  - id: ask',
        '    confirm: Go?',
        '    check: test -f /x',
        '  - id: empty',
        '    run: x',
        '    check: "   "',
        '  - id: after',
        '    run: x',
        '    check: { run: y, after: maybe }',
        '  - id: self',
        '    run: x',
        '    check: test "${{ steps.self.outputs.v }}" = 1',
      ].join('\n'),
    );
    expect(found).toEqual([
      expect.stringMatching(/^5:12 steps\[0\]\.check: `check` has no meaning on a `confirm` step/),
      expect.stringMatching(/^8:12 steps\[1\]\.check: an empty check/),
      expect.stringMatching(/^11:29 steps\[2\]\.check\.after: Expected `after` to be true or false/),
      expect.stringMatching(/^14:22 steps\[3\]\.check: a step cannot use its own results here/),
    ]);
  });

  it('applies the injection rules to checks', async () => {
    const found = await problems('inject.yaml', "name: inject\nparams:\n  v: { type: string }\nsteps:\n  - id: a\n    run: x\n    check: echo '${{ params.v }}'\n");
    expect(found).toEqual([expect.stringMatching(/^7:18 steps\[0\]\.check: a \$\{\{ \}\} substitution inside single quotes/)]);
  });
});
