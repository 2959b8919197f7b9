/**
 * Writes the inputs of every scenario: stepwise runbooks, the equivalent bash scripts and
 * Ansible playbooks/inventories/config. Each tool gets the same work: the external program
 * /bin/true (not the shell builtin) once per step, or the same bytes for the output test.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const range = (n) => Array.from({ length: n }, (_, i) => i + 1);
const q = (s) => JSON.stringify(s); // YAML accepts JSON strings

/** A small but representative runbook for `validate` (params, retry, rollback, an expression). */
export function smallRunbook(dir) {
  const path = join(dir, 'small.yaml');
  writeFileSync(path, `name: bench-small
description: A small runbook for the cold-start benchmark.
params:
  version: { type: string, default: v1, pattern: "^v[0-9]+$" }
  batch: { type: integer, default: 500, minimum: 1 }
steps:
  - id: prepare
    run: echo "preparing \${{ params.version }}"
    timeout: 30s
  - id: migrate
    run: echo "batch=\${{ params.batch }}" >> "$STEPWISE_OUTPUT"
    retry: { attempts: 3, delay: 1s, backoff: 2 }
    rollback: echo "undo \${{ params.version }}"
  - id: verify
    run: echo "\${{ steps.migrate.outputs.batch }}"
    continueOnError: true
`);
  return path;
}

/** The largest runbook stepwise reads (its source size limit, 1 MiB). */
export const MAX_RUNBOOK_BYTES = 1024 * 1024;

/**
 * A valid runbook as large as the limit allows (about 4,000 steps): each step with a name,
 * a description, a two-line script with `${{ }}` references to a param and the previous
 * step, a timeout and a retry, so every check of the loader has work to do.
 */
export function largeRunbook(dir) {
  const path = join(dir, 'large.yaml');
  const parts = ['name: bench-large\ndescription: The largest runbook stepwise accepts, for the loader benchmark.\nparams:\n  x: { type: string, default: hello }\nsteps:\n'];
  let size = Buffer.byteLength(parts[0]);
  for (let i = 0; ; i++) {
    const previous = i === 0 ? '' : ` && echo "\${{ steps.step-${i - 1}.status }}"`;
    const step = `  - id: step-${i}\n    name: Step ${i}\n    description: Step number ${i} of a large generated runbook.\n    run: |\n      echo "step ${i} \${{ params.x }}"\n      test -d /tmp${previous}\n    timeout: 30s\n    retry: { attempts: 2, delay: 1s }\n`;
    if (size + Buffer.byteLength(step) > MAX_RUNBOOK_BYTES) break;
    parts.push(step);
    size += Buffer.byteLength(step);
  }
  writeFileSync(path, parts.join(''));
  return { path, steps: parts.length - 1, bytes: size };
}

/** A local runbook of `n` steps, each `/bin/true`. */
export function localRunbook(dir, n) {
  const path = join(dir, `local-${n}.yaml`);
  writeFileSync(path, `name: bench-local-${n}\nsteps:\n${range(n).map((i) => `  - id: s${i}\n    run: /bin/true\n`).join('')}`);
  return path;
}

/** A bash script of `n` lines `/bin/true`. */
export function bashScript(dir, n) {
  const path = join(dir, `local-${n}.sh`);
  writeFileSync(path, `${range(n).map(() => '/bin/true\n').join('')}`);
  return path;
}

/** An Ansible playbook of `n` `command: /bin/true` tasks, facts off. */
export function playbook(dir, n, name) {
  const path = join(dir, `${name}.yml`);
  writeFileSync(path, `- hosts: all\n  gather_facts: false\n  tasks:\n${range(n).map((i) => `    - name: s${i}\n      command: /bin/true\n`).join('')}`);
  return path;
}

/** Inventory host entries for stepwise, one per address. */
function stepwiseHosts(sshd, addresses) {
  return addresses.map((address, i) => `      - { name: h${i + 1}, host: ${address}, port: ${sshd.port}, user: ${sshd.user}, identity: ${q(sshd.identity)}, ssh_options: { UserKnownHostsFile: ${q(sshd.knownHosts)}, GlobalKnownHostsFile: /dev/null, IdentitiesOnly: "yes", IdentityAgent: none } }\n`).join('');
}

/** A stepwise runbook of `steps` steps `/bin/true` on a group of `hosts` hosts, optional serial. */
export function sshRunbook(dir, sshd, { steps, hosts, serial, name }) {
  const path = join(dir, `${name}.yaml`);
  const serialLine = serial ? `    serial: ${serial}\n` : '';
  writeFileSync(path, `name: ${name}
targets:
  fleet:
    hosts:
${stepwiseHosts(sshd, sshd.addresses.slice(0, hosts))}steps:
${range(steps).map((i) => `  - id: s${i}\n    on: fleet\n${serialLine}    run: /bin/true\n`).join('')}`);
  return path;
}

