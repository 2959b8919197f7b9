/**
 * `--json`: one JSON object per line on stdout with exactly the event types of SPEC §7
 * (and `step.check.started` / `step.check.finished`), each with `type`, `time` and `runId`.
 * An output event becomes one object per line.
 */
import type { EngineEvent, StepOutputEvent } from '../engine/events.js';
import type { Reporter } from './reporter.js';

/** Writes synchronously, so a gigabyte of output cannot pile up in memory. */
export type TextWriter = (text: string) => void;

export function createJsonReporter(write: TextWriter): Reporter {
  const event = (e: EngineEvent) => write(`${JSON.stringify(e)}\n`);
  const output = (e: StepOutputEvent) => {
    const { lines, ...rest } = e;
    // Serialize the shared fields once per chunk, not once per line.
    const head = JSON.stringify(rest).slice(0, -1);
    let text = '';
    for (const line of lines) text += `${head},"line":${JSON.stringify(line)}}\n`;
    write(text);
  };
  return {
    onRunBegin: event,
    onStepBegin: event,
    onStepOutput: output,
    onStepRetry: event,
    onStepEnd: event,
    onStepCheck: event,
    onRollbackBegin: event,
    onRollbackEnd: event,
    onRunEnd: event,
  };
}
