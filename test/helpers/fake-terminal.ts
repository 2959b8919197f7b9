/** A terminal for live-view tests that only records what it is sent, and waits for a frame. */

/** What a test holds: the stream to hand the view, what it was sent, and a wait for text. */
export interface FakeTerminal {
  stream: NodeJS.WriteStream;
  /** Everything written so far, as one string. */
  raw(): string;
  /** Resolves with `raw()` once every one of `texts` has been written (polls; the guard only stops a hung test). */
  drawn(...texts: string[]): Promise<string>;
}

/** A TTY-looking stream of `columns` × 40 that records every write. */
export function fakeTerminal(columns = 100): FakeTerminal {
  const chunks: string[] = [];
  const stream = {
    isTTY: true,
    columns,
    rows: 40,
    write(chunk: string | Uint8Array) {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  const raw = () => chunks.join('');
  const drawn = (...texts: string[]) =>
    new Promise<string>((resolve, reject) => {
      const missing = () => texts.filter((text) => !raw().includes(text));
      const guard = setTimeout(() => reject(new Error(`never drawn: ${missing().join(', ')}\n${raw()}`)), 30_000);
      const poll = () => {
        if (missing().length === 0) {
          clearTimeout(guard);
          resolve(raw());
        } else setTimeout(poll, 10);
      };
      poll();
    });
  return { stream, raw, drawn };
}
