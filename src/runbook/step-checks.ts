/** Semantic checks of one step (of `steps` or `finally`), read defensively from raw data. */
import type { Inventory } from './model.js';
import { formatPath, withHint } from './diagnostics.js';
import { didYouMean } from './did-you-mean.js';
import { displayPath } from './paths.js';
import { checkDuration, checkRetry } from './duration-checks.js';
import { checkField, type FieldContext } from './expression-checks.js';
import { checkWith } from './library-binding-checks.js';
import { entriesOf, isRecord } from './raw-types.js';
import type { ReferenceScope } from './reference-rules.js';
import type { StepsLibrary } from './steps-library.js';
import type { PathSegment } from './locator.js';

/** What every step check needs. */
export interface StepCheckContext extends FieldContext {
  inventory: Inventory;
  library: StepsLibrary;
  /** `defaults.shell`, when the runbook sets one. */
  defaultShell?: string;
  /** `defaults.on`, when the runbook sets one. */
  defaultOn?: string;
}

/** Checks that `on:` (at `at`) names `local`, a group or a host. */
export function checkTarget(value: unknown, at: PathSegment[], context: StepCheckContext): void {
  if (typeof value !== 'string' || value === 'local' || context.inventory.groups.has(value) || context.inventory.hosts.has(value)) return;
  const known = ['local', ...context.inventory.groups.keys(), ...context.inventory.hosts.keys()];
  const message = value.includes('${{')
    ? withHint('`on` cannot use ${{ }}: targets are checked before the run', 'use --limit HOST_OR_GROUP to narrow a run at start')
    : withHint(`unknown target \`${value}\`${didYouMean(value, known)}`, `known targets: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', ...' : ''}`);
  context.diagnostics.push({ location: context.locator.locate(at), path: formatPath(at), message });
}

/**
 * `maxFailures` / `maxFailPercentage` let a group step go on past failed hosts. On `local` or
 * one host they could only turn the step's one failure into a success, so they are refused
 * there (`continueOnError` says that openly). Unknown targets are `checkTarget`'s to report;
 * on a `confirm:` step the schema refuses them.
 */
function checkFailureLimits(step: Record<string, unknown>, at: PathSegment[], context: StepCheckContext): void {
  if (step.confirm !== undefined) return;
  const on = typeof step.on === 'string' ? step.on : (context.defaultOn ?? 'local');
  if (context.inventory.groups.has(on) || (on !== 'local' && !context.inventory.hosts.has(on))) return;
  for (const key of ['maxFailures', 'maxFailPercentage'] as const) {
    if (step[key] === undefined) continue;
    const where = on === 'local' ? 'runs on this machine (`local`)' : `runs on one host (\`${on}\`), not a group`;
    context.diagnostics.push({
      location: context.locator.locate([...at, key], { key: true }),
      path: formatPath([...at, key]),
      message: withHint(`\`${key}\` only applies to a step on a group of hosts; this step ${where}`, 'to let the run go on when this step fails, use continueOnError: true'),
    });
  }
}

function checkUses(name: unknown, withValue: unknown, usesAt: PathSegment[], withAt: PathSegment[], scope: ReferenceScope, context: StepCheckContext): void {
  if (typeof name !== 'string') return;
  const library = context.library.find(name);
  if (!library) {
    context.diagnostics.push({
      location: context.locator.locate(usesAt),
      path: formatPath(usesAt),
      message: withHint(`unknown library step \`${name}\`${didYouMean(name, context.library.names())}`, `looked for ${context.library.candidates(name).map((path) => displayPath(path)).join(' and ')}`),
    });
  } else if (library.valid) checkWith(library, withValue, usesAt, withAt, scope, context);
}

function checkEnv(env: unknown, at: PathSegment[], scope: ReferenceScope, context: StepCheckContext): void {
  for (const [key, value] of entriesOf(env)) if (typeof value === 'string') checkField('text', value, [...at, key], scope, context);
}

/**
 * A `check:` (a command or `{ run, env, shell, timeout }`): its script like a step's `run:`,
 * in the step's own scope (a check cannot read its own step's results: it runs before them).
 */
export function checkCommandField(value: unknown, at: PathSegment[], shell: string, scope: ReferenceScope, context: FieldContext): void {
  const command = isRecord(value) ? value : { run: value };
  const script = command.run;
  if (typeof script !== 'string') return;
  const runAt = isRecord(value) ? [...at, 'run'] : at;
  if (script.trim() === '') {
    context.diagnostics.push({ location: context.locator.locate(runAt), path: formatPath(runAt), message: withHint('an empty check', 'a check is a command whose exit 0 means the step is already done, e.g. test -f /srv/app/installed') });
    return;
  }
  checkField('shell', script, runAt, scope, context, typeof command.shell === 'string' ? command.shell : shell);
  for (const [key, env] of entriesOf(command.env)) if (typeof env === 'string') checkField('text', env, [...at, 'env', key], scope, context);
  if (isRecord(value)) checkDuration(value.timeout, [...at, 'timeout'], context, { positive: true });
}

/** Checks a step at `at`; `scope` is what its fields may refer to, `rollbackScope` adds itself. */
export function checkStep(step: Record<string, unknown>, at: PathSegment[], scope: ReferenceScope, rollbackScope: ReferenceScope, context: StepCheckContext): void {
  if (step.on !== undefined) checkTarget(step.on, [...at, 'on'], context);
  checkFailureLimits(step, at, context);
  if (step.uses !== undefined) checkUses(step.uses, step.with, [...at, 'uses'], [...at, 'with'], scope, context);
  const shell = typeof step.shell === 'string' ? step.shell : (context.defaultShell ?? 'bash');
  if (typeof step.run === 'string') checkField('shell', step.run, [...at, 'run'], scope, context, shell);
  for (const key of ['name', 'confirm', 'cwd'] as const) {
    const value = step[key];
    if (typeof value === 'string') checkField('text', value, [...at, key], scope, context);
  }
  if (typeof step.when === 'string') checkField('condition', step.when, [...at, 'when'], scope, context);
  checkEnv(step.env, [...at, 'env'], scope, context);
  checkCommandField(step.check, [...at, 'check'], shell, scope, context);
  checkDuration(step.timeout, [...at, 'timeout'], context, { positive: true });
  checkRetry(step.retry, [...at, 'retry'], context);

  const rollback = step.rollback;
  const rollbackAt = [...at, 'rollback'];
  if (typeof rollback === 'string') checkField('shell', rollback, rollbackAt, rollbackScope, context, shell);
  else if (isRecord(rollback)) {
    if (typeof rollback.run === 'string') checkField('shell', rollback.run, [...rollbackAt, 'run'], rollbackScope, context, shell);
    if (rollback.uses !== undefined) checkUses(rollback.uses, rollback.with, [...rollbackAt, 'uses'], [...rollbackAt, 'with'], rollbackScope, context);
    if (rollback.on !== undefined) checkTarget(rollback.on, [...rollbackAt, 'on'], context);
    checkEnv(rollback.env, [...rollbackAt, 'env'], rollbackScope, context);
    checkDuration(rollback.timeout, [...rollbackAt, 'timeout'], context, { positive: true });
    checkRetry(rollback.retry, [...rollbackAt, 'retry'], context);
  }
}
