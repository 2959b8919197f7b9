/**
 * `stepwise plan FILE` and `stepwise run FILE --dry-run` (SPEC §1): validate, resolve the
 * params, and print what would run, in order, per target. Executes nothing, reads no
 * secret, contacts no host, takes no lock and writes no journal.
 */
import { createStyle } from '../../reporters/listr-style.js';
import { loadRunbook } from '../../runbook/load-runbook.js';
import { resolveParams } from '../../runbook/params.js';
import { colorWanted } from '../create-reporters.js';
import { writeStdout } from '../output.js';
import { formatPlan } from '../plan-format.js';
import { PlanResolver } from '../plan-resolve.js';
import type { RunArgs } from '../run-args.js';
import { checkStepSelection } from '../step-selection.js';

/** Prints the plan; exit 0 (an invalid runbook or params throw, exit 2). */
export async function planCommand(args: RunArgs): Promise<number> {
  const runbook = await loadRunbook(args.file, args.inventory ? { inventoryFile: args.inventory } : {});
  checkStepSelection(runbook, args);
  const params = resolveParams(runbook, { ...(args.param ? { params: args.param } : {}), ...(args.paramsFile ? { paramsFile: args.paramsFile } : {}) });
  const only = args.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const fromIndex = args.from ? runbook.steps.findIndex((s) => s.id === args.from) : 0;
  // The same selection rule as the engine: --only wins over --from.
  const selected = only ? runbook.steps.filter((s) => only.includes(s.id)) : runbook.steps.slice(Math.max(0, fromIndex));
  const tty = Boolean(process.stdout.isTTY);
  const lines = formatPlan({
    runbook,
    params,
    resolver: new PlanResolver(runbook, params, process.env),
    style: createStyle(tty && colorWanted()),
    width: tty ? (process.stdout.columns ?? 100) : 100,
    selected,
    ...(only ? { only } : {}),
    ...(args.from ? { from: args.from } : {}),
    ...(args.limit ? { limit: args.limit } : {}),
    ...(args.inventory ? { inventory: args.inventory } : {}),
  });
  writeStdout(lines.join('\n') + '\n');
  return 0;
}
