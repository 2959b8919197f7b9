/**
 * The typed runbook the engine runs (ARCHITECTURE §1: the second of the two models).
 * Built from the raw YAML manifest after schema and semantic validation; durations are
 * in milliseconds, defaults applied, `uses:` resolved. Strings that may hold `${{ }}`
 * are kept as templates and resolved by the engine when their values are known.
 */
import type { SourceLocation } from '../errors/location.js';

export type ParamType = 'string' | 'integer' | 'number' | 'boolean';
export type ScalarValue = string | number | boolean;

/** A typed input: a runbook `params:` entry or a library step's `inputs:` entry. */
export interface ParamSpec {
  name: string;
  type: ParamType;
  required: boolean;
  default?: ScalarValue;
  enum?: ScalarValue[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  secret: boolean;
  description?: string;
  location: SourceLocation;
}

/** A top-level `secrets:` entry: where the value comes from at run time. */
export type SecretSource =
  | { name: string; env: string; location: SourceLocation }
  | { name: string; file: string; location: SourceLocation };

export interface RetryPolicy {
  attempts: number;
  delayMs: number;
  backoff: number;
  maxDelayMs?: number;
}

/** An SSH host of the inventory. */
export interface Host {
  /** Display name (defaults to `host`); what `--limit` and `on:` match. */
  name: string;
  host: string;
  port?: number;
  user?: string;
  identity?: string;
  sshOptions: Record<string, string>;
  vars: Record<string, string>;
  location?: SourceLocation;
}

/** Inline `targets:` or `--inventory FILE`. `local` is built in and never listed here. */
export interface Inventory {
  groups: Map<string, Host[]>;
  /** Every host by name, including those only reachable through a group. */
  hosts: Map<string, Host>;
}

/** Where one execution happens. */
export type Target =
  | { kind: 'local'; name: 'local' }
  | { kind: 'ssh'; name: string; host: Host; group?: string };

export const LOCAL_TARGET: Target = Object.freeze({ kind: 'local', name: 'local' }) as Target;

/** A library step (`uses:`) bound to its `with:` values. */
export interface LibraryBinding {
  name: string;
  /** Absolute path of the library step's YAML file. */
  file: string;
  inputs: ParamSpec[];
  /** `with:` values as written: templates resolved in the caller's context. */
  with: Record<string, ScalarValue>;
}

/** Something to execute: a shell script template and how to run it. */
export interface CommandSpec {
  /** Script text; `${{ }}` inside is substituted shell-safely. */
  run: string;
  /** `bash` (default), `sh`, or another interpreter, given the script as a file. */
  shell: string;
  /** Extra environment; values are templates. */
  env: Record<string, string>;
  /** Working directory template; relative paths resolve against the start directory (local). */
  cwd?: string;
  timeoutMs: number;
  retry: RetryPolicy;
  /** Present when the command comes from a library step: `inputs.*` is then in context. */
  library?: LibraryBinding;
  location: SourceLocation;
}

export interface RunAction {
  kind: 'run';
  command: CommandSpec;
}

export interface ConfirmAction {
  kind: 'confirm';
  /** Question template shown to the operator. */
  prompt: string;
}

export interface RollbackSpec {
  command: CommandSpec;
  /** Target override; default: the hosts the step ran on. */
  on?: string;
}

/** `check:`: a read-only command whose exit 0 means the step's desired state already holds. */
export interface CheckSpec {
  command: CommandSpec;
  /** Run the check again after the step, which fails if it still does not hold (default true). */
  after: boolean;
}

/** `serial:` as written: a number of hosts, or a percentage of the group's hosts (`25%`: rounded up, at least 1). */
export type BatchSize = number | `${number}%`;

/** Hosts in flight at once when neither `forks:` nor `--forks` says otherwise. */
export const DEFAULT_FORKS = 50;

export interface Step {
  id: string;
  /** Title template; defaults to the id when absent. */
  name?: string;
  description?: string;
  /** `uses:` name when the step comes from the library (for display). */
  uses?: string;
  action: RunAction | ConfirmAction;
  /** Target group, host name or `local`. */
  on: string;
  /** Condition expression source, without `${{ }}`. */
  when?: string;
  continueOnError: boolean;
  /** Hosts per batch for a group step; undefined = all at once. */
  serial?: BatchSize;
  /** Failed hosts a group step goes on past (`maxFailures`); see {@link Step.maxFailPercentage}. */
  maxFailures?: number;
  /** Failed hosts a group step goes on past, as a percentage of its hosts (0–100); the stricter of the two limits applies. */
  maxFailPercentage?: number;
  rollback?: RollbackSpec;
  check?: CheckSpec;
  /** Declared output names (documentation and static checks). */
  outputs: string[];
  location: SourceLocation;
}

export interface Runbook {
  name: string;
  description?: string;
  /** Absolute path of the runbook file. */
  file: string;
  /** The file's text as loaded (copied into the journal for resume). */
  source: string;
  params: ParamSpec[];
  env: Record<string, string>;
  secrets: SecretSource[];
  targets: Inventory;
  lock: string;
  /** `blockAfterFailure: true`: a failed, cancelled or crashed run blocks the next run of its lock until acknowledged. */
  blockAfterFailure?: boolean;
  onFailure: 'rollback' | 'halt';
  /** Most hosts in flight at once (`forks:`, default {@link DEFAULT_FORKS}); `--forks` overrides it. */
  forks: number;
  steps: Step[];
  finally: Step[];
}
