/**
 * SIGINT/SIGTERM/SIGHUP handling (SPEC §3.9): the first signal cancels the run (the engine
 * kills the running step's tree, compensates, runs finally); the second stops compensation.
 * SIGHUP is the on-call engineer's SSH session dropping: it must stop the run as safely as a
 * Ctrl-C does, not kill the runner and leave the step running unwatched.
 */
import { surviveTerminalHangup } from './terminal-hangup.js';

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The run's two stop signals; `dispose` restores the default handlers. */
export interface SignalWatch {
  cancel: AbortSignal;
  hardStop: AbortSignal;
  dispose(): void;
}

/** Starts watching; `say` tells the operator what each signal does. */
export function watchSignals(say: (message: string) => void): SignalWatch {
  surviveTerminalHangup();
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
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  return {
    cancel: cancel.signal,
    hardStop: hardStop.signal,
    dispose: () => {
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    },
  };
}
