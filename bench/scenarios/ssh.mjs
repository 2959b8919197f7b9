/**
 * 20 trivial steps over SSH, on one host and on two hosts of the private sshd: stepwise
 * vs raw `ssh` sharing one ControlMaster per host (the master's set-up and exit counted,
 * as stepwise sets up and closes its own) vs ansible-playbook with pipelining.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freshStateDir, stepwiseCommand } from '../lib/context.mjs';
import { ansibleSsh, playbook, rawSshScript, sshRunbook } from '../lib/generate.mjs';
import { runInterleaved } from '../lib/measure.mjs';
import { checkOf, summarise } from '../lib/report.mjs';

export const id = 'ssh';

/** Fresh control directories per run; afterwards any master left behind is asked to exit. */
function freshControlDir(ctx) {
  return {
    prepare: () => ({ controlDir: mkdtempSync(join(ctx.scratch, 'cm-')) }),
    cleanup: (c) => {
      for (const name of safeReaddir(c.controlDir)) {
        try {
          execFileSync('ssh', ['-o', `ControlPath=${join(c.controlDir, name)}`, '-O', 'exit', 'x'], { stdio: 'ignore', timeout: 5000 });
        } catch {
          // already gone
        }
      }
      rmSync(c.controlDir, { recursive: true, force: true });
    },
  };
}

function safeReaddir(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The variants of one shape (steps × hosts) in all three tools. */
export function sshVariants(ctx, { steps, hosts }) {
  const sshd = ctx.sshd;
  const tag = `${steps}x${hosts}`;
  const swFile = sshRunbook(ctx.scratch, sshd, { steps, hosts, name: `ssh-${tag}` });
  const rawFile = rawSshScript(ctx.scratch, sshd, { steps, hosts, name: `raw-${tag}` });
  const play = playbook(ctx.scratch, steps, `ssh-${tag}`);
  const ans = ansibleSsh(ctx.scratch, sshd, hosts, `ansible-${tag}`);
  const disk = freshStateDir(ctx.scratch);
  const cm = freshControlDir(ctx);
  const hostWord = hosts === 1 ? '1 host' : `${hosts} hosts`;
  return [
    {
      id: `raw${tag}`, label: `raw ssh, shared ControlMaster, ${hostWord}`, ...cm,
      command: (c) => ({ cmd: 'bash', args: ['--noprofile', '--norc', rawFile], env: { CM_DIR: c.controlDir } }),
    },
    {
      id: `sw${tag}`, label: `stepwise, ${hostWord}`, unavailable: ctx.cliUnavailable, ...disk,
      command: (c) => stepwiseCommand(ctx, ['run', swFile, '--state-dir', c.stateDir]),
    },
    {
      id: `ansible${tag}`, label: `ansible-playbook, pipelining, ${hostWord}`, unavailable: ctx.ansibleUnavailable, ...cm,
      command: (c) => ({
        cmd: 'ansible-playbook', args: [play], cwd: ctx.scratch,
        env: { ...ctx.ansibleEnv, ANSIBLE_CONFIG: ans.config, ANSIBLE_SSH_CONTROL_PATH_DIR: c.controlDir },
      }),
    },
  ];
}

export async function run(ctx) {
  const title = '20 steps over SSH';
  if (ctx.sshUnavailable) return { title, unavailable: ctx.sshUnavailable };
  const sections = [];
  for (const hosts of [1, 2]) {
    const tag = `20x${hosts}`;
    const variants = sshVariants(ctx, { steps: 20, hosts });
    ctx.log(` ${tag}`);
    const results = await runInterleaved(variants, { rounds: ctx.rounds, scratch: ctx.scratch, log: ctx.log });
    const stats = summarise(variants, results, `raw${tag}`);
    sections.push({
      title: `20 steps over SSH, ${hosts === 1 ? 'one host' : `${hosts} hosts (hosts in parallel)`}`,
      description: 'Private sshd on loopback, unprivileged user with a plain bash. Each tool starts its own master connection and closes it; all three share the same host key, client key and known_hosts. stepwise runs every step of a host through one remote supervisor (one ssh session per host per run). Ansible: `pipelining = True`, `ControlPersist`, facts off, interpreter set.',
      refLabel: 'raw ssh',
      stats,
      checks: [
        checkOf(stats, 'stepwise / raw multiplexed ssh', (v) => v(`sw${tag}`) / v(`raw${tag}`), { max: 1.1 }),
        checkOf(stats, 'Ansible / stepwise', (v) => v(`ansible${tag}`) / v(`sw${tag}`), { min: 10 }),
      ],
    });
  }
  return sections;
}
