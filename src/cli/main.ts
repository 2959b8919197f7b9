#!/usr/bin/env node
/**
 * The `stepwise` binary. Command modules are imported only when their command runs, so
 * `validate` never pays for the engine, execa or listr2 (cold start matters for cron).
 */
import { reportError } from './report-error.js';
import type { RunArgs } from './run-args.js';

const debug = process.argv.includes('--debug');

/** Runs a command handler and exits with its code; the only place the process exits. */
async function execute(load: () => Promise<number>): Promise<void> {
  let code: number;
  try {
    code = await load();
  } catch (error) {
    code = reportError(error, debug);
  }
  process.exitCode = code;
}

const runOptions = {
  param: { type: 'string', array: true, describe: 'Set a param: --param key=value (repeatable)' },
  'params-file': { type: 'string', describe: 'YAML or JSON file of params' },
  inventory: { type: 'string', describe: 'Inventory file (same shape as targets:)' },
  json: { type: 'boolean', describe: 'JSON Lines events on stdout; human text on stderr' },
  quiet: { type: 'boolean', describe: 'Print only failures and the summary' },
  step: { type: 'boolean', describe: 'Confirm before each step (TTY)' },
  interactive: { type: 'boolean', describe: 'On failure, ask: retry / skip / rollback / halt (TTY)' },
  yes: { type: 'boolean', alias: 'y', describe: 'Answer yes to every confirm:' },
  rollback: { type: 'boolean', default: true, describe: 'Compensate on failure (--no-rollback: halt and keep state)' },
  from: { type: 'string', describe: 'Start at this step id' },
  only: { type: 'string', describe: 'Run only these step ids (comma-separated)' },
  'dry-run': { type: 'boolean', describe: 'Print the plan; execute nothing' },
  'state-dir': { type: 'string', describe: 'Where runs are journaled (default $STEPWISE_STATE_DIR)' },
  'wait-lock': { type: 'string', describe: 'Wait this long for the lock (e.g. 30s) instead of exiting 75' },
  limit: { type: 'string', describe: 'Restrict targets to this host or group' },
} as const;

/**
 * `validate FILE...` and `schema` without options skip yargs: its import alone costs more
 * than the whole validation of a runbook, and cold start is what editors and CI hooks feel.
 */
function fastPath(argv: string[]): (() => Promise<number>) | undefined {
  const [name, ...rest] = argv;
  if (rest.some((arg) => arg.startsWith('-'))) return undefined;
  if (name === 'validate' && rest.length > 0) return async () => (await import('./commands/validate.js')).validateCommand(rest, undefined);
  if (name === 'schema' && rest.length === 0) return async () => (await import('./commands/schema.js')).schemaCommand();
  return undefined;
}

const fast = fastPath(process.argv.slice(2));
if (fast) await execute(fast);
else await parseAndDispatch();

async function parseAndDispatch(): Promise<void> {
  const { default: yargs } = await import('yargs');
  const { hideBin } = await import('yargs/helpers');
  // Commands have no yargs handlers on purpose: yargs renders the whole help text (and loads
  // its width tables) before every handler it calls, which doubled start-up. We dispatch.
  const args = await yargs(hideBin(process.argv))
    .scriptName('stepwise')
    .usage('$0 <command> [options]\n\nRun YAML runbooks: ordered steps with retries, timeouts, rollback and a journal.')
    .option('debug', { type: 'boolean', describe: 'Show stack traces of errors', global: true })
    .command(
      'run <file>',
      'Validate, then execute a runbook',
      (y) => y.positional('file', { type: 'string', demandOption: true }).options(runOptions)
    )
    .command(
      'validate <files..>',
      'Validate runbooks; exit 0 when valid, 2 with located errors otherwise',
      (y) => y.positional('files', { type: 'string', array: true, demandOption: true }).option('inventory', runOptions.inventory)
    )
    .command(
      'plan <file>',
      'Print what would run, in order, per target; executes nothing',
      (y) => y.positional('file', { type: 'string', demandOption: true }).options(runOptions)
    )
    .command(
      'resume <runId>',
      'Continue an interrupted or failed run from the first step that did not succeed',
      (y) => y.positional('runId', { type: 'string', demandOption: true }).options(runOptions)
    )
    .command(
      'rollback <runId>',
      'Run the compensation of a halted run now',
      (y) => y.positional('runId', { type: 'string', demandOption: true }).options(runOptions)
    )
    .command(
      'history',
      'List past runs: id, runbook, status, start, duration',
      (y) =>
        y
          .option('runbook', { type: 'string', describe: 'Only runs of this runbook' })
          .option('limit', { type: 'number', default: 20, describe: 'How many runs' })
          .option('state-dir', runOptions['state-dir'])
    )
    .command(
      'show <runId>',
      'One run step by step: status, attempts, durations, exit codes, log tail',
      (y) => y.positional('runId', { type: 'string', demandOption: true }).option('state-dir', runOptions['state-dir'])
    )
    .command(
      'logs <runId> [stepId]',
      'Full captured output of a run or one step',
      (y) =>
        y
          .positional('runId', { type: 'string', demandOption: true })
          .positional('stepId', { type: 'string' })
          .option('state-dir', runOptions['state-dir'])
    )
    .command(
      'schema',
      'Print the runbook JSON Schema (for editors)'
    )
    .demandCommand(1, 'Say what to do: stepwise run FILE, or stepwise --help')
    .strictCommands()
    .strictOptions()
    .fail((message, error) => {
      if (error) throw error;
      process.stderr.write(`stepwise: ${message}\n  hint: stepwise --help lists commands and options\n`);
      process.exit(2);
    })
    .help()
    .version()
    .wrap(Math.min(100, process.stdout.columns || 100))
    .parseAsync();

  /** Each command's module, imported only when that command runs. */
  const commands: Record<string, () => Promise<number>> = {
    run: async () => (await import('./commands/run.js')).runCommand(args as unknown as RunArgs),
    validate: async () => (await import('./commands/validate.js')).validateCommand(args.files as string[], args.inventory as string | undefined),
    plan: async () => (await import('./commands/plan.js')).planCommand(args as unknown as RunArgs),
    resume: async () => (await import('./commands/resume.js')).resumeCommand(args.runId as string, args as unknown as RunArgs),
    rollback: async () => (await import('./commands/rollback.js')).rollbackCommand(args.runId as string, args as unknown as RunArgs),
    history: async () => (await import('./commands/history.js')).historyCommand(args as { runbook?: string; limit?: number; stateDir?: string }),
    show: async () => (await import('./commands/show.js')).showCommand(args.runId as string, args as { stateDir?: string }),
    logs: async () => (await import('./commands/logs.js')).logsCommand(args.runId as string, args.stepId as string | undefined, args as { stateDir?: string }),
    schema: async () => (await import('./commands/schema.js')).schemaCommand(),
  };

  const command = commands[String(args._[0])];
  if (command) await execute(command);
}
