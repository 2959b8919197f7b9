/**
 * Questions the engine may ask an operator (confirm gates, `--step`, `--interactive`).
 * The CLI supplies a TTY prompter or one that refuses at once; the engine never reads a terminal.
 */
import type { Step } from '../runbook/model.js';

/** `continue`: run this step and every later one without asking again. */
export type StepGateAnswer = 'yes' | 'skip' | 'quit' | 'continue';
export type FailureChoice = 'retry' | 'skip' | 'rollback' | 'halt';

export interface Prompter {
  /** A `confirm:` step. Resolves true to go on; rejects (StepwiseError) when nobody can answer. */
  confirm(step: Step, question: string): Promise<boolean>;
  /** `--step`: asked before each step. */
  beforeStep?(step: Step): Promise<StepGateAnswer>;
  /** `--interactive`: asked when a step failed after its retries. */
  onFailure?(step: Step, error: string): Promise<{ choice: FailureChoice; note?: string }>;
}
