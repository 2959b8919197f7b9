/**
 * SIGINT/SIGTERM handling (SPEC §3.9): the first signal cancels the run (the engine kills
 * the running step's tree, compensates, runs finally); the second stops compensation.
 */
export interface SignalWatch {
  cancel: AbortSignal;
  hardStop: AbortSignal;
  /** The first signal received, if any. */
  received(): NodeJS.Signals | undefined;
  dispose(): void;
}

export function watchSignals(say: (message: string) => void): SignalWatch {
  const cancel = new AbortController();
  const hardStop = new AbortController();
  let first: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!first) {
      first = signal;
      say(`received ${signal}: stopping the current step, then compensating (send it again to stop compensation at once)`);
      cancel.abort();
    } else if (!hardStop.signal.aborted) {
      say(`received ${signal} again: stopping compensation now; finish it later with stepwise rollback`);
      hardStop.abort();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    cancel: cancel.signal,
    hardStop: hardStop.signal,
    received: () => first,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
