/**
 * Semantic checks of a runbook (SPEC §3.1), after the schema and collected rather than
 * fail-fast: duplicate step ids, unknown targets and library steps, durations out of range,
 * `${{ }}` syntax, unsafe substitutions and references to unknown or later things.
 * Reads the data defensively, so it also runs when the schema found problems.
 */
import type { Diagnostic } from '../errors/stepwise-error.js';
import { formatPath } from './diagnostics.js';
import { checkDuration, checkRetry } from './duration-checks.js';
import { checkField } from './expression-checks.js';
import type { Inventory } from './model.js';
import { readParamSpecs } from './param-spec.js';
import { entriesOf, isRecord, itemsOf } from './raw-types.js';
import type { ReferenceScope, StepFacts } from './reference-rules.js';
import { checkStep, checkTarget, type StepCheckContext } from './step-checks.js';
import { outputNames, type StepsLibrary } from './steps-library.js';
import type { Locator, PathSegment } from './locator.js';

/** Everything the checks look at and where they report. */
export interface RunbookChecks {
  value: Record<string, unknown>;
  locator: Locator;
  inventory: Inventory;
  library: StepsLibrary;
  diagnostics: Diagnostic[];
}

interface StepEntry {
  step: Record<string, unknown>;
  at: PathSegment[];
  id?: string;
}

function stepEntries(value: Record<string, unknown>): StepEntry[] {
  const entries: StepEntry[] = [];
  for (const section of ['steps', 'finally'] as const) {
    itemsOf(value[section]).forEach((step, index) => {
      if (!isRecord(step)) return;
      const entry: StepEntry = { step, at: [section, index] };
      if (typeof step.id === 'string') entry.id = step.id;
      entries.push(entry);
    });
  }
  return entries;
}

/** What references to a step's results may name: its declared outputs plus its library's. */
function stepFacts(entry: StepEntry, order: number, library: StepsLibrary): StepFacts {
  const own = outputNames(entry.step.outputs);
  const fromLibrary = typeof entry.step.uses === 'string' ? library.find(entry.step.uses)?.outputs : undefined;
  if (own === undefined && fromLibrary === undefined) return { order };
  return { order, outputs: new Set([...(own ?? []), ...(fromLibrary ?? [])]) };
}

function checkDuplicateIds(entries: StepEntry[], checks: RunbookChecks): void {
  const first = new Map<string, StepEntry>();
  for (const entry of entries) {
    if (entry.id === undefined) continue;
    const earlier = first.get(entry.id);
    if (!earlier) {
      first.set(entry.id, entry);
      continue;
    }
    const at = [...entry.at, 'id'];
    const line = checks.locator.locate([...earlier.at, 'id']).line;
    checks.diagnostics.push({ location: checks.locator.locate(at), path: formatPath(at), message: `duplicate step id \`${entry.id}\` (first used at line ${line}); step ids must be unique across steps and finally` });
  }
}

/** Runs every semantic check of the runbook; problems go to `checks.diagnostics`. */
export function checkRunbook(checks: RunbookChecks): void {
  const { value, locator, diagnostics } = checks;
  const params = readParamSpecs(value.params, ['params'], locator, diagnostics);
  const entries = stepEntries(value);
  checkDuplicateIds(entries, checks);

  const allSteps = new Map<string, StepFacts>();
  entries.forEach((entry, order) => {
    if (entry.id !== undefined && !allSteps.has(entry.id)) allSteps.set(entry.id, stepFacts(entry, order, checks.library));
  });
  const base: ReferenceScope = {
    kind: 'runbook',
    params: new Set(params.map((p) => p.name)),
    secrets: new Set(entriesOf(value.secrets).map(([name]) => name)),
    inputs: new Set(),
    allSteps,
    visibleBefore: 0,
    types: new Map(params.map((p) => [`params.${p.name}`, p.type])),
  };
  const defaults = isRecord(value.defaults) ? value.defaults : {};
  const context: StepCheckContext = {
    locator,
    diagnostics,
    inventory: checks.inventory,
    library: checks.library,
    ...(typeof defaults.shell === 'string' ? { defaultShell: defaults.shell } : {}),
    ...(typeof defaults.on === 'string' ? { defaultOn: defaults.on } : {}),
  };

  // Top level: no step has run when these are evaluated.
  for (const [key, env] of entriesOf(value.env)) if (typeof env === 'string') checkField('text', env, ['env', key], base, context);
  for (const [key, env] of entriesOf(defaults.env)) if (typeof env === 'string') checkField('text', env, ['defaults', 'env', key], base, context);
  if (typeof defaults.cwd === 'string') checkField('text', defaults.cwd, ['defaults', 'cwd'], base, context);
  if (defaults.on !== undefined) checkTarget(defaults.on, ['defaults', 'on'], context);
  checkDuration(defaults.timeout, ['defaults', 'timeout'], context, { positive: true });
  checkRetry(defaults.retry, ['defaults', 'retry'], context);

  // Steps see the steps before them; `finally` steps see all steps and earlier `finally` ones.
  // A step's rollback also sees the step itself. (`order` of a duplicate id is its first use.)
  entries.forEach((entry, order) => {
    const scope: ReferenceScope = { ...base, visibleBefore: order };
    if (entry.id !== undefined) scope.selfId = entry.id;
    checkStep(entry.step, entry.at, scope, { ...scope, visibleBefore: order + 1 }, context);
  });
}
