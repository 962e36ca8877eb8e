#!/bin/bash
# Every entry point from another uid, found by introspection rather than
# listed by hand (tests/bus/access.sh covers the core methods and the
# client; this one covers what it does not):
#  - every method of every org.netctl.Netctl1.* interface, called by user
#    "nobody" with arguments of the right signature, is answered with
#    org.netctl.Netctl1.Error.AccessDenied (so a method added later without
#    the caller check fails here); one that takes a file descriptor
#    (ImportFd) is called through python's dbus with /dev/null's;
#  - org.freedesktop.DBus.Properties Get, GetAll and Set on every
#    interface are refused the same way: properties carry schedule data
#    (Manager.NextDue, Breaks.State).  daemon/bus.c refuses them in one
#    sd-bus filter;
#  - Introspectable.Introspect and Peer.Ping are answered: they tell only
#    the public API (shipped as share/org.netctl.Netctl1.xml), no user data;
#  - the same calls from the daemon's own uid are not refused (the check
#    compares uids, it does not refuse everyone);
#  - nothing changes meanwhile (schedule and contacts byte-identical).
# Needs root (to run commands as another uid): skips otherwise.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

[[ $EUID -eq 0 ]] || skip "needs root to call the daemon as another user"
command -v setpriv >/dev/null || skip "setpriv not found (package util-linux)"
OTHER_UID=$(id -u nobody 2>/dev/null) || skip "no user 'nobody'"
OTHER_GID=$(id -g nobody)

BUS_ALLOW_ANY_USER=1 bus_start
chmod 0711 "$BUS_DIR"
daemon_start

A=$(netctl add -q "Private: ask Ana about the data team" --in 1d)
netctl contact add -q "Ana Lima" --email ana@example.org >/dev/null
snapshot "$BUS_DIR/before.json"
netctl contact list --json >"$BUS_DIR/contacts-before.json"

as_nobody() {
    setpriv --reuid="$OTHER_UID" --regid="$OTHER_GID" --clear-groups \
        env HOME=/nonexistent XDG_RUNTIME_DIR=/nonexistent \
        DBUS_SESSION_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS" "$@"
}

# error_of [as_nobody] busctl-args...: the error name of the reply, "" on success.
error_of() {
    local pre=()
    if [[ $1 == as_nobody ]]; then pre=(as_nobody); shift; fi
    run "${pre[@]}" env SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_COLOR=0 \
        busctl --user --timeout=10 "$@"
    sed -n 's/^Got message type=error .*error-name=\([^ ]*\).*/\1/p' <<<"$ERR" | tail -n1
}

# --- the methods, from introspection ------------------------------------------------

busctl --user introspect --xml-interface "$BUS_NAME" "$BUS_PATH" >"$BUS_DIR/api.xml" ||
    fail "cannot introspect $BUS_NAME"
# One line per method: interface, method, signature, then busctl arguments
# of that signature (strings "x", numbers 1, booleans false, empty arrays).
"$PY" - "$BUS_DIR/api.xml" >"$BUS_DIR/calls.txt" <<'EOF'
import sys
import xml.etree.ElementTree as ET

def skip(sig, i):
    """The index after the complete type starting at sig[i]."""
    c = sig[i]
    if c == 'a':
        return skip(sig, i + 1)
    if c in '({':
        close = ')' if c == '(' else '}'
        i += 1
        while sig[i] != close:
            i = skip(sig, i)
        return i + 1
    return i + 1

def args_for(sig):
    out = []
    def one(i):
        c = sig[i]
        if c in 'sog':
            out.append({'s': 'x', 'o': '/', 'g': 's'}[c])
        elif c == 'b':
            out.append('false')
        elif c in 'ynqiuxtdh':
            out.append('1')
        elif c == 'a':
            out.append('0')          # an empty array
        elif c == '(':
            i += 1
            while sig[i] != ')':
                i = one(i)
            return i + 1
        elif c == 'v':
            out.extend(['s', 'x'])
        else:
            sys.exit('unsupported signature ' + sig)
        return skip(sig, i)
    i = 0
    while i < len(sig):
        i = one(i)
    return out

for iface in ET.parse(sys.argv[1]).getroot().iter('interface'):
    name = iface.get('name')
    if not name.startswith('org.netctl.Netctl1'):
        continue
    for m in iface.iter('method'):
        sig = ''.join(a.get('type') for a in m.iter('arg') if a.get('direction', 'in') == 'in')
        print('|'.join([name, m.get('name'), sig] + args_for(sig)))
    for p in iface.iter('property'):
        print('|'.join(['PROPERTY', name, p.get('name'), p.get('type')]))
EOF
n_methods=$(grep -vc '^PROPERTY' "$BUS_DIR/calls.txt" || true)
n_props=$(grep -c '^PROPERTY' "$BUS_DIR/calls.txt" || true)
((n_methods >= 20)) || fail "introspection lists only $n_methods methods: $(cat "$BUS_DIR/calls.txt")"
((n_props >= 1)) || fail "introspection lists no properties"
log "$n_methods methods and $n_props properties to try as nobody"

# The bus lets nobody in at all (else the test proves nothing).
run as_nobody busctl --user call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetId
assert_eq "$RC" 0 "nobody can talk to the bus daemon"

