/**
 * Asks the operator on the terminal (SPEC §3.11–12): `confirm:` gates, `--step` and
 * `--interactive`. Questions go to stderr (stdout may be a pipe under `--json`), answers
 * come from stdin. The live view is paused first so the question is never drawn over.
 * Nothing here can wait for input that cannot come: end of input and Ctrl-C settle a
 * question at once with the safe answer.
 */
import { createInterface } from 'node:readline';
import type { FailureChoice, Prompter, StepGateAnswer } from '../engine/prompter.js';
import { StepwiseError, UsageError } from '../errors/stepwise-error.js';
import { createStyle, sanitize, type Style } from '../reporters/terminal-style.js';
import { renderMarkdown } from '../reporters/markdown.js';
import type { Runbook, Step } from '../runbook/model.js';
import { colorWanted, liveView } from './create-reporters.js';
import { outputUsers } from './step-references.js';
import type { RunArgs } from './run-args.js';

/** Why nobody can answer a question here, or undefined when someone can. */
export function whyNoPrompts(): string | undefined {
  if (!process.stdin.isTTY) return 'stdin is not a terminal';
  if (!process.stderr.isTTY) return 'stderr is not a terminal';
  if (process.env.CI) return 'CI is set';
  return undefined;
}

/** True when questions can be asked and answered on a terminal. */
export function canPrompt(): boolean {
  return whyNoPrompts() === undefined;
}

/** `--step` and `--interactive` need someone to answer; refuse them up front (exit 2) rather than run unattended. */
export function checkPromptsPossible(args: Pick<RunArgs, 'step' | 'interactive'>): void {
  const why = whyNoPrompts();
  const flag = args.step ? '--step' : args.interactive ? '--interactive' : undefined;
  if (!why || !flag) return;
  throw new UsageError(`${flag} asks questions on a terminal, but ${why}; nothing was run`, {
    hint: `run it from a terminal, or drop ${flag} (in cron and CI, pass --yes to answer confirm: steps)`,
  });
}

