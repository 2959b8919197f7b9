# shellcheck shell=sh
# The stepwise remote supervisor (protocol 1): one per host per run, started over the run's
# ControlMaster by the fixed command
#     exec sh -c 'IFS= read -r n && c=$(head -c "$n") && eval "$c"'
# which reads this text from stdin (its byte count, a newline, the text) and evaluates it.
# No user data is ever in an argv: scripts, environments and values arrive framed on stdin.
#
# stdin, from stepwise:
#   R <id> <slot> <lines>\n + that many lines of sh assignments written by stepwise (every
#                            value single-quoted): run step <id> with output slot <slot>
#   K <id> <slot>\n          kill step <id> (every process group of its session: TERM,
#                            then KILL after its grace)
#   end of input             the run is over or its connection dropped: every step still
#                            running is killed, the private directory removed (kill switch)
# stdout, to stepwise; each frame is written whole under one lock:
#   stepwise-supervisor 1 ready <pid>\n    once, before anything else
#   o <id> <n>\n + n bytes                 a chunk of the step's stdout (any bytes)
#   e <id> <n>\n + n bytes                 a chunk of its stderr
#   w <id> <n>\n + n bytes                 why the step could not start (no cwd, no shell)
#   x <id> <status> <killed> <cut> <left> <n>\n + n bytes
#       the step is over: exit status as `wait` saw it (128+N: signal N), 1 if stepwise
#       had it killed, 1 if its output was cut off (a process that left the session kept
#       the step's stdout/stderr open), how many processes it left running were ended,
#       then its $STEPWISE_OUTPUT file (at most sw_max bytes)
#
# Which processes are a step's (the rule of src/targets/process-tree.ts, mirrored): the step
# runs under setsid, so its pid is its session id, and its processes are exactly the live
# ones in that session, whatever process group they moved to. A process that calls setsid()
# itself is starting a service and is never signalled: signals go to process groups found
# in the session (a group never spans sessions), never to pids one by one.
#
# Processes: the main loop reads frames. Each step gets a runner (a subshell that decides
# when the step is over) and a waiter (starts the step, reports its pid and exit status).
# Each output slot has two long-lived framers that copy a fifo to stdout in framed chunks
# (dd does one read() per chunk, so output streams as it comes and any byte survives).
# They talk over one control fifo per slot. Every name here starts with sw_; steps see only
# what is exported, and nothing of ours is.

# bash, where present: there an asynchronous step can get back the default SIGINT and
# SIGQUIT that sh sets to "ignored" for background jobs (dash cannot undo that).
# shellcheck disable=SC2154 # $c is set by the bootstrap
if [ -z "${BASH_VERSION:-}" ] && [ -n "${c:-}" ] && command -v bash >/dev/null 2>&1; then
  export c
  exec bash -c 'eval "$c"'
fi
unset c

