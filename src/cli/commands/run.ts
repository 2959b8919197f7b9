/** `stepwise run FILE`: validate, then execute (SPEC §1, §3). */
import { basename, dirname, relative } from 'node:path';
import { readFileSync } from 'node:fs';
import { UsageError } from '../../errors/stepwise-error.js';
import { newRunId, JournalWriter, openStateDir } from '../../journal/index.js';
import { loadRunbook } from '../../runbook/load-runbook.js';
import type { Runbook } from '../../runbook/model.js';
import { resolveParams } from '../../runbook/params.js';
import { resolveSecrets } from '../../runbook/secrets.js';
import { redactorFor } from '../../engine/redact.js';
import type { RunArgs } from '../run-args.js';
import { runSession } from '../run-session.js';
import { checkParamArgs } from '../param-args.js';
import { checkLimit, checkStepSelection } from '../step-selection.js';

export type { RunArgs };

/** Library step files next to the runbook travel with its copy, so `resume` finds them. */
export function localLibraryFiles(runbook: Runbook): Array<{ relativePath: string; text: string }> {
  const home = dirname(runbook.file);
  const files = new Map<string, string>();
  for (const step of [...runbook.steps, ...runbook.finally]) {
    const commands = [step.action.kind === 'run' ? step.action.command : undefined, step.rollback?.command];
    for (const command of commands) {
      const file = command?.library?.file;
      if (file && !relative(home, file).startsWith('..')) files.set(relative(home, file), file);
    }
  }
  return [...files].map(([relativePath, file]) => ({ relativePath, text: readFileSync(file, 'utf8') }));
}

export async function runCommand(args: RunArgs): Promise<number> {
  if (args.dryRun && args.report !== undefined) throw new UsageError('--report has nothing to report with --dry-run: a dry run executes nothing', { hint: 'Leave out one of them.' });
  if (args.dryRun) return (await import('./plan.js')).planCommand(args);
  const runbook = await loadRunbook(args.file, { forRun: true, ...(args.inventory ? { inventoryFile: args.inventory } : {}) });
  checkStepSelection(runbook, args);
  checkLimit(runbook, args.limit);
  checkParamArgs(runbook, args.param);
  const params = resolveParams(runbook, { ...(args.param ? { params: args.param } : {}), ...(args.paramsFile ? { paramsFile: args.paramsFile } : {}) });
  const secrets = resolveSecrets(runbook, process.env);
  const state = openStateDir(args.stateDir ? { stateDir: args.stateDir } : {});
  const runId = newRunId();
  const redactor = redactorFor(runbook.params, params, secrets);
  return runSession({
    runbook,
    params,
    secrets,
    runId,
    state,
    args,
    mode: 'run',
    startDir: process.cwd(),
    openJournal: () => {
      const journal = JournalWriter.create(
        state,
        {
          runbook: runbook.name,
          file: runbook.file,
          cwd: process.cwd(),
          lock: runbook.lock,
          options: {
            noRollback: args.rollback === false,
            ...(args.inventory ? { inventory: args.inventory } : {}),
            ...(args.limit ? { limit: args.limit } : {}),
            ...(args.only ? { only: args.only } : {}),
            ...(args.from ? { from: args.from } : {}),
            secretParams: runbook.params.filter((p) => p.secret).map((p) => p.name),
          },
        },
        { runId },
      );
      journal.writeRunbookCopy(runbook.source, basename(runbook.file));
      for (const asset of localLibraryFiles(runbook)) journal.writeRunbookAsset(asset.relativePath, asset.text);
      journal.writeParams(redactor.maskRecord(params));
      return journal;
    },
  });
}