/** One line from stdin; undefined at end of input or on a signal. */
function readAnswer(question: string): Promise<string | undefined> {
  const rl = createInterface({ input: process.stdin, terminal: false });
  return new Promise((resolve) => {
    let settled = false;
    const settle = (answer: string | undefined) => {
      if (settled) return;
      settled = true;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      rl.close();
      resolve(answer);
    };
    // The run's own signal handling still sees the signal; this only stops waiting.
    const onSignal = () => {
      process.stderr.write('\n');
      settle(undefined);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    rl.once('line', (line) => settle(line.trim()));
    rl.once('close', () => settle(undefined));
    process.stderr.write(question);
  });
}

/** One answer a question offers: typed as `key` or the whole `value`. */
export interface Choice<T extends string> {
  value: T;
  key: string;
  help: string;
}

/** Asks until the answer names a choice (by key or whole word); undefined when no answer can come. */
export async function choose<T extends string>(style: Style, question: string, choices: ReadonlyArray<Choice<T>>): Promise<T | undefined> {
  const menu = choices.map((c) => `${style.bold(c.key)} ${c.value}`).join(' / ');
  for (;;) {
    const answer = await readAnswer(`${question} [${menu}] `);
    if (answer === undefined) return undefined;
    const match = choices.find((c) => c.key === answer.toLowerCase() || c.value === answer.toLowerCase());
    if (match) return match.value;
    process.stderr.write(`  please answer ${choices.map((c) => `${c.key} (${c.help})`).join(', ')}\n`);
  }
}

/** Lines of a command, at most this many (a library step's script can be long; `plan` shows all of it). */
const COMMAND_LINES = 16;

function stepHeader(step: Step, style: Style, resolved: string[] = []): string {
  const title = step.name ? `${step.id} (${sanitize(step.name)})` : step.id;
  const lines = ['', style.bold(`▶ ${title}`)];
  const where = step.on === 'local' ? '' : `on ${step.on}`;
  if (where) lines.push(style.dim(`  ${where}`));
  if (step.description) lines.push(renderMarkdown(step.description, { color: style.color, width: (process.stderr.columns ?? 80) - 2, indent: '  ' }));
  const shown = resolved.slice(0, COMMAND_LINES);
  if (resolved.length > COMMAND_LINES) shown.push(style.dim(`    … ${resolved.length - COMMAND_LINES} more lines (stepwise plan shows all)`));
  lines.push(...shown);
  return lines.filter((l, i) => l !== '' || i === 0).join('\n') + '\n';
}

/** The warning shown before a step whose outputs later steps use: skipping it makes them fail. */
function dependentsWarning(users: Array<{ stepId: string; references: string[] }>, style: Style): string {
  if (users.length === 0) return '';
  const list = users.map((u) => `${u.stepId} (${u.references.join(', ')})`).join('; ');
  return `${style.yellow(`  ⚠ later steps use its outputs: ${sanitize(list)}; if you skip it, they fail`)}\n`;
}

/** Settles the live view, then writes. */
async function show(text: string): Promise<void> {
  await liveView()?.pause();
  process.stderr.write(text);
}

/** The runbook's own description, shown once before the first `--step` question. */
function runbookHeader(runbook: Pick<Runbook, 'name' | 'description'>, style: Style): string {
  const text = runbook.description ? `\n${renderMarkdown(runbook.description, { color: style.color, width: (process.stderr.columns ?? 80) - 2, indent: '  ' })}` : '';
  return `\n${style.bold(sanitize(runbook.name))}${text}\n`;
}

/** What the prompter knows about the run it asks for. */
export interface PrompterOptions {
  runbook?: Pick<Runbook, 'name' | 'description' | 'steps' | 'finally'>;
  /** The step's command as it would run now, `${{ }}` resolved (secrets `***`): see step-preview.ts. */
  preview?: (step: Step, style: Style) => string[];
}

/** The prompter for a terminal; create it only when {@link canPrompt} holds. */
export function createTtyPrompter(options: PrompterOptions = {}): Prompter {
  const style = createStyle(colorWanted() && Boolean(process.stderr.isTTY));
  let introduced = options.runbook === undefined;
  return {
    confirm: async (step, question) => {
      await show(stepHeader(step, style));
      const answer = await choose(style, style.bold(sanitize(question)), [
        { value: 'yes', key: 'y', help: 'go on' },
        { value: 'no', key: 'n', help: 'fail this step' },
      ] as const);
      if (answer === undefined) throw new StepwiseError(`step "${step.id}" got no answer to "${question}" (input ended or interrupted)`, { hint: 'answer on the terminal, or pass --yes to answer yes' });
      return answer === 'yes';
    },
    beforeStep: async (step): Promise<StepGateAnswer> => {
      const intro = introduced || !options.runbook ? '' : runbookHeader(options.runbook, style);
      introduced = true;
      const users = options.runbook ? outputUsers(options.runbook, step.id) : [];
      await show(intro + stepHeader(step, style, options.preview?.(step, style)) + dependentsWarning(users, style));
      for (;;) {
        const answer = await choose(style, 'Run this step?', [
          { value: 'yes', key: 'y', help: 'run it' },
          { value: 'skip', key: 's', help: 'skip it and go on' },
          { value: 'continue', key: 'c', help: 'run it and every later step without asking' },
          { value: 'quit', key: 'q', help: 'stop here; resume later' },
        ] as const);
        if (answer !== 'skip' || users.length === 0) return answer ?? 'quit';
        const who = users.map((u) => u.stepId).join(', ');
        const sure = await choose(style, style.yellow(`Skip ${step.id} although ${who} ${users.length === 1 ? 'needs' : 'need'} its outputs?`), [
          { value: 'yes', key: 'y', help: 'skip it anyway' },
          { value: 'no', key: 'n', help: 'ask again' },
        ] as const);
        if (sure === undefined) return 'quit';
        if (sure === 'yes') return 'skip';
      }
    },
    onFailure: async (step, error): Promise<{ choice: FailureChoice; note?: string }> => {
      // The live view has just shown the failure with its output; without it, say what failed.
      await show(liveView() ? '\n' : `\n${style.red(`✖ ${step.id} failed: ${sanitize(error)}`)}\n`);
      process.stderr.write(
        style.dim(
          [
            '  retry     run the step again',
            '  skip      treat it as done and go on with the next step',
            '  rollback  stop and undo what was done, newest first',
            '  halt      stop and keep everything as it is (stepwise resume / rollback later)',
          ].join('\n'),
        ) + '\n',
      );
      const choice = await choose(style, 'What now?', [
        { value: 'retry', key: 'r', help: 'retry' },
        { value: 'skip', key: 's', help: 'skip' },
        { value: 'rollback', key: 'b', help: 'roll back' },
        { value: 'halt', key: 'h', help: 'halt' },
      ] as const);
      if (choice === undefined) return { choice: 'halt', note: 'no answer (input ended or interrupted)' };
      const note = await readAnswer('Note for the journal (optional, Enter to skip): ');
      return note ? { choice, note } : { choice };
    },
  };
}
