/**
 * The SPEC §2 example, exactly as written there, validates on a machine that has none of
 * its files: no `~/.ssh/deploy` (identity files are checked only when a run starts) and no
 * `./steps/pg-migrate.yaml` (`uses: pg-migrate` falls back to the package's own library).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const EXAMPLE = 'test/fixtures/runbooks/valid/orders-db-migrate.yaml';
const SPEC = resolve('../shared/SPEC.md');
const work = tempDir('stepwise-spec-');
const home = tempDir('stepwise-empty-home-');
afterAll(() => {
  work.remove();
  home.remove();
});

/** The first yaml code block of SPEC §2. */
function specExample(spec: string): string {
  const section = spec.slice(spec.indexOf('## 2. Runbook format'));
  const start = section.indexOf('```yaml\n') + '```yaml\n'.length;
  return section.slice(start, section.indexOf('```\n', start));
}

describe('the SPEC §2 example', () => {
  it('is the fixture, character for character (when ../shared/SPEC.md is beside the clone)', () => {
    if (!existsSync(SPEC)) return; // a clone without shared/ has only the fixture to go by
    expect(readFileSync(EXAMPLE, 'utf8')).toBe(specExample(readFileSync(SPEC, 'utf8')));
  });

  it('validates (exit 0) from a bare directory with an empty home', async () => {
    work.write('orders-db-migrate.yaml', readFileSync(EXAMPLE, 'utf8'));
    const result = await runCli(['validate', 'orders-db-migrate.yaml'], { cwd: work.dir, env: { HOME: home.dir } });
    expect(result).toMatchObject({ code: 0, stdout: 'orders-db-migrate.yaml: ok\n', stderr: '' });
  });
});
