/**
 * The command line of the built CLI: every command takes only its own options, mistakes are
 * exit 2 with a did-you-mean and no stack, `-V`, `help CMD`, `run FILE --help`, `plan --json`,
 * `--limit` that matches nothing, and CLI errors reported as CLI errors. A marker file proves
 * that nothing ran.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/run-cli.js';
import { workspace } from '../helpers/temp-dir.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const RUNBOOK = [
  'name: marked',
  'params:',
  '  who: { type: string, default: world, description: who to greet }',
  '  count: { type: integer, required: true, minimum: 1, maximum: 9, description: how many times }',
  '  token: { type: string, secret: true, description: API token }',
  'targets:',
  '  web: [{ host: 192.0.2.1, name: web-1 }, { host: 192.0.2.2, name: web-2 }]',
  '  db: [{ host: 192.0.2.3, name: db-1 }]',
  'steps:',
  '  - id: mark',
  '    run: touch marker',
  '  - id: restart',
  '    on: web',
  '    run: echo restart ${{ target.host }} for ${{ params.who }}',
  '',
].join('\n');

/** Exit 2, the message on stderr, no stack, and the marker step never ran. */
async function refused(args: string[], message: string) {
  const ws = workspace();
  const file = ws.write('marked.yaml', RUNBOOK);
  const result = await runCli(args.map((a) => (a === 'FILE' ? file : a)), { cwd: ws.dir, env: { STEPWISE_STATE_DIR: ws.stateDir } });
  expect(result.stderr).toContain(message);
  expect(result.code).toBe(2);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toContain('internal error');
  expect(existsSync(join(ws.dir, 'marker'))).toBe(false);
  return result;
}

