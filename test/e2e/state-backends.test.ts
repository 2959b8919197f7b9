/**
 * The built CLI on both state backends (issue 15): a runner SIGKILLed on "machine A" (one
 * HOME, one working directory) and resumed or rolled back on "machine B" (another, without
 * the runbook file); ten racers for one lock; secrets never stored; blockAfterFailure and
 * `ack`. With PostgreSQL the machines share only the database; with a state dir, the folder.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLines, runCli, startCli } from '../helpers/run-cli.js';
import { workspace } from '../helpers/temp-dir.js';
import { killRunProcesses } from '../helpers/run-processes.js';
import { backendNames, cleanBackends, freshBackend, type StateBackend } from '../helpers/state-backends.js';

afterAll(cleanBackends);

const count = (dir: string, name: string) => (existsSync(join(dir, `${name}.count`)) ? readFileSync(join(dir, `${name}.count`), 'utf8').split('\n').filter(Boolean).length : 0);
const tick = (dir: string, name: string) => `echo x >> ${dir}/${name}.count`;

/** Runs the CLI as machine `machine` of the backend, in that machine's own working directory. */
function cli(backend: StateBackend, machine: string, args: string[], dir: string) {
  const cwd = join(dir, `cwd-${machine}`);
  mkdirSync(cwd, { recursive: true });
  return { args: [...args, ...backend.cliArgs(machine)], options: { cwd, env: backend.env(machine) } };
}

/** Every file under a directory, as one text (to look for a secret in it). */
function allText(dir: string): string {
  if (!existsSync(dir)) return '';
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), 'latin1'))
    .join('\n');
}

