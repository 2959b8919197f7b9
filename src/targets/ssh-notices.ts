/**
 * Words a remote step or session adds to what the operator reads. The notices about a
 * step's leftovers and cut output say what a local step's say (local-step-end.ts), so both
 * transports read the same in a log.
 */
import { TransportError } from '../errors/stepwise-error.js';
import type { Host } from '../runbook/model.js';
import { lastSshComplaint } from './ssh-errors.js';

/** The stderr notice after a step: leftovers ended, or output cut because a daemon holds it. */
export function stepNotice(kind: 'leftovers' | 'cut', count: number): string {
  if (kind === 'leftovers') {
    return `ended ${count} process(es) the script left running: a step's processes end with it `
      + '(start a service in its own session: setsid cmd >/dev/null 2>&1 &)';
  }
  return 'stopped reading the step\'s output when its script exited: '
    + 'a process outside the step (started with setsid) still holds its stdout/stderr; redirect a service\'s output '
    + '(setsid cmd >/dev/null 2>&1 &)';
}

/**
 * The supervisor did not start although ssh got through: the login shell could not run
 * `exec sh -c '…'` (not a POSIX shell, no `sh` in PATH, a forced command, a refusing
 * shell such as nologin).
 */
export function supervisorStartError(host: Host, address: string, stderr: string, chatter: string): TransportError {
  const said = [stderr, chatter].map((s) => s.trim()).filter((s) => s !== '').join('\n');
  const detail = said === '' ? 'the session closed without a word' : lastSshComplaint(said);
  return new TransportError(host.name, 'other', `cannot start the stepwise supervisor on ${host.name} (${address}): ${detail}`, {
    hint: 'stepwise runs steps through the login shell of the remote user with `exec sh -c \'…\'`: that user needs a login shell '
      + 'that can run it (bash, dash, zsh, ksh, fish, …; not nologin or a forced command) and a POSIX `sh` in its PATH. '
      + `Try \`ssh ${host.user ? `${host.user}@` : ''}${host.host} 'exec sh -c "echo ok"'\` by hand.`,
  });
}
