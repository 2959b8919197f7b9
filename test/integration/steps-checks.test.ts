/**
 * The `check:` each host and network step of the library ships (SPEC §2), run for real by the
 * built CLI: it holds when the state it describes is there and fails when it is not.
 * file-backup on real files, systemd-restart against the fake systemctl (and a real HTTP
 * health URL), wait-for-port and wait-for-http against real listeners. The interesting
 * moment for file-backup and systemd-restart is a resume: the runner is SIGKILLed (by its
 * pid) right after the step's work took effect, and the check must find it done — or, when
 * the state was changed meanwhile, not done, so the step runs again.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, chownSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import { eventually } from '../helpers/processes.js';
import { oneStep, resumeRun, runRunbook, scratch, startRunbook, type StepsRun } from './steps-harness.js';

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/library');
const FAKE_BIN = join(FIXTURES, 'bin');
const BLOCK_BIN = join(FIXTURES, 'block-bin');
/** Headroom for tests that run the CLI several times on a shared machine (a hang guard, not a speed check). */
const SLOW = 400_000;

/** Lines of a log file (none when it does not exist). */
const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

/** Starts `runbook`, waits for `ready` (text or a condition), SIGKILLs the runner process by its pid; returns the run id. */
async function killWhen(dir: string, runbook: Record<string, unknown>, env: NodeJS.ProcessEnv, ready: string | (() => boolean)): Promise<string> {
  const { cli, done } = startRunbook(dir, runbook, { env });
  if (typeof ready === 'string') await cli.waitFor(ready);
  else expect(await eventually(ready, 600)).toBe(true);
  expect(cli.child.pid).toBeDefined();
  process.kill(cli.child.pid ?? 0, 'SIGKILL');
  const killed = await done;
  expect(killed.code).toBeNull();
  expect(killed.runId).not.toBe('');
  return killed.runId;
}

describe('file-backup check: this step\'s backup exists and matches the file', () => {
  it('fails before the step in a new run (no backup of this run yet) and holds right after the copy', async () => {
    const dir = scratch();
    const file = join(dir, 'app.conf');
    writeFileSync(file, 'v1\n');
    const run = await runRunbook(dir, oneStep('file-backup', { path: file }));
    expect(run.code).toBe(0);
    expect(run.checks('step')).toEqual(['before:fails', 'after:holds']);
    expect(run.log('step')).toContain(`no backup of ${file} by this step yet`);
    expect(run.log('step')).toContain(`app.conf.${run.runId}.step.bak matches ${file}`);
  }, SLOW);

  it('with missing_ok and no file, holds after the step as it recorded the absence', async () => {
    const dir = scratch();
    const run = await runRunbook(dir, oneStep('file-backup', { path: join(dir, 'absent.conf'), missing_ok: true }));
    expect(run.code).toBe(0);
    expect(run.checks('step')).toEqual(['before:fails', 'after:holds']);
    expect(run.log('step')).toContain('does not exist, as this step recorded');
  }, SLOW);

  /** A run killed right after file-backup's move into place (the fake mv blocks after moving). */
  async function killedAfterCopy() {
    const dir = scratch();
    const file = join(dir, 'app.conf');
    writeFileSync(file, 'original\n');
    chmodSync(file, 0o640);
    const mvLog = join(dir, 'mv.log');
    const runbook = {
      name: 'backup-then-change',
      steps: [
        { id: 'save', uses: 'file-backup', with: { path: file } },
        { id: 'after', run: `echo after >> "${join(dir, 'after.log')}"` },
      ],
    };
    const env = { PATH: `${BLOCK_BIN}:${process.env.PATH ?? ''}`, FAKE_MV_LOG: mvLog };
    const runId = await killWhen(dir, runbook, { ...env, FAKE_MV_BLOCK: '1' }, 'moved, now blocking');
    const backup = join(dir, `app.conf.${runId}.save.bak`);
    expect(readFileSync(backup, 'utf8')).toBe('original\n');
    expect(lines(mvLog)).toHaveLength(1);
    return { dir, file, backup, mvLog, runId, env };
  }

  it('resume after SIGKILL once the copy was made: the check holds, the step is not run again', async () => {
    const k = await killedAfterCopy();
    const resumed = await resumeRun(k.dir, k.runId, { env: k.env });
    expect(resumed.code).toBe(0);
    expect(resumed.finished('save')?.status).toBe('alreadyDone');
    expect(resumed.checks('save')).toEqual(['before:holds']);
    // The step's script would have moved a new copy into place: it never ran.
    expect(lines(k.mvLog)).toHaveLength(1);
    expect(lines(join(k.dir, 'after.log'))).toEqual(['after']);
  }, SLOW);

  it.each([
    ['differs', (backup: string) => writeFileSync(backup, 'tampered\n'), 'differs from'],
    ['has other permissions', (backup: string) => chmodSync(backup, 0o666), 'has other permissions than'],
    ['is gone', (backup: string) => rmSync(backup), 'no backup of'],
  ])('resume when the backup %s: the check fails, the step copies again, and then it holds', async (_what, change, message) => {
    const k = await killedAfterCopy();
    change(k.backup);
    const resumed = await resumeRun(k.dir, k.runId, { env: k.env });
    expect(resumed.code).toBe(0);
    expect(resumed.finished('save')?.status).toBe('succeeded');
    expect(resumed.checks('save')).toEqual(['before:fails', 'after:holds']);
    expect(resumed.log('save')).toContain(message);
    expect(lines(k.mvLog)).toHaveLength(2);
    expect(readFileSync(k.backup, 'utf8')).toBe('original\n');
  }, SLOW);
});

