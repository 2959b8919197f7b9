/** Fan-out: 10 steps on a group of 8 hosts (8 loopback addresses), `serial: 8` vs `serial: 1`. */
import { freshStateDir, stepwiseCommand } from '../lib/context.mjs';
import { rawSshScript, sshRunbook } from '../lib/generate.mjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runInterleaved } from '../lib/measure.mjs';
import { checkOf, summarise } from '../lib/report.mjs';

export const id = 'fanout';

export async function run(ctx) {
  const title = 'Fan-out: 10 steps × 8 hosts';
  if (ctx.sshUnavailable) return { title, unavailable: ctx.sshUnavailable };
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
      prepare: () => ({ controlDir: mkdtempSync(join(ctx.scratch, 'cm-')) }),
      cleanup: (c) => rmSync(c.controlDir, { recursive: true, force: true }),
      command: (c) => ({ cmd: 'bash', args: ['--noprofile', '--norc', file], env: { CM_DIR: c.controlDir } }),
    };
  };
  const variants = [variant(1), variant(8), raw(false), raw(true)];
  const results = await runInterleaved(variants, { rounds: ctx.rounds, scratch: ctx.scratch, log: ctx.log });
  const stats = summarise(variants, results, 'serial1');
  return {
    title,
    description: `Each step \`/bin/true\` on every host of one group; 8 hosts are 8 loopback addresses of one sshd on this ${ctx.machine.nproc}-core machine (client and server share the cores).`,
    refLabel: '`serial: 1`',
    stats,
    checks: [
      checkOf(stats, '`serial: 1` / `serial: 8`', (v) => v('serial1') / v('serial8'), { min: 4 }),
      checkOf(stats, 'raw ssh: one after the other / in parallel (what this machine allows, info)', (v) => v('raw1') / v('raw8'), {}),
    ],
  };
}
