/** resolveSecrets: values from env vars and files; missing ones are located errors with a hint. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { chmodSync } from 'node:fs';
import { ValidationError } from '../../../src/errors/stepwise-error.js';
import { loadRunbook } from '../../../src/runbook/load-runbook.js';
import { resolveSecrets } from '../../../src/runbook/secrets.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir();
afterAll(() => dir.remove());

async function runbookWith(secrets: string) {
  return loadRunbook(dir.write('secrets.yaml', `name: secrets\nsecrets:\n${secrets}\nsteps:\n  - id: a\n    run: echo "\${{ secrets.DB_PASSWORD }}"\n`));
}

describe('resolveSecrets', () => {
  it('reads env vars and files (relative to the runbook, one trailing newline dropped)', async () => {
    dir.write('token.txt', 's3cret\n');
    const runbook = await runbookWith('  DB_PASSWORD: { env: PGPASS }\n  TOKEN: { file: token.txt }');
    expect(resolveSecrets(runbook, { PGPASS: 'pw' })).toEqual({ DB_PASSWORD: 'pw', TOKEN: 's3cret' });
  });

  it('names every missing secret at its declaration, with what to do', async () => {
    const runbook = await runbookWith('  DB_PASSWORD: { env: PGPASS }\n  TOKEN: { file: /nonexistent/token }\n  EMPTY: { env: EMPTY_VAR }');
    let error: unknown;
    try {
      resolveSecrets(runbook, { EMPTY_VAR: '' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).diagnostics.map((d) => [d.location.line, d.path, d.message])).toEqual([
      [3, 'secrets.DB_PASSWORD', 'secret `DB_PASSWORD`: environment variable PGPASS is not set; hint: export PGPASS=... before running'],
      [4, 'secrets.TOKEN', expect.stringContaining('file /nonexistent/token does not exist')],
      [5, 'secrets.EMPTY', expect.stringContaining('environment variable EMPTY_VAR is empty')],
    ]);
  });

  it('says when a secret file is a directory or unreadable', async () => {
    dir.write('dir/.keep', '');
    const runbook = await runbookWith('  DB_PASSWORD: { file: dir }');
    expect(() => resolveSecrets(runbook, {})).toThrow(/is a directory/);
    if (process.getuid?.() !== 0) {
      chmodSync(dir.write('locked.txt', 'x'), 0o000);
      const locked = await runbookWith('  DB_PASSWORD: { file: locked.txt }');
      expect(() => resolveSecrets(locked, {})).toThrow(/permission denied/);
    }
  });
});