/** Ansible: an ansible.cfg (pipelining on) and an inventory of `hosts` hosts of the private sshd. */
export function ansibleSsh(dir, sshd, hosts, name) {
  const inventory = join(dir, `${name}.ini`);
  writeFileSync(inventory, `[fleet]\n${sshd.addresses.slice(0, hosts).map((a, i) => `h${i + 1} ansible_host=${a}\n`).join('')}
[fleet:vars]
ansible_port=${sshd.port}
ansible_user=${sshd.user}
ansible_ssh_private_key_file=${sshd.identity}
`);
  const config = join(dir, `${name}.cfg`);
  writeFileSync(config, `[defaults]
inventory = ${inventory}
host_key_checking = True
retry_files_enabled = False
interpreter_python = /usr/bin/python3
forks = 8
[ssh_connection]
pipelining = True
ssh_args = -o ControlMaster=auto -o ControlPersist=30s -o BatchMode=yes -o UserKnownHostsFile=${sshd.knownHosts} -o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o IdentityAgent=none
`);
  return { inventory, config };
}

/** ssh client arguments shared by every raw ssh call to one address (a bash word list). */
export function rawSshArgs(sshd, address, controlPathExpr) {
  const fixed = [
    '-o', 'BatchMode=yes', '-p', String(sshd.port), '-l', sshd.user, '-i', sshd.identity,
    '-o', `UserKnownHostsFile=${sshd.knownHosts}`, '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none',
  ].map((a) => `'${a}'`).join(' ');
  return `-o "ControlPath=${controlPathExpr}" ${fixed} '${address}'`;
}

/**
 * A bash script doing the raw equivalent: start one ControlMaster per host (counted), then
 * `steps` times `ssh … /bin/true` on every host (hosts in parallel, like a stepwise group
 * step; one host after the other with `parallel: false`, like `serial: 1`), then close the
 * masters (counted too, as stepwise closes its own).
 * The control directory comes from $CM_DIR so each run gets a fresh one. Every command's
 * status is checked (also of parallel ones), and the sockets are checked to exist, so a
 * broken master can never silently turn into fresh connections.
 */
export function rawSshScript(dir, sshd, { steps, hosts, name, parallel = true }) {
  const path = join(dir, `${name}.sh`);
  const addrs = sshd.addresses.slice(0, hosts);
  const args = addrs.map((a, i) => rawSshArgs(sshd, a, `$CM_DIR/h${i + 1}`));
  const par = (cmd) => (hosts === 1 || !parallel
    ? `${addrs.map((_, i) => cmd(i)).join('\n')}\n`
    : `${addrs.map((_, i) => `${cmd(i)} & p${i}=$!`).join('\n')}\n${addrs.map((_, i) => `wait $p${i}`).join('; ')}\n`);
  const lines = [
    'set -e',
    par((i) => `ssh -M -N -f -o ControlPersist=60 ${args[i]}`),
    addrs.map((_, i) => `test -S "$CM_DIR/h${i + 1}"`).join('; '),
    ...range(steps).map(() => par((i) => `ssh -T -o ControlMaster=no ${args[i]} /bin/true`)),
    par((i) => `ssh -O exit ${args[i]} 2>/dev/null`),
  ];
  writeFileSync(path, lines.join('\n'));
  return path;
}

/**
 * The command that prints `bytes` bytes in 100-byte lines (99 zeros and a newline). Process
 * substitution, so that `yes` dying of SIGPIPE does not fail the step under pipefail.
 */
export function bigOutputCommand(bytes) {
  return `head -c ${bytes} < <(yes "$(printf '%099d' 0)")`;
}

/** A runbook with one step printing `bytes` bytes. */
export function bigRunbook(dir, bytes) {
  const path = join(dir, 'big-output.yaml');
  writeFileSync(path, `name: bench-big-output\nsteps:\n  - id: print\n    run: ${q(bigOutputCommand(bytes))}\n    timeout: 30m\n`);
  return path;
}

/** A bash script writing the same bytes to the file named by $OUT_FILE. */
export function bigBashScript(dir, bytes) {
  const path = join(dir, 'big-output.sh');
  writeFileSync(path, `${bigOutputCommand(bytes)} > "$OUT_FILE"\n`);
  return path;
}
