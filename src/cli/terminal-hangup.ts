/**
 * A terminal that hangs up (the operator's SSH connection drops, the window is closed) must
 * not take the run with it. stepwise gets SIGHUP and goes on stopping the step, compensating
 * and running `finally`, but from then on every write to the terminal fails with EIO: those
 * writes are dropped (the journal keeps everything). At exit the dead terminal is let go, so
 * that Node does not abort (and dump core) while restoring its mode: Node 20 asserts that
 * tcsetattr succeeds, which it cannot on a hung-up terminal (nodejs/node#51519).
 */
import { closeSync } from 'node:fs';
import { isatty } from 'node:tty';

/** Errors that only mean nobody can read what we write any more. */
const READER_GONE = new Set(['EIO', 'EPIPE', 'ERR_STREAM_DESTROYED']);

let installed = false;

/** Makes the process outlive its terminal: call once before anything draws on it. */
export function surviveTerminalHangup(): void {
  if (installed) return;
  installed = true;
  const terminals = [0, 1, 2].filter((fd) => isatty(fd));
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (!READER_GONE.has(error.code ?? '')) throw error;
    });
  }
  process.on('exit', () => {
    // isatty fails once the terminal is hung up; a closed descriptor is what Node skips.
    for (const fd of terminals) {
      if (isatty(fd)) continue;
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
  });
}
