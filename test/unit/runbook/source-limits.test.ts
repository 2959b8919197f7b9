/**
 * Every file stepwise reads (runbook, inventory, params, library step) is read only if it
 * is a regular file of at most 1 MiB, refused before parsing otherwise: a FIFO must not
 * block, a device must not be read, and a file larger than its size said must not get in.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { ValidationError } from '../../../src/errors/stepwise-error.js';
import { loadRunbook } from '../../../src/runbook/load-runbook.js';
import { resolveParams } from '../../../src/runbook/params.js';
import { MAX_SOURCE_BYTES } from '../../../src/runbook/read-source.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir();
const MIB = 1024 * 1024;
const VALID = 'name: limits\nparams:\n  p: { type: string, default: x }\nsteps:\n  - id: a\n    on: local\n    run: "true"\n';

/** `head`, padded with a YAML comment to exactly `bytes` bytes. */
function padded(head: string, bytes: number): string {
  return `${head}#${'x'.repeat(bytes - head.length - 2)}\n`;
}

/** The one-line problems loadRunbook (and then resolveParams) reports, or 'ok'. */
async function problemsOf(file: string, options: { inventoryFile?: string; paramsFile?: string } = {}): Promise<string> {
  try {
    const runbook = await loadRunbook(file, options.inventoryFile === undefined ? {} : { inventoryFile: options.inventoryFile });
    if (options.paramsFile !== undefined) resolveParams(runbook, { paramsFile: options.paramsFile });
    return 'ok';
  } catch (error) {
    if (error instanceof ValidationError) return error.message;
    throw error;
  }
}

let server: Server;
const socketPath = join(dir.dir, 'runbook.sock');
const fifo = join(dir.dir, 'runbook.fifo');
let unblocker: ChildProcess;
beforeAll(async () => {
  execFileSync('mkfifo', [fifo]);
  // Should a regression make the loader wait on the FIFO (open blocks the whole process, so
  // no jest timeout could fire), this writer ends the wait after a while: the test then fails
  // on the message ("empty") instead of hanging the suite. It is killed by pid at the end.
  unblocker = spawn('sh', ['-c', 'sleep 20; while :; do : > "$1"; done', 'sh', fifo], { stdio: 'ignore' });
  server = createServer();
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
});
afterAll(async () => {
  unblocker.kill('SIGKILL');
  await new Promise((resolve) => server.close(resolve));
  dir.remove();
});

describe('size', () => {
  it('the limit is 1 MiB', () => {
    expect(MAX_SOURCE_BYTES).toBe(MIB);
  });

  it('a runbook over the limit is refused before parsing, with its size', async () => {
    // Broken YAML after the first line: only the size is reported, so nothing was parsed.
    const file = dir.write('big.yaml', padded('name: big\nsteps: [\n', Math.round(3.2 * MIB)));
    expect(await problemsOf(file)).toBe(`${file}: runbook is 3.2 MiB; the limit is 1 MiB`);
  });

  it.each([
    [MAX_SOURCE_BYTES - 1, 'ok'],
    [MAX_SOURCE_BYTES, 'ok'],
    [MAX_SOURCE_BYTES + 1, 'runbook is 1048577 bytes; the limit is 1 MiB (1048576 bytes)'],
    [MAX_SOURCE_BYTES + 50_000, 'runbook is 1098576 bytes; the limit is 1 MiB (1048576 bytes)'],
    [Math.round(1.06 * MIB), 'runbook is 1.1 MiB; the limit is 1 MiB'],
    [5 * MIB, 'runbook is 5.0 MiB; the limit is 1 MiB'],
  ])('%i bytes: %s', async (bytes, expected) => {
    const file = dir.write(`size-${bytes}.yaml`, padded(VALID, bytes));
    expect(statSync(file).size).toBe(bytes);
    const problems = await problemsOf(file);
    expect(problems).toBe(expected === 'ok' ? 'ok' : `${file}: ${expected}`);
  });

  it('an inventory, a params file and a library step over the limit, each named', async () => {
    const runbookDir = join(dir.dir, 'kinds');
    const inventory = dir.write('kinds/inventory.yaml', padded('web: [w1]\n', 2 * MIB));
    const params = dir.write('kinds/params.yaml', padded('p: y\n', 2 * MIB));
    dir.write('kinds/steps/huge.yaml', padded('run: "true"\n', 2 * MIB));
    const runbook = dir.write('kinds/runbook.yaml', VALID);
    const uses = dir.write('kinds/uses.yaml', 'name: uses\nsteps:\n  - id: a\n    uses: huge\n');
    expect(await problemsOf(runbook, { inventoryFile: inventory })).toBe(`${inventory}: inventory is 2.0 MiB; the limit is 1 MiB`);
    expect(await problemsOf(runbook, { paramsFile: params })).toBe(`${params}: params file is 2.0 MiB; the limit is 1 MiB`);
    expect(await problemsOf(uses)).toContain(`${join(runbookDir, 'steps/huge.yaml')}: library step is 2.0 MiB; the limit is 1 MiB`);
  });

  it('a regular file larger than its size said is cut off at the limit, not read whole', async () => {
    // procfs files report size 0 and hold more: the read itself must stop at the limit.
    const file = '/proc/kallsyms';
    if (!existsSync(file) || statSync(file).size !== 0) throw new Error(`this test needs ${file} (Linux procfs): a regular file whose size says 0`);
    expect(await problemsOf(file)).toBe(`${file}: runbook grew past the limit while it was read; the limit is 1 MiB`);
  });
});

describe('file types', () => {
  it('a FIFO is refused at once, as runbook, inventory and params file (nothing waits for a writer)', async () => {
    const runbook = dir.write('types/runbook.yaml', VALID);
    expect(await problemsOf(fifo)).toBe(`${fifo}:1:1 is a named pipe (FIFO), not a runbook file; hint: stepwise reads only regular files; save the runbook to a file first`);
    expect(await problemsOf(runbook, { inventoryFile: fifo })).toContain(`${fifo}:1:1 is a named pipe (FIFO), not an inventory file`);
    expect(await problemsOf(runbook, { paramsFile: fifo })).toContain(`${fifo}:1:1 is a named pipe (FIFO), not a params file`);
  });

  it('a device is not read', async () => {
    expect(await problemsOf('/dev/zero')).toBe('/dev/zero:1:1 is a device, not a runbook file; hint: stepwise reads only regular files; save the runbook to a file first');
    expect(await problemsOf('/dev/null')).toContain('/dev/null:1:1 is a device, not a runbook file');
  });

  it('a socket and a directory', async () => {
    expect(await problemsOf(socketPath)).toContain(`${socketPath}:1:1 is a socket, not a runbook file`);
    expect(await problemsOf(dir.dir)).toContain(`${dir.dir}:1:1 is a directory, not a runbook file`);
  });

  it('a library step that is a FIFO', async () => {
    dir.write('lib/steps/other.yaml', 'run: "true"\n');
    execFileSync('mkfifo', [join(dir.dir, 'lib/steps/pipe.yaml')]);
    const uses = dir.write('lib/uses.yaml', 'name: uses\nsteps:\n  - id: a\n    uses: pipe\n');
    expect(await problemsOf(uses)).toContain(`${join(dir.dir, 'lib/steps/pipe.yaml')}:1:1 is a named pipe (FIFO), not a library step file`);
  });
});
