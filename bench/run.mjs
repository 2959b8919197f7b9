#!/usr/bin/env node
/**
 * stepwise benchmarks, side by side with bash, a Node spawn floor, raw ssh and Ansible.
 * The single entry point (`npm run bench` builds first, then runs this). It prepares what
 * it needs (Debian packages, a private sshd, keys, an unprivileged user), runs every
 * scenario's variants interleaved over several rounds, prints Markdown tables of medians,
 * min–max and ratios, and writes them to bench/results/latest.md. Ratios only: nothing
 * here fails on an absolute time, and a scenario that cannot run says why.
 *
 * Options (flags or environment):
 *   --quick            BENCH_QUICK=1       2 rounds, 100 MB output test
 *   --rounds N         BENCH_ROUNDS=N      rounds per scenario (default 5)
 *   --big-mb N         BENCH_BIG_MB=N      size of the output test in MB (default 1000)
 *   --only a,b         BENCH_ONLY=a,b      scenarios: cold-start large-runbook imports local ssh fanout big-output report state-postgres journal
 *                                          state-postgres (a private PostgreSQL cluster),
 *                                          and `profile` (the CPU profiles)
 *   --skip a,b         BENCH_SKIP=a,b
 *   --no-ansible       BENCH_NO_ANSIBLE=1  leave Ansible out (it takes most of the time)
 *   --no-profile       BENCH_NO_PROFILE=1  skip the CPU profiles
 *   --no-install       BENCH_NO_INSTALL=1  never apt-get install
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliUnavailableReason } from './lib/context.mjs';
import { bigRunbook, localRunbook, smallRunbook } from './lib/generate.mjs';
import { profileCommand } from './lib/profile.mjs';
import { renderScenario } from './lib/report.mjs';
import { sshdUnavailableReason, startSshd } from './lib/sshd.mjs';
import * as coldStart from './scenarios/cold-start.mjs';
import * as largeRunbook from './scenarios/large-runbook.mjs';
import * as imports from './scenarios/imports.mjs';
import * as local from './scenarios/local-steps.mjs';
import * as ssh from './scenarios/ssh.mjs';
import * as fanout from './scenarios/fanout.mjs';
import * as bigOutput from './scenarios/big-output.mjs';
import * as report from './scenarios/report.mjs';
import * as statePostgres from './scenarios/state-postgres.mjs';
import * as journal from './scenarios/journal.mjs';

const SCENARIOS = [coldStart, largeRunbook, imports, local, ssh, fanout, bigOutput, report, statePostgres, journal];
const benchDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(benchDir, '..');
const log = (line) => process.stderr.write(`${line}\n`);

function options() {
  const argv = process.argv.slice(2);
  const flag = (name) => argv.includes(`--${name}`);
  const value = (name) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const env = process.env;
  const truthy = (v) => v !== undefined && v !== '' && v !== '0' && v !== 'false';
  const quick = flag('quick') || truthy(env.BENCH_QUICK);
  const list = (v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);
  const rounds = Number(value('rounds') ?? env.BENCH_ROUNDS ?? (quick ? 2 : 5));
  const bigMb = Number(value('big-mb') ?? env.BENCH_BIG_MB ?? (quick ? 100 : 1000));
  const opts = {
    quick, rounds, bigMb,
    only: list(value('only') ?? env.BENCH_ONLY),
    skip: list(value('skip') ?? env.BENCH_SKIP) ?? [],
    ansible: !(flag('no-ansible') || truthy(env.BENCH_NO_ANSIBLE)),
    profile: !(flag('no-profile') || truthy(env.BENCH_NO_PROFILE)),
    install: !(flag('no-install') || truthy(env.BENCH_NO_INSTALL)),
  };
  opts.profile &&= (!opts.only || opts.only.includes('profile')) && !opts.skip.includes('profile');
  if (!(rounds >= 1) || !(bigMb > 0)) throw new Error('--rounds must be ≥ 1 and --big-mb > 0');
  const unknown = [...(opts.only ?? []), ...opts.skip].filter((s) => s !== 'profile' && !SCENARIOS.some((m) => m.id === s));
  if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((m) => m.id).join(' ')} profile`);
  return opts;
}

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
let aptUpdated = false;

/** Installs a Debian package when `probe` is false; returns a reason string when still missing. */
function ensurePackage(pkg, probe, opts) {
  if (probe()) return undefined;
  if (!opts.install) return `${pkg} is not installed (and --no-install)`;
  if (process.getuid?.() !== 0) return `${pkg} is not installed and the bench is not root (apt-get install -y ${pkg})`;
  log(`installing ${pkg} with apt-get…`);
  const install = () => spawnSync('apt-get', ['install', '-y', '-q', pkg], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  if (!install() && !aptUpdated) {
    aptUpdated = true;
    spawnSync('apt-get', ['update', '-q'], { stdio: 'ignore' });
    install();
  }
  return probe() ? undefined : `apt-get install -y ${pkg} failed`;
}

function machineInfo(scratch) {
  const sh = (cmd) => {
    try {
      return execFileSync('sh', ['-c', cmd], { encoding: 'utf8' }).trim();
    } catch {
      return '?';
    }
  };
  return {
    nproc: sh('nproc'),
    cpu: cpus()[0]?.model ?? '?',
    memGiB: (totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    kernel: release(),
    os: sh(". /etc/os-release && echo \"$PRETTY_NAME\""),
    scratchFs: sh(`df --output=source,fstype ${scratch} | tail -1 | tr -s ' '`),
    ansible: sh('ansible-playbook --version 2>/dev/null | head -1'),
    ssh: sh('ssh -V 2>&1'),
  };
}

const fmtLoad = () => loadavg().map((l) => l.toFixed(2)).join(', ');

async function main() {
  const opts = options();
  const selected = SCENARIOS.filter((m) => (!opts.only || opts.only.includes(m.id)) && !opts.skip.includes(m.id));
  const needsSsh = selected.some((m) => m.id === 'ssh' || m.id === 'fanout');
  const scratch = mkdtempSync(join(tmpdir(), 'stepwise-bench-'));
  const shm = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/stepwise-bench-') : scratch;
  const cli = join(root, 'dist', 'cli', 'main.js');
  const ctx = {
    root, benchDir, scratch, shm, cli, log,
    rounds: opts.rounds,
    bigRounds: opts.rounds,
    bigBytes: Math.round(opts.bigMb * 1e6 / 100) * 100,
    cliUnavailable: cliUnavailableReason(cli),
    ansibleEnv: { ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3', ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: 'False' },
  };
  let sshd;
  const cleanup = async () => {
    if (sshd) await sshd.stop().catch(() => {});
    sshd = undefined;
    rmSync(scratch, { recursive: true, force: true });
    if (shm !== scratch) rmSync(shm, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      log(`\n${signal}: cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  try {
    // Preparation: packages, user, sshd.
    ctx.ansibleUnavailable = opts.ansible ? ensurePackage('ansible-core', () => has('ansible-playbook'), opts) : 'left out (--no-ansible)';
    ctx.timeUnavailable = ensurePackage('time', () => existsSync('/usr/bin/time'), opts);
    ensurePackage('strace', () => has('strace'), opts);
    if (needsSsh) {
      const missing = ensurePackage('openssh-server', () => existsSync('/usr/sbin/sshd'), opts) ?? ensurePackage('openssh-client', () => has('ssh'), opts);
      ctx.sshUnavailable = missing ?? sshdUnavailableReason();
      if (!ctx.sshUnavailable) {
        try {
          sshd = await startSshd(8);
          ctx.sshd = sshd;
          log(`private sshd on ${sshd.addresses[0]}…${sshd.addresses.at(-1)} port ${sshd.port}, user ${sshd.user}`);
        } catch (error) {
          ctx.sshUnavailable = `private sshd did not start: ${error.message}`;
        }
      }
    }
    ctx.machine = machineInfo(scratch);
    if (ctx.cliUnavailable) log(`!!! stepwise is unavailable: ${ctx.cliUnavailable}`);
    const loadStart = fmtLoad();
    const startedAt = new Date();
    const sections = [];
    for (const scenario of selected) {
      log(`== ${scenario.id} (${opts.rounds} rounds)`);
      try {
        const result = await scenario.run(ctx);
        sections.push(...(Array.isArray(result) ? result : [result]));
      } catch (error) {
        log(`  ! ${scenario.id} failed: ${error.stack ?? error}`);
        sections.push({ title: scenario.id, unavailable: `the scenario crashed: ${error.message}` });
      }
    }
    const profiles = [];
    if (opts.profile && !ctx.cliUnavailable) {
      log('== profiles');
      mkdirSync(join(benchDir, 'results'), { recursive: true });
      const state = (n) => mkdtempSync(join(scratch, `state-prof-${n}-`));
      profiles.push(profileCommand(ctx, ['run', localRunbook(scratch, 100), '--state-dir', state('run')], {
        label: 'stepwise run, 100 local steps (state dir on disk)', keepDir: join(benchDir, 'results'), keepName: 'run-100.cpuprofile',
      }));
      const profDir = mkdtempSync(join(scratch, 'prof-big-'));
      profiles.push(profileCommand(ctx, ['run', bigRunbook(profDir, 1e8), '--state-dir', state('big')], {
        label: 'stepwise run, one step printing 100 MB (stdout to /dev/null)', keepDir: join(benchDir, 'results'), keepName: 'big-output-100mb.cpuprofile',
      }));
      profiles.push(profileCommand(ctx, ['validate', smallRunbook(scratch)], {
        label: 'stepwise validate small.yaml', keepDir: join(benchDir, 'results'), keepName: 'validate.cpuprofile',
      }));
    }
    const m = ctx.machine;
    const header = [
      `## Results ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC${opts.quick ? ' (quick mode)' : ''}`, '',
      `- Machine: ${m.nproc} × ${m.cpu}, ${m.memGiB} GiB RAM, ${m.os}, Linux ${m.kernel}; scratch and state dirs on \`${m.scratchFs}\`, tmpfs variant on /dev/shm.`,
      `- Node ${m.node}; ${m.ansible}; ${m.ssh}.`,
      `- ${opts.rounds} interleaved rounds per scenario after one untimed warm-up of each variant (cold start and imports: ${opts.rounds * 2}); output test ${ctx.bigBytes / 1e6} MB.`,
      `- Load average (1, 5, 15 min) at start: ${loadStart}; at end: ${fmtLoad()}.`,
      '',
    ].join('\n');
    const body = sections.map(renderScenario).join('\n');
    const text = `${header}\n${body}\n${profiles.join('\n')}`;
    process.stdout.write(`\n${text}\n`);
    mkdirSync(join(benchDir, 'results'), { recursive: true });
    writeFileSync(join(benchDir, 'results', 'latest.md'), `${text}\n`);
    log(`written to ${join('bench', 'results', 'latest.md')}`);
  } finally {
    await cleanup();
  }
}

main().catch((error) => {
  log(`bench failed: ${error.stack ?? error}`);
  process.exitCode = 1;
});
