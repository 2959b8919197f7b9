/**
 * A sample of the injection property over SSH (SPEC §2: "locally and over SSH"): generated
 * scripts and hostile values, rendered by the product (references + environment) and run
 * by the SSH executor on a real sshd. The value must arrive verbatim and never run.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { substituteScript } from '../../src/expressions/substitute.js';
import { compileShellTemplate } from '../../src/expressions/shell-template.js';
import { SshExecutor } from '../../src/targets/ssh-executor.js';
import { hostileValue, printingScript, evaluatingScript } from '../helpers/hostile-shell.js';
import { sshdAvailable, sshRequest, startSshd, type RunningSshd } from '../helpers/sshd.js';

const suite = sshdAvailable() ? describe : describe.skip;

suite('injection safety over SSH (a sample of the property)', () => {
  let sshd: RunningSshd;
  let executor: SshExecutor;
  // In the login user's home on the remote side: created there if a value ever ran as code.
  const marker = () => `/home/${sshd.user}/pwned-${process.pid}`;
  beforeAll(async () => {
    sshd = await startSshd({ hosts: 1 });
    executor = new SshExecutor({ runId: 'inject-ssh' });
  });
  afterAll(async () => {
    await executor?.close();
    await sshd?.stop();
  });

  /** Runs a rendered case on the host; reports whether the marker appeared there. */
  async function run(template: string, shell: 'bash' | 'sh', value: string): Promise<{ stdout: string; exitCode: number | null; pwned: boolean }> {
    const rendered = substituteScript(template, () => value, shell);
    const { request, output } = sshRequest(sshd.hosts[0]!, rendered.script, { shell, env: rendered.env });
    const result = await executor.exec(request);
    const probe = sshRequest(sshd.hosts[0]!, `if [ -e '${marker()}' ]; then rm -f '${marker()}'; echo yes; fi`);
    await executor.exec(probe.request);
    return { stdout: output.stdout(), exitCode: result.exitCode, pwned: probe.output.stdout().trim() === 'yes' };
  }

  it('scripts that print the value print it verbatim on the remote host', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(printingScript('bash'), printingScript('sh')), hostileValue('MARKER').filter((v) => !v.includes('\u0000')), async (testCase, raw) => {
        const value = raw.replaceAll('MARKER', marker());
        const outcome = await run(testCase.template, testCase.shell, value);
        expect({ template: testCase.template, ...outcome }).toEqual({ template: testCase.template, stdout: testCase.expected?.(value), exitCode: 0, pwned: false });
      }),
      { numRuns: 40 },
    );
  }, 300_000);

  it('a value in an evaluating construct never runs on the remote host', async () => {
    await fc.assert(
      fc.asyncProperty(evaluatingScript(), hostileValue('MARKER').filter((v) => !v.includes('\u0000')), async (testCase, raw) => {
        const value = raw.replaceAll('MARKER', marker());
        if (compileShellTemplate(testCase.template, testCase.shell).problems.length > 0) return;
        let outcome;
        try {
          outcome = await run(testCase.template, testCase.shell, value);
        } catch (error) {
          // Refused before the command started (a value that is not a number in arithmetic).
          expect(String(error)).toMatch(/not a number|NUL/);
          return;
        }
        expect({ template: testCase.template, value, pwned: outcome.pwned }).toEqual({ template: testCase.template, value, pwned: false });
      }),
      { numRuns: 40 },
    );
  }, 300_000);
});
