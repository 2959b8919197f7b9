/** The listr2 TTY reporter fed with engine events, drawing on a fake terminal. */
import { describe, expect, it } from '@jest/globals';
import type { EngineEvent, EventInput, StepFinishedEvent } from '../../../src/engine/events.js';

type FinishedInput = Omit<StepFinishedEvent, 'time' | 'runId'>;
import { dispatch } from '../../../src/reporters/multiplexer.js';
import { createListrReporter, type LiveView } from '../../../src/reporters/listr-reporter.js';
import { fakeTerminal, type FakeTerminal } from '../../helpers/fake-terminal.js';
import { finalScreen } from '../../helpers/pty.js';

function setup(color = false) {
  const out = fakeTerminal();
  const err = fakeTerminal();
  const view = createListrReporter({ stream: out.stream, errorStream: err.stream, color, refreshMs: 10 });
  const send = (event: EventInput) => dispatch(view, { ...event, time: '2026-11-30T00:00:00.000Z', runId: 'R1' } as EngineEvent);
  return { out, view, send };
}

const normalise = (screen: string) => screen.replace(/\d+(?:\.\d+)?(?:ms|s)\b/g, 'T');

function started(send: ReturnType<typeof setup>['send'], steps: string[]) {
  send({ type: 'run.started', runbook: 'rb', file: '/rb.yaml', params: {}, mode: 'run', resumed: false, steps });
}

function finished(stepId: string, status: 'succeeded' | 'failed' | 'skipped', extra: Partial<FinishedInput> = {}): FinishedInput {
  return { type: 'step.finished', stepId, name: stepId, phase: 'run', status, exitCode: status === 'failed' ? 1 : 0, durationMs: 1200, attempt: 1, outputs: {}, targets: [{ target: 'local', status: status === 'skipped' ? 'succeeded' : status, exitCode: 0, attempt: 1, durationMs: 1200 }], ...extra };
}

async function closeAndRead(view: LiveView, out: FakeTerminal) {
  await view.close();
  return normalise(finalScreen(out.raw()));
}

