/**
 * The remote supervisor (supervisor.sh beside this file, shipped in the package and copied
 * next to the compiled code by the build) and the fixed command that starts it. The
 * command is the only argv the remote side ever gets: it reads the supervisor's text from
 * stdin, so it holds no user data, and it has no `'` `\` `!` inside its quotes, so csh,
 * fish and POSIX login shells all hand it to `sh` intact.
 */
import { readFileSync } from 'node:fs';

/** The remote command of every supervisor session. */
export const SUPERVISOR_COMMAND = `exec sh -c 'IFS= read -r n && c=$(head -c "$n") && eval "$c"'`;

/** The first line the supervisor prints; anything before it is the login shell's chatter. */
export const READY_LINE = /^stepwise-supervisor 2 ready (\d+)$/;

let upload: Buffer | undefined;

/** What to write first to a new session's stdin: the supervisor's byte count, a newline, its text. */
export function supervisorUpload(): Buffer {
  if (upload === undefined) {
    const text = readFileSync(new URL('./supervisor.sh', import.meta.url));
    upload = Buffer.concat([Buffer.from(`${text.length}\n`, 'ascii'), text]);
  }
  return upload;
}
