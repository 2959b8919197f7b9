/** Questions on a real pseudo-terminal: confirm gates, --step and --interactive, answered by typing. */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspace } from '../helpers/temp-dir.js';
import { runInPty, stripEscapes } from '../helpers/pty.js';

function journalOf(stateDir: string): Array<Record<string, unknown>> {
  const [runId] = readdirSync(join(stateDir, 'runs'));
  return readFileSync(join(stateDir, 'runs', runId ?? '', 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const decisions = (stateDir: string) => journalOf(stateDir).filter((e) => e.type === 'step.decision').map(({ stepId, choice, note }) => ({ stepId, choice, note }));

const GATED = [
  'name: gated',
  'steps:',
  '  - id: prepare',
  '    run: touch prepared',
  '    rollback: rm -f prepared; touch undone',
  '  - id: go-live',
  '    description: Traffic moves to the **new** schema.',
  '    confirm: "Switch traffic now?"',
  '  - id: switch',
  '    run: touch switched',
  '',
].join('\n');

describe('prompts on a terminal', () => {
  it('confirm: yes goes on and is journaled', async () => {
    const ws = workspace();
    const run = runInPty(['run', ws.write('gated.yaml', GATED), '--state-dir', ws.stateDir], { cwd: ws.dir });
    await run.waitFor('Switch traffic now? [y yes / n no]');
    expect(run.raw).toContain('Traffic moves to the');
    run.type('y\n');
    const { code } = await run.done;
    expect(code).toBe(0);
    expect(existsSync(join(ws.dir, 'switched'))).toBe(true);
    expect(decisions(ws.stateDir)).toEqual([{ stepId: 'go-live', choice: 'yes', note: undefined }]);
  });

  it('confirm: no fails the gate, so what was done is rolled back', async () => {
    const ws = workspace();
    const run = runInPty(['run', ws.write('gated.yaml', GATED), '--state-dir', ws.stateDir], { cwd: ws.dir });
    await run.waitFor('Switch traffic now?');
    run.type('maybe\n');
    await run.waitFor('please answer y (go on), n (fail this step)');
    run.type('n\n');
    const { code, text } = await run.done;
    expect(code).toBe(1);
    expect(text).toContain('the operator answered no');
    expect(existsSync(join(ws.dir, 'switched'))).toBe(false);
    expect(existsSync(join(ws.dir, 'undone'))).toBe(true);
  });

  it('confirm: end of input (Ctrl-D) fails the gate at once, naming --yes', async () => {
    const ws = workspace();
    const run = runInPty(['run', ws.write('gated.yaml', GATED), '--state-dir', ws.stateDir], { cwd: ws.dir });
    await run.waitFor('Switch traffic now?');
    run.type('\u0004');
    const { code, text } = await run.done;
    expect(code).toBe(1);
    expect(text).toContain('got no answer');
    expect(text).toContain('--yes');
  });

  it('on a terminal whose stdin is not one, gates fail at once and --step is refused', async () => {
    const ws = workspace();
    const file = ws.write('gated.yaml', GATED);
    const gate = await runInPty(['run', file, '--state-dir', ws.stateDir], { cwd: ws.dir, stdinNull: true }).done;
    expect(gate.code).toBe(1);
    // Lines are broken at spaces to the terminal's width.
    expect(gate.screen.replace(/\s+/g, ' ')).toContain('step "go-live" asks "Switch traffic now?" but there is no terminal to answer (hint: run it on a terminal, or pass --yes to answer yes)');
    expect(existsSync(join(ws.dir, 'undone'))).toBe(true);
    const step = await runInPty(['run', file, '--step', '--state-dir', ws.stateDir], { cwd: ws.dir, stdinNull: true }).done;
    expect(step.code).toBe(2);
    expect(step.screen).toContain('--step asks questions on a terminal, but stdin is not a terminal; nothing was run');
  });

  it('--step: shows each step with its rendered description; yes runs, skip skips, quit stops', async () => {
    const ws = workspace();
    const file = ws.write(
      'steps.yaml',
      [
        'name: stepper',
        'description: Walks through **three** steps.',
        'steps:',
        '  - id: one',
        '    name: First',
        '    description: |',
        '      ## Why it matters',
        '      Creates **one**; see `one.txt`.',
        '      - quick',
        '      - safe',
        '    run: touch one.txt',
        '  - id: two',
        '    run: touch two.txt',
        '  - id: three',
        '    run: touch three.txt',
        '',
      ].join('\n'),
    );
    const run = runInPty(['run', file, '--step', '--state-dir', ws.stateDir], { cwd: ws.dir, env: { NO_COLOR: '1' } });
    await run.waitFor(/▶ one \(First\)[\s\S]*Run this step\? \[y yes \/ s skip \/ c continue \/ q quit\]/);
    expect(run.raw).toContain('Walks through three steps.');
    expect(run.raw).toContain('Why it matters');
    expect(run.raw).toContain('Creates one; see `one.txt`.');
    expect(run.raw).toMatch(/- quick/);
    expect(stripEscapes(run.raw)).toMatch(/ run {7}touch one\.txt/);
    run.type('y\n');
    await run.waitFor(/▶ two[\s\S]*Run this step\?/);
    run.type('s\n');
    await run.waitFor(/▶ three[\s\S]*Run this step\?/);
    run.type('q\n');
    const { code, text } = await run.done;
    expect(code).toBe(130);
    expect(text).toMatch(/↓ two\s+skipped: skipped by the operator/);
    expect(existsSync(join(ws.dir, 'one.txt'))).toBe(true);
    expect(existsSync(join(ws.dir, 'two.txt'))).toBe(false);
    expect(existsSync(join(ws.dir, 'three.txt'))).toBe(false);
    expect(decisions(ws.stateDir).map((d) => d.choice)).toEqual(['yes', 'skip', 'quit']);
  });

  it('--interactive: retry, then roll back with a note; both choices and the note are journaled', async () => {
    const ws = workspace();
    const file = ws.write(
      'interactive.yaml',
      [
        'name: interactive',
        'steps:',
        '  - id: setup',
        '    run: touch set-up',
        '    rollback: touch torn-down',
        '  - id: migrate',
        '    run: echo "attempt $STEPWISE_ATTEMPT"; echo run >> tries; exit 7',
        '',
      ].join('\n'),
    );
    const run = runInPty(['run', file, '--interactive', '--state-dir', ws.stateDir], { cwd: ws.dir });
    await run.waitFor('What now? [r retry / s skip / b rollback / h halt]');
    run.type('r\n');
    await run.waitFor('Note for the journal');
    run.type('\n');
    await run.waitFor(/What now\?[\s\S]*What now\? \[r retry/);
    run.type('b\n');
    await run.waitFor(/Note for the journal[\s\S]*Note for the journal/);
    run.type('database is down, rolling back\n');
    const { code, text } = await run.done;
    expect(code).toBe(1);
    expect(text).toContain('you chose rollback at migrate: database is down, rolling back');
    expect(readFileSync(join(ws.dir, 'tries'), 'utf8')).toBe('run\nrun\n');
    expect(existsSync(join(ws.dir, 'torn-down'))).toBe(true);
    expect(decisions(ws.stateDir)).toEqual([
      { stepId: 'migrate', choice: 'retry', note: undefined },
      { stepId: 'migrate', choice: 'rollback', note: 'database is down, rolling back' },
    ]);
  });

  it('--interactive: halt keeps state and points at resume and rollback', async () => {
    const ws = workspace();
    const file = ws.write('halt.yaml', 'name: halting\nsteps:\n  - id: a\n    run: "true"\n    rollback: touch undone\n  - id: b\n    run: exit 2\n');
    const run = runInPty(['run', file, '--interactive', '--state-dir', ws.stateDir], { cwd: ws.dir });
    await run.waitFor('What now?');
    run.type('halt\n');
    await run.waitFor('Note for the journal');
    run.type('\n');
    const { code, text } = await run.done;
    expect(code).toBe(1);
    expect(existsSync(join(ws.dir, 'undone'))).toBe(false);
    expect(text).toMatch(/stepwise resume \S+/);
    expect(text).toMatch(/stepwise rollback \S+/);
  });
});
