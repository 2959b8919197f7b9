/**
 * `resume` and `rollback` of the built CLI do exactly what they say: `--dry-run` prints what
 * would run or be compensated and executes nothing (a trace file, the journal bytes, the
 * lock dir and a real PostgreSQL database prove it), the real command then does what the
 * dry run listed, the run's own params and selection are kept, and `rollback` asks first
 * on a terminal.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonLines, runCli } from '../helpers/run-cli.js';
import { workspace } from '../helpers/temp-dir.js';
import { postgresAvailable, startPostgres, type PgCluster } from '../helpers/postgres.js';
import { runInPty } from '../helpers/pty.js';
import { sshdAvailable, startSshd, type RunningSshd } from '../helpers/sshd.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const RUNBOOK = [
  'name: undoable',
  'params:',
  '  dir: { type: string, required: true }',
  '  token: { type: string, secret: true, required: true }',
  'steps:',
  '  - id: a',
  '    run: |',
  '      echo "ran a" >> trace',
  '      echo "file=${{ params.dir }}/dump" >> "$STEPWISE_OUTPUT"',
  '    outputs: [file]',
  '    rollback: echo "undo a ${{ params.dir }}" >> trace',
  '  - id: b',
  '    run: echo "ran b" >> trace',
  '    rollback: echo "undo b ${{ steps.a.outputs.file }} ${{ params.token }}" >> trace',
  '  - id: c',
  '    run: echo "ran c" >> trace; test -e fixed',
  '  - id: d',
  '    run: echo "ran d ${{ steps.a.outputs.file }} ${{ run.id }}" >> trace',
  'finally:',
  '  - id: f',
  '    run: echo "finally ${{ run.status }}" >> trace',
  '',
].join('\n');

const SECRET = 'tok-5e1f-secret';

/** A run of RUNBOOK halted at step c (--no-rollback): a and b done, c failed. */
async function haltedRun() {
  const ws = workspace();
  const file = ws.write('undoable.yaml', RUNBOOK);
  const env = { STEPWISE_STATE_DIR: ws.stateDir };
  const run = await runCli(['run', file, '--param', 'dir=/srv/A', '--param', `token=${SECRET}`, '--no-rollback', '--json'], { cwd: ws.dir, env });
  expect(run.code).toBe(1);
  const runId = String(jsonLines(run.stdout)[0]?.runId);
  const runDir = join(ws.stateDir, 'runs', runId);
  const trace = () => readFileSync(join(ws.dir, 'trace'), 'utf8');
  /** Everything a command could change on disk: the trace, the journal, meta.json, the locks. */
  const untouched = () => ({ trace: trace(), journal: readFileSync(join(runDir, 'journal.jsonl'), 'utf8'), meta: readFileSync(join(runDir, 'meta.json'), 'utf8'), locks: readdirSync(join(ws.stateDir, 'locks')) });
  expect(trace()).toBe('ran a\nran b\nran c\nfinally failed\n');
  return { ws, file, env, runId, trace, untouched, cli: (args: string[], cwd = ws.dir) => runCli(args, { cwd, env }) };
}