describe('listr2 TTY reporter', () => {
  it('draws a running step live with its output tail and attempt, then leaves one result line', async () => {
    const { out, view, send } = setup();
    started(send, ['build']);
    send({ type: 'step.started', stepId: 'build', name: 'Build it', phase: 'run', targets: ['local'], maxAttempts: 3 });
    await out.drawn('build (Build it)');
    for (let i = 0; i < 50_000; i++) send({ type: 'step.output', stepId: 'build', phase: 'run', stream: 'stdout', lines: [`line ${i}`] });
    send({ type: 'step.retrying', stepId: 'build', phase: 'run', attempt: 1, maxAttempts: 3, delayMs: 2000, exitCode: 1, error: 'step "build" failed with exit code 1' });
    const live = await out.drawn('retrying in 2s', 'line 49999');
    expect(live).toContain('build (Build it)');
    expect(live).toContain('attempt 2/3');
    expect(live).toContain('attempt 1/3 failed: step "build" failed with exit code 1; retrying in 2s');
    expect(live).toContain('line 49999');
    // Fifty thousand lines arrived; the terminal got a bounded tail of them.
    expect(live).not.toContain('line 100\n');
    expect(live.length).toBeLessThan(50_000);
    send(finished('build', 'succeeded', { name: 'Build it', attempt: 2 }));
    send({ type: 'run.finished', status: 'succeeded', durationMs: 5000, exitCode: 0 });
    // The last five lines stay under the finished step, and how many went to the log only.
    expect(await closeAndRead(view, out)).toBe(
      [
        'Running rb  run R1',
        '✔ build (Build it)  T · attempt 2/3',
        '  │ … 49995 earlier lines in the log',
        ...[49995, 49996, 49997, 49998, 49999].map((n) => `  │ line ${n}`),
        '',
        '✔ rb succeeded in T  1 ran · run R1 · exit 0',
      ].join('\n'),
    );
  });

  it('shows hosts of a group step in batches and which host failed or never started', async () => {
    const { out, view, send } = setup();
    started(send, ['restart']);
    send({ type: 'step.started', stepId: 'restart', name: 'restart', phase: 'run', targets: ['web-1', 'web-2', 'web-3'], maxAttempts: 1 });
    send({ type: 'step.batch', stepId: 'restart', phase: 'run', targets: ['web-1'] });
    await out.drawn('web-2  waiting for its batch');
    send({ type: 'step.output', stepId: 'restart', phase: 'run', host: 'web-1', stream: 'stdout', lines: ['restarted web-1'] });
    await out.drawn('restarted web-1');
    send({ type: 'step.batch', stepId: 'restart', phase: 'run', targets: ['web-2'] });
    send({ type: 'step.output', stepId: 'restart', phase: 'run', host: 'web-2', stream: 'stderr', lines: ['unit failed'] });
    await out.drawn('unit failed');
    send({
      ...finished('restart', 'failed', { error: 'step "restart" failed with exit code 1 on web-2' }),
      targets: [
        { target: 'web-1', status: 'succeeded', exitCode: 0, attempt: 1, durationMs: 300 },
        { target: 'web-2', status: 'failed', exitCode: 1, attempt: 1, durationMs: 200 },
      ],
    });
    send({ type: 'run.finished', status: 'failed', durationMs: 900, exitCode: 1, error: 'step "restart" failed with exit code 1 on web-2' });
    const screen = await closeAndRead(view, out);
    expect(screen).toContain(
      [
        '✖ restart  on 2 hosts · T · exit 1',
        '  ✔ web-1  T',
        '  ✖ web-2  T · exit 1',
        '  ◼ web-3  not started',
        '  step "restart" failed with exit code 1 on web-2',
        '  │ [web-1] restarted web-1',
        '  │ [web-2] unit failed',
      ].join('\n'),
    );
    expect(screen).toContain('stepwise resume R1');
    expect(screen).toContain('stepwise rollback R1');
  });

  it('gives rollbacks and finally their own sections and says when a rollback is pending', async () => {
    const { out, view, send } = setup();
    started(send, ['a', 'b']);
    send(finished('a', 'succeeded'));
    send(finished('b', 'failed', { error: 'step "b" failed with exit code 1' }));
    send({ type: 'rollback.started', stepId: 'a', targets: ['local'] });
    send({ type: 'step.output', stepId: 'a', phase: 'rollback', stream: 'stdout', lines: ['undoing a'] });
    send({ type: 'rollback.finished', stepId: 'a', status: 'failed', exitCode: 2, durationMs: 10, error: 'rollback of "a" failed with exit code 2', targets: [] });
    send({ type: 'step.started', stepId: 'tell', name: 'tell', phase: 'finally', targets: ['local'], maxAttempts: 1 });
    send({ ...finished('tell', 'skipped', { error: 'condition is false' }), phase: 'finally' });
    send({ type: 'run.notice', level: 'warn', message: 'finally steps not run: stopped by a second signal' });
    send({ type: 'run.finished', status: 'rollbackFailed', durationMs: 900, exitCode: 3, error: 'rollback failed for: a', rollbackPending: ['x'] });
    expect(await closeAndRead(view, out)).toBe(
      [
        'Running rb  run R1',
        '✔ a  T',
        '✖ b  T · exit 1',
        '  step "b" failed with exit code 1',
        '',
        '← Rollback: undoing what was done, newest first',
        '  ✖ rollback of a  T · exit 2',
        '    rollback of "a" failed with exit code 2',
        '    │ undoing a',
        '',
        'Finally',
        '  ↓ tell  skipped: condition is false',
        '  ⚠ finally steps not run: stopped by a second signal',
        '',
        '✖ rb failed; rollback incomplete (a rollback failed): a human must look in T',
        '  2 ran · run R1 · exit 3',
        '  rollback failed for: a',
        '  stepwise rollback R1  finish the rollback (x)',
        '  stepwise show R1      every step, attempt and exit code',
      ].join('\n'),
    );
  });

  it('pause() stops drawing so a prompt owns the terminal; the result still appears', async () => {
    const { out, view, send } = setup();
    started(send, ['go']);
    send({ type: 'step.started', stepId: 'go', name: 'go', phase: 'run', targets: ['local'], maxAttempts: 1 });
    await out.drawn('go');
    await view.pause();
    const before = out.raw().length;
    // The point of the test: twenty refresh intervals (10 ms) pass and nothing is drawn.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(out.raw().length).toBe(before);
    send({ type: 'step.decision', stepId: 'go', choice: 'yes' });
    send(finished('go', 'succeeded'));
    expect(await closeAndRead(view, out)).toBe(['Running rb  run R1', '→ you chose yes at go', '✔ go  T'].join('\n'));
  });

  it('uses no colour codes without colour, and colour with it', async () => {
    for (const color of [false, true]) {
      const { out, view, send } = setup(color);
      started(send, ['apply']);
      send({ type: 'step.started', stepId: 'apply', name: 'apply', phase: 'run', targets: ['local'], maxAttempts: 1 });
      await out.drawn('apply');
      send(finished('apply', 'failed'));
      send({ type: 'run.finished', status: 'failed', durationMs: 1, exitCode: 1 });
      await view.close();
      // eslint-disable-next-line no-control-regex
      expect(/\u001b\[[0-9;]*m/.test(out.raw())).toBe(color);
    }
  });

  it('a resumed or rollback-only run says so', async () => {
    const { out, view, send } = setup();
    send({ type: 'run.started', runbook: 'rb', file: '/rb.yaml', params: {}, mode: 'rollback', resumed: false, steps: ['a'] });
    send({ type: 'rollback.started', stepId: 'a', targets: ['local'] });
    send({ type: 'rollback.finished', stepId: 'a', status: 'succeeded', exitCode: 0, durationMs: 10, targets: [] });
    send({ type: 'run.finished', status: 'rolledBack', durationMs: 20, exitCode: 1 });
    const screen = await closeAndRead(view, out);
    expect(screen).toContain('Rolling back rb  run R1');
    expect(screen).toContain('✔ Rollback of rb rolled back in T');
  });
});
