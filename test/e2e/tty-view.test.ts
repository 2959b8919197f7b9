/** The live TTY view of the built CLI on a real pseudo-terminal (listr2 drawing, results, summary). */
import { describe, expect, it } from '@jest/globals';
import { workspace } from '../helpers/temp-dir.js';
import { runInPty } from '../helpers/pty.js';

// eslint-disable-next-line no-control-regex
const SGR_COLOUR = /\u001b\[(?:3[0-9]|9[0-7]|1|2|4)m/;
// eslint-disable-next-line no-control-regex
const ANY_SGR = /\u001b\[[0-9;]*m/;

const MIXED = [
  'name: mixed',
  'steps:',
  '  - id: prep',
  '    name: Prepare the ground',
  '    run: for i in 1 2 3; do echo "prep line $i"; done',
  '    rollback: echo undo-prep',
  '  - id: flaky',
  '    retry: { attempts: 2, delay: 10ms }',
  '    run: echo "try $STEPWISE_ATTEMPT"; test "$STEPWISE_ATTEMPT" -ge 2',
  '  - id: skipme',
  '    when: "false"',
  '    run: echo never',
  '  - id: boom',
  '    run: echo about to fail; echo oops >&2; exit 3',
  'finally:',
  '  - id: notify',
  '    run: echo "ended ${{ run.status }}"',
  '',
].join('\n');

describe('TTY view (listr2 on a pseudo-terminal)', () => {
  it('draws steps live, then leaves a result line per step, a rollback section, finally and a summary', async () => {
    const ws = workspace();
    const file = ws.write('mixed.yaml', MIXED);
    const run = runInPty(['run', file, '--state-dir', ws.stateDir], { cwd: ws.dir, env: { NO_COLOR: undefined } });
    const { code, raw, screen: text } = await run.done;
    expect(code).toBe(1);
    // Live drawing happened: the cursor was hidden and lines were erased and redrawn.
    expect(raw).toContain('\u001b[?25l');
    expect(raw).toContain('\u001b[2K');
    expect(raw).toMatch(SGR_COLOUR);
    expect(text).toMatch(/Running mixed\s+run \S+/);
    expect(text).toMatch(/✔ prep \(Prepare the ground\)/);
    expect(text).toMatch(/✔ flaky .*attempt 2\/2/);
    expect(text).toMatch(/↓ skipme\s+skipped: condition is false/);
    expect(text).toMatch(/✖ boom .*exit 3/);
    expect(text).toContain('step "boom" failed with exit code 3');
    // The failure keeps its last output lines on screen.
    expect(text).toMatch(/│ about to fail/);
    expect(text).toMatch(/Rollback: undoing what was done, newest first\n\s+✔ rollback of prep/);
    expect(text).toMatch(/Finally\n\s+✔ notify/);
    const id = /run (\d{8}T\S+)/.exec(text)?.[1] ?? '';
    expect(text).toMatch(new RegExp(`✖ mixed failed and was rolled back in \\S+\\s+3 ran, 1 skipped · run ${id.replace(/\./g, '\\.')} · exit 1`));
    expect(text).toContain(`stepwise show ${id}`);
    // Compensation ran, so there is nothing to resume.
    expect(text).not.toContain('stepwise resume');
    // Only permanent lines remain once the live frames are erased.
    const normalised = text.replace(/\d{8}T\S+/g, 'ID').replace(/\d+(?:\.\d+)?(?:ms|s)\b/g, 'T');
    expect(normalised).toBe(
      [
        'Running mixed  run ID',
        '✔ prep (Prepare the ground)  T',
        '  │ prep line 1',
        '  │ prep line 2',
        '  │ prep line 3',
        '✔ flaky  T · attempt 2/2',
        '  │ try 1',
        '  │ try 2',
        '↓ skipme  skipped: condition is false',
        '✖ boom  T · exit 3',
        '  step "boom" failed with exit code 3',
        '  │ about to fail',
        '  │ oops',
        '',
        '← Rollback: undoing what was done, newest first',
        '  ✔ rollback of prep  T',
        '    │ undo-prep',
        '',
        'Finally',
        '  ✔ notify  T',
        '    │ ended rolledBack',
        '',
        // 100 columns: the counts and the run id move to a line of their own, whole.
        '✖ mixed failed and was rolled back in T',
        '  3 ran, 1 skipped · run ID · exit 1',
        '  step "boom" failed with exit code 3',
        '  stepwise show ID  every step, attempt and exit code',
      ].join('\n'),
    );
  });

  it('honours NO_COLOR: no colour codes, the same view', async () => {
    const ws = workspace();
    const file = ws.write('mixed.yaml', MIXED);
    const { code, raw, screen: text } = await runInPty(['run', file, '--state-dir', ws.stateDir], { cwd: ws.dir, env: { NO_COLOR: '1' } }).done;
    expect(code).toBe(1);
    expect(raw).not.toMatch(ANY_SGR);
    expect(raw).toContain('\u001b[2K');
    expect(text).toMatch(/✖ boom .*exit 3/);
    expect(text).toContain('failed and was rolled back');
  });

  it('a halted run says how to resume and how to roll back', async () => {
    const ws = workspace();
    const file = ws.write('halt.yaml', 'name: halt\nsteps:\n  - id: a\n    run: "true"\n    rollback: echo undo\n  - id: b\n    run: exit 5\n');
    const { code, screen: text } = await runInPty(['run', file, '--no-rollback', '--state-dir', ws.stateDir], { cwd: ws.dir }).done;
    expect(code).toBe(1);
    const id = /run (\d{8}T\S+)/.exec(text)?.[1] ?? '';
    expect(text).toContain('halt failed and halted (not rolled back)');
    expect(text).toMatch(new RegExp(`stepwise resume ${id.replace(/\./g, '\\.')}\\s+continue from the first step that did not succeed`));
    expect(text).toMatch(new RegExp(`stepwise rollback ${id.replace(/\./g, '\\.')}\\s+undo what was done instead`));
  });

  it('a succeeding run ends with its status, duration and run id', async () => {
    const ws = workspace();
    const file = ws.write('ok.yaml', 'name: ok\nsteps:\n  - id: a\n    run: echo hello\n');
    const { code, screen: text } = await runInPty(['run', file, '--state-dir', ws.stateDir], { cwd: ws.dir }).done;
    expect(code).toBe(0);
    expect(text).toMatch(/✔ a\s+\S+/);
    expect(text).toMatch(/✔ ok succeeded in \S+\s+1 ran · run \d{8}T\S+ · exit 0/);
    expect(text).not.toContain('stepwise resume');
  });

  it('a step printing a flood of lines is drawn as a bounded tail, not line by line', async () => {
    const ws = workspace();
    const file = ws.write('flood.yaml', 'name: flood\nsteps:\n  - id: flood\n    run: seq 1 200000\n');
    const { code, raw, screen } = await runInPty(['run', file, '--state-dir', ws.stateDir], { cwd: ws.dir }).done;
    expect(code).toBe(0);
    expect(screen).toMatch(/✔ flood/);
    // Every line went to the log file, but the terminal only ever saw a few tails.
    expect(raw.length).toBeLessThan(200_000);
  });
});
