#!/bin/bash
# Callers whose uid differs from the daemon's are refused: a private bus that
# lets any uid connect, and user "nobody" calling every method gets
# org.netctl.Netctl1.Error.AccessDenied (reads too: the schedule is
# private); the client run as nobody exits 1 with a sentence; nothing
# changes.  Needs root (to run commands as another uid): skips otherwise.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

[[ $EUID -eq 0 ]] || skip "needs root to call the daemon as another user"
command -v setpriv >/dev/null || skip "setpriv not found (package util-linux)"
OTHER_UID=$(id -u nobody 2>/dev/null) || skip "no user 'nobody'"
OTHER_GID=$(id -g nobody)

BUS_ALLOW_ANY_USER=1 bus_start
# nobody needs to reach the socket (the daemon's own files stay 0700).
chmod 0711 "$BUS_DIR"
daemon_start

A=$(netctl add -q "Private: ask Ana about the data team" --in 1d)
snapshot "$BUS_DIR/before.json"

# as_nobody CMD...: CMD as uid/gid nobody, on the same bus.
as_nobody() {
    setpriv --reuid="$OTHER_UID" --regid="$OTHER_GID" --clear-groups \
        env HOME=/nonexistent XDG_RUNTIME_DIR=/nonexistent \
        DBUS_SESSION_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS" "$@"
}

# The bus lets nobody in at all (else the test proves nothing).
run as_nobody busctl --user call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetId
assert_eq "$RC" 0 "nobody can talk to the bus daemon"

future=$(($(now_s) + 3600))
calls=(
    "Followups Add sxa{sv} intruder $future 0"
    "Followups Get t $A"
    "Followups List xxs 0 253402300799 all"
    "Followups Done t $A"
    "Followups Snooze tx $A $future"
    "Followups Remove t $A"
    "Followups Edit ta{sv} $A 1 text s pwned"
    "Manager GetStatus"
)
for c in "${calls[@]}"; do
    read -ra argv <<<"$c"
    iface=${argv[0]} method=${argv[1]}
    run as_nobody env SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_COLOR=0 \
        busctl --user --timeout=10 call -- "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE.$iface" "$method" "${argv[@]:2}"
    name=$(sed -n 's/^Got message type=error .*error-name=\([^ ]*\).*/\1/p' <<<"$ERR" | tail -n1)
    assert_eq "$name" "$BUS_ERROR.AccessDenied" "error for $iface.$method from another uid"
    ok "AccessDenied <- $iface.$method as nobody"
done

run as_nobody "$NETCTL_CLI" list
assert_eq "$RC" 1 "netctl list as another user: exit status"
assert_match "$ERR" '^netctl: [^[:space:]]' "netctl list as another user: message"
ok "netctl as another user: exit 1, '$ERR'"

# The direct socket (daemon/bus-direct.c): nobody cannot reach it, and
# with the way opened up netctld itself closes another uid's connection.
SOCK=$XDG_RUNTIME_DIR/netctl/private
wait_until 10 test -S "$SOCK" || fail "no direct socket at $SOCK"
direct_as_nobody() {
    run as_nobody env XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" "$NETCTL_CLI" list
    assert_eq "$RC" 1 "netctl list as nobody, XDG_RUNTIME_DIR the daemon's: exit status"
}
direct_as_nobody
grep -q "Refused a direct connection" "$DAEMON_LOG" &&
    fail "nobody reached the direct socket through its 0700 directory"
ok "direct socket out of nobody's reach (0700 directory)"
chmod 0711 "$XDG_RUNTIME_DIR" "$XDG_RUNTIME_DIR/netctl"
chmod 0777 "$SOCK"
direct_as_nobody
chmod 0700 "$XDG_RUNTIME_DIR" "$XDG_RUNTIME_DIR/netctl"
chmod 0755 "$SOCK"
wait_until 10 grep -q "Refused a direct connection from uid $OTHER_UID" "$DAEMON_LOG" ||
    fail "netctld did not refuse nobody's direct connection"
ok "direct connection from another uid refused by netctld"

snapshot "$BUS_DIR/after.json"
assert_same_schedule "$BUS_DIR/before.json" "$BUS_DIR/after.json" "after calls from another uid"
ok "schedule unchanged"
