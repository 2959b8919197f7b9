/**
 * Resolves `${{ }}` for `plan` without running anything: params are known, secrets are
 * never read (shown as `***`), and what only a run can know — outputs of earlier steps,
 * the run id, the run status — stays a visible placeholder such as
 * `<output dump-file of step backup>`. Nothing is guessed and no target is contacted.
 */
import { Redactor } from '../engine/redact.js';
import { makeResolver, type RunContext, type StepRecord } from '../engine/run-context.js';
import { Deferred, EvaluationError, evaluate, isTruthy, type ExprValue, type Resolver } from '../expressions/evaluate.js';
import { substituteText } from '../expressions/substitute.js';
import { parseCondition } from '../expressions/template.js';
import type { CommandSpec, Runbook, ScalarValue, Target } from '../runbook/model.js';

/** Stands for a secret in plan output. */
const MASKED = new Deferred('***');

/** A resolved text, or why it cannot be resolved before the run. */
export type Resolved = { ok: true; text: string } | { ok: false; error: string };

/** What a command looks like on one target once its templates are filled in. */
export interface ResolvedCommand {
  run: Resolved;
  env: Array<[string, Resolved]>;
  cwd?: Resolved;
  /** Library inputs (`with:`), when the command comes from `uses:`. */
  inputs: Array<[string, Resolved]>;
}

/** What an existing run already knows (`resume` / `rollback --dry-run`): its id and its steps' outputs. */
export interface KnownSoFar {
  runId: string;
  steps: ReadonlyMap<string, StepRecord>;
}

/** The outcome of a `when:` now: true, false, or only known at run time. */
export type ConditionNow = { value: true | false | 'run time'; error?: undefined } | { value?: undefined; error: string };

/** Resolves templates of one runbook for display. */
export class PlanResolver {
  private readonly context: RunContext;
  private readonly secretParams: Set<string>;
  private readonly secretNames: Set<string>;
  private readonly secretEnv: Set<string>;
  private readonly redactor: Redactor;

  private readonly runId: string | undefined;

  constructor(runbook: Runbook, params: Record<string, ScalarValue>, env: NodeJS.ProcessEnv, known?: KnownSoFar) {
    this.runId = known?.runId;
    this.secretParams = new Set(runbook.params.filter((p) => p.secret).map((p) => p.name));
    this.secretNames = new Set(runbook.secrets.map((s) => s.name));
    this.secretEnv = new Set(runbook.secrets.flatMap((s) => ('env' in s ? [s.env] : [])));
    // Belt and braces: even if a secret value reached a text some other way, it is masked.
    this.redactor = new Redactor([...this.secretParams].map((name) => params[name]).filter((v) => v !== undefined).map(String));
    this.context = { runId: '', runbook: runbook.name, status: 'running', params, secrets: {}, env: { ...env }, steps: new Map(known?.steps ?? []), planning: true };
    // The runbook's env: is resolved once, as the engine does, so env.* sees it.
    for (const [key, value] of Object.entries(runbook.env)) {
      const resolved = this.text(value);
      this.context.env[key] = resolved.ok ? resolved.text : `<${key}: ${resolved.error}>`;
    }
  }

  /** The resolver for one target (and, inside a library step, its inputs). */
  resolver(target?: Target, inputs?: Record<string, ScalarValue>): Resolver {
    const base = makeResolver(this.context, { ...(target ? { target } : {}), ...(inputs ? { inputs } : {}) });
    return (path): ExprValue => {
      const [root, key] = path;
      if (root === 'run' && key === 'id' && this.runId !== undefined) return this.runId;
      if (key !== undefined && ((root === 'params' && this.secretParams.has(key)) || (root === 'secrets' && this.secretNames.has(key)) || (root === 'env' && this.secretEnv.has(key)))) return MASKED;
      return base(path);
    };
  }

  /** Substitutes a template for display (no shell quoting: the real run quotes, the plan is read by people). */
  text(template: string, resolver: Resolver = this.resolver()): Resolved {
    try {
      return { ok: true, text: this.redactor.mask(substituteText(template, resolver)) };
    } catch (error) {
      if (error instanceof EvaluationError) return { ok: false, error: this.redactor.mask(error.message) };
      throw error;
    }
  }

  /** A command as it would run on `target`. */
  command(command: CommandSpec, target?: Target): ResolvedCommand {
    const outer = this.resolver(target);
    const inputs: Array<[string, Resolved]> = [];
    let values: Record<string, ScalarValue> | undefined;
    if (command.library) {
      // Inputs are shown as text: a placeholder cannot be coerced to a number, and need not be.
      values = {};
      for (const spec of command.library.inputs) {
        const given = command.library.with[spec.name] ?? spec.default;
        if (given === undefined) continue;
        const resolved: Resolved = typeof given === 'string' ? this.text(given, outer) : { ok: true, text: String(given) };
        const shown: Resolved = spec.secret && resolved.ok ? { ok: true, text: '***' } : resolved;
        inputs.push([spec.name, shown]);
        values[spec.name] = shown.ok ? shown.text : `<${shown.error}>`;
      }
    }
    const inner = command.library ? this.resolver(target, values) : outer;
    const env = Object.entries(command.env).map(([key, value]): [string, Resolved] => [key, this.text(value, inner)]);
    return {
      run: this.text(command.run, inner),
      env,
      ...(command.cwd !== undefined ? { cwd: this.text(command.cwd, inner) } : {}),
      inputs,
    };
  }

  /** Evaluates `when:` with what is known now. */
  condition(source: string): ConditionNow {
    try {
      const value = evaluate(parseCondition(source), this.resolver());
      if (value instanceof Deferred) return { value: 'run time' };
      return { value: isTruthy(value) };
    } catch (error) {
      if (error instanceof EvaluationError) return { error: this.redactor.mask(error.message) };
      throw error;
    }
  }
}
