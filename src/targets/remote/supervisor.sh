# shellcheck shell=sh
# The stepwise remote supervisor (protocol 2): one per host per run (a second one only while
# two steps run on the same host at once), started over the run's ControlMaster by the
# fixed command
#     exec sh -c 'IFS= read -r n && c=$(head -c "$n") && eval "$c"'
# which reads this text from stdin (its byte count, a newline, the text) and evaluates it.
# No user data is ever in an argv: scripts, environments and values arrive on stdin.
#
# stdin, from stepwise:
#   R <id> <lines>\n + that many lines of sh assignments written by stepwise (every value
#                      single-quoted, sw_mark a random marker): run step <id>
#   K <id>\n           kill step <id> (every process group of its session: TERM, then KILL
#                      after its grace)
#   end of input       the run is over or its connection dropped: the running step is
#                      killed, the private directory removed, the supervisor exits
# One step runs at a time. Its stdout and stderr ARE the session's: output streams with no
# process of ours in the way. When the step is over:
#   stdout: <mark> x <status> <killed> <cut> <left> <w> <n>\n + w bytes + n bytes
#       exit status as `wait` saw it (128+N: signal N), 1 if stepwise had it killed, 1 if a
#       process outside the step still holds this session's stdout or stderr (a daemon
#       started without redirecting its output: stepwise never uses this session again),
#       how many processes the script left running were ended, why it could not start
#       (no cwd, no shell: w bytes), its $STEPWISE_OUTPUT file (at most sw_max: n bytes)
#   stderr: <mark> e\n
# Before the first step, stdout says `stepwise-supervisor 2 ready <pid>` once.
#
# Which processes are a step's (the rule of src/targets/process-tree.ts, mirrored): the step
# runs under setsid, so its pid is its session id, and its processes are exactly the live
# ones in that session, whatever process group they moved to. A process that calls setsid()
# itself is starting a service and is never signalled: signals go to process groups found
# in the session (a group never spans sessions), never to pids one by one. What the script
# leaves in its session gets sw_settle ticks (to finish, or to leave with setsid: once more
# if the setsid program is caught on its way), then is ended. Every name here starts with
# sw_; steps see only what is exported, and nothing of ours is.

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
# The login's umask, for the steps (Linux says it in /proc: no process needed to ask).
sw_umask=
while IFS=': 	' read -r sw_k sw_v; do
  if [ "$sw_k" = Umask ]; then sw_umask=$sw_v; break; fi
done </proc/self/status 2>/dev/null
if [ -z "$sw_umask" ]; then sw_umask=$(umask); fi
umask 077
sw_d=$(mktemp -d "${TMPDIR:-/tmp}/stepwise.XXXXXXXX") || {
  printf 'stepwise-supervisor: cannot create a private directory in %s\n' "${TMPDIR:-/tmp}" >&2
  exit 125
}
trap 'rm -rf "$sw_d"' EXIT
sw_proc=
if [ -r /proc/self/stat ]; then sw_proc=1; fi
sw_self=$$
sw_self_pgid=
sw_nap=

