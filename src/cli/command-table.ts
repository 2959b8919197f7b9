/**
 * Every command of the `stepwise` binary: its usage, its own options and its handler. To add
 * a command, add an entry here; main.ts builds the parser, help, did-you-mean and shell
 * completion from this table. Handlers import their module only when their command runs,
 * so a command never pays for another's dependencies (cold start matters for cron).
 */
import {
  ACK_OPTIONS,
  COMPLETION_SHELLS,
  HISTORY_OPTIONS,
  LOGS_OPTIONS,
  PLAN_OPTIONS,
  REPORT_OPTIONS,
  RESUME_OPTIONS,
  ROLLBACK_OPTIONS,
  RUN_OPTIONS,
  RUN_READER_OPTIONS,
  STATE_ACTIONS,
  STATE_IMPORT_OPTIONS,
  STEPS_OPTIONS,
  VALIDATE_OPTIONS,
  type OptionSet,
} from './command-options.js';
import type { ContinueArgs, RunArgs } from './run-args.js';

/** Parsed arguments as yargs hands them over (camelCase keys as well as dashed ones). */
export type ParsedArgs = Readonly<Record<string, unknown>>;

/** What the shell completes for a positional argument. */
export type CompleteWith = 'runbook-file' | 'run-id' | 'command' | 'shell';

/** A positional argument of a command. */
export interface PositionalSpec {
  name: string;
  required: boolean;
  /** Takes every remaining word (`validate FILE...`). */
  variadic?: boolean;
  describe: string;
  complete?: CompleteWith;
  choices?: readonly string[];
}

/** One command. */
export interface CommandEntry {
  name: string;
  describe: string;
  positionals: readonly PositionalSpec[];
  options: OptionSet;
  run: (args: ParsedArgs) => Promise<number>;
}

const runbookFile: PositionalSpec = { name: 'file', required: true, describe: 'Runbook file', complete: 'runbook-file' };
const runId: PositionalSpec = { name: 'runId', required: true, describe: 'Run id (or an unambiguous prefix)', complete: 'run-id' };
const runIdOrLast: PositionalSpec = { ...runId, describe: 'Run id, an unambiguous prefix, or last' };

const asRunArgs = (args: ParsedArgs) => args as unknown as RunArgs;
const asContinueArgs = (args: ParsedArgs) => args as unknown as ContinueArgs;
const stateDirOf = (args: ParsedArgs) => ({ ...(typeof args.stateDir === 'string' ? { stateDir: args.stateDir } : {}), ...(typeof args.state === 'string' ? { state: args.state } : {}) });

