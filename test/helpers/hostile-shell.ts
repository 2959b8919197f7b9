/**
 * Generators for the injection property tests (SPEC §2): scripts that mix the shell's quoting
 * and evaluating constructs around `${{ params.v }}`, and hostile values that try to escape
 * them. Each value, if it ever runs as code, creates the marker file.
 */
import fc from 'fast-check';

/** The substitution every generated script uses. */
export const V = '${{ params.v }}';

/** A generated script: its text, the shell, and what it prints when the value is data. */
export interface ScriptCase {
  template: string;
  shell: 'bash' | 'sh';
  /** Expected stdout for a value, when the script is one that prints it verbatim. */
  expected?: (value: string) => string;
}

/** Hostile values: each contains a way to run `touch MARKER` if it were ever read as code. */
export function hostileValue(marker: string): fc.Arbitrary<string> {
  const touch = `touch ${marker}`;
  const fragments = [
    `$(${touch})`, '`' + touch + '`', `a[$(${touch})]`, `x[\`${touch}\`]`, `"; ${touch}; echo "`, `'; ${touch}; echo '`,
    `;${touch};`, `\n${touch}\n`, `$(${touch}))`, `;; esac; ${touch}; case x in x)`, `)"; ${touch}; echo "(`,
    `\${x:-$(${touch})}`, `}`, `\${`, `$((`, `))`, `$[`, ']', '(', ')', ';;', 'esac', '"', "'", '\\', '$', '`', '#', '&&',
    '|', '<', '>', '{', '=', 'EOF', '\t', ' ', '-v', '--', '*', '~', '%s', '!', '\r', 'é', '😀', '0', '42', '-7',
    `PATH=/nowhere`, `n[$(${touch})]`, `\\$(${touch})`, `$'\\x41'`, `<(${touch})`, `|bash`, `&${touch}&`,
  ];
  return fc.oneof(
    { weight: 5, arbitrary: fc.array(fc.constantFrom(...fragments), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
    { weight: 1, arbitrary: fc.integer({ min: -1000, max: 1000 }).map(String) },
    { weight: 1, arbitrary: fc.constantFrom(`a[$(${touch})]`, `$(${touch})`, `x"; ${touch}; echo "`, '') },
  );
}

/** An expression that evaluates to exactly the value when used as one word; `trims` when inside `$( )`. */
interface ValueExpr {
  text: string;
  trims: boolean;
}

function valueExpr(shell: 'bash' | 'sh'): fc.Arbitrary<ValueExpr> {
  const { expr } = fc.letrec<{ expr: ValueExpr }>((tie) => {
    const inner = tie('expr');
    const sub = (wrap: (e: string) => string) => inner.map((e) => ({ text: wrap(e.text), trims: true }));
    const common = [
      fc.constant({ text: V, trims: false }),
      fc.constant({ text: `"${V}"`, trims: false }),
      sub((e) => `"$(printf %s ${e})"`),
      sub((e) => `"$(case x in x) printf %s ${e};; esac)"`),
      sub((e) => `"$(case x in (x) printf %s ${e} ;; (*) ;; esac)"`),
      sub((e) => `"$( (printf %s ${e}) )"`),
      inner.map((e) => ({ text: `"\${unset_var:-${e.text}}"`, trims: e.trims })),
      inner.map((e) => ({ text: `\${unset_var:-${e.text}}`, trims: e.trims })),
      sub((e) => `"$(f() { printf %s "$1"; }; f ${e})"`),
      sub((e) => `"$(printf %s ${e} | cat)"`),
      sub((e) => `"$(x=${e}; printf %s "$x")"`),
      sub((e) => `"$(if true; then printf %s ${e}; fi)"`),
      sub((e) => `"$(for i in 1; do printf %s ${e}; done)"`),
      sub((e) => `"$(: '(' ; printf %s ${e} # ) ' " (\n)"`),
      sub((e) => `"$(x=')'; printf %s ${e})"`),
      fc.constant({ text: `"$(cat <<EOF\n${V}\nEOF\n)"`, trims: true }),
      fc.constant({ text: `"$(cat <<-EOF\n\t${V}\n\tEOF\n)"`, trims: true }),
      fc.constant({ text: `"\`printf %s "${V}"\`"`, trims: true }),
    ];
    const bashOnly = [
      sub((e) => `"$(a=(${e}); printf %s "\${a[0]}")"`),
      sub((e) => `"$(declare -A m; m[k]=${e}; printf %s "\${m[k]}")"`),
      // Direct only: bash 5.2 corrupts its heap on `m["$( … )"]=1` nested in more of the same.
      fc.constant({ text: `"$(declare -A m; m[${V}]=1; for k in "\${!m[@]}"; do printf %s "$k"; done)"`, trims: true }),
      sub((e) => `"$(cat <<< ${e})"`),
      sub((e) => `"$([[ ${e} == ${e} ]] && printf %s ${e})"`),
      sub((e) => `"$(function g { printf %s "$1"; }; g ${e})"`),
      sub((e) => `"$(local_test() { local x=${e}; printf %s "$x"; }; local_test)"`),
      sub((e) => `"$(export X=${e}; printf %s "$X")"`),
    ];
    return { expr: fc.oneof({ depthSize: 'small', maxDepth: 3 }, ...common, ...(shell === 'bash' ? bashOnly : [])) };
  });
  return expr;
}

/** Lines that print nothing but exercise the scanner's quoting and nesting rules. */
const NOISE = [
  `# it's a "comment" with ) and ( and $( and \``,
  ': "$(( 1 + 2 ))"',
  `: 'it''s "quoted" $(x) \`y\`'`,
  'case a in a) : ;; esac',
  ': "$(case a in (a) echo ")" ;; esac)"',
  "cat >/dev/null <<'END'\nit's \"odd\" $(x) `y` ${z\nEND",
  'cat >/dev/null <<END\nplain $HOME text\nEND',
  ": \\' \\\" \\(",
  's=${HOME:-x}; : "${s#/}"',
  ': `true`',
];
const BASH_NOISE = ['x=1; (( x > 0 ))', '[[ 1 -eq 1 ]]', 'arr=(a "b c"); : "${arr[@]}"', ": $'it\\'s'", 'declare -i n=3; n+=1'];

/** Statement wrappers that keep the statement running and its output unchanged. */
const WRAPPERS: Array<(stmt: string) => string> = [
  (s) => s,
  (s) => `( ${s} )`,
  (s) => `{ ${s}; }`,
  (s) => `if true; then ${s}; fi`,
  (s) => `f1() { ${s}; }; f1`,
  (s) => `case x in x) ${s} ;; esac`,
  (s) => `true && ${s}`,
  (s) => `${s} | cat`,
  (s) => `printf %s "$(${s})"`,
];

/** Scripts that must print the value verbatim (framed by `<` and `>`) or be refused. */
export function printingScript(shell: 'bash' | 'sh'): fc.Arbitrary<ScriptCase> {
  const noise = shell === 'bash' ? [...NOISE, ...BASH_NOISE] : NOISE;
  return fc
    .record({
      expr: valueExpr(shell),
      wrap: fc.constantFrom(...WRAPPERS),
      before: fc.array(fc.constantFrom(...noise), { maxLength: 3 }),
      after: fc.array(fc.constantFrom(...noise), { maxLength: 2 }),
    })
    .map(({ expr, wrap, before, after }) => ({
      template: [...before, wrap(`printf '<%s>' ${expr.text}`), ...after].join('\n'),
      shell,
      expected: (value: string) => `<${expr.trims ? value.replace(/\n+$/, '') : value}>`,
    }));
}

/** Places where bash evaluates a value (arithmetic, names, code): refused, checked, or harmless. */
const EVALUATING = [
  `(( ${V} > 0 )) || true`, `echo $(( ${V} + 1 ))`, `[[ ${V} -gt 3 ]] || true`, `[[ "${V}" -eq 3 ]] || true`, `let x=${V} || true`,
  `declare -i n=${V}`, `declare -i n; n=${V}`, `s=abcdef; echo "\${s:${V}}"`, `s=abcdef; echo "\${s:1:${V}}"`, `a=(1 2 3); echo "\${a[${V}]}"`,
  `a[${V}]=1`, `read ${V} <<< x`, `printf -v ${V} x`, `eval "echo ${V}"`, `bash -c "echo ${V}"`, `echo ${V} | bash`,
  `bash <<EOF\necho ${V}\nEOF`, `declare -a x=${V}`, `PS4=${V}; set -x; true; set +x`, `unset ${V}`, `[[ -v ${V} ]] || true`,
  `$(echo ${V})`, `trap "echo ${V}" EXIT`, `x=$(( $(echo ${V}) + 1 ))`, `f() { local -i n=${V}; }; f`, `alias x=${V}`,
  `sh -c "${V}"`, `. <(echo ${V})`, `echo $[ ${V} + 1 ]`, `for (( i=0; i<${V}; i++ )); do :; done`, `mapfile -C ${V} x < /dev/null`,
  `declare -n r=${V}; echo "$r"`, `echo "\${x:${V}:1}"`, `declare -A m; m[${V}]=1; echo "\${m[${V}]}"`, `case ${V} in *) ;; esac`,
  `echo "$(eval ${V})"`, `timeout 5 bash -c ${V}`, `xargs sh -c <<< ${V}`, `cat <<EOF | sh\n${V}\nEOF`,
  `local_v() { declare -ai arr=(${V}); }; local_v`, `builtin eval ${V}`, `command eval ${V}`, `\\eval ${V}`, `e"va"l ${V}`,
  `export PROMPT_COMMAND=${V}`, `ssh -o ProxyCommand=${V} nowhere true 2>/dev/null || true`, `watch -n1 ${V} 2>/dev/null & kill $! || true`,
  `getopts ab ${V} || true`, `wait -p ${V} 2>/dev/null || true`, `test -v ${V} || true`, `[ -v ${V} ] || true`, `x=(${V}); declare -i x; x=${V}`,
  `printf '%s' ${V} | xargs -0 bash -c 2>/dev/null || true`, `echo "${V}" | while read -r l; do echo "$l"; done`, `echo \`echo ${V}\``,
];

/** Scripts where the value reaches an evaluating construct, in a random wrapper. */
export function evaluatingScript(): fc.Arbitrary<ScriptCase> {
  return fc
    .record({ stmt: fc.constantFrom(...EVALUATING), wrap: fc.constantFrom(...WRAPPERS.slice(0, 8)), before: fc.array(fc.constantFrom(...NOISE, ...BASH_NOISE), { maxLength: 2 }) })
    .map(({ stmt, wrap, before }) => ({ template: [...before, wrap(stmt)].join('\n'), shell: 'bash' as const }));
}
