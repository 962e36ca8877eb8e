#!/bin/bash
# Untrusted input to the people's API and verbs.  Every call below (unknown
# or ambiguous WHO, duplicate handles and e-mails, invalid e-mail syntax,
# absurd cadences, oversized or control-character text, too many items,
# bad option keys and types, future or negative times, malformed vCards,
# bad week boundaries) gets a *named* D-Bus error with a message, or a
# "netctl: <sentence>" and exit 1/2 from the client; the daemon stays up;
# no Changed signal is emitted; contacts, interactions and the schedule are
# byte-identical afterwards.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

export TZ=Europe/Berlin LC_ALL=C.UTF-8
VCF=$NETCTL_SRC/tests/data/vcf
ARGS=org.freedesktop.DBus.Error.InvalidArgs

bus_start
daemon_start

# A network worth protecting.
netctl contact add -q "Ana Lima" --email ana@example.org --org Acme --tag data >/dev/null
netctl contact add -q "Ana Sousa" --email ana.sousa@example.org >/dev/null
netctl contact add -q "Bo Chen" --tie strong >/dev/null
netctl log ana-lima --kind coffee --gave "intro" --got "lead: role" -q >/dev/null
netctl log bo --kind call --when yesterday -q >/dev/null
netctl add -q "Thank Ana" --contact ana-lima --in 1d >/dev/null

people_snapshot() {
    {
        netctl contact list --archived --json
        netctl list --all --json
        busctl --user --json=short call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE.Contacts" \
            ListInteractions su "" 0
    } >"$1" || fail "snapshot failed"
}
people_snapshot "$BUS_DIR/before.json"

"$PY" "$TESTLIB/watch-signals.py" "$BUS_DIR/signals.jsonl" "$BUS_DIR/signals.ready" \
    >"$BUS_DIR/watch.log" 2>&1 </dev/null &
on_exit "stop_pid $! 5"
wait_until 10 test -e "$BUS_DIR/signals.ready" || fail "signal watcher did not start"

now=$(now_s)
long_name=$(big_string 257 n)
long_text=$(big_string 1025 t)
long_note=$(big_string 16385 x)
long_tag=$(big_string 65 g)
ctl=$'Ana\x07Lima'
bidi=$'Ana\u202eLima'

# --- Add ------------------------------------------------------------------------------------

expect_bus_error InvalidArgument Contacts Add "sa{sv}" "" 0
expect_bus_error InvalidArgument Contacts Add "sa{sv}" "   " 0
expect_bus_error InvalidArgument Contacts Add "sa{sv}" "$ctl" 0
expect_bus_error InvalidArgument Contacts Add "sa{sv}" "$bidi" 0
expect_bus_error InvalidArgument Contacts Add "sa{sv}" "$long_name" 0
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 emails as 1 not-an-email
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 emails as 1 "a@b@c"
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 emails as 1 "carla @example.org"
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 emails as 1 "@example.org"
expect_bus_error Conflict Contacts Add "sa{sv}" Carla 1 emails as 1 ANA@example.org
expect_bus_error Conflict Contacts Add "sa{sv}" Carla 1 handle s ana-lima
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 handle s Carla
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 handle s 123
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 handle s "carla c"
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 tie s medium
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 tie u 1
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 cadence x 3600
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 cadence x -5
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 cadence x $((3661 * 86400))
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 cadence t 86400
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 tags as 1 "a,b"
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 tags as 1 "$long_tag"
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 tags as 1 ""
# shellcheck disable=SC2046
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 tags as 33 $(seq -f 't%g' 33)
# shellcheck disable=SC2046
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 emails as 21 $(seq -f 'c%g@example.org' 21)
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 note s "$long_note"
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 org s "$long_name"
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 met s $'line\nbreak'
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 name s Carla
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 archived b true
expect_bus_error InvalidArgument Contacts Add "sa{sv}" Carla 1 frobnicate s x
expect_bus_error "$ARGS" Contacts Add s Carla

# --- WHO everywhere ---------------------------------------------------------------------------

for m in Get Resolve; do
    expect_bus_error Ambiguous Contacts "$m" s ana
    expect_bus_error NotFound Contacts "$m" s zed
    expect_bus_error NotFound Contacts "$m" s 4242
    expect_bus_error NotFound Contacts "$m" s zed@example.org
    expect_bus_error InvalidArgument Contacts "$m" s ""
    expect_bus_error InvalidArgument Contacts "$m" s "$ctl"
done
expect_bus_error InvalidArgument Contacts Get s "$(big_string 513 w)"
assert_match "$BUS_ERROR_MESSAGE" 'longer than 512 bytes' "an overlong WHO"

# --- Edit, Remove ------------------------------------------------------------------------------

