/**
 * Shell completion answers (`stepwise __complete WORD...`, called by the scripts of
 * completion-script.ts on every Tab): commands, each command's own options, runbook files
 * (`*.yaml`, `*.yml` and directories), run ids from the state dir, and the shells. Reads the
 * command table, so completion can never offer an option a command would refuse. Never
 * fails loudly: a Tab must not print errors into the operator's command line.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FileStore, stateTarget } from '../journal/index.js';
import { GLOBAL_OPTIONS, type OptionSet } from './command-options.js';
import { COMMANDS, commandNamed, type PositionalSpec } from './command-table.js';
import { writeStdout } from './output.js';

/** Run ids offered at most (newest first): enough for any prefix an operator types. */
const MAX_RUN_IDS = 200;

/** Entries of the directory part of `current` that continue it; directories end in `/`. */
function pathsMatching(current: string, keep: (name: string) => boolean, cwd: string): string[] {
  const slash = current.lastIndexOf('/');
  const dir = slash >= 0 ? current.slice(0, slash + 1) : '';
  const prefix = current.slice(slash + 1);
  try {
    return readdirSync(join(cwd, dir || '.'), { withFileTypes: true })
      .filter((e) => e.name.startsWith(prefix) && (prefix.startsWith('.') || !e.name.startsWith('.')))
      .flatMap((e) => (e.isDirectory() ? [`${dir}${e.name}/`] : keep(e.name) ? [`${dir}${e.name}`] : []))
      .sort();
  } catch {
    return [];
  }
}

const isRunbookFile = (name: string) => /\.ya?ml$/.test(name);

/** `--state-dir DIR` as typed earlier on the line, for run ids. */
function stateDirTyped(words: readonly string[]): string | undefined {
  const at = words.lastIndexOf('--state-dir');
  if (at >= 0) return words[at + 1] === '=' ? words[at + 2] : words[at + 1];
  return words.find((w) => w.startsWith('--state-dir='))?.slice('--state-dir='.length);
}

function runIds(words: readonly string[], current: string, env: NodeJS.ProcessEnv, cwd: string): string[] {
  const stateDir = stateDirTyped(words);
  try {
    // A database is never asked on a Tab (it may be slow or far); a state dir is cheap to list.
    const target = stateTarget({ env, cwd, ...(stateDir ? { stateDir } : {}) });
    if (target.kind !== 'dir') return [];
    return FileStore.open(target.path, { writable: false })
      .runIds()
      .filter((id) => id.startsWith(current))
      .slice(0, MAX_RUN_IDS);
  } catch {
    return [];
  }
}

function optionNames(options: OptionSet, typed: readonly string[], current: string): string[] {
  const names: string[] = [];
  for (const [name, spec] of Object.entries(options)) {
    if (!spec.array && typed.includes(`--${name}`)) continue;
    names.push(spec.type === 'boolean' && spec.default === true ? `--no-${name}` : `--${name}`);
  }
  return names.filter((n) => n.startsWith(current));
}

/** How many positional words precede the current one (option values are not positionals). */
function positionalsBefore(words: readonly string[], options: OptionSet): number {
  let count = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (word.startsWith('-')) {
      const spec = options[word.replace(/^--?/, '')];
      if (spec && spec.type !== 'boolean' && !word.includes('=')) i += words[i + 1] === '=' ? 2 : 1;
      continue;
    }
    count++;
  }
  return count;
}

function forPositional(spec: PositionalSpec | undefined, words: readonly string[], current: string, env: NodeJS.ProcessEnv, cwd: string): string[] {
  switch (spec?.complete) {
    case 'runbook-file':
      return pathsMatching(current, isRunbookFile, cwd);
    case 'run-id':
      return runIds(words, current, env, cwd);
    case 'command':
      return COMMANDS.map((c) => c.name).filter((n) => n.startsWith(current));
    case 'shell':
      return (spec.choices ?? []).filter((n) => n.startsWith(current));
    default:
      return [];
  }
}

/**
 * Completions for the last of `words` (the words after `stepwise`; the last one is being
 * typed and may be empty). Empty when the shell's own file completion should answer.
 */
export function completeWords(words: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string[] {
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  const at = before.findIndex((w) => !w.startsWith('-'));
  if (at < 0) return current.startsWith('-') ? optionNames(GLOBAL_OPTIONS, before, current) : COMMANDS.map((c) => c.name).filter((n) => n.startsWith(current));
  const entry = commandNamed(before[at]);
  if (!entry) return [];
  const args = before.slice(at + 1);
  // bash splits `--opt=value` at `=`: the option is then two words back.
  const previous = args.at(-1) === '=' ? args.at(-2) : args.at(-1);
  const valueOf = previous?.startsWith('--') ? entry.options[previous.slice(2)] : undefined;
  if (valueOf && valueOf.type !== 'boolean') {
    const name = previous?.slice(2);
    if (name === 'params-file' || name === 'inventory') return pathsMatching(current, () => true, cwd);
    if (name === 'state-dir') return pathsMatching(current, () => false, cwd);
    return valueOf.choices ? valueOf.choices.filter((c) => c.startsWith(current)) : [];
  }
  if (current.startsWith('-')) return optionNames({ ...entry.options, ...GLOBAL_OPTIONS }, args, current);
  const index = positionalsBefore(args, entry.options);
  const last = entry.positionals.at(-1);
  const spec = entry.positionals[index] ?? (last?.variadic ? last : undefined);
  return forPositional(spec, before, current, env, cwd);
}

/** `stepwise __complete WORD...`: one completion per line on stdout; always exit 0. */
export function completeCommand(words: string[]): Promise<number> {
  let found: string[] = [];
  try {
    found = completeWords(words);
  } catch {
    found = [];
  }
  if (found.length > 0) writeStdout(`${found.join('\n')}\n`);
  return Promise.resolve(0);
}
