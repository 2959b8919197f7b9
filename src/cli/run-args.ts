/** Options of `run`, `plan`, `resume` and `rollback` as yargs hands them over. */
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
  waitLock?: string;
  limit?: string;
  debug?: boolean;
}
