/**
 * `stepwise rollback RUN_ID` on a terminal shows what it will compensate and asks first
 * (SPEC §1): undoing is as consequential as doing. `--yes` skips the question; without a
 * terminal the command itself is the explicit request and it proceeds.
 */
import { createStyle } from '../reporters/terminal-style.js';
import { colorWanted } from './create-reporters.js';
import { writeStderr } from './output.js';
import { choose } from './tty-prompter.js';

/** The operator's answer; `interrupted` on Ctrl-C or SIGTERM while asked. */
export type RollbackAnswer = 'yes' | 'no' | 'no answer' | 'interrupted';

/** Shows `listing` on stderr and asks whether to compensate now. */
export async function askBeforeRollback(listing: string[]): Promise<RollbackAnswer> {
  const style = createStyle(colorWanted() && Boolean(process.stderr.isTTY));
  writeStderr(`${listing.join('\n')}\n\n`);
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const answer = await choose(style, style.bold('Compensate now?'), [
      { value: 'yes', key: 'y', help: 'run these rollbacks' },
      { value: 'no', key: 'n', help: 'do nothing now' },
    ] as const);
    if (interrupted) return 'interrupted';
    return answer ?? 'no answer';
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
