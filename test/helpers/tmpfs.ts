/**
 * A small tmpfs that a test mounts as a state dir to fill it up for real (ENOSPC), as root
 * (CI runs as root). Where mounting is not permitted the caller decides: skip loudly on a
 * developer's machine, fail under CI.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

/** Mounted, or why not. */
export type MountResult = { mounted: true } | { mounted: false; reason: string };

/** Mounts a tmpfs of `size` (e.g. `2m`) on `dir` (created if missing), mode 0700. */
export function mountTmpfs(dir: string, size: string): MountResult {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    return { mounted: true };
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return { mounted: false, reason: stderr || (error instanceof Error ? error.message : String(error)) };
  }
}

/** Unmounts `dir` (lazily, so a process that still has a file open there cannot block it). */
export function unmountTmpfs(dir: string): void {
  try {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  } catch {
    // not mounted
  }
}
