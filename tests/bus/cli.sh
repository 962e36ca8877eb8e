#!/bin/bash
# The client, verb by verb, against netctld on a private bus: the happy path
# of every verb (add, list, show, done, snooze, rm, edit, status, with and
# without --json), the documented output shapes, usage errors (exit 2, a
# "netctl: ..." sentence on stderr, nothing changed), and a clear exit 1
# when the bus or the daemon cannot be reached.
# shellcheck source-path=SCRIPTDIR disable=SC1010  # "done" is a verb here
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

# Not UTC, and with DST: local/UTC mix-ups must show.
export TZ=America/New_York

local_hm() { date -d "@$1" '+%Y-%m-%d %H:%M'; }
# json_field ID FIELD: a field of follow-up ID in `list --all --json`.
json_field() { netctl list --all --json | jq -r --argjson id "$1" ".[] | select(.id == \$id) | .$2"; }
due_of() { iso_to_epoch "$(json_field "$1" due)"; }
near() { # near GOT WANT TOLERANCE WHAT
    local d=$(($1 - $2))
    ((d < 0)) && d=$((-d))
    ((d <= $3)) || fail "$4: $1 is not within $3 s of $2"
}

bus_start

# --- without a daemon ---------------------------------------------------------

expect_ok netctl --help
[[ $OUT == *add* && $OUT == *list* ]] || fail "netctl --help does not list the verbs"
expect_ok netctl --version
assert_match "$OUT" '[0-9]+\.[0-9]+' "netctl --version"
for verb in add list show done snooze rm edit status; do
    expect_ok netctl "$verb" --help
    [[ -n $OUT ]] || fail "netctl $verb --help printed nothing"
done
ok "--help for every verb works without a daemon"

expect_cli_error 2 netctl
expect_cli_error 2 netctl frobnicate
expect_cli_error 2 netctl --frobnicate
ok "no verb, unknown verb, unknown option: exit 2"

# Nothing on the bus owns the name and nothing can be activated: a clear
# error, at once (no 25 s D-Bus timeout).
t0=$(now_us)
expect_cli_error 1 netctl list
((($(now_us) - t0) < 10000000)) || fail "netctl took over 10 s to report an absent daemon"
ok "daemon absent: exit 1 with '$ERR'"
(
    export DBUS_SESSION_BUS_ADDRESS=unix:path=$BUS_DIR/no-such-socket
    expect_cli_error 1 netctl list
    ok "bus absent: exit 1 with '$ERR'"
)

daemon_start

# --- status on an empty schedule ------------------------------------------------

expect_ok netctl status
expect_ok netctl status --json
jq -e . <<<"$OUT" >/dev/null || fail "status --json is not JSON: $OUT"
for key in version database open overdue done next_due notification_server; do
    jq -e --arg k "$key" 'has($k)' <<<"$OUT" >/dev/null || fail "status --json lacks \"$key\": $OUT"
done
assert_eq "$(jq -r .open <<<"$OUT")" 0 "open on an empty schedule"
assert_eq "$(jq -r .next_due <<<"$OUT")" null "next_due on an empty schedule"
assert_eq "$(jq -r .database <<<"$OUT")" "$XDG_DATA_HOME/netctl/netctl.db" "database path"
ok "status and status --json on an empty schedule"

# --- add ----------------------------------------------------------------------

t0=$(now_s)
expect_ok netctl add "Send Ana the article on data teams" --in 2h
assert_match "$OUT" '^Added #([0-9]+), due [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}(:[0-9]{2})? \(in 2h\)\.$' "add output"
ANA=${BASH_REMATCH[1]}
near "$(due_of "$ANA")" $((t0 + 7200)) 5 "due of an --in 2h follow-up"
[[ $OUT == *"due $(local_hm "$(due_of "$ANA")")"* ]] || fail "add does not show the local due time: $OUT"
ok "add --in 2h: #$ANA, local time shown"

# The database exists now, private to the user.
db=$XDG_DATA_HOME/netctl/netctl.db
assert_eq "$(stat -c %a "$db")" 600 "mode of $db"
assert_eq "$(stat -c %a "$(dirname "$db")")" 700 "mode of $(dirname "$db")"
ok "database 0600 in a 0700 directory"

