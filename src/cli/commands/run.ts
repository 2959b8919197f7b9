/** `stepwise run FILE`: validate, then execute (SPEC §1, §3). */
import { basename, join, relative } from 'node:path';
import { readFileSync } from 'node:fs';
import { UsageError } from '../../errors/stepwise-error.js';
import { newRunId, openStateStore } from '../../journal/index.js';
import { loadRunbook } from '../../runbook/load-runbook.js';
import { PACKAGE_STEPS_DIR } from '../../runbook/steps-library.js';
import type { Runbook } from '../../runbook/model.js';
import { resolveParams } from '../../runbook/params.js';
import { resolveSecrets } from '../../runbook/secrets.js';
import { redactorFor } from '../../engine/redact.js';
import type { RunArgs } from '../run-args.js';
import { runSession } from '../run-session.js';
import { stateChoiceOf } from '../state-args.js';
import { checkParamArgs } from '../param-args.js';
import { countOption } from '../count-option.js';
import { checkLimit, checkStepSelection } from '../step-selection.js';

export type { RunArgs };

/**
 * Library step files that are not the bundled ones (beside the runbook, or from
 * `STEPWISE_STEPS_PATH`) travel with the runbook's copy as `steps/NAME.yaml`, where `resume`
 * looks first, so it runs the very steps the run started with.
 */
export function localLibraryFiles(runbook: Runbook): Array<{ relativePath: string; text: string }> {
  const files = new Map<string, string>();
  for (const step of [...runbook.steps, ...runbook.finally]) {
    const commands = [step.action.kind === 'run' ? step.action.command : undefined, step.rollback?.command, step.check?.command];
    for (const command of commands) {
      const library = command?.library;
      if (!library) continue;
      // The bundled library comes with the package; any other file is copied where resume looks first.
      if (relative(PACKAGE_STEPS_DIR, library.file).startsWith('..')) files.set(join('steps', `${library.name}.yaml`), library.file);
    }
  }
  return [...files].map(([relativePath, file]) => ({ relativePath, text: readFileSync(file, 'utf8') }));
}

export async function runCommand(args: RunArgs): Promise<number> {
  countOption('output-lines', args.outputLines, 0);
  countOption('forks', args.forks, 1);
  if (args.dryRun && args.report !== undefined) throw new UsageError('--report has nothing to report with --dry-run: a dry run executes nothing', { hint: 'Leave out one of them.' });
  if (args.dryRun) return (await import('./plan.js')).planCommand(args);
  const runbook = await loadRunbook(args.file, { forRun: true, ...(args.inventory ? { inventoryFile: args.inventory } : {}) });
  checkStepSelection(runbook, args);
  checkLimit(runbook, args.limit);
  checkParamArgs(runbook, args.param);
  const params = resolveParams(runbook, { ...(args.param ? { params: args.param } : {}), ...(args.paramsFile ? { paramsFile: args.paramsFile } : {}) });
  const secrets = resolveSecrets(runbook, process.env);
  const store = await openStateStore(stateChoiceOf(args), { writable: true });
  const runId = newRunId();
  const redactor = redactorFor(runbook.params, params, secrets);
  try {
    return await runSession({
      runbook,
      params,
      secrets,
      runId,
      store,
      args,
      mode: 'run',
      startDir: process.cwd(),
      openRecorder: () =>
        store.createRun({
          runId,
          meta: {
            runbook: runbook.name,
            file: runbook.file,
            cwd: process.cwd(),
            lock: runbook.lock,
            ...(runbook.blockAfterFailure ? { blockAfterFailure: true } : {}),
            options: {
              noRollback: args.rollback === false,
              ...(args.inventory ? { inventory: args.inventory } : {}),
              ...(args.limit ? { limit: args.limit } : {}),
              ...(args.only ? { only: args.only } : {}),
              ...(args.from ? { from: args.from } : {}),
              secretParams: runbook.params.filter((p) => p.secret).map((p) => p.name),
            },
          },
          runbook: { fileName: basename(runbook.file), text: runbook.source },
          assets: localLibraryFiles(runbook),
          maskedParams: redactor.maskRecord(params),
        }),
    });
  } finally {
    await store.close();
  }
}
