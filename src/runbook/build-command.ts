/**
 * Building blocks of CommandSpecs: defaults layered under overrides. Layers are given
 * lowest first (built-in, `defaults:`, library step, step); the last one that sets a value wins.
 */
import { parseDuration } from './durations.js';
import type { RetryPolicy } from './model.js';
import type { RawDuration, RawRetry, RawScalar } from './raw-types.js';

/** Per-attempt timeout when neither the step, its library step nor `defaults:` set one. */
export const DEFAULT_TIMEOUT_MS = 60 * 60 * 1000;

/** One attempt, no delay, no backoff. */
export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze({ attempts: 1, delayMs: 0, backoff: 1 });

/** The shell a `run:` goes to unless `shell:` says otherwise. */
export const DEFAULT_SHELL = 'bash';

/** Retry policy from layers; each layer overrides only the fields it sets (`retry: 3` sets attempts). */
export function mergeRetry(...layers: Array<RawRetry | undefined>): RetryPolicy {
  const policy: RetryPolicy = { ...DEFAULT_RETRY };
  for (const layer of layers) {
    if (layer === undefined) continue;
    if (typeof layer === 'number') {
      policy.attempts = layer;
      continue;
    }
    if (layer.attempts !== undefined) policy.attempts = layer.attempts;
    if (layer.delay !== undefined) policy.delayMs = parseDuration(layer.delay) ?? 0;
    if (layer.backoff !== undefined) policy.backoff = layer.backoff;
    if (layer.maxDelay !== undefined) policy.maxDelayMs = parseDuration(layer.maxDelay) ?? 0;
  }
  return policy;
}

/** The last layer's timeout in ms, else DEFAULT_TIMEOUT_MS. */
export function timeoutMs(...layers: Array<RawDuration | undefined>): number {
  for (let i = layers.length - 1; i >= 0; i--) {
    const ms = parseDuration(layers[i]);
    if (ms !== undefined) return ms;
  }
  return DEFAULT_TIMEOUT_MS;
}

/** Environment maps merged key by key, values as strings (`5432`, `true`). */
export function mergeEnv(...layers: Array<Record<string, RawScalar> | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const layer of layers) if (layer) for (const [key, value] of Object.entries(layer)) env[key] = String(value);
  return env;
}

/** The last defined value. */
export function lastDefined<T>(...layers: Array<T | undefined>): T | undefined {
  for (let i = layers.length - 1; i >= 0; i--) if (layers[i] !== undefined) return layers[i];
  return undefined;
}
