/**
 * The fast parser (js-yaml) against the exact one (`yaml`): on every valid fixture and
 * shipped runbook the loaded Runbook is identical, locations included; on tricky YAML the
 * two agree wherever the fast one answers; where `yaml` refuses a file, the fast one hands
 * it over (so the error message and place stay `yaml`'s).
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRunbook } from '../../../src/runbook/load-runbook.js';
import { parseFast } from '../../../src/runbook/parse-fast.js';
import { compareParsers } from './parser-compare.js';
import { TRICKY_YAML, REFUSED_BY_YAML } from './parser-snippets.js';

/** The .yaml files in `dir`, or under it at any depth with `deep`. */
function yamlIn(dir: string, deep = false): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return deep ? yamlIn(path, true) : [];
    return entry.name.endsWith('.yaml') ? [path] : [];
  });
}

/** Runbooks: the valid fixtures and the shipped examples (runbooks/ holds inventories in subfolders). */
const RUNBOOKS = [...yamlIn('test/fixtures/runbooks/valid'), ...yamlIn('runbooks')];
/** Other YAML the loader reads: inventories, library steps, and the invalid corpus (mostly valid YAML). */
const OTHER_FILES = [...yamlIn('runbooks', true), ...yamlIn('steps'), ...yamlIn('test/fixtures/runbooks', true)].filter((file) => !RUNBOOKS.includes(file));

describe('the fast parser loads the same Runbook as the exact one', () => {
  it.each(RUNBOOKS)('%s', async (file) => {
    expect(parseFast(readFileSync(file, 'utf8'), file)).toBeDefined(); // the fast path really ran
    const fast = await loadRunbook(file, { parser: 'fast' });
    const exact = await loadRunbook(file, { parser: 'exact' });
    expect(fast).toEqual(exact);
  });
});

describe('the fast parser locates every path as the exact one does', () => {
  it.each([...RUNBOOKS, ...OTHER_FILES])('%s', (file) => {
    const text = readFileSync(file, 'latin1').includes('\0') ? '' : readFileSync(file, 'utf8');
    if (text.trim() !== '') compareParsers(text);
  });

  it.each(TRICKY_YAML.map((text) => [JSON.stringify(text).slice(0, 70), text]))('%s', (_, text) => {
    expect(compareParsers(text)).toBe('fast');
  });
});

describe('what `yaml` refuses, the fast parser hands over', () => {
  it.each(REFUSED_BY_YAML.map((text) => [JSON.stringify(text).slice(0, 70), text]))('%s', (_, text) => {
    expect(parseFast(text, 'f.yaml')).toBeUndefined();
  });
});
