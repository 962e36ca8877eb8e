#!/bin/bash
# Meeting reminders when their planned time changes, and when it does not:
#  - a snoozed prep reminder keeps its snooze when the meeting is refreshed
#    without moving (a new SEQUENCE with a new summary: the text follows,
#    the time stays snoozed);
#  - when the meeting moves, the reminder moves with it (the snooze was
#    for the old time);
#  - a reload with a new prep_before and thanks_after moves the open
#    reminders of single meetings and of every occurrence of a series to
#    the new times; a reminder already done stays done;
#  - so does a change made while netctld was stopped, at its next start;
#  - a reminder the user removed stays removed: through an update of its
#    series, and new reminder times at a restart; after the series is
#    cancelled and invited again, it is back with the others.
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"
# shellcheck source=../lib/ics.sh
. "$(dirname "$0")/../lib/ics.sh"

export TZ=Europe/Berlin
bus_start
CONF=$XDG_CONFIG_HOME/netctl/netctl.conf
mkdir -p "$(dirname "$CONF")"
printf '[calendar]\nprep_before = 30m\nthanks_after = 2h\n' >"$CONF"
daemon_start

now=$(now_s)
day() { date -d "@$((now + $1 * 86400))" +%Y-%m-%d; }
START=$(local_epoch "$TZ" "$(day 3) 10:00")
END=$((START + 3600))
GEN=$TEST_DIR/gen
mkdir -p "$GEN"
# one_on_one FILE SEQ SUMMARY START: the single meeting, as its organizer
# sends it.
one_on_one() {
    invite "$1" uid=retime-1@example.com seq="$2" summary="$3" tzid=Europe/Berlin \
        start="$(ics_local Europe/Berlin "$4")" end="$(ics_local Europe/Berlin $(($4 + 3600)))"
}
# due_of KIND SUMMARY: the due time of that meeting's reminder of KIND.
due_of() { reminders "$2" | awk -v k="$1" '$1 == k { print $2 }'; }
id_of() {
    netctl list --all --json |
        jq -r --arg s "\"$2\"" --arg k "$1" '.[] | select(.kind == $k and (.text | contains($s))) | .id'
}

one_on_one "$GEN/v0.ics" 0 "Coffee with Ana" "$START"
expect_ok netctl import "$GEN/v0.ics"
assert_eq "$(due_of prep "Coffee with Ana")" "$(iso $((START - 1800)))" "prep due, 30 min before"
PREP=$(id_of prep "Coffee with Ana")

# --- a snooze survives a refresh that does not move the meeting -------------------------

SNOOZED=$((START - 3 * 3600))
expect_ok netctl snooze "$PREP" "$(date -d "@$SNOOZED" +%Y-%m-%dT%H:%M:%S)"
assert_eq "$(netctl show "$PREP" --json | jq -r .due)" "$(iso "$SNOOZED")" "due after the snooze"
one_on_one "$GEN/v1.ics" 1 "Coffee with Ana Lima" "$START"
expect_ok netctl import "$GEN/v1.ics"
assert_match "$OUT" "updated" "re-import of the renamed meeting"
assert_eq "$(netctl show "$PREP" --json | jq -r .due)" "$(iso "$SNOOZED")" \
    "the snoozed prep reminder's due after a refresh that did not move the meeting"
assert_match "$(netctl show "$PREP" --json | jq -r .text)" "Coffee with Ana Lima" "the prep text follows the summary"
ok "a snoozed prep reminder keeps its snooze when the meeting is updated but not moved; its text follows"

# --- the meeting moves: so does its reminder -----------------------------------------------

MOVED=$((START + 86400))
one_on_one "$GEN/v2.ics" 2 "Coffee with Ana Lima" "$MOVED"
expect_ok netctl import "$GEN/v2.ics"
assert_eq "$(netctl show "$PREP" --json | jq -r .due)" "$(iso $((MOVED - 1800)))" \
    "the prep reminder after the meeting moved a day"
ok "when the meeting moves, its prep reminder moves with it (same id)"

# --- new reminder times in the config ------------------------------------------------------

SERIES_START=$(local_epoch "$TZ" "$(day 2) 15:00")
invite "$GEN/weekly.ics" uid=retime-weekly@example.com summary="Weekly sync with Bo" tzid=Europe/Berlin \
    rrule="FREQ=WEEKLY;COUNT=3" start="$(ics_local Europe/Berlin "$SERIES_START")" \
    end="$(ics_local Europe/Berlin $((SERIES_START + 1800)))"
expect_ok netctl import "$GEN/weekly.ics"
assert_eq "$(reminders "Weekly sync with Bo" | grep -c '^prep ')" 3 "prep reminders of the three occurrences"
# One thank-you already done: it must stay done.
DONE_THANKS=$(id_of thanks "Coffee with Ana Lima")
expect_ok netctl done "$DONE_THANKS"

