/**
 * The OpenSSH client arguments for an inventory host. Our own options come first because
 * ssh keeps the first value it sees: BatchMode and the control socket cannot be overridden
 * by `ssh_options`, while everything we do not set still comes from the operator's
 * ~/.ssh/config (ProxyJump, known_hosts, agent). Host-key checking is never relaxed here.
 */
import type { Host } from '../runbook/model.js';

/** Options shared by the master, every session and `-O exit` for one host. */
export function sshArgs(host: Host, controlPath: string): string[] {
  const args = [
    // A password or passphrase prompt would hang a cron run forever; fail instead.
    '-o', 'BatchMode=yes',
    '-o', `ControlPath=${controlPath}`,
  ];
  if (host.port !== undefined) args.push('-p', String(host.port));
  if (host.user !== undefined) args.push('-l', host.user);
  if (host.identity !== undefined) args.push('-i', host.identity);
  for (const [key, value] of Object.entries(host.sshOptions)) args.push('-o', `${key}=${value}`);
  // `--` so a destination can never be read as an option.
  args.push('--', host.host);
  return args;
}

/** Arguments that start the shared master in the background once it has authenticated. */
export function masterArgs(host: Host, controlPath: string, persist: string): string[] {
  return ['-M', '-N', '-f', '-o', `ControlPersist=${persist}`, ...sshArgs(host, controlPath)];
}

/** Arguments of one step's session over the master; `remoteCommand` is the fixed bootstrap. */
export function sessionArgs(host: Host, controlPath: string, remoteCommand: string): string[] {
  return ['-T', '-o', 'ControlMaster=no', ...sshArgs(host, controlPath), remoteCommand];
}

/** Arguments that ask a master to exit (`ssh -O exit`). */
export function exitArgs(host: Host, controlPath: string): string[] {
  return ['-O', 'exit', ...sshArgs(host, controlPath)];
}

/** A stable key for "the same connection": hosts that differ only in name or vars share a master. */
export function connectionKey(host: Host): string {
  return JSON.stringify([host.host, host.port ?? null, host.user ?? null, host.identity ?? null,
    Object.entries(host.sshOptions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
}
