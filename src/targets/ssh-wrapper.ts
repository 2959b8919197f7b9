/**
 * The remote side of one SSH step. The remote argv is a fixed bootstrap with no user
 * data; the script, its environment and the framing marker travel on stdin, so secrets
 * never show in `ps` on either side.
 *
 * Stdin framing: a decimal byte count and a newline, then that many bytes of POSIX sh,
 * which the bootstrap evals. After the payload the local side sends nothing more and
 * keeps stdin open: its EOF (abort, or a dropped connection) is the remote kill switch.
 * Because nothing follows the payload, `head -c` may over-read safely on any platform.
 */

/** Remote command line: one line, no `'` `\` `!`, so csh, fish and POSIX login shells all pass it to sh intact. */
export const REMOTE_BOOTSTRAP = `exec /bin/sh -c 'IFS= read -r n && eval "$(head -c "$n")"'`;

/** Cap on the outputs file sent back: outputs are for small values, not data. */
export const MAX_OUTPUTS_BYTES = 1024 * 1024;

export interface WrapperInput {
  script: string;
  shell: string;
  env: Record<string, string>;
  cwd?: string;
  killGraceMs: number;
  /** Random token that starts the trailer on stderr. */
  marker: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Single-quotes a value for POSIX sh; every byte but NUL survives. */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Names the remote shell cannot export; reported before anything runs. */
export function invalidEnvNames(env: Record<string, string>): string[] {
  return Object.keys(env).filter((name) => !ENV_NAME.test(name));
}

/** The bytes to write to the ssh process's stdin (then keep it open). */
export function buildPayload(input: WrapperInput): Buffer {
  const exports = Object.entries(input.env).map(([k, v]) => `export ${k}=${shQuote(v)}`);
  const ticks = Math.max(1, Math.ceil(input.killGraceMs / 100));
  const body = [
    `__sw_mark=${shQuote(input.marker)}`,
    `__sw_shell=${shQuote(input.shell)}`,
    `__sw_cwd=${shQuote(input.cwd ?? '')}`,
    `__sw_ticks=${ticks}`,
    `__sw_max=${MAX_OUTPUTS_BYTES}`,
    `__sw_script=${shQuote(input.script)}`,
    `__sw_env() {`,
    ':',
    ...exports,
    '}',
    WRAPPER_BODY,
  ].join('\n');
  const bytes = Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`${bytes.length}\n`, 'ascii'), bytes]);
}

