/**
 * One multiplexed OpenSSH connection (ControlMaster) per host per run. Masters start
 * lazily on a host's first step; concurrent steps to the same host wait for the same
 * set-up. Connect, auth and host-key failures surface here, before any command runs.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StepwiseError } from '../errors/stepwise-error.js';
import type { Host } from '../runbook/model.js';
import { connectionKey, exitArgs, masterArgs, sshArgs } from './ssh-args.js';
import { cleanStaleControlDirs, createControlDir, removeControlDir } from './ssh-control-dir.js';
import { effectiveAddress, transportError } from './ssh-errors.js';

export interface SshConnectionOptions {
  /** Id of the run; tags the control directory for whoever inspects /tmp. */
  runId: string;
  /** Parent of the private control directory (default: the OS temp dir). */
  controlRoot?: string;
  /**
   * How long an idle master outlives its last session (OpenSSH ControlPersist). A bound, not
   * `yes`, so a runner killed with SIGKILL cannot leave masters behind forever.
   */
  controlPersist?: string;
}

interface Master {
  host: Host;
  socket: string;
}

/** Owns the control directory and the masters of one run. */
export class SshConnectionPool {
  private dir: Promise<string> | undefined;
  private dirPath: string | undefined;
  private readonly masters = new Map<string, Promise<Master>>();
  private readonly sockets = new Map<string, string>();
  private closed = false;

  constructor(private readonly options: SshConnectionOptions) {}

  /** The control directory, once the first host has been used. */
  get controlDir(): string | undefined {
    return this.dirPath;
  }

  /** Control socket of a live master for `host`, starting the master if needed. */
  async socketFor(host: Host): Promise<string> {
    if (this.closed) throw new StepwiseError('the SSH executor was already closed', { hint: 'This is a bug in stepwise: a step ran after the end of the run.' });
    const key = connectionKey(host);
    let master = this.masters.get(key);
    if (master !== undefined) {
      const socket = this.sockets.get(key);
      // A master that idled past ControlPersist (or was killed) is started again.
      if (socket !== undefined && !existsSync(socket)) {
        this.masters.delete(key);
        master = undefined;
      }
    }
    if (master === undefined) {
      master = this.startMaster(key, host);
      this.masters.set(key, master);
      // A failed set-up is not cached: the step's retry should really try again.
      master.catch(() => { if (this.masters.get(key) === master) this.masters.delete(key); });
    }
    return (await master).socket;
  }

  /** Tells every master to exit and removes the control directory. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    const masters = await Promise.allSettled(this.masters.values());
    this.masters.clear();
    await Promise.all(masters.map(async (m) => {
      if (m.status !== 'fulfilled') return;
      await execa('ssh', exitArgs(m.value.host, m.value.socket), { reject: false, stdin: 'ignore', timeout: 10_000 });
    }));
    const dir = this.dirPath ?? (this.dir ? await this.dir.catch(() => undefined) : undefined);
    if (dir !== undefined) await removeControlDir(dir);
  }

  private controlDirectory(): Promise<string> {
    this.dir ??= (async () => {
      await cleanStaleControlDirs(this.options.controlRoot);
      const dir = await createControlDir(this.options.runId, this.options.controlRoot);
      this.dirPath = dir;
      return dir;
    })();
    return this.dir;
  }

  private async startMaster(key: string, host: Host): Promise<Master> {
    const dir = await this.controlDirectory();
    let socket = this.sockets.get(key);
    if (socket === undefined) {
      socket = join(dir, `m${this.sockets.size}`);
      this.sockets.set(key, socket);
    }
    const persist = this.options.controlPersist ?? '15m';
    // -f: ssh goes to the background only after authenticating, so its exit status and
    // stderr tell us whether the host is usable; the background master keeps no pipe of ours.
    const result = await execa('ssh', masterArgs(host, socket, persist), {
      reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', maxBuffer: 1024 * 1024,
      // Out of the terminal's process group: Ctrl-C is the engine's to handle.
      detached: true,
    });
    if (result.exitCode === 0 && existsSync(socket)) return { host, socket };
    if (result.failed && result.exitCode === undefined) {
      throw new StepwiseError(`cannot start ssh for ${host.name}: ${result.shortMessage}`, {
        cause: result, hint: 'Is the OpenSSH client (`ssh`) installed and on PATH?',
      });
    }
    const address = await effectiveAddress(host, sshArgs(host, socket));
    throw transportError(host, address, result.stderr || `ssh exited with status ${result.exitCode}`);
  }
}
