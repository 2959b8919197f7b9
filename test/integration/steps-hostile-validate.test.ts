/**
 * Hostile values written straight into a runbook's `with:` are refused when the runbook is
 * loaded: exit 2, every refused value reported at its own location, and nothing executed —
 * not even a harmless first step. Covers every input of every shipped step that has a rule
 * (pattern, enum, integer, number, boolean), with values that break it.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { inputAccepts, hostileValues, SEED, setTraps, sprung } from './steps-hostile-harness.js';
import { runRunbook, scratch } from './steps-harness.js';

const STEPS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../steps');
const BOOLEAN_WORDS = new Set(['true', 'false', 'yes', 'no', '1', '0']);
/** Valid values for required inputs that are not under test. */
const REQUIRED: Record<string, unknown> = { url: 'http://127.0.0.1:9/', port: 9, unit: 'x.service', path: '/nonexistent', file: '/nonexistent' };

interface InputSpec {
  type?: string;
  pattern?: string;
  enum?: unknown[];
  required?: boolean;
}

/** Whether the input's type or rule certainly refuses `value` (numbers: any character a number never has). */
function refuses(uses: string, name: string, spec: InputSpec, value: string): boolean {
  if (spec.type === 'integer' || spec.type === 'number') return /[^0-9+\-.eE\s]/.test(value);
  if (spec.type === 'boolean') return !BOOLEAN_WORDS.has(value.trim().toLowerCase());
  return (spec.pattern !== undefined || spec.enum !== undefined) && !inputAccepts(uses, name)(value);
}

describe(`hostile literal inputs are refused at validation (seed ${SEED})`, () => {
  const library = readdirSync(STEPS_DIR)
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => file.slice(0, -5));

  it.each(library)('%s: exit 2, each refused value located, nothing executed', async (uses) => {
    const dir = scratch();
    const traps = setTraps(dir);
    const inputs = (parse(readFileSync(join(STEPS_DIR, `${uses}.yaml`), 'utf8')) as { inputs: Record<string, InputSpec> }).inputs;
    const required = Object.fromEntries(Object.entries(inputs).filter(([, spec]) => spec.required).map(([name]) => [name, REQUIRED[name]]));
    const steps: Array<Record<string, unknown>> = [{ id: 'first', run: `touch ${join(traps.markers, 'first-step-ran')}` }];
    const expected: string[] = [];
    for (const [name, spec] of Object.entries(inputs)) {
      for (const value of hostileValues(traps, 6, name.length).filter((v) => refuses(uses, name, spec, v))) {
        expected.push(`steps[${steps.length}].with.${name}`);
        steps.push({ id: `bad-${steps.length}`, uses, with: { ...required, [name]: value } });
      }
    }
    // Every shipped step has typed or ruled inputs, so every one gets refusals to check.
    expect(expected.length).toBeGreaterThan(0);
    const result = await runRunbook(dir, { name: `literal-${uses}`, steps });
    expect(result.code).toBe(2);
    for (const path of expected) expect(result.stderr).toContain(path);
    expect(result.events.filter((e) => e.type === 'run.started')).toEqual([]);
    expect(existsSync(join(dir, 'state', 'runs')) ? readdirSync(join(dir, 'state', 'runs')) : []).toEqual([]);
    expect(sprung(traps)).toEqual([]);
  }, 120_000);
});
