/**
 * The layer rule of eslint.config.js really fires: every pair of folders is linted as an
 * import from one to the other (static, type-only, re-export and dynamic), against the
 * order written here independently: cli → report | views → reporters | journal → engine → targets
 * → runbook → expressions → errors.
 */
import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';

const ORDER = [['cli'], ['report', 'views'], ['reporters', 'journal'], ['engine'], ['targets'], ['runbook'], ['expressions'], ['errors']];
const level = (folder: string) => ORDER.findIndex((folders) => folders.includes(folder));
const FOLDERS = ORDER.flat();

// The project's real config; type information is left out so that files that do not exist
// can be linted (the one type-aware rule is switched off for them).
const eslint = new ESLint({
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parserOptions: { projectService: false } }, rules: { '@typescript-eslint/no-floating-promises': 'off' } }],
});

/** The layer-rule messages for `code` as if it were the file `path`. */
async function layerProblems(code: string, path: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path });
  const messages = result?.messages ?? [];
  const fatal = messages.filter((message) => message.fatal);
  if (fatal.length > 0) throw new Error(`lint failed: ${fatal.map((message) => message.message).join('; ')}`);
  return messages.filter((message) => message.ruleId === 'stepwise/layers').map((message) => message.message);
}

describe('layer order', () => {
  const pairs = FOLDERS.flatMap((from) => FOLDERS.filter((to) => to !== from).map((to) => [from, to] as const));
  it.each(pairs)('src/%s importing src/%s', async (from, to) => {
    const allowed = level(to) > level(from);
    const code = [
      `import { a } from '../${to}/a.js';`,
      `import type { B } from '../${to}/b.js';`,
      `export { c } from '../${to}/c.js';`,
      `export const d = async (): Promise<unknown> => import('../${to}/d.js');`,
      `export const e: B = a;`,
    ].join('\n');
    const problems = await layerProblems(code, `src/${from}/probe.ts`);
    expect(problems).toHaveLength(allowed ? 0 : 4);
  });

  it('from a subfolder, and within a folder', async () => {
    expect(await layerProblems("import { a } from '../../journal/a.js';\nexport const b = a;\n", 'src/cli/commands/probe.ts')).toEqual([]);
    expect(await layerProblems("import { a } from '../output.js';\nexport const b = a;\n", 'src/cli/commands/probe.ts')).toEqual([]);
    expect(await layerProblems("import { a } from '../../cli/a.js';\nexport const b = a;\n", 'src/engine/deep/probe.ts')).toEqual([
      expect.stringContaining('src/engine/ must not import src/cli/: it is an outer layer'),
    ]);
  });

  it('the public API may import anything; nothing imports it', async () => {
    expect(await layerProblems("export { a } from './cli/a.js';\nexport { b } from './errors/b.js';\n", 'src/index.ts')).toEqual([]);
    expect(await layerProblems("export { a } from '../index.js';\n", 'src/errors/probe.ts')).toEqual([expect.stringContaining('must not import the public API')]);
  });

  it('a folder missing from the order is reported until it is placed', async () => {
    expect(await layerProblems("import { a } from '../errors/a.js';\nexport const b = a;\n", 'src/newthing/probe.ts')).toEqual([
      expect.stringContaining('src/newthing/ is not in the layer order'),
    ]);
    expect(await layerProblems("import { a } from '../newthing/a.js';\nexport const b = a;\n", 'src/cli/probe.ts')).toEqual([
      expect.stringContaining('src/newthing/ is not in the layer order'),
    ]);
  });
});
