/** Options of `run` and `plan` as yargs hands them over (SPEC §1). */
export interface RunArgs {
  file: string;
  param?: string[];
  paramsFile?: string;
  inventory?: string;
  json?: boolean;
  quiet?: boolean;
  step?: boolean;
  interactive?: boolean;
  yes?: boolean;
  /** false with `--no-rollback`. */
  rollback?: boolean;
  from?: string;
  only?: string;
  dryRun?: boolean;
  stateDir?: string;
  /** `--state URL|DIR`: a PostgreSQL URL, or a state dir. */
  state?: string;
  waitLock?: string;
  limit?: string;
  debug?: boolean;
  /** `--report FILE`: write the HTML report of the run there when it ends. */
  report?: string;
  /** `--output-lines N`: output lines a finished step leaves on screen (checked: N ≥ 0). */
  outputLines?: number;
  /** `--verbose`: finished steps leave all their output on screen. */
  verbose?: boolean;
  /** `--forks N`: most hosts in flight at once (checked: N ≥ 1). */
  forks?: number;
  /** `plan --brief`: one line per step. */
  brief?: boolean;
  /** `plan --check`: run the steps' check: commands (only those) to show what is already done. */
  check?: boolean;
}

/**
 * Options of `resume` and `rollback`. What decides which steps and targets the run acts on
 * (inventory, --limit, --from, --only, params) is the run's own and cannot be given again;
 * `--param` / `--params-file` only supply secret values, which are never stored.
 */
export type ContinueArgs = Omit<RunArgs, 'file' | 'inventory' | 'limit' | 'from' | 'only' | 'brief' | 'check'>;
