#!/bin/bash
# The D-Bus API itself, driven with busctl on a private bus: introspection
# names every argument (and matches the shipped XML), Add/Get/List/Done/
# Snooze/Edit/Remove do what they say with the wire types documented in
# common/bus-names.h, Changed is emitted for each mutation, recurring
# follow-ups come back from completion or on their fixed schedule, texts
# up to the 1024-byte bound (multi-byte included) round-trip exactly, and
# Manager.GetStatus answers.
# shellcheck source-path=SCRIPTDIR disable=SC1010  # "done" is a verb here
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

bus_start
daemon_start

# --- introspection -------------------------------------------------------------------

busctl --user introspect --xml-interface "$BUS_NAME" "$BUS_PATH" >"$BUS_DIR/live.xml" ||
    fail "introspection failed"
"$PY" - "$BUS_DIR/live.xml" "$NETCTL_SRC/share/org.netctl.Netctl1.xml" <<'EOF' || fail "introspection check failed"
import sys, os
import xml.etree.ElementTree as ET

def members(path):
    out = {}
    for iface in ET.parse(path).getroot().iter('interface'):
        name = iface.get('name')
        if not name.startswith('org.netctl.Netctl1'):
            continue
        for m in list(iface.iter('method')) + list(iface.iter('signal')):
            args = [(a.get('name'), a.get('type'), a.get('direction', 'in' if m.tag == 'method' else 'out'))
                    for a in m.iter('arg')]
            out[(name, m.tag, m.get('name'))] = args
    return out

live = members(sys.argv[1])
bad = [f'{i}.{n} ({t})' for (i, t, n), args in live.items() for a in args if not a[0]]
if bad:
    sys.exit('arguments without names: ' + ', '.join(bad))
need = {('org.netctl.Netctl1.Followups', 'method', m) for m in
        ('Add', 'Get', 'List', 'Done', 'Snooze', 'Remove', 'Edit')}
need |= {('org.netctl.Netctl1.Followups', 'signal', 'Changed'),
         ('org.netctl.Netctl1.Manager', 'method', 'GetStatus')}
missing = need - set(live)
if missing:
    sys.exit('missing from introspection: ' + ', '.join('.'.join(x[::2]) for x in sorted(missing)))
sigs = {(k[0].rsplit('.', 1)[1], k[2]): ''.join(a[1] for a in v if a[2] == 'in')
        for k, v in live.items() if k[1] == 'method'}
want = {('Followups', 'Add'): 'sxa{sv}', ('Followups', 'Get'): 't', ('Followups', 'List'): 'xxs',
        ('Followups', 'Done'): 't', ('Followups', 'Snooze'): 'tx', ('Followups', 'Remove'): 't',
        ('Followups', 'Edit'): 'ta{sv}', ('Manager', 'GetStatus'): ''}
for m, s in want.items():
    if sigs.get(m) != s:
        sys.exit(f'{".".join(m)} takes {sigs.get(m)!r}, documented {s!r}')
shipped = sys.argv[2]
if not os.path.exists(shipped):
    sys.exit(f'{shipped} is missing (SPEC: the introspection XML is shipped in share/)')
ship = members(shipped)
for k, v in ship.items():
    if k not in live:
        sys.exit(f'shipped XML has {".".join(k[::2])}, the daemon does not')
    if [a[1:] for a in v] != [a[1:] for a in live[k]]:
        sys.exit(f'{".".join(k[::2])}: shipped XML {v} differs from the daemon {live[k]}')
for k in live:
    if k not in ship:
        sys.exit(f'the daemon has {".".join(k[::2])}, the shipped XML does not')
EOF
ok "introspection: every argument named, signatures as documented, same as share/"

# --- watch signals ----------------------------------------------------------------------

"$PY" "$TESTLIB/watch-signals.py" "$BUS_DIR/signals.jsonl" "$BUS_DIR/signals.ready" \
    >"$BUS_DIR/watch.log" 2>&1 </dev/null &