# Pauses one tick (50 ms). bash naps with `read -t` on a fifo nobody writes: a pause without
# a process (the fifo is made at the first pause: most steps never need one).
sw_pause() {
  if [ -z "$sw_nap" ]; then
    sw_nap=no
    if [ -n "${BASH_VERSION:-}" ] && { [ -p "$sw_d/nap" ] || mkfifo "$sw_d/nap"; }; then sw_nap=yes; fi
  fi
  if [ "$sw_nap" = yes ]; then
    # shellcheck disable=SC3045 # only under bash
    read -r -t 0.05 _ <>"$sw_d/nap"
  else
    sleep 0.05 >/dev/null 2>&1
  fi
  return 0
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
sw_setsid=
if sw_which setsid; then sw_setsid=$sw_found; fi

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
if [ -n "$sw_proc" ] && sw_stat "$sw_self"; then sw_self_pgid=$sw_pg; fi

# Looks at the processes made since the step started (sw_c): sw_m (pids in its session),
# sw_groups (their process groups), sw_setsid_seen (the setsid program among them, on its
# way out), and with $1 = holders, sw_held (one outside the session has our stdout or
# stderr open). Every process of the step was forked after sw_c, so while the pid counter
# has not wrapped since (ns_last_pid >= sw_c) only pids from sw_c to ns_last_pid are read.
sw_look() {
  sw_m='' sw_groups=' ' sw_setsid_seen='' sw_held=''
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
    if [ "$sw_st" = Z ] || [ "$sw_st" = X ]; then continue; fi
    if [ "$sw_ss" = "$sw_c" ]; then
      if [ -n "$sw_rc" ] && [ "$sw_p" = "$sw_c" ]; then continue; fi
      sw_m="$sw_m $sw_p"
      case $sw_groups in *" $sw_pg "*) ;; *) sw_groups="$sw_groups$sw_pg " ;; esac
      if [ "$sw_comm" = setsid ]; then sw_setsid_seen=1; fi
    elif [ "$1" = holders ] && [ -z "$sw_held" ]; then
      for sw_fd in "$sw_f"/fd/*; do
        # shellcheck disable=SC3013 # -ef (same file) is in dash, bash, busybox and ksh
        if [ "$sw_fd" -ef "/proc/$sw_self/fd/1" ] || [ "$sw_fd" -ef "/proc/$sw_self/fd/2" ]; then sw_held=1; break; fi
      done 2>/dev/null
    fi
  done
}

# Whether the step's main process is still there, not yet reaped by its runner (so its pid
# is still its own).
sw_main_alive() {
  [ -z "$sw_rc" ] && [ -n "$sw_c" ] || return 1
  if [ -z "$sw_proc" ]; then kill -0 "$sw_c" 2>/dev/null; return; fi
  sw_stat "$sw_c" && [ "$sw_pp" = "$sw_runner" ] && [ "$sw_st" != Z ]
}

# Sends signal $1 to every process group of the step's session, and to the main process
# while it lives (between fork and setsid it is still in our group).
sw_signal_step() {
  for sw_g in $sw_groups; do
    if [ "$sw_g" -gt 1 ] && [ "$sw_g" != "$sw_self_pgid" ]; then kill -"$1" -- "-$sw_g" 2>/dev/null; fi
  done
  if sw_main_alive; then kill -"$1" "$sw_c" 2>/dev/null; fi
}

# Ends everything of the step: TERM (and CONT, for stopped jobs) to its groups, up to the
# grace for them to go, then KILL rounds until none is left. Sets sw_ended to how many
# processes it saw.
sw_end_step() {
  sw_seen=' '
  sw_round() {
    sw_look
    for sw_p in $sw_m; do
      case $sw_seen in *" $sw_p "*) ;; *) sw_seen="$sw_seen$sw_p " ;; esac
    done
  }
  sw_round
  sw_signal_step TERM
  sw_signal_step CONT
  sw_i=0
  while { [ -n "$sw_m" ] || sw_main_alive; } && [ "$sw_i" -lt "$sw_grace" ]; do
    sw_pause
    sw_i=$((sw_i + 1))
    sw_round
  done
  sw_i=0
  while { [ -n "$sw_m" ] || sw_main_alive; } && [ "$sw_i" -lt 40 ]; do
    sw_signal_step KILL
    sw_pause
    sw_i=$((sw_i + 1))
    sw_round
  done
  set -f
  # shellcheck disable=SC2086
  set -- $sw_seen
  set +f
  sw_ended=$#
}

# A killer of step sw_id: a process of its own, so the runner can go on waiting for the
# main process. Its output is not the session's: it must not count as holding it.
sw_killer() {
  : >"$sw_d/killed.$sw_id"
  ( sw_end_step; : >"$sw_d/ended.$sw_id" ) </dev/null >/dev/null 2>&1 &
}

# The runner of step $1 (the frame's assignments are in effect): starts it, waits for its
# main process, sees to its leftovers and reports. Its stdout and stderr are the session's.
sw_step() {
  sw_id=$1
  sw_out=$sw_d/$sw_id.out
  sw_why=
  sw_c='' sw_rc='' sw_left=0 sw_cut=0 sw_killed=0
  : >"$sw_out"
  printf '%s' "$sw_script" >"$sw_d/step.sh"
  unset sw_script
  set -f
  # shellcheck disable=SC2086 # a custom interpreter with its flags: `python3 -u`
  case $sw_shell in
    bash) set -- bash --noprofile --norc -eo pipefail ;;
    sh) set -- sh -e ;;
    *) set -- $sw_shell ;;
  esac
  set +f
  # shellcheck disable=SC2088 # a literal ~ from the runbook stands for the login's home
  case $sw_cwd in
    "~") sw_cwd=$HOME ;;
    "~/"*) sw_cwd=$HOME/${sw_cwd#"~/"} ;;
  esac
  # The interpreter and setsid are found before the step's env can change PATH.
  if ! sw_which "$1"; then
    sw_why=$(printf 'shell "%s" not found on %s (PATH=%s)' "$sw_shell" "$sw_host" "$PATH")
    sw_rc=127
  elif [ -n "$sw_cwd" ] && { [ ! -d "$sw_cwd" ] || [ ! -x "$sw_cwd" ]; }; then
    if [ ! -e "$sw_cwd" ]; then sw_why='does not exist'
    elif [ ! -d "$sw_cwd" ]; then sw_why='is not a directory'
    else sw_why='cannot be entered (permission denied)'
    fi
    sw_why="working directory $sw_cwd $sw_why on $sw_host"
    sw_rc=126
  else
    shift
    set -- "$sw_found" "$@" "$sw_d/step.sh"
    if [ -n "$sw_setsid" ]; then set -- "$sw_setsid" "$@"; fi
    (
      trap - INT QUIT
      cd "${sw_cwd:-.}" || exit 126
      umask "$sw_umask"
      set -- "$sw_out" "$@"
      sw_env
      export STEPWISE_OUTPUT="$1"
      shift
      exec "$@"
    ) </dev/null &
    sw_c=$!
    printf '%s %s %s\n' "$sw_id" "$sw_c" "$sw_runner" >"$sw_d/run"
    # Killed already? (Looked at after `run` is written: either we see the flag or the main
    # loop sees the pid.)
    if [ -e "$sw_d/kill.$sw_id" ] || [ -e "$sw_d/down" ]; then sw_killer; fi
    wait "$sw_c"
    sw_rc=$?
  fi
  if [ -e "$sw_d/killed.$sw_id" ]; then
    sw_killed=1
    # The killer ends the rest; nothing of the step may write after our marker.
    sw_i=0
    while [ ! -e "$sw_d/ended.$sw_id" ] && [ "$sw_i" -lt $((sw_grace + 100)) ]; do sw_pause; sw_i=$((sw_i + 1)); done
  elif [ -n "$sw_c" ]; then
    sw_look holders
    sw_i=0 sw_until=$sw_settle sw_extended=''
    while [ -n "$sw_m" ]; do
      if [ "$sw_i" -ge "$sw_until" ]; then
        if [ -n "$sw_setsid_seen" ] && [ -z "$sw_extended" ]; then
          sw_extended=1 sw_until=$((sw_until + sw_settle))
        else
          sw_end_step
          sw_left=$sw_ended
          # One that left with setsid meanwhile may hold our output.
          sw_look holders
          break
        fi
      fi
      sw_pause
      sw_i=$((sw_i + 1))
      sw_look holders
    done
    if [ -n "$sw_held" ]; then sw_cut=1; fi
  fi
  sw_n=0
  if [ -s "$sw_out" ]; then sw_n=$(($(wc -c <"$sw_out"))); fi
  if [ "$sw_n" -gt "$sw_max" ]; then sw_n=$sw_max; fi
  # ${#} would count characters, not bytes, in a multibyte locale.
  sw_w=0
  if [ -n "$sw_why" ]; then sw_w=$(($(printf '%s' "$sw_why" | wc -c))); fi
  # The step is over for stepwise once both markers are out: by then nothing of it is left
  # on disk (its files are emptied, not removed: that would be a process per step; the
  # directory goes at the end), and the next step may start at once.
  : >"$sw_d/step.sh"
  : >"$sw_d/run"
  printf '%s x %s %s %s %s %s %s\n%s' "$sw_mark" "$sw_rc" "$sw_killed" "$sw_cut" "$sw_left" "$sw_w" "$sw_n" "$sw_why"
  if [ "$sw_n" -gt 0 ]; then head -c "$sw_n" "$sw_out"; fi
  : >"$sw_out"
  printf '%s e\n' "$sw_mark" >&2
}

# Kills step $1 (or, with $1 = '', whatever runs): if its runner has not started it yet,
# the runner sees the flag.
sw_kill() {
  if [ -n "$1" ]; then : >"$sw_d/kill.$1"; fi
  sw_x='' sw_c='' sw_runner=''
  { read -r sw_x sw_c sw_runner <"$sw_d/run"; } 2>/dev/null
  if [ -z "$sw_c" ] || { [ -n "$1" ] && [ "$sw_x" != "$1" ]; } || [ -e "$sw_d/killed.$sw_x" ]; then return 0; fi
  (
    sw_id=$sw_x sw_rc=''
    sw_killer
  )
}

# End of input, or a signal: the running step is killed, the private directory goes.
sw_shutdown() {
  trap '' HUP INT TERM
  : >"$sw_d/down"
  sw_kill ''
  wait
  rm -rf "$sw_d"
  trap - EXIT
  exit "$1"
}
trap 'sw_shutdown 129' HUP
trap 'sw_shutdown 130' INT
trap 'sw_shutdown 143' TERM

sw_max=0 sw_grace=1 sw_settle=1 sw_host='' sw_shell=sh sw_cwd='' sw_script='' sw_mark=''
printf 'stepwise-supervisor 2 ready %s\n' "$$"
while IFS= read -r sw_h; do
  set -f
  # shellcheck disable=SC2086 # a frame header: a letter and numbers
  set -- $sw_h
  set +f
  sw_bad=
  for sw_x in "${2:-}" "${3:-0}"; do
    case $sw_x in '' | *[!0-9]*) sw_bad=1 ;; esac
  done
  if [ -n "$sw_bad" ]; then printf 'stepwise-supervisor: bad frame header %s\n' "$sw_h" >&2; break; fi
  case $1 in
    R)
      sw_b=
      sw_i=0
      while [ "$sw_i" -lt "$3" ] && IFS= read -r sw_l; do
        sw_b=$sw_b$sw_l$sw_nl
        sw_i=$((sw_i + 1))
      done
      [ "$sw_i" -eq "$3" ] || break
      (
        # shellcheck disable=SC3028 # only where there is no /proc; empty elsewhere in sh
        sw_runner=${BASHPID:-}
        if [ -n "$sw_proc" ]; then read -r sw_runner _ </proc/self/stat; fi
        if eval "$sw_b"; then sw_step "$2"; exit; fi
        # Only if stepwise and this file disagree: say so rather than hang.
        printf 'stepwise-supervisor: cannot read step %s\n' "$2" >&2
      ) &
      ;;
    K) sw_kill "$2" ;;
    *) printf 'stepwise-supervisor: unknown frame %s\n' "$sw_h" >&2; break ;;
  esac
done
sw_shutdown 0
