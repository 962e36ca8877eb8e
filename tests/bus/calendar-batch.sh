#!/bin/bash
# One file of many meetings gives the same schedule as the same meetings
# imported one file each.  A file of many events is parsed in parts, on
# two threads, and stored part by part as they are parsed (ical-import.c's
# IcsStream), and its series are expanded on a second thread while the
# first stores them (calendar.c's Lookahead); a file of one event is
# neither.  So this compares the two ways on the same events, occurrence
# by occurrence and reminder by reminder:
#  - 300 meetings as bench/gen-ics.py writes them: two zones with their
#    VTIMEZONEs, weekly series with COUNT and EXDATE, all-day events,
#    attendees, folded descriptions, spread from four weeks back to half a
#    year ahead;
#  - a series with an override of its second occurrence (the override has
#    its own row, so the series is expanded as a whole);
#  - a meeting sent twice in the file, the second time moved (SEQUENCE 1):
#    the stored text is the second one, not the one first seen.
# And a third import: the same file with one more event at its end that
# ends before it starts.  Its warning makes the parser start over with the
# whole file after the first parts were stored; what they stored must go,
# so that the outcome and the schedule are the first file's plus that
# event.
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

export TZ=Europe/Berlin
need_cmd python3 jq
bus_start
daemon_start

GEN=$TEST_DIR/gen
mkdir -p "$GEN/one"
MONDAY=$(date -d "$(date +%F) -$(($(date +%u) - 1)) days" +%F)
python3 "$NETCTL_SRC/bench/gen-ics.py" --count 300 --start "$MONDAY" "$GEN/gen.ics"

# with_events SRC DST LINE...: SRC with a VEVENT of these lines (CRLF
# ends) per "--"-separated group, before its END:VCALENDAR.
with_events() {
    local src=$1 dst=$2 extra="BEGIN:VEVENT"$'\r\n' line
    shift 2
    for line; do
        if [[ $line == -- ]]; then
            extra+="END:VEVENT"$'\r\n'"BEGIN:VEVENT"$'\r\n'
        else
            extra+="$line"$'\r\n'
        fi
    done
    extra+="END:VEVENT"$'\r\n'
    python3 - "$src" "$dst" "$extra" <<'EOF'
import sys
src, dst, extra = sys.argv[1:]
text = open(src, newline="").read()
end = text.rindex("END:VCALENDAR")
open(dst, "w", newline="").write(text[:end] + extra + text[end:])
EOF
}

# The extra events, in the zone the generated file defines.
D2=$(date -d "$MONDAY +9 days" +%Y%m%d)
D3=$(date -d "$MONDAY +10 days" +%Y%m%d)
D2_NEXT=$(date -d "$MONDAY +16 days" +%Y%m%d)
BERLIN="TZID=Europe/Berlin"
with_events "$GEN/gen.ics" "$GEN/all.ics" \
    UID:batch-series@example.com DTSTAMP:20260101T120000Z \
    "DTSTART;$BERLIN:${D2}T100000" "DTEND;$BERLIN:${D2}T110000" \
    RRULE:FREQ=WEEKLY\;COUNT=4 "SUMMARY:Weekly mentoring with Ines" -- \
    UID:batch-series@example.com DTSTAMP:20260101T120000Z "RECURRENCE-ID;$BERLIN:${D2_NEXT}T100000" \
    "DTSTART;$BERLIN:${D2_NEXT}T150000" "DTEND;$BERLIN:${D2_NEXT}T160000" \
    "SUMMARY:Mentoring with Ines (moved)" -- \
    UID:batch-twice@example.com DTSTAMP:20260101T120000Z SEQUENCE:0 \
    "DTSTART;$BERLIN:${D3}T090000" "DTEND;$BERLIN:${D3}T093000" "SUMMARY:Call with Tomas" -- \
    UID:batch-twice@example.com DTSTAMP:20260101T120000Z SEQUENCE:1 \
    "DTSTART;$BERLIN:${D3}T140000" "DTEND;$BERLIN:${D3}T143000" "SUMMARY:Call with Tomas (moved)"
# The same with an event that warns, in the file's last part.
with_events "$GEN/all.ics" "$GEN/warned.ics" \
    UID:batch-backwards@example.com DTSTAMP:20260101T120000Z \
    "DTSTART;$BERLIN:${D3}T160000" "DTEND;$BERLIN:${D3}T150000" "SUMMARY:Backwards clock with Uma"
