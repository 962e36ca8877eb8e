# shellcheck shell=bash source-path=SCRIPTDIR
# Variables set here are read by the tests that source this file.
# shellcheck disable=SC2034
# A real user session for tests/e2e/*.sh: systemd --user, the user bus from
# dbus-user-session (with systemd activation), Xvfb, and dunst or a
# python3-dbusmock notification server.
#
#   . "$(dirname "$0")/../lib/session.sh"
#   session_init "$@"             # FIRST: re-execs under unshare -m as root
#   session_install_netctl        # make install into the temp HOME
#   session_start_dunst           # Xvfb + dunst, D-Bus activated
#     or session_use_dbusmock_notifications
#   netctl add ... ; mock_calls ; mock_invoke ID done ...
#
# The recipe (it needs root for the mount namespace; without root the test
# skips with exit 77, which CI turns into a failure):
#  - unshare -m, then a tmpfs on /run/systemd with an empty system/ in it:
#    the user manager refuses to start unless /run/systemd/system exists,
#    and the tmpfs keeps the host's /run/systemd out of reach;
#  - a temporary HOME and XDG_RUNTIME_DIR (0700);
#  - /usr/lib/systemd/systemd --user, started in a cgroup of its own: a user
#    manager that finds itself in a cgroup with other processes moves all of
#    them into its init.scope, so it must not share one with anything else;
#  - systemctl --user start dbus.socket: the bus at $XDG_RUNTIME_DIR/bus,
#    with systemd activation (SystemdService= in activation files);
#  - Xvfb on a free display (-displayfd picks it), DISPLAY in the manager's
#    environment, dunst activated by the first call to the notification name.
# Cleanup stops the manager (and with it every unit), kills whatever is left
# in its cgroup, removes the cgroup, and stops Xvfb and the mock servers.
# The mount namespace goes away with the test's last process.

# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

BUS_NAME=org.netctl.Netctl1
BUS_PATH=/org/netctl/Netctl1
BUS_IFACE=org.netctl.Netctl1
SYSTEMD_USER=/usr/lib/systemd/systemd

# session_init "$@": call before anything else in the test.
session_init() {
    if [[ -z ${NETCTL_SESSION_NS:-} ]]; then
        _session_preflight
        exec unshare --mount --propagation private -- \
            env NETCTL_SESSION_NS=1 "$BASH" "$0" "$@"
    fi
    _session_setup
}

_session_preflight() {
    if [[ $EUID -ne 0 ]]; then
        skip "needs root: the end-to-end tests run systemd --user in a private" \
            "mount namespace (unshare -m, tmpfs on /run/systemd); run the suite" \
            "as root to include them (CI does, with NETCTL_REQUIRE_ALL=1)"
    fi
    local c
    for c in unshare systemctl busctl gdbus dbus-daemon make; do
        command -v "$c" >/dev/null 2>&1 || skip "command not found: $c"
    done
    [[ -x $SYSTEMD_USER ]] || skip "$SYSTEMD_USER not found (package systemd)"
    [[ -e /usr/lib/systemd/user/dbus.socket ]] ||
        skip "dbus.socket user unit not found (package dbus-user-session)"
    unshare --mount --propagation private true 2>/dev/null ||
        skip "unshare -m is not permitted here (no CAP_SYS_ADMIN?)"
}

