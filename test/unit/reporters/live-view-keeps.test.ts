/**
 * The live view keeps what matters (issue 16): the runbook's description at the start, the
 * last output lines under each finished step (`--output-lines`, `--verbose`; failed and
 * finally steps always), true words (declined, nothing to undo, already done, rollback
 * incomplete, cancelled), counts in the summary, and lines fitted to narrow terminals
 * without ever breaking a run id.
 */
import { describe, expect, it } from '@jest/globals';
import type { EngineEvent, EventInput, StepFinishedEvent } from '../../../src/engine/events.js';
import { createListrReporter, type ListrReporterOptions } from '../../../src/reporters/listr-reporter.js';
import { dispatch } from '../../../src/reporters/multiplexer.js';
import { fakeTerminal } from '../../helpers/fake-terminal.js';
import { finalScreen } from '../../helpers/pty.js';

const RUN_ID = '20261130T030000.000Z-ab12';

function view(options: Partial<ListrReporterOptions> = {}, columns = 100) {
  const out = fakeTerminal(columns);
  const err = fakeTerminal(columns);
  const reporter = createListrReporter({ stream: out.stream, errorStream: err.stream, color: false, refreshMs: 10, ...options });
  const send = (event: EventInput) => dispatch(reporter, { ...event, time: '2026-11-30T03:00:00.000Z', runId: RUN_ID } as EngineEvent);
  const screen = async () => {
    await reporter.close();
    return finalScreen(out.raw()).replace(/\b\d+(?:\.\d+)?(?:ms|s)\b/g, 'T');
  };
  return { send, screen, drawn: out.drawn };
}

type Finished = Omit<StepFinishedEvent, 'time' | 'runId'>;
const done = (stepId: string, status: Finished['status'], extra: Partial<Finished> = {}): Finished => ({
  type: 'step.finished',
  stepId,
  name: stepId,
  phase: 'run',
  status,
  exitCode: status === 'failed' ? 2 : status === 'succeeded' ? 0 : null,
  durationMs: 1200,
  attempt: status === 'skipped' || status === 'alreadyDone' ? 0 : 1,
  outputs: {},
  targets: [],
  ...extra,
});

function runStep(send: (e: EventInput) => void, stepId: string, lines: number, phase: 'run' | 'finally' = 'run') {
  send({ type: 'step.started', stepId, name: stepId, phase, targets: ['local'], maxAttempts: 1 });
  send({ type: 'step.output', stepId, phase, stream: 'stdout', lines: Array.from({ length: lines }, (_, i) => `${stepId} ${i + 1}`) });
}

const begin = (send: (e: EventInput) => void, description?: string) =>
  send({ type: 'run.started', runbook: 'disk-full', file: '/rb.yaml', params: {}, mode: 'run', resumed: false, steps: ['a', 'b'], ...(description ? { description } : {}) });

