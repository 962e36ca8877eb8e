# shellcheck shell=bash source-path=SCRIPTDIR
# Variables set here are read by the tests that source this file.
# shellcheck disable=SC2034
# A private session bus with netctld on it, for tests/bus/*.sh.
#
#   . "$(dirname "$0")/../lib/bus.sh"
#   bus_start                 # private dbus-daemon, DBUS_SESSION_BUS_ADDRESS
#   daemon_start              # $NETCTL_BUILD/netctld, waits for the name
#   netctl add "text" --in 2h # the client under test (run/expect_* helpers)
#   bus_call Followups Get t 1
#   expect_bus_error NotFound Followups Get t 999
#
# Everything started here is stopped by the EXIT trap from common.sh; the
# daemon must exit 0 on SIGTERM and leave no sanitizer report, or the test
# fails in its cleanup.

# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

BUS_NAME=org.netctl.Netctl1
BUS_PATH=/org/netctl/Netctl1
BUS_IFACE=org.netctl.Netctl1
BUS_ERROR=org.netctl.Netctl1.Error

need_cmd dbus-daemon busctl gdbus

[[ -x $NETCTL_BUILD/netctld && -x $NETCTL_BUILD/netctl ]] ||
    fail "netctld/netctl not built in $NETCTL_BUILD (run make first)"

# bus_start: a private dbus-daemon with a session-style configuration of its
# own (nothing from /usr/share/dbus-1 or the user's data dirs, so nothing
# is activatable unless a test puts a file in $BUS_DIR/services), listening
# on a socket in a temp dir.  Exports DBUS_SESSION_BUS_ADDRESS and points
# everything else at the temp dir too, so no test can reach the real
# session, the real database or a real notification server.
#   BUS_ALLOW_ANY_USER=1: let other uids connect (for the access test).
bus_start() {
    mktemp_dir netctl-bus
    BUS_DIR=$REPLY TEST_DIR=$REPLY
    mkdir -p "$BUS_DIR/services" "$BUS_DIR/home" "$BUS_DIR/data" \
        "$BUS_DIR/config" "$BUS_DIR/runtime"
    chmod 0700 "$BUS_DIR/runtime"
    local allow_user=
    [[ ${BUS_ALLOW_ANY_USER:-0} == 1 ]] && allow_user='<allow user="*"/>'
    cat >"$BUS_DIR/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:path=$BUS_DIR/bus</listen>
  <auth>EXTERNAL</auth>
  <servicedir>$BUS_DIR/services</servicedir>
  <policy context="default">
    $allow_user
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
    # --print-address writes once the socket listens: no guessing.
    dbus-daemon --config-file="$BUS_DIR/bus.conf" --nofork --nopidfile \
        --print-address=3 3>"$BUS_DIR/address" >"$BUS_DIR/dbus-daemon.log" 2>&1 &
    BUS_PID=$!
    on_exit bus_stop
    wait_until 10 test -s "$BUS_DIR/address" ||
        { cat "$BUS_DIR/dbus-daemon.log" >&2; fail "dbus-daemon did not start"; }
    DBUS_SESSION_BUS_ADDRESS=$(head -n1 "$BUS_DIR/address")
    export DBUS_SESSION_BUS_ADDRESS
    # The daemon and the client see only the temp dir.
    export HOME=$BUS_DIR/home XDG_DATA_HOME=$BUS_DIR/data \
        XDG_CONFIG_HOME=$BUS_DIR/config XDG_RUNTIME_DIR=$BUS_DIR/runtime
    unset DISPLAY WAYLAND_DISPLAY DBUS_SYSTEM_BUS_ADDRESS NOTIFY_SOCKET
    log "private bus: $DBUS_SESSION_BUS_ADDRESS"
}

bus_stop() {
    [[ -n ${BUS_PID:-} ]] || return 0
    stop_pid "$BUS_PID" 5 || log "dbus-daemon needed SIGKILL"
    BUS_PID=
}

# bus_wait_name NAME [SECONDS]: wait (bounded) for NAME to get an owner.
bus_wait_name() {
    local name=$1 secs=${2:-10}
    gdbus wait --session --timeout "$secs" "$name" >/dev/null 2>&1 ||
        bus_has_name "$name"
}

# daemon_start: run $NETCTL_BUILD/netctld on the private bus and wait until
# it owns org.netctl.Netctl1 (or die trying, with its log).
daemon_start() {
    [[ -n ${BUS_DIR:-} ]] || bus_start
    DAEMON_LOG=$BUS_DIR/netctld.log
    "$NETCTL_BUILD/netctld" >>"$DAEMON_LOG" 2>&1 </dev/null &
    DAEMON_PID=$!
    # Registered once; daemon_stop is idempotent.
    if [[ -z ${_DAEMON_HOOKED:-} ]]; then
        on_exit daemon_teardown
        _DAEMON_HOOKED=1
    fi
    local t0
    t0=$(now_us)
    until bus_has_name "$BUS_NAME"; do
        if ! pid_alive "$DAEMON_PID"; then
            wait "$DAEMON_PID" 2>/dev/null || true
            daemon_log_tail
            fail "netctld exited before taking $BUS_NAME"
        fi
        if (($(now_us) - t0 > 15000000)); then
            daemon_log_tail
            fail "netctld did not take $BUS_NAME within 15 s"
        fi
        gdbus wait --session --timeout 1 "$BUS_NAME" >/dev/null 2>&1 || true
    done
    log "netctld running (pid $DAEMON_PID)"
}