expect_ok netctl add -q "Thank Bo for the intro" --due 2030-01-15T10:30
assert_match "$OUT" '^[0-9]+$' "add -q prints only the id"
BO=$OUT
# 10:30 in New York in January is 15:30 UTC.
assert_eq "$(json_field "$BO" due)" 2030-01-15T15:30:00Z "--due ISO local time, stored as UTC"
expect_ok netctl add --quiet "Coffee with Chen" --due 2030-06-01T12:00Z
CHEN=$OUT
assert_eq "$(json_field "$CHEN" due)" 2030-06-01T12:00:00Z "--due with Z"
expect_ok netctl add -q "Ping Dara" --due "2030-06-01T12:00+02:00"
assert_eq "$(json_field "$OUT" due)" 2030-06-01T10:00:00Z "--due with an offset"
DARA=$OUT
t0=$(now_s)
expect_ok netctl add -q "Call Eli"
ELI=$OUT
near "$(due_of "$ELI")" "$t0" 5 "add without a due time is due now"
expect_ok netctl add -q "Weekly check-in with Fay" --in 1d --every 1w
FAY=$OUT
assert_eq "$(json_field "$FAY" every)" 604800 "--every 1w"
assert_eq "$(json_field "$FAY" every_fixed)" false "every_fixed without --fixed"
past=$(date -d '3 hours ago' '+%Y-%m-%dT%H:%M')
expect_ok netctl add -q "Overdue note to Gil" --due "$past"
GIL=$OUT
ok "add: --due (local, Z, offset), no due, --every, a past due, -q/--quiet"

# Ids are distinct.
[[ $(printf '%s\n' "$ANA" "$BO" "$CHEN" "$DARA" "$ELI" "$FAY" "$GIL" | sort -u | wc -l) == 7 ]] ||
    fail "ids are not distinct"

# --- list ---------------------------------------------------------------------

