import { afterAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { LocalExecutor } from '../../src/targets/local-executor.js';
import type { ExecRequest } from '../../src/targets/executor.js';
import { LOCAL_TARGET } from '../../src/runbook/model.js';
import { allCommandLines, eventually, pidsMatching } from '../helpers/processes.js';

const executor = new LocalExecutor();
afterAll(() => executor.close());

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
    const tag = `sleep 3${randomBytes(2).readUInt16BE() % 100}`;
    const controller = new AbortController();
    const { req } = request(`bash -c '${tag} & ${tag}; wait' & ${tag}; wait`, { signal: controller.signal });
    const running = executor.exec(req);
    expect(await eventually(() => pidsMatching(tag).length >= 3)).toBe(true);
    controller.abort();
    const result = await running;
    expect(result.exitCode).toBeNull();
    expect(await eventually(() => pidsMatching(tag).length === 0)).toBe(true);
  });

  it('a process that ignores SIGTERM is killed after the grace period', async () => {
    const controller = new AbortController();
    const { req } = request("trap '' TERM; bash -c \"trap '' TERM; sleep 301; sleep 301\" & wait", { signal: controller.signal, killGraceMs: 300 });
    const running = executor.exec(req);
    expect(await eventually(() => pidsMatching('sleep 301').length >= 1)).toBe(true);
    controller.abort();
    await running;
    expect(await eventually(() => pidsMatching('sleep 301').length === 0)).toBe(true);
  });

  it('background leftovers of a finished step are ended with it; setsid daemons are not', async () => {
    const { req } = request('sleep 302 & setsid sleep 303 >/dev/null 2>&1 < /dev/null & sleep 0.2; echo started');
    const result = await executor.exec(req);
    expect(result.exitCode).toBe(0);
    expect(await eventually(() => pidsMatching('sleep 302').length === 0)).toBe(true);
    expect(pidsMatching('sleep 303').length).toBe(1);
    for (const pid of pidsMatching('sleep 303')) process.kill(pid, 'SIGKILL');
  });

  it('the script never appears in any command line', async () => {
    const secret = `s3cr3t-${randomBytes(6).toString('hex')}`;
    const { req } = request(`echo ${secret} > /dev/null; sleep 0.3`);
    const running = executor.exec(req);
    let seen = false;
    for (let i = 0; i < 5; i++) {
      if (allCommandLines().some((line) => line.includes(secret))) seen = true;
      await new Promise((r) => setTimeout(r, 40));
    }
    await running;
    expect(seen).toBe(false);
  });
});
