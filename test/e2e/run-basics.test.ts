import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLines, runCli } from '../helpers/run-cli.js';
import { tempDir, workspace } from '../helpers/temp-dir.js';

describe('stepwise run (built CLI, real processes)', () => {
  it('runs the quick-start runbook', async () => {
    const ws = workspace();
    const result = await runCli(['run', 'runbooks/hello.yaml', '--state-dir', ws.stateDir, '--param', 'who=ops']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Hello, ops!');
    expect(result.stdout).toMatch(/run \S+ succeeded/);
  });

  it('exit codes: 0 success, 1 failure compensated, 3 rollback failed, 2 invalid', async () => {
    const ws = workspace();
    const ok = ws.write('ok.yaml', 'name: ok\nsteps:\n  - id: a\n    run: "true"\n');
    const failing = ws.write('fail.yaml', 'name: fail\nsteps:\n  - id: a\n    run: "true"\n    rollback: echo undo-a\n  - id: b\n    run: exit 4\n');
    const badRollback = ws.write('bad.yaml', 'name: bad\nsteps:\n  - id: a\n    run: "true"\n    rollback: exit 9\n  - id: b\n    run: exit 4\n');
    const invalid = ws.write('invalid.yaml', 'name: invalid\nsteps:\n  - id: a\n    rnu: "true"\n');
    const codes = await Promise.all([ok, failing, badRollback, invalid].map((f) => runCli(['run', f, '--state-dir', ws.stateDir])));
    expect(codes.map((c) => c.code)).toEqual([0, 1, 3, 2]);
    // Compensation is part of the failure: stderr, so cron mails it.
    expect(codes[1]?.stderr).toContain('undo-a');
    expect(codes[3]?.stderr).toMatch(/invalid\.yaml:4:5/);
    expect(codes[3]?.stderr).not.toMatch(/\n\s+at /);
  });

  it('--json prints exactly the SPEC events, each with type, time and runId; human text on stderr', async () => {
    const ws = workspace();
    const file = ws.write(
      'j.yaml',
      [
        'name: j',
        'steps:',
        '  - id: a',
        '    run: echo one; echo two >&2',
        '    rollback: echo undo',
        '  - id: b',
        '    retry: { attempts: 2, delay: 10ms }',
        '    run: exit 3',
        '',
      ].join('\n'),
    );
    const result = await runCli(['run', file, '--json', '--state-dir', ws.stateDir]);
    expect(result.code).toBe(1);
    const events = jsonLines(result.stdout);
    const allowed = ['run.started', 'step.started', 'step.output', 'step.retrying', 'step.finished', 'rollback.started', 'rollback.finished', 'run.finished'];
    for (const e of events) {
      expect(allowed).toContain(e.type);
      expect(typeof e.time).toBe('string');
      expect(typeof e.runId).toBe('string');
    }
    const trail = events.filter((e) => e.type !== 'step.output').map((e) => `${String(e.type)}${e.stepId ? `:${String(e.stepId)}` : ''}${e.status ? `:${String(e.status)}` : ''}`);
    expect(trail).toEqual([
      'run.started',
      'step.started:a',
      'step.finished:a:succeeded',
      'step.started:b',
      'step.retrying:b',
      'step.finished:b:failed',
      'rollback.started:a',
      'rollback.finished:a:succeeded',
      'run.finished:rolledBack',
    ]);
    const outputs = events.filter((e) => e.type === 'step.output');
    expect(outputs.map((e) => [e.stream, e.line])).toEqual(expect.arrayContaining([['stdout', 'one'], ['stderr', 'two'], ['stdout', 'undo']]));
    const finished = events.find((e) => e.type === 'step.finished' && e.stepId === 'b');
    expect(finished).toMatchObject({ exitCode: 3, attempt: 2 });
    expect(typeof finished?.durationMs).toBe('number');
    // Human words on stderr; the identifier is for the JSON only.
    expect(result.stderr).toContain('failed and was rolled back');
    expect(result.stderr).not.toContain('rolledBack');
  });

  it('a substituted param can never change the shell syntax, bare or in double quotes', async () => {
    const ws = workspace();
    const pwned = tempDir('pwn-').path('pwned');
    const file = ws.write(
      'inject.yaml',
      [
        'name: inject',
        'params:',
        '  v: { type: string, required: true }',
        'steps:',
        '  - id: bare',
        '    run: printf "[%s]\\n" ${{ params.v }}',
        '  - id: quoted',
        '    run: printf "[%s]\\n" "v=${{ params.v }}"',
        '',
      ].join('\n'),
    );
    for (const value of [`x"; touch ${pwned}; echo "`, `$(touch ${pwned})`, '`touch ' + pwned + '`', `'; touch ${pwned}; '`]) {
      const result = await runCli(['run', file, '--state-dir', ws.stateDir, '--param', `v=${value}`]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`| [${value}]`);
      expect(result.stdout).toContain(`| [v=${value}]`);
      expect(existsSync(pwned)).toBe(false);
    }
  });

  it('a timed-out step leaves no child or grandchild behind and says elapsed and limit', async () => {
    const ws = workspace();
    const tag = `sleep 30${Math.floor(Math.random() * 9)}`;
    const file = ws.write('t.yaml', `name: t\nsteps:\n  - id: slow\n    timeout: 1s\n    run: bash -c '${tag} & ${tag}; wait' & ${tag}; wait\n`);
    const result = await runCli(['run', file, '--state-dir', ws.stateDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/step "slow" timed out after 1(\.\d)?s \(timeout 1s\)/);
    const { eventually } = await import('../helpers/processes.js');
    const { onlyRunId, pidsOfRun } = await import('../helpers/run-processes.js');
    const id = onlyRunId(ws.stateDir);
    expect(await eventually(() => pidsOfRun(id, 'sleep').length === 0)).toBe(true);
  });

  it('a missing identity file stops a run before anything executes (exit 2), but not validate', async () => {
    const ws = workspace();
    const marker = join(ws.dir, 'ran');
    const file = ws.write(
      'id.yaml',
      `name: id\ntargets:\n  web: { hosts: [web-1.internal], identity: ${ws.dir}/no-such-key }\nsteps:\n  - id: local-first\n    run: touch ${marker}\n  - id: remote\n    on: web\n    run: "true"\n`,
    );
    expect((await runCli(['validate', file])).code).toBe(0);
    const result = await runCli(['run', file, '--state-dir', ws.stateDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/id\.yaml:3:\d+ .*no-such-key/);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses to run unjournaled: an unusable state dir is exit 2 and nothing executes', async () => {
    const ws = workspace();
    const marker = join(ws.dir, 'ran');
    const file = ws.write('sd.yaml', `name: sd\nsteps:\n  - id: a\n    run: touch ${marker}\n`);
    const notADir = ws.write('plain-file', 'x');
    const result = await runCli(['run', file, '--state-dir', join(notADir, 'state')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/state/i);
    expect(existsSync(marker)).toBe(false);
  });

  it('outputs flow between steps through $STEPWISE_OUTPUT', async () => {
    const ws = workspace();
    const file = ws.write(
      'o.yaml',
      'name: o\nsteps:\n  - id: create-db\n    run: echo "dump-file=/backups/x 1.dump" >> "$STEPWISE_OUTPUT"\n  - id: use\n    run: echo "got ${{ steps.create-db.outputs.dump-file }}"\n',
    );
    const result = await runCli(['run', file, '--state-dir', ws.stateDir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('got /backups/x 1.dump');
  });

  it('journal, logs and runbook copy are private (0700 dirs, 0600 files)', async () => {
    const ws = workspace();
    const file = ws.write('p.yaml', 'name: p\nsteps:\n  - id: a\n    run: echo hi\n');
    const result = await runCli(['run', file, '--json', '--state-dir', ws.stateDir]);
    const runId = String(jsonLines(result.stdout)[0]?.runId);
    const { statSync, readdirSync } = await import('node:fs');
    const runDir = join(ws.stateDir, 'runs', runId);
    expect(statSync(runDir).mode & 0o777).toBe(0o700);
    const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? [join(dir, d.name), ...walk(join(dir, d.name))] : [join(dir, d.name)]));
    for (const path of walk(runDir)) expect([path, statSync(path).mode & 0o777]).toEqual([path, statSync(path).isDirectory() ? 0o700 : 0o600]);
    expect(readFileSync(join(runDir, 'journal.jsonl'), 'utf8')).toContain('"run.finished"');
  });
});