// Why each part is there:
// - fd 3 keeps the channel's stdin for the watcher; everything else gets /dev/null.
// - the step runs in the foreground, not as `cmd &`: sh makes background jobs ignore
//   SIGINT and SIGQUIT, and a step must start with default signal dispositions.
// - it runs under setsid so its whole tree shares one process group we can kill; its pid
//   (kept through the execs) is that group's id, read from /proc/self/stat by the subshell
//   itself (no extra process), or written by a tiny `sh -c` where there is no /proc.
// - the watcher blocks in the `read` builtin (no child to orphan) until stdin EOF,
//   then TERMs the group, waits up to the grace period, and KILLs what is left.
// - while the step runs the wrapper's own stderr is /dev/null: sh prints job notices
//   such as "Killed" there, which would pollute the step's stderr or, on a dropped
//   connection, die of SIGPIPE before the EXIT trap removes the temporary directory.
// - SIGPIPE is ignored only after the step, for the same reason.
// - when the step's main process has exited, what it left in its process group is ended
//   (TERM, then KILL after the grace period), as for a local step: a leftover would keep
//   the channel's stdout open and hang the step; daemons detach with their own setsid.
// - the interpreter, setsid and sh are found before the step's env is applied: a step's PATH must not
//   break the wrapper (the step's own commands do use it).
// - `${'$'}` in this template stands for a literal dollar sign where sh expands `${...}`.
// - processes are the cost of a step (each fork+exec shows under load), so the common
//   path spawns only head, mktemp, setsid+shell and rm: PATH lookups are done with
//   builtins, and wc runs only for non-empty outputs.
// - the trailer (marker, exit status, killed flag, byte count, outputs) goes to stderr
//   after the step, so one ssh round trip carries the step and its outputs.
const WRAPPER_BODY = String.raw`
umask 077
exec 3<&0 </dev/null
__sw_d=
__sw_report() {
  __sw_n=0
  __sw_k=0
  if [ -n "$__sw_d" ] && [ -s "$__sw_d/output" ]; then __sw_n=$(( $(wc -c <"$__sw_d/output") )); fi
  if [ "$__sw_n" -gt "$__sw_max" ]; then __sw_n=$__sw_max; fi
  if [ -n "$__sw_d" ] && [ -e "$__sw_d/killed" ]; then __sw_k=1; fi
  printf '%s %s %s %s\n' "$__sw_mark" "$1" "$__sw_k" "$__sw_n" >&2
  if [ "$__sw_n" -gt 0 ]; then head -c "$__sw_n" "$__sw_d/output" >&2; fi
  exit "$1"
}
__sw_t=$TMPDIR
if [ -z "$__sw_t" ]; then __sw_t=/tmp; fi
__sw_d=$(mktemp -d "$__sw_t/stepwise.XXXXXXXX") || {
  printf 'stepwise: cannot create a temporary directory on the remote host\n' >&2
  __sw_d=
  __sw_report 125
}
trap 'rm -rf "$__sw_d"' EXIT
printf '%s' "$__sw_script" >"$__sw_d/script" && : >"$__sw_d/output" || __sw_report 125
unset __sw_script
case $__sw_cwd in
  "~") __sw_cwd=$HOME ;;
  "~/"*) __sw_cwd=$HOME/${'$'}{__sw_cwd#"~/"} ;;
esac
set -f
case $__sw_shell in
  bash) set -- bash --noprofile --norc -eo pipefail ;;
  sh) set -- sh -e ;;
  *) set -- $__sw_shell ;;
esac
set +f
__sw_which() {
  __sw_found=
  case $1 in */*) __sw_found=$1; return 0 ;; esac
  __sw_ifs=$IFS
  IFS=:
  set -f
  for __sw_dir in $PATH; do
    if [ -f "$__sw_dir/$1" ] && [ -x "$__sw_dir/$1" ]; then __sw_found=$__sw_dir/$1; break; fi
  done
  IFS=$__sw_ifs
  set +f
  [ -n "$__sw_found" ]
}
__sw_which "$1" || {
  printf 'stepwise: %s not found on the remote host (PATH=%s); set the step'"'"'s shell: to one it has\n' "$1" "$PATH" >&2
  __sw_report 127
}
shift
set -- "$__sw_found" "$@"
__sw_setsid=
if __sw_which setsid; then __sw_setsid=$__sw_found; fi
{
  while read -r __sw_line <&3; do :; done
  : >"$__sw_d/killed"
  __sw_i=0
  while [ ! -s "$__sw_d/pid" ] && [ "$__sw_i" -lt "$__sw_ticks" ]; do
    sleep 0.1
    __sw_i=$((__sw_i + 1))
  done
  __sw_pg=
  read -r __sw_pg <"$__sw_d/pid"
  if [ -n "$__sw_pg" ]; then
    kill -TERM -"$__sw_pg" || kill -TERM "$__sw_pg"
    __sw_i=0
    while [ "$__sw_i" -lt "$__sw_ticks" ] && kill -0 -"$__sw_pg"; do
      sleep 0.1
      __sw_i=$((__sw_i + 1))
    done
    kill -KILL -"$__sw_pg" || kill -KILL "$__sw_pg"
  fi
} >/dev/null 2>&1 &
__sw_w=$!
exec 4>&2 2>/dev/null
(
  if [ -n "$__sw_cwd" ] && ! cd "$__sw_cwd" 2>/dev/null; then
    printf 'stepwise: cannot change to directory %s on the remote host\n' "$__sw_cwd" >&2
    exit 1
  fi
  __sw_env
  export STEPWISE_OUTPUT="$__sw_d/output"
  if read -r __sw_pid __sw_rest </proc/self/stat 2>/dev/null; then
    printf %s "$__sw_pid" >"$__sw_d/pid"
    exec $__sw_setsid "$@" "$__sw_d/script"
  fi
  exec /bin/sh -c 'printf %s "$$" >"$0" && exec "$@"' "$__sw_d/pid" $__sw_setsid "$@" "$__sw_d/script"
) </dev/null 3<&- 2>&4 4>&-
__sw_rc=$?
__sw_pg=
if [ -n "$__sw_setsid" ] && [ ! -e "$__sw_d/killed" ]; then read -r __sw_pg <"$__sw_d/pid"; fi
if [ -n "$__sw_pg" ] && kill -0 -"$__sw_pg"; then
  kill -TERM -"$__sw_pg"
  __sw_i=0
  while [ "$__sw_i" -lt "$__sw_ticks" ] && kill -0 -"$__sw_pg"; do
    sleep 0.1
    __sw_i=$((__sw_i + 1))
  done
  kill -KILL -"$__sw_pg"
fi
trap '' PIPE
exec 2>&4 4>&-
if [ -e "$__sw_d/killed" ]; then wait "$__sw_w"; else kill "$__sw_w" 2>/dev/null; fi
__sw_report "$__sw_rc"
`;
