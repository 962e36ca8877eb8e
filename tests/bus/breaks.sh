#!/bin/bash
# The break cycle against the session's idle sources, on private buses:
# python3-dbusmock's logind template on a second dbus-daemon configured as a
# system bus (its address handed to netctld in DBUS_SYSTEM_BUS_ADDRESS), its
# gnome_screensaver template and notification_daemon on the session bus.
# Short cycles from the config (work 3 s, break 2 s), no long sleeps:
#  - presence from logind's session IdleHint (found by GetSessionByPID) and
#    from org.gnome.ScreenSaver, named in `netctl break status --json`;
#  - active time counts, idle time does not; an idle stretch as long as a
#    break counts as one and restarts the cycle;
#  - "Time for a break" with Start break / In N min / Skip, and its actions;
#  - `break take`, then "Welcome back" when the break ends;
#  - `break pause [DURATION]` and `resume`, and a pause outlives a restart;
#  - a suspend (logind PrepareForSleep) counts as a break;
#  - a user service outside any session follows the user's display session
#    (User.Display) instead;
#  - with neither logind nor a screen saver the cycle runs on wall time and
#    status says so;
#  - a bad config value is reported with its line and the cycle keeps the
#    config in force.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

"$PY" -c 'import dbusmock' 2>/dev/null || skip "python3-dbusmock is not importable by $PY"

export TZ=Europe/Berlin
bus_start
CONF=$XDG_CONFIG_HOME/netctl/netctl.conf
mkdir -p "${CONF%/*}"
ME_UID=$(id -u)
ME_NAME=$(id -un)

# --- a private system bus with logind on it ---------------------------------------------------

# system_bus_start: a second dbus-daemon with a system-style configuration
# (type system, its own socket, nothing activatable), exported as
# DBUS_SYSTEM_BUS_ADDRESS for netctld, gdbus --system and busctl --system.
system_bus_start() {
    SYS_DIR=$BUS_DIR/system
    mkdir -p "$SYS_DIR"
    cat >"$SYS_DIR/system.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <keep_umask/>
  <listen>unix:path=$SYS_DIR/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
    dbus-daemon --config-file="$SYS_DIR/system.conf" --nofork --nopidfile --nosyslog \
        --print-address=3 3>"$SYS_DIR/address" >"$SYS_DIR/dbus-daemon.log" 2>&1 &
    SYS_BUS_PID=$!
    on_exit system_bus_stop
    wait_until 10 test -s "$SYS_DIR/address" ||
        { cat "$SYS_DIR/dbus-daemon.log" >&2; fail "the system-style dbus-daemon did not start"; }
    DBUS_SYSTEM_BUS_ADDRESS=$(head -n1 "$SYS_DIR/address")
    export DBUS_SYSTEM_BUS_ADDRESS
    log "private system bus: $DBUS_SYSTEM_BUS_ADDRESS"
}
system_bus_stop() {
    [[ -n ${SYS_BUS_PID:-} ]] || return 0
    stop_pid "$SYS_BUS_PID" 5 || true
    SYS_BUS_PID=
}

sys_has_name() {
    [[ $(busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
        NameHasOwner s "$1" 2>/dev/null) == "b true" ]]
}

# logind_start: dbusmock's logind template on the private system bus.
logind_start() {
    "$PY" -m dbusmock --template logind >>"$BUS_DIR/logind.log" 2>&1 </dev/null &
    LOGIND_PID=$!
    [[ -n ${_LOGIND_HOOKED:-} ]] || { on_exit logind_stop; _LOGIND_HOOKED=1; }
    wait_until 15 sys_has_name org.freedesktop.login1 ||
        { cat "$BUS_DIR/logind.log" >&2; fail "dbusmock did not take org.freedesktop.login1"; }
    log "dbusmock logind (pid $LOGIND_PID)"
}
logind_stop() {
    [[ -n ${LOGIND_PID:-} ]] || return 0
    stop_pid "$LOGIND_PID" 5 || true
    LOGIND_PID=
}

