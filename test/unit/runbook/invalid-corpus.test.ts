/**
 * The bad-input corpus (test/fixtures/runbooks/invalid/): one file per error class, each
 * asserting exactly which diagnostics come out — location, path and a message fragment —
 * so noise (a second message for one problem) fails the test too.
 */
import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { ValidationError, type Diagnostic } from '../../../src/errors/stepwise-error.js';
import { loadRunbook, type LoadRunbookOptions } from '../../../src/runbook/load-runbook.js';

const DIR = join(process.cwd(), 'test/fixtures/runbooks/invalid');

/** [line, col, path, message fragment]. */
type Expected = [number, number, string, string];

/** Diagnostics as `run` loads the file: its run-time checks (identity files) included. */
async function diagnosticsOf(name: string, options: LoadRunbookOptions = { forRun: true }): Promise<Diagnostic[]> {
  try {
    await loadRunbook(join(DIR, name), options);
  } catch (error) {
    if (error instanceof ValidationError) return error.diagnostics;
    throw error;
  }
  throw new Error(`${name} unexpectedly validated`);
}

const CORPUS: Record<string, Expected[]> = {
  'empty.yaml': [[1, 1, '', 'the runbook file is empty']],
  'comments-only.yaml': [[1, 1, '', 'empty (it has only comments)']],
  'binary.yaml': [[4, 15, '', 'is not a text file (it contains a NUL byte)']],
  'latin1.yaml': [[1, 10, '', 'is not valid UTF-8 text']],
  'top-list.yaml': [[1, 1, '', 'the top level of a runbook must be a mapping (`key: value` lines), found a list']],
  'top-scalar.yaml': [[1, 1, '', 'must be a mapping (`key: value` lines), found a string `just some words`']],
  'syntax-error.yaml': [[5, 3, '', 'YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }']],
  'tabs.yaml': [[4, 1, '', 'a tab is used for indentation; YAML indents with spaces only']],
  'duplicate-keys.yaml': [[6, 5, '', 'duplicate key `run`: a key may appear only once in a mapping']],
  'unknown-keys.yaml': [
    [2, 1, 'descripton', 'unknown key `descripton`; did you mean `description`?'],
    [4, 27, 'params.batch.defualt', 'unknown key `defualt`; did you mean `default`?'],
    [8, 5, 'steps[0].retyr', 'unknown key `retyr`; did you mean `retry`?'],
    [11, 14, 'steps[1].retry.atempts', 'unknown key `atempts`; did you mean `attempts`?'],
    [12, 33, 'steps[1].rollback.tiemout', 'unknown key `tiemout`; did you mean `timeout`?'],
  ],
  'two-actions.yaml': [[3, 5, 'steps[0]', 'a step has exactly one of `run`, `uses` or `confirm`']],
  'no-action.yaml': [[3, 5, 'steps[0]', 'a step needs one of `run` (a command), `uses` (a library step) or `confirm` (a question)']],
  'bad-duration.yaml': [
    [5, 14, 'steps[0].timeout', 'Expected `timeout` to be a duration like 30s (500ms, 30s, 5m, 1h, or a number of seconds), got `10 minutes` (string)'],
    [8, 14, 'steps[1].timeout', 'Expected `timeout` to be more than 0, got `0`'],
    [11, 34, 'steps[2].retry.delay', 'Expected `delay` to be a duration like 30s'],
  ],
  'unknown-target.yaml': [[6, 9, 'steps[0].on', 'unknown target `dbb`; did you mean `db`?']],
  'unknown-uses.yaml': [[4, 11, 'steps[0].uses', 'unknown library step `no-such-step`']],
  'duplicate-ids.yaml': [
    [5, 9, 'steps[1].id', 'duplicate step id `build` (first used at line 3)'],
    [8, 9, 'finally[0].id', 'duplicate step id `build` (first used at line 3)'],
  ],
  'unknown-param-ref.yaml': [[6, 19, 'steps[0].run', 'unknown param `verison`; did you mean `version`?']],
  'later-step-ref.yaml': [[4, 20, 'steps[0].run', 'step `second` runs after this one, so its results do not exist yet']],
  'unknown-context.yaml': [[4, 19, 'steps[0].run', 'unknown context `parms`; did you mean `params`?']],
  'self-reference.yaml': [[4, 20, 'steps[0].run', 'a step cannot use its own results here']],
  'single-quotes.yaml': [[6, 16, 'steps[0].run', 'a ${{ }} substitution inside single quotes is never expanded (the script would see a variable name, not the value); hint: write it bare (echo ${{ params.x }}), inside double quotes, or in an unquoted here-document']],
  'bad-when.yaml': [[6, 26, 'steps[0].when', 'invalid expression: unexpected character `=`']],
  'bad-param-spec.yaml': [
    [3, 59, 'params.version.default', "the default breaks the param's own rule — pattern: must match `^v[0-9]+$`, got `1.0`"],
    [4, 49, 'params.batch.maximum', '`maximum` (1) is below `minimum` (10)'],
    [5, 34, 'params.mode.pattern', 'not a valid regular expression'],
    [6, 18, 'params.level.type', 'Expected `type` to be one of `string`, `integer`, `number`, `boolean`, got `strng` (string); did you mean `string`?'],
  ],
  'bad-types.yaml': [
    [1, 7, 'name', 'Expected `name` to be a name of lowercase letters, digits, `-`, `_` and `.`, starting with a letter or digit, got `Bad Name` (string)'],
    [2, 12, 'onFailure', 'Expected `onFailure` to be one of `rollback`, `halt`, got `rolback` (string); did you mean `rollback`?'],
    [6, 12, 'steps[0].retry', 'Expected `retry` to be a number of attempts or a mapping like { attempts: 3, delay: 2s }, got `many` (string)'],
    [7, 13, 'steps[0].serial', 'Expected `serial` to be at least 1, got `0` (number)'],
    [8, 22, 'steps[0].continueOnError', 'Expected `continueOnError` to be true or false, got `yes` (string)'],
  ],
  'confirm-extras.yaml': [
    [5, 12, 'steps[0].retry', '`retry` has no meaning on a `confirm` step'],
    [6, 15, 'steps[0].rollback', '`rollback` has no meaning on a `confirm` step'],
  ],
  'with-problems.yaml': [
    [4, 11, 'steps[0].uses', '`lib-migrate` needs input `version`'],
    [5, 13, 'steps[0].with.verison', 'unknown input `verison` for `lib-migrate`; did you mean `version`?'],
    [5, 33, 'steps[0].with.batch', 'input `batch` of `lib-migrate` breaks rule type: expected an integer, got `lots`'],
    [8, 5, 'steps[1].with', '`with` is only allowed together with `uses`'],
  ],
  'inventory-problems.yaml': [
    [3, 3, 'targets.local', '`local` is the built-in local target and cannot be a group name'],
    [4, 28, 'targets.db[0].port', 'Expected `port` to be at most 65535, got `70000` (number)'],
    [5, 13, 'targets.all[1]', 'group `all` lists itself'],
    [6, 36, 'targets.web.identity', 'no-such-key does not exist'],
  ],
  'secrets-problems.yaml': [
    [3, 16, 'secrets.DB_PASSWORD', 'a secret comes from exactly one source'],
    [4, 10, 'secrets.TOKEN', 'a secret comes from exactly one source'],
    [7, 20, 'steps[0].run', 'unknown secret `API_KEY` (declared: DB_PASSWORD, TOKEN)'],
  ],
};