describe('rollback --dry-run', () => {
  it('lists the compensation newest first with the run’s values, executes nothing, and the real rollback then does exactly that', async () => {
    const h = await haltedRun();
    const before = h.untouched();
    const dry = await h.cli(['rollback', h.runId, '--dry-run']);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`Rollback of run ${h.runId} (undoable)`);
    expect(dry.stdout).toMatch(/1\. b {2}on local[^\n]*\n\s+rollback {2}echo "undo b \/srv\/A\/dump \*\*\*" >> trace\n\s+2\. a {2}on local[^\n]*\n\s+rollback {2}echo "undo a \/srv\/A" >> trace/);
    expect(dry.stdout).toContain('Then the finally steps, in order: f');
    expect(dry.stdout).not.toContain(SECRET);
    const json = await h.cli(['rollback', h.runId, '--dry-run', '--json']);
    const doc = JSON.parse(json.stdout) as { compensate: Array<{ stepId: string; targets: string[] }>; nothingToUndo: boolean };
    expect(doc.compensate.map((c) => [c.stepId, c.targets])).toEqual([
      ['b', ['local']],
      ['a', ['local']],
    ]);
    expect(doc.nothingToUndo).toBe(false);
    // Nothing ran, nothing was journaled, no lock was taken, no session was recorded.
    expect(h.untouched()).toEqual(before);

    // Without a terminal the command itself is the request: it runs what the dry run listed.
    const real = await h.cli(['rollback', h.runId, '--param', `token=${SECRET}`]);
    expect(real.code).toBe(1);
    expect(h.trace()).toBe(`${before.trace}undo b /srv/A/dump ${SECRET}\nundo a /srv/A\nfinally rolledBack\n`);

    // Now there is nothing left to compensate: said so, nothing runs, nothing is journaled.
    const after = h.untouched();
    const again = await h.cli(['rollback', h.runId]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`nothing to undo: no step of run ${h.runId} has a rollback still to run\n`);
    expect(h.untouched()).toEqual(after);
  });

  it('a run with no rollback to run says "nothing to undo", dry or not', async () => {
    const ws = workspace();
    const file = ws.write('plain.yaml', 'name: plain\nsteps:\n  - id: x\n    run: echo "ran x" >> trace; exit 4\nfinally:\n  - id: f\n    run: echo finally >> trace\n');
    const env = { STEPWISE_STATE_DIR: ws.stateDir };
    const run = await runCli(['run', file, '--json'], { cwd: ws.dir, env });
    const runId = String(jsonLines(run.stdout)[0]?.runId);
    for (const args of [['--dry-run'], [], ['--dry-run', '--json']]) {
      const result = await runCli(['rollback', runId, ...args], { cwd: ws.dir, env });
      expect(result.code).toBe(0);
      if (args.includes('--json')) expect(JSON.parse(result.stdout)).toMatchObject({ nothingToUndo: true, compensate: [], finally: [] });
      else expect(result.stdout).toContain('nothing to undo');
    }
    expect(readFileSync(join(ws.dir, 'trace'), 'utf8')).toBe('ran x\nfinally\n');
  });
});