sw_nl='
'
sw_umask=$(umask)
umask 077
sw_d=$(mktemp -d "${TMPDIR:-/tmp}/stepwise.XXXXXXXX") || {
  printf 'stepwise-supervisor: cannot create a private directory in %s\n' "${TMPDIR:-/tmp}" >&2
  exit 125
}
trap 'rm -rf "$sw_d"' EXIT
mkfifo "$sw_d/lock" || exit 125
exec 9<>"$sw_d/lock"
printf '\n' >&9
sw_setsid=
if command -v setsid >/dev/null 2>&1; then sw_setsid=$(command -v setsid); fi
sw_proc=
if [ -r /proc/self/stat ]; then sw_proc=1; fi
sw_self_pgid=
if [ -n "$sw_proc" ]; then
  read -r sw_l </proc/self/stat
  sw_l=${sw_l##*) }
  sw_l=${sw_l#* }
  sw_l=${sw_l#* }
  sw_self_pgid=${sw_l%% *}
fi
sw_locked=

# The output lock is a token in a fifo: whoever has read it writes the next frame.
sw_lock() {
  read -r _ <&9
  sw_locked=1
}
sw_unlock() {
  sw_locked=
  printf '\n' >&9
}

# Sets sw_found to the path of command $1 as PATH finds it (builtins only, no fork).
sw_which() {
  sw_found=
  case $1 in */*) sw_found=$1; return 0 ;; esac
  sw_ifs=$IFS
  IFS=:
  set -f
  for sw_dir in $PATH; do
    if [ -f "$sw_dir/$1" ] && [ -x "$sw_dir/$1" ]; then sw_found=$sw_dir/$1; break; fi
  done
  IFS=$sw_ifs
  set +f
  [ -n "$sw_found" ]
}

# Reads /proc/$1/stat into sw_st (state), sw_pp (ppid), sw_pg (pgrp), sw_ss (session) and
# sw_comm; false when it is gone. The command name may hold anything, even ') '.
sw_stat() {
  { read -r sw_l <"/proc/$1/stat"; } 2>/dev/null || return 1
  sw_comm=${sw_l#*(}
  sw_comm=${sw_comm%)*}
  sw_l=${sw_l##*) }
  sw_st=${sw_l%% *}
  sw_l=${sw_l#* }
  sw_pp=${sw_l%% *}
  sw_l=${sw_l#* }
  sw_pg=${sw_l%% *}
  sw_l=${sw_l#* }
  sw_ss=${sw_l%% *}
}

# Lists the live processes of the step's session sw_c: sw_m (pids), sw_groups (their
# process groups), sw_setsid_seen (one of them is the setsid program, on its way out).
# Every member was forked after sw_c, so while the pid counter has not wrapped since
# (ns_last_pid >= sw_c) only pids from sw_c to ns_last_pid are read: the few the step made,
# not the whole host (sh reads a file byte by byte).
sw_members() {
  sw_m='' sw_groups=' ' sw_setsid_seen=''
  [ -n "$sw_c" ] || return 0
  if [ -z "$sw_proc" ]; then
    if kill -0 -- "-$sw_c" 2>/dev/null; then sw_m=$sw_c sw_groups=" $sw_c "; fi
    return 0
  fi
  # Once the main process is reaped, a session leader with its pid is a newcomer.
  if [ -n "$sw_rc" ] && sw_stat "$sw_c" && [ "$sw_ss" = "$sw_c" ] && [ "$sw_st" != Z ]; then return 0; fi
  sw_lo=0
  sw_hi=
  if { read -r sw_hi </proc/sys/kernel/ns_last_pid; } 2>/dev/null && [ "$sw_hi" -ge "$sw_c" ]; then
    sw_lo=$sw_c
  else
    sw_hi=
  fi
  for sw_f in /proc/[0-9]*; do
    sw_p=${sw_f#/proc/}
    if [ "$sw_p" -lt "$sw_lo" ] || { [ -n "$sw_hi" ] && [ "$sw_p" -gt "$sw_hi" ]; }; then continue; fi
    sw_stat "$sw_p" || continue
    if [ "$sw_ss" != "$sw_c" ] || [ "$sw_st" = Z ] || [ "$sw_st" = X ]; then continue; fi
    if [ -n "$sw_rc" ] && [ "$sw_p" = "$sw_c" ]; then continue; fi
    sw_m="$sw_m $sw_p"
    case $sw_groups in *" $sw_pg "*) ;; *) sw_groups="$sw_groups$sw_pg " ;; esac
    if [ "$sw_comm" = setsid ]; then sw_setsid_seen=1; fi
  done
}

# Sends signal $1 to every process group of the step's session, and to the main process
# while it is still the waiter's child (between fork and setsid it is in our group).
sw_signal_step() {
  for sw_g in $sw_groups; do
    if [ "$sw_g" -gt 1 ] && [ "$sw_g" != "$sw_self_pgid" ]; then kill -"$1" -- "-$sw_g" 2>/dev/null; fi
  done
  if [ -z "$sw_rc" ] && [ -n "$sw_c" ] && sw_stat "$sw_c" && [ "$sw_pp" = "$sw_w" ] && [ "$sw_st" != Z ]; then
    kill -"$1" "$sw_c" 2>/dev/null
  fi
}

# Ends the step: TERM (and CONT, for stopped jobs) to its groups, up to the grace for them
# to go, then KILL rounds until none is left. Runs as its own process; tells the runner
# `killed <id> <processes seen>`.
sw_kill_step() {
  sw_seen=' '
  sw_look() {
    sw_members
    for sw_p in $sw_m; do
      case $sw_seen in *" $sw_p "*) ;; *) sw_seen="$sw_seen$sw_p " ;; esac
    done
  }
  sw_look
  sw_signal_step TERM
  sw_signal_step CONT
  sw_i=0
  while [ -n "$sw_m" ] && [ "$sw_i" -lt "$sw_grace" ]; do
    sleep 0.05
    sw_i=$((sw_i + 1))
    sw_look
  done
  sw_i=0
  while [ -n "$sw_m" ] && [ "$sw_i" -lt 40 ]; do
    sw_signal_step KILL
    sleep 0.05
    sw_i=$((sw_i + 1))
    sw_look
  done
  set -f
  # shellcheck disable=SC2086
  set -- $sw_seen
  set +f
  printf 'killed %s %s\n' "$sw_id" "$#" 1<>"$sw_ctl"
}

# The waiter: starts the step and reports its pid, then its exit status. What keeps it from
# starting is told in $sw_base.w, and both fifos are opened and closed so the framers see
# the end of this step.
sw_launch() {
  set -f
  # shellcheck disable=SC2086 # a custom interpreter with its flags: `python3 -u`
  case $sw_shell in
    bash) set -- bash --noprofile --norc -eo pipefail ;;
    sh) set -- sh -e ;;
    *) set -- $sw_shell ;;
  esac
  set +f
  # The interpreter and setsid are found before the step's env can change PATH.
  if ! sw_which "$1"; then
    printf 'shell "%s" not found on %s (PATH=%s)' "$sw_shell" "$sw_host" "$PATH" >"$sw_base.w"
    : >"$sw_base.o" 2>"$sw_base.e"
    printf 'done %s 127\n' "$sw_id" 1<>"$sw_ctl"
    return
  fi
  shift
  set -- "$sw_found" "$@" "$sw_base.sh"
  if [ -n "$sw_setsid" ]; then set -- "$sw_setsid" "$@"; fi
  # shellcheck disable=SC2088 # a literal ~ from the runbook stands for the login's home
  case $sw_cwd in
    "~") sw_cwd=$HOME ;;
    "~/"*) sw_cwd=$HOME/${sw_cwd#"~/"} ;;
  esac
  (
    trap - INT QUIT
    if [ -n "$sw_cwd" ] && ! cd "$sw_cwd" 2>/dev/null; then
      if [ ! -e "$sw_cwd" ]; then sw_why='does not exist'
      elif [ ! -d "$sw_cwd" ]; then sw_why='is not a directory'
      else sw_why='cannot be entered (permission denied)'
      fi
      printf 'working directory %s %s on %s' "$sw_cwd" "$sw_why" "$sw_host" >"$sw_base.w"
      exit 126
    fi
    umask "$sw_umask"
    set -- "$sw_out" "$@"
    sw_env
    export STEPWISE_OUTPUT="$1"
    shift
    exec "$@"
  ) </dev/null >"$sw_base.o" 2>"$sw_base.e" &
  printf 'pid %s %s\n' "$sw_id" "$!" 1<>"$sw_ctl"
  wait "$!"
  printf 'done %s %s\n' "$sw_id" "$?" 1<>"$sw_ctl"
}

# Called on every message and tick once the main process has exited; true when the step is
# over. Leftovers in the session get sw_settle ticks (to finish, or to leave with setsid:
# once more if the setsid program is caught on its way), then are ended; output is read
# until both fifos close, at most sw_drain ticks after the exit (or 4 after the ending).
sw_settled() {
  if [ -z "$sw_rc" ] || [ -n "$sw_killing" ]; then return 1; fi
  case $sw_phase in
    run)
      sw_phase=output
      sw_until=$sw_drain
      if [ -z "$sw_kills" ]; then
        sw_members
        if [ -n "$sw_m" ]; then sw_phase=settle sw_until=$sw_settle; fi
      fi ;;
    settle)
      sw_members
      if [ -z "$sw_m" ]; then
        sw_phase=output sw_until=$sw_drain
      elif [ "$sw_ticks" -ge "$sw_until" ]; then
        if [ -n "$sw_setsid_seen" ] && [ -z "$sw_extended" ]; then
          sw_extended=1 sw_until=$((sw_until + sw_settle))
        else
          sw_start_kill
          return 1
        fi
      fi ;;
  esac
  if [ "$sw_phase" = killed ]; then
    sw_phase=output
    if [ "$sw_drain" -gt $((sw_ticks + 4)) ]; then sw_until=$sw_drain; else sw_until=$((sw_ticks + 4)); fi
  fi
  [ "$sw_phase" = output ] || { sw_tick_on; return 1; }
  if [ -n "$sw_eof_o" ] && [ -n "$sw_eof_e" ]; then return 0; fi
  if [ "$sw_ticks" -ge "$sw_until" ] && { sw_held || [ "$sw_ticks" -ge $((sw_until + 600)) ]; }; then sw_cut=1; return 0; fi
  sw_tick_on
  return 1
}

# Whether a fifo of the step is really still held open by another process, rather than its
# framer being slow to see the end (a loaded host): its dd then sleeps in read(), which a
# fifo without writers never lets it do. Without /proc there is no telling: it counts as held.
sw_held() {
  [ -n "$sw_proc" ] || return 0
  for sw_s in o e; do
    if [ "$sw_s" = o ] && [ -n "$sw_eof_o" ]; then continue; fi
    if [ "$sw_s" = e ] && [ -n "$sw_eof_e" ]; then continue; fi
    { read -r sw_p <"$sw_base.$sw_s.dd" && read -r sw_fp <"$sw_base.$sw_s.fp"; } 2>/dev/null || continue
    if sw_stat "$sw_p" && [ "$sw_comm" = dd ] && [ "$sw_st" = S ] && [ "$sw_pp" = "$sw_fp" ]; then return 0; fi
  done
  return 1
}

# Ticks of 50 ms while the runner waits: bash reads its control fifo with a timeout; sh
# cannot, and starts a process that writes them (bounded).
sw_tick_on() {
  if [ -n "$sw_to" ]; then return 0; fi
  sw_to=0.05
  if [ -n "${BASH_VERSION:-}" ]; then return 0; fi
  sw_n=$((2 * sw_settle + sw_drain + 2 * sw_grace + 100))
  (
    while [ "$sw_n" -gt 0 ]; do
      sleep 0.05
      printf 'tick %s\n' "$sw_id" 1<>"$sw_ctl"
      sw_n=$((sw_n - 1))
    done
  ) 4>&- 9>&- >/dev/null 2>&1 &
}

sw_start_kill() {
  # Killed while the script ran: its status is the kill's, not its own.
  if [ -z "$sw_rc" ]; then sw_killed=1; fi
  sw_kills=1 sw_killing=1 sw_phase=killed
  sw_kill_step 4>&- 9>&- >/dev/null 2>&1 &
}

# The runner of step $1 in slot $2 (the frame's assignments are in effect).
sw_step() {
  sw_id=$1
  sw_base=$sw_d/$2
  sw_ctl=$sw_base.c
  sw_out=$sw_d/$sw_id.out
  exec 4<>"$sw_ctl"
  : >"$sw_out"
  : >"$sw_base.w"
  printf '%s\n' "$sw_id" >"$sw_base.id"
  printf '%s' "$sw_script" >"$sw_base.sh"
  unset sw_script
  sw_c='' sw_rc='' sw_killreq='' sw_killed='' sw_kills='' sw_killing='' sw_cut='' sw_extended='' sw_to=''
  sw_eof_o='' sw_eof_e='' sw_ticks=0 sw_left=0 sw_phase=run
  # Shutting down already? (Looked at with the control fifo open: either we see the flag,
  # or we hold the fifo when the kill for every step is written to it.)
  if [ -e "$sw_d/down" ]; then sw_killreq=1; fi
  # The waiter's own stderr is not the step's: the shell reports killed jobs there.
  sw_launch 4>&- 9>&- 2>/dev/null &
  sw_w=$!
  trap '' PIPE
  sw_part=
  while :; do
    if [ "${BASH_VERSION:-}" ] && [ -n "$sw_to" ]; then
      # shellcheck disable=SC3045 # only under bash
      if IFS= read -r -t "$sw_to" sw_msg <&4; then
        sw_msg=$sw_part$sw_msg sw_part=''
      else
        # A timeout may fall in the middle of a line: bash keeps what it read so far.
        sw_part=$sw_part$sw_msg sw_msg="tick $sw_id"
      fi
    elif IFS= read -r sw_msg <&4; then
      sw_msg=$sw_part$sw_msg sw_part=''
    else
      break
    fi
    set -f
    # shellcheck disable=SC2086 # a message: a word and numbers
    set -- $sw_msg
    set +f
    sw_m1=${1:-} sw_m2=${2:-} sw_m3=${3:-}
    if [ "$sw_m2" != "$sw_id" ] && [ "$sw_m2" != '*' ]; then continue; fi
    case $sw_m1 in
      pid) sw_c=$sw_m3 ;;
      kill) sw_killreq=1 ;;
      eof) if [ "$sw_m3" = o ]; then sw_eof_o=1; else sw_eof_e=1; fi ;;
      done) sw_rc=$sw_m3 ;;
      killed) sw_killing='' sw_left=$sw_m3 ;;
      tick) if [ -n "$sw_rc" ]; then sw_ticks=$((sw_ticks + 1)); fi ;;
    esac
    if [ -n "$sw_killreq" ] && [ -n "$sw_c" ] && [ -z "$sw_kills" ]; then sw_start_kill; fi
    if sw_settled; then break; fi
  done
  # Leftovers are what the script left when it exited on its own, not what a kill ended.
  if [ -n "$sw_killed" ]; then sw_left=0; fi
  sw_n=0
  if [ -s "$sw_out" ]; then sw_n=$(($(wc -c <"$sw_out"))); fi
  if [ "$sw_n" -gt "$sw_max" ]; then sw_n=$sw_max; fi
  sw_why=0
  if [ -s "$sw_base.w" ]; then sw_why=$(($(wc -c <"$sw_base.w"))); fi
  # The slot's files are left alone once the end frame is out: stepwise may reuse it at once.
  : >"$sw_base.sh"
  sw_lock
  if [ "$sw_why" -gt 0 ]; then printf 'w %s %s\n' "$sw_id" "$sw_why"; cat "$sw_base.w"; fi
  printf 'x %s %s %s %s %s %s\n' "$sw_id" "$sw_rc" "${sw_killed:-0}" "${sw_cut:-0}" "$sw_left" "$sw_n"
  if [ "$sw_n" -gt 0 ]; then head -c "$sw_n" "$sw_out"; fi
  sw_unlock
  # Emptied, not removed (that would be a process per step): the directory goes at the end.
  : >"$sw_out"
}

# A framer: copies fifo $1.$2 of a slot to stdout as `$2 <id> <n>` frames, step after step.
sw_framer() {
  trap '' PIPE
  trap 'if [ -n "$sw_dd" ]; then kill "$sw_dd" 2>/dev/null; fi; if [ -n "$sw_locked" ]; then sw_unlock; fi; exit 0' TERM
  sw_ff=$sw_d/$1.$2
  sw_dd=
  while exec 3<"$sw_ff"; do
    read -r sw_fid <"$sw_d/$1.id"
    while :; do
      LC_ALL=C dd bs=65536 count=1 of="$sw_ff.chunk" 2>"$sw_ff.st" <&3 &
      sw_dd=$!
      printf '%s\n' "$sw_dd" >"$sw_ff.dd"
      wait "$sw_dd" || break
      sw_dd=
      sw_n=
      { read -r sw_x; read -r sw_x; read -r sw_n sw_x; } <"$sw_ff.st"
      case $sw_n in '' | *[!0-9]*) sw_n=$(($(wc -c <"$sw_ff.chunk"))) ;; esac
      [ "$sw_n" -gt 0 ] || break
      sw_lock
      printf '%s %s %s\n' "$2" "$sw_fid" "$sw_n"
      cat "$sw_ff.chunk"
      sw_unlock
    done
    exec 3<&-
    : >"$sw_ff.chunk"
    printf 'eof %s %s\n' "$sw_fid" "$2" 1<>"$sw_d/$1.c"
  done
}

sw_slots=' '
sw_framers=
sw_runners=
# Creates slot $1's fifos and framers on its first use.
sw_slot() {
  case $sw_slots in *" $1 "*) return 0 ;; esac
  mkfifo "$sw_d/$1.o" "$sw_d/$1.e" "$sw_d/$1.c" || return 1
  for sw_s in o e; do
    sw_framer "$1" "$sw_s" </dev/null &
    sw_framers="$sw_framers $!"
    printf '%s\n' "$!" >"$sw_d/$1.$sw_s.fp"
  done
  sw_slots="$sw_slots$1 "
}

# End of input, or a signal: every running step is killed (its runner sees to the grace),
# the framers stop, the private directory goes.
sw_shutdown() {
  trap '' HUP INT TERM
  : >"$sw_d/down"
  for sw_s in $sw_slots; do printf 'kill *\n' 1<>"$sw_d/$sw_s.c"; done
  # A finished runner's pid may since belong to a framer, which never ends by itself.
  for sw_r in $sw_runners; do
    case " $sw_framers " in *" $sw_r "*) continue ;; esac
    wait "$sw_r" 2>/dev/null
  done
  for sw_r in $sw_framers; do kill "$sw_r" 2>/dev/null; done
  for sw_r in $sw_framers; do wait "$sw_r" 2>/dev/null; done
  rm -rf "$sw_d"
  trap - EXIT
  exit "$1"
}
trap 'sw_shutdown 129' HUP
trap 'sw_shutdown 130' INT
trap 'sw_shutdown 143' TERM

printf 'stepwise-supervisor 1 ready %s\n' "$$"
while IFS= read -r sw_h; do
  set -f
  # shellcheck disable=SC2086 # a frame header: a letter and numbers
  set -- $sw_h
  set +f
  sw_bad=
  for sw_x in "${2:-}" "${3:-}" "${4:-0}"; do
    case $sw_x in '' | *[!0-9]*) sw_bad=1 ;; esac
  done
  if [ -n "$sw_bad" ]; then printf 'stepwise-supervisor: bad frame header %s\n' "$sw_h" >&2; break; fi
  case $1 in
    R)
      sw_b=
      sw_i=0
      while [ "$sw_i" -lt "$4" ] && IFS= read -r sw_l; do
        sw_b=$sw_b$sw_l$sw_nl
        sw_i=$((sw_i + 1))
      done
      [ "$sw_i" -eq "$4" ] || break
      sw_slot "$3" || break
      sw_max=0 sw_grace=1 sw_settle=1 sw_drain=1 sw_host='' sw_shell=sh sw_cwd='' sw_script=''
      (
        if eval "$sw_b"; then sw_step "$2" "$3"; exit; fi
        # Only if stepwise and this file disagree: report it rather than hang.
        sw_lock
        printf 'x %s 125 0 0 0 0\n' "$2"
        sw_unlock
      ) &
      sw_runners="$sw_runners $!"
      ;;
    K) printf 'kill %s\n' "$2" 1<>"$sw_d/$3.c" ;;
    *) printf 'stepwise-supervisor: unknown frame %s\n' "$sw_h" >&2; break ;;
  esac
done
sw_shutdown 0
