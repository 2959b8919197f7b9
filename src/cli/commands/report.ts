/**
 * `stepwise report RUN_ID|last [-o FILE]`: the self-contained HTML report of a run, and
 * `run … --report FILE`, which writes it when the run ends, however it ends.
 */
import { accessSync, closeSync, constants, openSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { StepwiseError, UsageError } from '../../errors/stepwise-error.js';
import { buildReport } from '../../report/build-report.js';
import { openReportSource } from '../../report/read-run.js';
import type { StateStore } from '../../journal/index.js';
import { stateChoiceOf } from '../state-args.js';
import { writeStderr, writeStdout } from '../output.js';

/** Options of `report`. */
export interface ReportArgs {
  output?: string;
  state?: string;
  stateDir?: string;
}

const OUTPUT_HINT = 'Give -o a file in a directory you can write, or -o - for stdout.';

/** Writes the report; exit 0, or 2 when the run is still in progress (the report says so, and is written). */
export async function reportCommand(typedRunId: string, args: ReportArgs): Promise<number> {
  const source = await openReportSource(typedRunId, stateChoiceOf(args));
  let html: string;
  try {
    const target = args.output ?? `stepwise-${source.run.runId}.html`;
    // Refuse an unusable path before reading any log.
    if (target !== '-') checkReportPath(target);
    html = await buildReport(source);
  } finally {
    await source.close();
  }
  const runId = source.run.runId;
  const target = args.output ?? `stepwise-${runId}.html`;
  if (target === '-') writeStdout(html);
  else writeReportFile(target, html);
  const where = target === '-' ? 'stdout' : target;
  if (source.run.state === 'running') {
    writeStderr(`stepwise: run ${runId} is still in progress: the report (${where}) shows what was recorded so far\n  hint: run \`stepwise report ${runId}\` again when it has ended\n`);
    return 2;
  }
  if (target !== '-') writeStderr(`stepwise: report of run ${runId} written to ${target}\n`);
  return 0;
}

/**
 * `run --report FILE`: checks the path before the run (exit 2, nothing executed) and returns
 * the writer for its end. The writer never throws: a report that cannot be written is said,
 * and the run's own exit code stands.
 */
export function prepareRunReport(path: string, quiet: boolean): { write(store: StateStore, runId: string): Promise<void> } {
  if (path === '-') throw new UsageError('--report needs a file name (the run itself prints to the terminal)', { hint: 'Afterwards, `stepwise report last -o -` prints the report to stdout.' });
  checkReportPath(path);
  const absolute = resolve(path);
  return {
    async write(store, runId) {
      try {
        writeReportFile(absolute, await buildReport(await openReportSource(runId, { store })));
        if (!quiet) writeStderr(`stepwise: report written to ${path}\n`);
      } catch (error) {
        const why = error instanceof StepwiseError ? error.message : error instanceof Error ? error.message : String(error);
        writeStderr(`stepwise: the report of run ${runId} could not be written: ${why}\n  hint: \`stepwise report ${runId} -o FILE\` writes it again (the run's exit code is unchanged)\n`);
      }
    },
  };
}

/** The directory must exist and be writable, and the path must not be a directory. */
function checkReportPath(path: string): void {
  const dir = dirname(resolve(path));
  try {
    if (!statSync(dir).isDirectory()) throw new UsageError(`Cannot write the report to ${path}: ${dir} is not a directory`, { hint: OUTPUT_HINT });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`Cannot write the report to ${path}: ${describeFsError(error)} (${dir})`, { hint: OUTPUT_HINT });
  }
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`Cannot write the report to ${path}: it is a directory`, { hint: OUTPUT_HINT });
  } catch (error) {
    if (error instanceof UsageError) throw error;
  }
}

/**
 * Writes the file whole or not at all: a temporary file beside it, then a rename, so a
 * reader never opens half a report. Mode 0600, like the logs it quotes. No fsync: a report
 * is made again in a second from the journal, which is what must survive a crash.
 */
function writeReportFile(path: string, html: string): void {
  const temporary = join(dirname(resolve(path)), `.${basename(path)}.${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temporary, 'w', 0o600);
    writeFileSync(fd, html);
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temporary);
    } catch {
      // Nothing was created, or it is gone already.
    }
    throw new UsageError(`Cannot write the report to ${path}: ${describeFsError(error)}`, { hint: OUTPUT_HINT });
  }
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const words: Record<string, string> = { ENOENT: 'no such directory', EACCES: 'permission denied', EROFS: 'read-only file system', ENOSPC: 'no space left', ENOTDIR: 'not a directory', EISDIR: 'it is a directory' };
  return (code && words[code]) ?? (error instanceof Error ? error.message : String(error));
}
