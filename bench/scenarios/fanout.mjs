/**
 * Fan-out. 10 steps on a group of 8 hosts (8 loopback addresses), `serial: 8` vs
 * `serial: 1`; and 3 steps on a group of 200 hosts (127.0.1.1–127.0.1.200, one sshd per 16
 * addresses, started here) all at once vs raw ssh over `xargs -P 50`.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { freshStateDir, stepwiseCommand } from '../lib/context.mjs';
import { rawXargsFanout } from '../lib/fanout-scripts.mjs';
import { rawSshScript, sshRunbook } from '../lib/generate.mjs';
import { runInterleaved } from '../lib/measure.mjs';
import { checkOf, summarise } from '../lib/report.mjs';
import { startSshd } from '../lib/sshd.mjs';

export const id = 'fanout';

/** A fresh control directory per run; masters a failed run left are asked to exit. */
function freshControlDir(ctx) {
  return {
    prepare: () => ({ controlDir: mkdtempSync(join(ctx.scratch, 'cm-')) }),
    cleanup: (c) => {
      for (const name of readdirSync(c.controlDir)) {
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

async function eightHosts(ctx) {
  const disk = freshStateDir(ctx.scratch);
  const variant = (serial) => {
    const file = sshRunbook(ctx.scratch, ctx.sshd, { steps: 10, hosts: 8, serial, name: `fanout-serial-${serial}` });
    return {
      id: `serial${serial}`, label: `stepwise, \`serial: ${serial}\``, unavailable: ctx.cliUnavailable, ...disk,
      command: (c) => stepwiseCommand(ctx, ['run', file, '--state-dir', c.stateDir]),
    };
  };
  const raw = (parallel) => {
    const file = rawSshScript(ctx.scratch, ctx.sshd, { steps: 10, hosts: 8, parallel, name: `fanout-raw-${parallel ? 'parallel' : 'serial'}` });
    return {
      id: parallel ? 'raw8' : 'raw1', label: `raw ssh, hosts ${parallel ? 'in parallel' : 'one after the other'} (machine ceiling, info)`,
      ...freshControlDir(ctx),
      command: (c) => ({ cmd: 'bash', args: ['--noprofile', '--norc', file], env: { CM_DIR: c.controlDir } }),
    };
  };
  const variants = [variant(1), variant(8), raw(false), raw(true)];
  const results = await runInterleaved(variants, { rounds: ctx.rounds, scratch: ctx.scratch, log: ctx.log });
  const stats = summarise(variants, results, 'serial1');
  return {
    title: 'Fan-out: 10 steps × 8 hosts',
    description: `Each step \`/bin/true\` on every host of one group; 8 hosts are 8 loopback addresses of one sshd on this ${ctx.machine.nproc}-core machine (client and server share the cores).`,
    refLabel: '`serial: 1`',
    stats,
    checks: [
      checkOf(stats, '`serial: 1` / `serial: 8`', (v) => v('serial1') / v('serial8'), { min: 4 }),
      checkOf(stats, 'raw ssh: one after the other / in parallel (what this machine allows, info)', (v) => v('raw1') / v('raw8'), {}),
    ],
  };
}

async function twoHundredHosts(ctx) {
  const title = 'Fan-out: 3 steps × 200 hosts';
  let sshd;
  try {
    sshd = await startSshd(200);
  } catch (error) {
    return { title, unavailable: `a 200-address sshd did not start: ${error.message}` };
  }
  try {
    const disk = freshStateDir(ctx.scratch);
    const file = sshRunbook(ctx.scratch, sshd, { steps: 3, hosts: 200, name: 'fanout-200' });
    const raw = rawXargsFanout(ctx.scratch, sshd, { steps: 3, hosts: 200, parallel: 50, name: 'fanout-200-raw' });
    const variants = [
      {
        id: 'raw', label: 'raw ssh, one master per host, `xargs -P 50` over the hosts', ...freshControlDir(ctx),
        command: (c) => ({ cmd: 'bash', args: ['--noprofile', '--norc', raw], env: { CM_DIR: c.controlDir } }),
      },
      {
        id: 'sw', label: 'stepwise, all 200 hosts at once', unavailable: ctx.cliUnavailable, ...disk, rss: true,
        command: (c) => stepwiseCommand(ctx, ['run', file, '--state-dir', c.stateDir]),
      },
    ];
    const results = await runInterleaved(variants, { rounds: Math.max(2, Math.ceil(ctx.rounds / 2)), scratch: ctx.scratch, log: ctx.log });
    const stats = summarise(variants, results, 'raw');
    return {
      title,
      description: `Each step \`/bin/true\` on every host of a 200-host group (200 loopback addresses, one sshd per 16, one port), set-up and close of every connection counted on both sides; stepwise runs every host of the step at once (no \`serial\`), raw ssh runs 50 hosts at a time. Client and server share this ${ctx.machine.nproc}-core machine. Fewer rounds than the other scenarios (each run is hundreds of processes).`,
      refLabel: 'raw ssh',
      stats,
      checks: [
        checkOf(stats, 'stepwise / raw ssh with `xargs -P 50`', (v) => v('sw') / v('raw'), { max: 1.5 }),
      ],
    };
  } finally {
    await sshd.stop();
  }
}

export async function run(ctx) {
  if (ctx.sshUnavailable) return { title: 'Fan-out', unavailable: ctx.sshUnavailable };
  return [await eightHosts(ctx), await twoHundredHosts(ctx)];
}
