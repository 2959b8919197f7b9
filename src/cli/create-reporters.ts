/**
 * Picks the reporters for a run (SPEC §7): `--json` events on stdout with human text on
 * stderr; the live listr2 view on a terminal; plain timestamped lines for cron, pipes, CI.
 */
import type { Reporter } from '../reporters/reporter.js';
import { createJsonReporter } from '../reporters/json-reporter.js';
import { createPlainReporter } from '../reporters/plain-reporter.js';
import { writeStderr, writeStdout } from './output.js';
import type { RunArgs } from './run-args.js';

/** True when a person is watching: a TTY on stdout and not a CI job. */
export function isInteractiveTerminal(): boolean {
  return Boolean(process.stdout.isTTY) && !process.env.CI;
}

export async function createReporters(args: RunArgs): Promise<Reporter[]> {
  if (args.json) return [createJsonReporter(writeStdout), createPlainReporter(writeStderr, { quiet: true })];
  return [createPlainReporter(writeStdout, { quiet: args.quiet ?? false })];
}