describe.each(backendNames())('%s', (name) => {
  it('SIGKILL on machine A mid-step, resume on machine B: completed steps never run again', async () => {
    const backend = await freshBackend(name);
    const ws = workspace();
    const file = ws.write('crash.yaml', `name: crash
steps:
  - id: one
    run: ${tick(ws.dir, 'one')}; echo out=1 >> "$STEPWISE_OUTPUT"
  - id: two
    run: |
      ${tick(ws.dir, 'two')}
      if [ ! -e ${ws.dir}/killed ]; then echo in-two; sleep 60; fi
  - id: three
    run: ${tick(ws.dir, 'three')}; echo "one said \${{ steps.one.outputs.out }}"
`);
    const a = cli(backend, 'a', ['run', file, '--json'], ws.dir);
    const runner = startCli(a.args, a.options);
    await runner.waitFor('in-two');
    runner.child.kill('SIGKILL');
    const killed = await runner.done;
    const id = String(jsonLines(killed.stdout)[0]?.runId);
    killRunProcesses(id);
    writeFileSync(join(ws.dir, 'killed'), '');
    // Machine B has neither the runbook file nor machine A's HOME.
    rmSync(file);
    const show = cli(backend, 'b', ['show', id], ws.dir);
    const shown = await runCli(show.args, show.options);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/crashed/);
    const b = cli(backend, 'b', ['resume', id], ws.dir);
    const resumed = await runCli(b.args, b.options);
    expect({ code: resumed.code, stderr: resumed.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('continuing with the copy') });
    expect([count(ws.dir, 'one'), count(ws.dir, 'two'), count(ws.dir, 'three')]).toEqual([1, 2, 1]);
    const logs = cli(backend, 'b', ['logs', id, 'three'], ws.dir);
    expect((await runCli(logs.args, logs.options)).stdout).toContain('one said 1');
    const history = cli(backend, 'b', ['history', '--json'], ws.dir);
    expect(jsonLines((await runCli(history.args, history.options)).stdout)).toEqual([expect.objectContaining({ runId: id, status: 'succeeded' })]);
  }, 240_000);

  it('SIGKILL on machine A, rollback on machine B compensates what started, newest first', async () => {
    const backend = await freshBackend(name);
    const ws = workspace();
    const file = ws.write('undo.yaml', `name: undo
steps:
  - id: one
    run: ${tick(ws.dir, 'one')}
    rollback: ${tick(ws.dir, 'undo-one')}
  - id: two
    run: echo in-two; sleep 60
    rollback: ${tick(ws.dir, 'undo-two')}
`);
    const a = cli(backend, 'a', ['run', file, '--json'], ws.dir);
    const runner = startCli(a.args, a.options);
    await runner.waitFor('in-two');
    runner.child.kill('SIGKILL');
    const id = String(jsonLines((await runner.done).stdout)[0]?.runId);
    killRunProcesses(id);
    rmSync(file);
    const b = cli(backend, 'b', ['rollback', id, '--json', '--yes'], ws.dir);
    const rolled = await runCli(b.args, b.options);
    expect(rolled.code).toBe(1);
    expect(jsonLines(rolled.stdout).filter((e) => e.type === 'rollback.started').map((e) => e.stepId)).toEqual(['two', 'one']);
    expect([count(ws.dir, 'undo-two'), count(ws.dir, 'undo-one')]).toEqual([1, 1]);
  }, 240_000);

  it('ten runners started at once from ten machines: exactly one runs, nine exit 75 naming it', async () => {
    const backend = await freshBackend(name);
    const ws = workspace();
    const file = ws.write('race.yaml', `name: race\nsteps:\n  - id: a\n    run: ${tick(ws.dir, 'ran')}; sleep 5\n`);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => {
      const machine = cli(backend, `m${i}`, ['run', file], ws.dir);
      return runCli(machine.args, machine.options);
    }));
    const codes = results.map((r) => r.code).sort();
    // The winner runs for 5 s: every racer tries long before it lets go, even on a busy machine.
    expect(codes).toEqual([0, 75, 75, 75, 75, 75, 75, 75, 75, 75]);
    expect(count(ws.dir, 'ran')).toBe(1);
    const history = cli(backend, 'a', ['history', '--json'], ws.dir);
    const [winner] = jsonLines((await runCli(history.args, history.options)).stdout);
    for (const loser of results.filter((r) => r.code === 75)) expect(loser.stderr).toContain(`run ${String(winner?.runId)}`);
  }, 240_000);

  it('a secret is never stored: not in the journal, logs, params or runbook copy (pg_dump for the database)', async () => {
    const backend = await freshBackend(name);
    const ws = workspace();
    const secret = 'hunter2-s3cr3t-value';
    const file = ws.write('secret.yaml', `name: secret
params:
  token: { secret: true }
steps:
  - id: use
    run: |
      echo "token is \${{ params.token }}"
      echo "copy=\${{ params.token }}" >> "$STEPWISE_OUTPUT"
  - id: fail
    run: echo "failing with \${{ params.token }}" >&2; exit 4
`);
    const a = cli(backend, 'a', ['run', file, '--param', `token=${secret}`, '--no-rollback'], ws.dir);
    const run = await runCli(a.args, a.options);
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).not.toContain(secret);
    // Everything stored: the database as pg_dump prints it, or every file of the state dir.
    const text = backend.pg ? backend.pg.cluster.snapshot(backend.pg.database) : allText(backend.cliArgs()[1] as string);
    expect(text.length).toBeGreaterThan(1000);
    expect(text).toContain('***');
    expect(text).not.toContain(secret);
  }, 240_000);

  it('blockAfterFailure: the next run of the lock exits 75 naming the failed run until stepwise ack', async () => {
    const backend = await freshBackend(name);
    const ws = workspace();
    const file = ws.write('nightly.yaml', `name: nightly
blockAfterFailure: true
steps:
  - id: load
    run: ${tick(ws.dir, 'load')}; test -e ${ws.dir}/fixed
`);
    const run = (machine: string) => {
      const m = cli(backend, machine, ['run', file], ws.dir);
      return runCli(m.args, m.options);
    };
    expect((await run('a')).code).toBe(1);
    const history = cli(backend, 'a', ['history', '--json'], ws.dir);
    const failedId = String(jsonLines((await runCli(history.args, history.options)).stdout)[0]?.runId);
    const blocked = await run('b');
    expect(blocked.code).toBe(75);
    expect(blocked.stderr).toMatch(new RegExp(`blocked: run ${failedId} failed at step load on \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ; look at it \\(stepwise show ${failedId}\\), then stepwise ack ${failedId}`));
    expect(count(ws.dir, 'load')).toBe(1);
    const ack = cli(backend, 'b', ['ack', failedId, '--note', 'restored the table by hand'], ws.dir);
    const acked = await runCli(ack.args, ack.options);
    expect(acked.code).toBe(0);
    const show = cli(backend, 'a', ['show', failedId], ws.dir);
    expect((await runCli(show.args, show.options)).code).toBe(0);
    writeFileSync(join(ws.dir, 'fixed'), '');
    expect((await run('c')).code).toBe(0);
    expect(count(ws.dir, 'load')).toBe(2);
  }, 240_000);
});

