/**
 * `stepwise plan FILE` and `stepwise run FILE --dry-run` (SPEC §1): validate, resolve the
 * params, and print what would run, in order, per target (`--json`: one JSON document;
 * `--brief`: one line per step). Executes nothing, reads no secret, contacts no host, takes
 * no lock and writes no journal — except `--check`, which runs the steps' `check:` commands
 * (only those, on their targets, with the secrets they may need) to show what is already done.
 */
import { isSelected } from '../../engine/step-selection.js';
import { newRunId } from '../../journal/index.js';
import { loadRunbook } from '../../runbook/load-runbook.js';
import type { Runbook, ScalarValue, Step } from '../../runbook/model.js';
import { resolveParams } from '../../runbook/params.js';
import { resolveSecrets } from '../../runbook/secrets.js';
import { writeStderr } from '../output.js';
import { checkParamArgs } from '../param-args.js';
import type { CheckVerdict } from '../plan-check.js';
import { buildPlan } from '../plan-model.js';
import { printPlan } from '../plan-print.js';
import { PlanResolver } from '../plan-resolve.js';
import type { RunArgs } from '../run-args.js';
import { watchSignals } from '../signals.js';
import { checkLimit, checkStepSelection, parseOnly } from '../step-selection.js';

/** Prints the plan; exit 0 (an invalid runbook, params or selection throw: exit 2; Ctrl-C during --check: 130). */
export async function planCommand(args: RunArgs): Promise<number> {
  const runbook = await loadRunbook(args.file, { forRun: args.check === true, ...(args.inventory ? { inventoryFile: args.inventory } : {}) });
  checkStepSelection(runbook, args);
  checkLimit(runbook, args.limit);
  checkParamArgs(runbook, args.param);
  const params = resolveParams(runbook, { ...(args.param ? { params: args.param } : {}), ...(args.paramsFile ? { paramsFile: args.paramsFile } : {}) });
  const only = parseOnly(args.only);
  const resolver = new PlanResolver(runbook, params, process.env);
  const selected = runbook.steps.filter((s) => isSelected(s.id, runbook.steps, { from: args.from, only }));
  let verdicts: Map<string, CheckVerdict[]> | undefined;
  if (args.check) {
    const checked = await checkSteps(runbook, params, [...selected, ...runbook.finally], resolver, args.limit);
    if (checked === 'interrupted') return 130;
    verdicts = checked;
  }
  const plan = buildPlan({
    runbook,
    params,
    resolver,
    selected,
    ...(only ? { only } : {}),
    ...(args.from ? { from: args.from } : {}),
    ...(args.limit ? { limit: args.limit } : {}),
    ...(args.inventory ? { inventory: args.inventory } : {}),
    // `run --dry-run --no-rollback` shows the failure policy that run would have.
    noRollback: args.rollback === false,
    ...(verdicts ? { verdicts } : {}),
  });
  printPlan(plan, args.json === true, args.brief === true);
  return 0;
}

/** `--check`: runs the checks (imported only then: plain `plan` never loads an executor). */
async function checkSteps(runbook: Runbook, params: Record<string, ScalarValue>, steps: Step[], resolver: PlanResolver, limit: string | undefined): Promise<Map<string, CheckVerdict[]> | 'interrupted'> {
  const secrets = resolveSecrets(runbook, process.env);
  const { runPlanChecks } = await import('../plan-check.js');
  const signals = watchSignals(() => writeStderr('stepwise: interrupted: stopping the checks (nothing else was run)\n'));
  try {
    const verdicts = await runPlanChecks({
      runbook,
      params,
      secrets,
      steps,
      runId: newRunId(),
      cancel: signals.cancel,
      skippedNow: (step) => step.when !== undefined && resolver.condition(step.when).value === false,
      ...(limit ? { limit } : {}),
    });
    return signals.cancel.aborted ? 'interrupted' : verdicts;
  } finally {
    signals.dispose();
  }
}
