/**
 * Which `${{ }}` references a place in a runbook may use (SPEC §2, expressions): the static
 * half of "an unknown reference is a validation error when it can be known statically".
 */
import { didYouMean } from './did-you-mean.js';
import type { ParamType } from './model.js';

/** What is in scope where an expression is written. */
export interface ReferenceScope {
  /** `runbook` fields see params/secrets/steps; a library step file sees only its inputs. */
  kind: 'runbook' | 'library';
  params: ReadonlySet<string>;
  secrets: ReadonlySet<string>;
  inputs: ReadonlySet<string>;
  /** Every step id of the runbook, to tell "unknown" from "not yet run". */
  allSteps: ReadonlyMap<string, StepFacts>;
  /** Steps with `order` below this have results when the expression is evaluated. */
  visibleBefore: number;
  /** The step the expression belongs to, if any. */
  selfId?: string;
  /** Declared types of `params.NAME` / `inputs.NAME`, keyed by that reference. */
  types?: ReadonlyMap<string, ParamType>;
}

/** What is known statically about a step's results. */
export interface StepFacts {
  /** Position in run order: `steps` first, then `finally`. */
  order: number;
  /** Declared output names; undefined when the step declares none (then any key may exist). */
  outputs?: ReadonlySet<string>;
}

const RUNBOOK_CONTEXTS = ['params', 'env', 'secrets', 'steps', 'target', 'run'];
const LIBRARY_CONTEXTS = ['inputs', 'env', 'target', 'run'];
const STEP_FIELDS = ['outputs', 'stdout', 'status', 'exitCode'];
const TARGET_FIELDS = ['host', 'name', 'group', 'vars'];
const RUN_FIELDS = ['id', 'status', 'runbook'];

function named(what: string, name: string | undefined, declared: ReadonlySet<string>, rest: number, example: string): string | undefined {
  if (name === undefined) return `\`${what}\` needs a name: ${example}`;
  if (!declared.has(name)) {
    const list = declared.size > 0 ? `declared: ${[...declared].join(', ')}` : `none are declared`;
    return `unknown ${what === 'params' ? 'param' : what === 'inputs' ? 'input' : 'secret'} \`${name}\`${didYouMean(name, declared)} (${list})`;
  }
  if (rest > 0) return `\`${what}.${name}\` is a single value; nothing can follow it`;
  return undefined;
}

function stepReference(path: readonly string[], scope: ReferenceScope): string | undefined {
  const [, id, field, key, ...extra] = path;
  if (id === undefined) return '`steps` needs a step id: steps.ID.outputs.NAME';
  const facts = scope.allSteps.get(id);
  if (!facts) return `unknown step \`${id}\`${didYouMean(id, scope.allSteps.keys())}`;
  if (facts.order >= scope.visibleBefore) {
    return id === scope.selfId
      ? `a step cannot use its own results here (only its rollback can refer to \`steps.${id}\`)`
      : `step \`${id}\` runs after this one, so its results do not exist yet`;
  }
  if (field === undefined) return `\`steps.${id}\` needs a field: ${STEP_FIELDS.map((f) => `steps.${id}.${f}`).join(', ')}`;
  if (!STEP_FIELDS.includes(field)) return `unknown field \`${field}\` of step \`${id}\`${didYouMean(field, STEP_FIELDS)}; fields are outputs.NAME, stdout, status and exitCode`;
  if (field !== 'outputs') return key === undefined ? undefined : `\`steps.${id}.${field}\` is a single value; nothing can follow it`;
  if (key === undefined) return `\`steps.${id}.outputs\` needs an output name: steps.${id}.outputs.NAME`;
  if (extra.length > 0) return `\`steps.${id}.outputs.${key}\` is a single value; nothing can follow it`;
  if (facts.outputs && !facts.outputs.has(key)) {
    return `step \`${id}\` declares no output \`${key}\`${didYouMean(key, facts.outputs)} (declared: ${[...facts.outputs].join(', ') || 'none'})`;
  }
  return undefined;
}

/** Why `path` cannot be referenced in `scope`, or undefined when it can. */
export function referenceProblem(path: readonly string[], scope: ReferenceScope): string | undefined {
  const [root, name, ...rest] = path;
  const contexts = scope.kind === 'library' ? LIBRARY_CONTEXTS : RUNBOOK_CONTEXTS;
  if (root === undefined) return 'empty reference';
  if (!contexts.includes(root)) {
    if (scope.kind === 'library' && ['params', 'secrets', 'steps'].includes(root)) {
      return `\`${root}\` is not available inside a library step; pass the value in as an input (\`with:\`) and use inputs.NAME`;
    }
    if (root === 'inputs') return '`inputs` exist only inside a library step file (steps/NAME.yaml)';
    return `unknown context \`${root}\`${didYouMean(root, contexts)}; contexts are ${contexts.join(', ')}`;
  }
  switch (root) {
    case 'params':
      return named('params', name, scope.params, rest.length, 'params.NAME');
    case 'secrets':
      return named('secrets', name, scope.secrets, rest.length, 'secrets.NAME');
    case 'inputs':
      return named('inputs', name, scope.inputs, rest.length, 'inputs.NAME');
    case 'env':
      if (name === undefined) return '`env` needs a variable name: env.NAME';
      return rest.length > 0 ? `\`env.${name}\` is a single value; nothing can follow it` : undefined;
    case 'steps':
      return stepReference(path, scope);
    case 'target':
      if (name === undefined || !TARGET_FIELDS.includes(name)) return `unknown field \`${name ?? ''}\` of \`target\`${didYouMean(name ?? '', TARGET_FIELDS)}; fields are host, name, group and vars.NAME`;
      if (name === 'vars') return rest.length === 1 ? undefined : '`target.vars` needs one variable name: target.vars.NAME';
      return rest.length > 0 ? `\`target.${name}\` is a single value; nothing can follow it` : undefined;
    default:
      if (name === undefined || !RUN_FIELDS.includes(name)) return `unknown field \`${name ?? ''}\` of \`run\`${didYouMean(name ?? '', RUN_FIELDS)}; fields are id, status and runbook`;
      return rest.length > 0 ? `\`run.${name}\` is a single value; nothing can follow it` : undefined;
  }
}
