/**
 * The private directory that holds one run's ControlMaster sockets. Its name carries the
 * owning pid so a later run can tell a crashed run's leftovers (pid dead) from a live
 * run's, close their masters and remove them.
 */
import { execa } from 'execa';
import { lstat, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StepwiseError } from '../errors/stepwise-error.js';
import { isPidAlive } from './process-alive.js';

const PREFIX = 'stepwise-ssh-';
/** Unix socket paths are limited to ~104 bytes and ssh appends a 17-byte temporary suffix while binding. */
const MAX_SOCKET_PATH = 80;

/** Creates the 0700 control directory for this process under `root` (default: the OS temp dir). */
export async function createControlDir(runId: string, root: string = tmpdir()): Promise<string> {
  const tag = runId.replace(/[^A-Za-z0-9-]/g, '').slice(0, 24);
  let base = join(root, `${PREFIX}${process.pid}-${tag ? `${tag}-` : ''}`);
  // Room for the random suffix (6) and the socket name (`/m` + index).
  if (base.length + 6 + 5 > MAX_SOCKET_PATH) base = join(root, `${PREFIX}${process.pid}-`);
  if (base.length + 6 + 5 > MAX_SOCKET_PATH) {
    throw new StepwiseError(`the SSH control directory root ${root} is too long for a unix socket path`, {
      hint: 'Set TMPDIR (or the executor\'s controlRoot) to a short directory such as /tmp.',
    });
  }
  // mkdtemp creates the directory 0700, so no other user can reach our sockets.
  return mkdtemp(base);
}

/** Removes the control directory (masters must have been told to exit first). */
export async function removeControlDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Closes the masters of control directories left by dead stepwise processes of this user
 * and deletes them. A pid reused by an unrelated live process only postpones the clean-up.
 */
export async function cleanStaleControlDirs(root: string = tmpdir()): Promise<string[]> {
  const uid = process.getuid?.();
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = stalePid(name);
    if (pid === undefined || pid === process.pid || isPidAlive(pid)) continue;
    const dir = join(root, name);
    try {
      const info = await lstat(dir);
      if (!info.isDirectory() || (uid !== undefined && info.uid !== uid)) continue;
      await exitMasters(dir);
      await rm(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      // Another run may be cleaning the same directory right now; that is fine.
    }
  }
  return removed;
}

function stalePid(name: string): number | undefined {
  if (!name.startsWith(PREFIX)) return undefined;
  const pid = Number.parseInt(name.slice(PREFIX.length), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Asks every master socket in `dir` to exit; with ControlPersist they would otherwise live on. */
async function exitMasters(dir: string): Promise<void> {
  const entries = await readdir(dir);
  await Promise.all(entries.map(async (entry) => {
    const socket = join(dir, entry);
    if (!(await stat(socket)).isSocket()) return;
    // The destination is required syntactically but unused: the socket names the master.
    await execa('ssh', ['-O', 'exit', '-o', `ControlPath=${socket}`, '-o', 'BatchMode=yes', 'stale-master'], {
      reject: false, stdin: 'ignore', timeout: 5000,
    });
  }));
}
