/**
 * Picks the reporters for a run (SPEC §7): `--json` events on stdout with human text on
 * stderr; the live listr2 view on a terminal; plain timestamped lines for cron, pipes, CI
 * and `--quiet`.
 */
import type { LiveView } from '../reporters/listr-reporter.js';
import type { Reporter } from '../reporters/reporter.js';
import { createJsonReporter, type TextWriter } from '../reporters/json-reporter.js';
import { hasControlCodes, sanitize } from '../reporters/terminal-style.js';
import { createPlainReporter } from '../reporters/plain-reporter.js';
import { writeStderr, writeStderrBytes, writeStdout, writeStdoutBytes } from './output.js';
import type { RunArgs } from './run-args.js';

/** True when a person is watching: a TTY on stdout and not a CI job. */
export function isInteractiveTerminal(): boolean {
  return Boolean(process.stdout.isTTY) && !process.env.CI;
}

/** Colour unless `NO_COLOR` is set to something (no-color.org) or the terminal cannot show it. */
export function colorWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env.NO_COLOR && env.TERM !== 'dumb';
}

// The one live view of this process, so a prompt can borrow the terminal from it.
let activeView: LiveView | undefined;

/** The live TTY view of the current run, if one is drawing. */
export function liveView(): LiveView | undefined {
  return activeView;
}

/**
 * Plain lines carry no colour or cursor codes (SPEC §7), not even those a step printed:
 * cron mail and log files show them as garbage. The step's log file keeps the raw bytes.
 */
export function withoutEscapes(write: TextWriter): TextWriter {
  return (text) => write(hasControlCodes(text) ? sanitize(text) : text);
}

/** The reporters for this invocation, by output mode and terminal. */
export async function createReporters(args: RunArgs): Promise<Reporter[]> {
  const stderr = withoutEscapes(writeStderr);
  if (args.json) return [createJsonReporter(writeStdout), createPlainReporter({ progress: stderr, problems: stderr, progressBytes: writeStderrBytes, problemsBytes: writeStderrBytes }, { quiet: true })];
  // A dumb terminal cannot move the cursor; --quiet asks for the few lines of the plain view.
  if (isInteractiveTerminal() && process.env.TERM !== 'dumb' && !args.quiet) {
    // Imported only here: cron and CI never load listr2.
    const { createListrReporter } = await import('../reporters/listr-reporter.js');
    activeView = createListrReporter({
      stream: process.stdout,
      color: colorWanted(),
      ...(args.outputLines !== undefined ? { keepLines: args.outputLines } : {}),
      verbose: args.verbose === true,
    });
    return [activeView];
  }
  const writers = { progress: withoutEscapes(writeStdout), problems: stderr, progressBytes: writeStdoutBytes, problemsBytes: writeStderrBytes };
  return [createPlainReporter(writers, { quiet: args.quiet ?? false })];
}