expect_bus_error Ambiguous Contacts Edit "sa{sv}" ana 1 org s X
expect_bus_error NotFound Contacts Edit "sa{sv}" zed 1 org s X
expect_bus_error InvalidArgument Contacts Edit "sa{sv}" ana-lima 1 name s ""
expect_bus_error InvalidArgument Contacts Edit "sa{sv}" ana-lima 1 archived s yes
expect_bus_error InvalidArgument Contacts Edit "sa{sv}" ana-lima 1 emails as 1 x@example.org
expect_bus_error NotFound Contacts Edit "sa{sv}" ana-lima 2 name s Changed remove_emails as 1 zed@example.org
expect_bus_error Conflict Contacts Edit "sa{sv}" ana-lima 2 name s Changed add_emails as 1 ana.sousa@example.org
expect_bus_error Conflict Contacts Edit "sa{sv}" ana-lima 2 name s Changed handle s ana-sousa
expect_bus_error Conflict Contacts Remove "sa{sv}" ana-lima 0
assert_match "$BUS_ERROR_MESSAGE" 'logged interaction' "refusing to drop history says why"
expect_bus_error InvalidArgument Contacts Remove "sa{sv}" ana-lima 2 force b true archive b true
expect_bus_error InvalidArgument Contacts Remove "sa{sv}" ana-lima 1 purge b true
expect_bus_error NotFound Contacts Remove "sa{sv}" zed 0

# --- Log, interactions ------------------------------------------------------------------------

expect_bus_error InvalidArgument Contacts Log "ssxa{sv}" ana-lima lunch 0 0
expect_bus_error InvalidArgument Contacts Log "ssxa{sv}" ana-lima coffee $((now + 86400)) 0
assert_match "$BUS_ERROR_MESSAGE" 'future' "a future interaction says why"
expect_bus_error InvalidArgument Contacts Log "ssxa{sv}" ana-lima coffee -5 0
expect_bus_error InvalidArgument Contacts Log "ssxa{sv}" ana-lima coffee 253402300800 0
expect_bus_error InvalidArgument Contacts Log "ssxa{sv}" ana-lima coffee 0 1 gave s "$ctl"
expect_bus_error InvalidArgument Contacts Log "ssxa{sv}" ana-lima coffee 0 1 got s "$long_text"
expect_bus_error InvalidArgument Contacts Log "ssxa{sv}" ana-lima coffee 0 1 note s "$long_note"
expect_bus_error InvalidArgument Contacts Log "ssxa{sv}" ana-lima coffee 0 1 lead s yes
expect_bus_error InvalidArgument Contacts Log "ssxa{sv}" ana-lima coffee 0 1 mood s happy
expect_bus_error Ambiguous Contacts Log "ssxa{sv}" ana coffee 0 0
expect_bus_error NotFound Contacts Log "ssxa{sv}" zed coffee 0 0
expect_bus_error InvalidArgument Contacts ListInteractions su "" 20000
expect_bus_error NotFound Contacts ListInteractions su zed 0
expect_bus_error NotFound Contacts RemoveInteraction t 0
expect_bus_error NotFound Contacts RemoveInteraction t 999

# --- Suggest, Stats ---------------------------------------------------------------------------

expect_bus_error InvalidArgument Contacts Suggest u 101
expect_bus_error InvalidArgument Contacts Stats ax 0
expect_bus_error InvalidArgument Contacts Stats ax 1 "$now"
expect_bus_error InvalidArgument Contacts Stats ax 2 "$now" "$now"
expect_bus_error InvalidArgument Contacts Stats ax 2 "$now" $((now - 1))
expect_bus_error InvalidArgument Contacts Stats ax 2 "$now" $((now + 9 * 86400))
expect_bus_error InvalidArgument Contacts Stats ax 2 -1 "$now"
# shellcheck disable=SC2046
expect_bus_error InvalidArgument Contacts Stats ax 106 $(seq "$now" 100 $((now + 105 * 100)))

# --- Import -----------------------------------------------------------------------------------

expect_bus_error InvalidArgument Contacts Import "aysa{sv}" 0 "" 0
expect_bus_error InvalidArgument Contacts Import "aysa{sv}" 4 0 1 2 255 junk.vcf 0
expect_bus_error InvalidArgument Contacts Import "aysa{sv}" 5 104 101 108 108 111 hello.vcf 0
assert_match "$BUS_ERROR_MESSAGE" '^hello.vcf: ' "a malformed vCard names the file"
expect_bus_error InvalidArgument Contacts Import "aysa{sv}" 0 x.vcf 1 merge b true
expect_bus_error InvalidArgument Contacts Import "aysa{sv}" 0 "$ctl" 0

# --- Follow-ups naming a contact ----------------------------------------------------------------

expect_bus_error NotFound Followups Add "sxa{sv}" "Who?" $((now + 3600)) 1 contact s zed
expect_bus_error Ambiguous Followups Add "sxa{sv}" "Who?" $((now + 3600)) 1 contact s ana
expect_bus_error InvalidArgument Followups Add "sxa{sv}" "Who?" $((now + 3600)) 1 contact u 1
expect_bus_error InvalidArgument Followups Add "sxa{sv}" "Who?" $((now + 3600)) 1 contact s "$ctl"
expect_bus_error NotFound Followups Edit "ta{sv}" 1 1 contact s zed
expect_bus_error InvalidArgument Followups ListFiltered "xxsa{sv}" 0 253402300799 open 1 who s ana-lima
expect_bus_error Ambiguous Followups ListFiltered "xxsa{sv}" 0 253402300799 open 1 contact s ana
expect_bus_error InvalidArgument Followups ListFiltered "xxsa{sv}" 0 253402300799 maybe 0

