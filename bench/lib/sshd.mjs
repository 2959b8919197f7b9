/**
 * A private OpenSSH server for the bench, following test/helpers/sshd.ts: its own config,
 * host key, client key and known_hosts, listening on loopback addresses 127.0.1.1… (up to
 * 200) on one free port, logging in as an unprivileged user with a plain bash (root's
 * ~/.bashrc on our machines runs slow tool initialisation, which would drown what is
 * measured). sshd listens on at most 16 addresses, so one sshd serves each 16, all with the
 * same host key and port.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
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

/** Addresses one sshd can listen on (OpenSSH's MAX_LISTEN_SOCKS). */
const ADDRESSES_PER_SSHD = 16;

/**
 * Starts sshd on `count` addresses (at most 200). Resolves { addresses, port, user,
 * identity, knownHosts, dir, log(), stop() }.
 */
export async function startSshd(count = 8) {
  if (!(count >= 1 && count <= 200)) throw new Error(`the bench sshd serves 1 to 200 addresses, not ${count}`);
  const addresses = Array.from({ length: count }, (_, i) => `127.0.1.${i + 1}`);
  ensureUser();
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(join(tmpdir(), 'stepwise-bench-sshd-'));
  // sshd reads authorized_keys as the login user, so the directory must be traversable.
  await chmod(dir, 0o755);
  const hostKeyLine = await generateKey(join(dir, 'host_ed25519'));
  const identity = join(dir, 'client_ed25519');
  const authorized = join(dir, 'authorized_keys');
  await writeFile(authorized, `${await generateKey(identity)}\n`, { mode: 0o644 });
  const knownHosts = join(dir, 'known_hosts');
  const keyPart = hostKeyLine.split(' ').slice(0, 2).join(' ');
  const groups = [];
  for (let i = 0; i < addresses.length; i += ADDRESSES_PER_SSHD) groups.push(addresses.slice(i, i + ADDRESSES_PER_SSHD));
  // The port is free on the first address; should another program hold it on a later one,
  // that sshd fails to listen there and everything starts again on another port.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort(addresses[0]);
    const servers = groups.map((group, g) => startOne(dir, g, port, group, authorized));
    try {
      await Promise.all(servers.map((s) => waitListening(s.child, s.addresses, port, s.log)));
    } catch (error) {
      await Promise.all(servers.map((s) => s.stop()));
      if (attempt < 4) continue;
      throw error;
    }
    await writeFile(knownHosts, addresses.map((a) => `[${a}]:${port} ${keyPart}\n`).join(''));
    return {
      addresses, port, user: BENCH_USER, identity, knownHosts, dir,
      log: () => servers.map((s) => s.log()).join(''),
      stop: async () => {
        await Promise.all(servers.map((s) => s.stop()));
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}

/** One sshd on `addresses` (at most 16); its config is written synchronously. */
function startOne(dir, index, port, addresses, authorized) {
  const config = join(dir, `sshd_config.${index}`);
  writeFileSync(config, [
    `Port ${port}`,
    ...addresses.map((a) => `ListenAddress ${a}`),
    `HostKey ${join(dir, 'host_ed25519')}`,
    `PidFile ${join(dir, `sshd.${index}.pid`)}`,
    `AuthorizedKeysFile ${authorized}`,
    'StrictModes no',
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    `AllowUsers ${BENCH_USER}`,
    'PrintMotd no',
    'PrintLastLog no',
    // Every host of a 16-address group may connect at the same moment, and a fan-out
    // opens many sessions per connection.
    'MaxSessions 200',
    'MaxStartups 200',
    'LogLevel ERROR',
    '',
  ].join('\n'));
  const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk) => { log += chunk.toString('utf8'); if (log.length > 65536) log = log.slice(-32768); });
  return {
    child, addresses,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); });
      }
      // Per-connection sshd processes inherit the log pipe and may outlive the listener.
      child.stderr.destroy();
    },
  };
}

/** Waits until every address accepts TCP connections (LogLevel ERROR prints no banner). */
async function waitListening(child, addresses, port, log) {
  const { connect } = await import('node:net');
  const deadline = Date.now() + 30_000;
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
