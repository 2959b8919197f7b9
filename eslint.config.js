// Lint rules that keep the architecture honest (ARCHITECTURE.md §10): imports follow the
// layer order, the core never reaches for the terminal, and only cli/ exits the process.
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The folders of src/, outermost first. A folder may import itself and the folders of later
 * layers only; folders of one layer (report and views; reporters and journal) do not import
 * each other. A new
 * folder must be placed here before it can import or be imported. `src/index.ts` (the
 * public API) may import anything.
 */
const LAYERS = [['cli'], ['report', 'views'], ['reporters', 'journal'], ['engine'], ['targets'], ['runbook'], ['expressions'], ['errors']];

/**
 * Imports allowed against the order for now, as `from>to` with the reason. Each is a TODO:
 * the fix moves code between folders owned by someone else. (Empty: keep it so.)
 */
const EXCEPTIONS = new Map([]);

const LEVEL = new Map(LAYERS.flatMap((folders, level) => folders.map((folder) => [folder, level])));
const ORDER = LAYERS.map((folders) => folders.join(' | ')).join(' → ');
const SRC = join(import.meta.dirname, 'src');

/** The top folder of src/ a file is in; '' for a file directly in src/; undefined outside src/. */
function folderOf(file) {
  const path = relative(SRC, file);
  if (path.startsWith('..') || isAbsolute(path)) return undefined;
  const parts = path.split(sep);
  return parts.length > 1 ? parts[0] : '';
}

/** Why an import from folder `from` of folder `to` breaks the layer order, or undefined. */
function violation(from, to) {
  if (to === from || EXCEPTIONS.has(`${from}>${to}`)) return undefined;
  if (to === '') return `src/${from}/ must not import the public API (src/index.ts)`;
  if (!LEVEL.has(from) || !LEVEL.has(to)) return `src/${!LEVEL.has(from) ? from : to}/ is not in the layer order; add it to LAYERS in eslint.config.js`;
  if (LEVEL.get(to) < LEVEL.get(from)) return `src/${from}/ must not import src/${to}/: it is an outer layer`;
  if (LEVEL.get(to) === LEVEL.get(from)) return `src/${from}/ must not import src/${to}/: they are the same layer`;
  return undefined;
}

/** The rule: every relative import (static, re-export or dynamic) of a file in src/ follows LAYERS. */
const layersRule = {
  meta: { type: 'problem', docs: { description: `imports follow the layer order ${ORDER}` }, schema: [] },
  create(context) {
    const from = folderOf(context.filename);
    if (from === undefined || from === '') return {};
    const check = (source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const to = folderOf(resolve(dirname(context.filename), source.value));
      const problem = to === undefined ? undefined : violation(from, to);
      if (problem) context.report({ node: source, message: `${problem} (layer order: ${ORDER})` });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/**/*.mjs', '*.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { stepwise: { rules: { layers: layersRule } } },
    rules: { 'stepwise/layers': 'error' },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'exit', message: 'Only src/cli/ exits the process.' }],
    },
  },
);