printf '[calendar]\nprep_before = 1h\nthanks_after = 30m\n' >"$CONF"
expect_ok netctl reload
assert_eq "$(netctl show "$PREP" --json | jq -r .due)" "$(iso $((MOVED - 3600)))" \
    "the single meeting's prep after prep_before = 1h"
want=""
for w in 0 1 2; do
    # 15:00 local each week, across a DST change too.
    s=$(local_epoch "$TZ" "$(date -d "$(date -d "@$SERIES_START" +%F) +$((w * 7)) days" +%F) 15:00")
    want+="prep $(iso $((s - 3600)))"$'\n'
    want+="thanks $(iso $((s + 1800 + 1800)))"$'\n'
done
assert_eq "$(reminders "Weekly sync with Bo")" "$(sort <<<"${want%$'\n'}")" \
    "the series' reminders after prep_before = 1h, thanks_after = 30m"
assert_match "$(netctl show "$DONE_THANKS" --json | jq -r .done_at)" '^[0-9]{4}-' "the done thank-you"
ok "a reload with new prep_before and thanks_after moves every open meeting reminder; a done one stays done"

# --- changed while netctld was stopped ------------------------------------------------------

daemon_stop || fail "netctld did not stop cleanly"
printf '[calendar]\nprep_before = 2h\nthanks_after = 30m\n' >"$CONF"
daemon_start
assert_eq "$(netctl show "$PREP" --json | jq -r .due)" "$(iso $((MOVED - 7200)))" \
    "the prep reminder after prep_before = 2h was set while netctld was stopped"
ok "a config changed while netctld was stopped moves the reminders at the next start"

# --- a reminder the user removed stays removed ------------------------------------------------

# weekly FILE SEQ SUMMARY [KEY=VALUE...]: the series, as its organizer sends it.
weekly() {
    local file=$1 seq=$2 summary=$3
    shift 3
    invite "$file" uid=retime-weekly@example.com seq="$seq" summary="$summary" tzid=Europe/Berlin \
        rrule="FREQ=WEEKLY;COUNT=3" start="$(ics_local Europe/Berlin "$SERIES_START")" \
        end="$(ics_local Europe/Berlin $((SERIES_START + 1800)))" "$@"
}
# kinds SUMMARY: the kinds of that meeting's reminders, sorted, on one line.
kinds() { reminders "$1" | cut -d' ' -f1 | paste -sd' '; }

FIRST_PREP=$(netctl list --all --json | jq -r '[.[] | select(.kind == "prep" and
    (.text | contains("\"Weekly sync with Bo\"")))] | sort_by(.due) | .[0].id')
expect_ok netctl rm "$FIRST_PREP"
assert_eq "$(kinds "Weekly sync with Bo")" "prep prep thanks thanks thanks" "after removing the first prep"
weekly "$GEN/weekly-1.ics" 1 "Weekly sync with Bo Chen"
expect_ok netctl import "$GEN/weekly-1.ics"
assert_match "$OUT" "updated" "the series renamed"
assert_eq "$(kinds "Weekly sync with Bo Chen")" "prep prep thanks thanks thanks" \
    "the removed prep after an update of the series"
daemon_stop || fail "netctld did not stop cleanly"
printf '[calendar]\nprep_before = 45m\nthanks_after = 30m\n' >"$CONF"
daemon_start
assert_eq "$(kinds "Weekly sync with Bo Chen")" "prep prep thanks thanks thanks" \
    "the removed prep after new reminder times at a restart"
assert_eq "$(reminders "Weekly sync with Bo Chen" | awk '$1 == "prep" { print $2 }' | head -n1)" \
    "$(iso $(($(local_epoch "$TZ" "$(date -d "$(date -d "@$SERIES_START" +%F) +7 days" +%F) 15:00") - 2700)))" \
    "the prep reminders left moved to 45 min before"
ok "a prep reminder the user removed stays removed through an update of its series and new times"

weekly "$GEN/weekly-2.ics" 2 "Weekly sync with Bo Chen" method=CANCEL
expect_ok netctl import "$GEN/weekly-2.ics"
assert_match "$OUT" "cancelled" "the series cancelled"
assert_eq "$(reminders "Weekly sync with Bo Chen" | grep -c '^prep ' || true)" 0 "prep reminders after the cancel"
weekly "$GEN/weekly-3.ics" 3 "Weekly sync with Bo Chen"
expect_ok netctl import "$GEN/weekly-3.ics"
assert_eq "$(reminders "Weekly sync with Bo Chen" | grep -c '^prep ')" 3 "prep reminders after the new invite"
ok "cancelled and invited again, the series has all its prep reminders again"

daemon_alive || fail "netctld died"
