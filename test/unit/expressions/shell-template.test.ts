import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileShellTemplate } from '../../../src/expressions/shell-template.js';
import { substituteScript } from '../../../src/expressions/substitute.js';

function runWith(script: string, value: string, shell = 'bash'): { stdout: string; status: number | null } {
  const rendered = substituteScript(script, () => value);
  const args = shell === 'bash' ? ['--noprofile', '--norc', '-eo', 'pipefail'] : ['-e'];
  const result = spawnSync(shell, args, { input: rendered, encoding: 'utf8' });
  return { stdout: result.stdout, status: result.status };
}

describe('shell-safe substitution', () => {
  const pwnDir = mkdtempSync(join(tmpdir(), 'stepwise-inject-'));
  const marker = join(pwnDir, 'pwned');
  const attacks = [
    `x"; touch ${marker}; echo "`,
    `$(touch ${marker})`,
    '`touch ' + marker + '`',
    `'; touch ${marker}; echo '`,
    `a\ntouch ${marker}\n`,
    `; touch ${marker}`,
    `\\"; touch ${marker} #`,
    '$HOME ${PATH} * ? [a] ~',
    '',
    "it's",
  ];

  for (const shell of ['bash', 'sh']) {
    for (const value of attacks) {
      it(`${shell}: prints ${JSON.stringify(value)} verbatim, bare, in double quotes and in $( ) within quotes`, () => {
        for (const script of [
          'printf "%s" ${{ params.v }}',
          'printf "%s" "${{ params.v }}"',
          'printf "%s" "v=${{ params.v }}!"',
          'printf "%s" "$(printf "%s" "${{ params.v }}")"',
          'x=${{ params.v }}; printf "%s" "$x"',
          '# a comment ${{ params.v }}\nprintf "%s" "${{ params.v }}"',
        ]) {
          let expected = script.includes('v=') ? `v=${value}!` : value;
          // $( ) drops trailing newlines: that is the shell, not the substitution.
          if (script.includes('$(')) expected = expected.replace(/\n+$/, '');
          const { stdout, status } = runWith(script, value, shell);
          expect({ script, stdout, status }).toEqual({ script, stdout: expected, status: 0 });
          expect(existsSync(marker)).toBe(false);
        }
      });
    }
  }

  it('rejects substitutions that cannot be made safe, with a hint', () => {
    const cases: Array<[string, RegExp]> = [
      ["echo '${{ params.v }}'", /single quotes/],
      ["echo $'${{ params.v }}'", /\$'/],
      ['echo ${X:-${{ params.v }}}', /\$\{\.\.\.\}/],
      ['echo $(( ${{ params.n }} + 1 ))', /\$\(\( \)\)/],
      ['echo `echo ${{ params.v }}`', /backticks/],
      ['cat <<EOF\n${{ params.v }}\nEOF\necho done', /here-document/],
      ["cat <<'EOF'\nx ${{ params.v }}\nEOF", /here-document/],
    ];
    for (const [script, message] of cases) {
      const { problems } = compileShellTemplate(script);
      expect(problems).toHaveLength(1);
      expect(problems[0]?.message).toMatch(message);
      expect(problems[0]?.hint).toBeTruthy();
    }
  });

  it('finds the context again after a here-document and a comment', () => {
    const { problems, parts } = compileShellTemplate("cat <<EOF\nit's\nEOF\necho ${{ a }} # ${{ b }}\necho \"${{ c }}\"");
    expect(problems).toEqual([]);
    expect(parts.filter((p) => p.kind === 'expr').map((p) => (p.kind === 'expr' ? p.context : ''))).toEqual(['bare', 'comment', 'dq']);
  });

  afterAll(() => rmSync(pwnDir, { recursive: true, force: true }));
});
