/** The command table's option sets and the explanations of refused command lines, exhaustively. */
import { describe, expect, it } from '@jest/globals';
import { explainArgv, commandWord } from '../../../src/cli/argv-problems.js';
import { GLOBAL_OPTIONS } from '../../../src/cli/command-options.js';
import { COMMANDS, commandNamed, usageOf } from '../../../src/cli/command-table.js';

const optionsOf = (name: string) => Object.keys(commandNamed(name)?.options ?? {});

describe('command table', () => {
  // Other issues add options (--report, --state, --forks…); what each command must and must not take is pinned.
  const takes = (name: string, wanted: string[]) => expect(optionsOf(name)).toEqual(expect.arrayContaining(wanted));
  const lacks = (name: string, unwanted: string[]) => expect(optionsOf(name).filter((o) => unwanted.includes(o))).toEqual([]);
  const selection = ['inventory', 'limit', 'from', 'only'];

  it('gives each command the options SPEC §1 says it takes, and not the others', () => {
    takes('run', ['param', 'params-file', 'inventory', 'json', 'quiet', 'step', 'interactive', 'yes', 'rollback', 'from', 'only', 'limit', 'dry-run', 'state-dir', 'wait-lock']);
    takes('plan', ['param', 'params-file', 'inventory', 'from', 'only', 'limit', 'json']);
    lacks('plan', ['state-dir', 'yes', 'step', 'interactive', 'quiet', 'rollback', 'wait-lock', 'dry-run']);
    takes('resume', ['param', 'params-file', 'json', 'quiet', 'step', 'interactive', 'yes', 'rollback', 'dry-run', 'state-dir', 'wait-lock']);
    lacks('resume', selection);
    takes('rollback', ['param', 'params-file', 'json', 'quiet', 'yes', 'dry-run', 'state-dir', 'wait-lock']);
    lacks('rollback', [...selection, 'step', 'interactive', 'rollback']);
    expect(optionsOf('validate')).toEqual(['inventory']);
    expect(optionsOf('schema')).toEqual([]);
    expect(usageOf(commandNamed('logs') ?? COMMANDS[0]!)).toBe('logs <runId> [stepId]');
    expect(usageOf(commandNamed('validate') ?? COMMANDS[0]!)).toBe('validate <files..>');
  });

  it('finds the command word past leading options and stops at --', () => {
    expect(commandWord(['--debug', 'run', 'x'])).toBe('run');
    expect(commandWord(['--', 'run'])).toBeUndefined();
    expect(commandWord([])).toBeUndefined();
  });
});

describe('explainArgv', () => {
  // Every option of every command, tried on every command that does not take it.
  const foreign = COMMANDS.flatMap((entry) =>
    COMMANDS.flatMap((other) => Object.keys(other.options))
      .filter((name, i, all) => all.indexOf(name) === i && !(name in entry.options) && !(name in GLOBAL_OPTIONS))
      .map((name) => [entry.name, name] as const),
  );

  it.each(foreign)('%s refuses --%s, naming it and the command', (command, option) => {
    const problem = explainArgv([command, 'arg', `--${option}`, 'value'], 'Unknown argument: x');
    expect(problem.message).toContain(`unknown option --${option} for \`stepwise ${command}\``);
    expect(problem.hint).toBe(`stepwise ${command} --help lists its options`);
  });

  it('suggests the closest option of the command', () => {
    expect(explainArgv(['run', 'f.yaml', '--parm', 'a=b'], '').message).toBe('unknown option --parm for `stepwise run`; did you mean --param?');
    expect(explainArgv(['history', '--runbok', 'x'], '').message).toBe('unknown option --runbok for `stepwise history`; did you mean --runbook?');
    expect(explainArgv(['run', 'f.yaml', '--dryrun'], '').message).toContain('did you mean --dry-run?');
  });

  it('says why resume and rollback refuse the options that choose what a run acts on', () => {
    for (const command of ['resume', 'rollback']) {
      for (const option of ['limit', 'from', 'only', 'inventory']) {
        const { message } = explainArgv([command, 'ID', `--${option}=x`], '');
        expect(message).toContain(`unknown option --${option} for \`stepwise ${command}\``);
        expect(message).toContain('acts on what the run itself used');
        expect(message).not.toContain('did you mean');
      }
    }
  });

  it('names every unknown option, and accepts aliases, camelCase and --no- forms as known', () => {
    expect(explainArgv(['rollback', 'ID', '--from', 'x', '--only', 'y'], '').message).toContain('(also unknown: --only)');
    const known = explainArgv(['run', 'f', '--no-rollback', '-y', '--stateDir', 'd', '--dry-run', '-V', '-h'], 'Unknown argument: g');
    expect(known.message).toBe('unexpected argument g (usage: stepwise run <file>)');
  });

  it('suggests commands, and options of any command when none is given', () => {
    expect(explainArgv(['histroy'], '').message).toBe('unknown command `histroy`; did you mean `history`?');
    expect(explainArgv(['rollbak', 'ID'], '').message).toBe('unknown command `rollbak`; did you mean `rollback`?');
    expect(explainArgv(['frobnicate'], '').message).toBe('unknown command `frobnicate`');
    expect(explainArgv(['--parm'], '').message).toBe('unknown option --parm; did you mean --param (an option of run, plan, resume, rollback)?');
  });

  it('rewords the parser’s own messages', () => {
    expect(explainArgv(['show'], 'Not enough non-option arguments: got 0, need at least 1').message).toBe('missing RUN_ID (usage: stepwise show <runId>)');
    expect(explainArgv(['history', '--limit'], 'Not enough arguments following: limit').message).toBe('--limit needs a value (usage: stepwise history)');
  });
});
