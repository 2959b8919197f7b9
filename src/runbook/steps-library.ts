/**
 * The steps library (SPEC §5): `uses: NAME` resolves to `./steps/NAME.yaml` next to the
 * runbook, then to each directory of `STEPWISE_STEPS_PATH` (`:`-separated), then to the
 * package's own top-level `steps/` folder. Each library file is loaded, validated (located
 * errors in that file) and checked once per load.
 */
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../errors/stepwise-error.js';
import { checkLibraryStep } from './library-step-checks.js';
import type { ParamSpec } from './model.js';
import { readParamSpecs } from './param-spec.js';
import { loadYamlFile, type YamlFile } from './parse-yaml.js';
import type { RawLibraryStep } from './raw-types.js';
import { validateWith } from './schema-validate.js';
import type { SchemaValidators } from './schema-types.js';

/** The package's shipped library: `steps/` at the package root, two levels above this module (src/runbook or dist/runbook). */
export const PACKAGE_STEPS_DIR = fileURLToPath(new URL('../../steps/', import.meta.url));

/** A library step file, loaded and checked. */
export interface LibraryStep {
  name: string;
  file: YamlFile;
  /** The file's data; matches RawLibraryStep only when `valid`. */
  raw: RawLibraryStep;
  /** False when the file has problems (they are already reported). */
  valid: boolean;
  inputs: ParamSpec[];
  /** Declared output names; undefined when none are declared. */
  outputs?: string[];
}

/** Output names from a list or a name → description mapping. */
export function outputNames(raw: unknown): string[] | undefined {
  if (Array.isArray(raw)) return raw.filter((name): name is string => typeof name === 'string');
  if (raw !== null && typeof raw === 'object') return Object.keys(raw);
  return undefined;
}

/** The directories of `STEPWISE_STEPS_PATH`, in order (relative ones from the working directory; empty entries ignored). */
export function stepsPathFolders(value: string | undefined = process.env.STEPWISE_STEPS_PATH): string[] {
  return (value ?? '')
    .split(delimiter)
    .filter((entry) => entry.trim() !== '')
    .map((entry) => resolve(entry));
}

/** Loads and checks one library step file; its problems are added to `diagnostics`. */
export function loadLibraryStep(name: string, path: string, validators: SchemaValidators, diagnostics: Diagnostic[]): LibraryStep | undefined {
  const loaded = loadYamlFile(path, 'library step');
  if (!loaded.ok) {
    diagnostics.push(...loaded.diagnostics);
    return undefined;
  }
  const file = loaded.file;
  const before = diagnostics.length;
  diagnostics.push(...validateWith(validators, 'libraryStep', file.value, file.locator));
  const context = { locator: file.locator, diagnostics };
  const inputs = readParamSpecs(file.value.inputs, ['inputs'], file.locator, diagnostics);
  checkLibraryStep(file.value, inputs, context);
  const step: LibraryStep = { name, file, raw: file.value as unknown as RawLibraryStep, valid: diagnostics.length === before, inputs };
  const outputs = outputNames(file.value.outputs);
  if (outputs) step.outputs = outputs;
  return step;
}

/** Finds and loads library steps for one runbook. */
export class StepsLibrary {
  private readonly cache = new Map<string, LibraryStep | null>();

  constructor(
    private readonly runbookDir: string,
    private readonly validators: SchemaValidators,
    private readonly diagnostics: Diagnostic[],
  ) {}

  /** The folders searched, in order. */
  get folders(): string[] {
    return [join(this.runbookDir, 'steps'), ...stepsPathFolders(), PACKAGE_STEPS_DIR];
  }

  /** The files `uses: name` may resolve to, in order. */
  candidates(name: string): string[] {
    return this.folders.map((folder) => join(folder, `${name}.yaml`));
  }

  /** Every library step name available (for "did you mean"). */
  names(): string[] {
    const names = new Set<string>();
    for (const folder of this.folders) {
      try {
        for (const entry of readdirSync(folder)) if (entry.endsWith('.yaml')) names.add(entry.slice(0, -5));
      } catch {
        // A folder that does not exist simply holds no steps.
      }
    }
    return [...names];
  }

  /** The library step called `name`, or undefined when no folder has it. */
  find(name: string): LibraryStep | undefined {
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached ?? undefined;
    const path = this.candidates(name).find((candidate) => existsSync(candidate));
    const step = path === undefined ? undefined : this.load(name, path);
    this.cache.set(name, step ?? null);
    return step;
  }

  private load(name: string, path: string): LibraryStep | undefined {
    return loadLibraryStep(name, path, this.validators, this.diagnostics);
  }
}
