/**
 * The Node spawn floor of stepwise's design: start `bash --noprofile --norc -eo pipefail
 * FILE` N times in sequence, exactly as stepwise starts a local step — the script written
 * to a 0600 file in a private temp directory, the shell in its own process group
 * (detached, for tree kill), stdin ignored, stdout and stderr piped and drained — with
 * nothing else: no YAML, no validation, no journal, no reporter, no execa.
 *
 * With FLOOR_IMPORTS=1 it first imports stepwise's five runtime packages (to show what a
 * bigger process costs per spawn: fork copies the parent's page tables).
 *
 * With FLOOR_EXECA=1 each step is started through execa with the options stepwise's local
 * executor uses (buffer off, detached, reject off), to show what execa adds per call.
 *
 * usage: node spawn-floor.mjs N [SCRIPT_TEXT]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (process.env.FLOOR_IMPORTS === '1') {
  await Promise.all(['yargs', 'execa', 'yaml', 'ajv', 'listr2'].map((p) => import(p)));
}

const execa = process.env.FLOOR_EXECA === '1' ? (await import('execa')).execa : undefined;

const n = Number(process.argv[2] ?? 100);
const script = process.argv[3] ?? '/bin/true\n';
const dir = mkdtempSync(join(tmpdir(), 'stepwise-floor-'));

async function runOnceExeca(i) {
  const file = join(dir, `${i}.sh`);
  writeFileSync(file, script, { mode: 0o600 });
  const subprocess = execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], {
    env: { STEPWISE_STEP_ID: String(i) }, stdin: 'ignore', buffer: false, detached: true, reject: false, stripFinalNewline: false,
  });
  subprocess.stdout.on('data', () => {});
  subprocess.stderr.on('data', () => {});
  const result = await subprocess;
  unlinkSync(file);
  if (result.exitCode !== 0) throw new Error(`step ${i} exited ${result.exitCode}`);
}

function runOnce(i) {
  if (execa) return runOnceExeca(i);
  const file = join(dir, `${i}.sh`);
  writeFileSync(file, script, { mode: 0o600 });
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout.on('data', () => {});
    child.stderr.on('data', () => {});
    child.once('error', reject);
    child.once('close', (code) => {
      unlinkSync(file);
      if (code === 0) resolve();
      else reject(new Error(`step ${i} exited ${code}`));
    });
  });
}

try {
  for (let i = 1; i <= n; i++) await runOnce(i);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
