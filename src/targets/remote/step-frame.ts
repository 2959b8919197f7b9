/**
 * What stepwise writes to a supervisor's stdin (protocol in supervisor.sh). A step travels
 * as lines of sh assignments that the supervisor evaluates: every value, the script
 * included, is single-quoted, so no byte of it can become code, and nothing of it is ever
 * in an argv. Environment names are checked before (the names are not quoted).
 */

/** Cap on the `$STEPWISE_OUTPUT` file sent back: outputs are for small values, not data. */
export const MAX_OUTPUTS_BYTES = 1024 * 1024;

/** One tick of the supervisor's waits, in ms (its settle time and kill grace count them). */
export const TICK_MS = 50;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Single-quotes a value for POSIX sh; every byte but NUL survives. */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Names a remote shell cannot export; refused before anything is sent. */
export function invalidEnvNames(env: Record<string, string>): string[] {
  return Object.keys(env).filter((name) => !ENV_NAME.test(name));
}

/** Why a step cannot be sent at all (a NUL byte, which no shell variable can hold), or undefined. */
export function unsendable(script: string, env: Record<string, string>): string | undefined {
  if (script.includes('\0')) return 'the script contains a NUL byte, which a remote shell cannot be given';
  const name = Object.keys(env).find((key) => env[key]?.includes('\0'));
  if (name !== undefined) return `environment variable ${name} contains a NUL byte, which no environment can hold`;
  return undefined;
}

/** Everything the supervisor needs to run one step. */
export interface StepFrameInput {
  id: number;
  /** Ends the step's stdout and stderr (random per step, so no output can end them by chance). */
  marker: string;
  script: string;
  shell: string;
  env: Record<string, string>;
  cwd?: string;
  /** The host's name, for the supervisor's own messages (missing cwd or shell). */
  host: string;
  killGraceMs: number;
  settleMs: number;
}

const ticks = (ms: number): number => Math.max(1, Math.ceil(ms / TICK_MS));

/** The `R` frame that runs a step. */
export function stepFrame(input: StepFrameInput): Buffer {
  const body = [
    `sw_host=${shQuote(input.host)}`,
    `sw_shell=${shQuote(input.shell)}`,
    `sw_cwd=${shQuote(input.cwd ?? '')}`,
    `sw_grace=${ticks(input.killGraceMs)}`,
    `sw_settle=${ticks(input.settleMs)}`,
    `sw_max=${MAX_OUTPUTS_BYTES}`,
    `sw_mark=${shQuote(input.marker)}`,
    `sw_script=${shQuote(input.script)}`,
    'sw_env() {',
    ':',
    ...Object.entries(input.env).map(([name, value]) => `export ${name}=${shQuote(value)}`),
    '}',
    '',
  ].join('\n');
  const bytes = Buffer.from(body, 'utf8');
  let lines = 0;
  for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) lines++;
  return Buffer.concat([Buffer.from(`R ${input.id} ${lines}\n`, 'ascii'), bytes]);
}

/** The `K` frame that kills a step. */
export function killFrame(id: number): Buffer {
  return Buffer.from(`K ${id}\n`, 'ascii');
}