login_mock() { # PATH METHOD ARGS...: a call on the logind mock's Mock interface
    gdbus call --system --dest org.freedesktop.login1 --object-path "$1" \
        --method "org.freedesktop.DBus.Mock.$2" "${@:3}" >/dev/null
}
set_idle_hint() { # SESSION true|false
    login_mock "/org/freedesktop/login1/session/$1" UpdateProperties org.freedesktop.login1.Session \
        "{'IdleHint': <$2>}"
}
prepare_for_sleep() { # true|false
    login_mock /org/freedesktop/login1 EmitSignal org.freedesktop.login1.Manager PrepareForSleep b "[<$1>]"
}

# --- the screen saver ------------------------------------------------------------------------

screensaver_start() {
    "$PY" -m dbusmock --session --template gnome_screensaver >>"$BUS_DIR/screensaver.log" 2>&1 </dev/null &
    SAVER_PID=$!
    on_exit screensaver_stop
    wait_until 15 bus_has_name org.gnome.ScreenSaver ||
        { cat "$BUS_DIR/screensaver.log" >&2; fail "dbusmock did not take org.gnome.ScreenSaver"; }
}
screensaver_stop() {
    [[ -n ${SAVER_PID:-} ]] || return 0
    stop_pid "$SAVER_PID" 5 || true
    SAVER_PID=
}
set_screensaver() { # true|false
    gdbus call --session --dest org.gnome.ScreenSaver --object-path /org/gnome/ScreenSaver \
        --method org.gnome.ScreenSaver.SetActive "$1" >/dev/null
}

# --- break status ------------------------------------------------------------------------------

bstatus() { netctl break status --json; }
_break_is() { BSTATUS=$(bstatus) && jq -e "$1" <<<"$BSTATUS" >/dev/null; }
# wait_break JQ_CONDITION [SECONDS] [WHAT]: until break status --json satisfies it.
wait_break() {
    wait_until "${2:-15}" _break_is "$1" || fail "${3:-break status} never satisfied $1; last: $(bstatus)"
}
# clock_past T: the wall clock has passed Unix time T (a deadline, not a nap).
clock_past() { (($(now_s) >= $1)); }
for_summary() { printf 'select(.summary == "%s")' "$1"; }

# --- set-up ------------------------------------------------------------------------------------

system_bus_start
logind_start
# A session of ours, and GetSessionByPID finding it (the template lacks it).
login_mock /org/freedesktop/login1 AddSession c1 seat0 "uint32 $ME_UID" "$ME_NAME" true
login_mock /org/freedesktop/login1 AddMethod org.freedesktop.login1.Manager GetSessionByPID u o \
    'ret = "/org/freedesktop/login1/session/c1"'
screensaver_start
mock_start

cat >"$CONF" <<EOF
[breaks]
work = 3s
break = 2s
postpone = 2s
winddown = off
EOF
daemon_start

# --- presence sources --------------------------------------------------------------------------

wait_break '.idle_source != null and (.idle_source | contains("logind session c1")) and
            (.idle_source | contains("org.gnome.ScreenSaver"))' 15 "idle sources"
assert_eq "$(jq -r .wall_time <<<"$BSTATUS")" false "wall_time with sources"
assert_eq "$(jq -r .idle <<<"$BSTATUS")" false "idle at start"
assert_eq "$(jq -r .work_seconds <<<"$BSTATUS")" 3 "work from the config"
assert_eq "$(jq -r .break_seconds <<<"$BSTATUS")" 2 "break from the config"
expect_ok netctl break status
assert_match "$OUT" "Presence: +here, from logind session c1" "human status names the source"
ok "presence from $(jq -r .idle_source <<<"$BSTATUS")"

# --- active time: the break falls due -----------------------------------------------------------

wait_break '.state == "break-due"' 15 "the break falling due"
mock_wait_notify "$(for_summary "Time for a break")" 10 || fail "no break notification: $(mock_calls)"
call=$MOCK_CALL
for key in start-break later skip; do
    jq -e --arg k "$key" '.actions | index($k) != null' <<<"$call" >/dev/null ||
        fail "break notification lacks action $key: $(jq -c .actions <<<"$call")"
