/**
 * `stepwise steps [NAME]`: the steps library as a runbook in this directory would see it
 * (SPEC §5: `./steps`, then each directory of `STEPWISE_STEPS_PATH`, then the bundled
 * library; the first file of a name wins). Without NAME one line per step; with NAME its
 * inputs (types, required, defaults), outputs, where it runs, check, rollback and an example.
 */
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { UsageError, type Diagnostic } from '../../errors/stepwise-error.js';
import { closest } from '../../runbook/did-you-mean.js';
import type { ParamSpec } from '../../runbook/model.js';
import { isRecord } from '../../runbook/raw-types.js';
import { schemaValidators } from '../../runbook/schema-validate.js';
import { PACKAGE_STEPS_DIR, StepsLibrary, type LibraryStep } from '../../runbook/steps-library.js';
import { displayPath } from '../../runbook/paths.js';
import { formatTable } from '../../views/format-table.js';
import { writeStdout } from '../output.js';

/** One name found in the library, and where. */
interface Found {
  name: string;
  file: string;
  source: string;
  step: LibraryStep | undefined;
}

function sourceOf(folder: string): string {
  if (folder === join(process.cwd(), 'steps')) return './steps';
  if (folder === PACKAGE_STEPS_DIR || `${folder}/` === PACKAGE_STEPS_DIR) return 'bundled';
  return displayPath(folder);
}

/** Every library step name, first folder first, loaded and checked. */
async function discover(): Promise<{ found: Found[]; folders: string[] }> {
  const diagnostics: Diagnostic[] = [];
  const library = new StepsLibrary(process.cwd(), await schemaValidators(), diagnostics);
  const found: Found[] = [];
  const seen = new Set<string>();
  for (const folder of library.folders) {
    let names: string[];
    try {
      names = readdirSync(folder).filter((n) => n.endsWith('.yaml')).sort();
    } catch {
      continue;
    }
    for (const entry of names) {
      const name = entry.slice(0, -'.yaml'.length);
      if (seen.has(name)) continue;
      seen.add(name);
      found.push({ name, file: join(folder, entry), source: sourceOf(folder), step: library.find(name) });
    }
  }
  return { found, folders: library.folders };
}

/** The first line of a description, for the list. */
function oneLine(step: LibraryStep | undefined): string {
  if (!step) return '(cannot be read: stepwise validate FILE says why)';
  const text = typeof step.raw.description === 'string' ? step.raw.description : typeof step.raw.name === 'string' ? step.raw.name : '';
  const first = text.split('\n').find((l) => l.trim() !== '')?.trim() || '(no description)';
  return `${first}${step.valid ? '' : '  (has problems: stepwise validate FILE)'}`;
}

/** Prints the library or one step; unknown NAME is exit 2 with a did-you-mean. */
export async function stepsCommand(name: string | undefined, options: { json?: boolean } = {}): Promise<number> {
  const { found, folders } = await discover();
  if (name === undefined) {
    if (options.json) {
      writeStdout(`${JSON.stringify(found.map((f) => ({ name: f.name, file: f.file, source: f.source, description: oneLine(f.step) })), null, 2)}\n`);
      return 0;
    }
    const searched = folders.map((f) => sourceOf(f)).join(', then ');
    const table = formatTable(['STEP', 'FROM', 'WHAT IT DOES'], found.map((f) => [f.name, f.source, oneLine(f.step)]));
    writeStdout(`${table}\nSearched ${searched} (the first file of a name wins). stepwise steps NAME shows one.\n`);
    return 0;
  }
  const match = found.find((f) => f.name === name);
  if (!match) {
    const guess = closest(name, found.map((f) => f.name));
    throw new UsageError(`no library step "${name}"${guess ? `; did you mean ${guess}?` : ''}`, { hint: 'stepwise steps lists them all' });
  }
  if (!match.step) throw new UsageError(`library step "${name}" (${match.file}) cannot be read`, { hint: `stepwise validate ${match.file} says why` });
  writeStdout(options.json ? `${JSON.stringify(stepJson(match, match.step), null, 2)}\n` : describeStep(match, match.step));
  return 0;
}

