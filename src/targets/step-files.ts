/**
 * A local step's script and `$STEPWISE_OUTPUT` file, which may hold secrets, exist on disk
 * under a name only for an instant. Each is created 0600 (exclusive) in a private 0700
 * directory and unlinked at once, before anything is written to it; the shell and the
 * script reach it through the runner's own descriptor as `/proc/<runner pid>/fd/N` (the
 * kernel reopens the unlinked file; its mode still applies). Nothing is inherited by the
 * step's processes beyond what they open themselves, and when the runner dies, even by
 * SIGKILL, the kernel frees the files. What a crash can leave is an empty file or the empty
 * directory, which `resume`/`rollback` remove ({@link removeRunTempFiles}).
 * Without /proc (not Linux) the files keep their names until the step ends, as before.
 */
import { closeSync, lstatSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canListSessions } from './process-tree.js';

/** The script and outputs file of one step. */
export interface StepFiles {
  /** What the shell is given to run. */
  scriptPath: string;
  /** What the script sees as `$STEPWISE_OUTPUT`. */
  outputsPath: string;
  /** Everything written to the outputs file so far. */
  readOutputs(): string;
  /** Frees the files (closing the descriptors; unlinking them where they kept a name). */
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
    const scriptFile = openHidden(`${base}.sh`);
    let outputsFile: Hidden;
    try {
      writeAll(scriptFile.fd, Buffer.from(script));
      outputsFile = openHidden(`${base}.out`);
    } catch (error) {
      scriptFile.close();
      throw error;
    }
    return {
      scriptPath: scriptFile.path,
      outputsPath: outputsFile.path,
      readOutputs: () => readAll(outputsFile.fd),
      close: () => {
        scriptFile.close();
        outputsFile.close();
      },
    };
  }

  /** Removes the directory (at the end of a run). */
  remove(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

interface Hidden {
  fd: number;
  path: string;
  close(): void;
}

let fdPathsWork: boolean | undefined;

/** Opens a new 0600 file and, where /proc lets others reach it by descriptor, unlinks it at once. */
function openHidden(file: string): Hidden {
  const fd = openSync(file, 'wx+', 0o600);
  fdPathsWork ??= canListSessions();
  if (fdPathsWork) {
    unlinkSync(file);
    return { fd, path: `/proc/${process.pid}/fd/${fd}`, close: () => closeQuietly(fd) };
  }
  return {
    fd,
    path: file,
    close: () => {
      closeQuietly(fd);
      try {
        unlinkSync(file);
      } catch {
        // already gone
      }
    },
  };
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

function writeAll(fd: number, data: Buffer): void {
  for (let at = 0; at < data.length; ) at += writeSync(fd, data, at, data.length - at, at);
}

function readAll(fd: number): string {
  const chunks: Buffer[] = [];
  const chunk = Buffer.allocUnsafe(64 * 1024);
  for (let position = 0; ; ) {
    const read = readSync(fd, chunk, 0, chunk.length, position);
    if (read === 0) break;
    chunks.push(Buffer.from(chunk.subarray(0, read)));
    position += read;
  }
  return Buffer.concat(chunks).toString('utf8');
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
