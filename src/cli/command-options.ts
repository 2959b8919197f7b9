/**
 * The options of every command (SPEC §1), each command with its own set: a command accepts
 * only what it can honour, so nothing is silently ignored. Plain data, cheap to import: the
 * parser (yargs), the did-you-mean explanations and shell completion all read these sets.
 */

/** One option as yargs takes it (the subset stepwise uses). */
export interface OptionSpec {
  type: 'string' | 'boolean' | 'number';
  describe: string;
  array?: boolean;
  alias?: string;
  default?: boolean | number;
  /** A value must follow (`--state-dir` alone is an error, not `true`). */
  requiresArg?: boolean;
  /** Words each occurrence takes: 1 keeps `--param a=1 FILE` from swallowing FILE. */
  nargs?: number;
  choices?: readonly string[];
}

/** Options by name (as typed on the command line, without `--`). */
export type OptionSet = Readonly<Record<string, OptionSpec>>;

const text = (describe: string): OptionSpec => ({ type: 'string', describe, requiresArg: true });
const flag = (describe: string): OptionSpec => ({ type: 'boolean', describe });

const param: OptionSpec = { ...text('Set a param: --param key=value (repeatable)'), array: true, nargs: 1 };
const paramsFile = text('YAML or JSON file of params');
const inventory = text('Inventory file (same shape as targets:)');
const json = flag('JSON Lines events on stdout; human text on stderr');
const quiet = flag('Print only failures and the summary');
const step = flag('Confirm before each step (TTY)');
const interactive = flag('On failure, ask: retry / skip / rollback / halt (TTY)');
const yes = { ...flag('Answer yes to every confirm:'), alias: 'y' };
const rollback: OptionSpec = { type: 'boolean', default: true, describe: 'Compensate on failure (--no-rollback: halt and keep state)' };
const from = text('Start at this step id');
const only = text('Run only these step ids (comma-separated)');
const stateDir = text('Where runs are journaled (default $STEPWISE_STATE_DIR)');
const state = text('Where state is kept: postgres://user@host:port/db (shared by every machine using it) or a directory (default $STEPWISE_STATE)');
const waitLock = text('Wait this long for the lock (e.g. 30s) instead of exiting 75');
const limit = text('Restrict remote targets to this host or group (must exist)');
const report = text('Write the self-contained HTML report of the run to FILE when it ends, however it ends');
const outputLines: OptionSpec = { type: 'number', describe: 'Output lines a finished step leaves on screen (default 5; failed and finally steps always keep theirs)', requiresArg: true };
const verbose = flag('Finished steps leave all their output on screen');
const forks: OptionSpec = { type: 'number', describe: "Most hosts in flight at once (N ≥ 1; default: the runbook's forks:, else 50)", requiresArg: true };

/** `run FILE`. */
export const RUN_OPTIONS: OptionSet = {
  param,
  'params-file': paramsFile,
  inventory,
  json,
  quiet,
  step,
  interactive,
  yes,
  rollback,
  from,
  only,
  limit,
  'dry-run': flag('Print the plan (as `plan` does); execute nothing'),
  'state-dir': stateDir,
  'wait-lock': waitLock,
  report,
  'output-lines': outputLines,
  verbose,
  forks,
  state,
};

/** `plan FILE`: reads no state, so no --state-dir. */
export const PLAN_OPTIONS: OptionSet = {
  param,
  'params-file': paramsFile,
  inventory,
  from,
  only,
  limit,
  json: flag('Print the plan as one JSON document'),
  brief: flag('One line per step'),
  check: flag("Run the steps' check: commands (only those, never run or rollback) to show what is already done"),
};

/**
 * `resume RUN_ID`: the run keeps its params, inventory, --limit, --from and --only (they
 * decide what it acts on); --param / --params-file only give secret values back.
 */
export const RESUME_OPTIONS: OptionSet = {
  param: { ...param, describe: 'Give a secret param again: --param key=value (other params are the run’s own)' },
  'params-file': { ...paramsFile, describe: 'YAML or JSON file of secret params to give again' },
  json,
  quiet,
  step,
  interactive,
  yes,
  rollback,
  'dry-run': flag('Print what would run, in order, per host; execute nothing'),
  'state-dir': stateDir,
  'wait-lock': waitLock,
  report,
  'output-lines': outputLines,
  verbose,
  forks,
  state,
};

/** `rollback RUN_ID`. */
export const ROLLBACK_OPTIONS: OptionSet = {
  param: RESUME_OPTIONS.param as OptionSpec,
  'params-file': RESUME_OPTIONS['params-file'] as OptionSpec,
  json,
  quiet,
  yes: { ...yes, describe: 'Do not ask before compensating (and answer yes to confirm: in finally)' },
  'dry-run': flag('Print what would be compensated, in order, per host; execute nothing'),
  'state-dir': stateDir,
  'wait-lock': waitLock,
  report,
  forks,
  state,
};

/** `validate FILE...`. */
export const VALIDATE_OPTIONS: OptionSet = { inventory };

/** Run statuses `history --status` takes. */
export const HISTORY_STATUSES = ['succeeded', 'failed', 'rolled-back', 'rollback-failed', 'cancelled', 'running', 'crashed'] as const;

/** `history`. */
export const HISTORY_OPTIONS: OptionSet = {
  runbook: text('Only runs of this runbook'),
  status: text(`Only runs in this state: ${HISTORY_STATUSES.join(', ')} (failed includes rolled-back and rollback-failed)`),
  since: text('Only runs started within this long (7d, 12h, 30m) or since this date (2026-11-30, or an ISO time)'),
  limit: { type: 'number', describe: 'At most N runs, newest first (N ≥ 1; default 20)', requiresArg: true },
  json: flag('One JSON object per run, one per line'),
  'state-dir': stateDir,
  state,
};

/** `show RUN_ID` and `logs RUN_ID [STEP_ID]`. */
export const RUN_READER_OPTIONS: OptionSet = {
  'state-dir': stateDir,
  state,
};

/** `logs RUN_ID [STEP_ID]`. */
export const LOGS_OPTIONS: OptionSet = {
  ...RUN_READER_OPTIONS,
  follow: { ...flag('Keep printing output as a running run writes it, until it ends'), alias: 'f' },
};

/** `steps [NAME]`: the library as a runbook in this directory would see it. */
export const STEPS_OPTIONS: OptionSet = {
  json: flag('Print the steps (or the one step) as JSON'),
};

/** `report RUN_ID|last`. */
export const REPORT_OPTIONS: OptionSet = {
  output: { ...text('Where to write the report (default stepwise-RUN_ID.html here; - for stdout)'), alias: 'o' },
  'state-dir': stateDir,
  state,
};

/** `ack RUN_ID`. */
export const ACK_OPTIONS: OptionSet = {
  note: text('Why it is fine to run again (journaled with who and when)'),
  'state-dir': stateDir,
  state,
};

/** `state import DIR`: the database to copy into is --state (or STEPWISE_STATE). */
export const STATE_IMPORT_OPTIONS: OptionSet = {
  state,
};

/** What `stepwise state` does. */
export const STATE_ACTIONS = ['import'] as const;

/** Shells `completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;

/** Options every command takes. */
export const GLOBAL_OPTIONS: OptionSet = {
  debug: flag('Show stack traces of errors'),
  help: { ...flag('Show help'), alias: 'h' },
  version: { ...flag('Show the version'), alias: 'V' },
};
