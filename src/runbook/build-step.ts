/**
 * One raw step → a model Step with defaults applied (ARCHITECTURE §1). Runs only on data
 * that passed the schema and the semantic checks, so shapes and references are trusted.
 */
import { parseTemplate } from '../expressions/template.js';
import { DEFAULT_RETRY, DEFAULT_SHELL, lastDefined, mergeEnv, mergeRetry, timeoutMs } from './build-command.js';
import { parseDuration } from './durations.js';
import type { BatchSize, CheckSpec, CommandSpec, LibraryBinding, RollbackSpec, ScalarValue, Step } from './model.js';
import type { RawCheck, RawDefaults, RawRollback, RawStep } from './raw-types.js';
import { outputNames, type LibraryStep, type StepsLibrary } from './steps-library.js';
import type { Locator, PathSegment } from './locator.js';

/** What building a step needs besides the step. */
export interface StepBuildContext {
  locator: Locator;
  defaults: RawDefaults;
  library: StepsLibrary;
}

function binding(library: LibraryStep, values: Record<string, ScalarValue> | undefined): LibraryBinding {
  return { name: library.name, file: library.file.path, inputs: library.inputs, with: { ...(values ?? {}) } };
}

function libraryStep(name: string, context: StepBuildContext): LibraryStep {
  const library = context.library.find(name);
  if (!library) throw new Error(`library step ${name} vanished after validation`); // checked before building
  return library;
}

/** `when:` as expression source without `${{ }}` (the model's form). */
function conditionSource(when: string | boolean | undefined): string | undefined {
  if (when === undefined) return undefined;
  if (typeof when === 'boolean') return String(when);
  const trimmed = when.trim();
  if (trimmed.startsWith('${{') && trimmed.endsWith('}}')) {
    const parts = parseTemplate(trimmed);
    const only = parts[0];
    if (parts.length === 1 && only?.kind === 'expr') return only.source;
  }
  return trimmed;
}

function mainCommand(step: RawStep, at: PathSegment[], context: StepBuildContext): CommandSpec {
  const { defaults, locator } = context;
  const cwd = lastDefined(defaults.cwd, step.cwd);
  if (step.uses !== undefined) {
    const library = libraryStep(step.uses, context);
    const lib = library.raw;
    return {
      run: lib.run,
      shell: lastDefined(defaults.shell, lib.shell, step.shell) ?? DEFAULT_SHELL,
      env: mergeEnv(defaults.env, lib.env, step.env),
      ...(cwd === undefined ? {} : { cwd }),
      timeoutMs: timeoutMs(defaults.timeout, lib.timeout, step.timeout),
      retry: mergeRetry(defaults.retry, lib.retry, step.retry),
      library: binding(library, step.with),
      location: library.file.locator.locate(['run']),
    };
  }
  return {
    run: step.run ?? '',
    shell: lastDefined(defaults.shell, step.shell) ?? DEFAULT_SHELL,
    env: mergeEnv(defaults.env, step.env),
    ...(cwd === undefined ? {} : { cwd }),
    timeoutMs: timeoutMs(defaults.timeout, step.timeout),
    retry: mergeRetry(defaults.retry, step.retry),
    location: locator.locate([...at, 'run']),
  };
}

/**
 * The compensation of a step. Own `rollback:` first; else a library step's own rollback with
 * the same inputs. It runs with the step's shell, cwd and env, but its own timeout and retry
 * (from `defaults:`, not the step's: a step's patience says nothing about its undo).
 */
