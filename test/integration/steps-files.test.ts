/**
 * The host steps of the shipped library, run for real by the built CLI: file-backup and its
 * restoring rollback, disk-space-check on real filesystems (a small tmpfs when this machine
 * lets us mount one), and systemd-restart against a fake `systemctl` put first on PATH —
 * containers have no systemd, so the fake plays the unit's behaviour (see the fixture).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHttpServer } from '../helpers/http-server.js';
import { oneStep, runRunbook, scratch } from './steps-harness.js';

const FAKE_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/library/bin');

describe('file-backup', () => {
  const failAfter = (path: string) => ({ id: 'change', run: `echo changed > "${path}"\nexit 7` });

  it('copies the file aside, and its rollback restores content and mode after a later failure', async () => {
    const dir = scratch();
    const file = join(dir, 'app.conf');
    writeFileSync(file, 'original\n');
    chmodSync(file, 0o640);
    const run = await runRunbook(dir, { name: 'backup', steps: [{ id: 'save', uses: 'file-backup', with: { path: file, backup_dir: join(dir, 'backups') } }, failAfter(file)] });
    expect(run.code).toBe(1);
    const backup = run.outputs('save')['backup-file'] ?? '';
    expect(backup).toBe(join(dir, 'backups', `app.conf.${run.runId}.save.bak`));
    expect(readFileSync(backup, 'utf8')).toBe('original\n');
    expect(run.rollback('save')?.status).toBe('succeeded');
    expect(readFileSync(file, 'utf8')).toBe('original\n');
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(run.log('save', 'rollback')).toContain(`restored ${file}`);
  });

  it('backs up the real file behind a symlink, next to it by default', async () => {
    const dir = scratch();
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real', 'data.txt'), 'v1');
    execFileSync('ln', ['-s', join(dir, 'real', 'data.txt'), join(dir, 'link.txt')]);
    const run = await runRunbook(dir, { name: 'link', steps: [{ id: 'save', uses: 'file-backup', with: { path: join(dir, 'link.txt') } }, failAfter(join(dir, 'link.txt'))] });
    expect(run.code).toBe(1);
    expect(dirname(run.outputs('save')['backup-file'] ?? '')).toBe(join(dir, 'real'));
    expect(readFileSync(join(dir, 'real', 'data.txt'), 'utf8')).toBe('v1');
  });

  it('fails on a missing file unless missing_ok, whose rollback removes the file created later', async () => {
    const dir = scratch();
    const file = join(dir, 'new.conf');
    const strict = await runRunbook(dir, oneStep('file-backup', { path: file }));
    expect(strict.code).toBe(1);
    expect(strict.log('step')).toContain('does not exist');

    const run = await runRunbook(dir, { name: 'absent', steps: [{ id: 'save', uses: 'file-backup', with: { path: file, missing_ok: true } }, failAfter(file)] });
    expect(run.code).toBe(1);
    expect(run.outputs('save')['backup-file']).toBe('');
    expect(existsSync(file)).toBe(false);
  });

  it('a rollback with no backup taken does nothing and succeeds', async () => {
    const dir = scratch();
    const run = await runRunbook(dir, oneStep('file-backup', { path: dir }));
    expect(run.code).toBe(1);
    expect(run.log('step')).toContain('not a regular file');
    expect(run.rollback('step')?.status).toBe('succeeded');
    expect(run.log('step', 'rollback')).toContain('nothing to restore');
  });
});

describe('disk-space-check', () => {
  const mounts: string[] = [];
  afterAll(() => {
    for (const mount of mounts) execFileSync('umount', [mount]);
  });

  it('reports the numbers and passes a threshold the disk meets', async () => {
    const dir = scratch();
    const run = await runRunbook(dir, oneStep('disk-space-check', { path: dir, min_free_mb: 1, min_free_percent: 0.1 }));
    expect(run.code).toBe(0);
    const out = run.outputs('step');
    expect(Number(out['free-mb'])).toBeGreaterThan(0);
    expect(Number(out['size-mb'])).toBeGreaterThanOrEqual(Number(out['free-mb']));
    expect(out['free-percent']).toMatch(/^[0-9]+\.[0-9]$/);
    expect(run.log('step')).toContain('enough room');
  });

  it('fails when a threshold cannot be met, naming each one', async () => {
    const dir = scratch();
    // 100% free is impossible on a filesystem holding this very directory; so is 1 EiB.
    const run = await runRunbook(dir, oneStep('disk-space-check', { path: dir, min_free_percent: 100, min_free_mb: 2 ** 40 }));
    expect(run.code).toBe(1);
    expect(run.finished('step')?.status).toBe('failed');
    expect(run.log('step')).toMatch(/free space [0-9.]+% is below 100%/);
    expect(run.log('step')).toMatch(/free space [0-9]+ MiB is below 1099511627776 MiB/);
  });

  it('fails once a small filesystem fills up (a tmpfs, when mounting is allowed here)', async () => {
    const dir = scratch();
    const mount = join(dir, 'small');
    mkdirSync(mount);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mount], { stdio: 'ignore' });
      mounts.push(mount);
    } catch {
      console.warn('disk-space-check: cannot mount a tmpfs here; the impossible-threshold test above covers the failure path');
      return;
    }
    const check = oneStep('disk-space-check', { path: mount, min_free_percent: 50 });
    expect((await runRunbook(dir, check)).code).toBe(0);
    writeFileSync(join(mount, 'filler'), Buffer.alloc(3 * 1024 * 1024));
    const full = await runRunbook(dir, check);
    expect(full.code).toBe(1);
    expect(Number(full.outputs('step')['free-percent'])).toBeLessThan(50);
  });

  it('fails on a path that does not exist', async () => {
    const dir = scratch();
    const run = await runRunbook(dir, oneStep('disk-space-check', { path: join(dir, 'nope') }));
    expect(run.code).toBe(1);
    expect(run.log('step')).toContain('does not exist');
  });
});

describe('systemd-restart (fake systemctl on PATH: no systemd in this container)', () => {
  /**
   * A state dir for the fake, with the unit's behaviour, and the env that puts the fake first
   * (and the step's check markers in the test's own XDG_STATE_HOME). `calls` leaves out the
   * read-only `show` queries of the check's bookkeeping.
   */
  function fake(mode: string): { dir: string; env: NodeJS.ProcessEnv; calls(): string[] } {
    const dir = scratch();
    writeFileSync(join(dir, 'mode'), mode);
    return {
      dir,
      env: { PATH: `${FAKE_BIN}:${process.env.PATH ?? ''}`, FAKE_SYSTEMCTL_DIR: dir, XDG_STATE_HOME: join(dir, 'state-home') },
      calls: () =>
        readFileSync(join(dir, 'calls'), 'utf8')
          .trim()
          .split('\n')
          .filter((c) => !c.includes('ActiveEnterTimestampMonotonic')),
    };
  }

  it('restarts, waits through activating, checks it stays up, outputs the main PID', async () => {
    const unit = fake('ok');
    const run = await runRunbook(unit.dir, oneStep('systemd-restart', { unit: 'orders.service', stable: 1 }), { env: unit.env });
    expect(run.code).toBe(0);
    expect(run.outputs('step')).toEqual({ state: 'active', 'main-pid': '1001' });
    expect(unit.calls()[0]).toBe('restart -- orders.service');
    expect(unit.calls().filter((c) => c.startsWith('is-active')).length).toBeGreaterThanOrEqual(3);
  });

  it('fails at once when the unit fails, showing systemctl status', async () => {
    const unit = fake('failed');
    const run = await runRunbook(unit.dir, oneStep('systemd-restart', { unit: 'orders', action: 'reload-or-restart' }), { env: unit.env });
    expect(run.code).toBe(1);
    expect(run.log('step')).toContain('orders failed after the reload-or-restart');
    expect(run.log('step')).toContain('Active: failed');
    expect(unit.calls()[0]).toBe('reload-or-restart -- orders');
  });

  it('fails when the unit never becomes active within settle', async () => {
    const unit = fake('stuck');
    const run = await runRunbook(unit.dir, oneStep('systemd-restart', { unit: 'orders', settle: 2 }), { env: unit.env });
    expect(run.code).toBe(1);
    expect(run.log('step')).toContain("is still 'activating' after 2s");
  });

  it('fails when the main PID changes while it should be stable', async () => {
    const unit = fake('flappy');
    const run = await runRunbook(unit.dir, oneStep('systemd-restart', { unit: 'orders', stable: 1 }), { env: unit.env });
    expect(run.code).toBe(1);
    expect(run.log('step')).toContain('changed main PID');
  });

  it('with health_url, waits until the service also answers healthy over HTTP', async () => {
    const http = await startHttpServer({ '/health': (_req, hit) => (hit < 3 ? { status: 503 } : { status: 200, body: 'ok ready' }), '/sick': { status: 500 } });
    try {
      const unit = fake('ok');
      const healthy = await runRunbook(unit.dir, oneStep('systemd-restart', { unit: 'web', stable: 0, health_url: http.url('/health'), health_contains: 'ready' }), { env: unit.env });
      expect(healthy.code).toBe(0);
      expect(healthy.log('step')).toContain(`${http.url('/health')} answers 200`);
      const sick = await runRunbook(unit.dir, oneStep('systemd-restart', { unit: 'web', stable: 0, health_url: http.url('/sick'), health_timeout: 2 }), { env: unit.env });
      expect(sick.code).toBe(1);
      expect(sick.log('step')).toContain('did not answer healthy within 2s (last status 500)');
    } finally {
      await http.close();
    }
  });

  it('refuses a unit name with shell syntax in it (given through a param) before running anything', async () => {
    const unit = fake('ok');
    const run = await runRunbook(
      unit.dir,
      { name: 'bad-unit', params: { unit: { type: 'string', default: 'x; touch pwned' } }, steps: [{ id: 'step', uses: 'systemd-restart', with: { unit: '${{ params.unit }}' } }] },
      { env: unit.env },
    );
    expect(run.code).toBe(1);
    expect(String(run.finished('step')?.error)).toContain('breaks rule pattern');
    expect(existsSync(join(unit.dir, 'pwned'))).toBe(false);
    expect(existsSync(join(unit.dir, 'calls'))).toBe(false);
  });
});
