/**
 * Starts a private OpenSSH server for integration tests: its own config, host key,
 * client key and known_hosts, listening on loopback addresses 127.0.1.1, 127.0.1.2, … (up
 * to 200) on one free port, logging in as an unprivileged user (root's login files are
 * slow and unrepresentative). sshd listens on at most 16 addresses, so one sshd serves
 * each 16 of them, all with the same host key and port.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Host, Target } from '../../src/runbook/model.js';
import type { ExecRequest, OutputStream } from '../../src/targets/executor.js';

const SSHD = '/usr/sbin/sshd';
/** The unprivileged account the tests log in as. */
export const TEST_USER = 'stepwise-test';

export interface SshdOptions {
  /** How many loopback addresses (127.0.1.1, 127.0.1.2, …, at most 200) to listen on. */
  hosts?: number;
  /**
   * More accounts that log in with the same key, by login shell: `{ fish: '/usr/bin/fish' }`
   * creates the user `stepwise-test-fish` (see `userFor`).
   */
  loginShells?: Record<string, string>;
}

/** Addresses one sshd can listen on (OpenSSH's MAX_LISTEN_SOCKS). */
const ADDRESSES_PER_SSHD = 16;

export interface RunningSshd {
  /** One inventory host per address, wired to the private known_hosts and client key. */
  hosts: Host[];
  user: string;
  /** Private key accepted by the server. */
  identity: string;
  /** known_hosts listing the server key for every address and the port. */
  knownHosts: string;
  port: number;
  /** Scratch directory of this server (removed by stop). */
  dir: string;
  /** TMPDIR of every session of this server (a 1777 directory inside `dir`), so tests see only their own remote files. */
  remoteTmp: string;
  /** The pids of the sshd listeners (one per 16 addresses). */
  pids: number[];
  /** The account created for `loginShells[name]`. */
  userFor(name: string): string;
  /** Everything the sshd processes logged so far (they run with -e). */
  log(): string;
  stop(): Promise<void>;
}

/** Why the private sshd cannot run here, or undefined when it can. */
export function sshdUnavailableReason(): string | undefined {
  if (!existsSync(SSHD)) return `${SSHD} is missing (apt-get install -y openssh-server)`;
  if (process.getuid?.() !== 0) return 'the private sshd must be started as root (it logs in as another user)';
  return undefined;
}

/**
 * Whether SSH suites should run. In CI a missing sshd is a failure, never a silent skip;
 * locally it skips with a banner so nobody mistakes a skip for a pass.
 */
export function sshdAvailable(): boolean {
  const reason = sshdUnavailableReason();
  if (reason === undefined) return true;
  if (process.env.CI) throw new Error(`SSH integration tests cannot run: ${reason}`);
  console.warn(`\n${'!'.repeat(72)}\n!! SKIPPING SSH INTEGRATION TESTS: ${reason}\n${'!'.repeat(72)}\n`);
  return false;
}

/** Generates an ed25519 key pair at `path` (+ `.pub`) and returns the public key line. */
export async function generateKey(path: string): Promise<string> {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'stepwise-test', '-f', path]);
  return (await readFile(`${path}.pub`, 'utf8')).trim();
}

/** The ssh options a test host needs: only our known_hosts and key, nothing of root's setup. */
export function testSshOptions(knownHosts: string): Record<string, string> {
  return {
    UserKnownHostsFile: knownHosts,
    GlobalKnownHostsFile: '/dev/null',
    IdentitiesOnly: 'yes',
    IdentityAgent: 'none',
  };
}

/** The loopback addresses of `count` test hosts. */
export function testAddresses(count: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > 200) throw new Error(`the test sshd serves 1 to 200 hosts, not ${count}`);
  return Array.from({ length: count }, (_, i) => `127.0.1.${i + 1}`);
}

