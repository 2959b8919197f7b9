/**
 * Property-style hostile-input runs of the shipped library steps. A seeded generator makes
 * values that would change the meaning of a shell script, a curl config file, SQL, a psql
 * pattern, a file path or a command line if any step spliced them in as text; each value is
 * given to one input of one step (through a param, so the input's rules are checked when
 * the step starts), one step per value in a single run. Each case then ends one of two ways,
 * and the tests check which: refused by the input's own rule before anything ran, or run
 * with the value treated as data. Replay a failure with HOSTILE_SEED=<seed printed>.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { runRunbook, type Event, type StepsRun } from './steps-harness.js';

/** The seed of this test process; printed so a failing run can be replayed. */
export const SEED = Number(process.env.HOSTILE_SEED ?? Math.floor(Math.random() * 2 ** 31));

import { seededRandom } from '../helpers/seeded-random.js';

export { seededRandom };

/** Where a hostile value would leave traces if it ever ran or reached curl as options. */
export interface Traps {
  /** A directory that must stay empty: every injected command or curl option writes here. */
  markers: string;
  /** A local file no step may read: its canary must never reach the HTTP server. */
  secretFile: string;
  canary: string;
}

/** Creates the trap directory and the secret file inside `dir`. */
export function setTraps(dir: string): Traps {
  const markers = join(dir, 'markers');
  mkdirSync(markers, { recursive: true });
  const canary = `canary-${Math.random().toString(36).slice(2)}`;
  const secretFile = join(dir, 'secret.txt');
  writeFileSync(secretFile, `X-Leak: ${canary}\n${canary}\n`);
  return { markers, secretFile, canary };
}

/** Names of files the traps caught (should be none). */
export function sprung(traps: Traps): string[] {
  return readdirSync(traps.markers);
}

/**
 * Fragments that are code, options or syntax in some language a step talks to: shell,
 * curl's config file and command line, SQL and psql, pg_dump patterns, globs, printf and
 * awk, tar's host:file; plus quotes, control characters and unicode.
 */
export function fragments(traps: Traps): string[] {
  const m = traps.markers;
  const s = traps.secretFile;
  return [
    // shell
    `$(touch ${m}/cmd)`, `$(touch\${IFS}${m}/ifs)`, `\`touch ${m}/tick\``, `'; touch ${m}/sq; '`, `"; touch ${m}/dq; "`,
    `;touch ${m}/semi;`, `|touch ${m}/pipe`, `&& touch ${m}/and`, `\ntouch ${m}/nl\n`, `a[$(touch ${m}/arith)]`,
    '${HOME}', '$HOME', '$((1+1))', '$1', '~', '!!', '#', '&', '\\', '\\"', "\\'", '${IFS}', '$IFS',
    // curl config and command line
    `\ntrace = ${m}/trace\n`, `"\ntrace = "${m}/trace2`, `\r\noutput = ${m}/output`, `\\\ntrace-ascii = ${m}/ascii`,
    `\nheader = "@${s}"`, `\ndata = "@${s}"`, `\nupload-file = ${s}`, `\nstderr = ${m}/stderr`, `\ndump-header = ${m}/dump`,
    `\nurl = http://127.0.0.1:9/leak`, `--output=${m}/o`, `-o${m}/o2`, `--trace=${m}/t3`, '--help', '-', '--', '-rf',
    `@${s}`, `<${s}`, '@-', '[1-3]', '{a,b}', '*', '?', '[a-z]',
    // SQL, psql, pg_dump patterns
    "'; drop table victims; --", '"; drop table victims; --', '$$; drop table victims; $$', ":'x'", ':"x"', ':x',
    `\\! touch ${m}/psql`, `\n\\! touch ${m}/psql2\n`, "E'\\x41'", 'a.b', '.*', '^', '$', 'A*', 'x|y', '(a)',
    // formats, tar, awk
    '%s%s%n', '%x', 'host.invalid:x', '\\n', 'a=b', 'key=value\nstatus=999',
    // quotes and whitespace
    "'", '"', "''", '""', ' ', '  lead', 'trail  ', '\t',
    // control characters
    '\n', '\r', '\r\n', '\x01', '\x1b[31mred', '\x7f', '\u0085', '\v', '\f',
    // unicode
    'ünïcødé', '日本語', '🙂', '\u202eevil', '\ufeffbom', 'e\u0301', '\u2028',
  ];
}

/**
 * `must` first, then `count` random values — a single fragment or a mix of up to four with
 * ordinary text — and one very long value. Never empty; no lone surrogates (not text in UTF-8).
 * Over many runs (a new seed each time) every fragment and many mixes get their turn.
 */
export function hostileValues(traps: Traps, count: number, salt: number, must: string[] = []): string[] {
  const all = fragments(traps);
  const random = seededRandom(SEED + salt);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)] as T;
  const values = [...must];
  for (let i = 0; i < count; i++) {
    const n = random() < 0.5 ? 1 : 2 + Math.floor(random() * 3);
    const parts: string[] = [];
    for (let j = 0; j < n; j++) parts.push(n > 1 && random() < 0.3 ? pick(['x', 'abc', 'ok', '42', 'name']) : pick(all));
    values.push(parts.join(''));
  }
  values.push(`${'A'.repeat(6000)}${pick(all)}${'ü'.repeat(3000)}`);
  return values;
}

