/**
 * Resolves run params (SPEC §2): `--param k=v` over `--params-file` over declared defaults,
 * each coerced to its declared type and checked against its rules before anything runs.
 * Problems name the param and the rule; params-file problems are located in that file.
 */
import type { SourceLocation } from '../errors/location.js';
import type { Diagnostic } from '../errors/stepwise-error.js';
import { fileStart, formatPath, throwIfAny, withHint } from './diagnostics.js';
import { didYouMean } from './did-you-mean.js';
import type { ParamSpec, Runbook, ScalarValue } from './model.js';
import { checkValue } from './param-rules.js';
import { loadYamlFile } from './parse-yaml.js';
import { displayPath } from './paths.js';

/** Where params come from on the command line. */
export interface ParamsInput {
  /** `key=value` strings, as given to `--param` (later ones win). */
  params?: string[];
  /** A YAML or JSON file mapping param names to values. */
  paramsFile?: string;
}

interface Given {
  value: unknown;
  location: SourceLocation;
  path: string;
  /** How the value was given, for messages: `--param batch=0` or `batch in params.yaml`. */
  origin: string;
}

function declaredList(specs: ParamSpec[]): string {
  return specs.length > 0 ? `declared params: ${specs.map((s) => s.name).join(', ')}` : 'this runbook declares no params';
}

function fromFile(file: string, specs: Map<string, ParamSpec>, diagnostics: Diagnostic[]): Map<string, Given> {
  const given = new Map<string, Given>();
  const loaded = loadYamlFile(file, 'params');
  if (!loaded.ok) {
    diagnostics.push(...loaded.diagnostics);
    return given;
  }
  const { value, locator, display } = loaded.file;
  for (const [name, raw] of Object.entries(value)) {
    if (!specs.has(name)) {
      diagnostics.push({ location: locator.locate([name], { key: true }), path: name, message: withHint(`unknown param \`${name}\`${didYouMean(name, specs.keys())}`, declaredList([...specs.values()])) });
      continue;
    }
    given.set(name, { value: raw, location: locator.locate([name]), path: formatPath([name]), origin: `\`${name}\` in ${display}` });
  }
  return given;
}

function fromArgs(args: string[], specs: Map<string, ParamSpec>, runbookStart: SourceLocation, diagnostics: Diagnostic[]): Map<string, Given> {
  const given = new Map<string, Given>();
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const spec = specs.get(name);
    if (eq <= 0) {
      diagnostics.push({ location: runbookStart, path: `--param ${arg}`, message: withHint('expected --param NAME=VALUE', 'e.g. --param version=v42') });
    } else if (!spec) {
      diagnostics.push({ location: runbookStart, path: `--param ${name}`, message: withHint(`unknown param \`${name}\`${didYouMean(name, specs.keys())}`, declaredList([...specs.values()])) });
    } else {
      const shownValue = spec.secret ? '***' : arg.slice(eq + 1);
      given.set(name, { value: arg.slice(eq + 1), location: spec.location, path: `params.${name}`, origin: `--param ${name}=${shownValue}` });
    }
  }
  return given;
}

/** Typed values of every param that has one; throws ValidationError listing every problem. */
export function resolveParams(runbook: Runbook, input: ParamsInput): Record<string, ScalarValue> {
  const diagnostics: Diagnostic[] = [];
  const specs = new Map(runbook.params.map((spec) => [spec.name, spec]));
  const runbookStart = fileStart(displayPath(runbook.file));
  const fileValues = input.paramsFile === undefined ? new Map<string, Given>() : fromFile(input.paramsFile, specs, diagnostics);
  const argValues = fromArgs(input.params ?? [], specs, runbookStart, diagnostics);
  const values: Record<string, ScalarValue> = {};
  for (const spec of runbook.params) {
    const given = argValues.get(spec.name) ?? fileValues.get(spec.name);
    if (!given) {
      if (spec.default !== undefined) values[spec.name] = spec.default;
      else if (spec.required) {
        diagnostics.push({ location: spec.location, path: `params.${spec.name}`, message: withHint(`required: param \`${spec.name}\` has no value`, `pass --param ${spec.name}=VALUE`) });
      }
      continue;
    }
    const checked = checkValue(spec, given.value);
    if (checked.ok) values[spec.name] = checked.value;
    else diagnostics.push({ location: given.location, path: given.path, message: `param \`${spec.name}\` (${given.origin}) breaks rule ${checked.message}` });
  }
  throwIfAny(diagnostics);
  return values;
}
