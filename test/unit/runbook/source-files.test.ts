/** Files that cannot be read as a runbook (see also source-limits.test.ts), a BOM, merge keys. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { ValidationError } from '../../../src/errors/stepwise-error.js';
import { loadRunbook } from '../../../src/runbook/load-runbook.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir();
afterAll(() => dir.remove());

async function messageOf(file: string): Promise<string> {
  try {
    await loadRunbook(file);
  } catch (error) {
    if (error instanceof ValidationError) return error.message;
    throw error;
  }
  throw new Error('validated');
}

describe('unreadable inputs', () => {
  it('a directory', async () => {
    expect(await messageOf(dir.dir)).toMatch(/:1:1 is a directory, not a runbook file; hint: name the YAML file itself/);
  });

  it('a missing path', async () => {
    expect(await messageOf(`${dir.dir}/nope.yaml`)).toMatch(/nope\.yaml:1:1 runbook file not found; hint: check the path/);
  });

  it('a path through a file', async () => {
    const file = dir.write('plain.yaml', 'name: x\n');
    expect(await messageOf(`${file}/inner.yaml`)).toContain('runbook file not found');
  });

  it('several YAML documents in one file', async () => {
    const file = dir.write('two-docs.yaml', 'name: a\nsteps: [{ id: a, run: x }]\n---\nname: b\n');
    expect(await messageOf(file)).toMatch(/two-docs\.yaml:3:1 a second YAML document starts here/);
  });

  it('an unknown YAML tag', async () => {
    const file = dir.write('tag.yaml', 'name: !secret x\nsteps: [{ id: a, run: x }]\n');
    expect(await messageOf(file)).toMatch(/tag\.yaml:1:7 unknown tag `!secret`/);
  });

  it('an alias bomb is refused, not expanded', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const file = dir.write('bomb.yaml', `${lines.join('\n')}\nname: bomb\nsteps: [{ id: a, run: x }]\n`);
    expect(await messageOf(file)).toContain('cannot expand the YAML');
  });
});

describe('accepted inputs', () => {
  it('a UTF-8 byte-order mark and CRLF line ends', async () => {
    const file = dir.write('bom.yaml', '\uFEFFname: bom\r\nsteps:\r\n  - id: a\r\n    run: echo a\r\n');
    const runbook = await loadRunbook(file);
    expect(runbook.steps[0]?.location).toMatchObject({ line: 3, col: 5 });
  });

  it('YAML 1.2: `on`, `yes` and `no` are strings', async () => {
    const file = dir.write('yaml12.yaml', 'name: yaml12\ntargets: { "yes": [h1] }\nsteps:\n  - id: a\n    on: yes\n    run: echo no\n');
    const runbook = await loadRunbook(file);
    expect(runbook.steps[0]).toMatchObject({ on: 'yes' });
  });
});

describe('YAML merge keys', () => {
  it('merge a shared fragment into steps, and locate problems inside the fragment', async () => {
    const file = dir.write('merge.yaml', 'name: merge\nx-fragments: []\n');
    await expect(loadRunbook(file)).rejects.toThrow(/merge\.yaml:2:1 x-fragments: unknown key/);
    const ok = dir.write('merge-ok.yaml', 'name: merge\ndefaults: &d { timeout: 5s }\nsteps:\n  - id: a\n    run: "true"\n    <<: *d\n');
    expect((await loadRunbook(ok)).steps[0]?.action).toMatchObject({ command: { timeoutMs: 5000 } });
    const bad = dir.write('merge-bad.yaml', 'name: merge\ndefaults: &d { timeout: 5s, on: nowhere }\nsteps:\n  - id: a\n    run: "true"\n    <<: *d\n');
    await expect(loadRunbook(bad)).rejects.toMatchObject({
      diagnostics: [
        expect.objectContaining({ path: 'defaults.on', location: expect.objectContaining({ line: 2, col: 33 }) }),
        expect.objectContaining({ path: 'steps[0].on', location: expect.objectContaining({ line: 2, col: 33 }) }),
      ],
    });
  });
});
