/**
 * Terminal writers for reporters: synchronous on files and pipes, so memory stays bounded.
 * A reader that went away (EPIPE) or a terminal that hung up (EIO) loses the text, never
 * the run: the journal still records everything.
 */
import { writeSync } from 'node:fs';

/** Writes all of `data` to a file descriptor, retrying when a non-blocking pipe is full. */
function writeAll(fd: number, data: string | Uint8Array): void {
  let written = 0;
  try {
    // The common case writes it all at once: no Buffer copy of a string. (Two calls: one per overload.)
    written = typeof data === 'string' ? writeSync(fd, data) : writeSync(fd, data);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPIPE' || code === 'EIO') return;
    if (code !== 'EAGAIN') throw error;
  }
  const total = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  if (written === total) return;
  let rest = (typeof data === 'string' ? Buffer.from(data) : data).subarray(written);
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(fd, rest));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EPIPE' || code === 'EIO') return;
      throw error;
    }
  }
}

export const writeStdout = (text: string): void => writeAll(1, text);
export const writeStderr = (text: string): void => writeAll(2, text);
/** Bytes as they are, for output already free of control codes (control-bytes.ts). */
export const writeStdoutBytes = (bytes: Uint8Array): void => writeAll(1, bytes);
/** Bytes as they are, for output already free of control codes (control-bytes.ts). */
export const writeStderrBytes = (bytes: Uint8Array): void => writeAll(2, bytes);
