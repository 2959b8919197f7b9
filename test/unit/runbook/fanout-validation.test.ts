/** `serial`, `forks`, `maxFailures`, `maxFailPercentage`: the model they build and the located errors of bad input. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { ValidationError } from '../../../src/errors/stepwise-error.js';
import { loadRunbook } from '../../../src/runbook/load-runbook.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir('stepwise-fanout-');
afterAll(() => dir.remove());

const HEAD = ['name: fleet', 'targets:', '  web: [web-1, web-2, web-3]', '  db: [db-1]'];

async function problems(text: string[]): Promise<string[]> {
  const file = dir.write('fleet.yaml', [...text, ''].join('\n'));
  try {
    await loadRunbook(file);
    return [];
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.diagnostics.map((d) => `${d.location.line}:${d.location.col} ${d.path}: ${d.message}`);
  }
}

/** A runbook whose one step on `web` carries `keys` (lines at the step's indentation). */
const webStep = (...keys: string[]) => [...HEAD, 'steps:', '  - id: deploy', '    on: web', '    run: deploy', ...keys.map((k) => `    ${k}`)];

describe('fan-out keys: the model', () => {
  it('keeps serial as written (number or percentage), the failure limits, and forks (default 50)', async () => {
    const file = dir.write(
      'ok.yaml',
      [...HEAD, 'forks: 20', 'steps:', '  - id: a', '    on: web', '    run: a', '    serial: 25%', '    maxFailures: 1', '    maxFailPercentage: 12.5', '  - id: b', '    on: web', '    serial: 2', '    run: b', ''].join('\n'),
    );
    const runbook = await loadRunbook(file);
    expect(runbook.forks).toBe(20);
    expect(runbook.steps[0]).toMatchObject({ serial: '25%', maxFailures: 1, maxFailPercentage: 12.5 });
    expect(runbook.steps[1]).toMatchObject({ serial: 2 });
    expect(runbook.steps[1]?.maxFailures).toBeUndefined();
    const plain = await loadRunbook(dir.write('plain.yaml', 'name: plain\nsteps:\n  - id: a\n    run: a\n'));
    expect(plain.forks).toBe(50);
  });

  it('limits are allowed on a group named by defaults.on, and on finally steps', async () => {
    expect(await problems([...HEAD, 'defaults: { on: web }', 'steps:', '  - id: a', '    run: a', '    maxFailures: 1', 'finally:', '  - id: z', '    on: web', '    run: z', '    maxFailPercentage: 50'])).toEqual([]);
  });
});

describe('fan-out keys: bad input, located', () => {
  it.each([
    ['serial: 0', '9:13 steps[0].serial: Expected `serial` to be at least 1, got `0` (number)'],
    ['serial: 150%', '9:13 steps[0].serial: Expected `serial` to be a number of hosts (1 or more) or a percentage of the group from 1% to 100%, like 25%, got `150%` (string)'],
    ['serial: 0%', '9:13 steps[0].serial: Expected `serial` to be a number of hosts (1 or more) or a percentage of the group from 1% to 100%, like 25%, got `0%` (string)'],
    ['serial: 12.5%', '9:13 steps[0].serial: Expected `serial` to be a number of hosts (1 or more) or a percentage of the group from 1% to 100%, like 25%, got `12.5%` (string)'],
    ['serial: 1.5', '9:13 steps[0].serial: Expected `serial` to be a number of hosts (1 or more) or a percentage of the group from 1% to 100%, like 25%, got `1.5` (number)'],
    ['serial: "-1"', '9:13 steps[0].serial: Expected `serial` to be a number of hosts (1 or more) or a percentage of the group from 1% to 100%, like 25%, got `-1` (string)'],
    ['maxFailPercentage: 120', '9:24 steps[0].maxFailPercentage: Expected `maxFailPercentage` to be at most 100, got `120` (number)'],
    ['maxFailPercentage: -5', '9:24 steps[0].maxFailPercentage: Expected `maxFailPercentage` to be at least 0, got `-5` (number)'],
    ['maxFailPercentage: 10%', '9:24 steps[0].maxFailPercentage: Expected `maxFailPercentage` to be a percentage of the group\'s hosts from 0 to 100 (a number, without %), got `10%` (string)'],
    ['maxFailures: -1', '9:18 steps[0].maxFailures: Expected `maxFailures` to be at least 0, got `-1` (number)'],
    ['maxFailures: 1.5', '9:18 steps[0].maxFailures: Expected `maxFailures` to be a whole number of hosts (0 or more), got `1.5` (number)'],
  ])('%s', async (line, expected) => {
    expect(await problems(webStep(line))).toEqual([expected]);
  });

  it('forks: 0 and forks: 2.5 at the top level', async () => {
    expect(await problems([...HEAD, 'forks: 0', 'steps:', '  - id: a', '    run: a'])).toEqual(['5:8 forks: Expected `forks` to be at least 1, got `0` (number)']);
    expect(await problems([...HEAD, 'forks: 2.5', 'steps:', '  - id: a', '    run: a'])).toEqual(['5:8 forks: Expected `forks` to be a whole number of hosts (1 or more), got `2.5` (number)']);
  });

  it('on a confirm step: refused, like every key that needs a command', async () => {
    expect(await problems([...HEAD, 'steps:', '  - id: go', '    confirm: Go?', '    maxFailures: 1', '    maxFailPercentage: 5'])).toEqual([
      '8:18 steps[0].maxFailures: `maxFailures` has no meaning on a `confirm` step, which only asks the operator',
      '9:24 steps[0].maxFailPercentage: `maxFailPercentage` has no meaning on a `confirm` step, which only asks the operator',
    ]);
  });

  it('on a step that is not on a group (local, one host): refused at the key, pointing to continueOnError', async () => {
    const hint = 'hint: to let the run go on when this step fails, use continueOnError: true';
    expect(await problems([...HEAD, 'steps:', '  - id: a', '    run: a', '    maxFailures: 1'])).toEqual([`8:5 steps[0].maxFailures: \`maxFailures\` only applies to a step on a group of hosts; this step runs on this machine (\`local\`); ${hint}`]);
    expect(await problems([...HEAD, 'steps:', '  - id: a', '    on: db-1', '    run: a', '    maxFailPercentage: 10'])).toEqual([
      `9:5 steps[0].maxFailPercentage: \`maxFailPercentage\` only applies to a step on a group of hosts; this step runs on one host (\`db-1\`), not a group; ${hint}`,
    ]);
    // A group of one host is still a group: the limit means what it says there.
    expect(await problems([...HEAD, 'steps:', '  - id: a', '    on: db', '    run: a', '    maxFailures: 0'])).toEqual([]);
  });

  it('every error at once, each located', async () => {
    expect(await problems([...HEAD, 'forks: 0', 'steps:', '  - id: a', '    on: web', '    run: a', '    serial: 0%', '    maxFailPercentage: 120'])).toEqual([
      '5:8 forks: Expected `forks` to be at least 1, got `0` (number)',
      '10:13 steps[0].serial: Expected `serial` to be a number of hosts (1 or more) or a percentage of the group from 1% to 100%, like 25%, got `0%` (string)',
      '11:24 steps[0].maxFailPercentage: Expected `maxFailPercentage` to be at most 100, got `120` (number)',
    ]);
  });
});
