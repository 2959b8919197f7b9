/**
 * Numbers given on the command line (`--limit N`, `--output-lines N`): whole, in range, or
 * a usage error (exit 2) that says what was given — never a silent default or "No runs".
 */
import { UsageError } from '../errors/stepwise-error.js';

/** The value of a count option, checked; undefined when it was not given. */
export function countOption(name: string, value: unknown, minimum: number): number | undefined {
  if (value === undefined) return undefined;
  const shown = typeof value === 'number' && Number.isNaN(value) ? 'something that is not a number' : `\`${String(value)}\``;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw new UsageError(`--${name} expects a whole number ≥ ${minimum}, got ${shown}`, { hint: `for example --${name} ${Math.max(minimum, 5)}` });
  }
  return value;
}
