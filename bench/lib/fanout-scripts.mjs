/**
 * The raw-ssh side of the large fan-out: what an operator without stepwise would write to
 * run the same steps on many hosts — one script per host (its own ControlMaster, the steps
 * one after the other over it, the master closed), and `xargs -P N` over the hosts. Every
 * command's status counts: xargs exits non-zero if any host's script failed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rawSshArgs } from './generate.mjs';

/** Writes the driver and the per-host script; returns the driver's path (run it with bash, CM_DIR set). */
export function rawXargsFanout(dir, sshd, { steps, hosts, parallel, name }) {
  const perHost = join(dir, `${name}-host.sh`);
  // $1 = address, $2 = index: the control socket is per host, in the run's fresh $CM_DIR.
  const args = rawSshArgs(sshd, '$1', '$CM_DIR/h$2').replace("''$1''", '"$1"').replace("'$1'", '"$1"');
  writeFileSync(perHost, [
    'set -e',
    `ssh -M -N -f -o ControlPersist=60 ${args}`,
    'test -S "$CM_DIR/h$2"',
    ...Array.from({ length: steps }, () => `ssh -T -o ControlMaster=no ${args} /bin/true`),
    `ssh -O exit ${args} 2>/dev/null`,
    '',
  ].join('\n'));
  const driver = join(dir, `${name}.sh`);
  const list = sshd.addresses.slice(0, hosts).map((a, i) => `${a} ${i + 1}`).join('\n');
  writeFileSync(driver, [
    'set -e',
    `printf '%s\\n' ${list.split('\n').map((l) => `'${l}'`).join(' ')} | xargs -P ${parallel} -L 1 bash --noprofile --norc ${perHost}`,
    '',
  ].join('\n'));
  return driver;
}
