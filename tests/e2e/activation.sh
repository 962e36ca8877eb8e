#!/bin/bash
# In a real user session (systemd --user + dbus-user-session), netctl
# installed with `make install` into the user's home:
#  - nothing runs until the first `netctl` call, which starts netctld.service
#    by D-Bus activation (the name's owner is the unit's MainPID);
#  - `systemctl --user status netctld` shows a Status: line naming the next
#    due follow-up, and it follows changes;
#  - `systemctl --user restart netctld` loses nothing (the whole schedule is
#    byte-identical before and after) and the new process serves it;
#  - it serves the direct socket in the unit's 0700 RuntimeDirectory;
#  - `systemctl --user stop` makes it exit cleanly (inactive, not failed)
#    and takes the socket away;
#  - so does any other D-Bus client (busctl), through the installed
#    activation file (SystemdService=netctld.service).
# shellcheck source-path=SCRIPTDIR disable=SC1010  # "done" is a verb here
set -euo pipefail
# shellcheck source=../lib/session.sh
. "$(dirname "$0")/../lib/session.sh"
session_init "$@"
session_install_netctl

# --- D-Bus activation -------------------------------------------------------------

state=$(systemctl --user is-active netctld.service || true)
assert_eq "$state" inactive "netctld before the first netctl call"
bus_has_name "$BUS_NAME" && fail "$BUS_NAME has an owner before the first call"

expect_ok netctl status
state=$(systemctl --user is-active netctld.service || true)
assert_eq "$state" active "netctld after the first netctl call"
pid=$(netctld_pid)
[[ $pid -gt 0 ]] || fail "netctld.service has no MainPID"
assert_eq "$(bus_owner_pid "$BUS_NAME")" "$pid" "owner of $BUS_NAME vs MainPID of netctld.service"
assert_eq "$(readlink "/proc/$pid/exe")" "$HOME/.local/bin/netctld" "the running netctld binary"
session_assert_private_db
ok "first netctl call activated netctld.service (pid $pid)"

# The unit's RuntimeDirectory holds the direct socket, and netctl uses it:
# the socket's peer is netctld itself.
SOCK=$XDG_RUNTIME_DIR/netctl/private
wait_until 10 test -S "$SOCK" || fail "no direct socket at $SOCK under the unit"
assert_eq "$(stat -c '%a %U' "$XDG_RUNTIME_DIR/netctl")" "700 $(id -un)" "the socket's directory"
ok "under the unit netctld serves the direct socket in a 0700 runtime directory"

# --- the Status: line ----------------------------------------------------------------

A=$(netctl add -q "Send Ana the article on data teams" --in 2d)
B=$(netctl add -q "Thank Bo for the intro" --in 3d)
# status_names ID TEXT: the unit's status text names that follow-up.
status_names() {
    local s
    s=$(systemctl --user show -p StatusText --value netctld.service)
    [[ $s == *"#$1"* || $s == *"$2"* ]]
}
wait_until 10 status_names "$A" "Send Ana" ||
    fail "StatusText does not name the next due #$A: '$(systemctl --user show -p StatusText --value netctld.service)'"
run systemctl --user --no-pager status netctld.service
line=$(grep -E '^ *Status: ' <<<"$OUT") || fail "no Status: line in systemctl --user status: $OUT"
[[ $line == *"#$A"* || $line == *"Send Ana"* ]] || fail "Status: line does not name #$A: $line"
ok "systemctl --user status: $line"

# It follows the schedule: once #A is done, #B is next.
expect_ok netctl done "$A"
wait_until 10 status_names "$B" "Thank Bo" ||
    fail "StatusText does not move on to #$B: '$(systemctl --user show -p StatusText --value netctld.service)'"
ok "Status: follows changes (now #$B)"

# --- restart loses nothing -----------------------------------------------------------------

netctl add -q "Keep in touch with Chen" --in 1w --every 2w >/dev/null
netctl add -q "Monthly note to Dara" --due 2031-03-01T10:00 --every 4w --fixed >/dev/null
snapshot "$SESSION_DIR/before.json"
old=$(netctld_pid)
systemctl --user restart netctld.service || fail "systemctl --user restart netctld failed"
wait_until 15 netctld_active || fail "netctld not active after restart"
new=$(netctld_pid)
[[ $new -gt 0 && $new != "$old" ]] || fail "restart did not start a new process ($old -> $new)"
snapshot "$SESSION_DIR/after.json"
assert_same_schedule "$SESSION_DIR/before.json" "$SESSION_DIR/after.json" "across systemctl --user restart"
assert_eq "$(bus_owner_pid "$BUS_NAME")" "$new" "owner of $BUS_NAME after restart"
ok "restart: new pid $new, schedule byte-identical ($(jq length "$SESSION_DIR/after.json") follow-ups)"

# --- clean stop ------------------------------------------------------------------------------

systemctl --user stop netctld.service
state=$(systemctl --user is-active netctld.service || true)
assert_eq "$state" inactive "netctld after systemctl --user stop"
result=$(systemctl --user show -p Result --value netctld.service)
assert_eq "$result" success "netctld's result after stop"
[[ ! -e $SOCK ]] || fail "the direct socket outlived the stop"
# ... and the next call activates it again.
expect_ok netctl list
netctld_active || fail "netctl list did not re-activate netctld"
ok "stop is clean; the next call activates netctld again"

# --- D-Bus activation, for any client -----------------------------------------------------------

systemctl --user stop netctld.service
state=$(systemctl --user is-active netctld.service || true)
assert_eq "$state" inactive "netctld after the second stop"
# busctl asks with auto-start: dbus-daemon activates the name through systemd.
busctl --user call "$BUS_NAME" /org/netctl/Netctl1 org.freedesktop.DBus.Peer Ping >/dev/null ||
    fail "busctl could not reach $BUS_NAME by D-Bus activation"
wait_until 15 netctld_active || fail "D-Bus activation did not start netctld.service"
assert_eq "$(bus_owner_pid "$BUS_NAME")" "$(netctld_pid)" "owner of $BUS_NAME after D-Bus activation"
ok "a plain D-Bus call (busctl) activates netctld.service through its activation file"