/** The fragments aimed at curl's config file and command line, always tried on URL inputs. */
export function curlAttacks(traps: Traps): string[] {
  return fragments(traps).filter((f) => /trace|output|header =|data =|upload-file|stderr|dump-header|url =|^[-@<]|^\[1-3\]$|^\{a,b\}$/.test(f));
}

/** One case of a hostile run: the value given to the input, and what the step did with it. */
export interface HostileCase {
  index: number;
  stepId: string;
  /** The value the input received. */
  value: string;
  /** True when the step was refused by an input rule before it ran anything. */
  refused: boolean;
  finished: Event | undefined;
  outputs: Record<string, string>;
  log: string;
}

/** The rule (enum or pattern) of a library step's input, from the shipped YAML itself. */
export function inputAccepts(uses: string, input: string): (value: string) => boolean {
  const here = dirname(fileURLToPath(import.meta.url));
  const step = parse(readFileSync(resolve(here, '../../steps', `${uses}.yaml`), 'utf8')) as { inputs: Record<string, { pattern?: string; enum?: unknown[] }> };
  const spec = step.inputs[input];
  if (!spec) throw new Error(`${uses} has no input ${input}`);
  const pattern = spec.pattern === undefined ? undefined : new RegExp(spec.pattern, 'u');
  return (value) => (pattern === undefined || pattern.test(value)) && (spec.enum === undefined || spec.enum.includes(value));
}

/** How a hostile run is built. */
export interface HostileRunOptions {
  uses: string;
  input: string;
  values: string[];
  /** Other inputs of case i. */
  fixed?: (index: number) => Record<string, unknown>;
  /** Extra keys of each case's step (timeout, retry…). */
  step?: Record<string, unknown>;
  /** Steps after all cases (e.g. one that fails, so rollbacks run). */
  after?: Array<Record<string, unknown>>;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Runs one step per value (continueOnError, so every case runs) and describes each case. */
export async function hostileRun(dir: string, o: HostileRunOptions): Promise<{ run: StepsRun; cases: HostileCase[] }> {
  const params: Record<string, unknown> = {};
  const values: Record<string, string> = {};
  const steps = o.values.map((value, index) => {
    params[`v${index}`] = { type: 'string' };
    values[`v${index}`] = value;
    return { id: `case-${index}`, uses: o.uses, with: { ...o.fixed?.(index), [o.input]: `\${{ params.v${index} }}` }, continueOnError: true, ...o.step };
  });
  writeFileSync(join(dir, 'params.json'), JSON.stringify(values));
  const run = await runRunbook(
    dir,
    { name: `hostile-${o.uses}`, params, steps: [...steps, ...(o.after ?? [])] },
    { args: ['--params-file', join(dir, 'params.json')], env: o.env, timeoutMs: o.timeoutMs ?? 240_000 },
  );
  const cases = o.values.map((value, index): HostileCase => {
    const stepId = `case-${index}`;
    const finished = run.finished(stepId);
    const refused = finished?.status === 'failed' && finished.exitCode === null && String(finished.error).includes(`input \`${o.input}\` of \`${o.uses}\` breaks rule`);
    return { index, stepId, value, refused, finished, outputs: run.outputs(stepId), log: run.log(stepId) };
  });
  return { run, cases };
}

/** Checks the split between refused and accepted cases against the input's own rule. */
export function expectRuleDecides(uses: string, input: string, cases: HostileCase[]): { accepted: HostileCase[]; refused: HostileCase[] } {
  const accepts = inputAccepts(uses, input);
  const wrong = cases.filter((c) => c.refused === accepts(c.value));
  if (wrong.length > 0) {
    throw new Error(`seed ${SEED}: ${uses}.${input}: the rule and the outcome disagree for ${wrong.map((c) => `${JSON.stringify(c.value.slice(0, 120))} (${c.refused ? 'refused' : String(c.finished?.status)}: ${String(c.finished?.error ?? c.log).slice(0, 300)})`).join('; ')}`);
  }
  return { accepted: cases.filter((c) => !c.refused), refused: cases.filter((c) => c.refused) };
}

/** A case's value for messages: short, escaped, with the seed. */
export function describeCase(c: HostileCase): string {
  return `seed ${SEED}, case ${c.index} ${JSON.stringify(c.value.length > 160 ? `${c.value.slice(0, 160)}…` : c.value)}`;
}

/** A hostile value as one file name: no `/`, not `.` or `..`, at most 150 bytes. */
export function asFileName(value: string): string {
  let name = value.replace(/\//g, '_');
  if (name === '' || name === '.' || name === '..') name = `_${name}`;
  while (Buffer.byteLength(name) > 150) name = [...name].slice(0, -1).join('');
  return name;
}