describe('invalid runbook corpus', () => {
  for (const [name, expected] of Object.entries(CORPUS)) {
    it(`${name}: ${expected.length} located diagnostic(s)`, async () => {
      const diagnostics = await diagnosticsOf(name);
      const file = join('test/fixtures/runbooks/invalid', name);
      expect(diagnostics.map((d) => [d.location.file, d.location.line, d.location.col, d.path])).toEqual(
        expected.map(([line, col, path]) => [file, line, col, path]),
      );
      expected.forEach(([, , , fragment], index) => expect(diagnostics[index]?.message).toContain(fragment));
    });
  }

  it('reports problems of a used library step in that file, all at once', async () => {
    const diagnostics = await diagnosticsOf('uses-broken-library.yaml');
    const lib = 'test/fixtures/runbooks/invalid/steps/broken-lib.yaml';
    expect(diagnostics.map((d) => `${d.location.file}:${d.location.line}:${d.location.col} ${d.path}`)).toEqual([
      `${lib}:4:15 run`,
      `${lib}:4:34 run`,
      `${lib}:5:1 timout`,
    ]);
    expect(diagnostics[0]?.message).toContain('unknown input `prot`; did you mean `port`?');
    expect(diagnostics[1]?.message).toContain('`params` is not available inside a library step');
    expect(diagnostics[2]?.message).toContain('unknown key `timout`; did you mean `timeout`?');
  });

  it('validate and plan leave out the run-time check of identity files', async () => {
    const diagnostics = await diagnosticsOf('inventory-problems.yaml', {});
    expect(diagnostics.map((d) => d.path)).toEqual(['targets.local', 'targets.db[0].port', 'targets.all[1]']);
  });

  it('never fails with anything but a ValidationError on any corpus file', async () => {
    const { readdirSync } = await import('node:fs');
    for (const name of readdirSync(DIR).filter((f) => f.endsWith('.yaml'))) {
      await expect(loadRunbook(join(DIR, name))).rejects.toBeInstanceOf(ValidationError);
    }
  });
});