describe('systemd-restart check: active, restarted by this step in this run, healthy (fake systemctl)', () => {
  /** The fake's state dir, its env (the step's markers in the test's own XDG_STATE_HOME), and counters. */
  function fake(mode: string) {
    const dir = scratch();
    writeFileSync(join(dir, 'mode'), mode);
    const stateHome = join(dir, 'state-home');
    return {
      dir,
      env: { PATH: `${FAKE_BIN}:${process.env.PATH ?? ''}`, FAKE_SYSTEMCTL_DIR: dir, XDG_STATE_HOME: stateHome },
      markers: () => (existsSync(join(stateHome, 'stepwise/systemd-restart')) ? readdirSync(join(stateHome, 'stepwise/systemd-restart')).map((f) => join(stateHome, 'stepwise/systemd-restart', f)) : []),
      restarts: () => Number(existsSync(join(dir, 'restarts')) ? readFileSync(join(dir, 'restarts'), 'utf8') : 0),
      calls: () => lines(join(dir, 'calls')),
    };
  }

  it('fails before the step in a new run, holds right after it; the marker names this host\'s boot', async () => {
    const unit = fake('ok');
    const run = await runRunbook(unit.dir, oneStep('systemd-restart', { unit: 'orders.service', stable: 0 }), { env: unit.env });
    expect(run.code).toBe(0);
    expect(run.checks('step')).toEqual(['before:fails', 'after:holds']);
    expect(run.log('step')).toContain('orders.service was not restarted by this step in this run');
    expect(run.log('step')).toContain('orders.service is active, restarted by this step');
    const [marker] = unit.markers();
    const [boot, since, name] = readFileSync(marker ?? '', 'utf8').trim().split(' ');
    expect([boot, name]).toEqual([readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(), 'orders.service']);
    expect(since).toBe(readFileSync(join(unit.dir, 'entered'), 'utf8').trim());
  }, SLOW);

  it('a reload that keeps the activation still counts: the step records the activation it verified', async () => {
    const unit = fake('up');
    writeFileSync(join(unit.dir, 'reload-keeps'), '');
    const run = await runRunbook(unit.dir, oneStep('systemd-restart', { unit: 'orders', action: 'reload-or-restart', stable: 0 }), { env: unit.env });
    expect(run.code).toBe(0);
    expect(existsSync(join(unit.dir, 'entered'))).toBe(false);
    expect(run.checks('step')).toEqual(['before:fails', 'after:holds']);
  }, SLOW);

  describe('resume after SIGKILL once the unit was restarted (killed while waiting for health)', () => {
    let http: TestHttpServer;
    /** Whether /health answers 200 (else 503); the test changes it. */
    let healthy: () => boolean = () => false;
    beforeAll(async () => {
      http = await startHttpServer({ '/health': () => (healthy() ? { status: 200, body: 'ok' } : { status: 503, body: 'starting' }) });
    });
    afterAll(async () => http.close());

    /** Restarts `orders`, kills the runner while the step polls the health URL, then lets /health answer as `after` says. */
    async function killedAfterRestart(after: (restarts: () => number) => boolean) {
      const unit = fake('up');
      healthy = () => false;
      const asked = http.requests.length;
      const runbook = { name: 'restart', steps: [{ id: 'restart', uses: 'systemd-restart', with: { unit: 'orders', stable: 0, health_url: http.url('/health') } }, { id: 'next', run: 'echo next' }] };
      const runId = await killWhen(unit.dir, runbook, unit.env, () => http.requests.length > asked);
      expect(unit.restarts()).toBe(1);
      healthy = () => after(unit.restarts);
      return { unit, runId };
    }

    it('as left: already done, not restarted again', async () => {
      const { unit, runId } = await killedAfterRestart(() => true);
      const resumed = await resumeRun(unit.dir, runId, { env: unit.env });
      expect(resumed.code).toBe(0);
      expect(resumed.finished('restart')?.status).toBe('alreadyDone');
      expect(resumed.checks('restart')).toEqual(['before:holds']);
      expect(resumed.log('restart')).toContain(`orders is active, restarted by this step, and ${http.url('/health')} answers healthy`);
      expect(unit.restarts()).toBe(1);
      expect(resumed.finished('next')?.status).toBe('succeeded');
    }, SLOW);

    it('a unit that failed since is not done: the step runs and reports the failure', async () => {
      const { unit, runId } = await killedAfterRestart(() => true);
      writeFileSync(join(unit.dir, 'mode'), 'failed');
      const resumed = await resumeRun(unit.dir, runId, { env: unit.env });
      expect(resumed.code).toBe(1);
      expect(resumed.checks('restart')).toEqual(['before:fails']);
      expect(resumed.log('restart')).toContain("orders is 'failed'");
      expect(unit.restarts()).toBe(2);
    }, SLOW);

    it('an unhealthy answer now is not done: the step restarts and waits for health again', async () => {
      // Unhealthy until the unit is restarted again (the killed run's leftover poll, ended by resume, sees 503 too).
      const { unit, runId } = await killedAfterRestart((restarts) => restarts() >= 2);
      const resumed = await resumeRun(unit.dir, runId, { env: unit.env });
      expect(resumed.code).toBe(0);
      expect(resumed.checks('restart')).toEqual(['before:fails', 'after:holds']);
      expect(resumed.log('restart')).toContain(`orders is active but ${http.url('/health')} answers 503`);
      expect(unit.restarts()).toBe(2);
    }, SLOW);

    it('a marker that is not the runner user\'s own is not believed: the unit is restarted again', async () => {
      const { unit, runId } = await killedAfterRestart(() => true);
      for (const marker of unit.markers()) chownSync(marker, 65534, 65534);
      const resumed = await resumeRun(unit.dir, runId, { env: unit.env });
      expect(resumed.code).toBe(0);
      expect(resumed.checks('restart')).toEqual(['before:fails', 'after:holds']);
      expect(resumed.log('restart')).toContain('orders was not restarted by this step in this run');
      expect(unit.restarts()).toBe(2);
    }, SLOW);
  });

  it('resume after SIGKILL before the restart took effect: not done, so the unit is restarted', async () => {
    const unit = fake('up');
    writeFileSync(join(unit.dir, 'restart-blocks'), '');
    const runbook = { name: 'restart', steps: [{ id: 'restart', uses: 'systemd-restart', with: { unit: 'orders', stable: 0 } }] };
    const runId = await killWhen(unit.dir, runbook, unit.env, 'fake-restart-blocking');
    expect(unit.restarts()).toBe(0);
    rmSync(join(unit.dir, 'restart-blocks'));
    const resumed = await resumeRun(unit.dir, runId, { env: unit.env });
    expect(resumed.code).toBe(0);
    expect(resumed.checks('restart')).toEqual(['before:fails', 'after:holds']);
    expect(resumed.log('restart')).toContain('orders has been active since before this step acted');
    expect(unit.restarts()).toBe(1);
  }, SLOW);
});