# error_of_fd_call IFACE METHOD SIG: the call as nobody through python's
# dbus, which can send file descriptors (busctl cannot): each h is an fd
# of /dev/null, each s "x"; the error name of the reply, "" on success.
error_of_fd_call() {
    run as_nobody "$PY" -c '
import sys, dbus
name, path, iface, method, sig = sys.argv[1:6]
values = {"s": "x", "h": dbus.types.UnixFd(open("/dev/null")), "b": False}
if not set(sig) <= set(values) | set("ynqiuxtd"):
    sys.exit("unsupported signature " + sig)
args = [values.get(c, 1) for c in sig]
try:
    dbus.SessionBus().call_blocking(name, path, iface, method, sig, args, timeout=10)
except dbus.exceptions.DBusException as e:
    print(e.get_dbus_name())' "$BUS_NAME" "$BUS_PATH" "$1" "$2" "$3"
    [[ $RC == 0 ]] || { _show_run python3 "$1.$2"; fail "calling $1.$2 with a file descriptor failed"; }
    printf '%s\n' "$OUT"
}

while IFS='|' read -r -a f; do
    [[ ${f[0]} == PROPERTY ]] && continue
    iface=${f[0]} method=${f[1]} sig=${f[2]:-}
    if [[ $sig == *h* ]]; then
        name=$(error_of_fd_call "$iface" "$method" "$sig")
    else
        name=$(error_of as_nobody call -- "$BUS_NAME" "$BUS_PATH" "$iface" "$method" ${sig:+"$sig"} "${f[@]:3}")
    fi
    assert_eq "$name" "$BUS_ERROR.AccessDenied" "error for ${iface##*.}.$method($sig) from another uid"
done <"$BUS_DIR/calls.txt"
ok "all $n_methods methods refuse nobody with AccessDenied"

# --- properties ---------------------------------------------------------------------------

PROPS=org.freedesktop.DBus.Properties
while IFS='|' read -r _ iface prop type; do
    name=$(error_of as_nobody call -- "$BUS_NAME" "$BUS_PATH" $PROPS Get ss "$iface" "$prop")
    assert_eq "$name" "$BUS_ERROR.AccessDenied" "Properties.Get $iface.$prop from another uid"
    name=$(error_of as_nobody get-property -- "$BUS_NAME" "$BUS_PATH" "$iface" "$prop")
    assert_eq "$name" "$BUS_ERROR.AccessDenied" "busctl get-property $iface.$prop from another uid"
    name=$(error_of as_nobody call -- "$BUS_NAME" "$BUS_PATH" $PROPS Set ssv "$iface" "$prop" "$type" 1)
    assert_eq "$name" "$BUS_ERROR.AccessDenied" "Properties.Set $iface.$prop from another uid"
    # Our own uid reads it.
    name=$(error_of call -- "$BUS_NAME" "$BUS_PATH" $PROPS Get ss "$iface" "$prop")
    assert_eq "$name" "" "Properties.Get $iface.$prop from the daemon's own uid"
done < <(grep '^PROPERTY' "$BUS_DIR/calls.txt")
while read -r iface; do
    name=$(error_of as_nobody call -- "$BUS_NAME" "$BUS_PATH" $PROPS GetAll s "$iface")
    assert_eq "$name" "$BUS_ERROR.AccessDenied" "Properties.GetAll $iface from another uid"
done < <(cut -d'|' -f1 "$BUS_DIR/calls.txt" | grep -v PROPERTY | sort -u)
name=$(error_of as_nobody call -- "$BUS_NAME" "$BUS_PATH" $PROPS GetAll s "")
assert_eq "$name" "$BUS_ERROR.AccessDenied" "Properties.GetAll of every interface from another uid"
ok "Properties.Get/GetAll/Set refused for nobody, answered for the owner"

# --- the public API stays readable ---------------------------------------------------------

run as_nobody busctl --user call -- "$BUS_NAME" "$BUS_PATH" org.freedesktop.DBus.Introspectable Introspect
assert_eq "$RC" 0 "Introspect from another uid"
[[ $OUT == *org.netctl.Netctl1.Followups* && $OUT != *Ana* ]] ||
    fail "Introspect as nobody: expected the API and no user data: ${OUT:0:300}"
run as_nobody busctl --user call -- "$BUS_NAME" "$BUS_PATH" org.freedesktop.DBus.Peer Ping
assert_eq "$RC" 0 "Peer.Ping from another uid"
ok "Introspect and Peer.Ping answered (API only, no data)"

# --- nothing changed, and the daemon still serves its user ----------------------------

daemon_alive || fail "netctld died"
snapshot "$BUS_DIR/after.json"
assert_same_schedule "$BUS_DIR/before.json" "$BUS_DIR/after.json" "after calls from another uid"
netctl contact list --json >"$BUS_DIR/contacts-after.json"
cmp -s "$BUS_DIR/contacts-before.json" "$BUS_DIR/contacts-after.json" ||
    fail "the contacts changed after calls from another uid"
expect_ok netctl show "$A"
ok "schedule and contacts unchanged; the owner is still served"