/** The commands, in the order `stepwise --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'run',
    describe: 'Validate, then execute a runbook (stepwise run FILE --help lists its params)',
    positionals: [runbookFile],
    options: RUN_OPTIONS,
    run: async (args) => (await import('./commands/run.js')).runCommand(asRunArgs(args)),
  },
  {
    name: 'validate',
    describe: 'Validate runbooks; exit 0 when valid, 2 with located errors otherwise',
    positionals: [{ ...runbookFile, name: 'files', variadic: true, describe: 'Runbook files' }],
    options: VALIDATE_OPTIONS,
    run: async (args) => (await import('./commands/validate.js')).validateCommand(args.files as string[], args.inventory as string | undefined),
  },
  {
    name: 'plan',
    describe: 'Print what would run, in order, per target; executes nothing',
    positionals: [runbookFile],
    options: PLAN_OPTIONS,
    run: async (args) => (await import('./commands/plan.js')).planCommand(asRunArgs(args)),
  },
  {
    name: 'resume',
    describe: 'Continue an interrupted or failed run from the first step that did not succeed',
    positionals: [runId],
    options: RESUME_OPTIONS,
    run: async (args) => (await import('./commands/resume.js')).resumeCommand(args.runId as string, asContinueArgs(args)),
  },
  {
    name: 'rollback',
    describe: 'Run the compensation of a halted, failed or crashed run now (asks first on a terminal)',
    positionals: [runId],
    options: ROLLBACK_OPTIONS,
    run: async (args) => (await import('./commands/rollback.js')).rollbackCommand(args.runId as string, asContinueArgs(args)),
  },
  {
    name: 'history',
    describe: 'List past runs: id, runbook, status, start, duration',
    positionals: [],
    options: HISTORY_OPTIONS,
    run: async (args) =>
      (await import('./commands/history.js')).historyCommand({
        ...stateDirOf(args),
        ...(typeof args.runbook === 'string' ? { runbook: args.runbook } : {}),
        ...(args.limit !== undefined ? { limit: args.limit as number } : {}),
        ...(typeof args.status === 'string' ? { status: args.status } : {}),
        ...(typeof args.since === 'string' ? { since: args.since } : {}),
        json: args.json === true,
      }),
  },
  {
    name: 'show',
    describe: 'One run step by step: who, where, when, params, per step targets, times, attempts, exit codes, outputs, log tail and a timeline',
    positionals: [runIdOrLast],
    options: RUN_READER_OPTIONS,
    run: async (args) => (await import('./commands/show.js')).showCommand(args.runId as string, stateDirOf(args)),
  },
  {
    name: 'logs',
    describe: 'Full captured output of a run or one step (-f follows a running run)',
    positionals: [runIdOrLast, { name: 'stepId', required: false, describe: 'Only this step' }],
    options: LOGS_OPTIONS,
    run: async (args) => (await import('./commands/logs.js')).logsCommand(args.runId as string, args.stepId as string | undefined, { ...stateDirOf(args), follow: args.follow === true }),
  },
  {
    name: 'report',
    describe: 'Write a self-contained HTML report of a run (RUN_ID or last; default stepwise-RUN_ID.html, -o - for stdout)',
    positionals: [runIdOrLast],
    options: REPORT_OPTIONS,
    run: async (args) =>
      (await import('./commands/report.js')).reportCommand(args.runId as string, { ...stateDirOf(args), ...(typeof args.output === 'string' ? { output: args.output } : {}) }),
  },
  {
    name: 'ack',
    describe: 'Acknowledge a failed run of a blockAfterFailure runbook, so the next run may start (journaled with who, when and --note)',
    positionals: [runId],
    options: ACK_OPTIONS,
    run: async (args) => (await import('./commands/ack.js')).ackCommand(args.runId as string, { ...stateDirOf(args), ...(typeof args.note === 'string' ? { note: args.note } : {}) }),
  },
  {
    name: 'state',
    describe: "Manage where state is kept: state import DIR copies a state dir's history into the --state database (idempotent)",
    positionals: [
      { name: 'action', required: true, describe: 'import', choices: STATE_ACTIONS },
      { name: 'dir', required: true, describe: 'The state dir to copy from' },
    ],
    options: STATE_IMPORT_OPTIONS,
    run: async (args) => (await import('./commands/state-import.js')).stateImportCommand(args.dir as string, stateDirOf(args)),
  },
  {
    name: 'steps',
    describe: 'List the steps library (steps/ beside a runbook here, STEPWISE_STEPS_PATH, bundled); with NAME, its inputs, outputs, check and rollback',
    positionals: [{ name: 'name', required: false, describe: 'A library step' }],
    options: STEPS_OPTIONS,
    run: async (args) => (await import('./commands/steps.js')).stepsCommand(args.name as string | undefined, { json: args.json === true }),
  },
  {
    name: 'schema',
    describe: 'Print the runbook JSON Schema (for editors)',
    positionals: [],
    options: {},
    run: async () => (await import('./commands/schema.js')).schemaCommand(),
  },
  {
    name: 'completion',
    describe: 'Print a shell completion script: stepwise completion bash >> ~/.bashrc',
    positionals: [{ name: 'shell', required: true, describe: 'bash, zsh or fish', complete: 'shell', choices: COMPLETION_SHELLS }],
    options: {},
    run: async (args) => (await import('./completion-script.js')).completionCommand(args.shell as string),
  },
  {
    name: 'help',
    describe: 'Show help of a command: stepwise help run',
    positionals: [{ name: 'command', required: false, describe: 'A command', complete: 'command' }],
    options: {},
    // main.ts turns `help CMD` into `CMD --help` before parsing; this never runs.
    run: () => Promise.resolve(0),
  },
];

/** The command named `name`, if there is one. */
export function commandNamed(name: string | undefined): CommandEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** `run <file>`, `logs <runId> [stepId]`, `validate <files..>`: the usage yargs parses. */
export function usageOf(entry: CommandEntry): string {
  const words = entry.positionals.map((p) => (p.required ? `<${p.name}${p.variadic ? '..' : ''}>` : `[${p.name}${p.variadic ? '..' : ''}]`));
  return [entry.name, ...words].join(' ');
}
