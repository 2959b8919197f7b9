/**
 * The params of a run that `resume` or `rollback` continues: the values the run itself
 * stored, never new ones, so a rollback compensates what the run did and not something
 * else. `--param` / `--params-file` give back only secret values (never stored); a value
 * that differs from the stored one is refused (exit 2), naming the value the run used.
 */
import { UsageError } from '../errors/stepwise-error.js';
import type { Runbook, ScalarValue } from '../runbook/model.js';
import { resolveParams } from '../runbook/params.js';
import { checkParamArgs } from './param-args.js';

/** What the run stored and what was given now. */
export interface StoredParamsInput {
  runId: string;
  command: 'resume' | 'rollback';
  /** `params.json` of the run: secrets left out or masked as `***`. */
  stored: Record<string, ScalarValue>;
  param?: string[];
  paramsFile?: string;
  /** A real run needs every required secret; a dry run shows them as `***` anyway. */
  needSecrets: boolean;
}

/** The runbook with every param optional (and, unless kept, without defaults): to read only what was given. */
function relaxed(runbook: Runbook, keepDefaults: boolean): Runbook {
  return { ...runbook, params: runbook.params.map(({ default: fallback, ...spec }) => ({ ...spec, required: false, ...(keepDefaults && fallback !== undefined ? { default: fallback } : {}) })) };
}

/**
 * Stored values are masked where a secret's value appeared in them. A run of three or more
 * `*` may be any mix of masks and literal stars (`****` is `*` + a mask, or a mask + `*`),
 * so it stands for any non-empty text; everything around it must match exactly.
 */
function sameAsStored(given: ScalarValue, stored: ScalarValue): boolean {
  if (String(given) === String(stored)) return true;
  if (typeof stored !== 'string' || !stored.includes('***')) return false;
  const pattern = stored
    .split(/\*{3,}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]+');
  return new RegExp(`^${pattern}$`).test(String(given));
}

/** Typed params for the continued run; UsageError when a stored value would change. */
export function paramsOfRun(runbook: Runbook, input: StoredParamsInput): Record<string, ScalarValue> {
  checkParamArgs(runbook, input.param);
  const given = resolveParams(relaxed(runbook, false), { ...(input.param ? { params: input.param } : {}), ...(input.paramsFile ? { paramsFile: input.paramsFile } : {}) });
  const keeps = `${input.command} acts on what run ${input.runId} used`;
  const hint = 'start a new run (stepwise run) to use other values; --param here only gives back secret values, which are never stored';
  const mayBeMasked = runbook.secrets.length > 0 || runbook.params.some((p) => p.secret);
  const words: string[] = [];
  for (const spec of runbook.params) {
    const now = given[spec.name];
    const stored = input.stored[spec.name];
    if (spec.secret) {
      if (now !== undefined) words.push(`${spec.name}=${String(now)}`);
      else if (input.needSecrets && spec.required && spec.default === undefined) {
        throw new UsageError(`run ${input.runId} needs secret param \`${spec.name}\` again: secret values are never stored`, {
          hint: `give it with --param ${spec.name}=… or --params-file FILE`,
        });
      }
      continue;
    }
    if (now !== undefined && stored === undefined) throw new UsageError(`param \`${spec.name}\`: run ${input.runId} ran without it; ${keeps}`, { hint });
    if (now !== undefined && stored !== undefined && !sameAsStored(now, stored)) {
      throw new UsageError(`param \`${spec.name}\`: run ${input.runId} used ${spec.name}=${String(stored)}, not ${String(now)}; ${keeps}`, { hint });
    }
    if (now === undefined && stored !== undefined && mayBeMasked && String(stored).includes('***')) {
      throw new UsageError(`param \`${spec.name}\` of run ${input.runId} was stored as ${String(stored)}: a secret's value in it was masked`, {
        hint: `give its full value again with --param ${spec.name}=… (it must match what is stored around the ***)`,
      });
    }
    const value = now ?? stored;
    if (value !== undefined) words.push(`${spec.name}=${String(value)}`);
  }
  return resolveParams(relaxed(runbook, true), { params: words });
}
