/**
 * A local step's script and `$STEPWISE_OUTPUT` file. The script, which may hold secrets,
 * never has a name on disk while it has content: it is created 0600 (exclusive) in a
 * private 0700 directory, opened again read-only, unlinked, and only then written. The
 * shell gets that read-only descriptor as its fd 3 and runs `/dev/fd/3`; the kernel frees
 * the file when the last process holding it is gone, so even a SIGKILL of the runner
 * leaves no script behind. `/dev/fd/3` names each process's own fd 3, never a descriptor
 * of the runner that could be reused for another file: a script that runs itself again
 * (`setsid bash "$0" --child &`) gets itself.
 *
 * The outputs file needs a name that every process of the step can open (a child that
 * closed its inherited descriptors included), so it keeps one, 0600, until the step ends.
 * A crash can leave it (and an empty directory): `resume`/`rollback` remove them
 * ({@link removeRunTempFiles}).
 */
import { closeSync, lstatSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The fd number at which the shell finds its script. */
export const SCRIPT_FD = 3;

/** The script and outputs file of one step. */
export interface StepFiles {
  /** Read-only descriptor of the unlinked script, to be the shell's fd {@link SCRIPT_FD}. */
  scriptFd: number;
  /** What the shell is given to run. */
  scriptPath: string;
  /** What the script sees as `$STEPWISE_OUTPUT`. */
  outputsPath: string;
  /** Everything written to the outputs file. */
  readOutputs(): string;
  /** Closes the script and removes the outputs file. */
  close(): void;
}

/** Run ids go into a directory name only when they are plain (they are: `20261126T231500Z-7f3a`). */
const PLAIN_RUN_ID = /^[\w.:-]{1,100}$/;

/** The prefix of a run's private temp directory (`mkdtemp` adds six characters). */
function dirPrefix(runId: string | undefined): string {
  return runId !== undefined && PLAIN_RUN_ID.test(runId) ? `stepwise-${runId}-` : 'stepwise-';
}

/** One run's private directory for step files, created when the first step needs it. */
export class StepFileDir {
  private dir: string | undefined;
  private counter = 0;

  constructor(
    private readonly runId?: string,
    private readonly root = tmpdir(),
  ) {}

  /** Creates the files of the next step, the script already in place. */
  create(script: string): StepFiles {
    this.dir ??= mkdtempSync(join(this.root, dirPrefix(this.runId)));
    const base = join(this.dir, String(++this.counter));
    const scriptFd = hiddenScript(`${base}.sh`, script);
    const outputsPath = `${base}.out`;
    try {
      closeSync(openSync(outputsPath, 'wx', 0o600));
    } catch (error) {
      closeQuietly(scriptFd);
      throw error;
    }
    return {
      scriptFd,
      scriptPath: `/dev/fd/${SCRIPT_FD}`,
      outputsPath,
      readOutputs: () => {
        try {
          return readFileSync(outputsPath, 'utf8');
        } catch {
          return '';
        }
      },
      close: () => {
        closeQuietly(scriptFd);
        try {
          unlinkSync(outputsPath);
        } catch {
          // already gone
        }
      },
    };
  }

  /** Removes the directory (at the end of a run). */
  remove(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

/** Writes `script` to a file that no longer has a name; returns a read-only descriptor at offset 0. */
function hiddenScript(file: string, script: string): number {
  const writer = openSync(file, 'wx', 0o600);
  let reader: number | undefined;
  try {
    reader = openSync(file, 'r');
    unlinkSync(file);
    const data = Buffer.from(script);
    // Positioned writes: the reader's offset stays at 0 for interpreters that read the descriptor itself.
    for (let at = 0; at < data.length; ) at += writeSync(writer, data, at, data.length - at, at);
    return reader;
  } catch (error) {
    if (reader !== undefined) closeQuietly(reader);
    try {
      unlinkSync(file);
    } catch {
      // already unlinked
    }
    throw error;
  } finally {
    closeQuietly(writer);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

/**
 * Removes what a dead runner of `runId` left in the temp directory (its private directory
 * and any file still in it). Only directories owned by us with exactly the run's prefix are
 * touched; a symlink or someone else's directory of that name is left alone. Returns how
 * many directories were removed.
 */
export function removeRunTempFiles(runId: string, root = tmpdir()): number {
  if (!PLAIN_RUN_ID.test(runId)) return 0;
  const prefix = dirPrefix(runId);
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const entry of entries) {
    if (!entry.startsWith(prefix) || !/^[A-Za-z0-9]{6}$/.test(entry.slice(prefix.length))) continue;
    const path = join(root, entry);
    try {
      const stat = lstatSync(path);
      if (!stat.isDirectory() || (process.getuid && stat.uid !== process.getuid())) continue;
      rmSync(path, { recursive: true, force: true });
      removed++;
    } catch {
      // removed meanwhile
    }
  }
  return removed;
}