done
assert_eq "$(jq -r '.action_labels.later' <<<"$call")" "In 2s" "the later label follows postpone"
ok "after 3 s of activity: \"Time for a break\" with Start break / $(jq -r .action_labels.later <<<"$call") / Skip"

# --- idle does not count; away a break's length is a break ----------------------------------------

set_idle_hint c1 true
wait_break '.idle == true' 10 "logind IdleHint"
a1=$(jq -r .active_seconds <<<"$BSTATUS")
t_idle=$(now_s)
wait_until 10 clock_past $((t_idle + 3)) || fail "clock"
wait_break '.idle == true' 5
assert_eq "$(jq -r .active_seconds <<<"$BSTATUS")" "$a1" "active seconds while idle"
set_idle_hint c1 false
wait_break '.idle == false and .last_break_kind == "idle" and .state == "working"' 10 "the return"
assert_match "$(jq -r .active_seconds <<<"$BSTATUS")" '^[0-2]$' "active seconds after an idle break"
ok "idle time not counted ($a1 s before and after 3 s idle); the idle stretch counted as a break"

# --- the screen saver ----------------------------------------------------------------------------

set_screensaver true
wait_break '.idle == true' 10 "screen saver active"
set_screensaver false
wait_break '.idle == false' 10 "screen saver inactive"
ok "an active screen saver means away"

# --- break take, welcome back ----------------------------------------------------------------------

expect_ok netctl break take
wait_break '.state == "on-break" and .break_ends != null' 5 "break take"
mock_wait_notify "$(for_summary "Welcome back")" 10 || fail "no welcome back: $(mock_calls)"
welcome=$(jq -r .id <<<"$MOCK_CALL")
wait_break '.state != "on-break" and .last_break_kind == "taken"' 5 "the end of the break"
ok "break take: on a break, then \"Welcome back\" after 2 s"

# --- the notification's actions ---------------------------------------------------------------------

# break_after ID: the next "Time for a break" (notification ids only grow).
break_after() {
    mock_wait_notify "select(.summary == \"Time for a break\" and .id > $1)" 15 ||
        fail "no break notification after #$1: $(mock_calls)"
    BREAK_NID=$(jq -r .id <<<"$MOCK_CALL")
}
break_after "$welcome"
mock_invoke "$BREAK_NID" later
wait_break '.state == "working"' 5 "later"
break_after "$BREAK_NID"
mock_invoke "$BREAK_NID" start-break
wait_break '.state == "on-break"' 5 "Start break"
ok "notification actions: later postpones, Start break starts the break"

# --- pause, resume, and a pause across a restart ----------------------------------------------------

t0=$(now_s)
expect_ok netctl break pause 1h
wait_break '.state == "paused" and .paused_until != null' 5 "pause 1h"
until1=$(iso_to_epoch "$(jq -r .paused_until <<<"$BSTATUS")")
((until1 >= t0 + 3600 && until1 <= t0 + 3602)) || fail "paused_until $until1 is not an hour after $t0"
daemon_stop || fail "netctld did not stop cleanly"
daemon_start
wait_break '.state == "paused"' 5 "the pause after a restart"
assert_eq "$(iso_to_epoch "$(jq -r .paused_until <<<"$BSTATUS")")" "$until1" "paused_until after a restart"
expect_ok netctl break resume
wait_break '.state == "working" and .active_seconds <= 1' 5 "resume"
expect_cli_error 1 netctl break resume
assert_match "$ERR" "not paused" "resume when not paused"
expect_ok netctl break pause
wait_break '.state == "paused" and .paused_until == null' 5 "pause until resumed"
daemon_stop || fail "netctld did not stop cleanly"
daemon_start
wait_break '.state == "paused" and .paused_until == null' 5 "an open-ended pause after a restart"
expect_ok netctl break status
assert_match "$OUT" "paused until 'netctl break resume'" "human status of an open-ended pause"
expect_ok netctl break resume
expect_cli_error 2 netctl break pause soon
expect_cli_error 2 netctl break nap
ok "pause 1h and pause until resumed both outlive a restart; resume; bad arguments refused"

