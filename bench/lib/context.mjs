/**
 * What every scenario needs: where the built CLI is, a scratch directory on disk, fresh
 * state directories per run (on disk or on tmpfs), the settings of this bench run, and
 * the tools that are present (with the reason when one is not).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** A command line of the built stepwise CLI; stdout goes to /dev/null, so the plain reporter is used. */
export function stepwiseCommand(ctx, args) {
  return { cmd: process.execPath, args: [ctx.cli, ...args], env: { NO_COLOR: '1' }, cwd: ctx.scratch };
}

/** Why the built CLI cannot be run, or undefined. */
export function cliUnavailableReason(cli) {
  return existsSync(cli) ? undefined : `${cli} is missing: the build failed or has not run (npm run build)`;
}

/**
 * prepare/cleanup hooks giving each run a fresh, empty state directory under `base`
 * (the scratch dir on disk, or /dev/shm), so no run reads the history of another.
 */
export function freshStateDir(base) {
  return {
    prepare: () => ({ stateDir: mkdtempSync(join(base, 'state-')) }),
    cleanup: (c) => rmSync(c.stateDir, { recursive: true, force: true }),
  };
}