describe('PostgreSQL only', () => {
  const it_ = backendNames().includes('PostgreSQL') ? it : it.skip;

  it_('the database stops mid-run: the step finishes, nothing more runs, nothing is compensated blind; resume after it is back', async () => {
    const backend = await freshBackend('PostgreSQL');
    const pg = backend.pg as NonNullable<StateBackend['pg']>;
    const ws = workspace();
    const file = ws.write('outage.yaml', `name: outage
steps:
  - id: one
    run: ${tick(ws.dir, 'one')}
    rollback: ${tick(ws.dir, 'undo-one')}
  - id: two
    run: |
      ${tick(ws.dir, 'two')}
      echo in-two
      while [ ! -e ${ws.dir}/go ]; do sleep 0.1; done
    rollback: ${tick(ws.dir, 'undo-two')}
  - id: three
    run: ${tick(ws.dir, 'three')}
finally:
  - id: fin
    run: ${tick(ws.dir, 'fin')}
`);
    const a = cli(backend, 'a', ['run', file], ws.dir);
    const runner = startCli(a.args, a.options);
    await runner.waitFor('in-two');
    pg.cluster.crash();
    writeFileSync(join(ws.dir, 'go'), '');
    const result = await runner.done;
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/cannot write the run's state in postgres:\/\//);
    expect(result.stderr).toMatch(/stepwise resume \S+/);
    // Step two finished on its own; three, the rollbacks and finally never ran.
    expect([count(ws.dir, 'one'), count(ws.dir, 'two'), count(ws.dir, 'three'), count(ws.dir, 'undo-two'), count(ws.dir, 'undo-one'), count(ws.dir, 'fin')]).toEqual([1, 1, 0, 0, 0, 0]);
    pg.cluster.start();
    const id = /stepwise resume ([\w.:-]+)/.exec(result.stderr)?.[1] as string;
    const b = cli(backend, 'b', ['resume', id], ws.dir);
    const resumed = await runCli(b.args, b.options);
    expect(resumed.code).toBe(0);
    // two's end was never committed, so it runs again (steps are idempotent); one does not.
    expect([count(ws.dir, 'one'), count(ws.dir, 'two'), count(ws.dir, 'three'), count(ws.dir, 'fin')]).toEqual([1, 2, 1, 1]);
  }, 240_000);

  it_('bad input is exit 2 before anything runs, naming host and database, never the password', async () => {
    const backend = await freshBackend('PostgreSQL');
    const pg = backend.pg as NonNullable<StateBackend['pg']>;
    const ws = workspace();
    const file = ws.write('x.yaml', `name: x\nsteps:\n  - id: a\n    run: ${tick(ws.dir, 'a')}\n`);
    const refused = await runCli(['run', file, '--state', 'postgres://me:pa55word@127.0.0.1:1/db'], { cwd: ws.dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/127\.0\.0\.1:1\/db.*connection refused/);
    expect(refused.stderr).not.toContain('pa55word');
    const missing = await runCli(['history', '--state', `postgres://${pg.cluster.user}@${pg.cluster.host}:${pg.cluster.port}/no_such_db`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/database "no_such_db" does not exist/);
    const scheme = await runCli(['run', file, '--state', 'mysql://h/db']);
    expect(scheme.code).toBe(2);
    expect(scheme.stderr).toMatch(/Unknown state URL scheme "mysql:"/);
    const other = await runCli(['show', '20261127T100000.000Z-abcd', ...backend.cliArgs()]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(`No run "20261127T100000.000Z-abcd" in postgres://${pg.cluster.user}@${pg.cluster.host}:${pg.cluster.port}/${pg.database}`);
    pg.cluster.psql('UPDATE stepwise_schema SET version = 99, needs = \'9.9.0\'', pg.database);
    const newer = await runCli(['run', file, ...backend.cliArgs()], { cwd: ws.dir });
    expect(newer.code).toBe(2);
    expect(newer.stderr).toMatch(/schema version 99; this stepwise knows up to version 1/);
    expect(newer.stderr).toMatch(/9\.9\.0 or newer/);
    expect(count(ws.dir, 'a')).toBe(0);
  }, 240_000);

  it_('state import copies a state dir into the database, idempotently, and the runs read the same', async () => {
    const backend = await freshBackend('PostgreSQL');
    const ws = workspace();
    const file = ws.write('old.yaml', `name: old\nsteps:\n  - id: a\n    run: echo from-the-old-days\n  - id: b\n    run: exit 3\n`);
    expect((await runCli(['run', file, '--no-rollback', '--state-dir', ws.stateDir], { cwd: ws.dir })).code).toBe(1);
    expect((await runCli(['run', file, '--state-dir', ws.stateDir], { cwd: ws.dir })).code).toBe(1);
    const first = await runCli(['state', 'import', ws.stateDir, ...backend.cliArgs()]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/imported 2 run\(s\).*0 were there already/);
    const again = await runCli(['state', 'import', ws.stateDir, ...backend.cliArgs()]);
    expect(again.stdout).toMatch(/imported 0 run\(s\).*2 were there already/);
    const fromDir = await runCli(['history', '--json', '--state-dir', ws.stateDir]);
    const fromDb = await runCli(['history', '--json', ...backend.cliArgs()]);
    expect(jsonLines(fromDb.stdout)).toEqual(jsonLines(fromDir.stdout));
    const logs = await runCli(['logs', 'last', 'a', ...backend.cliArgs()]);
    expect(logs.stdout).toContain('O from-the-old-days');
    expect(statSync(ws.stateDir).isDirectory()).toBe(true);
    // The imported halted run can be resumed from the database.
    const halted = String(jsonLines(fromDb.stdout)[1]?.runId);
    const resumed = await runCli(['resume', halted, ...backend.cliArgs()], { cwd: ws.dir });
    expect(resumed.code).toBe(1);
    expect(resumed.stdout + resumed.stderr).toMatch(/step b/);
  }, 240_000);
});
