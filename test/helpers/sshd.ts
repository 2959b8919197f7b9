/**
 * Starts a private OpenSSH server for integration tests: its own config, host key,
 * client key and known_hosts, listening on several loopback addresses on one free port,
 * logging in as an unprivileged user (root's login files are slow and unrepresentative).
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
  /** How many loopback addresses (127.0.0.2, 127.0.0.3, …) to listen on. */
  hosts?: number;
}

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
  /** Everything sshd logged so far (it runs with -e). */
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

/** Starts sshd; call stop() in afterAll. */
export async function startSshd(options: SshdOptions = {}): Promise<RunningSshd> {
  const count = options.hosts ?? 3;
  const addresses = Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
  ensureTestUser();
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(join(tmpdir(), 'stepwise-sshd-'));
  // sshd reads authorized_keys as the login user, so the directory must be traversable.
  await chmod(dir, 0o755);
  const hostKeyLine = await generateKey(join(dir, 'host_ed25519'));
  const identity = join(dir, 'client_ed25519');
  const authorized = join(dir, 'authorized_keys');
  await writeFile(authorized, `${await generateKey(identity)}\n`, { mode: 0o644 });
  const port = await freePort(addresses[0] ?? '127.0.0.2');
  const knownHosts = join(dir, 'known_hosts');
  const keyPart = hostKeyLine.split(' ').slice(0, 2).join(' ');
  await writeFile(knownHosts, addresses.map((a) => `[${a}]:${port} ${keyPart}\n`).join(''));
  const config = join(dir, 'sshd_config');
  await writeFile(config, sshdConfig(dir, port, addresses, authorized));

  const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => { log += chunk.toString('utf8'); });
  await waitListening(child, addresses, () => log);
  const sshOptions = testSshOptions(knownHosts);
  const hosts: Host[] = addresses.map((address, i) => ({
    name: `web-${i + 1}`, host: address, port, user: TEST_USER, identity, sshOptions: { ...sshOptions }, vars: {},
  }));
  return {
    hosts, user: TEST_USER, identity, knownHosts, port, dir,
    log: () => log,
    stop: async () => {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function sshdConfig(dir: string, port: number, addresses: string[], authorized: string): string {
  return [
    `Port ${port}`,
    ...addresses.map((a) => `ListenAddress ${a}`),
    `HostKey ${join(dir, 'host_ed25519')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${authorized}`,
    // The key lives under /tmp (world-writable), which StrictModes would reject.
    'StrictModes no',
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    `AllowUsers ${TEST_USER}`,
    'PrintMotd no',
    // Plenty of headroom for parallel sessions over one multiplexed connection.
    'MaxSessions 50',
    'MaxStartups 50',
    'LogLevel INFO',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

function ensureTestUser(): void {
  try {
    execFileSync('id', [TEST_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['-m', '-s', '/bin/bash', TEST_USER], { stdio: 'ignore' });
  }
  // A locked account ('!' in shadow) is refused by sshd even with a valid key.
  execFileSync('usermod', ['-p', '*', TEST_USER], { stdio: 'ignore' });
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
