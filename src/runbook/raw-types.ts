/**
 * The raw manifest (ARCHITECTURE §1: the first of the two models): runbook YAML as written,
 * typed as the schema guarantees it. Only code that runs after a clean schema pass may
 * assume these shapes; semantic checks read the data defensively.
 */

export type RawScalar = string | number | boolean;
export type RawDuration = string | number;
export type RawRetry = number | { attempts?: number; delay?: RawDuration; backoff?: number; maxDelay?: RawDuration };

export interface RawParam {
  type?: 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  required?: boolean;
  default?: RawScalar;
  enum?: RawScalar[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  secret?: boolean;
}

export type RawOutputs = string[] | Record<string, string>;

export type RawRollback =
  | string
  | {
      run?: string;
      uses?: string;
      with?: Record<string, RawScalar>;
      timeout?: RawDuration;
      retry?: RawRetry;
      env?: Record<string, RawScalar>;
      on?: string;
    };

export interface RawStep {
  id: string;
  name?: string;
  description?: string;
  run?: string;
  uses?: string;
  confirm?: string;
  with?: Record<string, RawScalar>;
  on?: string;
  when?: string | boolean;
  env?: Record<string, RawScalar>;
  cwd?: string;
  shell?: string;
  timeout?: RawDuration;
  retry?: RawRetry;
  rollback?: RawRollback;
  continueOnError?: boolean;
  /** A number of hosts, or a percentage of the group such as `25%`. */
  serial?: number | string;
  maxFailures?: number;
  maxFailPercentage?: number;
  outputs?: RawOutputs;
  check?: RawCheck;
}

/** `check:` as written: a command, or `{ run, after, timeout, env, shell }`. */
export type RawCheck = string | { run: string; after?: boolean; timeout?: RawDuration; env?: Record<string, RawScalar>; shell?: string };

export interface RawDefaults {
  timeout?: RawDuration;
  retry?: RawRetry;
  shell?: string;
  on?: string;
  env?: Record<string, RawScalar>;
  cwd?: string;
}

export type RawHostEntry =
  | string
  | { host: string; name?: string; port?: number; user?: string; identity?: string; ssh_options?: Record<string, RawScalar>; vars?: Record<string, RawScalar> };

export type RawGroup =
  | RawHostEntry[]
  | { hosts: RawHostEntry[]; port?: number; user?: string; identity?: string; ssh_options?: Record<string, RawScalar>; vars?: Record<string, RawScalar> };

export type RawInventory = Record<string, RawGroup>;

export interface RawRunbook {
  name: string;
  description?: string;
  params?: Record<string, RawParam>;
  env?: Record<string, RawScalar>;
  secrets?: Record<string, { env?: string; file?: string }>;
  targets?: RawInventory;
  defaults?: RawDefaults;
  lock?: string;
  blockAfterFailure?: boolean;
  onFailure?: 'rollback' | 'halt';
  forks?: number;
  steps: RawStep[];
  finally?: RawStep[];
}

export interface RawLibraryStep {
  name?: string;
  description?: string;
  inputs?: Record<string, RawParam>;
  run: string;
  rollback?: string | { run: string; timeout?: RawDuration; retry?: RawRetry; env?: Record<string, RawScalar> };
  timeout?: RawDuration;
  retry?: RawRetry;
  shell?: string;
  env?: Record<string, RawScalar>;
  outputs?: RawOutputs;
  check?: RawCheck;
}

/** Narrowing helpers for reading data that may not match the schema. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The entries of a mapping, or none when the value is not one. */
export function entriesOf(value: unknown): Array<[string, unknown]> {
  return isRecord(value) ? Object.entries(value) : [];
}

/** The items of a list, or none when the value is not one. */
export function itemsOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