function rollbackOf(step: RawStep, main: CommandSpec, at: PathSegment[], context: StepBuildContext): RollbackSpec | undefined {
  const { defaults, locator } = context;
  const raw: RawRollback | undefined = step.rollback;
  const stepEnv = mergeEnv(defaults.env, step.env);
  const common = { shell: main.shell, ...(main.cwd === undefined ? {} : { cwd: main.cwd }) };
  if (typeof raw === 'string') {
    return { command: { run: raw, ...common, env: stepEnv, timeoutMs: timeoutMs(defaults.timeout), retry: mergeRetry(defaults.retry), location: locator.locate([...at, 'rollback']) } };
  }
  if (raw !== undefined) {
    const spec: RollbackSpec = { command: { run: raw.run ?? '', ...common, env: mergeEnv(stepEnv, raw.env), timeoutMs: timeoutMs(defaults.timeout, raw.timeout), retry: mergeRetry(defaults.retry, raw.retry), location: locator.locate([...at, 'rollback', 'run']) } };
    if (raw.uses !== undefined) {
      const library = libraryStep(raw.uses, context);
      const lib = library.raw;
      spec.command = {
        run: lib.run,
        shell: lastDefined(defaults.shell, lib.shell, step.shell) ?? DEFAULT_SHELL,
        env: mergeEnv(defaults.env, lib.env, step.env, raw.env),
        ...(main.cwd === undefined ? {} : { cwd: main.cwd }),
        timeoutMs: timeoutMs(defaults.timeout, lib.timeout, raw.timeout),
        retry: mergeRetry(defaults.retry, lib.retry, raw.retry),
        library: binding(library, raw.with),
        location: library.file.locator.locate(['run']),
      };
    }
    if (raw.on !== undefined) spec.on = raw.on;
    return spec;
  }
  if (step.uses === undefined || main.library === undefined) return undefined;
  const library = libraryStep(step.uses, context);
  const libRollback = library.raw.rollback;
  if (libRollback === undefined) return undefined;
  const own = typeof libRollback === 'string' ? { run: libRollback } : libRollback;
  return {
    command: {
      run: own.run,
      ...common,
      env: mergeEnv(defaults.env, library.raw.env, own.env, step.env),
      timeoutMs: timeoutMs(defaults.timeout, own.timeout),
      retry: mergeRetry(defaults.retry, own.retry),
      library: main.library,
      location: library.file.locator.locate(typeof libRollback === 'string' ? ['rollback'] : ['rollback', 'run']),
    },
  };
}

/**
 * The step's `check:`, else its library step's (with the same inputs). It runs like the step:
 * same shell, working directory and env, the step's timeout unless it sets its own, no retry
 * of its own (the step's retry covers the pair run + check).
 */
function checkOf(step: RawStep, main: CommandSpec, at: PathSegment[], context: StepBuildContext): CheckSpec | undefined {
  let raw: RawCheck | undefined = step.check;
  let library: LibraryBinding | undefined;
  let locate = (path: PathSegment[]) => context.locator.locate([...at, ...path]);
  if (raw === undefined && step.uses !== undefined && main.library !== undefined) {
    const file = libraryStep(step.uses, context).file;
    raw = libraryStep(step.uses, context).raw.check;
    library = main.library;
    locate = (path) => file.locator.locate(path);
  }
  if (raw === undefined) return undefined;
  const own = typeof raw === 'string' ? { run: raw } : raw;
  const ownTimeout = 'timeout' in own ? parseDuration(own.timeout) : undefined;
  return {
    after: ('after' in own ? own.after : undefined) ?? true,
    command: {
      run: own.run,
      shell: ('shell' in own ? own.shell : undefined) ?? main.shell,
      env: mergeEnv(main.env, 'env' in own ? own.env : undefined),
      ...(main.cwd === undefined ? {} : { cwd: main.cwd }),
      timeoutMs: ownTimeout ?? main.timeoutMs,
      retry: { ...DEFAULT_RETRY },
      ...(library ? { library } : {}),
      location: locate(typeof raw === 'string' ? ['check'] : ['check', 'run']),
    },
  };
}

/** Builds the step at `at` (e.g. `['steps', 2]`). */
export function buildStep(step: RawStep, at: PathSegment[], context: StepBuildContext): Step {
  const built: Step = {
    id: step.id,
    action: { kind: 'confirm', prompt: step.confirm ?? '' },
    on: lastDefined(context.defaults.on, step.on) ?? 'local',
    continueOnError: step.continueOnError ?? false,
    outputs: [],
    location: context.locator.locate(at),
  };
  if (step.name !== undefined) built.name = step.name;
  if (step.description !== undefined) built.description = step.description;
  if (step.uses !== undefined) built.uses = step.uses;
  const when = conditionSource(step.when);
  if (when !== undefined) built.when = when;
  if (step.serial !== undefined) built.serial = step.serial as BatchSize; // the schema allows only a number or `N%`
  if (step.maxFailures !== undefined) built.maxFailures = step.maxFailures;
  if (step.maxFailPercentage !== undefined) built.maxFailPercentage = step.maxFailPercentage;
  const libraryOutputs = step.uses === undefined ? [] : (libraryStep(step.uses, context).outputs ?? []);
  built.outputs = [...new Set([...libraryOutputs, ...(outputNames(step.outputs) ?? [])])];
  if (step.confirm === undefined) {
    const command = mainCommand(step, at, context);
    built.action = { kind: 'run', command };
    const rollback = rollbackOf(step, command, at, context);
    if (rollback) built.rollback = rollback;
    const check = checkOf(step, command, at, context);
    if (check) built.check = check;
  }
  return built;
}
