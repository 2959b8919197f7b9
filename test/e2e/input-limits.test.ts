/**
 * Input files the built CLI refuses before parsing (exit 2, one clear line, no stack,
 * nothing executed): runbooks, inventories, params files and library steps over 1 MiB, and
 * anything that is not a regular file — a FIFO must not hang the CLI, `/dev/zero` must not
 * be read into memory.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_PATH, type CliResult, runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const MIB = 1024 * 1024;
/** Ample for a refusal; only there so that a CLI that hangs fails the test instead of the suite. */
const HANG_GUARD = { timeoutMs: 20_000 };
const dir = tempDir('stepwise-limits-');
afterAll(() => dir.remove());

/** `head`, padded with a YAML comment to exactly `bytes` bytes. */
function padded(head: string, bytes: number): string {
  return `${head}#${'x'.repeat(bytes - head.length - 2)}\n`;
}

/** A runbook whose one step leaves `marker` behind if it ever runs. */
function markerRunbook(name: string, marker: string, extra = ''): string {
  return `name: ${name}\nparams:\n  p: { type: string, default: x }\nsteps:\n  - id: touch\n    run: touch ${JSON.stringify(marker)}\n${extra}`;
}

function expectRefused(result: CliResult, line: string): void {
  expect({ code: result.code, signal: result.signal }).toEqual({ code: 2, signal: null });
  expect(result.stderr).toContain(line);
  expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(result.stderr).not.toContain('internal error');
}

/** Nothing ran: no marker, no run recorded in the state dir. */
function expectNothingExecuted(marker: string, stateDir: string): void {
  expect(existsSync(marker)).toBe(false);
  expect(existsSync(join(stateDir, 'runs')) ? readdirSync(join(stateDir, 'runs')) : []).toEqual([]);
}

describe('files over 1 MiB', () => {
  it('validate: FILE: runbook is 3.2 MiB; the limit is 1 MiB', async () => {
    const file = dir.write('big/runbook.yaml', padded('name: big\nsteps:\n  - id: a\n    run: "true"\n', Math.round(3.2 * MIB)));
    const result = await runCli(['validate', file], HANG_GUARD);
    expectRefused(result, '');
    expect(result).toMatchObject({ stdout: '', stderr: `${file}: runbook is 3.2 MiB; the limit is 1 MiB\n${file}: 1 problem\n` });
  });

  it('run refuses an oversized runbook, inventory, params file or library step and executes nothing', async () => {
    const base = join(dir.dir, 'run');
    const stateDir = join(base, 'state');
    const marker = join(base, 'marker');
    const big = dir.write('run/big.yaml', padded(markerRunbook('big', marker), 2 * MIB));
    const runbook = dir.write('run/runbook.yaml', markerRunbook('small', marker));
    const inventory = dir.write('run/inventory.yaml', padded('fleet: [f1]\n', 2 * MIB));
    const params = dir.write('run/params.yaml', padded('p: y\n', 2 * MIB));
    dir.write('run/steps/huge.yaml', padded('run: "true"\n', 2 * MIB));
    const uses = dir.write('run/uses.yaml', `${markerRunbook('uses', marker)}  - id: lib\n    uses: huge\n`);
    const cases: Array<[string[], string]> = [
      [[big], `${big}: runbook is 2.0 MiB; the limit is 1 MiB`],
      [[runbook, '--inventory', inventory], `${inventory}: inventory is 2.0 MiB; the limit is 1 MiB`],
      [[runbook, '--params-file', params], `${params}: params file is 2.0 MiB; the limit is 1 MiB`],
      [[uses], `${join(base, 'steps/huge.yaml')}: library step is 2.0 MiB; the limit is 1 MiB`],
    ];
    for (const [args, line] of cases) {
      expectRefused(await runCli(['run', ...args, '--state-dir', stateDir], HANG_GUARD), line);
      expectNothingExecuted(marker, stateDir);
    }
  });
});

describe('files that are not regular files', () => {
  it('a FIFO as runbook (validate, run) or as params file is refused at once', async () => {
    const base = join(dir.dir, 'fifo');
    const stateDir = join(base, 'state');
    const marker = join(base, 'marker');
    const runbook = dir.write('fifo/runbook.yaml', markerRunbook('fifo', marker));
    const fifo = join(base, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    const message = (kind: string) => `${fifo}:1:1 is a named pipe (FIFO), not a ${kind} file; hint: stepwise reads only regular files`;
    expectRefused(await runCli(['validate', fifo], HANG_GUARD), message('runbook'));
    expectRefused(await runCli(['run', fifo, '--state-dir', stateDir], HANG_GUARD), message('runbook'));
    expectRefused(await runCli(['run', runbook, '--params-file', fifo, '--state-dir', stateDir], HANG_GUARD), message('params'));
    expectNothingExecuted(marker, stateDir);
  });

  it('/dev/zero is refused without reading it, under a 1.5 GB address-space limit', () => {
    // prlimit (util-linux) caps the CLI's memory: reading /dev/zero would die, not pass.
    for (const command of ['validate', 'run']) {
      const result = spawnSync('prlimit', ['--as=1500000000', '--', process.execPath, CLI_PATH, command, '/dev/zero'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
      if (result.error) throw result.error;
      expectRefused({ code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr }, '/dev/zero:1:1 is a device, not a runbook file');
    }
  });

  it('a directory as inventory or params file', async () => {
    const base = join(dir.dir, 'dirs');
    const stateDir = join(base, 'state');
    const marker = join(base, 'marker');
    const runbook = dir.write('dirs/runbook.yaml', markerRunbook('dirs', marker));
    expectRefused(await runCli(['run', runbook, '--inventory', base, '--state-dir', stateDir], HANG_GUARD), `${base}:1:1 is a directory, not an inventory file`);
    expectRefused(await runCli(['run', runbook, '--params-file', base, '--state-dir', stateDir], HANG_GUARD), `${base}:1:1 is a directory, not a params file`);
    expectNothingExecuted(marker, stateDir);
  });
});
