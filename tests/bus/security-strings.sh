#!/bin/bash
# Hostile strings, through every way text gets in:
#  - stored and listed byte for byte, through `netctl add`, a raw bus Add,
#    contact names, interaction notes, and a calendar invite's SUMMARY:
#    quotes, backticks, SQL, printf directives (%n %s %x), shell syntax,
#    markup (<b>&amp;</b>, <a href>), backslashes, non-Latin scripts and
#    right-to-left text without control characters, emoji, combining marks,
#    and the longest text allowed (NETCTL_TEXT_MAX = 1024 bytes);
#  - refused with org.netctl.Netctl1.Error.InvalidArgument (and by the
#    client with a sentence): bidirectional controls (U+202E RLO, U+2066
#    LRI, U+200F RLM), terminal escapes and other control characters,
#    1025 bytes, and 1 MiB (sent over the bus directly: argv cannot carry
#    it); nothing is stored by a refused call;
#  - notifications are safe for the markup servers interpret: the summary
#    is the text as plain text (the spec's summary is plain text; dunst
#    and mako quote it into their markup format), the body is escaped
#    markup: a digest of "<b>x</b> & y" carries "&lt;b&gt;x&lt;/b&gt;
#    &amp; y" and no raw tag or bare ampersand.
# shellcheck source-path=SCRIPTDIR disable=SC1010  # "done" is a verb here
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"
# shellcheck source=../lib/ics.sh
. "$(dirname "$0")/../lib/ics.sh"

export TZ=Europe/Berlin LC_ALL=C.UTF-8
bus_start
daemon_start

HOSTILE=(
    "It's \"quoted\" and \`backticked\`"
    "Robert'); DROP TABLE followups;--"
    "%n%n%n%s%s%x%p %1\$s %99999999d"
    "<b>&amp;</b> <i>x</i> <a href=\"http://example.com/?a=1&b=2\">link</a> &lt;"
    "\$(id) \${HOME} ; rm -rf / ; | cat \\ back\\slash \\n"
    "שלום עליכם and مرحبا, right-to-left text without controls"
    "Ünïcödé 日本語 🙂 e$(printf '\u0301') combining, zero-width$(printf '\u200b')space"
    "'; SELECT * FROM contacts; --"
    "$(big_string 1024 'é' | head -c 1024)"
)
# The last one: exactly 1024 bytes of two-byte characters (512 of them).
assert_eq "$(printf '%s' "${HOSTILE[-1]}" | wc -c)" 1024 "length of the longest allowed text"

# --- stored and listed intact ----------------------------------------------------------

declare -A ID_OF
for s in "${HOSTILE[@]}"; do
    id=$(netctl add -q "$s" --in 3d) || fail "netctl add refused: $s"
    ID_OF[$id]=$s
    assert_eq "$(show_field "$id" text)" "$s" "show --json text of #$id"
done
# The same through the bus directly (no client-side processing).
for s in "${HOSTILE[@]}"; do
    bus_call_json Followups Add 'sxa{sv}' "$s" "$(($(now_s) + 86400))" 0
    id=$(jq -r '.data[0]' <<<"$OUT")
    ID_OF[$id]=$s
done
snapshot "$TEST_DIR/list.json"
for id in "${!ID_OF[@]}"; do
    got=$(jq -r --argjson id "$id" '.[] | select(.id == $id) | .text' "$TEST_DIR/list.json")
    assert_eq "$got" "${ID_OF[$id]}" "list --json text of #$id"
    bus_call_json Followups Get t "$id"
    got=$(jq -r '.data[0][2] // .data[0].text // empty' <<<"$OUT")
    [[ $got == "${ID_OF[$id]}" ]] || jq -e --arg s "${ID_OF[$id]}" '[.. | strings] | index($s) != null' <<<"$OUT" >/dev/null ||
        fail "Followups.Get of #$id does not carry the text intact: $OUT"
done
# The human table too (a printf-style bug would show here).
expect_ok netctl list --all
for s in "${HOSTILE[@]:0:8}"; do
    [[ $OUT == *"$s"* ]] || fail "netctl list does not show '$s' intact"
done
ok "${#ID_OF[@]} hostile follow-ups stored and listed byte for byte (client, bus, table)"

