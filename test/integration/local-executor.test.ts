import { afterAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalExecutor } from '../../src/targets/local-executor.js';
import type { ExecRequest } from '../../src/targets/executor.js';
import { LOCAL_TARGET } from '../../src/runbook/model.js';
import { allCommandLines, eventually } from '../helpers/processes.js';
import { alive } from '../helpers/proc-state.js';
import { pidsOfRun } from '../helpers/run-processes.js';
import { tempDir } from '../helpers/temp-dir.js';

const executor = new LocalExecutor();
afterAll(() => executor.close());

/** A run id for one test's processes: found again through their environment, never by name. */
const testRunId = () => `20990101T000000Z-${randomBytes(4).toString('hex')}`;
/** Live `sleep` processes that carry `runId` in their environment. */
const sleepsOf = (runId: string) => pidsOfRun(runId, 'sleep');

function request(script: string, extra: Partial<ExecRequest> = {}) {
  const chunks: Record<'stdout' | 'stderr', Buffer[]> = { stdout: [], stderr: [] };
  const req: ExecRequest = {
    target: LOCAL_TARGET,
    script,
    shell: 'bash',
    env: {},
    signal: new AbortController().signal,
    killGraceMs: 1000,
    onOutput: (stream, chunk) => chunks[stream].push(chunk),
    ...extra,
  };
  return { req, text: (s: 'stdout' | 'stderr') => Buffer.concat(chunks[s]).toString() };
}