describe('wait-for-port and wait-for-http checks: already reachable', () => {
  let http: TestHttpServer;
  beforeAll(async () => {
    http = await startHttpServer({
      '/up': { status: 200, body: 'ready' },
      // The check's request (first) finds it down; the step's polls find it up.
      '/late': (_req, hit) => (hit === 1 ? { status: 503, body: 'starting' } : { status: 200, body: 'ready' }),
    });
  });
  afterAll(async () => http.close());

  it('wait-for-port: an open port is already done (one probe, no check after); a closed one is waited for', async () => {
    const open = await runRunbook(scratch(), oneStep('wait-for-port', { port: http.port }));
    expect(open.finished('step')?.status).toBe('alreadyDone');
    expect(open.checks('step')).toEqual(['before:holds']);
    expect(open.log('step')).toContain(`127.0.0.1:${http.port} already accepts connections`);

    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((done) => server.close(() => done()));
    const closed = await runRunbook(scratch(), oneStep('wait-for-port', { port, interval: 0.1 }, { timeout: '1s' }));
    expect(closed.finished('step')?.status).toBe('timedOut');
    expect(closed.checks('step')).toEqual(['before:fails']);
    expect(closed.log('step')).toContain(`127.0.0.1:${port} does not accept connections yet`);
  }, SLOW);

  it('wait-for-http: an endpoint answering as wanted is already done; otherwise the step polls (no check after)', async () => {
    const up = await runRunbook(scratch(), oneStep('wait-for-http', { url: http.url('/up'), contains: 'ready' }));
    expect(up.finished('step')?.status).toBe('alreadyDone');
    expect(up.checks('step')).toEqual(['before:holds']);

    const late: StepsRun = await runRunbook(scratch(), oneStep('wait-for-http', { url: http.url('/late'), contains: 'ready', interval: 0.1 }, { timeout: '20s' }));
    expect(late.finished('step')?.status).toBe('succeeded');
    expect(late.checks('step')).toEqual(['before:fails']);
    expect(late.log('step')).toContain('status 503 (want 200)');

    const wrongText = await runRunbook(scratch(), oneStep('wait-for-http', { url: http.url('/up'), contains: 'healthy' }, { timeout: '1s' }));
    expect(wrongText.checks('step')).toEqual(['before:fails']);
    expect(wrongText.log('step')).toContain('status 200, but the body does not contain the expected text');
  }, SLOW);
});