/** Starts sshd; call stop() in afterAll. */
export async function startSshd(options: SshdOptions = {}): Promise<RunningSshd> {
  const addresses = testAddresses(options.hosts ?? 3);
  const shells = Object.entries(options.loginShells ?? {});
  const userFor = (name: string): string => `${TEST_USER}-${name}`;
  ensureUser(TEST_USER, '/bin/bash');
  for (const [name, shell] of shells) ensureUser(userFor(name), shell);
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(join(tmpdir(), 'stepwise-sshd-'));
  // sshd reads authorized_keys as the login user, so the directory must be traversable.
  await chmod(dir, 0o755);
  const remoteTmp = join(dir, 'tmp');
  await mkdir(remoteTmp);
  await chmod(remoteTmp, 0o1777);
  const hostKeyLine = await generateKey(join(dir, 'host_ed25519'));
  const identity = join(dir, 'client_ed25519');
  const authorized = join(dir, 'authorized_keys');
  await writeFile(authorized, `${await generateKey(identity)}\n`, { mode: 0o644 });
  const allowed = [TEST_USER, ...shells.map(([name]) => userFor(name))];
  const knownHosts = join(dir, 'known_hosts');
  const keyPart = hostKeyLine.split(' ').slice(0, 2).join(' ');
  const groups: string[][] = [];
  for (let i = 0; i < addresses.length; i += ADDRESSES_PER_SSHD) groups.push(addresses.slice(i, i + ADDRESSES_PER_SSHD));

  // The port is free on the first address; another program may hold it on a later one,
  // which only shows when an sshd cannot bind: then all start again on another port.
  let started: { port: number; children: ChildProcess[]; logs: string[] } | undefined;
  for (let attempt = 0; started === undefined; attempt++) {
    const port = await freePort(addresses[0]!);
    const children: ChildProcess[] = [];
    const logs: string[] = groups.map(() => '');
    try {
      await Promise.all(groups.map(async (group, g) => {
        const config = join(dir, `sshd_config.${g}`);
        await writeFile(config, sshdConfig(dir, g, port, group, authorized, allowed, remoteTmp));
        const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
        children.push(child);
        child.stderr?.on('data', (chunk: Buffer) => { logs[g] += chunk.toString('utf8'); });
        await waitListening(child, group, () => logs[g]!);
      }));
      started = { port, children, logs };
    } catch (error) {
      await Promise.all(children.map(stopChild));
      if (attempt >= 4) throw error;
    }
  }
  const { port, children, logs } = started;
  await writeFile(knownHosts, addresses.map((a) => `[${a}]:${port} ${keyPart}\n`).join(''));
  const sshOptions = testSshOptions(knownHosts);
  const hosts: Host[] = addresses.map((address, i) => ({
    name: `web-${i + 1}`, host: address, port, user: TEST_USER, identity, sshOptions: { ...sshOptions }, vars: {},
  }));
  return {
    hosts, user: TEST_USER, identity, knownHosts, port, dir, remoteTmp,
    pids: children.map((c) => c.pid ?? 0),
    userFor,
    log: () => logs.join(''),
    stop: async () => {
      await Promise.all(children.map(stopChild));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function sshdConfig(dir: string, index: number, port: number, addresses: string[], authorized: string, users: string[], remoteTmp: string): string {
  return [
    `Port ${port}`,
    ...addresses.map((a) => `ListenAddress ${a}`),
    `HostKey ${join(dir, 'host_ed25519')}`,
    `PidFile ${join(dir, `sshd.${index}.pid`)}`,
    `AuthorizedKeysFile ${authorized}`,
    // The key lives under /tmp (world-writable), which StrictModes would reject.
    'StrictModes no',
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    `AllowUsers ${users.join(' ')}`,
    `SetEnv TMPDIR=${remoteTmp}`,
    'PrintMotd no',
    // Plenty of headroom for parallel sessions over one multiplexed connection, and for
    // every host of a 16-address group connecting at the same moment.
    'MaxSessions 100',
    'MaxStartups 200',
    'LogLevel INFO',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

function ensureUser(name: string, shell: string): void {
  const entry = (): string => {
    try {
      return execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  if (entry() === '') retried(() => execFileSync('useradd', ['-m', '-s', shell, name], { stdio: 'ignore' }), () => entry() !== '');
  // A locked account ('!' in shadow) is refused by sshd even with a valid key.
  retried(() => execFileSync('usermod', ['-p', '*', '-s', shell, name], { stdio: 'ignore' }), () => false);
}

/** Test files start servers in parallel, and useradd/usermod refuse while another holds /etc/passwd. */
function retried(action: () => void, alreadyDone: () => boolean): void {
  for (let attempt = 0; ; attempt++) {
    try {
      action();
      return;
    } catch (error) {
      if (alreadyDone()) return;
      if (attempt >= 50) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
}

async function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, address, () => {
      const info = server.address();
      const port = typeof info === 'object' && info !== null ? info.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitListening(child: ChildProcess, addresses: string[], log: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const text = log();
      if (addresses.every((a) => text.includes(`Server listening on ${a} port`))) {
        done();
        resolve();
      } else if (/Bind to port \d+ on \S+ failed/.test(text)) {
        // It goes on with the addresses it could bind: not the server we asked for.
        done();
        child.kill('SIGTERM');
        reject(new Error(`sshd could not bind every address:\n${text}`));
      }
    };
    const onExit = (code: number | null): void => {
      done();
      reject(new Error(`sshd exited (${code}) before listening:\n${log()}`));
    };
    const done = (): void => {
      child.stderr?.off('data', check);
      child.off('exit', onExit);
    };
    child.stderr?.on('data', check);
    child.once('exit', onExit);
    check();
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
  // Per-connection sshd processes inherit the log pipe and may outlive the listener for a
  // moment; an open pipe would keep the jest worker alive.
  child.stderr?.destroy();
}

/** An ssh target for `host`, as the engine would build it. */
export function sshTarget(host: Host): Target {
  return { kind: 'ssh', name: host.name, host };
}

/** Output an ExecRequest collected, decoded at the end (chunks may split characters). */
export interface CapturedOutput {
  stdout(): string;
  stderr(): string;
}

/** A request for `script` on `host` that collects its output; `extra` overrides any field. */
export function sshRequest(host: Host, script: string, extra: Partial<ExecRequest> = {}): { request: ExecRequest; output: CapturedOutput } {
  const chunks: Record<OutputStream, Buffer[]> = { stdout: [], stderr: [] };
  const request: ExecRequest = {
    target: sshTarget(host), script, shell: 'bash', env: {}, signal: new AbortController().signal, killGraceMs: 2000,
    onOutput: (stream, chunk) => { chunks[stream].push(chunk); },
    ...extra,
  };
  return {
    request,
    output: {
      stdout: () => Buffer.concat(chunks.stdout).toString('utf8'),
      stderr: () => Buffer.concat(chunks.stderr).toString('utf8'),
    },
  };
}

/** Processes of the test user whose command line contains `needle` (zombies excluded). */
export function userProcesses(needle: string): string[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-u', TEST_USER, '-o', 'stat=,args='], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when the user has no processes at all
  }
  return out.split('\n').filter((l) => l.includes(needle) && !l.trim().startsWith('Z'));
}
