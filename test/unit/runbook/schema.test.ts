/** The JSON Schema itself, and that each schema problem yields one clear, located message. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { ValidationError } from '../../../src/errors/stepwise-error.js';
import { loadRunbook } from '../../../src/runbook/load-runbook.js';
import { schema, schemaAt } from '../../../src/runbook/schema-file.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir();
afterAll(() => dir.remove());

function walk(node: unknown, visit: (key: string, value: unknown, pointer: string) => void, pointer = ''): void {
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    visit(key, value, pointer);
    walk(value, visit, `${pointer}/${key}`);
  }
}

describe('runbook.schema.json', () => {
  it('has no oneOf/anyOf outside `not` (each failure must produce one ajv error) and every $ref resolves', () => {
    walk(schema(), (key, value, pointer) => {
      if (key === 'oneOf' || key === 'anyOf') expect(pointer).toMatch(/\/(not|if)(\/|$)/);
      if (key === '$ref') expect(schemaAt(String(value).replace(/^#/, ''))).toBeDefined();
    });
  });

  it('forbids unknown keys on every object it describes', () => {
    walk(schema(), (key, value, pointer) => {
      if (key !== 'properties' || pointer.endsWith('/then')) return;
      expect(schemaAt(pointer)).toHaveProperty('additionalProperties', false);
      expect(value).toBeInstanceOf(Object);
    });
  });
});

describe('one message per problem', () => {
  const cases: Array<[string, string, string]> = [
    ['retry: abc', 'steps[0].retry', 'Expected `retry` to be a number of attempts or a mapping like { attempts: 3, delay: 2s }, got `abc` (string)'],
    ['retry: 0', 'steps[0].retry', 'Expected `retry` to be at least 1, got `0` (number)'],
    ['retry: { attempts: 0 }', 'steps[0].retry.attempts', 'Expected `attempts` to be at least 1, got `0` (number)'],
    ['retry: { backoff: 0.5 }', 'steps[0].retry.backoff', 'Expected `backoff` to be at least 1'],
    ['rollback: 5', 'steps[0].rollback', 'Expected `rollback` to be a command, or a mapping like { run: ..., timeout: 2m }, got `5` (number)'],
    ['rollback: {}', 'steps[0].rollback', 'a rollback mapping needs `run` (a command) or `uses` (a library step)'],
    ['rollback: { run: x, uses: noop }', 'steps[0].rollback', 'a rollback has either `run` or `uses`, not both'],
    ['rollback: { run: x, with: { a: 1 } }', 'steps[0].rollback.with', '`with` is only allowed together with `uses`'],
    ['timeout: [1]', 'steps[0].timeout', 'Expected `timeout` to be a duration like 30s'],
    ['timeout: -5', 'steps[0].timeout', 'Expected `timeout` to be at least 0, got `-5` (number)'],
    ['when: 5', 'steps[0].when', 'Expected `when` to be a condition such as ${{ params.dry == false }}, got `5` (number)'],
    ['outputs: x', 'steps[0].outputs', 'Expected `outputs` to be a list of output names, or a mapping of names to descriptions, got `x` (string)'],
    ['outputs: [a, a]', 'steps[0].outputs[1]', '`a` (string) is listed twice'],
    ['env: { 1BAD: x }', 'steps[0].env["1BAD"]', 'invalid name `1BAD`: expected an environment variable name'],
    ['env: { A: [x] }', 'steps[0].env.A', 'Expected `A` to be a string, number or boolean, got a list'],
    ['id: Bad_ID', 'steps[0].id', 'Expected `id` to be an id of lowercase letters'],
    ['shell: bash -x', 'steps[0].shell', 'Expected `shell` to be an interpreter name or path such as bash, sh or /usr/bin/python3 (without arguments)'],
    ['on: [a]', 'steps[0].on', 'Expected `on` to be a group or host name (no spaces or commas), or `local`, got a list'],
  ];
  for (const [line, path, message] of cases) {
    it(line, async () => {
      dir.write('steps/noop.yaml', 'run: "true"\n');
      const id = line.startsWith('id:') ? '' : 'id: a';
      const file = dir.write('case.yaml', `name: case\nsteps:\n  - ${id || 'name: x'}\n    run: "true"\n    ${line}\n`);
      const error = await loadRunbook(file).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ValidationError);
      const diagnostics = (error as ValidationError).diagnostics;
      expect(diagnostics).toHaveLength(1);
      expect(diagnostics[0]).toMatchObject({ path, location: expect.objectContaining({ line: 5 }) });
      expect(diagnostics[0]?.message).toContain(message);
    });
  }

  it('a missing `steps` and an empty list', async () => {
    const missing = dir.write('missing.yaml', 'name: missing\n');
    await expect(loadRunbook(missing)).rejects.toThrow(/missing\.yaml:1:1 missing required key `steps`/);
    const empty = dir.write('empty-steps.yaml', 'name: empty\nsteps: []\n');
    await expect(loadRunbook(empty)).rejects.toThrow(/empty-steps\.yaml:2:8 steps: `steps` must not be empty/);
  });
});
