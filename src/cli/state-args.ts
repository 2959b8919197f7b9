/** `--state URL|DIR` and `--state-dir DIR` as a command was given them (the store is chosen in the state layer). */
import type { StateChoice } from '../journal/index.js';

/** The state options of any command's parsed arguments. */
export function stateChoiceOf(args: { state?: unknown; stateDir?: unknown }): StateChoice {
  return {
    ...(typeof args.state === 'string' ? { state: args.state } : {}),
    ...(typeof args.stateDir === 'string' ? { stateDir: args.stateDir } : {}),
  };
}
