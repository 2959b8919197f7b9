/**
 * `stepwise plan FILE` and `stepwise run FILE --dry-run` (SPEC §1): validate, resolve the
 * params, and print what would run, in order, per target (`--json`: one JSON document).
 * Executes nothing, reads no secret, contacts no host, takes no lock and writes no journal.
 */
import { isSelected } from '../../engine/step-selection.js';
import { loadRunbook } from '../../runbook/load-runbook.js';
import { resolveParams } from '../../runbook/params.js';
import { checkParamArgs } from '../param-args.js';
import { buildPlan } from '../plan-model.js';
import { printPlan } from '../plan-print.js';
import { PlanResolver } from '../plan-resolve.js';
import type { RunArgs } from '../run-args.js';
import { checkLimit, checkStepSelection, parseOnly } from '../step-selection.js';

/** Prints the plan; exit 0 (an invalid runbook, params or selection throw: exit 2). */
export async function planCommand(args: RunArgs): Promise<number> {
  const runbook = await loadRunbook(args.file, args.inventory ? { inventoryFile: args.inventory } : {});
  checkStepSelection(runbook, args);
  checkLimit(runbook, args.limit);
  checkParamArgs(runbook, args.param);
  const params = resolveParams(runbook, { ...(args.param ? { params: args.param } : {}), ...(args.paramsFile ? { paramsFile: args.paramsFile } : {}) });
  const only = parseOnly(args.only);
  const plan = buildPlan({
    runbook,
    params,
    resolver: new PlanResolver(runbook, params, process.env),
    selected: runbook.steps.filter((s) => isSelected(s.id, runbook.steps, { from: args.from, only })),
    ...(only ? { only } : {}),
    ...(args.from ? { from: args.from } : {}),
    ...(args.limit ? { limit: args.limit } : {}),
    ...(args.inventory ? { inventory: args.inventory } : {}),
    // `run --dry-run --no-rollback` shows the failure policy that run would have.
    noRollback: args.rollback === false,
  });
  printPlan(plan, args.json === true);
  return 0;
}
