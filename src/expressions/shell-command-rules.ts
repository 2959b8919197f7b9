/**
 * What a simple command does with its words: the builtins and programs that evaluate an
 * argument as arithmetic, as a variable name or as code. Applied to each command the
 * scanner finishes; substitutions in those places are marked (number required) or refused.
 * Conservative on purpose: refusing a safe script costs a rewrite, missing a case costs a host.
 */
import { refuse, requireNumber, type RefusalReason, type Site } from './shell-context.js';
import { namePartSites, plainText, valuePartSites, type VariableFacts, type Word } from './shell-words.js';

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'ksh', 'mksh', 'zsh', 'busybox', 'fish', 'csh', 'tcsh', 'yash', 'posh']);
/** Variables whose value bash expands as code (prompts are expanded for `set -x` too). */
const PROMPT_VARIABLES = new Set(['PS0', 'PS1', 'PS2', 'PS3', 'PS4', 'PROMPT_COMMAND']);
const DECLARATIONS = new Set(['declare', 'typeset', 'local', 'readonly', 'export']);
const CODE_BUILTINS = new Set(['eval', 'trap', 'alias', 'bind', 'fc']);
/** Programs that run the command given in their arguments; option flags that take a value. */
const WRAPPERS: Record<string, { valued: string[]; leadingOperand?: boolean; assignments?: boolean }> = {
  builtin: { valued: [] },
  command: { valued: [] },
  exec: { valued: ['-a'] },
  nohup: { valued: [] },
  time: { valued: [] },
  nice: { valued: ['-n'] },
  env: { valued: ['-u', '-C', '-S'], assignments: true },
  sudo: { valued: ['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '-T', '-R'] },
  timeout: { valued: ['-s', '-k'], leadingOperand: true },
  stdbuf: { valued: ['-i', '-o', '-e'] },
  setsid: { valued: [] },
  xargs: { valued: ['-a', '-d', '-E', '-I', '-L', '-n', '-P', '-s'] },
  ionice: { valued: ['-c', '-n', '-p'] },
  chroot: { valued: [], leadingOperand: true },
};

/** What a finished simple command tells the scanner. */
export interface CommandVerdict {
  /** Set when the command reads its standard input as code (`bash`, `ssh host`): names it. */
  stdinCode?: string;
}

/** True when the command's first real word makes its arguments declarations (`declare`, `local`…). */
export function isDeclarationCommand(words: Word[], assignments: number): boolean {
  const name = plainText(words[assignments]);
  return name !== undefined && DECLARATIONS.has(name);
}

/** Marks the substitutions of one simple command; `assignments` leading words are `NAME=value`. */
export function classifyCommand(words: Word[], assignments: number, facts: VariableFacts): CommandVerdict {
  for (const word of words.slice(0, assignments)) classifyAssignment(word, facts);
  const rest = words.slice(assignments);
  if (rest.length === 0) return {};
  const chain = commandChain(rest);
  const at = chain[chain.length - 1] as number;
  for (const index of new Set([0, at])) refuseNested(rest[index] as Word, 'command', 'the command word');
  const name = plainText(rest[at]) ?? '';
  markProgramsRunningCode(rest);
  const verdict = classifyByName(name, rest.slice(at + 1), facts);
  // `xargs sh …` turns its input into the shell's arguments or script.
  const viaXargs = chain.some((k) => basename(plainText(rest[k])) === 'xargs');
  return viaXargs && SHELLS.has(basename(name)) ? { stdinCode: `xargs ${basename(name)}` } : verdict;
}

function classifyByName(name: string, args: Word[], facts: VariableFacts): CommandVerdict {
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (name === 'let') for (const word of args) word.sites.forEach((s) => requireNumber(s, 'let'));
  else if (CODE_BUILTINS.has(name)) refuseWords(args, 'code', name);
  else if (DECLARATIONS.has(name)) classifyDeclaration(name, args, facts);
  else if (name === 'read') classifyRead(args);
  else if (name === 'printf' && plainText(args[0]) === '-v') refuseWords(args.slice(1, 2), 'name', 'printf -v');
  else if (name === 'unset') refuseWords(args.filter((w) => !plainText(w)?.startsWith('-')), 'name', 'unset');
  else if (name === 'getopts') refuseWords(args.slice(1, 2), 'name', 'getopts');
  else if (name === 'mapfile' || name === 'readarray') refuseWords(args, 'name', name);
  else if (name === 'wait') refuseAfterFlag(args, ['-p'], 'name', 'wait -p');
  else if (name === 'test' || name === '[') refuseAfterFlag(args, ['-v', '-R'], 'name', `${name} -v`);
  else if (name === 'source' || name === '.' || SHELLS.has(base)) {
    refuseWords(args.filter((w) => w.processSubstitution), 'code', `${name} <( )`);
    if (name !== 'source' && name !== '.' && !hasCommandFlag(args)) return { stdinCode: base };
  } else if (base === 'ssh') return classifySsh(args);
  return {};
}

/** `NAME=value` before a command, or on its own. */
function classifyAssignment(word: Word, facts: VariableFacts): void {
  const name = word.assignedName as string;
  const value = valuePartSites(word);
  if (PROMPT_VARIABLES.has(name)) value.forEach((s) => refuse(s, 'code', `${name}=`));
  else value.forEach((s) => facts.defer(s, name, 'value'));
}

/** `declare`/`local`/`typeset`/`readonly`/`export` with their flags. */
function classifyDeclaration(command: string, args: Word[], facts: VariableFacts): void {
  const flags = new Set<string>();
  for (const word of args) {
    const text = plainText(word);
    if (text !== undefined && /^[-+][A-Za-z]+$/.test(text)) {
      if (text.startsWith('-')) for (const flag of text.slice(1)) flags.add(flag);
      continue;
    }
    namePartSites(word).forEach((s) => refuse(s, 'name', `${command} NAME`));
    const declared = word.assignedName ?? (text !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(text) ? text : undefined);
    if (declared !== undefined && flags.has('i')) facts.integerNames.add(declared);
    if (declared !== undefined && flags.has('A')) facts.assocNames.add(declared);
    const value = valuePartSites(word);
    const arrayFlag = flags.has('A') ? 'A' : flags.has('a') ? 'a' : undefined;
    if (flags.has('n')) value.forEach((s) => refuse(s, 'name', `${command} -n`));
    else if (arrayFlag && !word.arrayLiteral) value.forEach((s) => refuse(s, 'array-declaration', `${command} -${arrayFlag}`));
    else if (declared !== undefined && PROMPT_VARIABLES.has(declared)) value.forEach((s) => refuse(s, 'code', `${declared}=`));
    else if (flags.has('i')) value.forEach((s) => requireNumber(s, `${command} -i`));
    else if (declared !== undefined) value.forEach((s) => facts.defer(s, declared, 'value'));
  }
}

/** `read [-ers] [-a NAME] [-d D] [-p P] … NAME…`: the operands and `-a` name variables. */
function classifyRead(args: Word[]): void {
  const valued = 'dinNptu';
  for (let k = 0; k < args.length; k++) {
    const text = plainText(args[k]);
    if (text === undefined || !/^-[A-Za-z]+$/.test(text)) {
      refuseWords([args[k] as Word], 'name', 'read');
      continue;
    }
    for (let c = 1; c < text.length; c++) {
      const flag = text[c] as string;
      if (flag !== 'a' && !valued.includes(flag)) continue;
      if (c === text.length - 1) {
        k++;
        if (flag === 'a') refuseWords(args.slice(k, k + 1), 'name', 'read -a');
      }
      break;
    }
  }
}

/** `ssh [options] DEST [COMMAND…]`: the remote command is code on the remote host; `-o` may be too. */
function classifySsh(args: Word[]): CommandVerdict {
  const valued = new Set(['-B', '-b', '-c', '-D', '-E', '-e', '-F', '-I', '-i', '-J', '-L', '-l', '-m', '-O', '-o', '-p', '-Q', '-R', '-S', '-W', '-w']);
  let k = 0;
  for (; k < args.length; k++) {
    const text = plainText(args[k]);
    if (text === undefined || !text.startsWith('-')) break;
    if (text.startsWith('-o')) refuseWords(args.slice(text === '-o' ? k + 1 : k, k + 2), 'code', 'ssh -o');
    if (valued.has(text)) k++;
  }
  const remote = args.slice(k + 1);
  refuseWords(remote, 'code', "ssh's remote command");
  return remote.length === 0 ? { stdinCode: 'ssh' } : {};
}

/** `sh -c CMD`, `su -c CMD`, `watch CMD`: wherever they appear in the command (`sudo sh -c …`). */
function markProgramsRunningCode(words: Word[]): void {
  words.forEach((word, k) => {
    const name = basename(plainText(word));
    if (SHELLS.has(name)) {
      for (let j = k + 1; j < words.length; j++) {
        const text = plainText(words[j]);
        if (text === undefined || !/^[-+]/.test(text) || text === '--') break;
        if (/^-[A-Za-z]*c[A-Za-z]*$/.test(text)) {
          refuseWords(words.slice(j + 1, j + 2), 'code', `${name} -c`);
          break;
        }
        if (/^[-+][oO]$/.test(text)) j++;
      }
    } else if (['su', 'runuser', 'script', 'flock'].includes(name)) {
      refuseAfterFlag(words.slice(k + 1), ['-c', '--command', '--session-command'], 'code', `${name} -c`);
    } else if (name === 'watch' && !words.slice(k + 1).some((w) => ['-x', '--exec'].includes(plainText(w) ?? ''))) {
      refuseWords(words.slice(k + 1), 'code', 'watch');
    } else if (name === 'sudo' && words.slice(k + 1).some((w) => /^-[A-Za-z]*[si][A-Za-z]*$/.test(plainText(w) ?? ''))) {
      refuseWords(words.slice(k + 1).filter((w) => !plainText(w)?.startsWith('-')), 'code', 'sudo -s');
    }
  });
}

/** Indexes of a chain of wrappers (`sudo -u x timeout 5 nice cmd`); the last is the command run. */
function commandChain(words: Word[]): number[] {
  const chain = [0];
  for (let k = 0; ; ) {
    const wrapper = WRAPPERS[basename(plainText(words[k]))];
    if (!wrapper) return chain;
    let next = k + 1;
    for (; next < words.length; next++) {
      const text = plainText(words[next]);
      if (text === '--') {
        next++;
        break;
      }
      if (wrapper.assignments && text !== undefined && /^[A-Za-z_][A-Za-z0-9_]*=/.test(text)) continue;
      if (text === undefined || !text.startsWith('-') || text === '-') break;
      if (wrapper.valued.includes(text)) next++;
    }
    if (wrapper.leadingOperand) next++;
    if (next >= words.length) return chain;
    k = next;
    chain.push(k);
  }
}

function hasCommandFlag(args: Word[]): boolean {
  for (const word of args) {
    const text = plainText(word);
    if (text === undefined || !text.startsWith('-')) return false;
    if (/^-[A-Za-z]*c[A-Za-z]*$/.test(text)) return true;
  }
  return false;
}

function refuseAfterFlag(words: Word[], flags: string[], reason: RefusalReason, construct: string): void {
  words.forEach((word, k) => {
    if (flags.includes(plainText(word) ?? '')) refuseWords(words.slice(k + 1, k + 2), reason, construct);
  });
}

function refuseWords(words: Word[], reason: RefusalReason, construct: string): void {
  for (const word of words) word.sites.forEach((s) => refuse(s, reason, construct));
}

/** The command word may hold a value directly ("${V}" is one word); not through an expansion that splits. */
function refuseNested(word: Word, reason: RefusalReason, construct: string): void {
  const direct = new Set<Site>(word.directSites);
  word.sites.filter((s) => !direct.has(s)).forEach((s) => refuse(s, reason, construct));
}

function basename(text: string | undefined): string {
  return text === undefined ? '' : text.slice(text.lastIndexOf('/') + 1);
}
