/**
 * `--param` words checked as command-line input before the runbook's rules see them: a word
 * without `=` or naming no declared param is a mistake on the command line, reported as
 * `stepwise: --param who: expected NAME=VALUE`, not located in the runbook. The value of
 * such a word is never echoed: it may be a secret typed without its name.
 */
import { UsageError } from '../errors/stepwise-error.js';
import { closest } from '../runbook/did-you-mean.js';
import type { Runbook } from '../runbook/model.js';

/** `NAME=VALUE` split at the first `=`; undefined without a name. */
export function splitParam(word: string): { name: string; value: string } | undefined {
  const eq = word.indexOf('=');
  return eq > 0 ? { name: word.slice(0, eq), value: word.slice(eq + 1) } : undefined;
}

/** Throws UsageError (exit 2) for the first malformed or unknown `--param`. */
export function checkParamArgs(runbook: Pick<Runbook, 'name' | 'params'>, words: readonly string[] | undefined): void {
  const names = runbook.params.map((p) => p.name);
  const declared = names.length > 0 ? `params of ${runbook.name}: ${names.join(', ')}` : `runbook "${runbook.name}" declares no params`;
  for (const word of words ?? []) {
    const split = splitParam(word);
    if (!split) {
      const shown = names.includes(word) ? ` ${word}` : '';
      throw new UsageError(`--param${shown}: expected NAME=VALUE${shown ? '' : ' (a word without a name before `=`)'}`, {
        hint: `e.g. --param ${shown ? word : (names[0] ?? 'name')}=VALUE; ${declared}`,
      });
    }
    if (!names.includes(split.name)) {
      const guess = closest(split.name, names);
      throw new UsageError(`--param ${split.name}: unknown param${guess ? `; did you mean \`${guess}\`?` : ''}`, { hint: declared });
    }
  }
}
