/**
 * Installable outside the clone (issue 16 item 8): `npm pack` makes a tarball of
 * `stepwise-runbooks` that `npm install -g` installs into a fresh prefix; the `stepwise`
 * command it installs then works from any directory — every example validates, the ones that
 * can run here run (hello, nightly-cleanup, incident-disk-full with fakes for journalctl and
 * apt-get), the ones that need PostgreSQL or SSH hosts plan — and the bundled steps library
 * is found without the clone. Dependencies come from npm's cache where it has them
 * (`--prefer-offline`); what it lacks (package metadata, on a fresh machine) comes from the
 * registry, as for any user's `npm install -g`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/temp-dir.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FAKE_BIN = join(ROOT, 'test/fixtures/library/bin');
const work = tempDir('stepwise-install-').dir;
const prefix = join(work, 'prefix');
const elsewhere = join(work, 'elsewhere');
const pkg = join(prefix, 'lib', 'node_modules', 'stepwise-runbooks');
const bin = join(prefix, 'bin', 'stepwise');

/** Runs a command to its end (a guard, not a timing assertion, stops one that hangs). */
function sh(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = spawnSync(command, args, { cwd: options.cwd ?? elsewhere, env: { ...process.env, NO_COLOR: '1', CI: '', ...options.env }, encoding: 'utf8', timeout: 600_000, maxBuffer: 64 << 20 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, error: result.error };
}

const stepwise = (args: string[], env: NodeJS.ProcessEnv = {}) => sh(bin, args, { env: { STEPWISE_STATE_DIR: join(work, 'state'), ...env } });

beforeAll(() => {
  mkdirSync(elsewhere, { recursive: true });
  // The built dist/ is what ships; --ignore-scripts keeps `prepare` from rebuilding the shared tree.
  const pack = sh('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT });
  if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.stdout}\n${pack.stderr}`);
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')) ?? 'missing.tgz');
  const install = sh('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], { env: { npm_config_update_notifier: 'false' } });
  if (install.code !== 0) throw new Error(`npm install -g failed:\n${install.stdout}\n${install.stderr}`);
}, 900_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm install -g of the packed tarball', () => {
  it('installs the package stepwise-runbooks with the command stepwise, its library and examples, and nothing of the clone', () => {
    expect(existsSync(bin)).toBe(true);
    expect(readdirSync(pkg).sort()).toEqual(['README.md', 'dist', 'node_modules', 'package.json', 'runbooks', 'steps']);
    expect(existsSync(join(pkg, 'dist/targets/remote/supervisor.sh'))).toBe(true);
    expect(existsSync(join(pkg, 'dist/runbook/runbook.schema.json'))).toBe(true);
    const version = stepwise(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('validates every example runbook and library step from another directory', () => {
    const files = [...readdirSync(join(pkg, 'runbooks')).filter((f) => f.endsWith('.yaml')).map((f) => join(pkg, 'runbooks', f)), ...readdirSync(join(pkg, 'steps')).map((f) => join(pkg, 'steps', f))];
    expect(files.length).toBeGreaterThanOrEqual(15);
    const result = stepwise(['validate', ...files]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.match(/: ok \(library step\)$/gm)).toHaveLength(readdirSync(join(pkg, 'steps')).length);
  });

  it('finds the bundled steps library for a runbook anywhere, and lists it', () => {
    const file = join(elsewhere, 'wait.yaml');
    writeFileSync(file, 'name: wait\nsteps:\n  - id: up\n    uses: wait-for-port\n    with: { port: 1 }\n');
    const plan = stepwise(['plan', file, '--brief']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('uses wait-for-port');
    const list = stepwise(['steps']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^wait-for-port +bundled +/m);
    const one = stepwise(['steps', 'wait-for-port']);
    expect(one.stdout).toMatch(/^ {2}port +integer +required/m);
  });

  it('runs hello and nightly-cleanup from another directory', () => {
    const hello = stepwise(['run', join(pkg, 'runbooks/hello.yaml'), '--param', 'who=installed']);
    expect(hello.stderr).toBe('');
    expect(hello.code).toBe(0);
    expect(hello.stdout).toContain('Hello, installed!');
    const dir = join(work, 'prune');
    mkdirSync(dir, { recursive: true });
    const old = join(dir, 'old.log.gz');
    writeFileSync(old, 'x');
    const when = new Date(Date.now() - 30 * 86_400_000);
    utimesSync(old, when, when);
    writeFileSync(join(dir, 'new.log.gz'), 'x');
    const cleanup = stepwise(['run', join(pkg, 'runbooks/nightly-cleanup.yaml'), '--param', `dir=${dir}`, '--param', 'pattern=*.log.gz', '--param', 'min_free_percent=0']);
    expect(cleanup.code).toBe(0);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(join(dir, 'new.log.gz'))).toBe(true);
  });

  it('runs incident-disk-full (journalctl and apt-get are fakes on PATH) when there is room: it only looks', () => {
    const logDir = join(work, 'log');
    mkdirSync(logDir, { recursive: true });
    writeFileSync(join(logDir, 'syslog'), 'x');
    const result = stepwise(['run', join(pkg, 'runbooks/incident-disk-full.yaml'), '--yes', '--param', `path=${work}`, '--param', `log_dir=${logDir}`, '--param', 'target_free_percent=0.1'], {
      PATH: `${FAKE_BIN}:${process.env.PATH ?? ''}`,
      FAKE_BIN_LOG: join(work, 'calls.txt'),
    });
    expect(result.code).toBe(0);
    expect(existsSync(join(work, 'calls.txt'))).toBe(false);
    // A hang guard: its read-only survey (du over the filesystem, every open file in /proc) is slow on a busy machine.
  }, 600_000);

  it('plans the examples that need PostgreSQL or SSH hosts', () => {
    const pg = stepwise(['plan', join(pkg, 'runbooks/pg-migrate.yaml'), '--param', 'database=orders', '--brief']);
    expect(pg.code).toBe(0);
    expect(pg.stdout).toContain('uses pg-migrate');
    const restart = stepwise(['plan', join(pkg, 'runbooks/rolling-restart.yaml'), '--inventory', join(pkg, 'runbooks/inventories/example.yaml'), '--param', 'unit=orders.service']);
    expect(restart.code).toBe(0);
    expect(restart.stdout).toMatch(/in batches of 1/);
  });
});
