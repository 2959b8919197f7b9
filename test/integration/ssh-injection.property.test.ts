/**
 * The supervisor frame is a trust boundary: scripts and environment values become sh
 * assignments that the remote side evaluates. Hostile values (quotes, `$( )`, backticks,
 * newlines, `'\''`, lone surrogates, control bytes, very long ones) must reach the step
 * byte for byte and never run; the script must reach the shell byte for byte.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SshExecutor } from '../../src/targets/ssh-executor.js';
import { hostileValue } from '../helpers/hostile-shell.js';
import { sshdAvailable, sshRequest, startSshd, type RunningSshd } from '../helpers/sshd.js';

const suite = sshdAvailable() ? describe : describe.skip;

/** Any string without NUL (no environment can hold one: those are refused before sending). */
const anyText = fc.string({ unit: 'binary', maxLength: 200 }).map((s) => s.replaceAll('\0', ''));

suite('SSH step frames: hostile values and scripts', () => {
  let sshd: RunningSshd;
  let executor: SshExecutor;
  let marker: string;
  beforeAll(async () => {
    sshd = await startSshd({ hosts: 1 });
    executor = new SshExecutor({ runId: 'injection' });
    // Where a value that ran as code would leave its trace (the remote user can write there).
    marker = join(sshd.remoteTmp, 'pwned');
  });
  afterAll(async () => {
    await executor?.close();
    await sshd?.stop();
  });

  it('environment values arrive byte for byte and never run', async () => {
    const value = fc.oneof(hostileValue(marker), anyText, fc.constant("'\\''"), fc.string({ minLength: 5000, maxLength: 20000 }));
    await fc.assert(
      fc.asyncProperty(value, value, async (v1, v2) => {
        const { request, output } = sshRequest(sshd.hosts[0]!, 'printf "%s\\0" "$V1" "$V2"', { env: { V1: v1, V2: v2 } });
        const chunks: Buffer[] = [];
        request.onOutput = (stream, chunk) => { if (stream === 'stdout') chunks.push(chunk); };
        const result = await executor.exec(request);
        expect(output.stderr()).toBe('');
        expect(result.exitCode).toBe(0);
        expect(Buffer.concat(chunks)).toEqual(Buffer.from(`${v1}\0${v2}\0`, 'utf8'));
        expect(existsSync(marker)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('the script reaches the shell byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileValue(marker), anyText), async (tail) => {
        // Prints its own file, then stops: what follows `exit` is never read as code.
        const script = `cat "$0"\nexit 0\n${tail}`;
        const chunks: Buffer[] = [];
        const { request } = sshRequest(sshd.hosts[0]!, script, {
          onOutput: (stream, chunk) => { if (stream === 'stdout') chunks.push(chunk); },
        });
        expect((await executor.exec(request)).exitCode).toBe(0);
        expect(Buffer.concat(chunks)).toEqual(Buffer.from(script, 'utf8'));
        expect(existsSync(marker)).toBe(false);
      }),
      { numRuns: 60 },
    );
    rmSync(marker, { force: true });
  });
});
