/**
 * The operator's terminal goes away while a step runs (SSH connection dropped, terminal window
 * closed): the kernel hangs the terminal up, stepwise gets SIGHUP and can no longer print.
 * It must still stop the step's tree, compensate, run `finally` and record `cancelled`, and
 * leave nothing behind: no crash on the dead terminal, no core dump in the working directory.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { workspace } from '../helpers/temp-dir.js';
import { hasTmux, runOnScriptTerminal, runOnTmuxTerminal, type ClosableTerminal } from '../helpers/closable-terminal.js';
import { alive, killPids } from '../helpers/proc-state.js';
import { eventually } from '../helpers/processes.js';
import { journaledStatus, journalRecords, onlyRunId, readPids } from '../helpers/run-processes.js';

const dirs: string[] = [];
const strays = new Set<number>();
const terminals: ClosableTerminal[] = [];
afterAll(() => {
  for (const terminal of terminals) terminal.dispose();
  killPids(strays);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const tmux = hasTmux();
if (!tmux) {
  // Loud, not silent: the script(1) terminal below still runs the same scenario.
  console.warn('faults-terminal: tmux is not installed; the tmux kill-session case is skipped (apt-get install tmux)');
}

const terminalKinds: Array<[string, typeof runOnScriptTerminal, boolean]> = [
  ['the terminal itself disappears (script(1) killed)', runOnScriptTerminal, true],
  ['tmux kill-session', runOnTmuxTerminal, tmux],
];

describe('the terminal closes while a step runs', () => {
  for (const [kind, start, available] of terminalKinds) {
    (available ? it : it.skip)(`${kind}: the step's tree is stopped, compensation and finally run, the run is recorded cancelled`, async () => {
      const ws = workspace();
      dirs.push(ws.dir);
      const pidFile = join(ws.dir, 'pids');
      const file = ws.write(
        'hangup.yaml',
        [
          'name: hangup',
          'description: Closing the terminal must not leave this half done.',
          'steps:',
          `  - id: a\n    run: echo step a\n    rollback: echo x >> ${ws.dir}/undo-a`,
          '  - id: b',
          '    run: |',
          `      echo $$ >> ${pidFile}`,
          `      sleep 300 & echo $! >> ${pidFile}`,
          `      bash -c 'sleep 300 & echo $! >> ${pidFile}; wait' &`,
          // keeps printing, so the live view writes to the dead terminal after the hang-up
          '      while :; do echo still running; sleep 0.2; done',
          `    rollback: echo x >> ${ws.dir}/undo-b; echo compensating b`,
          `  - id: c\n    run: echo x >> ${ws.dir}/c`,
          'finally:',
          `  - id: fin\n    run: echo "status=\${{ run.status }}" > ${ws.dir}/fin; echo finally ran`,
          '',
        ].join('\n'),
      );
      // The terminal allows core dumps (see the helper): a crash of the CLI would leave one in ws.dir.
      const terminal = await start(['run', file, '--state-dir', ws.stateDir], ws.dir);
      terminals.push(terminal);
      expect(await eventually(() => readPids(pidFile).length >= 3, 600)).toBe(true);
      const pids = readPids(pidFile);
      for (const pid of pids) strays.add(pid);

      terminal.close();
      expect(await terminal.cliGone()).toBe(true);

      expect(await eventually(() => pids.every((pid) => !alive(pid)))).toBe(true);
      expect({ undoB: existsSync(join(ws.dir, 'undo-b')), undoA: existsSync(join(ws.dir, 'undo-a')), c: existsSync(join(ws.dir, 'c')) }).toEqual({ undoB: true, undoA: true, c: false });
      expect(readFileSync(join(ws.dir, 'fin'), 'utf8').trim()).toBe('status=cancelled');
      const runId = onlyRunId(ws.stateDir);
      expect(journaledStatus(ws.stateDir, runId)).toBe('cancelled');
      const notices = journalRecords(ws.stateDir, runId).filter((r) => r.type === 'run.notice').map((r) => String(r.message));
      expect(notices.some((m) => m.includes('SIGHUP'))).toBe(true);
      expect(readdirSync(ws.dir).filter((name) => /^core\b/.test(name))).toEqual([]);
    });
  }
});