describe('local executor (real processes)', () => {
  it('runs bash in strict mode: a failing command fails the script', async () => {
    const { req, text } = request('echo before\nfalse\necho after');
    const result = await executor.exec(req);
    expect(result.exitCode).toBe(1);
    expect(text('stdout')).toBe('before\n');
  });

  it('pipefail is on: a failing stage fails the pipeline', async () => {
    const { req } = request('false | cat');
    expect((await executor.exec(req)).exitCode).toBe(1);
  });

  it('sh runs with -e', async () => {
    const { req, text } = request('echo $0 >/dev/null; false; echo no', { shell: 'sh' });
    expect((await executor.exec(req)).exitCode).toBe(1);
    expect(text('stdout')).toBe('');
  });

  it('collects key=value outputs from $STEPWISE_OUTPUT', async () => {
    const { req } = request('echo "dump-file=/tmp/a=b" >> "$STEPWISE_OUTPUT"\necho "n=1" >> "$STEPWISE_OUTPUT"');
    expect((await executor.exec(req)).outputs).toEqual({ 'dump-file': '/tmp/a=b', n: '1' });
  });

  it('the script does not read its own text from stdin', async () => {
    const { req, text } = request('cat; echo done');
    const result = await executor.exec(req);
    expect(result.exitCode).toBe(0);
    expect(text('stdout')).toBe('done\n');
  });

  it('aborting kills the whole tree: no child or grandchild survives', async () => {
    const id = testRunId();
    const controller = new AbortController();
    const { req } = request(`bash -c 'sleep 300 & sleep 300; wait' & sleep 300; wait`, { signal: controller.signal, env: { STEPWISE_RUN_ID: id } });
    const running = executor.exec(req);
    expect(await eventually(() => sleepsOf(id).length >= 3)).toBe(true);
    controller.abort();
    const result = await running;
    expect(result.exitCode).toBeNull();
    expect(await eventually(() => sleepsOf(id).length === 0)).toBe(true);
  });

  it('a process that ignores SIGTERM is killed after the grace period', async () => {
    const id = testRunId();
    const controller = new AbortController();
    const { req } = request("trap '' TERM; bash -c \"trap '' TERM; sleep 301; sleep 301\" & wait", { signal: controller.signal, killGraceMs: 300, env: { STEPWISE_RUN_ID: id } });
    const running = executor.exec(req);
    expect(await eventually(() => sleepsOf(id).length >= 1)).toBe(true);
    controller.abort();
    await running;
    expect(await eventually(() => sleepsOf(id).length === 0)).toBe(true);
  });

  it('background leftovers of a finished step are ended with it; setsid daemons are not', async () => {
    const id = testRunId();
    const pidFile = tempDir('stepwise-daemon-').path('pid');
    // The step ends once the daemon has written its pid, i.e. once it has made its own session.
    const { req } = request(`sleep 302 & setsid sh -c 'echo $$ > ${pidFile}.tmp; mv ${pidFile}.tmp ${pidFile}; exec sleep 303' >/dev/null 2>&1 < /dev/null & until [ -e ${pidFile} ]; do sleep 0.01; done; echo started`, { env: { STEPWISE_RUN_ID: id } });
    const result = await executor.exec(req);
    expect(result.exitCode).toBe(0);
    expect(await eventually(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n'))).toBe(true);
    const daemon = Number(readFileSync(pidFile, 'utf8'));
    // The step's own sleep is ended; the daemon (its own session) is the only one left.
    expect(await eventually(() => sleepsOf(id).join() === String(daemon))).toBe(true);
    expect(alive(daemon)).toBe(true);
    process.kill(daemon, 'SIGKILL');
  });

  it('the script never appears in any command line', async () => {
    const secret = `s3cr3t-${randomBytes(6).toString('hex')}`;
    const go = tempDir('stepwise-go-').path('go');
    let looked = 0;
    let seen = false;
    // The process table is read while the script certainly runs: after it said so, before it may end.
    const { req } = request(`echo ${secret} > /dev/null; echo running; while [ ! -e ${go} ]; do sleep 0.02; done`, {
      onOutput: (stream, chunk) => {
        if (stream !== 'stdout' || !chunk.toString().includes('running')) return;
        for (; looked < 5; looked++) if (allCommandLines().some((line) => line.includes(secret))) seen = true;
        writeFileSync(go, '');
      },
    });
    expect((await executor.exec(req)).exitCode).toBe(0);
    expect(looked).toBe(5);
    expect(seen).toBe(false);
  });
});

describe('local executor: a shell that cannot start names the cause', () => {
  it('a missing working directory', async () => {
    const dir = join(tmpdir(), `stepwise-nope-${randomBytes(4).toString('hex')}`);
    const { req, text } = request('echo never', { cwd: dir });
    const result = await executor.exec(req);
    expect(result.startError).toBe(`working directory ${dir} does not exist`);
    expect([result.exitCode, result.signal]).toEqual([null, null]);
    // In the step's output too, so the step's log has it.
    expect(text('stderr')).toBe(`stepwise: working directory ${dir} does not exist\n`);
    expect(text('stdout')).toBe('');
  });

  it('a working directory that is a file', async () => {
    const file = tempDir('stepwise-test-').path('file');
    writeFileSync(file, '');
    const { req } = request('echo never', { cwd: file });
    expect((await executor.exec(req)).startError).toBe(`working directory ${file} is not a directory`);
  });

  it('a shell that is not on PATH, or not at its path', async () => {
    const onPath = await executor.exec(request('echo never', { shell: 'fish-is-not-here' }).req);
    expect(onPath.startError).toBe('shell "fish-is-not-here" not found on PATH');
    const atPath = await executor.exec(request('echo never', { shell: '/opt/none/bin/zsh -f' }).req);
    expect(atPath.startError).toBe('shell "/opt/none/bin/zsh -f" not found');
  });

  it('a shell that is not executable', async () => {
    const file = tempDir('stepwise-test-').path('not-a-shell');
    writeFileSync(file, 'data', { mode: 0o644 });
    const result = await executor.exec(request('echo never', { shell: file }).req);
    expect(result.startError).toBe(`shell "${file}" cannot be executed (permission denied for ${file})`);
  });

  it('one environment variable over the kernel limit for a single string (E2BIG)', async () => {
    const { req, text } = request('echo never', { env: { HUGE_VALUE: 'x'.repeat(200_000) } });
    const result = await executor.exec(req);
    expect(result.startError).toMatch(/^environment too large to start the shell \(E2BIG\): \d+ variables, \d+ bytes; HUGE_VALUE alone is 200012 bytes, over the kernel's limit of 131072 bytes/);
    expect(text('stderr')).toContain('stepwise: environment too large');
  });

  it('an environment too large all together (E2BIG)', async () => {
    const env = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`PART_${i}`, 'y'.repeat(100_000)]));
    const result = await executor.exec(request('echo never', { env }).req);
    expect(result.startError).toMatch(/^environment too large to start the shell \(E2BIG\): \d+ variables, \d+ bytes, over the kernel's limit for arguments and environment together/);
  });
});

describe('local executor: scripts and outputs files', () => {
  it('a custom interpreter with flags runs the script, reads /dev/null as stdin and writes outputs', async () => {
    const script = ['import os, sys', 'print("stdin:" + repr(sys.stdin.read()))', 'open(os.environ["STEPWISE_OUTPUT"], "a").write("lang=python\\n")'].join('\n');
    const { req, text } = request(script, { shell: 'python3 -u' });
    const result = await executor.exec(req);
    expect(result.exitCode).toBe(0);
    expect(text('stdout')).toBe("stdin:''\n");
    expect(result.outputs).toEqual({ lang: 'python' });
  });

  it('the script has no name on disk while the step runs; the outputs file is 0600 in a 0700 directory and goes with the step', async () => {
    const root = tempDir('stepwise-tmp-').dir;
    const own = new LocalExecutor({ runId: '20990101T000000Z-abcd', tempRoot: root });
    try {
      const secret = `s3cr3t-${randomBytes(6).toString('hex')}`;
      const script = `echo "${secret}" >/dev/null\necho "k=v" >> "$STEPWISE_OUTPUT"\nls -A "${root}"/*/\nstat -c %a "$STEPWISE_OUTPUT"\ngrep -rl "${secret}" "${root}" || echo no-file-has-it`;
      const { req, text } = request(script);
      const result = await own.exec(req);
      expect(text('stderr')).toBe('');
      expect(result.exitCode).toBe(0);
      expect(text('stdout')).toBe('1.out\n600\nno-file-has-it\n');
      expect(result.outputs).toEqual({ k: 'v' });
      const [dir] = readdirSync(root);
      expect(dir).toMatch(/^stepwise-20990101T000000Z-abcd-[A-Za-z0-9]{6}$/);
      expect(statSync(join(root, String(dir))).mode & 0o777).toBe(0o700);
      expect(readdirSync(join(root, String(dir)))).toEqual([]);
    } finally {
      await own.close();
    }
    expect(readdirSync(root)).toEqual([]);
  });

  it('the script is the shell\'s own fd 3, read-only: "$0" runs the same script again, writing to it fails', async () => {
    const script = ['if [ "${1:-}" = again ]; then echo "ran again"; exit 0; fi', 'bash "$0" again', '{ echo x >&3; } 2>/dev/null && echo wrote || echo read-only'].join('\n');
    const { req, text } = request(script);
    const result = await executor.exec(req);
    expect(result.exitCode).toBe(0);
    expect(text('stdout')).toBe('ran again\nread-only\n');
  });

  it.each([
    ['node', 'console.log("node ran", process.argv.length)'],
    ['perl -w', 'print "perl ran\\n";'],
    ['sh', 'echo "sh ran"'],
  ])('the interpreter `%s` runs the script', async (shell, script) => {
    const { req, text } = request(script, { shell });
    const result = await executor.exec(req);
    expect(text('stderr')).toBe('');
    expect(result.exitCode).toBe(0);
    expect(text('stdout')).toMatch(/ran/);
  });

  it('a script larger than a pipe buffer and with long lines runs whole', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `echo "line ${i} ${'z'.repeat(100)}" >/dev/null`);
    const { req, text } = request(`${lines.join('\n')}\necho end-of-script`);
    const result = await executor.exec(req);
    expect(result.exitCode).toBe(0);
    expect(text('stdout')).toBe('end-of-script\n');
  });

  it('when onOutput throws, the step is ended and exec rejects with that error', async () => {
    const id = testRunId();
    let sid = 0;
    const req: ExecRequest = {
      ...request('echo boom; sleep 61', { env: { STEPWISE_RUN_ID: id } }).req,
      onSpawn: (pid) => (sid = pid),
      onOutput: () => {
        throw new Error('disk full');
      },
    };
    await expect(executor.exec(req)).rejects.toThrow('disk full');
    expect(sid).toBeGreaterThan(0);
    expect(sleepsOf(id)).toEqual([]);
  });

  it('when onSpawn throws (the start cannot be recorded), the step is ended at once and exec rejects with that error', async () => {
    const id = testRunId();
    const req: ExecRequest = {
      ...request('sleep 62; echo never', { env: { STEPWISE_RUN_ID: id } }).req,
      onSpawn: () => {
        throw new Error('journal unwritable');
      },
    };
    await expect(executor.exec(req)).rejects.toThrow('journal unwritable');
    expect(sleepsOf(id)).toEqual([]);
  });
});