# Contacts and interactions.
NAME="O'Brien <b>&amp;</b> %n \"Bobby\" 日本"
netctl contact add -q "$NAME" --email ob@example.org --org '<i>Acme</i> & "Sons" %s' >/dev/null
# shellcheck disable=SC2016  # the $(id) is the hostile text itself
NOTE='note "<i>x</i>" %s%n $(id) `id` \ end'
netctl log ob@example.org --kind coffee --note "$NOTE" --gave "a & b <c>" -q >/dev/null
expect_ok netctl contact show ob@example.org --json
assert_eq "$(jq -r .contact.name <<<"$OUT")" "$NAME" "contact name"
assert_eq "$(jq -r .contact.org <<<"$OUT")" '<i>Acme</i> & "Sons" %s' "contact org"
assert_eq "$(jq -r '.interactions[0].note' <<<"$OUT")" "$NOTE" "interaction note"
assert_eq "$(jq -r '.interactions[0].gave' <<<"$OUT")" "a & b <c>" "interaction gave"
ok "contact name, org and interaction texts stored intact"

# A calendar invite whose SUMMARY is hostile (from a stranger's mail).
now=$(now_s)
start=$((now + 3 * 86400))
SUMMARY="<a href=\"http://evil.example\">Coffee</a> & 'chat' %n"
invite "$TEST_DIR/hostile.ics" uid=hostile-1@example.com summary="$SUMMARY" \
    start="$(ics_local Europe/Berlin "$start")" end="$(ics_local Europe/Berlin $((start + 3600)))"
expect_rc 0 netctl import "$TEST_DIR/hostile.ics"
expect_ok netctl meetings --json
jq -e --arg s "$SUMMARY" '[.. | strings] | index($s) != null' <<<"$OUT" >/dev/null ||
    fail "meeting summary not stored intact: $OUT"
snapshot "$TEST_DIR/list2.json"
jq -e --arg s "$SUMMARY" '[.[] | select(.kind == "prep" and (.text | contains($s)))] | length == 1' \
    "$TEST_DIR/list2.json" >/dev/null || fail "prep reminder text does not carry the summary intact"
ok "invite SUMMARY stored intact in the meeting and its prep reminder"

# --- refused ---------------------------------------------------------------------------------

# refused_by_client ARGS...: netctl exits 1 or 2 (its own check is a
# usage error) with a sentence, and prints nothing on stdout.
refused_by_client() {
    run netctl "$@"
    if [[ $RC != 1 && $RC != 2 ]] || [[ ! $ERR =~ ^netctl:\ [^[:space:]] ]] || [[ -n $OUT ]]; then
        _show_run netctl "$@"
        fail "netctl did not refuse: $(_quote "$@")"
    fi
}

snapshot "$TEST_DIR/before-refused.json"
REFUSED=(
    "bidi $(printf '\u202e')override"
    "isolate $(printf '\u2066')x$(printf '\u2069')"
    "mark $(printf '\u200f')rlm"
    "escape $(printf '\033')[31mred"
    "bell $(printf '\a')"
    "c1 $(printf '\u0085')next line"
    "$(big_string 1025)"
)
for s in "${REFUSED[@]}"; do
    expect_bus_error InvalidArgument Followups Add 'sxa{sv}' "$s" "$(($(now_s) + 86400))" 0
    refused_by_client add "$s"
    expect_bus_error InvalidArgument Contacts Add 'sa{sv}' "$s" 0
done
# A 100 KiB argument reaches the client (a single argv string may be up to
# 128 KiB on Linux); 1 MiB only fits on the bus.
refused_by_client add "$(head -c 102400 /dev/zero | tr '\0' x)"
"$PY" - "$BUS_NAME" "$BUS_PATH" "$BUS_ERROR" >"$TEST_DIR/mib.out" 2>&1 <<'EOF' || { cat "$TEST_DIR/mib.out" >&2; fail "1 MiB via the bus"; }
import sys, time
import dbus
name, path, error = sys.argv[1:4]
bus = dbus.SessionBus()
obj = bus.get_object(name, path)
big = 'x' * (1 << 20)
calls = [
    ('org.netctl.Netctl1.Followups', 'Add', (big, dbus.Int64(int(time.time()) + 86400), dbus.Dictionary({}, signature='sv'))),
    ('org.netctl.Netctl1.Contacts', 'Add', (big, dbus.Dictionary({}, signature='sv'))),
    ('org.netctl.Netctl1.Contacts', 'Log', ('ob@example.org', 'coffee', dbus.Int64(0),
                                            dbus.Dictionary({'note': big}, signature='sv'))),
]
for iface, method, args in calls:
    try:
        getattr(dbus.Interface(obj, iface), method)(*args)
    except dbus.DBusException as e:
        if e.get_dbus_name() != error + '.InvalidArgument' or not e.get_dbus_message():
            sys.exit('%s.%s: wrong error %s: %s' % (iface, method, e.get_dbus_name(), e.get_dbus_message()))
        print('ok - %s.%s with 1 MiB: %s' % (iface, method, e.get_dbus_message()))
    else:
        sys.exit('%s.%s accepted 1 MiB' % (iface, method))
