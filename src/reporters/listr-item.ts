/**
 * What the live view knows about one running step or rollback, built from engine events.
 * listr2 tasks read it to draw; the engine never sees it (listr2 only draws).
 */
import type { RollbackFinishedEvent, StepFinishedEvent } from '../engine/events.js';
import { formatDuration } from '../runbook/durations.js';
import { OutputTail } from './listr-tail.js';

/** Which section a live item belongs to. */
export type ItemKind = 'step' | 'finally' | 'rollback';

/** A promise with its resolve function, settled once. */
class Latch {
  settled = false;
  private release: () => void = () => {};
  readonly promise = new Promise<void>((resolve) => (this.release = resolve));
  open(): void {
    this.settled = true;
    this.release();
  }
}

/** One host of a step that runs on several: its own state and output tail. */
export class HostProgress {
  state: 'waiting' | 'running' | 'done' = 'waiting';
  /** Its batch succeeded (a later batch began). */
  passed = false;
  attempt = 1;
  retryNote: string | undefined;
  readonly tail: OutputTail;
  private readonly finished = new Latch();

  constructor(
    readonly name: string,
    tailLines: number,
  ) {
    this.tail = new OutputTail(tailLines);
  }

  /** Resolves when the host is done or drawing stops. */
  get done(): Promise<void> {
    return this.finished.promise;
  }

  finish(): void {
    this.state = 'done';
    this.finished.open();
  }
}

/** What a live item is told when it starts. */
export interface ItemInit {
  kind: ItemKind;
  stepId: string;
  name: string;
  targets: string[];
  maxAttempts: number;
  /** Lines kept per tail: enough for the live bar and for what stays on screen when it ends. */
  tailLines: number;
  /** The step's `description`, rendered, shown under it while it runs. */
  description?: string[];
  /** Hosts of a group step get their own line and tail (not for rollbacks: they go one host at a time). */
  perHost: boolean;
  now?: number;
}

/** A running step or rollback as the live view sees it. */
export class LiveItem {
  readonly startedAt: number;
  attempt = 1;
  retryNote: string | undefined;
  /** The last retry notes, kept for the final report of a failed step. */
  readonly retries: string[] = [];
  readonly tail: OutputTail;
  readonly hosts = new Map<string, HostProgress>();
  result: StepFinishedEvent | RollbackFinishedEvent | undefined;
  private readonly stopped = new Latch();
  private batched = false;
  /** The serial batch that started last (`step.batch` events of one batch repeat it when `forks` starts it in several goes). */
  private batch: number | undefined;

  constructor(readonly init: ItemInit) {
    this.startedAt = init.now ?? Date.now();
    this.tail = new OutputTail(init.tailLines);
    if (init.perHost && init.targets.length > 1) {
      for (const target of init.targets) this.hosts.set(target, new HostProgress(target, init.tailLines));
    }
  }

  /** Resolves when the item finished or its live drawing was stopped (a prompt needs the terminal). */
  get untilStopped(): Promise<void> {
    return this.stopped.promise;
  }

  get isStopped(): boolean {
    return this.stopped.settled;
  }

  /** Ends live drawing; events still update the item. */
  stopDrawing(): void {
    this.stopped.open();
    for (const host of this.hosts.values()) host.finish();
  }

  /** Marks hosts of a batch as running and those of the batch before as done (a batch only starts after the last succeeded). */
  startBatch(targets: string[], batch?: number): void {
    const first = !this.batched;
    // More hosts of the same batch (a slot freed): the hosts still running are not done.
    const more = batch !== undefined && batch === this.batch;
    this.batched = true;
    this.batch = batch;
    for (const host of this.hosts.values()) {
      if (more || host.state !== 'running') continue;
      // Before the first batch every host was assumed to start at once; they only wait.
      if (first) host.state = 'waiting';
      else {
        host.passed = true;
        host.finish();
      }
    }
    for (const target of targets) {
      const host = this.hosts.get(target);
      if (host) host.state = 'running';
    }
  }

  /** Without batches every host starts at once. */
  startAll(): void {
    for (const host of this.hosts.values()) host.state = 'running';
  }

  output(lines: string[], host: string | undefined): void {
    const perHost = host === undefined ? undefined : this.hosts.get(host);
    if (perHost) perHost.tail.push(lines);
    else this.tail.push(host !== undefined && this.init.targets.length > 1 ? lines.map((l) => `[${host}] ${l}`) : lines);
  }

  retrying(attempt: number, maxAttempts: number, delayMs: number, error: string, host: string | undefined): void {
    const note = `attempt ${attempt}/${maxAttempts} failed: ${error}; retrying in ${formatDuration(delayMs)}`;
    const perHost = host === undefined ? undefined : this.hosts.get(host);
    if (perHost) {
      perHost.attempt = attempt + 1;
      perHost.retryNote = note;
    } else {
      this.attempt = Math.max(this.attempt, attempt + 1);
      this.retryNote = host !== undefined && this.init.targets.length > 1 ? `[${host}] ${note}` : note;
    }
    this.retries.push(host !== undefined ? `${host}: ${note}` : note);
    if (this.retries.length > 5) this.retries.shift();
  }

  finish(result: StepFinishedEvent | RollbackFinishedEvent): void {
    this.result = result;
    this.stopDrawing();
  }

  /** Milliseconds since the item started. */
  elapsed(now = Date.now()): number {
    return now - this.startedAt;
  }
}