_session_setup() {
    # The host's /run/systemd may not exist (containers): mkdir -p is the
    # only change outside the namespace, and an empty directory at that.
    mkdir -p /run/systemd
    mount -t tmpfs -o mode=0755 tmpfs /run/systemd ||
        fail "cannot mount a tmpfs on /run/systemd"
    mkdir /run/systemd/system

    mktemp_dir netctl-e2e
    SESSION_DIR=$REPLY TEST_DIR=$REPLY
    export HOME=$SESSION_DIR/home XDG_RUNTIME_DIR=$SESSION_DIR/run
    mkdir -p "$HOME"
    mkdir -m 0700 "$XDG_RUNTIME_DIR"
    # A zone with DST and an offset from UTC, so local/UTC mix-ups show.
    export TZ=${NETCTL_TEST_TZ:-Europe/Berlin}
    # The XDG base directories are spelled out: libdbus (and anything else
    # that asks getpwuid() for the home directory) would otherwise look in
    # the real user's home, e.g. for session service files.
    export XDG_DATA_HOME=$HOME/.local/share XDG_CONFIG_HOME=$HOME/.config \
        XDG_STATE_HOME=$HOME/.local/state XDG_CACHE_HOME=$HOME/.cache
    # As pam_systemd does in a real login: the manager and everything it
    # starts know the bus address before the bus exists.
    export DBUS_SESSION_BUS_ADDRESS=unix:path=$XDG_RUNTIME_DIR/bus
    export LANG=C.UTF-8
    unset LC_ALL DISPLAY WAYLAND_DISPLAY XDG_DATA_DIRS XDG_CONFIG_DIRS \
        XDG_SESSION_ID XDG_SEAT XDG_VTNR DBUS_SYSTEM_BUS_ADDRESS NOTIFY_SOCKET \
        MANAGERPID INVOCATION_ID JOURNAL_STREAM LISTEN_FDS LISTEN_PID
    NETCTL_CLI=$HOME/.local/bin/netctl

    on_exit session_teardown
    _session_start_manager
    systemctl --user start dbus.socket ||
        fail "systemctl --user start dbus.socket failed"
    wait_until 10 test -S "$XDG_RUNTIME_DIR/bus" ||
        fail "no bus socket at $XDG_RUNTIME_DIR/bus"
    wait_until 10 bus_has_name org.freedesktop.DBus ||
        fail "the user bus does not answer"
    log "session: HOME=$HOME, manager pid $SESSION_MANAGER_PID, TZ=$TZ"
}

# The cgroup (v1 name=systemd and/or v2) the manager gets to itself.
_session_cgroup_dirs() {
    local hier path
    while IFS=: read -r _ hier path; do
        case $hier in
        name=systemd) [[ -d /sys/fs/cgroup/systemd ]] &&
            echo "/sys/fs/cgroup/systemd$path/$SESSION_CGROUP" ;;
        '') if [[ -d /sys/fs/cgroup/unified ]]; then
            echo "/sys/fs/cgroup/unified$path/$SESSION_CGROUP"
        elif [[ -f /sys/fs/cgroup/cgroup.procs ]]; then
            echo "/sys/fs/cgroup$path/$SESSION_CGROUP"
        fi ;;
        esac
    done </proc/self/cgroup
}

