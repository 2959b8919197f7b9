/**
 * The failure tail (SPEC §7): the last lines of a step's stdout *and* stderr, interleaved as
 * they came, per host, kept while the step runs so a failure can be explained where it is
 * reported (cron mail, `--json`) without opening the logs. Bounded: a step printing
 * gigabytes keeps only `size` lines per host.
 */
import type { Phase, StepOutputEvent, TargetResult } from '../engine/events.js';
import { lastLines } from '../engine/output-bytes.js';
import type { OutputStream } from '../targets/executor.js';

/** Lines of both streams a failure carries. */
export const FAILURE_TAIL_LINES = 20;

/** One kept line of output. */
export interface TailLine {
  time: string;
  stream: OutputStream;
  line: string;
  /** Present for remote targets. */
  host?: string;
}

const MAX_LINE = 2000;

/** Keeps the newest lines of every running step execution, per host. */
export class FailureTails {
  private readonly tails = new Map<string, TailLine[]>();

  constructor(private readonly size = FAILURE_TAIL_LINES) {}

  /** Remembers the lines of an output event. */
  push(event: StepOutputEvent): void {
    const key = keyOf(event.stepId, event.phase, event.host);
    let tail = this.tails.get(key);
    if (!tail) this.tails.set(key, (tail = []));
    for (const raw of lastLines(event, this.size)) {
      const line = raw.length > MAX_LINE ? `${raw.slice(0, MAX_LINE - 1)}…` : raw;
      tail.push({ time: event.time, stream: event.stream, line, ...(event.host !== undefined ? { host: event.host } : {}) });
    }
    if (tail.length > this.size) tail.splice(0, tail.length - this.size);
  }

  /**
   * The tail of a finished execution, and forgets it. For a group step, the hosts that did
   * not succeed (all hosts when none is named), newest lines last within each host.
   */
  take(stepId: string, phase: Phase, targets: readonly TargetResult[] = []): TailLine[] {
    const failedHosts = new Set(targets.filter((t) => t.status !== 'succeeded' && t.status !== 'alreadyDone' && t.status !== 'skipped').map((t) => t.target));
    const lines: TailLine[] = [];
    const prefix = `${phase === 'rollback' ? 'rollback' : 'run'}\u0000${stepId}\u0000`;
    for (const [key, tail] of [...this.tails]) {
      if (!key.startsWith(prefix)) continue;
      this.tails.delete(key);
      const host = key.slice(prefix.length);
      if (host !== '' && targets.length > 1 && failedHosts.size > 0 && !failedHosts.has(host)) continue;
      lines.push(...tail);
    }
    return lines;
  }

  /** Forgets the tail of an execution that needs none. */
  drop(stepId: string, phase: Phase): void {
    this.take(stepId, phase);
  }
}

function keyOf(stepId: string, phase: Phase, host: string | undefined): string {
  // Run and finally executions of a step never overlap, so they share a key (as its log does).
  return `${phase === 'rollback' ? 'rollback' : 'run'}\u0000${stepId}\u0000${host ?? ''}`;
}
