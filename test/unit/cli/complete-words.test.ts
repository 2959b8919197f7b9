/** Shell completion answers: commands, each command's own options, runbook files, run ids. */
import { describe, expect, it } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { completeWords } from '../../../src/cli/complete-words.js';
import { tempDir } from '../../helpers/temp-dir.js';

function tree() {
  const dir = tempDir('stepwise-complete-').dir;
  mkdirSync(join(dir, 'runbooks'));
  mkdirSync(join(dir, '.hidden'));
  for (const f of ['runbooks/hello.yaml', 'runbooks/notes.txt', 'deploy.yml', 'README.md', 'inv.json']) writeFileSync(join(dir, f), '');
  const state = join(dir, 'state');
  for (const id of ['20260101T000000.000Z-aaaa', '20260102T000000.000Z-bbbb']) {
    mkdirSync(join(state, 'runs', id), { recursive: true });
  }
  mkdirSync(join(dir, 'other', 'runs', '20250505T000000.000Z-cccc'), { recursive: true });
  return { dir, env: { STEPWISE_STATE_DIR: state } };
}

describe('completeWords', () => {
  const { dir, env } = tree();
  const complete = (...words: string[]) => completeWords(words, env, dir);

  it('completes commands, then the options of that command only', () => {
    expect(complete('ro')).toEqual(['rollback']);
    expect(complete('')).toContain('history');
    expect(complete('rollback', 'ID', '--')).toEqual(
      expect.arrayContaining(['--param', '--params-file', '--json', '--quiet', '--yes', '--dry-run', '--state-dir', '--wait-lock', '--help']),
    );
    expect(complete('rollback', 'ID', '--')).not.toContain('--from');
    expect(complete('run', 'x.yaml', '--no')).toEqual(['--no-rollback']);
    expect(complete('run', 'x.yaml', '--dry-run', '--dr')).toEqual([]);
    expect(complete('run', 'x.yaml', '--param', 'a=1', '--pa')).toEqual(['--param', '--params-file']);
  });

  it('completes runbook files and directories, not other files or hidden ones', () => {
    expect(complete('run', '')).toEqual(['deploy.yml', 'other/', 'runbooks/', 'state/']);
    expect(complete('plan', 'runbooks/')).toEqual(['runbooks/hello.yaml']);
    expect(complete('validate', 'deploy.yml', 'runbooks/h')).toEqual(['runbooks/hello.yaml']);
    expect(complete('run', '--param', 'a=1', 'runb')).toEqual(['runbooks/']);
    expect(complete('run', 'deploy.yml', '')).toEqual([]);
  });

  it('completes run ids, newest first, from the state dir given on the line or in the environment', () => {
    expect(complete('rollback', '')).toEqual(['20260102T000000.000Z-bbbb', '20260101T000000.000Z-aaaa']);
    expect(complete('show', '20260101')).toEqual(['20260101T000000.000Z-aaaa']);
    expect(complete('resume', '--state-dir', join(dir, 'other'), '')).toEqual(['20250505T000000.000Z-cccc']);
    expect(complete('logs', `--state-dir=${join(dir, 'other')}`, '2025')).toEqual(['20250505T000000.000Z-cccc']);
    // bash splits --state-dir=DIR at `=`.
    expect(complete('logs', '--state-dir', '=', join(dir, 'other'), '')).toEqual(['20250505T000000.000Z-cccc']);
  });

  it('completes option values: files for --params-file, directories for --state-dir, shells', () => {
    expect(complete('run', 'x.yaml', '--params-file', 'in')).toEqual(['inv.json']);
    expect(complete('history', '--state-dir', 's')).toEqual(['state/']);
    expect(complete('completion', '')).toEqual(['bash', 'zsh', 'fish']);
    expect(complete('help', 'hi')).toEqual(['history']);
    expect(complete('nosuch', '')).toEqual([]);
  });
});
