/**
 * 100 trivial local steps (`/bin/true`, the external program), the same work in each tool:
 * stepwise (journal on disk, and on tmpfs where fsync costs nothing), the Node spawn floor,
 * a bash script, and ansible-playbook -c local. 1-step runs give the per-step cost.
 * Afterwards, untimed: the journal's fsyncs counted with strace and one fsync's cost on
 * this disk measured without stepwise.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { freshStateDir, stepwiseCommand } from '../lib/context.mjs';
import { bashScript, localRunbook, playbook } from '../lib/generate.mjs';
import { runInterleaved } from '../lib/measure.mjs';
import { checkOf, fmtMs, summarise } from '../lib/report.mjs';

export const id = 'local';

export async function run(ctx) {
  const N = 100;
  const sw100 = localRunbook(ctx.scratch, N);
  const sw1 = localRunbook(ctx.scratch, 1);
  const sh100 = bashScript(ctx.scratch, N);
  const play = playbook(ctx.scratch, N, 'local-100');
  const floor = join(ctx.benchDir, 'lib', 'spawn-floor.mjs');
  const disk = freshStateDir(ctx.scratch);
  const shm = freshStateDir(ctx.shm);
  const sw = (file) => (c) => stepwiseCommand(ctx, ['run', file, '--state-dir', c.stateDir]);
  const variants = [
    { id: 'floor100', label: 'Node spawn floor, 100 × `bash … FILE`', command: () => ({ cmd: process.execPath, args: [floor, String(N)] }) },
    { id: 'sw100', label: 'stepwise, 100 steps, state dir on disk', unavailable: ctx.cliUnavailable, ...disk, command: sw(sw100) },
    { id: 'sw100shm', label: 'stepwise, 100 steps, state dir on tmpfs', unavailable: ctx.cliUnavailable, ...shm, command: sw(sw100) },
    { id: 'bash100', label: 'bash script, 100 × `/bin/true`', command: () => ({ cmd: 'bash', args: ['--noprofile', '--norc', '-eo', 'pipefail', sh100] }) },
    { id: 'floor1', label: 'Node spawn floor, 1 step', command: () => ({ cmd: process.execPath, args: [floor, '1'] }) },
    {
      id: 'floorImports100', label: 'Node spawn floor, 100 steps, after importing the 5 packages (info)',
      command: () => ({ cmd: process.execPath, args: [floor, String(N)], env: { FLOOR_IMPORTS: '1' } }),
    },
    { id: 'floorImports1', label: 'Node spawn floor, 1 step, after importing the 5 packages (info)', command: () => ({ cmd: process.execPath, args: [floor, '1'], env: { FLOOR_IMPORTS: '1' } }) },
    {
      id: 'floorExeca100', label: 'Node spawn floor through execa, 100 steps (info)',
      command: () => ({ cmd: process.execPath, args: [floor, String(N)], env: { FLOOR_EXECA: '1' } }),
    },
    { id: 'floorExeca1', label: 'Node spawn floor through execa, 1 step (info)', command: () => ({ cmd: process.execPath, args: [floor, '1'], env: { FLOOR_EXECA: '1' } }) },
    { id: 'sw1', label: 'stepwise, 1 step, state dir on disk', unavailable: ctx.cliUnavailable, ...disk, command: sw(sw1) },
    {
      id: 'ansible100', label: 'ansible-playbook -c local, 100 tasks', unavailable: ctx.ansibleUnavailable,
      command: () => ({ cmd: 'ansible-playbook', args: ['-c', 'local', '-i', 'localhost,', play], env: ctx.ansibleEnv, cwd: ctx.scratch }),
    },
  ];
  const results = await runInterleaved(variants, { rounds: ctx.rounds, scratch: ctx.scratch, log: ctx.log });
  const stats = summarise(variants, results, 'floor100');
  const m = (k) => stats.get(k).median;
  const lo = (k) => stats.get(k).min;
  const per = (a, b) => `${fmtMs((m(a) - m(b)) / (N - 1))} (minima: ${fmtMs((lo(a) - lo(b)) / (N - 1))})`;
  const journalPerStep = (m('sw100') - m('sw100shm')) / N;
  const journal = ctx.cliUnavailable ? undefined : measureJournal(ctx, sw100);
  const notes = [
    `Per step = (100-step median − 1-step median) / 99: stepwise ${per('sw100', 'sw1')}, Node spawn floor ${per('floor100', 'floor1')}, the floor after importing yargs, execa, yaml, ajv and listr2 ${per('floorImports100', 'floorImports1')} (a larger parent makes each spawn dearer), the floor through execa ${per('floorExeca100', 'floorExeca1')}; bash ${fmtMs(m('bash100') / N)} per line (whole script / 100).`,
    `Journal cost per step = (median on disk − median on tmpfs) / 100 = ${fmtMs(journalPerStep)} (tmpfs: fsync is nearly free; the difference is what the disk's fsyncs add). The two medians are noisy; the strace and probe figures below are the steadier estimate.`,
  ];
  if (journal?.strace) notes.push(`strace -f -c -w of one 100-step run: ${journal.strace}`);
  if (journal?.probe) notes.push(`One append + fdatasync on this disk without stepwise (${journal.probe.n}×): median ${fmtMs(journal.probe.medianMs)}, mean ${fmtMs(journal.probe.meanMs)}, p90 ${fmtMs(journal.probe.p90Ms)}.`);
  if (journal?.syncsPerStep !== undefined && journal?.probe) {
    notes.push(`Estimated journal fsync cost per step = ${journal.syncsPerStep.toFixed(2)} syncs × ${fmtMs(journal.probe.medianMs)} = ${fmtMs(journal.syncsPerStep * journal.probe.medianMs)}.`);
  }
  return {
    title: `${N} trivial local steps`,
    description: 'Each step runs the external program `/bin/true`. stepwise always journals (fresh `--state-dir` per run); stdout of every tool to /dev/null. Ansible: `gather_facts: false`, `interpreter_python` set (no discovery).',
    refLabel: 'floor',
    stats,
    checks: [
      checkOf(stats, 'stepwise 100 steps (disk) / floor — issue 4', (v) => v('sw100') / v('floor100'), { max: 2.0 }),
      checkOf(stats, 'stepwise 100 steps (disk, journal fsync) / floor — issue 9', (v) => v('sw100') / v('floor100'), { max: 1.8 }),
      checkOf(stats, 'stepwise 100 steps (tmpfs) / floor (info)', (v) => v('sw100shm') / v('floor100'), {}),
      checkOf(stats, 'per-step extra over the floor — issue 4', (v) => (v('sw100') - v('sw1') - v('floor100') + v('floor1')) / (N - 1), { max: 1.5, unit: 'ms' }),
      checkOf(stats, 'journal per step (disk − tmpfs) — issue 5', (v) => (v('sw100') - v('sw100shm')) / N, { max: 1, unit: 'ms' }),
      checkOf(stats, 'Ansible / stepwise', (v) => v('ansible100') / v('sw100'), { min: 20 }),
      checkOf(stats, 'stepwise / bash script (info)', (v) => v('sw100') / v('bash100'), {}),
    ],
    notes,
  };
}

/** Untimed: count the journal's fsyncs with strace, and time one fsync on this disk without stepwise. */
function measureJournal(ctx, runbook) {
  const out = {};
  try {
    out.probe = JSON.parse(execFileSync(process.execPath, [join(ctx.benchDir, 'lib', 'fsync-probe.mjs'), ctx.scratch, '200'], { encoding: 'utf8' }));
  } catch (error) {
    out.probe = undefined;
    ctx.log(`  ! fsync probe failed: ${error.message}`);
  }
  if (!existsSync('/usr/bin/strace')) {
    out.strace = 'strace not installed (apt-get install -y strace); fsyncs not counted';
    return out;
  }
  const stateDir = mkdtempSync(join(ctx.scratch, 'state-strace-'));
  const report = join(ctx.scratch, 'strace.txt');
  try {
    const { cmd, args, env, cwd } = stepwiseCommand(ctx, ['run', runbook, '--state-dir', stateDir]);
    execFileSync('strace', ['-f', '-c', '-w', '-e', 'trace=fsync,fdatasync,sync_file_range', '-o', report, cmd, ...args], {
      env: { ...process.env, ...env }, cwd, stdio: 'ignore',
    });
    const text = readFileSync(report, 'utf8');
    const rows = [];
    let syncs = 0;
    for (const line of text.split('\n')) {
      const cols = line.trim().split(/\s+/);
      const name = cols[cols.length - 1];
      if (!['fsync', 'fdatasync', 'sync_file_range'].includes(name)) continue;
      // % time, seconds, usecs/call, calls, [errors], syscall
      const calls = Number(cols[3]);
      syncs += calls;
      rows.push(`${calls} × ${name} (${Number(cols[2]) / 1000} ms per call under strace, ${(Number(cols[1]) * 1000).toFixed(0)} ms total)`);
    }
    out.syncsPerStep = syncs / 100;
    out.strace = rows.length ? `${rows.join(', ')} → ${out.syncsPerStep.toFixed(2)} syncs per step (journal + directories + logs, everything the process synced).` : 'no fsync calls seen';
  } catch (error) {
    out.strace = `strace run failed: ${error.message.split('\n')[0]}`;
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(report, { force: true });
  }
  return out;
}
