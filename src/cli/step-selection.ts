/** Checks `--from` / `--only` against the runbook's step ids before anything runs. */
import { ValidationError } from '../errors/stepwise-error.js';
import type { Runbook } from '../runbook/model.js';
import { closest } from '../runbook/did-you-mean.js';
import type { RunArgs } from './run-args.js';

export function checkStepSelection(runbook: Runbook, args: Pick<RunArgs, 'from' | 'only'>): void {
  const ids = runbook.steps.map((s) => s.id);
  const wanted = [...(args.from ? [['--from', args.from]] : []), ...(args.only ?? '').split(',').filter(Boolean).map((id) => ['--only', id.trim()])];
  const diagnostics = wanted
    .filter(([, id]) => !ids.includes(id as string))
    .map(([option, id]) => {
      const guess = closest(id as string, ids);
      return {
        location: runbook.steps[0]?.location ?? { file: runbook.file, line: 1, col: 1 },
        path: option as string,
        message: `no step \`${id}\` in runbook "${runbook.name}"${guess ? `; did you mean \`${guess}\`?` : ''} (steps: ${ids.join(', ')})`,
      };
    });
  if (diagnostics.length > 0) throw new ValidationError(diagnostics);
}
