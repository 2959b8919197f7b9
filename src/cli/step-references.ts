/**
 * Which `${{ steps.… }}` and `${{ run.… }}` references a step's templates make: for `--step`
 * (skipping a step whose outputs a later step needs is warned about before, not after) and
 * for `plan --check` (a check that needs what only a run can know is not run, not guessed).
 * Reads the templates as written, including a library step's `with:` values.
 */
import { collectReferences, type Expr } from '../expressions/ast.js';
import { parseCondition, parseTemplate } from '../expressions/template.js';
import type { CommandSpec, Runbook, Step } from '../runbook/model.js';

/** Every reference path in a template (malformed templates were refused at load, so none here). */
function referencesIn(template: string): string[][] {
  try {
    return parseTemplate(template).flatMap((part) => (part.kind === 'expr' ? collectReferences(part.expr).map((r) => r.path) : []));
  } catch {
    return [];
  }
}

function conditionReferences(source: string): string[][] {
  try {
    const expr: Expr = parseCondition(source);
    return collectReferences(expr).map((r) => r.path);
  } catch {
    return [];
  }
}

/** References of a command: its script, env, cwd and (for a library step) the `with:` values it is given. */
export function commandReferences(command: CommandSpec): string[][] {
  const templates = [command.run, ...Object.values(command.env), ...(command.cwd !== undefined ? [command.cwd] : [])];
  const given = command.library ? Object.values(command.library.with).filter((v): v is string => typeof v === 'string') : [];
  return [...templates, ...given].flatMap(referencesIn);
}

/** References anywhere in a step: name, condition, command or question, check and rollback. */
export function stepReferences(step: Step): string[][] {
  const paths = [...(step.name ? referencesIn(step.name) : []), ...(step.when !== undefined ? conditionReferences(step.when) : [])];
  if (step.action.kind === 'run') paths.push(...commandReferences(step.action.command));
  else paths.push(...referencesIn(step.action.prompt));
  if (step.check) paths.push(...commandReferences(step.check.command));
  if (step.rollback) paths.push(...commandReferences(step.rollback.command));
  return paths;
}

/** What only a run can know: results of steps, the run's id and status. `steps.x.outputs.y` as text. */
export function runTimeReferences(paths: readonly string[][]): string[] {
  return [...new Set(paths.filter((p) => p[0] === 'steps' || (p[0] === 'run' && p[1] !== 'runbook')).map((p) => p.join('.')))];
}

/** Later steps (and finally steps) that use `steps.<stepId>.outputs.*`, each with the references it makes. */
export function outputUsers(runbook: Pick<Runbook, 'steps' | 'finally'>, stepId: string): Array<{ stepId: string; references: string[] }> {
  const at = runbook.steps.findIndex((s) => s.id === stepId);
  const later = [...runbook.steps.slice(at + 1), ...runbook.finally].filter((s) => s.id !== stepId);
  const users: Array<{ stepId: string; references: string[] }> = [];
  for (const step of later) {
    const references = [...new Set(stepReferences(step).filter((p) => p[0] === 'steps' && p[1] === stepId && p[2] === 'outputs').map((p) => p.join('.')))];
    if (references.length > 0) users.push({ stepId: step.id, references });
  }
  return users;
}
