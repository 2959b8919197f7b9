/** resolveParams: coercion to the declared type, each rule, precedence and located errors. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ValidationError, type Diagnostic } from '../../../src/errors/stepwise-error.js';
import { loadRunbook } from '../../../src/runbook/load-runbook.js';
import type { Runbook } from '../../../src/runbook/model.js';
import { resolveParams, type ParamsInput } from '../../../src/runbook/params.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir();
let runbook: Runbook;

beforeAll(async () => {
  const file = dir.write(
    'params.yaml',
    [
      'name: params',
      'params:',
      '  version: { type: string, required: true, pattern: "^v[0-9]+$" }',
      '  batch: { type: integer, default: 500, minimum: 1, maximum: 1000 }',
      '  ratio: { type: number, default: 0.5 }',
      '  dry: { type: boolean, default: false }',
      '  env: { type: string, enum: [staging, prod], default: staging }',
      '  token: { type: string, secret: true, pattern: "^tok_" }',
      '  note: { type: string }',
      'steps:',
      '  - id: a',
      '    run: echo a',
    ].join('\n'),
  );
  runbook = await loadRunbook(file);
});
afterAll(() => dir.remove());

function problems(input: ParamsInput): Diagnostic[] {
  try {
    resolveParams(runbook, input);
  } catch (error) {
    if (error instanceof ValidationError) return error.diagnostics;
    throw error;
  }
  throw new Error('params were accepted');
}

describe('resolveParams', () => {
  it('coerces --param strings and applies defaults; optional params without a value stay absent', () => {
    expect(resolveParams(runbook, { params: ['version=v42', 'batch=7', 'ratio=1.5e1', 'dry=yes', 'env=prod'] })).toEqual({
      version: 'v42',
      batch: 7,
      ratio: 15,
      dry: true,
      env: 'prod',
    });
    expect(resolveParams(runbook, { params: ['version=v1'] })).toEqual({ version: 'v1', batch: 500, ratio: 0.5, dry: false, env: 'staging' });
  });

  it('keeps everything after the first `=` and lets the last --param win', () => {
    expect(resolveParams(runbook, { params: ['version=v1', 'note=a=b', 'version=v2'] })).toMatchObject({ version: 'v2', note: 'a=b' });
  });

  it.each([
    [['batch=abc'], 'params.batch', 'breaks rule type: expected an integer, got `abc`'],
    [['batch=1.5'], 'params.batch', 'breaks rule type: expected an integer'],
    [['batch=0'], 'params.batch', 'breaks rule minimum: must be at least 1, got `0`'],
    [['batch=1001'], 'params.batch', 'breaks rule maximum: must be at most 1000, got `1001`'],
    [['ratio=fast'], 'params.ratio', 'breaks rule type: expected a number'],
    [['dry=maybe'], 'params.dry', 'breaks rule type: expected true or false, got `maybe`'],
    [['env=dev'], 'params.env', 'breaks rule enum: must be one of `staging`, `prod`, got `dev`'],
    [['version=1.2'], 'params.version', 'breaks rule pattern: must match `^v[0-9]+$`, got `1.2`'],
  ])('%j → %s %s', (params, path, fragment) => {
    const found = problems({ params: [...params, ...(params[0]?.startsWith('version') ? [] : ['version=v1'])] });
    expect(found).toHaveLength(1);
    // --param problems point at the param's declaration in the runbook (line 3 is `version`).
    const line = { version: 3, batch: 4, ratio: 5, dry: 6, env: 7 }[path.slice('params.'.length)];
    expect(found[0]).toMatchObject({ path, location: expect.objectContaining({ line, col: 3 }), message: expect.stringContaining(fragment) });
    expect(found[0]?.message).toContain(`--param ${params[0]}`);
  });

  it('names a missing required param with the flag to pass, at its declaration', () => {
    expect(problems({})).toEqual([
      { location: expect.objectContaining({ line: 3, col: 3 }), path: 'params.version', message: 'required: param `version` has no value; hint: pass --param version=VALUE' },
    ]);
  });

  it('rejects unknown params with a suggestion, and malformed --param', () => {
    const found = problems({ params: ['version=v1', 'bacth=5', 'novalue'] });
    expect(found.map((d) => [d.path, d.message])).toEqual([
      ['--param bacth', expect.stringContaining('unknown param `bacth`; did you mean `batch`?; hint: declared params: version, batch')],
      ['--param novalue', expect.stringContaining('expected --param NAME=VALUE')],
    ]);
  });

  it('never repeats a secret value in a message', () => {
    const found = problems({ params: ['version=v1', 'token=hunter2'] });
    expect(found[0]?.message).toContain('--param token=***');
    expect(found[0]?.message).not.toContain('hunter2');
  });

  it('reads a params file (YAML or JSON), located in that file, under --param', () => {
    const yaml = dir.write('p.yaml', 'version: v3\nbatch: 0\ndry: true\nenvv: prod\nlist: [1]\n');
    const found = problems({ paramsFile: yaml });
    expect(found.map((d) => [d.location.file.endsWith('p.yaml'), d.location.line, d.location.col, d.path, d.message])).toEqual([
      [true, 2, 8, 'batch', expect.stringContaining('(`batch` in ')],
      [true, 4, 1, 'envv', expect.stringContaining('unknown param `envv`; did you mean `env`?')],
      [true, 5, 1, 'list', expect.stringContaining('unknown param `list`')],
    ]);
    expect(found[0]?.message).toContain('breaks rule minimum: must be at least 1, got `0`');
    const json = dir.write('p.json', '{ "version": "v3", "batch": "20", "dry": true }');
    expect(resolveParams(runbook, { paramsFile: json, params: ['batch=30'] })).toMatchObject({ version: 'v3', batch: 30, dry: true });
  });

  it('reports an unreadable params file like any other file', () => {
    expect(problems({ paramsFile: `${dir.dir}/missing.yaml` })[0]?.message).toContain('params file not found');
  });
});