EOF
cat "$TEST_DIR/mib.out" >&2
daemon_alive || fail "netctld died on hostile input"
snapshot "$TEST_DIR/after-refused.json"
assert_same_schedule "$TEST_DIR/before-refused.json" "$TEST_DIR/after-refused.json" "after refused input"
ok "bidi controls, control characters, 1025 bytes and 1 MiB refused; nothing stored"

# --- notifications: plain summary, escaped body ------------------------------------------------

mock_start
MARKUP='<b>x</b> & y'
M=$(netctl add -q "$MARKUP")
mock_wait_notify "select(.summary == \"$MARKUP\")" 15 ||
    fail "no notification with the plain summary '$MARKUP': $(mock_calls)"
body=$(jq -r .body <<<"$MOCK_CALL")
[[ $body != *"<"* && $body != *"&"* ]] || fail "a single reminder's body holds markup: '$body'"
ok "single reminder: summary is the text as plain text, body has no markup ('$body')"

# Markup-safe: no raw tag, every & starts an entity.
markup_safe() {
    [[ $1 != *"<"* && $1 != *">"* ]] || return 1
    local rest=${1//&amp;/} ; rest=${rest//&lt;/} ; rest=${rest//&gt;/}
    rest=${rest//&quot;/} ; rest=${rest//&#39;/} ; rest=${rest//&apos;/}
    [[ $rest != *"&"* ]]
}

# Two at once come as a digest: the texts go into the body.
netctl done "$M" >/dev/null
D1=$(netctl add -q "$MARKUP" --in 2s)
D2=$(netctl add -q "Second: <i>it's</i> \"fine\" & done" --in 2s)
mock_wait_notify 'select(.body | contains("#'"$D1"'") and contains("#'"$D2"'"))' 20 ||
    fail "no digest naming #$D1 and #$D2: $(mock_calls)"
body=$(jq -r .body <<<"$MOCK_CALL")
[[ $body == *'&lt;b&gt;x&lt;/b&gt; &amp; y'* ]] ||
    fail "digest body does not carry the escaped text: '$body'"
markup_safe "$body" || fail "digest body is not safe markup: '$body'"
summary=$(jq -r .summary <<<"$MOCK_CALL")
[[ $summary != *"<"* ]] || fail "digest summary holds a tag: '$summary'"
ok "digest: body escaped ('${body//$'\n'/ | }'), summary '$summary'"

# The prep reminder of the hostile invite, made due now: summary plain.
netctl snooze "$(jq -r '[.[] | select(.kind == "prep")][0].id' "$TEST_DIR/list2.json")" "$(date -d '+1 sec' +%Y-%m-%dT%H:%M:%S)" >/dev/null
mock_wait_notify 'select(.summary | contains("evil.example"))' 20 ||
    fail "the prep reminder of the hostile invite was not shown: $(mock_calls)"
assert_match "$(jq -r .summary <<<"$MOCK_CALL")" '^Prepare for "<a href="http://evil.example">Coffee</a> & '"'chat'"' %n"' \
    "prep reminder summary"
markup_safe "$(jq -r .body <<<"$MOCK_CALL")" || fail "prep reminder body is not safe markup: $(jq -r .body <<<"$MOCK_CALL")"
ok "invite-derived reminder: summary plain, body safe"

# A server without "body-markup" shows the body as it is: escaping it there
# would put "&amp;" on the screen.
mock_stop
MOCK_CAPS="actions body persistence" mock_start
P=$(netctl add -q "$MARKUP" --in 1s)
P2=$(netctl add -q "Plain: a & b" --in 1s)
mock_wait_notify 'select(.body | contains("#'"$P"'") and contains("#'"$P2"'"))' 20 ||
    fail "no digest naming #$P and #$P2 from the plain-text server: $(mock_calls)"
body=$(jq -r .body <<<"$MOCK_CALL")
[[ $body == *"$MARKUP"* && $body == *"Plain: a & b"* && $body != *"&amp;"* ]] ||
    fail "a server without body-markup got an escaped body: '$body'"
ok "server without body-markup: the digest body is plain text ('${body//$'\n'/ | }')"

daemon_alive || fail "netctld died"
