/**
 * Turns a command template into what one attempt executes: the script (values only as
 * variable references), its environment (runbook env, step env, substitution values, the
 * STEPWISE_* variables) and its working directory. Errors here fail the attempt before
 * anything runs.
 */
import { substituteScript, substituteText } from '../expressions/substitute.js';
import { libraryInputs } from '../runbook/library-inputs.js';
import type { CommandSpec, ScalarValue, Target } from '../runbook/model.js';
import type { Phase } from './events.js';
import { makeResolver, type RunContext } from './run-context.js';

/** What a command needs from its surroundings to be prepared. */
export interface CommandScope {
  stepId: string;
  phase: Phase;
  command: CommandSpec;
  target: Target;
  context: RunContext;
  /** Directory stepwise was started in: local relative `cwd:` resolves against it. */
  startDir: string;
  /** Environment every step gets: runbook `env:` resolved, secrets exported. */
  baseEnv: Record<string, string>;
  resolvePath: (base: string, path: string) => string;
  /** `STEPWISE_PHASE` for this command (`check` for check commands). */
  phaseName?: string;
}

/** One attempt, ready to hand to an executor. */
export interface PreparedCommand {
  script: string;
  env: Record<string, string>;
  cwd?: string;
}

/** Resolves the script, env and cwd; throws EvaluationError or StepwiseError when a value is missing or refused. */
export function prepareCommand(scope: CommandScope, attempt: number): PreparedCommand {
  const { command, target, context } = scope;
  const callerScope = makeResolver(context, { target });
  const inputs: Record<string, ScalarValue> | undefined = command.library ? libraryInputs(command.library, (template) => substituteText(template, callerScope)) : undefined;
  const resolve = makeResolver(context, { target, inputs });
  const env: Record<string, string> = { ...scope.baseEnv };
  for (const [key, value] of Object.entries(command.env)) env[key] = substituteText(value, resolve);
  // Values reach the script as variables it refers to, never as script text (SPEC §2).
  const rendered = substituteScript(command.run, resolve, command.shell);
  Object.assign(env, rendered.env);
  env.STEPWISE_RUN_ID = context.runId;
  env.STEPWISE_STEP_ID = scope.stepId;
  env.STEPWISE_ATTEMPT = String(attempt);
  env.STEPWISE_PHASE = scope.phaseName ?? (scope.phase === 'rollback' ? 'rollback' : 'run');
  if (command.cwd !== undefined) {
    const resolved = substituteText(command.cwd, resolve);
    return { script: rendered.script, env, cwd: target.kind === 'local' ? scope.resolvePath(scope.startDir, resolved) : resolved };
  }
  return { script: rendered.script, env, ...(target.kind === 'local' ? { cwd: scope.startDir } : {}) };
}
