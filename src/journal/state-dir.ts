/**
 * Where stepwise keeps runs and locks (SPEC §4): `--state-dir` > `STEPWISE_STATE_DIR` >
 * `$XDG_STATE_HOME/stepwise` > `~/.local/state/stepwise`. A run refuses to start when
 * the directory cannot be written, rather than run without a journal.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors/stepwise-error.js';
import { DIR_MODE, FILE_MODE, errnoCode } from './fs-util.js';

/** The resolved state directory and its two fixed subdirectories. */
export interface StateDir {
  root: string;
  runs: string;
  locks: string;
}

/** Inputs of the resolution; env, home and cwd are injectable for tests. */
export interface StateDirOptions {
  /** `--state-dir`, highest precedence. */
  stateDir?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
  cwd?: string;
}

const HINT = 'Pass --state-dir DIR or set STEPWISE_STATE_DIR to a directory you can write.';

/** Resolves the state directory path without touching the filesystem. */
export function resolveStateDir(options: StateDirOptions = {}): string {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const home = options.home ?? homedir();
  const expand = (p: string): string => resolve(cwd, p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p);
  if (options.stateDir) return expand(options.stateDir);
  if (env.STEPWISE_STATE_DIR) return expand(env.STEPWISE_STATE_DIR);
  // The XDG spec says a relative XDG_STATE_HOME is invalid and must be ignored.
  const xdg = env.XDG_STATE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'stepwise');
  return join(home, '.local', 'state', 'stepwise');
}

/** The layout under a state directory root, without creating anything (for readers). */
export function stateDirAt(root: string): StateDir {
  return { root, runs: join(root, 'runs'), locks: join(root, 'locks') };
}

/** Creates the state directory and `runs/`, `locks/` (mode 0700) when missing. */
export function ensureStateDir(root: string): StateDir {
  const dir = stateDirAt(root);
  for (const path of [dir.root, dir.runs, dir.locks]) {
    try {
      mkdirSync(path, { recursive: true, mode: DIR_MODE });
    } catch (error) {
      const code = errnoCode(error);
      const why = code === 'EEXIST' || code === 'ENOTDIR' ? `${code} (it, or a folder above it, is a file, not a directory)` : (code ?? String(error));
      throw new UsageError(`Cannot create state directory ${path}: ${why}`, {
        cause: error,
        hint: HINT,
      });
    }
  }
  return dir;
}

/** Proves the state directory is writable and syncable (create, write, fsync, remove a probe). */
export function checkStateDirWritable(dir: StateDir): void {
  for (const path of [dir.runs, dir.locks]) {
    const probe = join(path, `.probe-${process.pid}-${randomBytes(4).toString('hex')}`);
    let fd: number | undefined;
    try {
      fd = openSync(probe, 'wx', FILE_MODE);
      writeSync(fd, 'probe\n');
      fsyncSync(fd);
      closeSync(fd);
      fd = undefined;
      unlinkSync(probe);
    } catch (error) {
      if (fd !== undefined) closeSync(fd);
      throw new UsageError(
        `State directory ${path} is not writable (${errnoCode(error) ?? String(error)}); refusing to run without a journal`,
        { cause: error, hint: HINT },
      );
    }
  }
}

/**
 * The state directory for read-only commands (`history`, `show`, `logs`): resolved, not
 * created or probed, so reading works on a read-only or someone else's state dir.
 */
export function locateStateDir(options: StateDirOptions = {}): StateDir {
  return stateDirAt(resolveStateDir(options));
}

/** Resolves, creates and checks the state directory: what `run`, `resume` and `rollback` call first. */
export function openStateDir(options: StateDirOptions = {}): StateDir {
  const dir = ensureStateDir(resolveStateDir(options));
  checkStateDirWritable(dir);
  return dir;
}
