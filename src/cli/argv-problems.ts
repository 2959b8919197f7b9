/**
 * Explains a command line the parser refused, in the operator's terms: which command or
 * option is unknown, the closest one that exists (did you mean), and where an option
 * belongs when it is another command's. Pure: reads the command table, writes nothing.
 */
import { closest } from '../runbook/did-you-mean.js';
import { GLOBAL_OPTIONS, type OptionSet } from './command-options.js';
import { COMMANDS, commandNamed, usageOf, type CommandEntry } from './command-table.js';

/** What to print for a refused command line (exit 2). */
export interface ArgvProblem {
  message: string;
  hint: string;
}

/** The first word that is not an option: the command. */
export function commandWord(argv: readonly string[]): string | undefined {
  for (const word of argv) {
    if (word === '--') return undefined;
    if (!word.startsWith('-')) return word;
  }
  return undefined;
}

/** Every spelling of an option yargs accepts: name, alias, camelCase, `no-` for booleans. */
function spellings(options: OptionSet): Set<string> {
  const names = new Set<string>();
  for (const [name, spec] of Object.entries(options)) {
    for (const n of [name, ...(spec.alias ? [spec.alias] : [])]) {
      names.add(n);
      names.add(n.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()));
      if (spec.type === 'boolean') names.add(`no-${n}`);
    }
  }
  return names;
}

/** Option names as typed (`--param`, `-y`), up to a lone `--`. Values of `--x=v` are dropped. */
function typedOptions(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  const words = end < 0 ? argv : argv.slice(0, end);
  const typed: string[] = [];
  for (const word of words) {
    if (/^-\d/.test(word) || word === '-') continue;
    if (word.startsWith('--')) typed.push(word.slice(2).split('=')[0] ?? '');
    else if (word.startsWith('-')) typed.push(...word.slice(1).split('=')[0]?.split('') ?? []);
  }
  return typed;
}

const dashes = (name: string) => (name.length === 1 ? `-${name}` : `--${name}`);

/** Commands other than `entry` that take option `name`. */
function ownersOf(name: string, entry: CommandEntry | undefined): string[] {
  return COMMANDS.filter((c) => c !== entry && spellings(c.options).has(name)).map((c) => c.name);
}

/** Why `stepwise rollback --limit x` is refused, beyond "unknown". */
function belongsElsewhere(name: string, entry: CommandEntry | undefined): string {
  const owners = ownersOf(name, entry);
  if (owners.length === 0) return '';
  const keeps = ['inventory', 'limit', 'from', 'only'].includes(name) && (entry?.name === 'resume' || entry?.name === 'rollback');
  if (keeps) return `; ${entry?.name ?? ''} acts on what the run itself used (its inventory, --limit, --from and --only), so they cannot be changed here`;
  return ` (it is an option of ${owners.map((o) => `\`stepwise ${o}\``).join(', ')})`;
}

function unknownOptions(argv: readonly string[], entry: CommandEntry | undefined): ArgvProblem | undefined {
  const allowed = spellings({ ...GLOBAL_OPTIONS, ...(entry?.options ?? {}) });
  const unknown = typedOptions(argv).filter((name) => !allowed.has(name));
  const first = unknown[0];
  if (first === undefined) return undefined;
  const where = entry ? ` for \`stepwise ${entry.name}\`` : '';
  // Without a command, any command's option may be meant (`stepwise --parm`).
  const candidates = [...(entry ? Object.keys(entry.options) : COMMANDS.flatMap((c) => Object.keys(c.options))), ...Object.keys(GLOBAL_OPTIONS)];
  const guess = first.length > 1 ? closest(first, candidates) : undefined;
  const owners = entry || !guess ? '' : ` (an option of ${ownersOf(guess, undefined).join(', ')})`;
  const suggestion = guess && !belongsElsewhere(first, entry) ? `; did you mean ${dashes(guess)}${owners}?` : '';
  const more = unknown.length > 1 ? ` (also unknown: ${unknown.slice(1).map(dashes).join(', ')})` : '';
  return {
    message: `unknown option ${dashes(first)}${where}${suggestion}${belongsElsewhere(first, entry)}${more}`,
    hint: entry ? `stepwise ${entry.name} --help lists its options` : 'stepwise --help lists commands and options',
  };
}

/** Explains why the parser refused `argv`; `parserMessage` is what the parser said. */
export function explainArgv(argv: readonly string[], parserMessage: string): ArgvProblem {
  const word = commandWord(argv);
  const entry = commandNamed(word);
  if (word !== undefined && !entry) {
    const guess = closest(word, COMMANDS.map((c) => c.name));
    return {
      message: `unknown command \`${word}\`${guess ? `; did you mean \`${guess}\`?` : ''}`,
      hint: `commands: ${COMMANDS.map((c) => c.name).join(', ')} (stepwise --help)`,
    };
  }
  const options = unknownOptions(argv, entry);
  if (options) return options;
  if (!entry) return { message: 'say what to do: stepwise run FILE, or stepwise --help', hint: `commands: ${COMMANDS.map((c) => c.name).join(', ')}` };
  return { message: `${reword(parserMessage, entry)} (usage: stepwise ${usageOf(entry)})`, hint: `stepwise ${entry.name} --help lists its arguments and options` };
}

/** The parser's message in the words of the rest of stepwise. */
function reword(parserMessage: string, entry: CommandEntry): string {
  const extra = /^Unknown arguments?: (.*)$/.exec(parserMessage)?.[1];
  if (extra !== undefined) return `unexpected argument${extra.includes(',') ? 's' : ''} ${extra}`;
  const valueless = /^Not enough arguments following: (.*)$/.exec(parserMessage)?.[1];
  if (valueless !== undefined) return `${dashes(valueless)} needs a value`;
  if (parserMessage.startsWith('Not enough non-option arguments')) {
    const missing = entry.positionals.filter((p) => p.required).map((p) => p.name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase());
    return `missing ${missing.join(' ')}`;
  }
  return parserMessage.replace(/\s*\n\s*/g, ' ').replace(/^\w/, (c) => c.toLowerCase());
}
