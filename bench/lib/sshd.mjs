/**
 * A private OpenSSH server for the bench, following test/helpers/sshd.ts: its own config,
 * host key, client key and known_hosts, listening on loopback addresses 127.0.0.2… on one
 * free port, logging in as an unprivileged user with a plain bash (root's ~/.bashrc on our
 * machines runs slow tool initialisation, which would drown what is measured).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SSHD = '/usr/sbin/sshd';
/** The account the bench logs in as (created by the bench when missing). */
export const BENCH_USER = 'stepwise-bench';

/** Why the private sshd cannot run here, or undefined. */
export function sshdUnavailableReason() {
  if (!existsSync(SSHD)) return `${SSHD} is missing (apt-get install -y openssh-server failed?)`;
  if (process.getuid?.() !== 0) return 'the private sshd must be started as root (it logs in as another user)';
  return undefined;
}

/** The OpenSSH client options that pin our known_hosts and key and nothing of root's setup. */
export function clientOptions(knownHosts) {
  return {
    UserKnownHostsFile: knownHosts,
    GlobalKnownHostsFile: '/dev/null',
    IdentitiesOnly: 'yes',
    IdentityAgent: 'none',
  };
}

async function generateKey(path) {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'stepwise-bench', '-f', path]);
  return (await readFile(`${path}.pub`, 'utf8')).trim();
}

function ensureUser() {
  try {
    execFileSync('id', [BENCH_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['-m', '-s', '/bin/bash', BENCH_USER], { stdio: 'ignore' });
  }
  // A locked account ('!' in shadow) is refused by sshd even with a valid key.
  execFileSync('usermod', ['-p', '*', BENCH_USER], { stdio: 'ignore' });
}

async function freePort(address) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, address, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts sshd on `count` addresses. Resolves { addresses, port, user, identity, knownHosts,
 * dir, log(), stop() }.
 */
export async function startSshd(count = 8) {
  const addresses = Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
  ensureUser();
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(join(tmpdir(), 'stepwise-bench-sshd-'));
  // sshd reads authorized_keys as the login user, so the directory must be traversable.
  await chmod(dir, 0o755);
  const hostKeyLine = await generateKey(join(dir, 'host_ed25519'));
  const identity = join(dir, 'client_ed25519');
  const authorized = join(dir, 'authorized_keys');
  await writeFile(authorized, `${await generateKey(identity)}\n`, { mode: 0o644 });
  const port = await freePort(addresses[0]);
  const knownHosts = join(dir, 'known_hosts');
  const keyPart = hostKeyLine.split(' ').slice(0, 2).join(' ');
  await writeFile(knownHosts, addresses.map((a) => `[${a}]:${port} ${keyPart}\n`).join(''));
  const config = join(dir, 'sshd_config');
  await writeFile(config, [
    `Port ${port}`,
    ...addresses.map((a) => `ListenAddress ${a}`),
    `HostKey ${join(dir, 'host_ed25519')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${authorized}`,
    'StrictModes no',
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    `AllowUsers ${BENCH_USER}`,
    'PrintMotd no',
    'PrintLastLog no',
    'MaxSessions 100',
    'MaxStartups 100',
    'LogLevel ERROR',
    '',
  ].join('\n'));

  const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk) => { log += chunk.toString('utf8'); if (log.length > 65536) log = log.slice(-32768); });
  await waitListening(child, addresses, port, () => log);
  return {
    addresses, port, user: BENCH_USER, identity, knownHosts, dir,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); });
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until every address accepts TCP connections (LogLevel ERROR prints no banner). */
async function waitListening(child, addresses, port, log) {
  const { connect } = await import('node:net');
  const deadline = Date.now() + 10_000;
  const tryConnect = (host) => new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sshd exited (${child.exitCode}) before listening: ${log()}`);
    const ok = await Promise.all(addresses.map(tryConnect));
    if (ok.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error(`sshd did not listen within 10 s: ${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
