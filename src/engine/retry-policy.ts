/** Retry timing of SPEC §3.5: wait `delay * backoff^(n-1)`, capped by `maxDelay`. */
import type { RetryPolicy } from '../runbook/model.js';

/** Milliseconds to wait after failed attempt `attempt` (1-based) before the next one. */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  const delay = policy.delayMs * Math.pow(policy.backoff, attempt - 1);
  return policy.maxDelayMs === undefined ? delay : Math.min(delay, policy.maxDelayMs);
}

/** Resolves after `ms`, or early (without error) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
