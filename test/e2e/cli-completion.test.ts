/**
 * `stepwise completion bash|zsh|fish` scripts, loaded into the real shells and asked for
 * completions as the shell would on Tab: commands, a command's own options, runbook files
 * and run ids from the state dir.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_PATH, runCli } from '../helpers/run-cli.js';
import { workspace } from '../helpers/temp-dir.js';

const RUN_IDS = ['20260101T000000.000Z-aaaa', '20260102T000000.000Z-bbbb'];

/** A workspace with runbooks, two runs in its state dir and `stepwise` first on PATH. */
function setup() {
  const ws = workspace();
  mkdirSync(join(ws.dir, 'runbooks'));
  ws.write('runbooks/hello.yaml', 'name: hello\nsteps:\n  - id: a\n    run: "true"\n');
  ws.write('notes.txt', '');
  for (const id of RUN_IDS) mkdirSync(join(ws.stateDir, 'runs', id), { recursive: true });
  const bin = join(ws.dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'stepwise'), `#!/bin/sh\nexec '${process.execPath}' '${CLI_PATH}' "$@"\n`);
  chmodSync(join(bin, 'stepwise'), 0o755);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, STEPWISE_STATE_DIR: ws.stateDir, HOME: ws.dir, XDG_CONFIG_HOME: ws.dir, XDG_DATA_HOME: ws.dir };
  const shell = (program: string, script: string) => execFileSync(program, ['-c', script], { cwd: ws.dir, env, encoding: 'utf8' });
  return { ws, shell };
}

/** Splits `@@label` separated output into the lines of each section. */
function sections(output: string): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  let current = '';
  for (const line of output.split('\n')) {
    if (line.startsWith('@@')) result[(current = line.slice(2))] = [];
    else if (line !== '') result[current]?.push(line.split('\t')[0] ?? line);
  }
  return result;
}

const EXPECTED = {
  command: ['rollback'],
  runIds: [...RUN_IDS].reverse(),
  file: ['runbooks/'],
  inDir: ['runbooks/hello.yaml'],
  options: ['--param', '--params-file'],
};

describe('stepwise completion', () => {
  it('bash: the script completes through `stepwise __complete` in a real bash', () => {
    const { shell } = setup();
    const out = shell(
      'bash',
      [
        'source <(stepwise completion bash)',
        'ask() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=(); _stepwise_completions; printf "%s\\n" "${COMPREPLY[@]}"; }',
        'echo @@command; ask stepwise ro',
        'echo @@runIds; ask stepwise rollback ""',
        'echo @@file; ask stepwise run runb',
        'echo @@inDir; ask stepwise run runbooks/',
        'echo @@options; ask stepwise plan runbooks/hello.yaml --pa',
        'echo @@registered; complete -p stepwise',
      ].join('\n'),
    );
    const got = sections(out);
    expect(got).toMatchObject(EXPECTED);
    expect(got.registered).toEqual(['complete -o default -F _stepwise_completions stepwise']);
  });

  it('zsh: the script feeds compadd, and falls back to _files when there is nothing to offer', () => {
    const { shell } = setup();
    const out = shell(
      'zsh',
      [
        'compdef() { :; }',
        // Prints what compadd would offer (its options and their arguments left out).
        "compadd() { local skip=0 a; for a in \"$@\"; do if (( skip )); then skip=0; continue; fi; case $a in -S) skip=1;; --) ;; *) print -r -- $a;; esac; done }",
        '_files() { print -r -- _files; }',
        'source <(stepwise completion zsh)',
        'ask() { words=("$@"); CURRENT=$#; _stepwise; }',
        'echo @@command; ask stepwise ro',
        'echo @@runIds; ask stepwise rollback ""',
        'echo @@file; ask stepwise run runb',
        'echo @@inDir; ask stepwise run runbooks/',
        'echo @@options; ask stepwise plan runbooks/hello.yaml --pa',
        'echo @@inventory; ask stepwise run runbooks/hello.yaml --inventory ""',
        'echo @@fallback; ask stepwise run runbooks/hello.yaml --wait-lock ""',
      ].join('\n'),
    );
    const got = sections(out);
    expect(got).toMatchObject(EXPECTED);
    expect(got.fallback).toEqual(['_files']);
    // --inventory completes any file (here: every entry of the directory).
    expect(got.inventory).toEqual(expect.arrayContaining(['notes.txt', 'runbooks/']));
  });

  it('fish: complete -C answers through the script', () => {
    const { shell } = setup();
    const out = shell(
      'fish',
      [
        'stepwise completion fish | source',
        'echo @@command; complete -C "stepwise ro"',
        'echo @@runIds; complete -C "stepwise rollback "',
        'echo @@file; complete -C "stepwise run runb"',
        'echo @@inDir; complete -C "stepwise run runbooks/"',
        'echo @@options; complete -C "stepwise plan runbooks/hello.yaml --pa"',
      ].join('\n'),
    );
    // fish sorts what it offers.
    const sorted = (record: Record<string, string[]>) => Object.fromEntries(Object.entries(record).map(([k, v]) => [k, [...v].sort()]));
    expect(sorted(sections(out))).toMatchObject(sorted(EXPECTED));
  });

  it('refuses a shell it has no script for', async () => {
    const result = await runCli(['completion', 'tcsh']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Choices: "bash", "zsh", "fish"');
  });
});
