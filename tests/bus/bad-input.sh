#!/bin/bash
# Untrusted input on the bus and on the command line.  Every call below
# (wrong signatures, unknown methods, unknown ids, out-of-range times,
# control characters, oversized or empty text, bad option keys and value
# types) must be answered with a *named* D-Bus error, the daemon must stay
# up, no Changed signal may be emitted, and the whole schedule
# (`netctl list --all --json`) must be byte-identical afterwards.
#
# Invalid UTF-8 cannot be sent in a D-Bus string (libdbus, sd-bus and the
# bus daemon all refuse to marshal or route it); the test checks that
# busctl refuses it locally, and that the client rejects invalid UTF-8 in
# its arguments before anything reaches the bus.
# shellcheck source-path=SCRIPTDIR disable=SC1010  # "done" is a verb here
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

ARGS=org.freedesktop.DBus.Error.InvalidArgs
UNKNOWN_METHOD=org.freedesktop.DBus.Error.UnknownMethod

bus_start
daemon_start

# A schedule worth protecting: open, recurring, fixed, done.
now=$(now_s)
A=$(netctl add -q "Ask Ana about the data team" --in 3d)
B=$(netctl add -q "Thank Bo" --due 2030-01-15T10:30)
C=$(netctl add -q "Keep in touch with Chen" --in 2d --every 2w)
D=$(netctl add -q "Send Dara my CV" --in 1d)
netctl done "$D" >/dev/null
future=$((now + 86400))
far=$((now + 5 * 86400))
snapshot "$BUS_DIR/before.json"

# Rejected calls must not emit Changed: record every signal from now on.
"$PY" "$TESTLIB/watch-signals.py" "$BUS_DIR/signals.jsonl" "$BUS_DIR/signals.ready" \
    >"$BUS_DIR/watch.log" 2>&1 </dev/null &
on_exit "stop_pid $! 5"
wait_until 10 test -e "$BUS_DIR/signals.ready" || fail "signal watcher did not start"

# --- wrong signatures: sd-bus's InvalidArgs --------------------------------------

expect_bus_error $ARGS Followups Add s "hi"
expect_bus_error $ARGS Followups Add sx "hi" "$future"
expect_bus_error $ARGS Followups Add sxs "hi" "$future" "every"
expect_bus_error $ARGS Followups Add 'ixa{sv}' 5 "$future" 0
expect_bus_error $ARGS Followups Add 'sta{sv}' "hi" "$future" 0
expect_bus_error $ARGS Followups Add 'sxa{ss}' "hi" "$future" 1 every 3600
expect_bus_error $ARGS Followups Add 'sxa{sv}s' "hi" "$future" 0 extra
expect_bus_error $ARGS Followups Get s "$A"
expect_bus_error $ARGS Followups Get x "$A"
expect_bus_error $ARGS Followups Get tt "$A" "$B"
expect_bus_error $ARGS Followups Get
expect_bus_error $ARGS Followups List xx 0 "$far"
expect_bus_error $ARGS Followups List sss a b c
expect_bus_error $ARGS Followups Done s "$A"
expect_bus_error $ARGS Followups Snooze t "$A"
expect_bus_error $ARGS Followups Snooze ts "$A" tomorrow
expect_bus_error $ARGS Followups Remove s "$A"
expect_bus_error $ARGS Followups Remove ay 1 0
expect_bus_error $ARGS Followups Edit ts "$A" "text"
expect_bus_error $ARGS Followups Edit 'a{sv}' 1 text s hi
expect_bus_error $ARGS Manager GetStatus s x

# --- no such method or interface -------------------------------------------------

expect_bus_error $UNKNOWN_METHOD Followups Frobnicate
expect_bus_error $UNKNOWN_METHOD Followups add 'sxa{sv}' hi "$future" 0
expect_bus_error $UNKNOWN_METHOD Nonexistent Add 'sxa{sv}' hi "$future" 0

# --- unknown ids: NotFound ----------------------------------------------------------

for id in 0 99999 18446744073709551615; do
    expect_bus_error NotFound Followups Get t "$id"
    expect_bus_error NotFound Followups Done t "$id"
    expect_bus_error NotFound Followups Snooze tx "$id" "$future"
    expect_bus_error NotFound Followups Remove t "$id"
    expect_bus_error NotFound Followups Edit 'ta{sv}' "$id" 1 text s "hi"
done

# --- state conflicts ------------------------------------------------------------------

expect_bus_error Conflict Followups Done t "$D"

# --- times out of range -------------------------------------------------------------

for t in -1 -9223372036854775808 0 253402300800 9223372036854775807; do
    expect_bus_error InvalidArgument Followups Add 'sxa{sv}' "hi" "$t" 0
    expect_bus_error InvalidArgument Followups Snooze tx "$A" "$t"
    expect_bus_error InvalidArgument Followups Edit 'ta{sv}' "$A" 1 due x "$t"
done
expect_bus_error InvalidArgument Followups List xxs "$far" 0 all

# --- text: control characters, empty, oversized --------------------------------

bad_texts=(
    $'bell\a'
    $'a\x01b'
    $'esc \e[31mred\e[0m'
    $'two\nlines'
    $'carriage\rreturn'
    $'del\x7f'
    $'c1 csi \xc2\x9b31m'
    $'bidi \xe2\x80\xaeevil'
    ""
    "   "
    "$(big_string 1025)"
    "$(big_string 4096)"
    "$(big_string 100000)"
    "$(big_string 513 é)"
)
for t in "${bad_texts[@]}"; do
    expect_bus_error InvalidArgument Followups Add 'sxa{sv}' "$t" "$future" 0
    expect_bus_error InvalidArgument Followups Edit 'ta{sv}' "$A" 1 text s "$t"
