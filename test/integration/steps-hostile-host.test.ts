/**
 * Hostile values for the host steps (file-backup, disk-space-check, wait-for-port,
 * systemd-restart with a fake systemctl first on PATH), run by the built CLI. For every
 * value: either the input's rule refuses it before anything runs, or the step works on
 * exactly the file, directory, host or unit the value names — also when it looks like an
 * option (`--help`), a glob or shell code — and no trap springs (no marker file appears).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import { asFileName, describeCase, expectRuleDecides, hostileRun, hostileValues, inputAccepts, SEED, setTraps, sprung } from './steps-hostile-harness.js';
import { scratch } from './steps-harness.js';

const FAKE_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/library/bin');
const SLOW = 300_000;
const run = promisify(execFile);

/** Distinct file names made from hostile values (two values may shorten to one name). */
function fileNames(values: string[]): string[] {
  return [...new Set(values.map(asFileName))];
}

describe(`hostile values reach the host steps as data (seed ${SEED})`, () => {
  let http: TestHttpServer;
  beforeAll(async () => {
    http = await startHttpServer({ '/ok': { status: 200, body: 'ok' } });
  });
  afterAll(async () => http.close());

  it('file-backup: backs up and restores exactly the named file, whatever its name', async () => {
    const dir = scratch();
    const traps = setTraps(dir);
    const names = fileNames(hostileValues(traps, 20, 11, ['--help', '-rf', '*', '$(touch x)', 'a\nb', 'trail\n']));
    names.forEach((name, i) => writeFileSync(join(dir, name), `original ${i}`));
    const expected = new Set(['runbook.yaml', 'params.json', 'state', 'markers', 'secret.txt', 'list.bin', ...names]);
    // Names the rule refuses run on their own: refused before anything runs, file untouched.
    // (Not in the run below: the engine would also try their rollback, which fails the same check.)
    const accepts = inputAccepts('file-backup', 'path');
    const refusedRun = await hostileRun(scratch(), { uses: 'file-backup', input: 'path', values: names.filter((n) => !accepts(n)).map((n) => join(dir, n)) });
    for (const c of refusedRun.cases) expect([describeCase(c), c.refused]).toEqual([describeCase(c), true]);
    // The last step overwrites every accepted file and fails, so the run compensates: each backup is restored.
    const valid = names.filter(accepts);
    writeFileSync(join(dir, 'list.bin'), valid.map((name) => `${name}\0`).join(''));
    const changeAll = { id: 'change-all', run: 'while IFS= read -r -d "" f; do printf changed > "$f"; done < list.bin\nexit 1' };
    const { run: result, cases } = await hostileRun(dir, { uses: 'file-backup', input: 'path', values: valid, after: [changeAll] });
    expect(result.code).toBe(1);
    for (const c of expectRuleDecides('file-backup', 'path', cases).accepted) {
      const backup = `${c.value}.${result.runId}.${c.stepId}.bak`;
      expected.add(backup);
      const original = `original ${names.indexOf(c.value)}`;
      const seen = [describeCase(c), c.finished?.status, result.rollback(c.stepId)?.status, readFileSync(join(dir, c.value), 'utf8'), readFileSync(join(dir, backup), 'utf8')];
      expect(seen).toEqual([describeCase(c), 'succeeded', 'succeeded', original, original]);
    }
    expect(readdirSync(dir).sort()).toEqual([...expected].sort());
    names.forEach((name, i) => expect([name, readFileSync(join(dir, name), 'utf8')]).toEqual([name, `original ${i}`]));
    expect(sprung(traps)).toEqual([]);
  }, SLOW);

  it('file-backup: puts the backup in exactly the named backup_dir', async () => {
    const dir = scratch();
    const traps = setTraps(dir);
    const dirs = fileNames(hostileValues(traps, 16, 12, ['--', '-p', '..x', '~']));
    dirs.forEach((_d, i) => writeFileSync(join(dir, `file-${i}.txt`), `original ${i}`));
    const { run: result, cases } = await hostileRun(dir, { uses: 'file-backup', input: 'backup_dir', values: dirs, fixed: (i) => ({ path: `file-${i}.txt` }) });
    expect(result.code).toBe(0);
    const { accepted } = expectRuleDecides('file-backup', 'backup_dir', cases);
    for (const c of accepted) {
      const backup = resolve(dir, c.value, `file-${c.index}.txt.${result.runId}.${c.stepId}.bak`);
      expect([describeCase(c), c.outputs['backup-file'], readFileSync(backup, 'utf8')]).toEqual([describeCase(c), backup, `original ${c.index}`]);
    }
    expect(sprung(traps)).toEqual([]);
  }, SLOW);

  it('disk-space-check: checks exactly the named path, and says so when it does not exist', async () => {
    const dir = scratch();
    const traps = setTraps(dir);
    const names = fileNames(hostileValues(traps, 20, 13, ['--help', '-h', '--output=x']));
    // Every other name exists (as a directory); the rest must be reported missing, not guessed at.
    names.forEach((name, i) => i % 2 === 0 && mkdirSync(join(dir, name), { recursive: true }));
    const { cases } = await hostileRun(dir, { uses: 'disk-space-check', input: 'path', values: names });
    const { accepted } = expectRuleDecides('disk-space-check', 'path', cases);
    for (const c of accepted) {
      const exists = existsSync(join(dir, c.value));
      expect([describeCase(c), c.finished?.status, exists || c.log.includes('does not exist')]).toEqual([describeCase(c), exists ? 'succeeded' : 'failed', true]);
      if (exists) expect(Number(c.outputs['free-mb'])).toBeGreaterThan(0);
    }
    expect(sprung(traps)).toEqual([]);
  }, SLOW);

  it('wait-for-port: a host is a host name or address, or is refused', async () => {
    const dir = scratch();
    const traps = setTraps(dir);
    const values = hostileValues(traps, 10, 14, ['127.0.0.1', 'localhost', '--help', '-', '127.0.0.1/22', '127.0.0.1 22']);
    const fixed = () => ({ port: http.port, interval: 0.2 });
    // The library's check probes once (the port is open here: already done); a check of the
    // runbook's own that never holds makes the step itself probe.
    for (const [step, open] of [[{ timeout: '2s' }, 'alreadyDone'], [{ timeout: '2s', check: { run: 'exit 1', after: false } }, 'succeeded']] as const) {
      const { cases } = await hostileRun(scratch(), { uses: 'wait-for-port', input: 'host', values, fixed, step });
      const { accepted } = expectRuleDecides('wait-for-port', 'host', cases);
      for (const c of accepted) {
        const local = c.value === '127.0.0.1' || c.value === 'localhost';
        expect([describeCase(c), c.finished?.status]).toEqual([describeCase(c), local ? open : expect.stringMatching(/^(timedOut|failed)$/)]);
      }
      expect(accepted.map((c) => c.value)).toEqual(expect.arrayContaining(['127.0.0.1', 'localhost']));
    }
    expect(sprung(traps)).toEqual([]);
  }, SLOW);

  /** A fake systemctl whose unit comes up at once; its calls are logged one per line. */
  const fakeSystemctl = () => {
    const state = scratch('stepwise-fake-systemctl-');
    writeFileSync(join(state, 'mode'), 'up');
    return {
      env: { PATH: `${FAKE_BIN}:${process.env.PATH ?? ''}`, FAKE_SYSTEMCTL_DIR: state, XDG_STATE_HOME: join(state, 'state-home') },
      calls: () => (existsSync(join(state, 'calls')) ? readFileSync(join(state, 'calls'), 'utf8') : ''),
    };
  };

  it('systemd-restart: a unit name reaches systemctl as exactly one unit, or is refused', async () => {
    const dir = scratch();
    const traps = setTraps(dir);
    const fake = fakeSystemctl();
    const values = hostileValues(traps, 20, 15, ['--help', '-.mount', 'nginx*', 'a\\x2db.service', 'getty@tty1.service', 'x;reboot']);
    const { cases } = await hostileRun(dir, { uses: 'systemd-restart', input: 'unit', values, fixed: () => ({ stable: 0 }), env: fake.env });
    const { accepted } = expectRuleDecides('systemd-restart', 'unit', cases);
    // The step: its check's bookkeeping (activation before and after), the restart, the wait;
    // then the check after it (active, and since when). No check call before it: no marker yet.
    const entered = (unit: string) => `show --property=ActiveEnterTimestampMonotonic --value -- ${unit}`;
    const expected = accepted.flatMap((c) => [entered(c.value), `restart -- ${c.value}`, `is-active -- ${c.value}`, `show --property=MainPID --value -- ${c.value}`, entered(c.value), `is-active -- ${c.value}`, entered(c.value)]);
    for (const c of accepted) expect([describeCase(c), c.finished?.status]).toEqual([describeCase(c), 'succeeded']);
    expect(fake.calls()).toBe(expected.map((line) => `${line}\n`).join(''));
    expect(accepted.map((c) => c.value)).toEqual(expect.arrayContaining(['--help', '-.mount', 'a\\x2db.service']));
    expect(sprung(traps)).toEqual([]);
  }, SLOW);

  it('systemd-restart: the health URL is requested exactly as given, and health_contains is plain text', async () => {
    const dir = scratch();
    const traps = setTraps(dir);
    const fake = fakeSystemctl();
    const values = hostileValues(traps, 16, 16).map((v) => `${http.url('/ok')}?q=${v}`);
    const references: string[][] = [];
    for (const url of values) {
      const before = http.requests.length;
      await run('curl', ['--globoff', '--silent', '--max-time', '10', '--output', '/dev/null', '--url', url]).catch(() => undefined);
      references.push(http.requests.splice(before).map((r) => r.target));
    }
    http.requests.length = 0;
    const { cases } = await hostileRun(dir, { uses: 'systemd-restart', input: 'health_url', values, fixed: () => ({ unit: 'web', stable: 0, health_timeout: 1 }), env: fake.env });
    const { accepted } = expectRuleDecides('systemd-restart', 'health_url', cases);
    for (const c of accepted) expect([describeCase(c), c.finished?.status]).toEqual([describeCase(c), (references[c.index] ?? []).length > 0 ? 'succeeded' : 'failed']);
    // Each healthy URL twice, exactly as curl asks for it: the step's request, then its check's.
    const asked = (c: { index: number }) => references[c.index] ?? [];
    expect(http.requests.map((r) => r.target)).toEqual(accepted.flatMap((c) => [...asked(c), ...asked(c)]));

    const texts = hostileValues(traps, 12, 17, ['a\nb', '*', '-e']);
    texts.forEach((text, i) => http.route(`/has/${i}`, { status: 200, body: `before ${text} after` }));
    const contains = await hostileRun(scratch(), { uses: 'systemd-restart', input: 'health_contains', values: texts, fixed: (i) => ({ unit: 'web', stable: 0, health_url: http.url(`/has/${i}`), health_timeout: 1 }), env: fake.env });
    for (const c of contains.cases) expect([describeCase(c), c.finished?.status]).toEqual([describeCase(c), 'succeeded']);
    expect(sprung(traps)).toEqual([]);
  }, SLOW);
});