# Each VEVENT alone, after the same header (VTIMEZONEs included), in file
# order.
python3 - "$GEN/all.ics" "$GEN/one" <<'EOF'
import sys
text = open(sys.argv[1], newline="").read()
head = text[:text.index("BEGIN:VEVENT")]
body = text[len(head):text.rindex("END:VCALENDAR")]
events = ["BEGIN:VEVENT" + e for e in body.split("BEGIN:VEVENT")[1:]]
for i, e in enumerate(events):
    with open("%s/%04d.ics" % (sys.argv[2], i), "w", newline="") as f:
        f.write(head + e + "END:VCALENDAR\r\n")
EOF
N_FILES=$(find "$GEN/one" -name '*.ics' | wc -l)
assert_eq "$N_FILES" 304 "events split one per file"

# schedule FILE: meetings (with their people) and reminders, without the
# ids netctl gives them.
schedule() {
    {
        netctl meetings --all --json
        netctl list --all --json
    } | jq -S --slurp '{
        meetings: .[0] | walk(if type == "object" then del(.id, .uid) else . end),
        reminders: .[1] | map({kind, text, due, done}) | sort_by(.due, .kind, .text)
    }' >"$1" || fail "cannot read the schedule"
}

# Every time in these files, and so every reminder's due time, falls on a
# quarter hour (UTC and both zones), and the two imports read the clock
# seconds apart: a reminder due between them, or an occurrence at the
# horizon's end between them, would be kept by one and not the other.  So
# both happen within one quarter hour (the test takes seconds; 20 s under
# ASan).
to_quarter=$((900 - $(now_s) % 900))
if ((to_quarter < 90)); then
    log "waiting ${to_quarter} s for the next quarter hour"
    sleep $((to_quarter + 1))
fi
QUARTER=$(($(now_s) / 900))

expect_ok netctl import "$GEN/all.ics"
assert_match "$OUT" "303 added, 1 updated" "the file's outcome (the meeting sent twice: added, then updated)"
schedule "$GEN/batch.json"

daemon_stop
rm -f "$XDG_DATA_HOME"/netctl/netctl.db*
daemon_start
assert_eq "$(netctl list --all --json | jq length)" 0 "reminders in the new database"
# One call per file (netctl import sends each file on its own).
expect_ok netctl import "$GEN"/one/*.ics
assert_eq "$(grep -c ': added (1 added)$' <<<"$OUT")" 302 "files added one by one"
# The override of a stored series, and the second version of a meeting.
assert_eq "$(grep -c ': updated (1 updated)$' <<<"$OUT")" 2 "files updating an earlier one"
schedule "$GEN/single.json"

daemon_stop
rm -f "$XDG_DATA_HOME"/netctl/netctl.db*
daemon_start
expect_ok netctl import "$GEN/warned.ics"
assert_match "$OUT" "\\(304 added, 1 updated\\): event 305 \\(UID batch-backwards@example.com\\): the end lies before the start" \
    "the file that warns late: the outcome of one pass over it, with the warning"
schedule "$GEN/warned-all.json"
jq -S '{meetings: .meetings | map(select(.summary | contains("Backwards") | not)),
        reminders: .reminders | map(select(.text | contains("Backwards") | not))}' \
    "$GEN/warned-all.json" >"$GEN/warned.json"
assert_eq "$(jq '[.meetings[] | select(.summary | contains("Backwards"))] | length' "$GEN/warned-all.json")" 1 \
    "the event that warns is stored, once"
assert_eq "$(($(now_s) / 900))" "$QUARTER" "quarter hour at the end (the test took over 90 s)"

jq -e '.meetings[] | select(.summary == "Mentoring with Ines (moved)")' "$GEN/batch.json" >/dev/null ||
    fail "the override is not among the meetings"
jq -e '.meetings[] | select(.summary == "Call with Tomas (moved)")' "$GEN/batch.json" >/dev/null ||
    fail "the moved meeting is not among the meetings"
! jq -e '.meetings[] | select(.summary == "Call with Tomas")' "$GEN/batch.json" >/dev/null ||
    fail "the meeting's first version is still there"
N_PREP=$(jq '[.reminders[] | select(.kind == "prep")] | length' "$GEN/batch.json")
((N_PREP > 300)) || fail "only $N_PREP prep reminders from 304 events with weekly series"
assert_same_schedule "$GEN/single.json" "$GEN/batch.json" \
    "one file of 304 events against the same events one file each"
assert_same_schedule "$GEN/batch.json" "$GEN/warned.json" \
    "the file that warns late, but for its last event, against the first"
ok "one file of 304 meetings gives the same meetings, occurrences and reminders as one file each ($N_PREP prep reminders)"
