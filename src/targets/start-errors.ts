/**
 * Why a local step's shell could not be started, named (SPEC: a step fails with its cause,
 * never "killed by a signal"). The kernel reports a missing working directory and a
 * missing program with the same ENOENT, so the directory is checked by itself.
 */
import { accessSync, constants, statSync } from 'node:fs';

/** The kernel's limit on one `NAME=value` string (MAX_ARG_STRLEN: 32 pages of 4 KiB). */
const MAX_ONE_STRING = 32 * 4096;

/** What is wrong with `cwd` as a working directory, or undefined when it can be used. */
export function workingDirectoryProblem(cwd: string | undefined): string | undefined {
  if (cwd === undefined) return undefined;
  try {
    if (!statSync(cwd).isDirectory()) return `working directory ${cwd} is not a directory`;
    accessSync(cwd, constants.X_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `working directory ${cwd} does not exist`;
    if (code === 'ENOTDIR') return `working directory ${cwd} does not exist (part of the path is not a directory)`;
    if (code === 'EACCES') return `working directory ${cwd} cannot be entered (permission denied)`;
    return `working directory ${cwd} cannot be used (${code ?? String(error)})`;
  }
}

/** What the shell was started with, to explain a failure. */
export interface StartAttempt {
  /** The `shell:` of the step, as written. */
  shell: string;
  /** The program that was executed (the first word of a custom shell). */
  file: string;
  cwd?: string;
  /** The whole environment the process was given. */
  env: Record<string, string | undefined>;
}

/** Names the cause of a spawn error (`error.code` ENOENT, EACCES, E2BIG, ...). */
export function describeStartFailure(error: unknown, attempt: StartAttempt): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR') {
    // The directory may have gone (or changed) between our check and the start.
    const directory = workingDirectoryProblem(attempt.cwd);
    if (directory) return directory;
  }
  const where = attempt.file.includes('/') ? '' : ' on PATH';
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return `shell "${attempt.shell}" not found${where}`;
    case 'EACCES':
      return `shell "${attempt.shell}" cannot be executed (permission denied for ${attempt.file})`;
    case 'ENOEXEC':
      return `shell "${attempt.shell}" cannot be executed (${attempt.file} is not a program this system can run)`;
    case 'E2BIG':
      return environmentTooLarge(attempt.env);
    default:
      return `shell "${attempt.shell}" could not be started: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** E2BIG: says how big the environment is and which variable is over the per-string limit. */
function environmentTooLarge(env: Record<string, string | undefined>): string {
  let total = 0;
  let count = 0;
  let largest: { name: string; bytes: number } | undefined;
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const bytes = Buffer.byteLength(name) + 1 + Buffer.byteLength(value) + 1;
    total += bytes;
    count++;
    if (!largest || bytes > largest.bytes) largest = { name, bytes };
  }
  const head = `environment too large to start the shell (E2BIG): ${count} variables, ${total} bytes`;
  if (largest && largest.bytes > MAX_ONE_STRING) {
    return `${head}; ${largest.name} alone is ${largest.bytes} bytes, over the kernel's limit of ${MAX_ONE_STRING} bytes for one variable (pass large values in a file)`;
  }
  return `${head}, over the kernel's limit for arguments and environment together (pass large values in a file)`;
}
