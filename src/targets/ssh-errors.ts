/**
 * Turns the OpenSSH client's own complaints (exit 255) into TransportErrors that name the
 * host, say what went wrong in a word the journal can keep, and tell the operator what
 * to check. ssh has no machine-readable error codes, so we match its stable messages.
 */
import { execa } from 'execa';
import { TransportError } from '../errors/stepwise-error.js';
import type { Host } from '../runbook/model.js';

type Reason = TransportError['reason'];

const PATTERNS: [Reason, RegExp][] = [
  ['host-key', /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|host key .*(?:is not known|not known)|No \S+ host key is known/i],
  ['auth', /Permission denied|Too many authentication failures|no mutual signature|Authentication failed/i],
  ['refused', /Connection refused/i],
  ['unreachable', /Could not resolve hostname|Name or service not known|No route to host|Network is unreachable|timed out|Temporary failure in name resolution/i],
];

/** Picks the reason from ssh's stderr; `other` when nothing known matches. */
export function classifySshStderr(stderr: string): Reason {
  for (const [reason, pattern] of PATTERNS) if (pattern.test(stderr)) return reason;
  return 'other';
}

/** The last line of ssh's stderr that says something (banners and warnings come first). */
export function lastSshComplaint(stderr: string): string {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !/^@+$/.test(l) && !/^@.*@$/.test(l));
  const line = lines.at(-1) ?? 'ssh exited with status 255 and no message';
  // "ssh: connect to host 127.0.0.2 port 1: Connection refused" → "Connection refused"
  const connect = /^ssh: connect to host .* port \d+: (.*)$/.exec(line);
  if (connect?.[1] !== undefined) return connect[1];
  // "ssh: Could not resolve…" and "user@host: Permission denied…": the host is already named.
  return line.replace(/^ssh: /, '').replace(/^[^\s@]+@[^\s:]+: /, '');
}

/** What exactly went wrong with the host key, in ssh's own words where they help. */
function hostKeyProblem(stderr: string): string {
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED/.test(stderr)) {
    const offending = /Offending \S+ key in (\S+)/.exec(stderr)?.[1];
    return `its host key has CHANGED since it was recorded${offending ? ` (in ${offending})` : ''}: `
      + 'someone may be intercepting the connection, or the host was reinstalled';
  }
  if (/No \S+ host key is known|is not known|Host key verification failed/.test(stderr)) {
    return 'its host key is not in known_hosts (ssh will not trust an unknown host in batch mode)';
  }
  return lastSshComplaint(stderr);
}

/** Where ssh would really connect (after ~/.ssh/config), for messages; asked only on failure. */
export async function effectiveAddress(host: Host, args: string[]): Promise<string> {
  const fallback = `${host.host}:${host.port ?? 22}`;
  try {
    const result = await execa('ssh', ['-G', ...args], { reject: false, timeout: 5000, stdin: 'ignore' });
    if (result.exitCode !== 0) return fallback;
    const field = (name: string): string | undefined =>
      result.stdout.split('\n').find((l) => l.startsWith(`${name} `))?.slice(name.length + 1).trim();
    return `${field('hostname') ?? host.host}:${field('port') ?? host.port ?? 22}`;
  } catch {
    return fallback;
  }
}

/** Builds the TransportError for a failed master set-up or a session that lost its link. */
export function transportError(host: Host, address: string, stderr: string, reason: Reason = classifySshStderr(stderr)): TransportError {
  const who = `${host.name} (${address})`;
  const detail = lastSshComplaint(stderr);
  const [port, name] = [address.slice(address.lastIndexOf(':') + 1), address.slice(0, address.lastIndexOf(':'))];
  switch (reason) {
    case 'host-key':
      return new TransportError(host.name, reason, `host key verification failed for ${who}: ${hostKeyProblem(stderr)}`, {
        hint: `The host's key is unknown to known_hosts or has changed. Verify the key out of band, then add it `
          + `(e.g. \`ssh-keyscan -p ${port} ${name} >> ~/.ssh/known_hosts\`) or point \`ssh_options.UserKnownHostsFile\` at the right file. `
          + 'stepwise never turns host-key checking off.',
      });
    case 'auth':
      return new TransportError(host.name, reason, `authentication failed for ${host.user ? `${host.user}@` : ''}${who}: ${detail}`, {
        hint: 'Check `user:` and `identity:` in the inventory, that the public key is in the remote authorized_keys, '
          + 'and that an encrypted key is loaded in ssh-agent (BatchMode is on: ssh never prompts for passwords or passphrases).',
      });
    case 'refused':
      return new TransportError(host.name, reason, `cannot reach ${who}: ${detail}`, {
        hint: 'Nothing accepts connections there: is sshd running, and is `port:` in the inventory right?',
      });
    case 'unreachable':
      return new TransportError(host.name, reason, `cannot reach ${who}: ${detail}`, {
        hint: `Check the address, DNS and network path (VPN, ProxyJump); try \`ssh -p ${port} ${name}\` by hand. `
          + 'Set `ssh_options.ConnectTimeout` to fail sooner.',
      });
    case 'connection-lost':
      return new TransportError(host.name, reason, `lost the connection to ${who} while the step ran: ${detail}`, {
        hint: 'The remote side kills the step when its connection drops. Consider `ssh_options.ServerAliveInterval` to detect dead links sooner.',
      });
    default:
      return new TransportError(host.name, reason, `ssh to ${who} failed: ${detail}`, {
        hint: `Run \`ssh -v -p ${port} ${name}\` by hand to see why.`,
      });
  }
}