describe('resume --dry-run', () => {
  it('lists what is left with what the run knows filled in, executes nothing; resume then runs exactly that', async () => {
    const h = await haltedRun();
    const before = h.untouched();
    const dry = await h.cli(['resume', h.runId, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`Resume of run ${h.runId} (undoable)`);
    expect(dry.stdout).toContain(`(already done in run ${h.runId}, not run again: a, b)`);
    expect(dry.stdout).not.toMatch(/\d\. a\b/);
    expect(dry.stdout).toContain('3. c');
    expect(dry.stdout).toContain(`run       echo "ran d /srv/A/dump ${h.runId}" >> trace`);
    expect(dry.stdout).toContain('If a step fails the run halts (--no-rollback)');
    const json = JSON.parse((await h.cli(['resume', h.runId, '--dry-run', '--json'])).stdout) as { steps: Array<{ id: string }>; resume: { done: string[] } };
    expect(json.steps.map((s) => s.id)).toEqual(['c', 'd']);
    expect(json.resume.done).toEqual(['a', 'b']);
    expect(h.untouched()).toEqual(before);

    writeFileSync(join(h.ws.dir, 'fixed'), '');
    const resumed = await h.cli(['resume', h.runId, '--param', `token=${SECRET}`]);
    expect(resumed.code).toBe(0);
    expect(h.trace()).toBe(`${before.trace}ran c\nran d /srv/A/dump ${h.runId}\nfinally succeeded\n`);
  });
});

describe('resume and rollback act on what the run used', () => {
  it('refuse a changed param, naming the value the run used; a secret is given back', async () => {
    const h = await haltedRun();
    const before = h.untouched();
    for (const command of ['rollback', 'resume']) {
      const changed = await h.cli([command, h.runId, '--param', 'dir=/srv/B', '--param', `token=${SECRET}`]);
      expect(changed.code).toBe(2);
      expect(changed.stderr).toContain(`stepwise: param \`dir\`: run ${h.runId} used dir=/srv/A, not /srv/B; ${command} acts on what run ${h.runId} used`);
      const dry = await h.cli([command, h.runId, '--dry-run', '--param', 'dir=/srv/B']);
      expect(dry.code).toBe(2);
      const noSecret = await h.cli([command, h.runId]);
      expect(noSecret.code).toBe(2);
      expect(noSecret.stderr).toContain('needs secret param `token` again');
      const selection = await h.cli([command, h.runId, '--from', 'a']);
      expect(selection.code).toBe(2);
      expect(selection.stderr).toContain('acts on what the run itself used');
    }
    expect(h.untouched()).toEqual(before);
    // The same value again is not a change.
    const same = await h.cli(['rollback', h.runId, '--param', 'dir=/srv/A', '--param', `token=${SECRET}`]);
    expect(same.code).toBe(1);
    expect(h.trace()).toContain('undo a /srv/A\n');
  });

  it('keeps the inventory and --limit of the run, found from where it started', async () => {
    const ws = workspace();
    const file = ws.write('inv.yaml', 'name: inv\nsteps:\n  - id: one\n    run: echo one >> trace; test -e fixed\n');
    ws.write('hosts.yaml', 'web: [{ host: 192.0.2.1, name: web-1 }, { host: 192.0.2.2, name: web-2 }]\n');
    const env = { STEPWISE_STATE_DIR: ws.stateDir };
    const run = await runCli(['run', file, '--inventory', 'hosts.yaml', '--limit', 'web-2', '--json'], { cwd: ws.dir, env });
    const runId = String(jsonLines(run.stdout)[0]?.runId);
    const elsewhere = await runCli(['resume', runId, '--dry-run'], { cwd: '/', env });
    expect(elsewhere.code).toBe(0);
    expect(elsewhere.stdout).toContain(`inventory ${join(ws.dir, 'hosts.yaml')} · --limit web-2`);
    rmSync(join(ws.dir, 'hosts.yaml'));
    const gone = await runCli(['resume', runId], { cwd: ws.dir, env });
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain(`run ${runId} used --inventory hosts.yaml (${join(ws.dir, 'hosts.yaml')}), which is gone`);
    expect(readFileSync(join(ws.dir, 'trace'), 'utf8')).toBe('one\n');
  });
});

describe('resume of a run that failed and was compensated', () => {
  it('nothing undone: resume continues from the failed step (offered in the summary); something undone: refused, nothing runs', async () => {
    const ws = workspace();
    const env = { STEPWISE_STATE_DIR: ws.stateDir };
    const plain = ws.write('plain.yaml', 'name: plain\nsteps:\n  - id: one\n    run: echo one >> trace-plain\n  - id: two\n    run: test -e fixed && echo two >> trace-plain\n');
    const failed = await runCli(['run', plain], { cwd: ws.dir, env });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/nothing to undo/);
    const id = /run (\S+) failed/.exec(failed.stderr)?.[1] as string;
    expect(failed.stderr).toContain(`next: stepwise resume ${id}`);
    writeFileSync(join(ws.dir, 'fixed'), '');
    const resumed = await runCli(['resume', id], { cwd: ws.dir, env });
    expect(resumed.code).toBe(0);
    expect(readFileSync(join(ws.dir, 'trace-plain'), 'utf8')).toBe('one\ntwo\n');

    const undone = ws.write('undone.yaml', 'name: undone\nsteps:\n  - id: one\n    run: echo one >> trace-undone\n    rollback: echo undo >> trace-undone\n  - id: two\n    run: exit 4\n');
    const rolled = await runCli(['run', undone, '--json'], { cwd: ws.dir, env });
    expect(rolled.code).toBe(1);
    const rolledId = String(jsonLines(rolled.stdout)[0]?.runId);
    const refused = await runCli(['resume', rolledId], { cwd: ws.dir, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('was rolled back: it is finished, so there is nothing to resume');
    expect(readFileSync(join(ws.dir, 'trace-undone'), 'utf8')).toBe('one\nundo\n');
  });
});

describe('secrets of a continued run', () => {
  it('a relative secrets: file is read beside the runbook the run started from, not its stored copy', async () => {
    const ws = workspace();
    ws.write('pw.txt', 'pw-7a1c\n');
    const file = ws.write('sec.yaml', 'name: sec\nsecrets:\n  PW: { file: ./pw.txt }\nsteps:\n  - id: one\n    run: test -e fixed && echo "got $PW" >> trace\n');
    const env = { STEPWISE_STATE_DIR: ws.stateDir };
    const run = await runCli(['run', file, '--json'], { cwd: ws.dir, env });
    expect(run.code).toBe(1);
    writeFileSync(join(ws.dir, 'fixed'), '');
    const resumed = await runCli(['resume', String(jsonLines(run.stdout)[0]?.runId)], { cwd: '/', env });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(readFileSync(join(ws.dir, 'trace'), 'utf8')).toBe('got pw-7a1c\n');
  });
});

describe('rollback on a terminal asks first', () => {
  it('shows what it will compensate; no does nothing, yes compensates, --yes does not ask', async () => {
    const h = await haltedRun();
    const before = h.untouched();
    const args = ['rollback', h.runId, '--param', `token=${SECRET}`];
    const declined = runInPty(args, { cwd: h.ws.dir, env: { STEPWISE_STATE_DIR: h.ws.stateDir } });
    await declined.waitFor('Compensate now? [y yes / n no]');
    expect(declined.raw).toContain('echo "undo b /srv/A/dump ***" >> trace');
    declined.type('n\n');
    const no = await declined.done;
    expect(no.code).toBe(0);
    expect(no.text).toContain(`not rolled back: nothing was done; run ${h.runId} is as it was`);
    expect(h.untouched()).toEqual(before);

    const ended = runInPty(args, { cwd: h.ws.dir, env: { STEPWISE_STATE_DIR: h.ws.stateDir } });
    await ended.waitFor('Compensate now?');
    ended.type('\u0004');
    expect((await ended.done).text).toContain('no answer: nothing was done');
    expect(h.untouched()).toEqual(before);

    const accepted = runInPty(args, { cwd: h.ws.dir, env: { STEPWISE_STATE_DIR: h.ws.stateDir } });
    await accepted.waitFor('Compensate now?');
    accepted.type('y\n');
    expect((await accepted.done).code).toBe(1);
    expect(h.trace()).toContain('undo b /srv/A/dump tok-5e1f-secret\nundo a /srv/A\n');
  });

  it('--yes skips the question', async () => {
    const h = await haltedRun();
    const result = await runInPty(['rollback', h.runId, '--yes', '--param', `token=${SECRET}`], { cwd: h.ws.dir, env: { STEPWISE_STATE_DIR: h.ws.stateDir } }).done;
    expect(result.code).toBe(1);
    expect(result.text).not.toContain('Compensate now?');
    expect(h.trace()).toContain('undo a /srv/A\n');
  });
});

const describePg = postgresAvailable() ? describe : describe.skip;

describePg('rollback --dry-run of runbooks/pg-migrate.yaml on a real PostgreSQL', () => {
  let pg: PgCluster;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(() => pg?.stop());

  it('restores nothing: the database stays migrated until the real rollback restores the backup', async () => {
    const db = 'orders_dry';
    pg.createDatabase(db);
    const fixtures = join(ROOT, 'test/fixtures/pg');
    pg.psql(readFileSync(join(fixtures, 'seed.sql'), 'utf8'), db);
    const ws = workspace();
    const migrations = join(ws.dir, 'migrations');
    mkdirSync(migrations);
    cpSync(join(fixtures, 'migrations/0001_create_orders.sql'), join(migrations, '0001_create_orders.sql'));
    mkdirSync(join(ws.dir, 'backups'));
    const env = { ...pg.env, STEPWISE_STATE_DIR: ws.stateDir };
    const original = pg.snapshot(db);
    const params = ['database', db, 'migrations', migrations, 'backup_dir', join(ws.dir, 'backups'), 'verify_sql', 'SELECT false'].flatMap((v, i, all) => (i % 2 === 0 ? ['--param', `${v}=${all[i + 1] ?? ''}`] : []));
    const run = await runCli(['run', join(ROOT, 'runbooks/pg-migrate.yaml'), ...params, '--json', '--yes', '--no-rollback'], { cwd: ws.dir, env });
    expect(run.code).toBe(1);
    const runId = String(jsonLines(run.stdout)[0]?.runId);
    const migrated = pg.snapshot(db);
    expect(migrated).not.toBe(original);

    const dry = await runCli(['rollback', runId, '--dry-run'], { cwd: ws.dir, env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/1\. migrate {2}on local/);
    expect(dry.stdout).toContain(join(ws.dir, 'backups'));
    // The marker: the database itself. A dry run that restored the dump would change it.
    expect(pg.snapshot(db)).toBe(migrated);
    expect(existsSync(join(ws.stateDir, 'locks', 'pg-migrate.lock'))).toBe(false);

    const real = await runCli(['rollback', runId, '--json'], { cwd: ws.dir, env });
    expect(real.code).toBe(1);
    expect(jsonLines(real.stdout).filter((e) => e.type === 'rollback.started').map((e) => e.stepId)).toEqual(['migrate']);
    expect(pg.snapshot(db)).toBe(original);
  }, 180_000);
});

const describeSsh = sshdAvailable() ? describe : describe.skip;

describeSsh('rollback --dry-run per host, over real SSH', () => {
  let sshd: RunningSshd;
  beforeAll(async () => {
    sshd = await startSshd({ hosts: 2 });
  });
  afterAll(() => sshd?.stop());

  it('lists each host in the order the real rollback visits them', async () => {
    const ws = workspace();
    const hosts = sshd.hosts.map((h) => `  - ${JSON.stringify({ name: h.name, host: h.host, port: h.port, user: h.user, identity: h.identity, ssh_options: h.sshOptions })}`);
    ws.write('hosts.yaml', ['web:', ...hosts, ''].join('\n'));
    const file = ws.write(
      'fleet.yaml',
      ['name: fleet', 'steps:', '  - id: deploy', '    on: web', '    serial: 1', '    run: echo deployed ${{ target.name }}', '    rollback: echo undo ${{ target.name }}', '  - id: fail', '    run: exit 1', ''].join('\n'),
    );
    const env = { STEPWISE_STATE_DIR: ws.stateDir };
    const run = await runCli(['run', file, '--inventory', 'hosts.yaml', '--no-rollback', '--json'], { cwd: ws.dir, env });
    expect(run.code).toBe(1);
    const runId = String(jsonLines(run.stdout)[0]?.runId);
    const dry = await runCli(['rollback', runId, '--dry-run'], { cwd: ws.dir, env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/1\. deploy {2}on web-2, then web-1;[^\n]*\n\s+rollback {2}on web-2: echo undo web-2\n\s+on web-1: echo undo web-1/);
    const real = await runCli(['rollback', runId, '--json'], { cwd: ws.dir, env });
    expect(real.code).toBe(1);
    const started = jsonLines(real.stdout).filter((e) => e.type === 'rollback.started');
    expect(started.map((e) => [e.stepId, e.targets])).toEqual([['deploy', ['web-2', 'web-1']]]);
    const outputs = jsonLines(real.stdout).filter((e) => e.type === 'step.output' && e.phase === 'rollback').map((e) => e.line);
    expect(outputs).toEqual(['undo web-2', 'undo web-1']);
    // A hang guard sized for a loaded shared machine (three CLI runs over SSH), not a speed check.
  }, 180_000);
});