on_exit "stop_pid $! 5"
wait_until 10 test -e "$BUS_DIR/signals.ready" || fail "signal watcher did not start"

# changed_seen ID: a Changed signal for ID arrived (since the last mark).
SIG_MARK=0
changed_seen() {
    tail -n +$((SIG_MARK + 1)) "$BUS_DIR/signals.jsonl" |
        jq -e -s --argjson id "$1" 'any(.[]; .interface == "org.netctl.Netctl1.Followups"
            and .member == "Changed" and .args[0] == $id and (.args[1] | type == "string"))' >/dev/null
}
expect_changed() {
    wait_until 10 changed_seen "$1" || fail "no Changed signal for #$1 after $2"
    SIG_MARK=$(wc -l <"$BUS_DIR/signals.jsonl")
}

# get ID: Get's reply as a JSON array of the ten fields.
get() {
    bus_call_json Followups Get t "$1"
    jq -c '.data[0]' <<<"$OUT"
}

# --- Add / Get ---------------------------------------------------------------------------

now=$(now_s)
due=$((now + 3600))
bus_call_json Followups Add 'sxa{sv}' "Ask Ana about the data team" "$due" 0
A=$(jq '.data[0]' <<<"$OUT")
[[ $A =~ ^[1-9][0-9]*$ ]] || fail "Add returned '$A', not an id"
expect_changed "$A" Add
g=$(get "$A")
# (t id, s uid, s text, s kind, x due, x done_at, t every, b every_fixed, x notified_at, s contact)
assert_eq "$(jq '.[0]' <<<"$g")" "$A" "Get: id"
assert_match "$(jq -r '.[1]' <<<"$g")" '.' "Get: uid not empty"
assert_eq "$(jq -r '.[2]' <<<"$g")" "Ask Ana about the data team" "Get: text"
assert_eq "$(jq '.[4]' <<<"$g")" "$due" "Get: due"
assert_eq "$(jq -c '[.[5], .[6], .[7], .[8], .[9]]' <<<"$g")" '[0,0,false,0,""]' "Get: done_at, every, every_fixed, notified_at, contact"
ok "Add then Get: all ten fields"

bus_call_json Followups Add 'sxa{sv}' "Keep in touch with Bo" "$due" 1 every t 604800
B=$(jq '.data[0]' <<<"$OUT")
expect_changed "$B" "Add with every"
assert_eq "$(get "$B" | jq -c '[.[6], .[7]]')" '[604800,false]' "every from options"
bus_call_json Followups Add 'sxa{sv}' "Monthly update to Chen" "$due" 2 every t 2592000 every_fixed b true
C=$(jq '.data[0]' <<<"$OUT")
assert_eq "$(get "$C" | jq -c '[.[6], .[7]]')" '[2592000,true]' "every and every_fixed from options"
ok "Add with every / every_fixed options"

# --- texts at the bound ------------------------------------------------------------------

for t in "$(big_string 1024)" "$(big_string 512 é)" "$(big_string 256 😀)" \
    "Café ☕ with 李小龍 — שלום, مرحبا"; do
    bus_call_json Followups Add 'sxa{sv}' "$t" "$due" 0
    id=$(jq '.data[0]' <<<"$OUT")
    assert_eq "$(get "$id" | jq -r '.[2]')" "$t" "text of ${#t} characters round-trips"
    bus_call_json Followups Remove t "$id"
done
ok "texts of exactly 1024 bytes (1-, 2- and 4-byte characters) and mixed scripts round-trip"

# --- List ----------------------------------------------------------------------------------

