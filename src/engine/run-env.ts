/** The environment every step of a run gets: the runbook's `env:` resolved once, then its secrets by name. */
import { substituteText } from '../expressions/substitute.js';
import type { Runbook } from '../runbook/model.js';
import { makeResolver, type RunContext } from './run-context.js';

/** Resolves the runbook `env:` (also into `env.*` of the context) and adds the secrets; returns the base environment. */
export function prepareRunEnv(runbook: Pick<Runbook, 'env'>, context: RunContext, secrets: Record<string, string>): Record<string, string> {
  const resolve = makeResolver(context);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(runbook.env)) {
    env[key] = substituteText(value, resolve);
    context.env[key] = env[key];
  }
  return Object.assign(env, secrets);
}
