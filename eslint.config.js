// Lint rules that keep the architecture honest (ARCHITECTURE.md §10):
// the engine never reaches for the terminal or the CLI, and only cli/ exits the process.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    ignores: ['src/cli/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'exit', message: 'Only src/cli/ exits the process.' }],
    },
  },
  {
    files: ['src/engine/**/*.ts', 'src/runbook/**/*.ts', 'src/expressions/**/*.ts', 'src/targets/**/*.ts', 'src/journal/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/cli/**', '../cli/*'], message: 'The core never imports the CLI (ARCHITECTURE §10).' },
        { group: ['**/reporters/**', '../reporters/*'], message: 'The core emits events; reporters subscribe (ARCHITECTURE §3).' },
      ] }],
    },
  },
);
