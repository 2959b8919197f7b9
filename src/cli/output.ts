/**
 * Terminal writers for reporters: synchronous on files and pipes, so memory stays bounded.
 * A reader that went away (EPIPE) or a terminal that hung up (EIO) loses the text, never
 * the run: the journal still records everything.
 */
import { writeSync } from 'node:fs';

/** Writes all of `text` to a file descriptor, retrying when a non-blocking pipe is full. */
function writeAll(fd: number, text: string): void {
  let written = 0;
  try {
    // The common case writes the whole string at once: no Buffer copy of every chunk.
    written = writeSync(fd, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPIPE' || code === 'EIO') return;
    if (code !== 'EAGAIN') throw error;
  }
  if (written === Buffer.byteLength(text)) return;
  let buffer = Buffer.from(text).subarray(written);
  while (buffer.length > 0) {
    try {
      buffer = buffer.subarray(writeSync(fd, buffer));
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
