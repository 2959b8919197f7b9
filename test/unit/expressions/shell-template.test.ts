import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EvaluationError } from '../../../src/expressions/evaluate.js';
import { compileShellTemplate } from '../../../src/expressions/shell-template.js';
import { substituteScript } from '../../../src/expressions/substitute.js';
import { tempDir } from '../../helpers/temp-dir.js';

function runWith(script: string, value: string, shell = 'bash'): { stdout: string; status: number | null } {
  const rendered = substituteScript(script, () => value, shell);
  const args = shell === 'bash' ? ['--noprofile', '--norc', '-eo', 'pipefail'] : ['-e'];
  const result = spawnSync(shell, args, { input: rendered.script, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...rendered.env }, encoding: 'utf8' });
  return { stdout: result.stdout, status: result.status };
}

function problemsOf(script: string, shell = 'bash'): string[] {
  return compileShellTemplate(script, shell).problems.map((p) => `${p.message} | ${p.hint}`);
}

describe('shell-safe substitution', () => {
  const pwnDir = tempDir('stepwise-inject-').dir;
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
    `a[$(touch ${marker})]`,
    `;; esac; touch ${marker}; case x in x)`,
  ];

  for (const shell of ['bash', 'sh']) {
    for (const value of attacks) {
      it(`${shell}: prints ${JSON.stringify(value)} verbatim, bare, in double quotes, in $( ) with case, after a comment-looking #, in a here-document`, () => {
        for (const script of [
          'printf "%s" ${{ params.v }}',
          'printf "%s" "${{ params.v }}"',
          'printf "%s" "v=${{ params.v }}!"',
          'printf "%s" "$(printf "%s" "${{ params.v }}")"',
          'x=x; printf "%s" "$(case $x in x) printf "%s" ${{ params.v }};; esac)"',
          'x=${{ params.v }}; printf "%s" "$x"',
          '# a comment ${{ params.v }}\nprintf "%s" "${{ params.v }}"',
          'printf "%s" ${HOME}#${{ params.v }}',
          "printf '%s' 'a'#${{ params.v }}",
          'printf "%s" "$(cat <<EOF\n${{ params.v }}\nEOF\n)"',
          'printf "%s" "${unset:-${{ params.v }}}"',
          'printf "%s" "`printf "%s" "${{ params.v }}"`"',
        ]) {
          let expected = script.includes('v=') ? `v=${value}!` : value;
          if (script.includes('${HOME}#')) expected = `${process.env.HOME ?? ''}#${value}`;
          if (script.includes("'a'#")) expected = `a#${value}`;
          // $( ) and backticks drop trailing newlines: that is the shell, not the substitution.
          if (script.includes('$(') || script.includes('`')) expected = expected.replace(/\n+$/, '');
          const { stdout, status } = runWith(script, value, shell);
          expect({ script, stdout, status }).toEqual({ script, stdout: expected, status: 0 });
          expect(existsSync(marker)).toBe(false);
        }
      });
    }
  }

  it('never puts a value into the script text: references to variables, quoted for where they stand', () => {
    const rendered = substituteScript('echo ${{ a }} "${{ b }}" $(( ${{ c }} + 1 ))\ncat <<EOF\n${{ d }}\nEOF', () => '7');
    expect(rendered.script).toBe('echo "${STEPWISE_V_1}" "${STEPWISE_V_2}" $(( ${STEPWISE_V_3} + 1 ))\ncat <<EOF\n${STEPWISE_V_4}\nEOF');
    expect(rendered.env).toEqual({ STEPWISE_V_1: '7', STEPWISE_V_2: '7', STEPWISE_V_3: '7', STEPWISE_V_4: '7' });
  });

  it('refuses substitutions the shell would not expand, or would run as code, each with a hint that is itself safe', () => {
    const cases: Array<[string, RegExp]> = [
      ["echo '${{ params.v }}'", /single quotes/],
      ["echo $'${{ params.v }}'", /\$'/],
      ["cat <<'EOF'\nx ${{ params.v }}\nEOF", /quoted here-document/],
      ['cat <<"EOF"\nx ${{ params.v }}\nEOF', /quoted here-document/],
      ['echo \\${{ params.v }}', /`\\` right before/],
      ['echo "\\${{ params.v }}"', /`\\` right before/],
      ['eval "echo ${{ params.v }}"', /eval would run as code/],
      ['bash -c "echo ${{ params.v }}"', /bash -c would run as code/],
      ['echo ${{ params.v }} | sh', /pipe into sh/],
      ['bash <<EOF\necho ${{ params.v }}\nEOF', /here-document read by bash/],
      ['read ${{ params.v }}', /variable name \(read\)/],
      ['printf -v ${{ params.v }} x', /printf -v/],
      ['[[ -v ${{ params.v }} ]]', /\[\[ -v \]\]/],
      ['declare -a list=${{ params.v }}', /array literal/],
      ['PS4=${{ params.v }}', /PS4= would run as code/],
      ['$(echo ${{ params.v }}) arg', /command to run/],
      ['trap "echo ${{ params.v }}" EXIT', /trap would run as code/],
      ['ssh host "echo ${{ params.v }}"', /remote command/],
    ];
    for (const [script, message] of cases) {
      const problems = problemsOf(script);
      expect({ script, problems: problems.length }).toEqual({ script, problems: 1 });
      expect(problems[0]).toMatch(message);
      // A hint never proposes arithmetic on a value or a value inside eval/sh -c text.
      expect(problems[0]).not.toMatch(/\$\(\( *n|eval "\$\{\{/);
    }
  });

  it('refuses every substitution in a script for an interpreter that is not a POSIX shell', () => {
    expect(problemsOf('print(${{ params.v }})', 'python3')[0]).toMatch(/`python3` is not a POSIX shell.*env:/);
    expect(problemsOf('echo ${{ params.v }}', 'sh -x')).toEqual([]);
  });

  it('marks arithmetic places; a value there must be a number when the command is prepared', () => {
    for (const [script, construct] of [
      ['echo $(( ${{ params.n }} + 1 ))', '$(( ))'],
      ['(( ${{ params.n }} > 1 ))', '(( ))'],
      ['if [[ ${{ params.n }} -gt 3 ]]; then :; fi', '[[ -gt ]]'],
      ['let x=${{ params.n }}', 'let'],
      ['declare -i x=${{ params.n }}', 'declare -i'],
      ['declare -i x; x=${{ params.n }}', 'an integer variable (declare -i)'],
      ['s=abc; echo "${s:${{ params.n }}}"', '${s:OFFSET}'],
      ['a=(1 2); echo "${a[${{ params.n }}]}"', 'an array index'],
      ['a[${{ params.n }}]=1', 'an array index'],
      ['echo $[ ${{ params.n }} + 1 ]', '$[ ]'],
    ]) {
      const template = compileShellTemplate(script as string);
      const site = template.parts.find((p) => p.kind === 'expr');
      expect({ script, arithmetic: site?.kind === 'expr' ? site.site.arithmetic : undefined }).toEqual({ script, arithmetic: construct });
      expect(() => substituteScript(script as string, () => `a[$(touch ${marker})]`)).toThrow(EvaluationError);
      expect(() => substituteScript(script as string, () => 'a[$(x)]')).toThrow(/value of params.n is not a number \('a\[\$\(x\)\]'\); it is used in arithmetic .* at line 1 of the script/);
      expect(substituteScript(script as string, () => '2').env).toEqual({ STEPWISE_V_1: '2' });
    }
    // An associative array's keys are strings, not arithmetic.
    const assoc = compileShellTemplate('declare -A m; m[${{ params.k }}]=1; echo "${m[${{ params.k }}]}"');
    expect(assoc.parts.filter((p) => p.kind === 'expr').map((p) => (p.kind === 'expr' ? p.site.arithmetic : 'x'))).toEqual([undefined, undefined]);
  });

  it('finds the quoting again after a here-document, a comment and a case statement', () => {
    const { problems, parts } = compileShellTemplate("cat <<EOF\nit's\nEOF\necho ${{ a }} # ${{ b }}\necho \"${{ c }}\"\ncase x in x) echo ${{ d }};; esac; echo \"${{ e }}\"");
    expect(problems).toEqual([]);
    expect(parts.filter((p) => p.kind === 'expr').map((p) => (p.kind === 'expr' ? p.site.quoting : ''))).toEqual(['bare', 'bare', 'dq', 'bare', 'dq']);
  });

  afterAll(() => rmSync(pwnDir, { recursive: true, force: true }));
});
