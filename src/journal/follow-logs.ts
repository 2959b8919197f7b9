/**
 * `stepwise logs -f RUN_ID`: what a running run has written so far, then what it writes
 * next, until it ends (like `tail -f`, but it stops by itself). Files are polled, read from
 * where the last read stopped, and written out in complete lines with backpressure, so a
 * step printing gigabytes is followed without holding them.
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { describeRun } from './history.js';
import { runPaths } from './run-paths.js';
import type { StateDir } from './state-dir.js';

/** How to follow. */
export interface FollowOptions {
  /** Only this step's logs (its run and rollback). */
  stepId?: string;
  /** How often to look for more (default 250 ms). */
  pollMs?: number;
  /** Stops following (the operator's Ctrl-C is the usual way). */
  signal?: AbortSignal;
}

const CHUNK = 1 << 20;

interface Followed {
  name: string;
  offset: number;
  /** The start of a line whose end has not been written yet. */
  partial: Buffer;
}

/** Writes the run's logs as they grow; resolves when the run is no longer running. */
export async function followRunLogs(state: StateDir, runId: string, out: Writable, options: FollowOptions = {}): Promise<void> {
  const dir = runPaths(state, runId).logs;
  const files = new Map<string, Followed>();
  let shown: string | undefined;
  const write = async (text: string | Buffer) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const wanted = (name: string) => options.stepId === undefined || name === `${options.stepId}.log` || name === `${options.stepId}.rollback.log`;

  const drain = async (final: boolean) => {
    for (const name of discover(dir, files, wanted)) {
      const followed = files.get(name) as Followed;
      for (;;) {
        const chunk = readFrom(join(dir, name), followed.offset);
        if (chunk.length === 0) break;
        followed.offset += chunk.length;
        const data = Buffer.concat([followed.partial, chunk]);
        const end = data.lastIndexOf(0x0a) + 1;
        followed.partial = Buffer.from(data.subarray(end));
        if (end === 0) continue;
        if (shown !== name) {
          await write(`${shown === undefined ? '' : '\n'}==> ${headerOf(name)} <==\n`);
          shown = name;
        }
        await write(data.subarray(0, end));
      }
      // When the run is over, a last line without its newline is still output.
      if (final && followed.partial.length > 0) {
        await write(Buffer.concat([followed.partial, Buffer.from('\n')]));
        followed.partial = Buffer.alloc(0);
      }
    }
  };

  for (;;) {
    const running = describeRun(state, runId)?.status === 'running';
    await drain(!running);
    if (!running || options.signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.pollMs ?? 250);
      options.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** Log files in the order they were created (steps run in order); new ones are added to `files`. */
function discover(dir: string, files: Map<string, Followed>, wanted: (name: string) => boolean): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.log') && wanted(n));
  } catch {
    names = [];
  }
  const fresh = names.filter((n) => !files.has(n));
  const born = (name: string) => {
    try {
      return statSync(join(dir, name)).birthtimeMs || statSync(join(dir, name)).ctimeMs;
    } catch {
      return 0;
    }
  };
  for (const name of fresh.sort((a, b) => born(a) - born(b))) files.set(name, { name, offset: 0, partial: Buffer.alloc(0) });
  return [...files.keys()];
}

/** Up to 1 MiB of the file from `offset` (nothing when it has not grown or is gone). */
function readFrom(path: string, offset: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const size = fstatSync(fd).size;
    if (size <= offset) return Buffer.alloc(0);
    const buffer = Buffer.alloc(Math.min(CHUNK, size - offset));
    const n = readSync(fd, buffer, 0, buffer.length, offset);
    return buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function headerOf(name: string): string {
  return name.endsWith('.rollback.log') ? `${name.slice(0, -'.rollback.log'.length)} (rollback)` : name.slice(0, -'.log'.length);
}