bus_call_json Followups Add 'sxa{sv}' "Later: Dara" $((now + 7200)) 0
D=$(jq '.data[0]' <<<"$OUT")
far=253402300799
bus_call_json Followups List xxs 0 "$far" open
assert_eq "$(jq -c '[.data[0][][0]] | sort' <<<"$OUT")" "$(printf '%s\n' "$A" "$B" "$C" "$D" | sort -n | jq -sc .)" "List open"
bus_call_json Followups List xxs $((now + 7000)) "$far" open
assert_eq "$(jq -c '[.data[0][][0]]' <<<"$OUT")" "[$D]" "List from a time"
# (Whether `to` is inclusive is not part of the contract: ask for due + 1.)
bus_call_json Followups List xxs 0 $((due + 1)) open
assert_eq "$(jq -c '[.data[0][][0]] | sort' <<<"$OUT")" "$(printf '%s\n' "$A" "$B" "$C" | sort -n | jq -sc .)" "List up to a time"
ok "List by state and time range"

# --- Done ----------------------------------------------------------------------------------

bus_call_json Followups Done t "$A"
assert_eq "$(jq '.data[0]' <<<"$OUT")" 0 "Done on a one-off returns next_id 0"
expect_changed "$A" Done
[[ $(get "$A" | jq '.[5]') -ge $now ]] || fail "done_at not set"
bus_call_json Followups List xxs 0 "$far" done
assert_eq "$(jq -c '[.data[0][][0]]' <<<"$OUT")" "[$A]" "List done"
bus_call_json Followups List xxs 0 "$far" all
assert_eq "$(jq '.data[0] | length' <<<"$OUT")" 4 "List all"

t0=$(now_s)
bus_call_json Followups Done t "$B"
B2=$(jq '.data[0]' <<<"$OUT")
[[ $B2 != 0 && $B2 != "$B" ]] || fail "Done on a recurring follow-up returned next_id $B2"
g=$(get "$B2")
d=$(jq '.[4]' <<<"$g")
((d >= t0 + 604800 && d <= $(now_s) + 604800)) || fail "keep-in-touch: next due $d is not completion + 1w"
assert_eq "$(jq -r '.[2]' <<<"$g")" "Keep in touch with Bo" "next occurrence keeps the text"
bus_call_json Followups Done t "$C"
C2=$(jq '.data[0]' <<<"$OUT")
assert_eq "$(get "$C2" | jq '.[4]')" $((due + 2592000)) "fixed schedule: next due = due + every"
ok "Done: one-off, keep-in-touch and fixed recurrences"

# --- Snooze / Edit / Remove ------------------------------------------------------------------

until=$((now + 86400 + 123))
bus_call_json Followups Snooze tx "$D" "$until"
expect_changed "$D" Snooze
assert_eq "$(get "$D" | jq '.[4]')" "$until" "Snooze sets due"

bus_call_json Followups Edit 'ta{sv}' "$D" 1 text s "Later: Dara, about Ina"
expect_changed "$D" "Edit text"
bus_call_json Followups Edit 'ta{sv}' "$D" 2 due x $((until + 60)) every t 86400
g=$(get "$D")
assert_eq "$(jq -c '[.[2], .[4], .[6]]' <<<"$g")" "[\"Later: Dara, about Ina\",$((until + 60)),86400]" "Edit text, due, every"
ok "Snooze and Edit"

bus_call_json Followups Remove t "$D"
expect_changed "$D" Remove
expect_bus_error NotFound Followups Get t "$D"
ok "Remove"

# --- Manager ------------------------------------------------------------------------------------

bus_call_json Manager GetStatus
jq -e '.type == "a{sv}" and (.data[0] | type == "object")' <<<"$OUT" >/dev/null ||
    fail "GetStatus does not return a{sv}: $OUT"
jq -e '.data[0].version.data | type == "string"' <<<"$OUT" >/dev/null || fail "GetStatus has no version: $OUT"
run busctl --user call "$BUS_NAME" "$BUS_PATH" org.freedesktop.DBus.Peer Ping
assert_eq "$RC" 0 "Peer.Ping"
ok "Manager.GetStatus and Peer.Ping"
