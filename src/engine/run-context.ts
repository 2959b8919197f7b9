/**
 * What `${{ }}` can see during a run (SPEC §2 contexts) and the resolver built over it.
 * In plan mode, values known only at run time resolve to a Deferred description.
 */
import { Deferred, EvaluationError, type ExprValue, type Resolver } from '../expressions/evaluate.js';
import type { ScalarValue, Target } from '../runbook/model.js';
import type { StepStatus } from './events.js';

/** What is known about a step that ran (or was restored from the journal). */
export interface StepRecord {
  status: StepStatus;
  outputs: Record<string, string>;
  stdout: string;
  exitCode: number | null;
  /** Output keys restored from a journal that held a secret: stored masked, so not available. */
  withheld?: ReadonlySet<string>;
  /** The stdout tail restored from a journal held a secret: not available either. */
  stdoutWithheld?: boolean;
}

export interface RunContext {
  runId: string;
  runbook: string;
  /** `running`, or in `finally` the outcome so far. */
  status: string;
  params: Record<string, ScalarValue>;
  secrets: Record<string, string>;
  /** `env.*`: the process environment overlaid with the runbook's resolved `env:`. */
  env: Record<string, string | undefined>;
  steps: Map<string, StepRecord>;
  /** Plan mode: outputs and the run id are not known yet. */
  planning?: boolean;
}

/** Extra scope for one execution: its target and, inside a library step, its inputs. */
export interface ExecutionScope {
  target?: Target;
  inputs?: Record<string, ScalarValue>;
}

function fieldOf(record: Record<string, ScalarValue | string | undefined>, key: string | undefined, what: string, hint?: string): ExprValue {
  if (key === undefined) throw new EvaluationError(`\`${what}\` needs a name after it`, hint);
  const value = record[key];
  if (value === undefined) throw new EvaluationError(`\`${what}.${key}\` is not set`, hint);
  return value;
}

/** Builds the resolver for one execution. Unknown references throw EvaluationError. */
export function makeResolver(context: RunContext, scope: ExecutionScope = {}): Resolver {
  return (path) => {
    const [root, key, field, sub] = path;
    switch (root) {
      case 'params':
        return fieldOf(context.params, key, 'params', 'declare it under params:');
      case 'secrets':
        return fieldOf(context.secrets, key, 'secrets', 'declare it under secrets:');
      case 'env':
        return fieldOf(context.env, key, 'env', 'set it in env: or in the environment of stepwise');
      case 'inputs':
        if (!scope.inputs) throw new EvaluationError('`inputs` exists only inside a library step');
        return fieldOf(scope.inputs, key, 'inputs');
      case 'run':
        if (key === 'id') return context.planning ? new Deferred('<run id>') : context.runId;
        if (key === 'runbook') return context.runbook;
        if (key === 'status') return context.planning ? new Deferred('<run status>') : context.status;
        throw new EvaluationError(`unknown \`run.${key ?? ''}\``, 'use run.id, run.status or run.runbook');
      case 'target':
        return resolveTarget(scope.target, key, field);
      case 'steps':
        return resolveStep(context, key, field, sub);
      default:
        throw new EvaluationError(`unknown context \`${root ?? ''}\``, 'contexts: params, env, secrets, inputs, steps, target, run');
    }
  };
}

function resolveTarget(target: Target | undefined, key: string | undefined, field: string | undefined): ExprValue {
  if (!target) throw new EvaluationError('`target` is only known inside a step that runs on a target');
  const host = target.kind === 'ssh' ? target.host : undefined;
  switch (key) {
    case 'host':
      return host ? host.host : 'localhost';
    case 'name':
      return target.name;
    case 'group':
      return target.kind === 'ssh' ? (target.group ?? '') : '';
    case 'vars':
      return fieldOf(host?.vars ?? {}, field, 'target.vars', 'set it under vars: of the host in the inventory');
    default:
      throw new EvaluationError(`unknown \`target.${key ?? ''}\``, 'use target.host, target.name, target.group or target.vars.NAME');
  }
}

function resolveStep(context: RunContext, id: string | undefined, field: string | undefined, key: string | undefined): ExprValue {
  if (id === undefined) throw new EvaluationError('`steps` needs a step id: steps.ID.outputs.KEY');
  const record = context.steps.get(id);
  if (!record) {
    if (context.planning) return new Deferred(field === 'outputs' ? `<output ${key ?? ''} of step ${id}>` : `<${field ?? 'result'} of step ${id}>`);
    if (field === 'status') return 'notRun';
    throw new EvaluationError(`step \`${id}\` has not run in this run, so \`steps.${id}.${field ?? ''}\` is unknown`);
  }
  switch (field) {
    case 'outputs': {
      if (key === undefined) throw new EvaluationError(`\`steps.${id}.outputs\` needs a key`);
      if (record.withheld?.has(key)) {
        throw new EvaluationError(`output \`${key}\` of step \`${id}\` held a secret value, which is never stored, so it is not available after resume`, 're-run the step (stepwise run --from), or have the later step read the secret itself');
      }
      const value = record.outputs[key];
      if (value === undefined) {
        const wrote = Object.keys(record.outputs);
        throw new EvaluationError(
          `step \`${id}\` did not write output \`${key}\`${wrote.length ? ` (it wrote: ${wrote.join(', ')})` : ' (it wrote no outputs)'}`,
          `the step writes outputs as lines \`${key}=value\` to the file named by $STEPWISE_OUTPUT`,
        );
      }
      return value;
    }
    case 'stdout':
      if (record.stdoutWithheld) {
        throw new EvaluationError(`the stdout of step \`${id}\` held a secret value, which is never stored, so it is not available after resume`, 're-run the step (stepwise run --from), or have the later step read the secret itself');
      }
      return record.stdout;
    case 'status':
      return record.status;
    case 'exitCode':
      return record.exitCode;
    default:
      throw new EvaluationError(`unknown \`steps.${id}.${field ?? ''}\``, 'use outputs.KEY, stdout, status or exitCode');
  }
}
