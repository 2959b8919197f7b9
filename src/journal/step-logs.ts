/**
 * Per-step log files written as output arrives (SPEC §3.10): never buffered whole.
 * Lines are tagged `O ` (stdout) or `E ` (stderr), with `[host] ` for remote targets,
 * and `# ` for stepwise's own notes (attempt boundaries), so one file keeps order.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Phase, StepOutputEvent } from '../engine/events.js';
import { LinePrefixer } from '../engine/output-bytes.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import { FILE_MODE, errnoCode } from './fs-util.js';
import { stepLogName } from './run-paths.js';

/** Tag of a log line by its origin. */
export const LOG_TAGS = { stdout: 'O ', stderr: 'E ', note: '# ' } as const;

/** Formats output lines the way they are stored (one write per event keeps lines whole). */
export function formatOutputLines(event: Pick<StepOutputEvent, 'stream' | 'host' | 'lines'>): string {
  const prefix = linePrefix(event);
  let text = '';
  for (const line of event.lines) text += `${prefix}${line}\n`;
  return text;
}

function linePrefix(event: Pick<StepOutputEvent, 'stream' | 'host'>): string {
  return LOG_TAGS[event.stream] + (event.host ? `[${event.host}] ` : '');
}

/** Keeps one open descriptor per running step execution; closes it when the execution ends. */
export class StepLogs {
  private readonly open = new Map<string, number>();
  /** Logs that failed to write: output for them is dropped after one error is raised. */
  private readonly broken = new Set<string>();
  private readonly prefixer = new LinePrefixer();

  constructor(private readonly dir: string) {}

  /** Appends a `# ` note line (opens the file if needed). */
  note(stepId: string, phase: Phase, text: string): void {
    this.write(stepId, phase, `${LOG_TAGS.note}${text.replace(/\n/g, ' ')}\n`);
  }

  /** Appends the lines of an output event (its bytes as they are, when it has them). */
  output(event: StepOutputEvent): void {
    if (event.bytes !== undefined) {
      if (event.bytes.length > 0) this.write(event.stepId, event.phase, this.prefixer.apply(event.bytes, linePrefix(event)));
    } else if (event.lines.length > 0) this.write(event.stepId, event.phase, formatOutputLines(event));
  }

  /** Closes the file of a finished step execution. */
  close(stepId: string, phase: Phase): void {
    const key = keyOf(stepId, phase);
    const fd = this.open.get(key);
    if (fd === undefined) return;
    this.open.delete(key);
    closeSync(fd);
  }

  /** Closes every file still open (end of run, or crash cleanup). */
  closeAll(): void {
    for (const fd of this.open.values()) closeSync(fd);
    this.open.clear();
  }

  /** Number of files currently open (tests check descriptors do not leak). */
  get openCount(): number {
    return this.open.size;
  }

  private write(stepId: string, phase: Phase, text: string | Uint8Array): void {
    const key = keyOf(stepId, phase);
    if (this.broken.has(key)) return;
    try {
      let fd = this.open.get(key);
      if (fd === undefined) {
        // Append: a resumed run or a second rollback adds to the same file.
        fd = openSync(join(this.dir, stepLogName(stepId, phase)), 'a', FILE_MODE);
        this.open.set(key, fd);
      }
      // One call per overload of writeSync (a string is written without a Buffer copy).
      if (typeof text === 'string') writeSync(fd, text);
      else writeSync(fd, text);
    } catch (error) {
      this.broken.add(key);
      this.close(stepId, phase);
      throw new StepwiseError(`Cannot write the log of step "${stepId}" (${errnoCode(error) ?? String(error)}); its further output is not logged`, {
        cause: error,
        hint: 'Check free space and permissions of the state directory.',
      });
    }
  }
}

function keyOf(stepId: string, phase: Phase): string {
  // Run and finally share a file name, but they never run at the same time, so one key.
  return `${phase === 'rollback' ? 'rollback' : 'run'}:${stepId}`;
}
