/** Temp directories with files written into them, for loader tests. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A temp directory; `write` creates parent folders and returns the absolute path. */
export interface TempDir {
  dir: string;
  write(name: string, text: string | Buffer): string;
  remove(): void;
}

/** Makes a fresh temp directory. */
export function tempDir(prefix = 'stepwise-runbook-'): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write(name, text) {
      const file = join(dir, name);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