expect_ok netctl list
header=$(head -n1 <<<"$OUT")
assert_match "$header" '^ID +DUE +WHEN +TEXT *$' "list header"
col=${header%%TEXT*}
col=${#col}
for t in "Send Ana the article on data teams" "Thank Bo for the intro" "Coffee with Chen" "Call Eli" "Overdue note to Gil"; do
    line=$(grep -F -- "$t" <<<"$OUT") || fail "list does not show '$t': $OUT"
    pre=${line%%"$t"*}
    assert_eq "${#pre}" "$col" "TEXT column of '$t' is not aligned with the header"
done
grep -F "Send Ana" <<<"$OUT" | grep -q 'in 2h' || fail "list does not say 'in 2h' for #$ANA: $OUT"
grep -F "Send Ana" <<<"$OUT" | grep -qF "$(local_hm "$(due_of "$ANA")")" ||
    fail "list does not show #$ANA's local due time: $OUT"
grep -F "Overdue note to Gil" <<<"$OUT" | grep -qE '3h( [0-9]+m)? ago' ||
    fail "list does not say '3h ago' for #$GIL: $OUT"
ok "list: aligned table with local due time and relative time"

expect_ok netctl list --json
json=$OUT
jq -e 'type == "array" and length == 7' <<<"$json" >/dev/null || fail "list --json is not an array of 7: $json"
jq -e 'all(.[];
        (.id | type == "number") and (.uid | type == "string" and length > 0) and
        (.text | type == "string") and (.kind | type == "string") and
        (.due | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")) and
        (.due_local | type == "string") and (.done_at == null) and
        (.every == null or (.every | type == "number")) and
        (.every_fixed | type == "boolean") and (.contact == null) and
        (.notified | type == "boolean"))' <<<"$json" >/dev/null ||
    fail "list --json objects do not have the documented fields and types: $json"
[[ $(jq '[.[].uid] | unique | length' <<<"$json") == 7 ]] || fail "uids are not unique"
ok "list --json: fields and types as documented"

expect_ok netctl list --overdue --json
# Eli's (due "now" when added) may or may not count yet; the rest are known.
assert_eq "$(jq -c --argjson eli "$ELI" '[.[].id | select(. != $eli)]' <<<"$OUT")" "[$GIL]" "list --overdue"
expect_ok netctl list --today --json
jq -e --argjson bo "$BO" 'all(.[]; .id != $bo)' <<<"$OUT" >/dev/null || fail "list --today shows a 2030 follow-up"
expect_ok netctl list --week --json
jq -e --argjson bo "$BO" 'all(.[]; .id != $bo)' <<<"$OUT" >/dev/null || fail "list --week shows a 2030 follow-up"
# Due later today: in --today and in --week (whichever week is meant).
# Only when "later today" exists: not in the last hour before midnight.
if (($(date +%H) < 23)); then
    expect_ok netctl add -q "Lunch with Hal" --due "today 23:59"
    HAL=$OUT
    for f in --today --week; do
        expect_ok netctl list "$f" --json
        jq -e --argjson id "$HAL" 'any(.[]; .id == $id)' <<<"$OUT" >/dev/null ||
            fail "list $f misses a follow-up due today 23:59"
    done
    expect_ok netctl rm "$HAL"
fi
ok "list --overdue / --today / --week filter"

# --- show ---------------------------------------------------------------------

expect_ok netctl show "$ANA"
[[ $OUT == *"Send Ana the article on data teams"* ]] || fail "show does not show the text: $OUT"
expect_ok netctl show "$ANA" --json
assert_eq "$(jq -cS . <<<"$OUT")" "$(jq -cS --argjson id "$ANA" '.[] | select(.id == $id)' <<<"$json")" \
    "show --json equals the list --json entry"
ok "show and show --json"

# --- done ---------------------------------------------------------------------

expect_ok netctl done "$ELI"
[[ $(json_field "$ELI" done_at) =~ ^[0-9]{4}-.*Z$ ]] || fail "done_at not set after done"
expect_ok netctl list --json
jq -e --argjson id "$ELI" 'all(.[]; .id != $id)' <<<"$OUT" >/dev/null || fail "plain list still shows a done follow-up"
expect_ok netctl list --all --json
jq -e --argjson id "$ELI" 'any(.[]; .id == $id)' <<<"$OUT" >/dev/null || fail "list --all misses a done follow-up"
expect_cli_error 1 netctl done "$ELI"
ok "done; done again is an error; list hides done ones, --all shows them"

# A keep-in-touch follow-up: the next one is due a week after completion.
t0=$(now_s)
expect_ok netctl done "$FAY"
expect_ok netctl list --json
next=$(jq -c '[.[] | select(.text == "Weekly check-in with Fay")]' <<<"$OUT")
assert_eq "$(jq length <<<"$next")" 1 "open follow-ups after done on a recurring one"
nextdue=$(iso_to_epoch "$(jq -r '.[0].due' <<<"$next")")
near "$nextdue" $((t0 + 604800)) 5 "next occurrence of a keep-in-touch follow-up"
assert_eq "$(jq -r '.[0].every' <<<"$next")" 604800 "the next occurrence keeps --every"
[[ $(jq -r '.[0].id' <<<"$next") != "$FAY" ]] || fail "the next occurrence reuses the done id"
ok "done on a recurring follow-up schedules the next one from completion"

# --- snooze -------------------------------------------------------------------

t0=$(now_s)
expect_ok netctl snooze "$GIL" 1h
near "$(due_of "$GIL")" $((t0 + 3600)) 5 "snooze 1h"
expect_ok netctl snooze "$GIL" "tomorrow 9am"
assert_eq "$(due_of "$GIL")" "$(date -d 'tomorrow 09:00' +%s)" "snooze 'tomorrow 9am'"
ok "snooze with a duration and with a WHEN"

# --- edit ---------------------------------------------------------------------

expect_ok netctl edit "$BO" --text "Thank Bo for the intro to Ina"
assert_eq "$(json_field "$BO" text)" "Thank Bo for the intro to Ina" "edit --text"
expect_ok netctl edit "$BO" --due 2031-02-03T08:15
assert_eq "$(json_field "$BO" due)" 2031-02-03T13:15:00Z "edit --due"
expect_ok netctl edit "$BO" --every 2d
assert_eq "$(json_field "$BO" every)" 172800 "edit --every"
assert_eq "$(json_field "$BO" text)" "Thank Bo for the intro to Ina" "edit --every keeps the text"
ok "edit --text, --due, --every"

# --- rm -----------------------------------------------------------------------

expect_ok netctl rm "$CHEN" "$DARA"
expect_ok netctl list --all --json
jq -e --argjson a "$CHEN" --argjson b "$DARA" 'all(.[]; .id != $a and .id != $b)' <<<"$OUT" >/dev/null ||
    fail "rm did not remove both"
ok "rm of two ids"

# --- errors that are the daemon's ----------------------------------------------

expect_cli_error 1 netctl show 99999
expect_cli_error 1 netctl done 99999
expect_cli_error 1 netctl snooze 99999 1h
expect_cli_error 1 netctl rm 99999
expect_cli_error 1 netctl edit 99999 --text x
ok "unknown ids: exit 1 with a sentence"

# --- usage errors change nothing --------------------------------------------------

snapshot "$BUS_DIR/before.json"
usage_errors=(
    "add"
    "add --in 2h"
    "add x --due tomorrow --in 2h"
    "add x --bogus"
    "add x --in"
    "list --bogus"
    "list extra"
    "show"
    "show 1 2"
    "show abc"
    "done"
    "done abc"
    "snooze"
    "snooze $ANA"
    "snooze $ANA 1h extra"
    "rm"
    "rm -5"
    "edit"
    "edit $ANA"
    "edit $ANA --bogus x"
    "status extra"
)
for args in "${usage_errors[@]}"; do
    read -ra argv <<<"$args"
    expect_cli_error 2 netctl "${argv[@]}"
done
snapshot "$BUS_DIR/after.json"
assert_same_schedule "$BUS_DIR/before.json" "$BUS_DIR/after.json" "after usage errors"
ok "${#usage_errors[@]} usage errors: exit 2, a sentence, nothing changed"

daemon_alive || fail "netctld died during the test"
ok "cli: all verbs"
