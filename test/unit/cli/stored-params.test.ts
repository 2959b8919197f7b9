/**
 * resume/rollback params: the run's stored values win, a changed value is refused naming
 * the stored one, secrets are given back; stored values with masked secrets are matched
 * safely whatever they contain (property test with hostile strings).
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { paramsOfRun } from '../../../src/cli/stored-params.js';
import { Redactor } from '../../../src/engine/redact.js';
import { UsageError } from '../../../src/errors/stepwise-error.js';
import { loadRunbook } from '../../../src/runbook/load-runbook.js';
import { tempDir } from '../../helpers/temp-dir.js';

async function runbook(params: string) {
  const dir = tempDir('stepwise-stored-').dir;
  const file = join(dir, 'rb.yaml');
  writeFileSync(file, `name: stored\nparams:\n${params}\nsteps:\n  - id: a\n    run: echo hi\n`);
  return loadRunbook(file);
}

const base = { runId: 'R1', command: 'rollback' as const, needSecrets: true };
const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).message;
  }
  throw new Error('expected a refusal');
};

describe('paramsOfRun', () => {
  it('uses the stored values, typed, and the secret given again', async () => {
    const rb = await runbook('  dir: { type: string, required: true }\n  n: { type: integer, default: 2 }\n  ok: { type: boolean }\n  token: { type: string, secret: true, required: true }');
    const params = paramsOfRun(rb, { ...base, stored: { dir: '/srv/A', n: 5, ok: false, token: '***' }, param: ['token=s3cret'] });
    expect(params).toEqual({ dir: '/srv/A', n: 5, ok: false, token: 's3cret' });
  });

  it('refuses a changed value, naming the param and the value the run used', async () => {
    const rb = await runbook('  dir: { type: string, required: true }\n  n: { type: integer, default: 2 }');
    expect(refusal(() => paramsOfRun(rb, { ...base, stored: { dir: '/srv/A', n: 2 }, param: ['dir=/srv/B'] }))).toBe(
      'param `dir`: run R1 used dir=/srv/A, not /srv/B; rollback acts on what run R1 used',
    );
    expect(refusal(() => paramsOfRun(rb, { ...base, stored: { dir: '/srv/A' }, param: ['n=3'] }))).toContain('param `n`: run R1 ran without it');
    // The same value again is no change.
    expect(paramsOfRun(rb, { ...base, stored: { dir: '/srv/A', n: 2 }, param: ['dir=/srv/A', 'n=2'] })).toEqual({ dir: '/srv/A', n: 2 });
  });

  it('refuses a changed value from a params file too', async () => {
    const rb = await runbook('  dir: { type: string, required: true }');
    const file = tempDir('stepwise-pf-').path('p.yaml');
    writeFileSync(file, 'dir: /srv/B\n');
    expect(refusal(() => paramsOfRun(rb, { ...base, stored: { dir: '/srv/A' }, paramsFile: file }))).toContain('used dir=/srv/A, not /srv/B');
  });

  it('asks for a required secret again, except for a dry run', async () => {
    const rb = await runbook('  token: { type: string, secret: true, required: true }');
    expect(refusal(() => paramsOfRun(rb, { ...base, stored: { token: '***' } }))).toContain('needs secret param `token` again');
    expect(paramsOfRun(rb, { ...base, needSecrets: false, stored: { token: '***' } })).toEqual({});
  });

  it('reports --param mistakes as command-line errors, never echoing a nameless value', async () => {
    const rb = await runbook('  token: { type: string, secret: true }');
    expect(refusal(() => paramsOfRun(rb, { ...base, stored: {}, param: ['hunter2'] }))).toBe('--param: expected NAME=VALUE (a word without a name before `=`)');
    expect(refusal(() => paramsOfRun(rb, { ...base, stored: {}, param: ['tokn=x'] }))).toBe('--param tokn: unknown param; did you mean `token`?');
  });

  it('a stored value masked around a secret needs the full value again, and only one that fits', async () => {
    const rb = await runbook('  dir: { type: string }\n  token: { type: string, secret: true }');
    const stored = { dir: '/srv/***/x' };
    expect(refusal(() => paramsOfRun(rb, { ...base, stored, param: ['token=abc'] }))).toContain('was stored as /srv/***/x');
    expect(paramsOfRun(rb, { ...base, stored, param: ['token=abc', 'dir=/srv/abc/x'] })).toEqual({ dir: '/srv/abc/x', token: 'abc' });
    expect(refusal(() => paramsOfRun(rb, { ...base, stored, param: ['token=abc', 'dir=/srv/abc/y'] }))).toContain('used dir=/srv/***/x');
  });

  it('property: a value always matches its own stored (masked) form, whatever it contains', async () => {
    const rb = await runbook('  dir: { type: string }\n  token: { type: string, secret: true }');
    const hostile = fc.string({ unit: fc.constantFrom('*', '.', '$', '^', '(', ')', '[', ']', '\\', '|', '?', '+', '{', '}', '\n', 'a', '/', ' ') });
    fc.assert(
      fc.property(hostile, fc.string({ minLength: 1, maxLength: 6 }), (value, secret) => {
        const masked = new Redactor([secret]).mask(value);
        const params = paramsOfRun(rb, { ...base, stored: { dir: masked }, param: [`token=${secret}`, `dir=${value}`] });
        expect(params.dir).toBe(value);
      }),
      { numRuns: 2000 },
    );
  });
});
