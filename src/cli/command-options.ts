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
const waitLock = text('Wait this long for the lock (e.g. 30s) instead of exiting 75');
const limit = text('Restrict remote targets to this host or group (must exist)');
const report = text('Write the self-contained HTML report of the run to FILE when it ends, however it ends');

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
  // Other issues add here: --state URL, --forks N, --output-lines N, --verbose.
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
  // Other issues add here: --brief (one line per step), --check (run the check: commands).
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
  // Other issues add here: --state URL, --forks N, --output-lines N, --verbose.
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
  // Other issues add here: --state URL.
};

/** `validate FILE...`. */
export const VALIDATE_OPTIONS: OptionSet = { inventory };

/** `history`. */
export const HISTORY_OPTIONS: OptionSet = {
  runbook: text('Only runs of this runbook'),
  limit: { type: 'number', default: 20, describe: 'How many runs', requiresArg: true },
  'state-dir': stateDir,
  // Other issues add here: --status, --since DURATION|DATE, --json, --state URL.
};

/** `show RUN_ID` and `logs RUN_ID [STEP_ID]`. */
export const RUN_READER_OPTIONS: OptionSet = {
  'state-dir': stateDir,
  // Other issues add here: --state URL (and logs -f / --follow).
};

/** `report RUN_ID|last`. */
export const REPORT_OPTIONS: OptionSet = {
  output: { ...text('Where to write the report (default stepwise-RUN_ID.html here; - for stdout)'), alias: 'o' },
  'state-dir': stateDir,
  // Other issues add here: --state URL.
};

/** Shells `completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;

/** Options every command takes. */
export const GLOBAL_OPTIONS: OptionSet = {
  debug: flag('Show stack traces of errors'),
  help: { ...flag('Show help'), alias: 'h' },
  version: { ...flag('Show the version'), alias: 'V' },
};
