#!/usr/bin/env node
/**
 * The `stepwise` binary. The commands and their options are listed in command-table.ts (add
 * a command there); this file parses the command line against that table and dispatches.
 * Command modules are imported only when their command runs, so `validate` never pays for
 * the engine, execa or listr2 (cold start matters for cron).
 */
import { reportError } from './report-error.js';

const argv = process.argv.slice(2);
const debug = argv.includes('--debug');

/** Runs a command handler and sets its exit code; errors become their exit code (SPEC §1). */
async function execute(load: () => Promise<number>): Promise<void> {
  let code: number;
  try {
    code = await load();
  } catch (error) {
    code = reportError(error, debug);
  }
  process.exitCode = code;
}

/**
 * `validate FILE...` and `schema` without options skip yargs: its import alone costs more
 * than the whole validation of a runbook, and cold start is what editors and CI hooks feel.
 * Shell completion (`__complete`, called on every Tab) skips it too.
 */
function fastPath(words: string[]): (() => Promise<number>) | undefined {
  const [name, ...rest] = words;
  if (name === '__complete') return async () => (await import('./complete-words.js')).completeCommand(rest);
  if (rest.some((arg) => arg.startsWith('-'))) return undefined;
  if (name === 'validate' && rest.length > 0) return async () => (await import('./commands/validate.js')).validateCommand(rest, undefined);
  if (name === 'schema' && rest.length === 0) return async () => (await import('./commands/schema.js')).schemaCommand();
  return undefined;
}

const fast = fastPath(argv);
await execute(fast ?? (() => parseAndDispatch(argv)));

async function parseAndDispatch(words: string[]): Promise<number> {
  const [{ default: yargs }, { COMMANDS, commandNamed, usageOf }, { GLOBAL_OPTIONS }, { explainArgv, commandWord }, { UsageError }] = await Promise.all([
    import('yargs'),
    import('./command-table.js'),
    import('./command-options.js'),
    import('./argv-problems.js'),
    import('../errors/stepwise-error.js'),
  ]);
  const helpFor = helpTarget(words, commandWord(words));
  if (helpFor !== undefined && helpFor !== '' && !commandNamed(helpFor)) {
    const problem = explainArgv([helpFor], '');
    throw new UsageError(problem.message, { hint: problem.hint });
  }
  const parsedWords = helpFor === undefined ? words : helpFor === '' ? ['--help'] : [helpFor, '--help'];
  let parser = yargs(parsedWords)
    .scriptName('stepwise')
    .locale('en')
    .usage('$0 <command> [options]\n\nRun YAML runbooks: ordered steps with retries, timeouts, rollback and a journal.')
    .option('debug', { ...GLOBAL_OPTIONS.debug, global: true });
  // Commands have no yargs handlers on purpose: yargs renders the whole help text (and loads
  // its width tables) before every handler it calls, which doubled start-up. We dispatch.
  for (const entry of COMMANDS) {
    parser = parser.command(usageOf(entry), entry.describe, (y) => {
      for (const p of entry.positionals) {
        y.positional(p.name, { type: 'string', describe: p.describe, ...(p.variadic ? { array: true } : {}), ...(p.choices ? { choices: p.choices } : {}) });
      }
      return y.options(entry.options);
    });
  }
  const args = await parser
    .demandCommand(1, 'say what to do')
    .strict()
    .exitProcess(false)
    .fail((message, error) => {
      // yargs reports some usage errors (a missing option value) as a YError: still usage.
      if (error && error.name !== 'YError') throw error;
      const problem = explainArgv(parsedWords, message ?? error?.message ?? '');
      throw new UsageError(problem.message, { hint: problem.hint });
    })
    .help()
    .alias('h', 'help')
    .version()
    .alias('V', 'version')
    // Wrapped only when help is shown: yargs renders the help of every command it runs, shown
    // or not, and wrapping it to the width is about half of that (5% of a one-step run).
    .wrap(asksForHelp(parsedWords) ? Math.min(100, process.stdout.columns || 100) : null)
    .parseAsync();

  const entry = commandNamed(String(args._[0]));
  // `run FILE --help`: yargs leaves FILE in `_` when it stops for help.
  if (args.help === true) return entry?.name === 'run' && args._[1] !== undefined ? runbookHelp(String(args._[1])) : 0;
  if (args.version === true || !entry) return 0;
  // Words after a lone `--` are not checked by yargs' strict mode.
  const extra = args._.slice(1);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra.map((w) => `\`${String(w)}\``).join(', ')} (usage: stepwise ${usageOf(entry)})`);
  return entry.run(args as Record<string, unknown>);
}

/** True when the words ask for help (`--help`, `-h`, or `h` among short flags), before a lone `--`. */
function asksForHelp(words: string[]): boolean {
  const end = words.indexOf('--');
  return (end < 0 ? words : words.slice(0, end)).some((w) => w === '--help' || /^-[A-Za-z]*h[A-Za-z]*$/.test(w));
}

/** `help [CMD]` → the command whose help to show ('' = general); undefined when not asked. */
function helpTarget(words: string[], command: string | undefined): string | undefined {
  if (command !== 'help') return undefined;
  const rest = words.slice(words.indexOf('help') + 1).filter((w) => !w.startsWith('-'));
  return rest[0] ?? '';
}

/** `stepwise run FILE --help`: after the options, that runbook's params. */
async function runbookHelp(file: string): Promise<number> {
  return (await import('./runbook-help.js')).printRunbookParams(file);
}