describe('each command takes only its own options', () => {
  it.each([
    [['rollback', '20260101T000000.000Z-abcd', '--from', 'x', '--only', 'y'], 'unknown option --from for `stepwise rollback`'],
    [['resume', '20260101T000000.000Z-abcd', '--limit', 'web'], 'unknown option --limit for `stepwise resume`'],
    [['plan', 'FILE', '--param', 'count=1', '--state-dir', '/tmp/x'], 'unknown option --state-dir for `stepwise plan`'],
    [['plan', 'FILE', '--param', 'count=1', '--yes'], 'unknown option --yes for `stepwise plan`'],
    [['validate', 'FILE', '--param', 'count=1'], 'unknown option --param for `stepwise validate`'],
    [['history', '--param', 'x=1'], 'unknown option --param for `stepwise history`'],
    [['show', 'last', '--json'], 'unknown option --json for `stepwise show`'],
    [['schema', '--inventory', 'x'], 'unknown option --inventory for `stepwise schema`'],
  ])('%j is refused', async (args, message) => {
    await refused(args, message);
  });

  it('a mistyped option or command gets a did-you-mean', async () => {
    const parm = await refused(['run', 'FILE', '--parm', 'count=1'], 'stepwise: unknown option --parm for `stepwise run`; did you mean --param?');
    expect(parm.stderr).toContain('hint: stepwise run --help lists its options');
    await refused(['histroy'], 'stepwise: unknown command `histroy`; did you mean `history`?');
    await refused(['run', 'FILE', 'FILE'], 'unexpected argument');
    await refused(['run', 'FILE', '--', '--param'], 'unexpected argument `--param`');
    await refused(['run', 'FILE', '--state-dir'], '--state-dir needs a value');
    await refused(['run'], 'missing FILE (usage: stepwise run <file>)');
  });

  it('-V and --version print the version; help CMD is CMD --help', async () => {
    for (const flag of ['-V', '--version']) {
      const result = await runCli([flag]);
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe(VERSION);
    }
    const help = await runCli(['help', 'rollback']);
    const direct = await runCli(['rollback', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(direct.stdout);
    expect(help.stdout).toContain('stepwise rollback <runId>');
    expect(help.stdout).toContain('--dry-run');
    expect(help.stdout).not.toContain('--from');
    const general = await runCli(['help']);
    expect(general.stdout).toContain('completion <shell>');
    await refused(['help', 'rolback'], 'unknown command `rolback`; did you mean `rollback`?');
  });

  it('run FILE --help lists the runbook’s params with types, defaults, rules and descriptions', async () => {
    const ws = workspace();
    const file = ws.write('marked.yaml', RUNBOOK);
    const result = await runCli(['run', file, '--help'], { cwd: ws.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--no-rollback');
    expect(result.stdout).toContain('Params of marked (marked.yaml), given as --param NAME=VALUE or in --params-file FILE:');
    expect(result.stdout).toMatch(/who=STRING +default "world"\n\s+who to greet/);
    expect(result.stdout).toMatch(/count=INTEGER +required; ≥ 1; ≤ 9\n\s+how many times/);
    expect(result.stdout).toMatch(/token=STRING +optional; secret \(masked everywhere, never stored\)\n\s+API token/);
    expect(existsSync(join(ws.dir, 'marker'))).toBe(false);
    const bad = await runCli(['run', join(ws.dir, 'missing.yaml'), '--help'], { cwd: ws.dir });
    expect(bad.code).toBe(2);
  });
});

describe('command-line mistakes are reported as such, not located in the runbook', () => {
  it('--param without = and an unknown param', async () => {
    const result = await refused(['run', 'FILE', '--param', 'who'], 'stepwise: --param who: expected NAME=VALUE\n');
    expect(result.stderr).not.toContain('marked.yaml:');
    // A nameless word may be a secret typed without its name: never echoed.
    const nameless = await refused(['run', 'FILE', '--param', 'hunter2-secret'], 'stepwise: --param: expected NAME=VALUE');
    expect(nameless.stderr).not.toContain('hunter2-secret');
    await refused(['plan', 'FILE', '--param', 'cuont=1'], 'stepwise: --param cuont: unknown param; did you mean `count`?');
  });

  it('--from / --only naming no step', async () => {
    const result = await refused(['run', 'FILE', '--param', 'count=1', '--from', 'nosuch'], 'stepwise: --from nosuch: runbook "marked" has no step `nosuch`');
    expect(result.stderr).toContain('hint: steps: mark, restart');
    expect(result.stderr).not.toContain('marked.yaml:');
    await refused(['plan', 'FILE', '--param', 'count=1', '--only', 'mark,restrat'], '--only restrat: runbook "marked" has no step `restrat`; did you mean `restart`?');
  });

  it('--limit matching no host or group is exit 2 naming what exists, before anything runs', async () => {
    const result = await refused(['run', 'FILE', '--param', 'count=1', '--limit', 'web-9'], 'stepwise: --limit web-9 matches no host or group; did you mean `web-1`?');
    expect(result.stderr).toContain('hint: groups: web, db; hosts: web-1, web-2, db-1');
    await refused(['plan', 'FILE', '--param', 'count=1', '--limit', 'nothing-like-it'], '--limit nothing-like-it matches no host or group');
  });
});

describe('plan --json', () => {
  it('prints the plan as one JSON document: steps in order, per target, secrets masked, placeholders kept', async () => {
    const ws = workspace();
    const file = ws.write(
      'json.yaml',
      [
        'name: json-plan',
        'params:',
        '  token: { type: string, secret: true }',
        'targets:',
        '  web: [{ host: 192.0.2.1, name: web-1, user: deploy }, { host: 192.0.2.2, name: web-2 }]',
        'steps:',
        '  - id: dump',
        '    run: echo "file=/b/${{ run.id }}" >> "$STEPWISE_OUTPUT"',
        '    outputs: [file]',
        '    rollback: rm -f ${{ steps.dump.outputs.file }}',
        '  - id: push',
        '    on: web',
        '    serial: 1',
        '    run: push --token ${{ params.token }} --to ${{ target.host }}',
        '  - id: gate',
        '    confirm: Ship ${{ steps.dump.outputs.file }}?',
        'finally:',
        '  - id: bye',
        '    run: echo ${{ run.status }}',
        '',
      ].join('\n'),
    );
    const result = await runCli(['plan', file, '--param', 'token=tok-very-secret-1', '--json'], { cwd: ws.dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('tok-very-secret-1');
    const plan = JSON.parse(result.stdout) as Record<string, unknown> & { steps: Array<Record<string, unknown>>; finally: Array<Record<string, unknown>> };
    expect(plan.runbook).toBe('json-plan');
    expect(plan.params).toEqual([{ name: 'token', value: '***', secret: true }]);
    expect(plan.steps.map((s) => s.id)).toEqual(['dump', 'push', 'gate']);
    expect(plan.steps[0]?.commands).toEqual([{ targets: [], run: 'echo "file=/b/<run id>" >> "$STEPWISE_OUTPUT"', env: {} }]);
    expect(plan.steps[0]?.rollback).toMatchObject({ commands: [{ run: 'rm -f <output file of step dump>' }] });
    expect(plan.steps[1]).toMatchObject({
      on: 'web',
      targets: [
        { name: 'web-1', address: 'deploy@192.0.2.1' },
        { name: 'web-2', address: '192.0.2.2' },
      ],
      batches: [['web-1'], ['web-2']],
      commands: [
        { targets: ['web-1'], run: 'push --token *** --to 192.0.2.1' },
        { targets: ['web-2'], run: 'push --token *** --to 192.0.2.2' },
      ],
    });
    expect(plan.steps[2]).toMatchObject({ kind: 'confirm', confirm: 'Ship <output file of step dump>?' });
    expect(plan.finally[0]).toMatchObject({ id: 'bye', commands: [{ run: 'echo <run status>' }] });
    expect(plan.compensation).toEqual(['dump']);
    // run --dry-run --json is the same document.
    const dry = await runCli(['run', file, '--param', 'token=tok-very-secret-1', '--json', '--dry-run'], { cwd: ws.dir, env: { STEPWISE_STATE_DIR: join(ws.dir, 'state') } });
    expect(dry.stdout).toBe(result.stdout);
    expect(existsSync(join(ws.dir, 'state'))).toBe(false);
  });
});
