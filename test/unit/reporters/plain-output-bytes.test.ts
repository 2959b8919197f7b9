/**
 * The plain reporter moves step output as bytes when it can: for the same events, output
 * given as bytes (as the engine makes it) and output given as lines print exactly the same
 * text on both streams, with and without --quiet; output holding control codes is sanitized
 * either way; and the failure tail is the same.
 */
import { describe, expect, it } from '@jest/globals';
import type { EngineEvent, EventInput } from '../../../src/engine/events.js';
import { outputEvent } from '../../../src/engine/output-bytes.js';
import { withoutEscapes } from '../../../src/cli/create-reporters.js';
import { dispatch } from '../../../src/reporters/multiplexer.js';
import { createPlainReporter } from '../../../src/reporters/plain-reporter.js';

type Output = { stepId: string; phase: 'run' | 'rollback'; stream: 'stdout' | 'stderr'; host?: string; text: string };

const CLEAN = 'got 12 rows\ndone é 日本 😀\n\ttabbed\n';
const DIRTY = 'plain\n\u001b[31mred\u001b[0m\nprogress\r50%\nbell\u0007 and csi \u009b2J\n';

function events(outputs: Output[], asBytes: boolean): EventInput[] {
  const out = (o: Output): EventInput => {
    const fields = { type: 'step.output' as const, stepId: o.stepId, phase: o.phase, stream: o.stream, ...(o.host ? { host: o.host } : {}) };
    const bytes = Buffer.from(o.text);
    return asBytes ? outputEvent(fields, bytes) : { ...fields, lines: o.text.slice(0, -1).split('\n') };
  };
  return [
    { type: 'run.started', runbook: 'nightly', file: '/x.yaml', params: {}, mode: 'run', resumed: false, steps: ['a', 'b'] },
    { type: 'step.started', stepId: 'a', name: 'a', phase: 'run', targets: ['local'], maxAttempts: 1 },
    ...outputs.filter((o) => o.stepId === 'a').map(out),
    { type: 'step.finished', stepId: 'a', name: 'a', phase: 'run', status: 'succeeded', exitCode: 0, durationMs: 20, attempt: 1, outputs: {}, targets: [] },
    { type: 'step.started', stepId: 'b', name: 'b', phase: 'run', targets: ['web-1'], maxAttempts: 1 },
    ...outputs.filter((o) => o.stepId === 'b' && o.phase === 'run').map(out),
    { type: 'step.finished', stepId: 'b', name: 'b', phase: 'run', status: 'failed', exitCode: 3, durationMs: 30, attempt: 1, error: 'step "b" failed with exit code 3', outputs: {}, targets: [{ target: 'web-1', status: 'failed', exitCode: 3, attempt: 1, durationMs: 30 }] },
    { type: 'rollback.started', stepId: 'a', targets: ['local'] },
    ...outputs.filter((o) => o.phase === 'rollback').map(out),
    { type: 'rollback.finished', stepId: 'a', status: 'failed', exitCode: 1, durationMs: 5, targets: [] },
    { type: 'run.finished', status: 'rollbackFailed', durationMs: 100, exitCode: 3, error: 'step "b" failed with exit code 3' },
  ];
}

/** Renders as the CLI wires it: text through the escape filter, bytes as they are. */
function render(list: EventInput[], quiet: boolean) {
  let out = '';
  let err = '';
  const reporter = createPlainReporter(
    {
      progress: withoutEscapes((t) => (out += t)),
      problems: withoutEscapes((t) => (err += t)),
      progressBytes: (b) => (out += Buffer.from(b).toString('utf8')),
      problemsBytes: (b) => (err += Buffer.from(b).toString('utf8')),
    },
    { quiet },
  );
  list.forEach((event, i) => dispatch(reporter, Object.assign(event, { time: `2026-11-30T03:00:${String(i).padStart(2, '0')}.000Z`, runId: 'r1' }) as EngineEvent));
  return { out, err };
}

const OUTPUTS: Output[] = [
  { stepId: 'a', phase: 'run', stream: 'stdout', text: CLEAN },
  { stepId: 'a', phase: 'run', stream: 'stderr', text: DIRTY },
  { stepId: 'b', phase: 'run', stream: 'stdout', host: 'web-1', text: `${'line\n'.repeat(30)}${CLEAN}` },
  { stepId: 'b', phase: 'run', stream: 'stderr', host: 'web-1', text: DIRTY },
  { stepId: 'a', phase: 'rollback', stream: 'stdout', text: CLEAN },
  { stepId: 'a', phase: 'rollback', stream: 'stderr', text: DIRTY },
];

describe('plain reporter, output as bytes', () => {
  for (const quiet of [false, true]) {
    it(`prints the same as for lines${quiet ? ' (--quiet)' : ''}`, () => {
      const fromLines = render(events(OUTPUTS, false), quiet);
      const fromBytes = render(events(OUTPUTS, true), quiet);
      expect(fromBytes).toEqual(fromLines);
      // eslint-disable-next-line no-control-regex
      expect(fromBytes.out + fromBytes.err).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u009b]/);
      expect(fromBytes.err).toContain('b @web-1 | done é 日本 😀');
      if (!quiet) expect(fromBytes.out).toContain('2026-11-30T03:00:02.000Z a | done é 日本 😀\n');
    });
  }

  it('writes clean output through the bytes writer and output with control codes as sanitized text', () => {
    const seen: string[] = [];
    const reporter = createPlainReporter({ progress: (t) => seen.push(`text:${t}`), problems: () => undefined, progressBytes: (b) => seen.push(`bytes:${Buffer.from(b).toString()}`) });
    const at = { time: 'T', runId: 'r1' };
    dispatch(reporter, { ...at, ...outputEvent({ type: 'step.output', stepId: 'a', phase: 'run', stream: 'stdout' }, Buffer.from('ok\n')) } as EngineEvent);
    dispatch(reporter, Object.assign(outputEvent({ type: 'step.output', stepId: 'a', phase: 'run', stream: 'stdout' }, Buffer.from('ok\n')), at) as EngineEvent);
    dispatch(reporter, Object.assign(outputEvent({ type: 'step.output', stepId: 'a', phase: 'run', stream: 'stdout' }, Buffer.from('\u001b[1mx\n')), at) as EngineEvent);
    // A copy of the event (spread) has lines only: it is written as text.
    expect(seen).toEqual(['text:T a | ok\n', 'bytes:T a | ok\n', 'text:T a | \u001b[1mx\n']);
  });
});
