/**
 * Temp directories for tests, the one way to make them: fresh and private (mkdtemp), with a
 * helper to write files into them. Every one made is remembered; `cleanTempDirs` (call it
 * from afterAll) removes them; a file that does not call it leaves them for a look after a failure.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureStateDir, type StateDir } from '../../src/journal/state-dir.js';

/** A fresh temp directory. */
export interface TempDir {
  /** Its absolute path. */
  readonly dir: string;
  /** The absolute path of `parts` inside it (nothing is created). */
  path(...parts: string[]): string;
  /** Writes a file (creating parent folders) and returns its absolute path. */
  write(name: string, text: string | Buffer): string;
  /** Removes it and everything in it. */
  remove(): void;
}

/** A temp workspace for a CLI run: its state dir is `state/` inside it (not created). */
export interface Workspace extends TempDir {
  readonly stateDir: string;
}

const made: string[] = [];

/** Makes a fresh temp directory named `PREFIX` and six random characters. */
export function tempDir(prefix = 'stepwise-test-'): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return {
    dir,
    path: (...parts) => join(dir, ...parts),
    write(name, text) {
      const file = join(dir, name);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh, created state directory (`state/` in a fresh temp directory). */
export function tempStateDir(): StateDir {
  return ensureStateDir(tempDir('stepwise-state-').path('state'));
}

/** A temp workspace for E2E runs: write runbooks into it, pass `--state-dir stateDir`. */
export function workspace(): Workspace {
  const temp = tempDir('stepwise-e2e-');
  return { ...temp, stateDir: temp.path('state') };
}

/** Removes every temp directory made so far by this test file (call from afterAll). */
export function cleanTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