# daemon_stop: SIGTERM, and the daemon must exit 0 within 10 s.
daemon_stop() {
    [[ -n ${DAEMON_PID:-} ]] || return 0
    local pid=$DAEMON_PID
    DAEMON_PID=
    if ! pid_alive "$pid"; then
        wait "$pid" 2>/dev/null && STOPPED_STATUS=0 || STOPPED_STATUS=$?
        daemon_log_tail
        log "FAIL: netctld (pid $pid) had already died, status $STOPPED_STATUS"
        return 1
    fi
    if ! stop_pid "$pid" 10; then
        daemon_log_tail
        log "FAIL: netctld did not exit within 10 s of SIGTERM"
        return 1
    fi
    if [[ $STOPPED_STATUS != 0 ]]; then
        daemon_log_tail
        log "FAIL: netctld exited with status $STOPPED_STATUS on SIGTERM"
        return 1
    fi
}

# daemon_kill: SIGKILL, no questions (for crash-recovery tests).
daemon_kill() {
    [[ -n ${DAEMON_PID:-} ]] || return 0
    kill -KILL "$DAEMON_PID" 2>/dev/null || true
    wait "$DAEMON_PID" 2>/dev/null || true
    DAEMON_PID=
}

daemon_teardown() {
    daemon_stop || TEST_FAILED_IN_CLEANUP=1
    if [[ -s ${DAEMON_LOG:-/dev/null} ]] &&
        grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$DAEMON_LOG"; then
        log "FAIL: sanitizer report in netctld's log:"
        cat "$DAEMON_LOG" >&2
        TEST_FAILED_IN_CLEANUP=1
    fi
}

daemon_log_tail() {
    [[ -s ${DAEMON_LOG:-/dev/null} ]] || return 0
    log "--- last lines of netctld's log ($DAEMON_LOG):"
    tail -n 60 "$DAEMON_LOG" >&2
    log "---"
}

# daemon_alive: the daemon is still running and still owns its name.
daemon_alive() {
    [[ -n ${DAEMON_PID:-} ]] && pid_alive "$DAEMON_PID" && bus_has_name "$BUS_NAME"
}

# --- the client -----------------------------------------------------------

# netctl ARGS...: the client under test, from the build directory.
NETCTL_CLI=$NETCTL_BUILD/netctl
netctl() { "$NETCTL_CLI" "$@"; }

# --- raw bus calls ---------------------------------------------------------

# bus_call IFACE METHOD [SIGNATURE ARGS...]: busctl call on netctld; IFACE
# is the short name (Followups, Manager).  Output in RC/OUT/ERR.
bus_call() {
    local iface=$1 method=$2
    shift 2
    run busctl --user --timeout=10 call -- "$BUS_NAME" "$BUS_PATH" \
        "$BUS_IFACE.$iface" "$method" "$@"
}

# bus_call_json IFACE METHOD [SIGNATURE ARGS...]: as bus_call, reply as JSON
# (busctl --json=short) in OUT; fails the test on an error reply.
bus_call_json() {
    local iface=$1 method=$2
    shift 2
    run busctl --user --timeout=10 --json=short call -- "$BUS_NAME" "$BUS_PATH" \
        "$BUS_IFACE.$iface" "$method" "$@"
    if [[ $RC != 0 ]]; then
        _show_run busctl call "$iface.$method" "$@"
        fail "$iface.$method failed"
    fi
}

# bus_error_name IFACE METHOD [SIGNATURE ARGS...]: makes the call and puts
# the D-Bus error name of the reply in BUS_ERROR_NAME (empty on success).
# busctl prints only the message of an error; with sd-bus debug logging it
# also dumps the reply header, which carries error-name=.
bus_error_name() {
    local iface=$1 method=$2
    shift 2
    local dest=${BUS_CALL_DEST:-$BUS_NAME}
    run env SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_COLOR=0 \
        busctl --user --timeout=10 call -- "$dest" "$BUS_PATH" \
        "$BUS_IFACE.$iface" "$method" "$@"
    BUS_ERROR_NAME=$(printf '%s\n' "$ERR" |
        sed -n 's/^Got message type=error .*error-name=\([^ ]*\).*/\1/p' | tail -n1)
    BUS_ERROR_MESSAGE=$(printf '%s\n' "$ERR" | sed -n 's/^Call failed: //p' | tail -n1)
}

# expect_bus_error NAME IFACE METHOD [SIGNATURE ARGS...]: the call must fail
# with error NAME; a short NAME (NotFound) means org.netctl.Netctl1.Error.NAME.
# The error must also carry a message (busctl prints it after "Call failed").
expect_bus_error() {
    local want=$1
    shift
    [[ $want == *.* ]] || want=$BUS_ERROR.$want
    bus_error_name "$@"
    if [[ $RC == 0 ]]; then
        _show_run busctl call "$@"
        fail "expected $want, the call succeeded: $(_quote "$@")"
    fi
    if [[ $BUS_ERROR_NAME != "$want" ]]; then
        printf '%s\n' "$ERR" | grep -v '^Bus \|^Sent message\|^Got message type=method_return' | tail -n 5 >&2
        fail "expected error $want, got '${BUS_ERROR_NAME:-none}' for: $(_quote "$@")"
    fi
    if [[ -z $BUS_ERROR_MESSAGE ]]; then
        fail "error $want carries no message for: $(_quote "$@")"
    fi
    ok "$want <- $(_quote "$@")"
}

# big_string N [CHAR]: N bytes of CHAR (default x).
big_string() {
    local s
    printf -v s '%*s' "$1" ''
    printf '%s' "${s// /${2:-x}}"
}
