/**
 * Seeded mutation testing of the fast parser: fixtures and snippets with random edits (the
 * characters YAML cares about), each compared with `yaml`. Wherever the fast parser answers
 * it must agree on everything; where it is unsure it hands over. A larger run of the same
 * kind found each case in fast-yaml-differences.ts.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareParsers } from './parser-compare.js';
import { REFUSED_BY_YAML, TRICKY_YAML } from './parser-snippets.js';

const TOKENS = [' ', '  ', '\n', '\t', '#', ' # c', ':', ': ', '- ', '"', "'", '[', ']', '{', '}', ',', '&a ', '*a', '!!str ', '|', '>', '? ', '<<: *a', '${{ x }}', '~', '\r\n', '...', '---', 'x', '\n  ', ': |\n  '];

/** A small deterministic generator (the same cases on every run). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

function mutate(text: string, next: () => number): string {
  let out = text;
  for (let edits = 1 + Math.floor(next() * 3); edits > 0; edits--) {
    const at = Math.floor(next() * (out.length + 1));
    const token = TOKENS[Math.floor(next() * TOKENS.length)] as string;
    out = next() < 0.7 ? out.slice(0, at) + token + out.slice(at) : out.slice(0, at) + out.slice(at + 1 + Math.floor(next() * 3));
  }
  return out;
}

const fixtures = ['test/fixtures/runbooks/valid', 'test/fixtures/runbooks/invalid', 'steps']
  .flatMap((dir) => readdirSync(dir).filter((name) => name.endsWith('.yaml')).map((name) => readFileSync(join(dir, name), 'utf8')))
  .filter((text) => !text.includes('\0'));
const seeds = [...fixtures, ...TRICKY_YAML, ...REFUSED_BY_YAML.filter((text) => text.length < 2000)];

describe('mutated YAML: the fast parser agrees with yaml or hands over', () => {
  it.each([1, 2, 3, 4])('seed %i: 150 mutants', (seed) => {
    const next = random(seed);
    const outcomes = { fast: 0, 'handed over': 0 };
    for (let i = 0; i < 150; i++) outcomes[compareParsers(mutate(seeds[Math.floor(next() * seeds.length)] as string, next))]++;
    // Both paths are exercised: a mutant is often still valid YAML, often not.
    expect(outcomes.fast).toBeGreaterThan(20);
    expect(outcomes['handed over']).toBeGreaterThan(20);
  });
});
