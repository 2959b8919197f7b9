import { afterAll, describe, expect, it } from '@jest/globals';
import { statSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkStateDirWritable, ensureStateDir, locateStateDir, openStateDir, resolveStateDir, stateDirAt } from '../../../src/journal/state-dir.js';
import { UsageError } from '../../../src/errors/stepwise-error.js';
import { cleanTempDirs, tempDir } from '../../helpers/temp-dir.js';

afterAll(cleanTempDirs);

describe('resolveStateDir', () => {
  const home = '/home/op';
  it('prefers --state-dir, resolved against cwd, with ~ expanded', () => {
    const env = { STEPWISE_STATE_DIR: '/env/state', XDG_STATE_HOME: '/xdg' };
    expect(resolveStateDir({ stateDir: 'rel/dir', env, home, cwd: '/work' })).toBe('/work/rel/dir');
    expect(resolveStateDir({ stateDir: '~/s', env, home, cwd: '/work' })).toBe('/home/op/s');
  });
  it('then STEPWISE_STATE_DIR, then $XDG_STATE_HOME/stepwise, then ~/.local/state/stepwise', () => {
    expect(resolveStateDir({ env: { STEPWISE_STATE_DIR: '/env/state', XDG_STATE_HOME: '/xdg' }, home })).toBe('/env/state');
    expect(resolveStateDir({ env: { XDG_STATE_HOME: '/xdg' }, home })).toBe('/xdg/stepwise');
    expect(resolveStateDir({ env: {}, home })).toBe('/home/op/.local/state/stepwise');
  });
  it('ignores a relative XDG_STATE_HOME, as the XDG spec requires', () => {
    expect(resolveStateDir({ env: { XDG_STATE_HOME: 'relative' }, home })).toBe('/home/op/.local/state/stepwise');
  });
});

describe('ensureStateDir / openStateDir', () => {
  it('creates root, runs/ and locks/ with mode 0700 and leaves no probe behind', () => {
    const root = tempDir().path('a', 'state');
    const dir = openStateDir({ stateDir: root });
    expect(dir).toEqual(stateDirAt(root));
    for (const path of [dir.root, dir.runs, dir.locks]) expect(statSync(path).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir.runs)).toEqual([]);
    expect(readdirSync(dir.locks)).toEqual([]);
  });

  it('locates without creating anything, for read-only commands', () => {
    const root = tempDir().path('nothing-here');
    expect(locateStateDir({ stateDir: root })).toEqual(stateDirAt(root));
    expect(() => statSync(root)).toThrow();
  });

  it('is idempotent', () => {
    const root = tempDir().path('state');
    ensureStateDir(root);
    expect(() => ensureStateDir(root)).not.toThrow();
  });

  it('refuses with a UsageError and a hint when the directory cannot be created', () => {
    const file = tempDir().path('not-a-dir');
    writeFileSync(file, 'x');
    let error: unknown;
    try {
      openStateDir({ stateDir: join(file, 'state') });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toContain('Cannot create state directory');
    expect((error as UsageError).hint).toMatch(/--state-dir/);
  });

  it('refuses to run unjournaled when the probe cannot be written', () => {
    const root = tempDir().dir;
    writeFileSync(join(root, 'runs'), 'a file where a directory should be');
    expect(() => checkStateDirWritable(stateDirAt(root))).toThrow(/not writable .*refusing to run without a journal/);
  });
});