daemon_alive || fail "netctld died"
ok "every bad call got a named error"

# --- the client ---------------------------------------------------------------------------------

expect_cli_error 2 netctl contact
expect_cli_error 2 netctl contact frobnicate
expect_cli_error 2 netctl contact add
expect_cli_error 2 netctl contact add "A" "B"
expect_cli_error 2 netctl contact add "$ctl"
expect_cli_error 2 netctl contact add $'Ana \xff Lima'
expect_cli_error 2 netctl contact add "$long_name"
expect_cli_error 2 netctl contact add Carla --tie medium
expect_cli_error 2 netctl contact add Carla --every 0
expect_cli_error 2 netctl contact add Carla --every 12h
expect_cli_error 2 netctl contact add Carla --every 11y
expect_cli_error 2 netctl contact add Carla --every 4000d
expect_cli_error 2 netctl contact add Carla --email not-an-email
expect_cli_error 2 netctl contact add Carla --tag "a,b"
expect_cli_error 2 netctl contact add Carla --frobnicate
expect_cli_error 1 netctl contact add Carla --email ana@example.org
assert_match "$ERR" 'The e-mail ana@example.org already belongs to Ana Lima' "the client relays the daemon's sentence, the address as written"
expect_cli_error 1 netctl contact show ana
expect_cli_error 2 netctl contact show
expect_cli_error 2 netctl contact edit ana-lima
expect_cli_error 2 netctl contact edit ana-lima --archive --unarchive
expect_cli_error 2 netctl contact rm ana-lima --force --archive
expect_cli_error 1 netctl contact rm ana-lima
expect_cli_error 2 netctl log
expect_cli_error 2 netctl log ana-lima --kind lunch
expect_cli_error 2 netctl log ana-lima --when tomorrow
expect_cli_error 2 netctl log ana-lima --when "in 2h"
expect_cli_error 2 netctl log ana-lima --when 3d
expect_cli_error 2 netctl log ana-lima --when "2099-01-01"
assert_match "$ERR" 'in the future' "a future --when says why"
expect_cli_error 2 netctl log ana-lima --gave "$long_text"
expect_cli_error 1 netctl log zed --kind coffee
expect_cli_error 1 netctl log ana --kind coffee
expect_cli_error 2 netctl unlog x
expect_cli_error 1 netctl unlog 999
expect_cli_error 2 netctl suggest 0
expect_cli_error 2 netctl suggest 101
expect_cli_error 2 netctl suggest many
expect_cli_error 2 netctl stats --weeks 0
expect_cli_error 2 netctl stats --weeks 105
expect_cli_error 2 netctl stats --weeks x
expect_cli_error 2 netctl add "Who?" --contact "$ctl"
expect_cli_error 1 netctl add "Who?" --contact zed
expect_cli_error 1 netctl list --contact ana
mkdir -p "$BUS_DIR/dir.vcf"
expect_cli_error 1 netctl contact import "$BUS_DIR/dir.vcf"
truncate -s $((16 * 1024 * 1024 + 1)) "$BUS_DIR/huge.vcf"
expect_cli_error 1 netctl contact import "$BUS_DIR/huge.vcf"
assert_match "$ERR" 'larger than 16 MiB' "an oversized file is refused by size"
expect_cli_error 1 netctl contact import "$VCF/vcardlib--invalid.vcf"
printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n' >"$BUS_DIR/nameless.vcf"
expect_ok netctl contact import "$BUS_DIR/nameless.vcf" --json
assert_eq "$(jq -c '[.added, .skipped]' <<<"$OUT")" "[0,1]" "a card without name or e-mail is skipped"
ok "the client rejects bad arguments (exit 2) and relays the daemon's refusals (exit 1)"

# --- nothing changed ------------------------------------------------------------------------------

people_snapshot "$BUS_DIR/after.json"
if ! cmp -s "$BUS_DIR/before.json" "$BUS_DIR/after.json"; then
    diff -u "$BUS_DIR/before.json" "$BUS_DIR/after.json" >&2 || true
    fail "contacts, interactions or the schedule changed after rejected requests"
fi
ok "contacts, interactions and schedule byte-identical after all rejected requests"

# A barrier: one real change, then every signal seen must be for it.
S=$(netctl add -q "sentinel" --in 9d)
changed_for() {
    jq -e -s --argjson id "$1" 'any(.[]; .member == "Changed" and .args[0] == $id)' \
        "$BUS_DIR/signals.jsonl" >/dev/null
}
wait_until 10 changed_for "$S" || fail "no Changed signal for the sentinel #$S"
others=$(jq -c -s --argjson id "$S" '[.[] | select(.member == "Changed" and .args[0] != $id)]' \
    "$BUS_DIR/signals.jsonl")
assert_eq "$others" "[]" "Changed signals emitted for rejected calls"
ok "no Changed signal for any rejected call"
daemon_alive || fail "netctld died"
