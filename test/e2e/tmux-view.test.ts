/**
 * The live view in a real terminal (tmux, on a private server socket: `send-keys`,
 * `capture-pane`) at 100 and at 60 columns: the runbook's and the running step's
 * descriptions, output kept under finished steps, true words, and lines broken at spaces so
 * that a run id is never cut by the terminal's own wrapping. Also `--step` answered by typing.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CLI_PATH } from '../helpers/run-cli.js';
import { workspace } from '../helpers/temp-dir.js';

const SOCKET = `stepwise-e2e-${process.pid}`;
let sessions = 0;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

/** What the pane shows, scrollback included, one row per terminal row (wrapped lines are not joined). */
const capture = (name: string) => tmux('capture-pane', '-p', '-S', '-1000', '-t', name);

/** Polls the pane until `pattern` shows (waits for the event; the guard only stops a hung test). */
async function until(name: string, pattern: RegExp, guardMs = 90_000): Promise<string> {
  const started = Date.now();
  for (;;) {
    const screen = capture(name);
    if (pattern.test(screen)) return screen;
    if (Date.now() - started > guardMs) throw new Error(`no ${String(pattern)} in the pane:\n${screen}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts `stepwise ARGS` in a new tmux window of `columns`; the pane ends with `EXIT=<code>`. */
function start(args: string[], cwd: string, columns: number): string {
  const name = `s${++sessions}`;
  const quoted = [process.execPath, CLI_PATH, ...args].map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  // CI must not be set, or stepwise prints plain lines; the pane stays open after the run for capture.
  const command = `cd '${cwd}' && env -u CI NO_COLOR=1 TERM=xterm-256color ${quoted}; echo "EXIT=$?"; sleep 600`;
  tmux('new-session', '-d', '-s', name, '-x', String(columns), '-y', '50', command);
  return name;
}

afterAll(() => {
  // Only the private server this file started.
  try {
    tmux('kill-server');
  } catch {
    // It is gone already.
  }
});

const RUNBOOK = [
  'name: incident-disk-full-with-a-long-name',
  'description: |',
  '  Frees space on a full disk. **Read each step** before you answer; nothing here deletes',
  '  data that is not already rotated.',
  'steps:',
  '  - id: diagnose',
  '    name: See what fills the disk',
  '    description: Lists the biggest directories under /var so you know what to clean.',
  '    run: |',
  '      for i in 1 2 3 4 5 6 7; do echo "diag line $i"; done',
  '      while [ ! -e go-on ]; do sleep 0.1; done',
  '  - id: done-already',
  '    check: "true"',
  '    run: touch must-not-exist',
  '  - id: boom',
  '    run: |',
  '      for i in $(seq 1 25); do echo "out $i"; done',
  '      echo "bad thing" >&2',
  '      exit 3',
  '    rollback: echo undoing',
  'finally:',
  '  - id: notify',
  '    run: echo "ended"; echo second line',
  '',
].join('\n');

describe.each([100, 60])('live view in tmux at %i columns', (columns) => {
  it('shows descriptions while running, keeps output, uses true words, never cuts a run id', async () => {
    const ws = workspace();
    const file = ws.write('live.yaml', RUNBOOK);
    const name = start(['run', file, '--state-dir', ws.stateDir], ws.dir, columns);
    // While `diagnose` waits for its go-on file, the live frame shows its description and output.
    const live = await until(name, /diag line 7/);
    expect(live.replace(/\s+/g, ' ')).toContain('Lists the biggest directories under /var so you know what to clean.');
    expect(live.replace(/\s+/g, ' ')).toContain('Frees space on a full disk. Read each step before you answer;');
    execFileSync('touch', ['go-on'], { cwd: ws.dir });
    const screen = await until(name, /^EXIT=\d+$/m);
    expect(screen).toMatch(/^EXIT=1$/m);
    const rows = screen.split('\n');
    const id = /run (\d{8}T\d{6}\.\d{3}Z-[0-9a-f]+)/.exec(screen.replace(/\n\s*/g, ' '))?.[1] ?? 'no run id';
    // The id is printed in the header, the summary and each next command: every time on one row.
    const whole = rows.filter((r) => r.includes(id)).length;
    expect(whole).toBeGreaterThanOrEqual(3);
    expect(screen.split(id).length - 1).toBe(whole);
    for (const row of rows) expect(row.length).toBeLessThanOrEqual(columns);
    // Output stays under finished steps: the last 5 of a success, 20 of a failure, finally's.
    expect(screen).toMatch(/✔ diagnose \(See what fills the disk\)[^\n]*\n\s+│ … 2 earlier lines in the log\n\s+│ diag line 3\n/);
    expect(screen).toMatch(/↷ done-already\s+already done/);
    expect(screen).toMatch(/✖ boom[^\n]*exit 3\n\s+step "boom" failed with exit code 3\n\s+│ … 6 earlier lines in the log\n\s+│ out 7\n/);
    expect(screen).toMatch(/│ bad thing\n/);
    expect(screen).toMatch(/✔ rollback of boom[^\n]*\n\s+│ undoing\n/);
    expect(screen).toMatch(/✔ notify[^\n]*\n\s+│ ended\n\s+│ second line\n/);
    expect(screen.replace(/\s+/g, ' ')).toContain('✖ incident-disk-full-with-a-long-name failed and was rolled back in');
    expect(screen.replace(/\s+/g, ' ')).toMatch(/2 ran, 1 already done · run \S+ · exit 1/);
    expect(screen).not.toMatch(/rolledBack|alreadyDone|timedOut|rollbackFailed/);
    expect(existsSync(`${ws.dir}/must-not-exist`)).toBe(false);
  });
});

describe('--step in tmux', () => {
  it('shows the resolved command (secrets masked), warns before skipping a step whose outputs are needed, and continues without asking', async () => {
    const ws = workspace();
    const file = ws.write(
      'step.yaml',
      [
        'name: stepper',
        'params:',
        '  who: { type: string, default: world }',
        '  token: { type: string, secret: true, default: s3cr3t-value }',
        'steps:',
        '  - id: make',
        '    description: Makes a path and says where.',
        '    run: echo "path=/tmp/made-${{ params.who }}" >> "$STEPWISE_OUTPUT"',
        '  - id: use',
        '    run: echo "using ${{ steps.make.outputs.path }} with ${{ params.token }}"',
        '  - id: last',
        '    run: echo bye',
        '',
      ].join('\n'),
    );
    const name = start(['run', file, '--step', '--state-dir', ws.stateDir], ws.dir, 100);
    const first = await until(name, /Run this step\? \[y yes \/ s skip \/ c continue \/ q quit\]/);
    expect(first).toContain('Makes a path and says where.');
    expect(first).toMatch(/run +echo "path=\/tmp\/made-world" >> "\$STEPWISE_OUTPUT"/);
    expect(first).toContain('⚠ later steps use its outputs: use (steps.make.outputs.path); if you skip it, they fail');
    tmux('send-keys', '-t', name, 's', 'Enter');
    await until(name, /Skip make although use needs its outputs\? \[y yes \/ n no\]/);
    tmux('send-keys', '-t', name, 'n', 'Enter');
    await until(name, /n\n.*Run this step\?/);
    tmux('send-keys', '-t', name, 'y', 'Enter');
    // The next step's command is resolved with the output the run has just learnt; the secret is masked.
    const second = await until(name, /run +echo "using \/tmp\/made-world with \*\*\*"/);
    expect(second).not.toContain('s3cr3t-value');
    tmux('send-keys', '-t', name, 'c', 'Enter');
    const end = await until(name, /^EXIT=\d+$/m);
    expect(end).toMatch(/^EXIT=0$/m);
    // `continue` ran the last step without asking.
    expect(end.split('Run this step?').length - 1).toBe(3);
    expect(end).toMatch(/✔ last[^\n]*\n\s+│ bye/);
    expect(end).not.toContain('s3cr3t-value');
  });
});