function inputLine(spec: ParamSpec): string[] {
  const rules = [spec.required ? 'required' : spec.default !== undefined ? `default ${JSON.stringify(spec.default)}` : 'optional'];
  if (spec.enum) rules.push(`one of ${spec.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  if (spec.minimum !== undefined) rules.push(`≥ ${spec.minimum}`);
  if (spec.maximum !== undefined) rules.push(`≤ ${spec.maximum}`);
  if (spec.pattern !== undefined) rules.push(`matches ${spec.pattern}`);
  if (spec.secret) rules.push('secret');
  return [spec.name, spec.type, rules.join(', '), spec.description ?? ''];
}

function commandText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isRecord(value) && typeof value.run === 'string') return value.run;
  return undefined;
}

function firstLines(script: string, count = 3): string[] {
  const lines = script.trimEnd().split('\n').filter((l) => l.trim() !== '');
  return [...lines.slice(0, count).map((l) => `    ${l}`), ...(lines.length > count ? [`    … ${lines.length - count} more lines`] : [])];
}

function describeStep(found: Found, step: LibraryStep): string {
  const raw = step.raw;
  const out = [`${found.name}${typeof raw.name === 'string' ? ` — ${raw.name}` : ''}`, `  ${displayPath(found.file)} (${found.source})`];
  if (typeof raw.description === 'string') out.push('', ...raw.description.trimEnd().split('\n').map((l) => `  ${l}`));
  out.push('', 'Inputs');
  if (step.inputs.length === 0) out.push('  (none)');
  else out.push(...formatTable(['NAME', 'TYPE', 'RULES', 'DESCRIPTION'], step.inputs.map(inputLine)).trimEnd().split('\n').map((l) => `  ${l}`));
  out.push('', 'Outputs');
  const outputs = isRecord(raw.outputs) ? Object.entries(raw.outputs).map(([k, v]) => `  ${k}  ${typeof v === 'string' ? v : ''}`.trimEnd()) : (step.outputs ?? []).map((k) => `  ${k}`);
  out.push(...(outputs.length > 0 ? outputs : ['  (none)']));
  out.push('', `Runs on    the targets of the runbook step that uses it (its on:, local by default)`);
  if (raw.timeout !== undefined) out.push(`Timeout    ${String(raw.timeout)} (the runbook step's timeout: overrides it)`);
  const check = commandText(raw.check);
  out.push(check ? 'Check      yes: when it holds the step is already done and does not run' : 'Check      none');
  if (check) out.push(...firstLines(check));
  const rollback = commandText(raw.rollback);
  out.push(rollback ? 'Rollback   yes: runs if the run fails after this step started' : 'Rollback   none');
  if (rollback) out.push(...firstLines(rollback));
  const required = step.inputs.filter((i) => i.required);
  const withText = required.length > 0 ? `\n    with: { ${required.map((i) => `${i.name}: …`).join(', ')} }` : '';
  out.push('', 'Example', `  - id: ${found.name}`, `    uses: ${found.name}${withText}`);
  return `${out.join('\n')}\n`;
}

function stepJson(found: Found, step: LibraryStep) {
  return {
    name: found.name,
    file: found.file,
    source: found.source,
    ...(typeof step.raw.name === 'string' ? { title: step.raw.name } : {}),
    ...(typeof step.raw.description === 'string' ? { description: step.raw.description } : {}),
    inputs: step.inputs.map(({ location: _location, ...spec }) => spec),
    outputs: step.outputs ?? [],
    ...(step.raw.timeout !== undefined ? { timeout: step.raw.timeout } : {}),
    check: commandText(step.raw.check) ?? null,
    rollback: commandText(step.raw.rollback) ?? null,
    valid: step.valid,
  };
}
