/**
 * Raw manifest → the typed Runbook the engine runs (ARCHITECTURE §1). Called only after the
 * schema and semantic checks passed. Defaults: timeout 1h, retry 1 attempt, shell bash,
 * target local, onFailure rollback, lock = the runbook name, forks 50.
 */
import type { Diagnostic } from '../errors/stepwise-error.js';
import { buildStep } from './build-step.js';
import { mergeEnv } from './build-command.js';
import { DEFAULT_FORKS, type Inventory, type Runbook, type SecretSource } from './model.js';
import { readParamSpecs } from './param-spec.js';
import type { YamlFile } from './parse-yaml.js';
import type { RawRunbook } from './raw-types.js';
import type { StepsLibrary } from './steps-library.js';

function secretsOf(raw: RawRunbook, file: YamlFile): SecretSource[] {
  return Object.entries(raw.secrets ?? {}).map(([name, source]): SecretSource => {
    const location = file.locator.locate(['secrets', name], { key: true });
    return source.env !== undefined ? { name, env: source.env, location } : { name, file: source.file ?? '', location };
  });
}

/** Builds the model of a validated runbook file. */
export function buildRunbook(file: YamlFile, inventory: Inventory, library: StepsLibrary): Runbook {
  const raw = file.value as unknown as RawRunbook;
  const context = { locator: file.locator, defaults: raw.defaults ?? {}, library };
  const ignored: Diagnostic[] = []; // the checks already reported these
  const runbook: Runbook = {
    name: raw.name,
    file: file.path,
    source: file.text,
    params: readParamSpecs(raw.params, ['params'], file.locator, ignored),
    env: mergeEnv(raw.env),
    secrets: secretsOf(raw, file),
    targets: inventory,
    lock: raw.lock ?? raw.name,
    onFailure: raw.onFailure ?? 'rollback',
    forks: raw.forks ?? DEFAULT_FORKS,
    steps: raw.steps.map((step, index) => buildStep(step, ['steps', index], context)),
    finally: (raw.finally ?? []).map((step, index) => buildStep(step, ['finally', index], context)),
  };
  if (raw.description !== undefined) runbook.description = raw.description;
  if (raw.blockAfterFailure === true) runbook.blockAfterFailure = true;
  return runbook;
}
