#!/bin/bash
# Meetings from calendar files, through `netctl import` against netctld on a
# private bus:
#  - every file of the real corpus (tests/data/ics, MANIFEST.tsv): the word
#    netctl prints for it and the UTC start the manifest gives, Windows zone
#    names included; exit status non-zero only for a file that cannot be read;
#  - the Thunderbird update and cancel chains (SEQUENCE ordering);
#  - re-import says "unchanged" and changes nothing;
#  - malformed files are rejected with a reason and change nothing stored;
#  - prep and thank-you reminders for upcoming meetings: created, moved by a
#    newer invite, withdrawn by a cancellation (of the series or of one
#    occurrence), one per occurrence of a weekly series, never duplicated;
#  - [calendar] prep_before from the config, and a bad config refused by
#    `netctl reload` with its line number.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"
# shellcheck source=../lib/ics.sh
. "$(dirname "$0")/../lib/ics.sh"

# A zone with DST, where the corpus's local times are not UTC.
export TZ=Europe/Berlin
CORPUS=$NETCTL_SRC/tests/data/ics
[[ -r $CORPUS/MANIFEST.tsv ]] || fail "no corpus in $CORPUS"

bus_start
# The test works on copies: netctl must not need (or touch) the originals.
ICS=$TEST_DIR/ics
mkdir -p "$ICS"
cp "$CORPUS"/*.ics "$ICS/"
GEN=$TEST_DIR/gen
mkdir -p "$GEN"

# fresh_daemon: a new netctld on an empty database.
N_DATA=0
fresh_daemon() {
    daemon_stop || fail "netctld did not stop cleanly"
    N_DATA=$((N_DATA + 1))
    export XDG_DATA_HOME=$BUS_DIR/data$N_DATA
    mkdir -p "$XDG_DATA_HOME"
    daemon_start
}

# expect_import WORD FILE [REASON_REGEX]: `netctl import FILE` exits 0 and
# prints "FILE: WORD[ (counts)][: reason]"; a reason is required for
# skipped and rejected files.
expect_import() {
    local word=$1 file=$2 reason=${3:-}
    expect_rc 0 netctl import "$file"
    local re
    # shellcheck disable=SC2016  # a sed expression, not a shell one
    re="^$(printf '%q' "$file" | sed 's/[.[\*^$()+?{|]/\\&/g'): $word( \([0-9a-z, ]+\))?(: (.+))?$"
    if [[ ! $OUT =~ $re ]]; then
        _show_run netctl import "$file"
        fail "import of $(basename "$file"): expected '$word'"
    fi
    local got_reason=${BASH_REMATCH[3]}
    if [[ $word == skipped || $word == rejected ]] && [[ -z $got_reason ]]; then
        fail "import of $(basename "$file") says $word without a reason: $OUT"
    fi
    if [[ -n $reason && ! $got_reason =~ $reason ]]; then
        fail "import of $(basename "$file"): reason '$got_reason' does not match /$reason/"
    fi
    [[ -z $ERR ]] || fail "import of $(basename "$file") wrote to stderr: $ERR"
}

# has_start UTC: some occurrence starts at UTC (cancelled ones count).
starts() { netctl meetings --all --json | jq -r '.[].start' | sort -u; }

# --- the corpus, file by file ------------------------------------------------------
# FILE WORD FIRST-START (UTC, from MANIFEST.tsv; - when the file yields no
# meeting).  Files are imported in this order into one daemon; the khal
# files share a UID, so the second of them updates the first.  The files of
# Thunderbird's invitation tests all carry UID 02e79b96 and are tested as
# chains below.
CORPUS_TABLE='
biweekly--issue126.ics added 2023-11-22T08:30:00Z
biweekly--outlook-2010.ics added 2013-06-10T16:00:00Z
ical4j--1106817412.ics added 2005-03-24T23:00:00Z
ical4j--apple-iphone-os-26-structured-location.ics added 2026-05-22T08:30:00Z
ical4j--calconnect7.ics added 2005-04-28T15:00:00Z
ical4j--korganizer-lowercase.ics added 2005-01-15T23:00:00Z
ical4j--tmeher.ics added 2004-10-12T05:30:00Z
icalevents--basic_latin1.ics added 2017-07-11T22:00:00Z
icalevents--google_2024.ics added 2024-03-25T06:00:00Z
icalevents--icloud.ics added 2016-11-03T17:00:00Z
icalevents--multi_exdate_same_line_ms.ics added 2022-03-11T16:00:00Z
icalevents--recurrenceid_ms.ics added 2021-02-09T23:00:00Z
icalevents--rrule_until_all_day_ms.ics added 2021-03-18T23:00:00Z
icaljs--blank_line_mid.ics skipped -
icaljs--google_birthday.ics added 2014-12-09T23:00:00Z
icaljs--recur_instances.ics added 2012-10-02T22:00:00Z
ics-parser--issue-343.ics added 2024-09-23T08:00:00Z
khal--event_d_no_value.ics added 2014-04-08T22:00:00Z
khal--event_dt_floating.ics added 2014-04-09T07:30:00Z
khal--event_dt_local_missing_tz.ics updated 2014-04-09T07:30:00Z
khal--event_dt_multi_recuid_no_master.ics added 2014-06-30T05:30:00Z
khal--event_rrule_recuid_cancelled.ics added 2014-06-30T05:00:00Z
khal--invalid_tzoffset.ics added 2012-12-02T07:00:00Z
khal--tz_windows_format.ics added 2019-11-20T00:00:00Z
khal--without_uid.ics added 2014-04-08T22:00:00Z
libical--2445.ics added 1997-07-14T17:00:00Z
libical--incoming.ics added 1997-07-01T10:00:00Z
libical--issue252.ics rejected -
libical--recur-errors.ics added 1997-08-05T07:00:00Z
node-ical--exchange-custom-tz.ics added 2019-04-30T02:00:00Z
node-ical--exchange_whole_day_moved_recurrence.ics added 2026-02-18T23:00:00Z
node-ical--ms_timezones.ics added 2020-09-10T07:00:00Z
node-ical--tentative-apple-calendar.ics added 2022-07-04T23:00:00Z
python-icalendar--alarm_google_future.ics added 2024-10-04T18:15:00Z
python-icalendar--alarm_thunderbird_snoozed_until_1457.ics added 2024-10-23T14:00:00Z
python-icalendar--bom_calendar.ics skipped -
python-icalendar--fuzz_testcase_vtimezone_lone_cr.ics rejected -
python-icalendar--issue_165_missing_event.ics added 2015-07-03T08:00:00Z
python-icalendar--issue_237_fail_to_parse_timezone_with_non_ascii_tzid.ics added 2017-05-11T16:30:00Z
python-icalendar--multiple_calendar_components.ics added 2003-12-24T23:00:00Z
python-icalendar--rfc_5545_RDATE_example.ics skipped -
python-icalendar--small_bad_calendar.ics rejected -
python-icalendar--timezone_same_start.ics added 2017-02-24T20:00:00Z
python-icalendar--todos-example.ics skipped -
recurring-ical-events--issue_107_omitting_last_event.ics added 2023-01-05T18:00:00Z
recurring-ical-events--issue_113_period_in_rdate.ics added 2023-09-20T19:00:00Z
recurring-ical-events--issue_28_rrule_with_UTC_endinginZ.ics added 2020-04-01T22:00:00Z
recurring-ical-events--issue_62_moved_event.ics added 2021-12-17T20:30:00Z
recurring-ical-events--issue_75_range_parameter.ics added 2024-09-01T12:00:00Z
recurring-ical-events--issue_97_simple_todo.ics skipped -
recurring-ical-events--x_wr_timezone_simple_events_issue_59.ics added 2021-12-22T17:00:00Z
thunderbird--importLatin1.ics added 2019-01-01T14:00:00Z
thunderbird--meet-meeting-invite.ics added 2021-03-22T09:30:00Z
thunderbird--outlook-test-invite.ics added 2021-11-27T07:00:00Z
thunderbird--teams-meeting-invite.ics added 2020-12-02T17:00:00Z
'
CHAIN_FILES='thunderbird--single-event.ics thunderbird--update-major.ics thunderbird--cancel-single-event.ics
thunderbird--repeat-event.ics thunderbird--exception-major.ics thunderbird--cancel-repeat-event.ics'

# Every file of the manifest is in the table or a chain: a file added to the
# corpus cannot go untested.
while IFS=$'\t' read -r file _; do
    [[ $file == file ]] && continue
    grep -q "^$file " <<<"$CORPUS_TABLE" || grep -qw -- "$file" <<<"$CHAIN_FILES" ||
        fail "$file is in MANIFEST.tsv but not tested here"
    [[ -f $ICS/$file ]] || fail "$file is in MANIFEST.tsv but not in $CORPUS"
done <"$CORPUS/MANIFEST.tsv"

daemon_start
declare -A WORD START
ORDER=()
while read -r file word start; do
    [[ -n $file ]] || continue
    ORDER+=("$file")
    WORD[$file]=$word START[$file]=$start
    expect_import "$word" "$ICS/$file"
done <<<"$CORPUS_TABLE"
ok "corpus: ${#ORDER[@]} files imported, each with the expected word and a reason where due"

all_starts=$(starts)
windows=0
for file in "${ORDER[@]}"; do
    s=${START[$file]}
    [[ $s == - ]] && continue
    grep -qxF "$s" <<<"$all_starts" || fail "$file: no meeting starts at $s (its UTC start in MANIFEST.tsv)"
    if awk -F'\t' -v f="$file" '$1 == f && $6 ~ /windows-tz/ { found = 1 } END { exit !found }' \
        "$CORPUS/MANIFEST.tsv"; then
        windows=$((windows + 1))
    fi
done
((windows >= 15)) || fail "only $windows Windows-zone files checked"
ok "corpus: every file's first meeting at its manifest UTC start ($windows with Windows zone names)"

# A few series as their manifest describes them, occurrence by occurrence.
json=$(meeting_json event_rrule_recurrence_id)
assert_eq "$(jq -r '[.[] | "\(.start)\(if .cancelled then "x" else "" end)"] | join(" ")' <<<"$json")" \
    "2014-06-30T05:00:00Z 2014-07-07T07:00:00Z 2014-07-14T05:00:00Zx 2014-07-21T05:00:00Z 2014-07-28T05:00:00Z 2014-08-04T05:00:00Z" \
    "khal--event_rrule_recuid_cancelled: moved and cancelled occurrences"
json=$(meeting_json 21u17g5sbq791pn23imf7ue0lc@google.com)
assert_eq "$(jq length <<<"$json")" 30 "google_2024: COUNT=30"
assert_eq "$(jq -r '[.[] | select(.start | startswith("2024-03-30"))][0].start' <<<"$json")" 2024-03-30T06:00:00Z \
    "google_2024: last occurrence before DST"
assert_eq "$(jq -r '[.[] | select(.start | startswith("2024-03-31"))][0].start' <<<"$json")" 2024-03-31T05:00:00Z \
    "google_2024: first occurrence after DST"
# No UID, so find it by its first start: 23 Thursdays, UNTIL included.
json=$(netctl meetings --all --json | jq -c '(.[] | select(.start == "2023-01-05T18:00:00Z") | .uid) as $u | [.[] | select(.uid == $u)]')
assert_eq "$(jq length <<<"$json")" 23 "issue_107: occurrences (the last equals UNTIL)"
assert_eq "$(jq -r '.[-1].start' <<<"$json")" 2023-06-08T17:00:00Z "issue_107: last occurrence"
# Stale CANCEL in libical's iTIP examples: the meeting stays.
json=$(meeting_json calsrv.example.com-873970198738777@example.com)
assert_eq "$(jq -r '[.[] | select(.cancelled | not)] | length > 0' <<<"$json")" true \
    "libical--incoming: a CANCEL with a lower SEQUENCE leaves the meeting"
ok "corpus: series expansion (moved, cancelled, DST, UNTIL) and a stale CANCEL"

# Re-importing the whole corpus: "unchanged" for every file that added
# something, and nothing stored changes.  (The two khal files with one UID
# and one SEQUENCE replace each other: "updated", and the last one wins
# again.)
snap() {
    netctl meetings --all --json >"$1.meetings" || fail "meetings --all --json failed"
    snapshot "$1.followups"
}
assert_same_state() {
    assert_same_schedule "$1.followups" "$2.followups" "$3 (follow-ups)"
    if ! cmp -s "$1.meetings" "$2.meetings"; then
        diff <(jq . "$1.meetings") <(jq . "$2.meetings") | head -n 40 >&2 || true
        fail "the meetings changed: $3"
    fi
}
snap "$TEST_DIR/before"
for file in "${ORDER[@]}"; do
    case $file:${WORD[$file]} in
    khal--event_d_no_value.ics:* | khal--event_dt_local_missing_tz.ics:*)
        expect_import updated "$ICS/$file" ;;
    *:added | *:updated) expect_import unchanged "$ICS/$file" ;;
    *) expect_import "${WORD[$file]}" "$ICS/$file" ;;
    esac
done
snap "$TEST_DIR/after"
assert_same_state "$TEST_DIR/before" "$TEST_DIR/after" "re-importing the corpus"
ok "corpus: re-import says unchanged and changes nothing"

# Exit status: non-zero only when a file cannot be read; the others are
# still imported, in order.
mkdir "$GEN/a-directory.ics"
run netctl import "$ICS/libical--issue252.ics" "$GEN/no-such-file.ics" "$GEN/a-directory.ics" \
    "$ICS/thunderbird--meet-meeting-invite.ics"
[[ $RC == 1 ]] || { _show_run netctl import ...; fail "import with unreadable files: exit $RC, want 1"; }
[[ $ERR == *"no-such-file.ics"* && $ERR == *"a-directory.ics"* ]] ||
    fail "unreadable files are not named on stderr: $ERR"
[[ $ERR =~ ^netctl:\  ]] || fail "stderr does not start with 'netctl: ': $ERR"
[[ $(sed -n 1p <<<"$OUT") == *"libical--issue252.ics: rejected: "* ]] || fail "rejected file not reported: $OUT"
[[ $(sed -n 2p <<<"$OUT") == *"thunderbird--meet-meeting-invite.ics: unchanged"* ]] ||
    fail "the file after the unreadable ones was not imported: $OUT"
expect_rc 0 netctl import "$ICS/libical--issue252.ics" "$ICS/python-icalendar--small_bad_calendar.ics"
ok "exit 1 only for unreadable files (named on stderr); rejected files exit 0"

expect_cli_error 2 netctl import
expect_cli_error 2 netctl import --frobnicate "$ICS/khal--without_uid.ics"
ok "import usage errors: exit 2"

# --- malformed files: rejected with a reason, nothing stored changes ------------

snap "$TEST_DIR/bad0"
: >"$GEN/empty.ics"
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:bin\r\nSUMMARY:\0\1\2\3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >"$GEN/binary.ics"
head -c 3000 /bin/sh >"$GEN/elf.ics"
printf 'Dear Ana,\nsee you on Tuesday.\n' >"$GEN/plain-text.ics"
printf '<!DOCTYPE html><html><body>Calendar</body></html>\n' >"$GEN/html.ics"
invite "$GEN/truncated-src.ics" uid=bad-truncated@example.com summary="Truncated" \
    start=20261201T100000 end=20261201T110000
head -n 20 "$GEN/truncated-src.ics" >"$GEN/truncated.ics"
{
    printf 'BEGIN:VCALENDAR\r\n'
    for _ in $(seq 40); do printf 'BEGIN:VEVENT\r\n'; done
    for _ in $(seq 40); do printf 'END:VEVENT\r\n'; done
    printf 'END:VCALENDAR\r\n'
} >"$GEN/nested.ics"
printf 'BEGIN:VCALENDAR\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >"$GEN/stray-end.ics"
for f in empty binary elf plain-text html truncated nested stray-end; do
    expect_import rejected "$GEN/$f.ics"
done
expect_import rejected "$ICS/libical--issue252.ics" 'NUL byte'
expect_import rejected "$ICS/python-icalendar--small_bad_calendar.ics" 'truncated'
expect_import rejected "$ICS/python-icalendar--fuzz_testcase_vtimezone_lone_cr.ics" 'VCALENDAR'
# Larger than 16 MiB: refused by name, with the reason.
{
    printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-PAD:'
    head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' 'x'
    printf '\r\nEND:VCALENDAR\r\n'
} >"$GEN/huge.ics"
expect_import rejected "$GEN/huge.ics" '16 MiB'
# Absurd values and no start: the event is skipped, with the reason.
invite "$GEN/absurd.ics" uid=absurd@example.com summary="Year 9999" start=99990101T100000 end=99990101T110000
expect_import skipped "$GEN/absurd.ics"
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:no-start@example.com\r\nSUMMARY:No start\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >"$GEN/no-start.ics"
expect_import skipped "$GEN/no-start.ics" 'DTSTART'
snap "$TEST_DIR/bad1"
assert_same_state "$TEST_DIR/bad0" "$TEST_DIR/bad1" "importing malformed files"
daemon_alive || fail "netctld died on malformed files"
ok "malformed files: rejected or skipped with a reason, nothing stored changed"

# --- the Thunderbird chains ------------------------------------------------------

tb=02e79b96
tb_state() { meeting_json "$tb" | jq -r '[.[] | "\(.start)\(if .cancelled then " cancelled" else "" end)"] | join(", ")'; }

fresh_daemon
expect_import added "$ICS/thunderbird--single-event.ics"
assert_eq "$(tb_state)" "2022-03-16T11:00:00Z" "single-event"
json=$(meeting_json "$tb")
assert_eq "$(jq -r '.[0].end' <<<"$json")" 2022-03-16T11:30:00Z "single-event: DTEND wins over DURATION"
assert_eq "$(jq -r '[.[0].people[] | .email] | sort | join(" ")' <<<"$json")" \
    "other@example.com receiver@example.com sender@example.com" "single-event: people"
assert_eq "$(jq -r '.[0].people[] | select(.organizer) | .email' <<<"$json")" sender@example.com "organizer"
expect_import updated "$ICS/thunderbird--update-major.ics"
assert_eq "$(tb_state)" "2022-03-16T05:00:00Z" "update-major (SEQUENCE 2) moves it to 05:00Z"
expect_import unchanged "$ICS/thunderbird--cancel-single-event.ics"
assert_eq "$(tb_state)" "2022-03-16T05:00:00Z" "cancel-single-event (SEQUENCE 1) is stale after SEQUENCE 2"
expect_import unchanged "$ICS/thunderbird--single-event.ics"
assert_eq "$(tb_state)" "2022-03-16T05:00:00Z" "single-event (SEQUENCE 0) is stale after SEQUENCE 2"
ok "chain single-event -> update-major -> cancel-single-event: moved to 05:00Z, stale cancel ignored"

fresh_daemon
expect_import added "$ICS/thunderbird--single-event.ics"
expect_import cancelled "$ICS/thunderbird--cancel-single-event.ics"
assert_eq "$(tb_state)" "2022-03-16T11:00:00Z cancelled" "single-event -> cancel-single-event"
expect_import unchanged "$ICS/thunderbird--cancel-single-event.ics"
expect_import unchanged "$ICS/thunderbird--single-event.ics"
assert_eq "$(tb_state)" "2022-03-16T11:00:00Z cancelled" "an older invite does not revive a cancelled meeting"
expect_import updated "$ICS/thunderbird--update-major.ics"
assert_eq "$(tb_state)" "2022-03-16T05:00:00Z" "a newer invite (SEQUENCE 2) revives it"
ok "chain single-event -> cancel-single-event: cancelled; only a newer SEQUENCE revives it"

fresh_daemon
expect_import cancelled "$ICS/thunderbird--cancel-single-event.ics"
expect_import unchanged "$ICS/thunderbird--single-event.ics"
assert_eq "$(tb_state)" "2022-03-16T11:00:00Z cancelled" "a CANCEL that came before its invite"
ok "a CANCEL arriving before its invite keeps the older invite out"

fresh_daemon
expect_import added "$ICS/thunderbird--repeat-event.ics"
assert_eq "$(tb_state)" "2022-03-16T11:00:00Z, 2022-03-17T11:00:00Z, 2022-03-18T11:00:00Z" "repeat-event: COUNT=3"
expect_import updated "$ICS/thunderbird--exception-major.ics"
assert_eq "$(tb_state)" "2022-03-16T11:00:00Z, 2022-03-17T05:00:00Z, 2022-03-18T11:00:00Z" \
    "exception-major moves the 03-17 occurrence to 05:00Z"
expect_import cancelled "$ICS/thunderbird--cancel-repeat-event.ics"
assert_eq "$(tb_state)" \
    "2022-03-16T11:00:00Z cancelled, 2022-03-17T05:00:00Z cancelled, 2022-03-18T11:00:00Z cancelled" \
    "cancel-repeat-event (no DTSTART) cancels the series by UID"
ok "chain repeat-event -> exception-major -> cancel-repeat-event"

# --- reminders for upcoming meetings ---------------------------------------------

fresh_daemon
now=$(now_s)
day() { TZ=Europe/Berlin date -d "@$((now + $1 * 86400))" +%Y-%m-%d; }
berlin() { local_epoch Europe/Berlin "$1"; }

# A: Europe/Berlin with its VTIMEZONE, 10:00-11:00 in three days.
A_START=$(berlin "$(day 3) 10:00") A_END=$(berlin "$(day 3) 11:00")
invite "$GEN/a0.ics" uid=coffee-ana@example.com summary="Coffee with Ana" \
    start="$(ics_local Europe/Berlin "$A_START")" end="$(ics_local Europe/Berlin "$A_END")"
expect_import added "$GEN/a0.ics"
assert_eq "$(meeting_json coffee-ana@example.com | jq -r '.[] | "\(.start) \(.end)"')" \
    "$(iso "$A_START") $(iso "$A_END")" "A: stored in UTC"
assert_eq "$(reminders "Coffee with Ana")" "prep $(iso $((A_START - 1800)))
thanks $(iso "$(thanks_for "$A_END")")" "A: prep 30 min before, thanks 2 h after"
ok "A (Europe/Berlin): prep at start - 30 min, thank-you 2 h after the end"

# B: the Windows name Exchange writes, with Exchange's VTIMEZONE; it ends
# at 20:00, so the thank-you waits for the next morning.
B_START=$(berlin "$(day 4) 19:00") B_END=$(berlin "$(day 4) 20:00")
invite "$GEN/b0.ics" uid=040000008200E00074C5B7101A82E008000000000B0B@example.com summary="Outlook sync with Bo" \
    tzid="W. Europe Standard Time" start="$(ics_local Europe/Berlin "$B_START")" \
    end="$(ics_local Europe/Berlin "$B_END")"
expect_import added "$GEN/b0.ics"
assert_eq "$(meeting_json 040000008200E00074C5B7101A82E008000000000B0B@example.com | jq -r '.[].start')" \
    "$(iso "$B_START")" "B: W. Europe Standard Time"
assert_eq "$(reminders "Outlook sync with Bo")" "prep $(iso $((B_START - 1800)))
thanks $(iso "$(berlin "$(day 5) 09:00")")" "B: thanks next morning at 09:00"
ok "B (W. Europe Standard Time): right UTC start; thank-you at 09:00 next morning"

# C: a Windows name with no VTIMEZONE at all, resolved through CLDR.
C_START=$(local_epoch America/Los_Angeles "$(TZ=America/Los_Angeles date -d "@$((now + 5 * 86400))" +%Y-%m-%d) 08:00")
C_END=$((C_START + 1800))
invite "$GEN/c0.ics" uid=call-chen@example.com summary="Call with Chen" tzid="Pacific Standard Time" vtz=none \
    start="$(ics_local America/Los_Angeles "$C_START")" end="$(ics_local America/Los_Angeles "$C_END")"
expect_import added "$GEN/c0.ics"
assert_eq "$(meeting_json call-chen@example.com | jq -r '.[].start')" "$(iso "$C_START")" \
    "C: Pacific Standard Time without VTIMEZONE"
assert_eq "$(reminders "Call with Chen")" "prep $(iso $((C_START - 1800)))
thanks $(iso "$(thanks_for "$C_END")")" "C: reminders"
ok "C (Pacific Standard Time, no VTIMEZONE): right UTC start and reminders"

# F: a single meeting beyond the expansion horizon (90 days) still gets
# its reminders.
F_START=$(berlin "$(day 120) 15:00") F_END=$(berlin "$(day 120) 16:00")
invite "$GEN/f0.ics" uid=far-future@example.com summary="Panel in spring" \
    start="$(ics_local Europe/Berlin "$F_START")" end="$(ics_local Europe/Berlin "$F_END")"
expect_import added "$GEN/f0.ics"
assert_eq "$(reminders "Panel in spring")" "prep $(iso $((F_START - 1800)))
thanks $(iso "$(thanks_for "$F_END")")" "F: reminders for a meeting 120 days ahead"
ok "F: a single meeting beyond the horizon has its reminders"

# G: all day: prep on the morning of the day, thank-you the morning after.
invite "$GEN/g0.ics" uid=career-fair@example.com summary="Career fair" allday=1 \
    start="$(day 6 | tr -d -)" end="$(day 7 | tr -d -)"
expect_import added "$GEN/g0.ics"
json=$(meeting_json career-fair@example.com)
assert_eq "$(jq -r '.[] | "\(.all_day) \(.start)"' <<<"$json")" "true $(iso "$(berlin "$(day 6) 00:00")")" \
    "G: all-day, local midnight"
assert_eq "$(reminders "Career fair")" "prep $(iso "$(berlin "$(day 6) 09:00")")
thanks $(iso "$(berlin "$(day 7) 09:00")")" "G: all-day reminders"
ok "G: all-day meeting, prep at 09:00 that day, thank-you at 09:00 the next"

# Re-import: unchanged, no duplicate reminders.
snap "$TEST_DIR/r0"
for f in a0 b0 c0 f0 g0; do expect_import unchanged "$GEN/$f.ics"; done
snap "$TEST_DIR/r1"
assert_same_state "$TEST_DIR/r0" "$TEST_DIR/r1" "re-importing the same invites"
assert_eq "$(jq length "$TEST_DIR/r1.followups")" 10 "reminders for five meetings"
ok "re-import: unchanged, no duplicate reminders"

# A REPLY (an attendee answering) and a COUNTER create nothing.
invite "$GEN/a-reply.ics" method=REPLY uid=coffee-ana@example.com summary="Coffee with Ana" \
    start="$(ics_local Europe/Berlin "$A_START")" end="$(ics_local Europe/Berlin "$A_END")" attendees=bo@example.net
expect_import skipped "$GEN/a-reply.ics" 'REPLY'
invite "$GEN/x-counter.ics" method=COUNTER uid=counter-only@example.com summary="Counter proposal" \
    start="$(ics_local Europe/Berlin "$A_START")" end="$(ics_local Europe/Berlin "$A_END")"
expect_import skipped "$GEN/x-counter.ics" 'COUNTER'
snap "$TEST_DIR/r2"
assert_same_state "$TEST_DIR/r0" "$TEST_DIR/r2" "REPLY and COUNTER"
ok "REPLY and COUNTER: skipped, nothing created"

# A moves: SEQUENCE 1 to 14:00-15:00; the reminders follow (the same
# follow-ups, moved: a snooze or an edit the user made stays), none added.
ids_of() {
    netctl list --all --json | jq -r --arg s "\"$1\"" '[.[] | select(.text | contains($s)) | "\(.kind)=\(.id)"] | sort | join(" ")'
}
A_IDS=$(ids_of "Coffee with Ana")
A1_START=$(berlin "$(day 3) 14:00") A1_END=$(berlin "$(day 3) 15:00")
invite "$GEN/a1.ics" uid=coffee-ana@example.com seq=1 summary="Coffee with Ana" \
    start="$(ics_local Europe/Berlin "$A1_START")" end="$(ics_local Europe/Berlin "$A1_END")"
expect_import updated "$GEN/a1.ics"
assert_eq "$(meeting_json coffee-ana@example.com | jq -r '.[] | .start')" "$(iso "$A1_START")" "A moved"
assert_eq "$(reminders "Coffee with Ana")" "prep $(iso $((A1_START - 1800)))
thanks $(iso "$(thanks_for "$A1_END")")" "A: reminders moved with the meeting"
assert_eq "$(netctl list --all --json | jq length)" 10 "reminder count after a move"
assert_eq "$(ids_of "Coffee with Ana")" "$A_IDS" "A: the moved reminders are the same follow-ups"
expect_import unchanged "$GEN/a0.ics"
assert_eq "$(meeting_json coffee-ana@example.com | jq -r '.[] | .start')" "$(iso "$A1_START")" \
    "A: the SEQUENCE 0 invite again changes nothing"
ok "A moved by SEQUENCE 1: reminders follow; the older invite is ignored"

# A cancelled: both reminders withdrawn; the meeting stays, cancelled.
invite "$GEN/a2-cancel.ics" method=CANCEL uid=coffee-ana@example.com seq=2 summary="Coffee with Ana" \
    status=CANCELLED start="$(ics_local Europe/Berlin "$A1_START")" end="$(ics_local Europe/Berlin "$A1_END")"
expect_import cancelled "$GEN/a2-cancel.ics"
assert_eq "$(reminders "Coffee with Ana")" "" "A: reminders after CANCEL"
assert_eq "$(meeting_json coffee-ana@example.com | jq -r '.[] | .cancelled')" true "A: cancelled in meetings --all"
netctl meetings --json | jq -e 'all(.[]; .uid != "coffee-ana@example.com")' >/dev/null ||
    fail "a cancelled meeting is listed by plain 'netctl meetings'"
expect_import unchanged "$GEN/a1.ics"
assert_eq "$(reminders "Coffee with Ana")" "" "A: an older invite after the CANCEL"
# STATUS:CANCELLED in a REQUEST cancels too (B).
invite "$GEN/b1.ics" uid=040000008200E00074C5B7101A82E008000000000B0B@example.com seq=1 status=CANCELLED \
    summary="Outlook sync with Bo" tzid="W. Europe Standard Time" \
    start="$(ics_local Europe/Berlin "$B_START")" end="$(ics_local Europe/Berlin "$B_END")"
expect_import cancelled "$GEN/b1.ics"
assert_eq "$(reminders "Outlook sync with Bo")" "" "B: reminders after STATUS:CANCELLED"
# A newer invite brings A back, with new reminders.
invite "$GEN/a3.ics" uid=coffee-ana@example.com seq=3 summary="Coffee with Ana" \
    start="$(ics_local Europe/Berlin "$A_START")" end="$(ics_local Europe/Berlin "$A_END")"
expect_import updated "$GEN/a3.ics"
assert_eq "$(reminders "Coffee with Ana")" "prep $(iso $((A_START - 1800)))
thanks $(iso "$(thanks_for "$A_END")")" "A: reminders after a newer invite revived it"
ok "CANCEL and STATUS:CANCELLED withdraw both reminders; a newer invite restores them"

# S: a weekly series, 20 occurrences from the day after tomorrow; those
# within the 90-day horizon get one prep and one thank-you each.
S_DAY0=$(day 2)
invite "$GEN/s0.ics" uid=mentoring@example.com summary="Weekly mentoring" rrule="FREQ=WEEKLY;COUNT=20" \
    start="$(ics_local Europe/Berlin "$(berlin "$S_DAY0 10:00")")" \
    end="$(ics_local Europe/Berlin "$(berlin "$S_DAY0 10:45")")"
t_import=$(now_s)
expect_import added "$GEN/s0.ics"
S_STARTS=()
for k in $(seq 0 19); do
    s=$(berlin "$(TZ=Europe/Berlin date -d "$S_DAY0 +$((7 * k)) days" +%Y-%m-%d) 10:00")
    ((s < t_import + 90 * 86400)) && S_STARTS+=("$s")
done
((${#S_STARTS[@]} >= 12 && ${#S_STARTS[@]} <= 13)) || fail "expected 12-13 occurrences in 90 days, computed ${#S_STARTS[@]}"
want_preps=$(for s in "${S_STARTS[@]}"; do iso $((s - 1800)); done | sort)
got_preps=$(reminders "Weekly mentoring" | sed -n 's/^prep //p')
assert_eq "$got_preps" "$want_preps" "S: one prep per occurrence within the horizon"
assert_eq "$(reminders "Weekly mentoring" | grep -c '^thanks ')" "${#S_STARTS[@]}" "S: thank-yous"
assert_eq "$(meeting_json mentoring@example.com | jq -r '[.[].start] | join(" ")')" \
    "$(for s in "${S_STARTS[@]}"; do iso "$s"; done | paste -sd ' ')" "S: occurrences within the horizon"
expect_import unchanged "$GEN/s0.ics"
assert_eq "$(reminders "Weekly mentoring" | grep -c '^prep ')" "${#S_STARTS[@]}" "S: preps after a re-import"
ok "S: weekly series, ${#S_STARTS[@]} occurrences in the horizon, one prep and one thank-you each"

# One occurrence cancelled by RECURRENCE-ID: only its reminders go.
S2=${S_STARTS[2]}
invite "$GEN/s1-cancel-one.ics" method=CANCEL uid=mentoring@example.com seq=1 summary="Weekly mentoring" \
    status=CANCELLED recurid="$(ics_local Europe/Berlin "$S2")" start="$(ics_local Europe/Berlin "$S2")" \
    end="$(ics_local Europe/Berlin $((S2 + 2700)))"
expect_import cancelled "$GEN/s1-cancel-one.ics"
want=$(for s in "${S_STARTS[@]}"; do [[ $s == "$S2" ]] || iso $((s - 1800)); done | sort)
assert_eq "$(reminders "Weekly mentoring" | sed -n 's/^prep //p')" "$want" "S: preps after cancelling one occurrence"
assert_eq "$(reminders "Weekly mentoring" | grep -c '^thanks ')" $((${#S_STARTS[@]} - 1)) "S: thank-yous after cancelling one"
assert_eq "$(meeting_json mentoring@example.com | jq -r --arg s "$(iso "$S2")" '.[] | select(.start == $s) | .cancelled')" \
    true "S: the cancelled occurrence is shown cancelled"
assert_eq "$(meeting_json mentoring@example.com | jq '[.[] | select(.cancelled)] | length')" 1 "S: cancelled occurrences"
ok "S: RECURRENCE-ID cancel withdraws only that occurrence's reminders"

# One occurrence moved by RECURRENCE-ID: its prep follows.
S4=${S_STARTS[4]}
S4_NEW=$((S4 + 6 * 3600))
invite "$GEN/s2-move-one.ics" uid=mentoring@example.com seq=1 summary="Weekly mentoring" \
    recurid="$(ics_local Europe/Berlin "$S4")" start="$(ics_local Europe/Berlin "$S4_NEW")" \
    end="$(ics_local Europe/Berlin $((S4_NEW + 2700)))" attendees="ana@example.org;bo@example.net;guest@example.org"
expect_import updated "$GEN/s2-move-one.ics"
# Its own VEVENT brings a guest to that occurrence only; the others keep
# the series' people.
people_at() {
    meeting_json mentoring@example.com |
        jq -r --arg s "$(iso "$1")" '[.[] | select(.start == $s) | .people[].email] | sort | join(" ")'
}
assert_match "$(people_at "$S4_NEW")" "guest@example.org" "S: people of the moved occurrence"
for s in "${S_STARTS[0]}" "${S_STARTS[5]}"; do
    series_people=$(people_at "$s")
    [[ -n $series_people && $series_people != *guest@example.org* ]] ||
        fail "S: people of another occurrence: '$series_people'"
done
want=$(for s in "${S_STARTS[@]}"; do
    [[ $s == "$S2" ]] && continue
    [[ $s == "$S4" ]] && s=$S4_NEW
    iso $((s - 1800))
done | sort)
assert_eq "$(reminders "Weekly mentoring" | sed -n 's/^prep //p')" "$want" "S: preps after moving one occurrence"
ok "S: RECURRENCE-ID move moves only that occurrence's prep, and its guest is only its own"

# The whole series cancelled.
invite "$GEN/s3-cancel.ics" method=CANCEL uid=mentoring@example.com seq=2 summary="Weekly mentoring" \
    status=CANCELLED rrule="FREQ=WEEKLY;COUNT=20" start="$(ics_local Europe/Berlin "$(berlin "$S_DAY0 10:00")")" \
    end="$(ics_local Europe/Berlin "$(berlin "$S_DAY0 10:45")")"
expect_import cancelled "$GEN/s3-cancel.ics"
assert_eq "$(reminders "Weekly mentoring")" "" "S: reminders after cancelling the series"
meeting_json mentoring@example.com | jq -e 'length > 0 and all(.[]; .cancelled)' >/dev/null ||
    fail "S: not every occurrence is cancelled"
ok "S: cancelling the series withdraws every reminder"

# --- the config: prep_before, me, and a bad file ---------------------------------

mkdir -p "$XDG_CONFIG_HOME/netctl"
CONF=$XDG_CONFIG_HOME/netctl/netctl.conf
cat >"$CONF" <<'EOF'
# netctl.conf written by tests/bus/calendar.sh
[calendar]
prep_before = 15m
me = ana@example.org
EOF
expect_ok netctl reload
D_START=$(berlin "$(day 8) 11:00") D_END=$(berlin "$(day 8) 12:00")
invite "$GEN/d0.ics" uid=interview-delta@example.com summary="Interview at Delta" \
    start="$(ics_local Europe/Berlin "$D_START")" end="$(ics_local Europe/Berlin "$D_END")"
expect_import added "$GEN/d0.ics"
assert_eq "$(reminders "Interview at Delta" | sed -n 's/^prep //p')" "$(iso $((D_START - 900)))" \
    "prep_before = 15m"
assert_eq "$(meeting_json interview-delta@example.com | jq -r '[.[0].people[].email] | sort | join(" ")')" \
    "bo@example.net olga@example.com" "people, without the user's own address (me)"
ok "config: prep_before = 15m applies to new reminders; 'me' is not a person of the meeting"

# A newer invite with other attendees replaces the meeting's people (the
# stored row is updated in place, not added again).
invite "$GEN/d1.ics" uid=interview-delta@example.com summary="Interview at Delta" seq=1 \
    start="$(ics_local Europe/Berlin "$D_START")" end="$(ics_local Europe/Berlin "$D_END")" \
    attendees="bo@example.net;cy@example.com"
expect_import updated "$GEN/d1.ics"
assert_eq "$(meeting_json interview-delta@example.com | jq -r '[.[0].people[].email] | sort | join(" ")')" \
    "bo@example.net cy@example.com olga@example.com" "people after a newer invite"
assert_eq "$(meeting_json interview-delta@example.com | jq length)" 1 "one occurrence after a newer invite"
ok "update: a newer invite replaces the people of the stored meeting"

cat >"$CONF" <<'EOF'
[calendar]
prep_before = 15m
thanks_after = soon
EOF
run netctl reload
[[ $RC == 1 ]] || { _show_run netctl reload; fail "reload of a bad config: exit $RC, want 1"; }
[[ $ERR =~ ^netctl:\  && $ERR =~ netctl\.conf:3:.*thanks_after ]] ||
    fail "reload error does not name line 3 and the key: $ERR"
cat >"$CONF" <<'EOF'
[calendar]
prep_before = 45 minutes please
EOF
run netctl reload
[[ $RC == 1 && $ERR =~ netctl\.conf:2:.*prep_before ]] || fail "reload error does not name line 2 (exit $RC): $ERR"
# The config in force stays: still 15 minutes.
E_START=$(berlin "$(day 9) 11:00")
invite "$GEN/e0.ics" uid=lunch-eli@example.com summary="Lunch with Eli" \
    start="$(ics_local Europe/Berlin "$E_START")" end="$(ics_local Europe/Berlin $((E_START + 3600)))"
expect_import added "$GEN/e0.ics"
assert_eq "$(reminders "Lunch with Eli" | sed -n 's/^prep //p')" "$(iso $((E_START - 900)))" \
    "prep_before after a refused reload"
daemon_alive || fail "netctld died"
ok "config: a bad value makes reload fail naming the line; the config in force stays"