_session_start_manager() {
    SESSION_CGROUP=netctl-e2e-$$
    SESSION_CGROUP_DIRS=()
    local d
    while read -r d; do
        # Read-only cgroupfs (some containers): no safe place for a manager.
        mkdir "$d" || skip "cannot create cgroup $d for systemd --user (read-only /sys/fs/cgroup?)"
        SESSION_CGROUP_DIRS+=("$d")
    done < <(_session_cgroup_dirs)
    ((${#SESSION_CGROUP_DIRS[@]})) || fail "no cgroup hierarchy found to run systemd --user in"
    _SESSION_PID1_CGROUP=$(cat /proc/1/cgroup)

    # The wrapper moves itself into the new cgroup(s), records its pid and
    # becomes the manager, in its own session so a Ctrl-C or the runner's
    # timeout reaches the test (which then stops the manager properly).
    # The manager starts from a login-like environment, not the caller's.
    local pidfile=$SESSION_DIR/manager.pid
    # shellcheck disable=SC2016  # $$ and $@ belong to the inner bash
    setsid env -i PATH=/usr/local/bin:/usr/bin:/bin USER="$(id -un)" \
        LOGNAME="$(id -un)" SHELL=/bin/bash HOME="$HOME" LANG="$LANG" TZ="$TZ" \
        XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" XDG_DATA_HOME="$XDG_DATA_HOME" \
        XDG_CONFIG_HOME="$XDG_CONFIG_HOME" XDG_STATE_HOME="$XDG_STATE_HOME" \
        XDG_CACHE_HOME="$XDG_CACHE_HOME" \
        DBUS_SESSION_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS" \
        "$BASH" -c '
        for d in "$@"; do echo $$ >"$d/cgroup.procs" || exit 1; done
        echo $$ >"$0"
        exec '"$SYSTEMD_USER"' --user' "$pidfile" "${SESSION_CGROUP_DIRS[@]}" \
        >"$SESSION_DIR/systemd.log" 2>&1 </dev/null &
    wait_until 10 test -s "$pidfile" ||
        { cat "$SESSION_DIR/systemd.log" >&2; fail "systemd --user did not start"; }
    SESSION_MANAGER_PID=$(cat "$pidfile")
    if ! wait_until 20 _session_manager_up; then
        cat "$SESSION_DIR/systemd.log" >&2
        fail "systemd --user is not running (state: $(systemctl --user is-system-running 2>&1))"
    fi
    if [[ $(cat /proc/1/cgroup) != "$_SESSION_PID1_CGROUP" ]]; then
        fail "systemd --user moved processes outside its own cgroup (PID 1's cgroup changed)"
    fi
}

_session_manager_up() {
    pid_alive "$SESSION_MANAGER_PID" || fail "systemd --user exited: $(tail -n 20 "$SESSION_DIR/systemd.log")"
    local state
    state=$(systemctl --user is-system-running 2>/dev/null) || true
    [[ $state == running || $state == degraded ]]
}

session_teardown() {
    set +e
    if [[ ${TEST_EXIT_STATUS:-0} != 0 && ${TEST_EXIT_STATUS:-0} != 77 ]]; then
        session_diagnostics
    fi
    mock_stop
    if [[ -n ${SESSION_MANAGER_PID:-} ]] && pid_alive "$SESSION_MANAGER_PID"; then
        # Stops every unit (netctld, dunst, dbus) and then the manager.
        systemctl --user --no-block exit >/dev/null 2>&1 ||
            kill -TERM "$SESSION_MANAGER_PID" 2>/dev/null
        if ! wait_until 30 pid_gone "$SESSION_MANAGER_PID"; then
            log "systemd --user did not exit within 30 s; killing it"
            kill -KILL "$SESSION_MANAGER_PID" 2>/dev/null
        fi
    fi
    _session_cgroup_cleanup
    [[ -n ${XVFB_PID:-} ]] && { stop_pid "$XVFB_PID" 5; XVFB_PID=; }
    return 0
}

# Whatever is left in the manager's cgroup (a unit that ignored SIGTERM, a
# double-forked helper) is killed, then the cgroup tree is removed in every
# hierarchy the manager created it in.
_session_cgroup_cleanup() {
    [[ -n ${SESSION_CGROUP:-} ]] || return 0
    local d pid procs tries
    for tries in 1 2 3 4 5 6 7 8 9 10; do
        procs=$(for d in "${SESSION_CGROUP_DIRS[@]}"; do
            find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null
        done | sort -u)
        [[ -z $procs ]] && break
        for pid in $procs; do
            kill -KILL "$pid" 2>/dev/null && log "killed leftover process $pid ($(cat "/proc/$pid/comm" 2>/dev/null))"
        done
        wait_until 2 _session_cgroup_empty || true
    done
    : "$tries"
    local rel=${SESSION_CGROUP_DIRS[0]#/sys/fs/cgroup/*/}
    for d in /sys/fs/cgroup/*/"$rel" "${SESSION_CGROUP_DIRS[@]}"; do
        [[ -d $d ]] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
    done
    SESSION_CGROUP=
}

_session_cgroup_empty() {
    local d
    for d in "${SESSION_CGROUP_DIRS[@]}"; do
        [[ -z $(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null) ]] || return 1
    done
}

# session_diagnostics: what a failing test leaves in its log.
session_diagnostics() {
    log "=== diagnostics ==="
    systemctl --user --no-pager status netctld.service >&2 2>&1
    systemctl --user --no-pager list-units --all 'netctl*' 'dunst*' 'dbus*' >&2 2>&1
    if [[ -s $SESSION_DIR/netctld.log ]]; then
        log "--- netctld's output (last 80 lines):"
        tail -n 80 "$SESSION_DIR/netctld.log" >&2
    fi
    if [[ -s $SESSION_DIR/systemd.log ]]; then
        log "--- systemd --user (last 40 lines):"
        tail -n 40 "$SESSION_DIR/systemd.log" >&2
    fi
    if [[ -s ${MOCK_LOG:-/dev/null} ]]; then
        log "--- notification mock (last 40 lines):"
        tail -n 40 "$MOCK_LOG" >&2
    fi
    log "=== end of diagnostics ==="
}


# --- netctl in the session ----------------------------------------------------

# netctl ARGS...: the installed client, as a user would run it.
netctl() { "$NETCTL_CLI" "$@"; }

# session_install_netctl: `make install` into the temporary HOME, a drop-in
# that sends netctld's output to $SESSION_DIR/netctld.log (there is no
# journald in the namespace), and reloads systemd and the bus so both see
# the new unit and activation file.
#
# make runs on a copy of the build directory under test without its
# generated unit and activation files (they embed the bindir of whoever
# generated them, and the shared build directory must not end up holding
# this test's temporary PREFIX), and is told the two binaries are up to date
# (-o): the test installs exactly the binaries under test, never a rebuild.
# (tests/e2e/install.sh checks that make itself regenerates those files.)
session_install_netctl() {
    local build=$SESSION_DIR/build
    cp -a "$NETCTL_BUILD" "$build" || fail "cannot copy $NETCTL_BUILD"
    find "$build" -type f -name '*.service' -delete
    if ! make -C "$NETCTL_SRC" --no-print-directory install \
        -o "$build/netctld" -o "$build/netctl" -o "$build/libnetctl-client.so" \
        PREFIX="$HOME/.local" BUILD="$build" >"$SESSION_DIR/install.log" 2>&1; then
        cat "$SESSION_DIR/install.log" >&2
        fail "make install PREFIX=$HOME/.local failed"
    fi
    if ! cmp -s "$build/netctld" "$HOME/.local/bin/netctld" ||
        ! cmp -s "$build/netctl" "$HOME/.local/bin/netctl" ||
        ! cmp -s "$build/libnetctl-client.so" "$HOME/.local/lib/netctl/libnetctl-client.so"; then
        fail "make install did not install the binaries under test"
    fi
    local unit=$HOME/.local/share/systemd/user/netctld.service
    local act=$HOME/.local/share/dbus-1/services/$BUS_NAME.service
    [[ -x $NETCTL_CLI && -x $HOME/.local/bin/netctld ]] ||
        fail "make install did not put netctl and netctld in ~/.local/bin"
    [[ -f $unit ]] || fail "make install did not install $unit"
    [[ -f $act ]] || fail "make install did not install $act"
    # A unit generated for another PREFIX would start some other netctld.
    grep -q "^ExecStart=$HOME/.local/bin/netctld" "$unit" ||
        fail "installed unit's ExecStart does not point at $HOME/.local/bin/netctld" \
            "(a generated file not regenerated for this PREFIX?): $(grep ExecStart "$unit")"
    grep -q '^SystemdService=netctld.service' "$act" ||
        fail "activation file lacks SystemdService=netctld.service"
    grep -q "^Name=$BUS_NAME\$" "$act" || fail "activation file lacks Name=$BUS_NAME"

    mkdir -p "$HOME/.config/systemd/user/netctld.service.d"
    cat >"$HOME/.config/systemd/user/netctld.service.d/50-test-output.conf" <<EOF
# Added by tests/lib/session.sh: no journald runs in the test namespace.
[Service]
StandardOutput=append:$SESSION_DIR/netctld.log
StandardError=append:$SESSION_DIR/netctld.log
EOF
    systemctl --user daemon-reload || fail "systemctl --user daemon-reload failed"
    busctl --user call org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus ReloadConfig >/dev/null || fail "bus ReloadConfig failed"
    wait_until 10 _bus_activatable "$BUS_NAME" ||
        fail "$BUS_NAME is not activatable on the user bus after install"
    systemctl --user cat netctld.service >/dev/null 2>&1 ||
        fail "systemd --user does not know netctld.service after install"
    log "netctl installed in $HOME/.local"
}

_bus_activatable() {
    busctl --user call org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus ListActivatableNames 2>/dev/null | grep -qF "\"$1\""
}

# session_assert_private_db: netctld's database is in the temporary HOME
# (never the real user's).  Starts netctld if need be.
session_assert_private_db() {
    local db
    db=$(netctl status --json | jq -r .database) || fail "netctl status --json failed"
    [[ $db == "$HOME"/* ]] || fail "netctld uses $db, outside the test's HOME $HOME"
}

# netctld_pid: MainPID of netctld.service (0 when not running).
netctld_pid() { systemctl --user show -p MainPID --value netctld.service; }
netctld_active() { [[ $(systemctl --user is-active netctld.service 2>/dev/null) == active ]]; }
# bus_owner_pid NAME: pid of the connection owning NAME.
bus_owner_pid() {
    busctl --user call org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus GetConnectionUnixProcessID s "$1" | awk '{print $2}'
}

# --- the notification server ------------------------------------------------

# session_start_x: Xvfb on a free display, DISPLAY for the test and for
# everything the manager starts from now on.
session_start_x() {
    [[ -n ${XVFB_PID:-} ]] && return 0
    command -v Xvfb >/dev/null || fail "Xvfb not found (package xvfb)"
    Xvfb -displayfd 3 -nolisten tcp -screen 0 1280x800x24 \
        3>"$SESSION_DIR/display" >"$SESSION_DIR/xvfb.log" 2>&1 </dev/null &
    XVFB_PID=$!
    wait_until 15 test -s "$SESSION_DIR/display" ||
        { cat "$SESSION_DIR/xvfb.log" >&2; fail "Xvfb did not report a display"; }
    DISPLAY=:$(head -n1 "$SESSION_DIR/display")
    export DISPLAY
    systemctl --user set-environment DISPLAY="$DISPLAY" ||
        fail "systemctl --user set-environment DISPLAY failed"
    log "Xvfb on $DISPLAY (pid $XVFB_PID)"
}

# session_start_dunst: the real thing.  dunst is not started by hand: the
# first call to org.freedesktop.Notifications activates dunst.service.
session_start_dunst() {
    command -v dunstctl >/dev/null || fail "dunstctl not found (package dunst)"
    session_start_x
    wait_until 15 dunstctl count >/dev/null 2>&1 ||
        fail "dunst did not come up through D-Bus activation: $(dunstctl count 2>&1)"
    [[ $(systemctl --user is-active dunst.service) == active ]] ||
        fail "org.freedesktop.Notifications is not served by dunst.service"
    log "dunst active (pid $(systemctl --user show -p MainPID --value dunst.service))"
}

# dunst_history_json: every notification dunst has closed, newest first, as
# a JSON array of {id, appname, summary, body, timestamp_wall} where
# timestamp_wall is when dunst received it, in Unix seconds (float).
# Displayed notifications only reach the history when closed: call
# `dunstctl close-all` first to include them.
dunst_history_json() {
    local offset
    # dunst stamps notifications with CLOCK_BOOTTIME (CLOCK_MONOTONIC off
    # Linux) in microseconds; translate to wall time.
    offset=$("$PY" -c 'import time; print(time.time() - time.clock_gettime(time.CLOCK_BOOTTIME))')
    dunstctl history | jq --argjson off "$offset" '[.data[0][] | {
        id: .id.data, appname: .appname.data, summary: .summary.data,
        body: .body.data, timestamp_wall: (.timestamp.data / 1000000 + $off)}]'
}

# dunst_shown: number of notifications displayed or waiting.
dunst_shown() {
    dunstctl count displayed 2>/dev/null
}

# session_use_dbusmock_notifications: python3-dbusmock's notification_daemon
# as the notification server instead of dunst (which is masked so that bus
# activation cannot start it behind the mock's back).  The mock advertises
# the "actions" capability, as dunst does.
session_use_dbusmock_notifications() {
    systemctl --user mask --runtime dunst.service >/dev/null 2>&1 ||
        fail "cannot mask dunst.service"
    mock_start
}