# --- a suspend counts as time away ----------------------------------------------------------------

wait_break '.idle_source != null and (.idle_source | contains("logind session c1"))' 10 "sources after restart"
prepare_for_sleep true
wait_break '.idle == true' 10 "PrepareForSleep(true)"
t_sleep=$(now_s)
wait_until 10 clock_past $((t_sleep + 3)) || fail "clock"
prepare_for_sleep false
wait_break '.idle == false and .last_break_kind == "sleep"' 10 "the wake"
ok "a 3 s suspend (PrepareForSleep) counted as a break"

# --- config errors: line named, cycle unchanged ---------------------------------------------------

cat >"$CONF" <<EOF
[breaks]
work = 3x
EOF
expect_cli_error 1 netctl reload
assert_match "$ERR" "netctl.conf:2: \[breaks\] work: \"3x\" is not a duration" "reload error"
wait_break '.work_seconds == 3 and .break_seconds == 2' 5 "the config in force"
kill -HUP "$DAEMON_PID"
wait_until 10 grep -q 'Config not reloaded' "$DAEMON_LOG" || fail "SIGHUP with a bad file: no message"
daemon_alive || fail "netctld died on SIGHUP with a bad config"
wait_break '.work_seconds == 3' 5 "the config in force after SIGHUP"
cat >"$CONF" <<EOF
[breaks]
work = off
EOF
expect_ok netctl reload
wait_break '.state == "off"' 5 "work = off"
expect_cli_error 1 netctl break take
assert_match "$ERR" "Breaks are off" "take with breaks off"
ok "bad values named with their line and ignored; work = off switches breaks off"

# --- a user service: the user's display session -------------------------------------------------

daemon_stop || fail "netctld did not stop cleanly"
logind_stop
wait_until 10 bash -c '! busctl --system status org.freedesktop.login1 >/dev/null 2>&1' || true
logind_start
# No GetSessionByPID answer this time: netctld runs outside any session,
# as under systemd --user.  The user's Display names the session.
login_mock /org/freedesktop/login1 AddSession c2 seat0 "uint32 $ME_UID" "$ME_NAME" true
# The template's GetUser adds a string to a UInt32 (dbusmock 0.28); the
# real one returns the user's path.
login_mock /org/freedesktop/login1 AddMethod org.freedesktop.login1.Manager GetUser u o \
    'ret = "/org/freedesktop/login1/user/%d" % args[0]'
# (Properties.Set: the mock's UpdateProperties cannot take a struct.)
gdbus call --system --dest org.freedesktop.login1 --object-path "/org/freedesktop/login1/user/$ME_UID" \
    --method org.freedesktop.DBus.Properties.Set org.freedesktop.login1.User Display \
    "<('c2', objectpath '/org/freedesktop/login1/session/c2')>" >/dev/null
printf '[breaks]\nwork = 1h\nbreak = 2s\nwinddown = off\n' >"$CONF"
daemon_start
wait_break '.idle_source != null and (.idle_source | contains("logind session c2"))' 15 "the display session"
set_idle_hint c2 true
wait_break '.idle == true' 10 "IdleHint of the display session"
set_idle_hint c2 false
wait_break '.idle == false' 10 "back"
ok "outside a session: idle from the user's display session c2"

# --- no source at all: wall time ------------------------------------------------------------------

daemon_stop || fail "netctld did not stop cleanly"
screensaver_stop
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$BUS_DIR/no-such-bus
daemon_start
wait_break '.wall_time == true and .idle_source == null and .state == "working"' 10 "no sources"
expect_ok netctl break status
assert_match "$OUT" "runs on wall time" "human status says wall time"
ok "no logind, no screen saver: the cycle runs on wall time, and says so"

daemon_alive || fail "netctld died"
