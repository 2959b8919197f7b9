/**
 * What each runtime dependency costs to import, above `node -e 0`: informational, to find
 * what dominates start-up. Each variant is a fresh `node` importing one package as ESM from
 * the repository root (the same resolution as the CLI).
 */
import { runInterleaved } from '../lib/measure.mjs';
import { fmtMs, summarise } from '../lib/report.mjs';

export const id = 'imports';

const PACKAGES = ['yargs', 'execa', 'yaml', 'ajv', 'listr2'];

export async function run(ctx) {
  const imp = (names) => ({
    cmd: process.execPath,
    args: ['--input-type=module', '-e', names.map((n) => `await import(${JSON.stringify(n)});`).join('')],
    cwd: ctx.root,
  });
  const variants = [
    { id: 'node', label: '`node -e 0`', command: () => ({ cmd: process.execPath, args: ['-e', '0'] }) },
    ...PACKAGES.map((p) => ({ id: p, label: `import ${p}`, command: () => imp([p]) })),
    { id: 'all', label: 'import all five', command: () => imp(PACKAGES) },
  ];
  const results = await runInterleaved(variants, { rounds: ctx.rounds * 2, scratch: ctx.scratch, log: ctx.log });
  const stats = summarise(variants, results, 'node');
  const floor = stats.get('node').median;
  const floorMin = stats.get('node').min;
  return {
    title: 'Module import cost (informational)',
    description: 'A fresh `node` that only imports the package (ESM, resolved from the repo root). "Above floor" = median (or minimum: least disturbed by other load) − the same of `node -e 0`.',
    refLabel: '`node -e 0`',
    stats,
    extraColumns: [
      { title: 'above floor (medians)', value: (s) => (s.id === 'node' ? '' : fmtMs(s.median - floor)) },
      { title: 'above floor (minima)', value: (s) => (s.id === 'node' ? '' : fmtMs(s.min - floorMin)) },
    ],
  };
}
