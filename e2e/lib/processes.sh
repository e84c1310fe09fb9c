# shellcheck shell=bash
# Background processes of one e2e run: each in its own session (so its whole
# process group can be signalled), its PID recorded, stopped by that PID only.
# Needs E2E_TMP (the run's temp folder).

E2E_PIDS=()   # started processes, in start order
E2E_NAMES=()  # their names, for logs and messages
E2E_STOP_FAILURES=0

# start_process NAME CMD...: runs CMD detached in a new session; output goes to
# $E2E_TMP/NAME.log. The PID file is written by the session leader itself, so it
# is right whether or not setsid had to fork.
start_process() {
  local name=$1
  shift
  local pidfile="$E2E_TMP/$name.pid"
  setsid bash -c 'echo $$ > "$0"; exec "$@"' "$pidfile" "$@" \
    </dev/null >"$E2E_TMP/$name.log" 2>&1 &
  local waited=0
  until [[ -s $pidfile ]]; do
    ((waited++ < 50)) || { echo "e2e: $name did not start" >&2; return 1; }
    sleep 0.02
  done
  E2E_PIDS+=("$(<"$pidfile")")
  E2E_NAMES+=("$name")
}

# pid_of NAME: the recorded PID (empty if NAME was never started).
pid_of() {
  local i
  for i in "${!E2E_NAMES[@]}"; do
    [[ ${E2E_NAMES[$i]} == "$1" ]] && echo "${E2E_PIDS[$i]}"
  done
  return 0
}

# is_running NAME: the process itself is still alive.
is_running() {
  local pid
  pid=$(pid_of "$1")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
}

# group_alive PID: anything left in the process group led by PID.
group_alive() { kill -0 -- "-$1" 2>/dev/null; }

# stop_one NAME PID SIGNAL: polite signal to the leader, wait for the whole group,
# SIGKILL the group only if it hangs (counted: a hang is a bug worth seeing).
stop_one() {
  local name=$1 pid=$2 signal=$3 tick
  group_alive "$pid" || return 0
  kill "-$signal" "$pid" 2>/dev/null || true
  # 10 s: wrangler tears down two workerd processes and esbuild on SIGINT.
  for tick in $(seq 1 100); do
    group_alive "$pid" || return 0
    # The leader may be gone while children linger; signal them too once.
    if ((tick == 30)) && ! kill -0 "$pid" 2>/dev/null; then
      kill "-$signal" -- "-$pid" 2>/dev/null || true
    fi
    sleep 0.1
  done
  echo "e2e: $name (pid $pid) ignored SIG$signal for 10 s; killing its process group" >&2
  kill -KILL -- "-$pid" 2>/dev/null || true
  E2E_STOP_FAILURES=$((E2E_STOP_FAILURES + 1))
}

# stop_all: newest first, so fronts go before what they front.
stop_all() {
  local i name signal
  for ((i = ${#E2E_PIDS[@]} - 1; i >= 0; i--)); do
    name=${E2E_NAMES[$i]}
    # wrangler cleans up workerd and its temp files on SIGINT (Ctrl-C).
    signal=TERM
    [[ $name == wrangler ]] && signal=INT
    stop_one "$name" "${E2E_PIDS[$i]}" "$signal"
  done
  E2E_PIDS=()
  E2E_NAMES=()
}
