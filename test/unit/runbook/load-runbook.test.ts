/** loadRunbook on valid runbooks: the typed model, its defaults and the library binding. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Runbook, Step } from '../../../src/runbook/model.js';
import { loadRunbook } from '../../../src/runbook/load-runbook.js';
import { tempDir } from '../../helpers/temp-dir.js';

const VALID = resolve('test/fixtures/runbooks/valid/orders-db-migrate.yaml');
const home = tempDir('stepwise-home-');
const savedHome = process.env.HOME;

function step(runbook: Runbook, id: string): Step {
  const found = [...runbook.steps, ...runbook.finally].find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id}`);
  return found;
}

function command(s: Step) {
  if (s.action.kind !== 'run') throw new Error(`${s.id} is not a run step`);
  return s.action.command;
}

beforeAll(() => {
  // The SPEC example names identity: ~/.ssh/deploy, which must exist.
  home.write('.ssh/deploy', 'not a real key\n');
  process.env.HOME = home.dir;
});
afterAll(() => {
  process.env.HOME = savedHome;
  home.remove();
});

describe('the SPEC §2 example', () => {
  let runbook: Runbook;
  beforeAll(async () => {
    runbook = await loadRunbook(VALID);
  });

  it('keeps the file, its text and the top-level settings', () => {
    expect(runbook.file).toBe(VALID);
    expect(runbook.source).toBe(readFileSync(VALID, 'utf8'));
    expect(runbook).toMatchObject({ name: 'orders-db-migrate', lock: 'orders-db', onFailure: 'rollback', env: { PGDATABASE: 'orders' } });
    expect(runbook.description).toContain('Migrates the orders schema');
  });

  it('types params with their rules and defaults', () => {
    expect(runbook.params.map((p) => [p.name, p.type, p.required, p.default, p.secret])).toEqual([
      ['version', 'string', true, undefined, false],
      ['batch', 'integer', false, 500, false],
      ['token', 'string', false, undefined, true],
      ['dry', 'boolean', false, false, false],
      ['env', 'string', false, 'staging', false],
    ]);
    expect(runbook.params[0]).toMatchObject({ pattern: '^v[0-9]+$', description: 'target schema', location: { line: 8, col: 3 } });
    expect(runbook.params[4]?.enum).toEqual(['staging', 'prod']);
  });

  it('builds the inline inventory: list groups and groups with shared fields', () => {
    const db = runbook.targets.groups.get('db');
    expect(db).toEqual([expect.objectContaining({ name: '127.0.0.1', host: '127.0.0.1', port: 2222, user: 'postgres' })]);
    const web = runbook.targets.groups.get('web') ?? [];
    expect(web.map((h) => [h.name, h.user, h.identity])).toEqual([
      ['web-1.internal', 'deploy', join(home.dir, '.ssh/deploy')],
      ['web-2.internal', 'deploy', join(home.dir, '.ssh/deploy')],
    ]);
    expect([...runbook.targets.hosts.keys()]).toEqual(['127.0.0.1', 'web-1.internal', 'web-2.internal']);
  });

  it('applies defaults and converts durations to ms', () => {
    const backup = step(runbook, 'backup');
    expect(backup).toMatchObject({ on: 'db', name: 'Back up orders', continueOnError: false });
    expect(command(backup)).toMatchObject({ shell: 'bash', timeoutMs: 600_000, retry: { attempts: 1, delayMs: 0, backoff: 1 } });
    // A rollback takes its timeout from defaults (5m), not from the step it undoes.
    expect(backup.rollback?.command).toMatchObject({ run: 'rm -f /backups/orders-${{ run.id }}.dump', timeoutMs: 300_000 });
    expect(command(step(runbook, 'verify'))).toMatchObject({ timeoutMs: 300_000, retry: { attempts: 10, delayMs: 3000, backoff: 1 } });
    expect(step(runbook, 'verify').continueOnError).toBe(true);
  });

  it('binds the library step with its inputs and lets the step override its defaults', () => {
    const migrate = step(runbook, 'migrate');
    expect(migrate.uses).toBe('pg-migrate');
    const cmd = command(migrate);
    expect(cmd.library).toMatchObject({ name: 'pg-migrate', file: resolve('test/fixtures/runbooks/valid/steps/pg-migrate.yaml'), with: { version: '${{ params.version }}' } });
    expect(cmd.library?.inputs.map((i) => i.name)).toEqual(['version', 'database', 'batch']);
    expect(cmd.run).toContain('migrating ${{ inputs.database }}');
    expect(cmd).toMatchObject({ timeoutMs: 900_000, retry: { attempts: 3, delayMs: 2000, backoff: 2, maxDelayMs: 30_000 }, env: { PGAPPNAME: 'stepwise-${{ inputs.database }}' } });
    expect(cmd.location).toMatchObject({ file: 'test/fixtures/runbooks/valid/steps/pg-migrate.yaml', line: 8 });
    expect(migrate.outputs).toEqual(['previous']);
    expect(migrate.rollback?.command).toMatchObject({ timeoutMs: 120_000 });
    expect(migrate.rollback?.command.library).toBeUndefined();
  });

  it('keeps confirm prompts, conditions without ${{ }}, serial and finally', () => {
    expect(step(runbook, 'go-live').action).toEqual({ kind: 'confirm', prompt: 'Dashboards green? Switch traffic to the new schema?' });
    expect(step(runbook, 'restart')).toMatchObject({ on: 'web', serial: 1, when: 'params.dry == false' });
    expect(runbook.finally.map((s) => s.id)).toEqual(['notify']);
    expect(step(runbook, 'restart').location).toMatchObject({ line: 41, col: 5 });
  });
});

describe('defaults and inheritance', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('uses the documented defaults when the runbook sets none', async () => {
    const runbook = await loadRunbook(dir.write('minimal.yaml', 'name: minimal\nsteps:\n  - id: a\n    run: echo a\n'));
    expect(runbook).toMatchObject({ lock: 'minimal', onFailure: 'rollback', params: [], secrets: [], env: {} });
    expect(runbook.steps[0]).toMatchObject({ on: 'local', continueOnError: false, outputs: [] });
    expect(command(runbook.steps[0] as Step)).toEqual({
      run: 'echo a',
      shell: 'bash',
      env: {},
      timeoutMs: 3_600_000,
      retry: { attempts: 1, delayMs: 0, backoff: 1 },
      location: { file: expect.stringContaining('minimal.yaml'), line: 4, col: 10 },
    });
  });

  it('layers retry field by field and env key by key', async () => {
    const file = dir.write(
      'layers.yaml',
      [
        'name: layers',
        'defaults: { retry: { attempts: 3, delay: 1s }, env: { A: 1, B: two }, shell: sh, cwd: /tmp, on: local, timeout: 90 }',
        'steps:',
        '  - id: a',
        '    run: echo a',
        '    retry: 5',
        '    env: { B: three, C: true }',
        '    when: true',
      ].join('\n'),
    );
    const a = (await loadRunbook(file)).steps[0] as Step;
    expect(command(a)).toMatchObject({ shell: 'sh', cwd: '/tmp', timeoutMs: 90_000, retry: { attempts: 5, delayMs: 1000, backoff: 1 }, env: { A: '1', B: 'three', C: 'true' } });
    expect(a.when).toBe('true');
  });

  it("gives a library step the library's rollback with the same inputs unless it has its own", async () => {
    dir.write('steps/touch-file.yaml', 'inputs:\n  path: { type: string, required: true }\nrun: touch "${{ inputs.path }}"\nrollback: rm -f "${{ inputs.path }}"\ntimeout: 2m\nenv: { MODE: lib }\n');
    const file = dir.write(
      'lib.yaml',
      [
        'name: lib',
        'steps:',
        '  - id: a',
        '    uses: touch-file',
        '    with: { path: /tmp/a }',
        '    env: { MODE: step }',
        '    timeout: 10s',
        '  - id: b',
        '    run: echo b',
        '    rollback: { uses: touch-file, with: { path: /tmp/b }, timeout: 5s }',
      ].join('\n'),
    );
    const runbook = await loadRunbook(file);
    const a = runbook.steps[0] as Step;
    expect(command(a)).toMatchObject({ timeoutMs: 10_000, env: { MODE: 'step' }, library: { name: 'touch-file', with: { path: '/tmp/a' } } });
    expect(a.rollback?.command).toMatchObject({ run: 'rm -f "${{ inputs.path }}"', timeoutMs: 3_600_000, env: { MODE: 'step' }, library: { with: { path: '/tmp/a' } } });
    expect(a.rollback?.command.location.file).toContain('touch-file.yaml');
    const b = runbook.steps[1] as Step;
    expect(b.rollback?.command).toMatchObject({ run: 'touch "${{ inputs.path }}"', timeoutMs: 5000, library: { name: 'touch-file', with: { path: '/tmp/b' } } });
  });

  it('lets finally steps and rollbacks refer to results that exist by then', async () => {
    const file = dir.write(
      'refs.yaml',
      [
        'name: refs',
        'steps:',
        '  - id: dump',
        '    run: echo "file=/tmp/x" >> "$STEPWISE_OUTPUT"',
        '    outputs: [file]',
        '    rollback: rm -f "${{ steps.dump.outputs.file }}"',
        '    env: { HOST: "${{ target.host }}", VAR: "${{ target.vars.region }}", RUN: "${{ run.runbook }}" }',
        'finally:',
        '  - id: report',
        '    run: echo "${{ steps.dump.status }} ${{ steps.dump.exitCode }} ${{ steps.dump.stdout }} ${{ steps.later.status }}"',
        '  - id: later',
        '    run: echo "${{ env.HOME }}"',
      ].join('\n'),
    );
    await expect(loadRunbook(file)).rejects.toMatchObject({
      diagnostics: [expect.objectContaining({ path: 'finally[0].run', message: 'step `later` runs after this one, so its results do not exist yet' })],
    });
  });

  it('checks references to outputs against the declared ones', async () => {
    const file = dir.write(
      'outputs.yaml',
      ['name: outputs', 'steps:', '  - id: a', '    run: "true"', '    outputs: { dump-file: where the dump is }', '  - id: b', '    run: echo ${{ steps.a.outputs.dump-fil }} ${{ steps.a.outputs.dump-file }}', '    name: ${{ inputs.x }}'].join('\n'),
    );
    await expect(loadRunbook(file)).rejects.toMatchObject({
      diagnostics: [
        expect.objectContaining({ location: expect.objectContaining({ line: 7, col: 19 }), message: expect.stringContaining('step `a` declares no output `dump-fil`; did you mean `dump-file`?') }),
        expect.objectContaining({ location: expect.objectContaining({ line: 8, col: 15 }), message: expect.stringContaining('`inputs` exist only inside a library step file') }),
      ],
    });
  });
});
