/**
 * Load with the fast parser, and if that finds any problem at all, load again with the
 * exact one: problems are reported exactly as `yaml` locates them (the messages and places
 * are the contract), while a valid file — the common case, and a 10 MB one — is read fast.
 */
import { ValidationError } from '../errors/stepwise-error.js';
import type { YamlParser } from './yaml-file.js';

/** Runs `attempt` with the fast parser; on a ValidationError runs it again with the exact one. */
export async function fastThenExact<T>(attempt: (parser: YamlParser) => Promise<T>): Promise<T> {
  try {
    return await attempt('fast');
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
  }
  return attempt('exact');
}

/** fastThenExact for synchronous work. */
export function fastThenExactSync<T>(attempt: (parser: YamlParser) => T): T {
  try {
    return attempt('fast');
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
  }
  return attempt('exact');
}