describe('live view: what stays on screen', () => {
  it('shows the runbook description at the start and keeps the last 5 lines of a finished step by default', async () => {
    const { send, screen } = view();
    begin(send, 'Frees space on a **full** disk.');
    runStep(send, 'a', 8);
    send(done('a', 'succeeded'));
    send({ type: 'run.finished', status: 'succeeded', durationMs: 1000, exitCode: 0, });
    expect(await screen()).toBe(
      [
        `Running disk-full  run ${RUN_ID}`,
        '  Frees space on a full disk.',
        '✔ a  T',
        '  │ … 3 earlier lines in the log',
        '  │ a 4',
        '  │ a 5',
        '  │ a 6',
        '  │ a 7',
        '  │ a 8',
        '',
        `✔ disk-full succeeded in T  1 ran · run ${RUN_ID} · exit 0`,
      ].join('\n'),
    );
  });

  it('--output-lines 0 keeps nothing of a step that succeeded, but a failed and a finally step keep theirs', async () => {
    const { send, screen } = view({ keepLines: 0 });
    begin(send);
    runStep(send, 'a', 3);
    send(done('a', 'succeeded'));
    runStep(send, 'b', 30);
    send(done('b', 'failed', { error: 'step "b" failed with exit code 2' }));
    runStep(send, 'tell', 2, 'finally');
    send({ ...done('tell', 'succeeded'), phase: 'finally' });
    send({ type: 'run.finished', status: 'failed', durationMs: 1000, exitCode: 1, error: 'step "b" failed with exit code 2' });
    const text = await screen();
    expect(text).toContain('✔ a  T\n✖ b  T · exit 2\n  step "b" failed with exit code 2\n  │ … 10 earlier lines in the log\n  │ b 11\n');
    // The failure keeps its last 20 lines, both streams, as they came.
    expect(text).toContain('  │ b 30\n');
    expect(text).not.toContain('│ a 3');
    expect(text).toContain('Finally\n  ✔ tell  T\n    │ tell 1\n    │ tell 2');
  });

  it('--verbose keeps every line of a finished step', async () => {
    const { send, screen } = view({ verbose: true });
    begin(send);
    runStep(send, 'a', 40);
    send(done('a', 'succeeded'));
    send({ type: 'run.finished', status: 'succeeded', durationMs: 1000, exitCode: 0 });
    const text = await screen();
    for (let i = 1; i <= 40; i++) expect(text).toContain(`  │ a ${i}\n`);
    expect(text).not.toContain('earlier lines');
  });

  it('says declined for a confirm answered no, and nothing to undo when compensation found nothing', async () => {
    const { send, screen } = view();
    begin(send);
    send({ type: 'step.started', stepId: 'go', name: 'go', phase: 'run', targets: ['local'], maxAttempts: 1 });
    send({ type: 'step.decision', stepId: 'go', choice: 'no' });
    send(done('go', 'failed', { exitCode: null, error: 'step "go": the operator answered no to "Switch?"' }));
    send({ type: 'run.finished', status: 'rolledBack', durationMs: 1000, exitCode: 1, error: 'step "go": the operator answered no to "Switch?"', compensated: [] });
    const text = await screen();
    expect(text).toContain('✖ go  declined\n  step "go": the operator answered no to "Switch?"');
    expect(text).toContain('✖ disk-full stopped: "go" was declined; nothing to undo in T');
    expect(text).not.toMatch(/failed|rolledBack|stepwise rollback/);
    expect(text).toContain(`stepwise show ${RUN_ID}`);
  });

  it('counts steps already done, says rolled back only when a rollback ran, and uses no internal identifiers', async () => {
    const { send, screen } = view();
    begin(send);
    send({ type: 'step.started', stepId: 'a', name: 'a', phase: 'run', targets: ['local'], maxAttempts: 1 });
    send(done('a', 'alreadyDone'));
    runStep(send, 'b', 1);
    send(done('b', 'timedOut', { error: 'step "b" timed out after 1s (timeout 1s)' }));
    send({ type: 'rollback.started', stepId: 'b', targets: ['local'] });
    send({ type: 'rollback.finished', stepId: 'b', status: 'succeeded', exitCode: 0, durationMs: 5, targets: [] });
    send({ type: 'run.finished', status: 'rolledBack', durationMs: 1000, exitCode: 1, error: 'step "b" timed out after 1s (timeout 1s)', compensated: ['b'] });
    const text = await screen();
    expect(text).toContain('↷ a  already done (its check holds; not run)');
    expect(text).toContain('✖ b  T · timed out');
    expect(text).toMatch(/✖ disk-full failed and was rolled back in T\s+1 ran, 1 already done · run /);
    expect(text).not.toMatch(/rolledBack|timedOut|alreadyDone|rollbackFailed/);
  });

  it('a cancelled run says cancelled, and what compensation did', async () => {
    const { send, screen } = view();
    begin(send);
    runStep(send, 'a', 1);
    send(done('a', 'failed', { error: 'step "a" was interrupted' }));
    send({ type: 'run.finished', status: 'cancelled', durationMs: 1000, exitCode: 130, error: 'interrupted', compensated: [] });
    expect(await screen()).toContain('⚠ disk-full was cancelled; nothing to undo in T');
  });

  it('at 60 columns breaks lines at spaces, never inside a run id or a command', async () => {
    const { send, screen } = view({}, 60);
    send({ type: 'run.started', runbook: 'incident-disk-full-with-a-long-name', file: '/rb.yaml', params: {}, mode: 'run', resumed: false, steps: ['a'], description: 'Frees space on a full disk by removing rotated logs older than a week, then restarts the log shipper.' });
    runStep(send, 'a', 1);
    send(done('a', 'failed', { error: 'step "a" failed with exit code 2' }));
    send({ type: 'run.finished', status: 'failed', durationMs: 1000, exitCode: 1, error: 'step "a" failed with exit code 2' });
    const text = await screen();
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(60);
    const lines = text.split('\n');
    // Every occurrence of the run id is whole on one line.
    expect(text.split(RUN_ID).length - 1).toBe(lines.filter((l) => l.includes(RUN_ID)).length);
    expect(text.split(RUN_ID).length - 1).toBeGreaterThanOrEqual(4);
    expect(lines).toContain(`  stepwise resume ${RUN_ID}`);
    expect(lines).toContain(`  stepwise show ${RUN_ID}`);
  });

  it('shows the running step’s description under it while it runs', async () => {
    const { send, screen, drawn } = view();
    begin(send);
    send({ type: 'step.started', stepId: 'a', name: 'a', phase: 'run', targets: ['local'], maxAttempts: 1, description: 'Lists the biggest directories under /var.' });
    send({ type: 'step.output', stepId: 'a', phase: 'run', stream: 'stdout', lines: ['a 1', 'a 2'] });
    // The live frame: the description, then the output tail.
    const live = await drawn('a 2');
    expect(live).toContain('Lists the biggest directories under /var.');
    send(done('a', 'succeeded'));
    const text = await screen();
    // Once finished, the description is not repeated: the permanent line replaces the frame.
    expect(text).not.toContain('Lists the biggest');
  });
});
