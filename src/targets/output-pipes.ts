/**
 * The stdout and stderr pipes of a running local step. They close only when every process
 * holding them has exited or closed them, and a daemon started without redirecting its
 * output holds them for its whole life: so the step's end is never tied to them. After the
 * drain grace they are cut: nothing more is forwarded, what still arrives is read and
 * dropped (so the holder neither blocks on a full pipe nor dies of SIGPIPE while the run
 * goes on), and they no longer keep the runner alive.
 */
import type { Readable } from 'node:stream';
import type { OutputStream } from './executor.js';

const NEWLINE = 0x0a;

export class OutputPipes {
  private cut = false;
  private open = 0;
  private readonly closed: Promise<void>;
  private readonly endsWithNewline: Record<OutputStream, boolean> = { stdout: true, stderr: true };
  private readonly streams: Readable[] = [];
  /** The first error thrown by `onOutput`; forwarding stops there. */
  failure: unknown;

  constructor(
    pipes: Partial<Record<OutputStream, Readable | null>>,
    private readonly onOutput: (stream: OutputStream, chunk: Buffer) => void,
    private readonly onFailure: (error: unknown) => void,
  ) {
    const closings: Promise<void>[] = [];
    for (const name of ['stdout', 'stderr'] as const) {
      const stream = pipes[name];
      if (!stream) continue;
      this.streams.push(stream);
      this.open++;
      stream.on('data', (chunk: Buffer) => this.forward(name, chunk));
      // A read error ends the pipe ('close' follows); it must not become an uncaught exception.
      stream.on('error', () => undefined);
      closings.push(
        new Promise((resolve) => {
          stream.once('close', () => {
            this.open--;
            resolve();
          });
        }),
      );
    }
    this.closed = Promise.all(closings).then(() => undefined);
  }

  /** Resolves true once both pipes have closed, false if `ms` passed first. */
  async closedWithin(ms: number): Promise<boolean> {
    if (this.open === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, ms));
    });
    const result = await Promise.race([this.closed.then(() => true), timedOut]);
    clearTimeout(timer);
    return result;
  }

  /** A line from stepwise itself in the step's stderr (and so in its log), on a line of its own. */
  notice(text: string): void {
    const lead = this.endsWithNewline.stderr ? '' : '\n';
    this.forward('stderr', Buffer.from(`${lead}stepwise: ${text}\n`));
  }

  /** Stops forwarding; keeps reading and dropping; lets the runner exit regardless. */
  cutOff(): void {
    this.cut = true;
    for (const stream of this.streams) (stream as Readable & { unref?: () => void }).unref?.();
  }

  /** Closes the pipes for good (the holder's next write fails); at the end of a run. */
  destroy(): void {
    this.cut = true;
    for (const stream of this.streams) stream.destroy();
  }

  private forward(stream: OutputStream, chunk: Buffer): void {
    if (this.cut || this.failure !== undefined || chunk.length === 0) return;
    this.endsWithNewline[stream] = chunk[chunk.length - 1] === NEWLINE;
    try {
      this.onOutput(stream, chunk);
    } catch (error) {
      this.failure = error;
      this.onFailure(error);
    }
  }
}
