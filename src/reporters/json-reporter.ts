/**
 * `--json`: one JSON object per line on stdout with exactly the event types of SPEC §7
 * (and `step.check.started` / `step.check.finished`), each with `type`, `time` and `runId`.
 * An output event becomes one object per line. A failed `step.finished` or
 * `rollback.finished` also carries `tail`: the last lines of both streams, interleaved as
 * they came (the same failure tail the plain lines show).
 */
import type { EngineEvent, RollbackFinishedEvent, StepFinishedEvent, StepOutputEvent } from '../engine/events.js';
import { FailureTails } from './failure-tail.js';
import type { Reporter } from './reporter.js';

/** Writes synchronously, so a gigabyte of output cannot pile up in memory. */
export type TextWriter = (text: string) => void;

const LINES_PER_WRITE = 256;

/** Creates the `--json` reporter. */
export function createJsonReporter(write: TextWriter): Reporter {
  const tails = new FailureTails();
  const event = (e: EngineEvent) => write(`${JSON.stringify(e)}\n`);
  const output = (e: StepOutputEvent) => {
    tails.push(e);
    const { lines, ...rest } = e;
    // Serialize the shared fields once per chunk, not once per line.
    const head = JSON.stringify(rest).slice(0, -1);
    let text = '';
    for (let i = 0; i < lines.length; i++) {
      text += `${head},"line":${JSON.stringify(lines[i])}}\n`;
      // Written every few hundred lines: a string past 128 KiB is a large object, slow to make and to flatten.
      if (i % LINES_PER_WRITE === LINES_PER_WRITE - 1) {
        write(text);
        text = '';
      }
    }
    if (text !== '') write(text);
  };
  const finished = (e: StepFinishedEvent | RollbackFinishedEvent) => {
    const phase = e.type === 'rollback.finished' ? 'rollback' : e.phase;
    if (e.status !== 'failed' && e.status !== 'timedOut') {
      tails.drop(e.stepId, phase);
      return event(e);
    }
    const tail = tails.take(e.stepId, phase, e.targets).map(({ stream, line, host }) => ({ stream, line, ...(host !== undefined ? { host } : {}) }));
    write(`${JSON.stringify({ ...e, tail })}\n`);
  };
  return {
    onRunBegin: event,
    onStepBegin: event,
    onStepOutput: output,
    onStepRetry: event,
    onStepEnd: finished,
    onStepCheck: event,
    onRollbackBegin: event,
    onRollbackEnd: finished,
    onRunEnd: event,
  };
}
