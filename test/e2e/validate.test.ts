/**
 * `stepwise validate` and `stepwise schema` as an operator runs them: the built CLI, exit
 * codes, `FILE: ok` on stdout, located problems on stderr, never a stack trace.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CLI_PATH, runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const VALID = 'test/fixtures/runbooks/valid/orders-db-migrate.yaml';
const INVALID_DIR = 'test/fixtures/runbooks/invalid';
const home = tempDir('stepwise-home-');
home.write('.ssh/deploy', 'not a real key\n');
const env = { HOME: home.dir };
afterAll(() => home.remove());

/** No stack frames and no "internal error": user errors are never bugs. */
function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(text).not.toContain('internal error');
}

describe('stepwise validate', () => {
  it('prints FILE: ok and exits 0 for the SPEC example', async () => {
    const result = await runCli(['validate', VALID], { env });
    expect(result).toMatchObject({ code: 0, stdout: `${VALID}: ok\n`, stderr: '' });
  });

  it('checks every file, reporting each problem as FILE:LINE:COL path: message, and exits 2', async () => {
    const bad = join(INVALID_DIR, 'unknown-keys.yaml');
    const result = await runCli(['validate', VALID, bad], { env });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe(`${VALID}: ok\n`);
    expect(result.stderr.split('\n')).toEqual([
      `${bad}:2:1 descripton: unknown key \`descripton\`; did you mean \`description\`?`,
      `${bad}:4:27 params.batch.defualt: unknown key \`defualt\`; did you mean \`default\`?`,
      `${bad}:8:5 steps[0].retyr: unknown key \`retyr\`; did you mean \`retry\`?`,
      `${bad}:11:14 steps[1].retry.atempts: unknown key \`atempts\`; did you mean \`attempts\`?`,
      `${bad}:12:33 steps[1].rollback.tiemout: unknown key \`tiemout\`; did you mean \`timeout\`?`,
      `${bad}: 5 problems`,
      '',
    ]);
  });

  it('exits 2 with a located error and no stack trace for every file of the bad-input corpus', async () => {
    const files = readdirSync(INVALID_DIR).filter((name) => name.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(25);
    const result = await runCli(['validate', ...files.map((name) => join(INVALID_DIR, name))], { env });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    // Each file ends with its summary line, after at least one FILE:LINE:COL line.
    for (const name of files) expect(result.stderr).toContain(`${join(INVALID_DIR, name)}: `);
    const located = result.stderr.split('\n').filter((line) => /^test\/fixtures\/runbooks\/invalid\/(steps\/)?[a-z0-9-]+\.yaml:\d+:\d+ /.test(line));
    expect(located.length).toBeGreaterThanOrEqual(files.length);
    expectNoStackTrace(result.stderr);
  });

  it('a directory and a missing path', async () => {
    const dir = await runCli(['validate', 'test/fixtures'], { env });
    expect(dir).toMatchObject({ code: 2, stdout: '' });
    expect(dir.stderr).toContain('test/fixtures:1:1 is a directory, not a runbook file; hint: name the YAML file itself');
    const missing = await runCli(['validate', 'no/such/runbook.yaml'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no/such/runbook.yaml:1:1 runbook file not found; hint: check the path');
    expectNoStackTrace(dir.stderr + missing.stderr);
  });

  it('an unreadable file (as a non-root user: root can read a mode-000 file)', async () => {
    const dir = tempDir();
    try {
      chmodSync(dir.dir, 0o755);
      const file = dir.write('secret.yaml', 'name: x\nsteps: [{ id: a, run: x }]\n');
      chmodSync(file, 0o000);
      let result: { code: number | null; stderr: string };
      if (process.getuid?.() === 0) {
        // Drop to `nobody` for this one command; runuser ships with util-linux.
        const run = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, CLI_PATH, 'validate', file], { encoding: 'utf8', cwd: '/' });
        if (run.error) throw new Error(`cannot test unreadable files as root without runuser: ${run.error.message}`);
        result = { code: run.status, stderr: run.stderr };
      } else {
        result = await runCli(['validate', file]);
      }
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/secret\.yaml:1:1 cannot read the runbook file: permission denied; hint: check its permissions/);
      expectNoStackTrace(result.stderr);
    } finally {
      dir.remove();
    }
  });

  it('--inventory replaces inline targets', async () => {
    const dir = tempDir();
    try {
      const runbook = dir.write('rb.yaml', 'name: rb\nsteps:\n  - id: a\n    on: fleet\n    run: "true"\n');
      const inventory = dir.write('inv.yaml', 'fleet: [f1]\n');
      expect((await runCli(['validate', runbook, '--inventory', inventory])).code).toBe(0);
      const without = await runCli(['validate', runbook]);
      expect(without.code).toBe(2);
      expect(without.stderr).toContain(':4:9 steps[0].on: unknown target `fleet`');
    } finally {
      dir.remove();
    }
  });

  it('does not load the engine, execa or listr2, and reads YAML with `yaml` alone (static import graph of the command)', () => {
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string, followDynamic: boolean) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      const specifiers = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s*['"]([^'"]+)['"]/gm), ...text.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)].map((m) => m[1] as string);
      if (followDynamic) specifiers.push(...[...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] as string));
      for (const specifier of specifiers) {
        if (specifier.startsWith('.')) visit(resolve(file, '..', specifier), true);
        else packages.add(specifier.split('/')[0] as string);
      }
    };
    visit(CLI_PATH, false); // main.js imports each command lazily, when it runs
    visit(resolve(CLI_PATH, '../commands/validate.js'), true);
    expect(packages.has('execa') || packages.has('listr2')).toBe(false);
    expect([...seen].some((file) => file.includes('/engine/'))).toBe(false);
    // One YAML parser reads every file and locates every problem.
    expect(packages.has('yaml')).toBe(true);
    expect(packages.has('js-yaml')).toBe(false);
  });
});

describe('stepwise schema', () => {
  it('prints the JSON Schema, pretty, for editors', async () => {
    const result = await runCli(['schema']);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(printed).toEqual(JSON.parse(readFileSync('src/runbook/runbook.schema.json', 'utf8')));
    expect(printed.$id).toBe('https://example.invalid/stepwise/runbook.schema.json');
    expect(result.stdout).toContain('\n  "properties": {');
  });
});
