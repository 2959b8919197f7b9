/**
 * Asks the operator on the terminal (SPEC §3.11–12). Only created when stdin and stdout
 * are a TTY; otherwise the engine gets no prompter and gates fail at once, naming --yes.
 */
import { createInterface } from 'node:readline/promises';
import type { FailureChoice, Prompter, StepGateAnswer } from '../engine/prompter.js';
import type { Step } from '../runbook/model.js';

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/** Asks until the answer is one of `choices` (first letters accepted). */
async function choose<T extends string>(question: string, choices: readonly T[]): Promise<T> {
  for (;;) {
    const answer = (await ask(`${question} [${choices.join('/')}] `)).toLowerCase();
    const match = choices.find((c) => c === answer || c[0] === answer);
    if (match) return match;
  }
}

function describe(step: Step): string {
  const title = step.name ? `${step.id} (${step.name})` : step.id;
  return step.description ? `\n${title}\n${step.description.trim()}\n` : `\n${title}\n`;
}

export function createTtyPrompter(): Prompter {
  return {
    confirm: async (step, question) => {
      process.stderr.write(describe(step));
      return (await choose(question, ['yes', 'no'] as const)) === 'yes';
    },
    beforeStep: async (step): Promise<StepGateAnswer> => {
      process.stderr.write(describe(step));
      return choose('Run this step?', ['yes', 'skip', 'quit'] as const);
    },
    onFailure: async (step, error): Promise<{ choice: FailureChoice; note?: string }> => {
      process.stderr.write(`\nstep ${step.id} failed: ${error}\n`);
      const choice = await choose('What now?', ['retry', 'skip', 'rollback', 'halt'] as const);
      const note = await ask('Note for the journal (optional): ');
      return note ? { choice, note } : { choice };
    },
  };
}