done

# --- options and changes: unknown keys, wrong value types, bad values -----------

expect_bus_error InvalidArgument Followups Add 'sxa{sv}' "hi" "$future" 1 bogus s x
expect_bus_error InvalidArgument Followups Add 'sxa{sv}' "hi" "$future" 1 "" s x
expect_bus_error InvalidArgument Followups Add 'sxa{sv}' "hi" "$future" 1 every s 1h
expect_bus_error InvalidArgument Followups Add 'sxa{sv}' "hi" "$future" 1 every x 3600
expect_bus_error InvalidArgument Followups Add 'sxa{sv}' "hi" "$future" 1 every_fixed s yes
expect_bus_error InvalidArgument Followups Add 'sxa{sv}' "hi" "$future" 1 every t 18446744073709551615
expect_bus_error InvalidArgument Followups Add 'sxa{sv}' "hi" "$future" 2 every t 3600 "every$(printf '\x01')" t 1
expect_bus_error InvalidArgument Followups Edit 'ta{sv}' "$A" 1 bogus s x
expect_bus_error InvalidArgument Followups Edit 'ta{sv}' "$A" 1 text x 5
expect_bus_error InvalidArgument Followups Edit 'ta{sv}' "$A" 1 due s tomorrow
expect_bus_error InvalidArgument Followups Edit 'ta{sv}' "$A" 1 every s 1w
expect_bus_error InvalidArgument Followups Edit 'ta{sv}' "$A" 1 every t 18446744073709551615
# One good change and one bad one: all or nothing.
expect_bus_error InvalidArgument Followups Edit 'ta{sv}' "$A" 2 text s "new text" bogus s x
expect_bus_error InvalidArgument Followups Edit 'ta{sv}' "$A" 2 text s "new text" due x -1
# A long unknown key quoted in the error, cut mid-character: the reply still
# goes out (invalid UTF-8 in the sentence would leave the caller waiting).
LONG_KEY=x$(printf 'é%.0s' $(seq 40))
expect_bus_error InvalidArgument Followups Add 'sxa{sv}' "hi" "$future" 1 "$LONG_KEY" s x
expect_bus_error InvalidArgument Followups Edit 'ta{sv}' "$A" 1 "$LONG_KEY" s x
expect_bus_error InvalidArgument Contacts List 'a{sv}' 1 "$LONG_KEY" s x
expect_bus_error InvalidArgument Followups List xxs 0 "$far" bogus
expect_bus_error InvalidArgument Followups List xxs 0 "$far" ""

# --- invalid UTF-8 never reaches the daemon --------------------------------------------

run busctl --user call -- "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE.Followups" Add 'sxa{sv}' $'bad \xff\xfe' "$future" 0
[[ $RC != 0 ]] || fail "busctl sent a string with invalid UTF-8"
ok "busctl refuses to marshal invalid UTF-8 (the bus guarantees valid strings)"

daemon_alive || fail "netctld died on bad input"

# --- the same through the client -------------------------------------------------------

for t in $'a\x01b' $'two\nlines' $'esc \e[31m' $'bad \xff\xfe' $'\xc0\xaf' "" "$(big_string 1025)"; do
    run netctl add "$t"
    [[ $RC == 1 || $RC == 2 ]] || { _show_run netctl add "$t"; fail "netctl add with bad text: exit $RC"; }
    [[ $ERR =~ ^netctl:\ [^[:space:]] && -z $OUT ]] || { _show_run netctl add "$t"; fail "netctl add with bad text: no clear error"; }
done
for w in "garbage" "2026-13-01" "2026-02-30T10:00" "25:00" "in -3h" "0m" "99999999999d" $'tomorrow\x01'; do
    run netctl add "x" --due "$w"
    [[ $RC == 1 || $RC == 2 ]] || { _show_run netctl add x --due "$w"; fail "netctl add --due '$w': exit $RC"; }
    run netctl snooze "$A" "$w"
    [[ $RC == 1 || $RC == 2 ]] || { _show_run netctl snooze "$A" "$w"; fail "netctl snooze '$w': exit $RC"; }
    [[ $ERR =~ ^netctl:\ [^[:space:]] ]] || { _show_run netctl snooze "$A" "$w"; fail "netctl snooze '$w': no clear error"; }
done
run netctl edit "$A" --text $'a\x01b'
[[ $RC == 1 || $RC == 2 ]] || fail "netctl edit --text with a control character: exit $RC"
ok "the client rejects bad text and bad times with a clear error"

# --- nothing changed ----------------------------------------------------------------

snapshot "$BUS_DIR/after.json"
assert_same_schedule "$BUS_DIR/before.json" "$BUS_DIR/after.json" "after rejected calls"
ok "schedule byte-identical after all rejected calls"

# A barrier for the signal check: one real change, then every signal seen
# up to its Changed must be that one.
S=$(netctl add -q "sentinel" --in 9d)
changed_for() {
    jq -e -s --argjson id "$1" 'any(.[]; .member == "Changed" and .args[0] == $id)' \
        "$BUS_DIR/signals.jsonl" >/dev/null
}
wait_until 10 changed_for "$S" || fail "no Changed signal for the sentinel #$S"
others=$(jq -c -s --argjson id "$S" '[.[] | select(.member == "Changed" and .args[0] != $id)]' "$BUS_DIR/signals.jsonl")
assert_eq "$others" "[]" "Changed signals emitted for rejected calls"
ok "no Changed signal for any rejected call"
: "$B" "$C"
