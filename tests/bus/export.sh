#!/bin/bash
# `netctl export`: the schedule as iCalendar, read back by netctl and by
# real clients.
#  - to a directory: one .ics per item named by its UID (a UID with "/" or
#    ".." stays inside), a second export rewrites nothing, items that are
#    gone are removed, one export into a directory at a time (a second
#    waits); to a FILE and to stdout; --vtodo / --vevent;
#  - the VEVENTs imported into a fresh netctld give the same meetings, and
#    into the same one say "unchanged";
#  - python3-icalendar parses every file; khal lists the events of the
#    vdir at the times netctl shows; todoman lists the VTODOs.
# shellcheck source-path=SCRIPTDIR disable=SC1010  # "done" is a verb here
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"
# shellcheck source=../lib/ics.sh
. "$(dirname "$0")/../lib/ics.sh"

export TZ=Europe/Berlin
CORPUS=$NETCTL_SRC/tests/data/ics
for c in khal todoman; do
    command -v "$c" >/dev/null || skip "$c not installed (Debian package $c; tools/install-deps installs it)"
done
"$PY" -c 'import icalendar' 2>/dev/null ||
    skip "python3-icalendar not importable by $PY (Debian package python3-icalendar)"

bus_start
daemon_start
GEN=$TEST_DIR/gen
mkdir -p "$GEN"

# --- a schedule worth exporting -------------------------------------------------------
# The corpus (everything netctl accepts from it, warts and all) ...
for f in "$CORPUS"/*.ics; do
    cp "$f" "$GEN/"
done
run netctl import "$GEN"/*.ics
[[ $RC == 0 ]] || { _show_run netctl import ...; fail "importing the corpus failed"; }

# ... upcoming invites, so there are prep and thank-you reminders ...
now=$(now_s)
day() { TZ=Europe/Berlin date -d "@$((now + $1 * 86400))" +%Y-%m-%d; }
berlin() { local_epoch Europe/Berlin "$1"; }
n=0
for uid in "coffee-ana@example.com" "../../escape@example.com" "a/b/../../../c@example.com" ".." \
    "Mötley crüe: planning & review@example.com" "$(big_string 300 u)@example.com"; do
    n=$((n + 1))
    s=$(berlin "$(day $((n + 1))) 10:00")
    invite "$GEN/up-$n.ics" uid="$uid" summary="Upcoming meeting $n" \
        start="$(ics_local Europe/Berlin "$s")" end="$(ics_local Europe/Berlin $((s + 3600)))"
    expect_rc 0 netctl import "$GEN/up-$n.ics"
    [[ $OUT == *": added"* ]] || fail "invite with UID '${uid:0:40}' not added: $OUT"
done
s=$(berlin "$(day 3) 16:00")
invite "$GEN/series.ics" uid=weekly-mentoring@example.com summary="Weekly mentoring" rrule="FREQ=WEEKLY;COUNT=6" \
    start="$(ics_local Europe/Berlin "$s")" end="$(ics_local Europe/Berlin $((s + 2700)))"
expect_rc 0 netctl import "$GEN/series.ics"
s=$(berlin "$(day 4) 19:00")
invite "$GEN/outlook.ics" uid=040000008200E00074C5B7101A82E00800000000EXPORT@example.com summary="Outlook call" \
    tzid="W. Europe Standard Time" start="$(ics_local Europe/Berlin "$s")" end="$(ics_local Europe/Berlin $((s + 1800)))"
expect_rc 0 netctl import "$GEN/outlook.ics"
s=$(local_epoch America/Los_Angeles "$(TZ=America/Los_Angeles date -d "@$((now + 5 * 86400))" +%Y-%m-%d) 09:00")
invite "$GEN/pacific.ics" uid=pacific-call@example.com summary="Pacific call" tzid="Pacific Standard Time" vtz=none \
    start="$(ics_local America/Los_Angeles "$s")" end="$(ics_local America/Los_Angeles $((s + 1800)))"
expect_rc 0 netctl import "$GEN/pacific.ics"
# ... and plain follow-ups, one of them done.
expect_ok netctl add -q "Send Ana the article on data teams" --in 2d
expect_ok netctl add -q "Thank Bo for the intro; mention the panel, the slides, and the 3 follow-ups" --in 3d
expect_ok netctl add -q "Done already" --in 1d
DONE_ID=$OUT
expect_ok netctl done "$DONE_ID"

# Sorted: occurrences starting together are listed by id, which differs.
meetings_json() { netctl meetings --all --json | jq -S 'map(del(.id)) | sort_by(.start, .uid, .end, .cancelled)'; }
MEETINGS=$(meetings_json)
N_UIDS=$(jq '[.[].uid] | unique | length' <<<"$MEETINGS")
N_TODOS=$(netctl list --all --json | jq length)
((N_UIDS > 50 && N_TODOS > 20)) || fail "too little to export: $N_UIDS meetings, $N_TODOS follow-ups"
log "schedule: $N_UIDS meetings (by UID), $N_TODOS follow-ups"

# --- to a directory ---------------------------------------------------------------------

OUTER=$TEST_DIR/out
VDIR=$OUTER/vdir
mkdir -p "$OUTER"
expect_ok netctl export "$VDIR/"
assert_match "$OUT" "^Exported to .*: $((N_UIDS + N_TODOS)) written, 0 unchanged" "first export"
# Everything inside the directory, nothing beside it, no subdirectories.
assert_eq "$(find "$OUTER" -mindepth 1 -not -path "$VDIR/*" -not -path "$VDIR")" "" "files outside the export directory"
assert_eq "$(find "$VDIR" -mindepth 1 -type d)" "" "subdirectories in the export directory"
assert_eq "$(find "$VDIR" -type f -name '*.ics' | wc -l)" $((N_UIDS + N_TODOS)) "files in the vdir"
assert_eq "$(find "$VDIR" -type f -name '.*' | wc -l)" 0 "temporary files left behind"
# Named by UID: a plain UID as it is; each file holds exactly its UID.
[[ -f $VDIR/coffee-ana@example.com.ics ]] || fail "coffee-ana@example.com.ics not written"
[[ -f $VDIR/02e79b96.ics ]] || fail "02e79b96.ics not written"
# file<TAB>UID of each VEVENT and VTODO in it (python3-icalendar unfolds).
"$PY" - "$VDIR" >"$TEST_DIR/file-uids" <<'PYEOF' || fail "cannot list the UIDs of the exported files"
import os, sys
import icalendar
d = sys.argv[1]
for name in sorted(os.listdir(d)):
    with open(os.path.join(d, name), 'rb') as f:
        cal = icalendar.Calendar.from_ical(f.read())
    for comp in cal.subcomponents:
        if comp.name in ('VEVENT', 'VTODO'):
            print('%s\t%s' % (name, comp.get('UID')))
PYEOF
multi=$(sort -u "$TEST_DIR/file-uids" | cut -f1 | uniq -d)
[[ -z $multi ]] || fail "files holding more than one UID: $(head -n 3 <<<"$multi")"
# Plain UIDs name their file as they are.
while IFS=$'\t' read -r name uid; do
    if [[ $uid != None && $uid =~ ^[A-Za-z0-9@_-][A-Za-z0-9@._-]*$ && ${#uid} -le 200 ]]; then
        assert_eq "$name" "$uid.ics" "file name of UID $uid"
    fi
done < <(sort -u "$TEST_DIR/file-uids")
jq -r '.[].uid' <<<"$MEETINGS" | sort -u >"$TEST_DIR/uids.want"
cut -f2 "$TEST_DIR/file-uids" | sort -u >"$TEST_DIR/uids.got"
comm -23 "$TEST_DIR/uids.want" "$TEST_DIR/uids.got" >"$TEST_DIR/uids.missing"
[[ ! -s $TEST_DIR/uids.missing ]] || fail "meetings missing from the export: $(head -n 5 "$TEST_DIR/uids.missing")"
ok "export DIR/: one file per item, named by UID, none outside the directory (UIDs with / and ..)"

mtimes() { find "$VDIR" -type f -printf '%P %T@ %i\n' | sort; }
mtimes >"$TEST_DIR/mtimes0"
expect_ok netctl export "$VDIR"
assert_match "$OUT" "0 written, $((N_UIDS + N_TODOS)) unchanged" "second export"
mtimes >"$TEST_DIR/mtimes1"
assert_same_schedule "$TEST_DIR/mtimes0" "$TEST_DIR/mtimes1" "a second export touched files"
ok "a second export rewrites nothing (mtimes and inodes unchanged)"

# Something changes: only that item is rewritten; a removed item's file goes.
expect_ok netctl add -q "A new follow-up" --in 4d
NEW_ID=$OUT
NEW_UID=$(netctl show "$NEW_ID" --json | jq -r .uid)
expect_ok netctl export "$VDIR/"
assert_match "$OUT" ": 1 written, $((N_UIDS + N_TODOS)) unchanged" "export after one addition"
[[ -f $VDIR/$NEW_UID.ics ]] || fail "the new follow-up's file is missing"
expect_ok netctl rm "$NEW_ID"
expect_ok netctl export "$VDIR/"
[[ ! -e $VDIR/$NEW_UID.ics ]] || fail "the file of a removed follow-up is still in the vdir"
mtimes >"$TEST_DIR/mtimes2"
assert_same_schedule "$TEST_DIR/mtimes0" "$TEST_DIR/mtimes2" "files other than the changed one were touched"
# Files that are not netctl's are left alone.
printf 'BEGIN:VCALENDAR\r\nPRODID:-//someone else//EN\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n' >"$VDIR/not-ours.ics"
expect_ok netctl export "$VDIR/"
[[ -f $VDIR/not-ours.ics ]] || fail "export removed a file it did not write"
rm "$VDIR/not-ours.ics"
# A temporary an interrupted export left goes; another program's stays.
cp "$VDIR/coffee-ana@example.com.ics" "$VDIR/.coffee-ana@example.com.ics.Ab12Cd"
printf 'BEGIN:VCALENDAR\r\nPRODID:-//someone else//EN\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n' >"$VDIR/.theirs.ics.Xy34Zw"
expect_ok netctl export "$VDIR/"
assert_match "$OUT" ": 0 written, $((N_UIDS + N_TODOS)) unchanged\.$" "export with leftovers"
[[ ! -e $VDIR/.coffee-ana@example.com.ics.Ab12Cd ]] || fail "a temporary of an interrupted export is still there"
[[ -f $VDIR/.theirs.ics.Xy34Zw ]] || fail "export removed another program's hidden file"
rm "$VDIR/.theirs.ics.Xy34Zw"
ok "export DIR/ after a change: only that file written; a removed item's file goes; others' files stay; an interrupted export's temporaries go"

# One export into a directory at a time: a second says so and waits for
# the first, whose lock flock(1) holds here (the same flock(2) on the
# directory that netctl export takes).
need_cmd flock
mkfifo "$TEST_DIR/release"
flock "$VDIR" -c "read -r _ <'$TEST_DIR/release'" &
HOLDER=$!
locked() { ! flock -n "$VDIR" true; }
wait_until 5 locked || fail "flock(1) did not take the directory's lock"
rm "$VDIR/coffee-ana@example.com.ics"
"$NETCTL_CLI" export "$VDIR/" >"$TEST_DIR/second.out" 2>"$TEST_DIR/second.err" &
SECOND=$!
says_waiting() { grep -qF "Waiting for another netctl export into $VDIR/ to finish" "$TEST_DIR/second.err"; }
wait_until 10 says_waiting || fail "a second export did not say it waits: $(cat "$TEST_DIR/second.err")"
pid_alive "$SECOND" || fail "the second export did not wait"
[[ ! -e $VDIR/coffee-ana@example.com.ics ]] || fail "the second export wrote while the first held the directory"
echo go >"$TEST_DIR/release"
wait "$HOLDER"
wait "$SECOND" || fail "the export that waited failed: $(cat "$TEST_DIR/second.err")"
assert_match "$(cat "$TEST_DIR/second.out")" ": 1 written, $((N_UIDS + N_TODOS - 1)) unchanged\.$" "the export that waited"
[[ -f $VDIR/coffee-ana@example.com.ics ]] || fail "the export that waited did not write the missing file"
ok "export DIR/ while another export holds the directory: says so, waits, then writes"

# --vtodo / --vevent to their own directories.
expect_ok netctl export --vtodo "$OUTER/todos/"
FOLLOWUPS=$(netctl list --all --json)
assert_eq "$(find "$OUTER/todos" -name '*.ics' | wc -l)" "$N_TODOS" "files of export --vtodo"
! grep -lq 'BEGIN:VEVENT' "$OUTER"/todos/*.ics || fail "export --vtodo wrote a VEVENT"
expect_ok netctl export --vevent "$OUTER/events/"
assert_eq "$(find "$OUTER/events" -name '*.ics' | wc -l)" "$N_UIDS" "files of export --vevent"
! grep -lq 'BEGIN:VTODO' "$OUTER"/events/*.ics || fail "export --vevent wrote a VTODO"
ok "export --vtodo DIR/ and --vevent DIR/"

# --- to a file and to stdout -------------------------------------------------------------

expect_ok netctl export "$OUTER/all.ics"
assert_match "$OUT" "^Exported to .*all\.ics" "export FILE"
[[ $(grep -c '^BEGIN:VCALENDAR' "$OUTER/all.ics") == 1 ]] || fail "export FILE: not one VCALENDAR"
assert_eq "$(grep -c '^BEGIN:VTODO' "$OUTER/all.ics")" "$N_TODOS" "VTODOs in export FILE"
run netctl export
[[ $RC == 0 ]] || fail "export to stdout failed: $ERR"
cmp -s "$RUN_OUT_FILE" "$OUTER/all.ics" || fail "export to stdout differs from export FILE"
expect_ok netctl export "$OUTER/all.ics"
[[ $OUT == *unchanged* ]] || fail "export FILE again does not say unchanged: $OUT"
expect_ok netctl export --vevent "$OUTER/events.ics"
expect_cli_error 2 netctl export a.ics b.ics
expect_cli_error 2 netctl export --frobnicate
ok "export FILE (one VCALENDAR, unchanged the second time), stdout, usage errors"

# CRLF line ends, folded at 75 octets, valid UTF-8 (RFC 5545 3.1).
for f in "$OUTER/all.ics" "$VDIR"/*.ics; do
    if grep -aqv $'\r$' "$f"; then fail "$(basename "$f"): a line without CR LF"; fi
    if LC_ALL=C awk '{ if (length($0) > 76) { bad = 1 } } END { exit !bad }' "$f"; then
        fail "$(basename "$f"): a line longer than 75 octets"
    fi
    iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1 || fail "$(basename "$f"): not valid UTF-8"
done
ok "every exported file: CRLF, folded lines, UTF-8"

# --- netctl reads it back --------------------------------------------------------------

# Into the same daemon: nothing new.
run netctl import "$OUTER"/events/*.ics
[[ $RC == 0 ]] || { _show_run netctl import ...; fail "re-import of the export failed"; }
bad=$(grep -v ': unchanged' <<<"$OUT" || true)
[[ -z $bad ]] || fail "re-importing the export into the same netctld changed something: $(head -n 5 <<<"$bad")"
assert_eq "$(meetings_json)" "$MEETINGS" "meetings after re-importing the export"
ok "the exported VEVENTs re-imported into the same netctld: all unchanged"

# Into a fresh daemon: the same meetings, apart from ids.
daemon_stop || fail "netctld did not stop cleanly"
export XDG_DATA_HOME=$BUS_DIR/data2
daemon_start
run netctl import "$OUTER"/events/*.ics
[[ $RC == 0 ]] || { _show_run netctl import ...; fail "import of the export into a fresh netctld failed"; }
bad=$(grep -Ev ': (added|cancelled)( |$)' <<<"$OUT" || true)
[[ -z $bad ]] || fail "import of the export into a fresh netctld: $(head -n 5 <<<"$bad")"
if [[ $(meetings_json) != "$MEETINGS" ]]; then
    diff <(jq . <<<"$MEETINGS") <(meetings_json) | head -n 40 >&2 || true
    fail "the meetings read back from the export differ"
fi
run netctl import "$OUTER/events.ics"
[[ $OUT == *": unchanged"* ]] || fail "the single-file export after the vdir: $OUT"
ok "the exported VEVENTs imported into a fresh netctld: the same meetings"

# --- python3-icalendar ---------------------------------------------------------------------

"$PY" - "$OUTER/all.ics" "$VDIR" <<'EOF' || fail "python3-icalendar did not accept the export"
import os, sys
import icalendar

def check(path):
    with open(path, 'rb') as f:
        data = f.read()
    cal = icalendar.Calendar.from_ical(data)
    problems = []
    for comp in cal.walk():
        for err in getattr(comp, 'errors', []) or []:
            problems.append('%s: %s' % (comp.name, err))
        if comp.name in ('VEVENT', 'VTODO'):
            for prop in ('UID', 'DTSTAMP'):
                if prop not in comp:
                    problems.append('%s without %s' % (comp.name, prop))
            for key in ('DTSTART', 'DTEND', 'DUE', 'RECURRENCE-ID'):
                if key in comp:
                    comp.decoded(key)
    # Serialise again: what it read is complete.
    cal.to_ical()
    if problems:
        print('%s: %s' % (os.path.basename(path), '; '.join(problems[:5])), file=sys.stderr)
        return False
    return True

ok = check(sys.argv[1])
for name in sorted(os.listdir(sys.argv[2])):
    ok = check(os.path.join(sys.argv[2], name)) and ok
sys.exit(0 if ok else 1)
EOF
ok "python3-icalendar parses every exported file without errors"

# --- khal ---------------------------------------------------------------------------------

# khal 0.10 cannot expand RDATE;VALUE=PERIOD (its issue #152: it skips such
# an event, or fails on it); three corpus meetings have one.  khal gets the
# others, and must read them without a complaint beyond warnings.
KHAL=$TEST_DIR/khal
mkdir -p "$KHAL/vdir"
period=()
for f in "$OUTER"/events/*.ics; do
    if tr -d '\r' <"$f" | sed -e ':a' -e '$!N' -e 's/\n //' -e 'ta' -e 'P' -e 'D' | grep -q '^RDATE;.*VALUE=PERIOD'; then
        period+=("$f")
    else
        cp "$f" "$KHAL/vdir/"
    fi
done
((${#period[@]} <= 3)) || fail "${#period[@]} exported files have RDATE;VALUE=PERIOD, expected 3 at most"
cat >"$KHAL/config" <<EOF
[calendars]
[[netctl]]
path = $KHAL/vdir
type = calendar
[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
local_timezone = Europe/Berlin
default_timezone = Europe/Berlin
[sqlite]
path = $KHAL/khal.db
EOF
khal_list() {
    khal -c "$KHAL/config" list --format $'{uid}\t{start}\t{cancelled}' --day-format '' "$@"
}
run khal_list 1990-01-01 $((($(now_s) - $(iso_to_epoch 1990-01-01)) / 86400 + 60))d
[[ $RC == 0 ]] || { _show_run khal list; fail "khal list failed"; }
if grep -qiE 'traceback|exception|error|skipping' <<<"$ERR"; then
    fail "khal reported problems reading the export: ${ERR:0:3000}"
fi
[[ -z $ERR ]] || log "khal's warnings: ${ERR:0:2000}"
printf '%s\n' "$OUT" | sed '/^$/d' >"$TEST_DIR/khal.out"
# Every meeting netctl has is listed by khal ...
for f in "${period[@]}"; do
    grep -F "$(basename "$f")" "$TEST_DIR/file-uids" | cut -f2
done | sort -u >"$TEST_DIR/khal.unsupported"
comm -23 "$TEST_DIR/uids.want" "$TEST_DIR/khal.unsupported" >"$TEST_DIR/khal.want"
cut -f1 "$TEST_DIR/khal.out" | sort -u >"$TEST_DIR/khal.uids"
comm -23 "$TEST_DIR/khal.want" "$TEST_DIR/khal.uids" >"$TEST_DIR/khal.missing"
[[ ! -s $TEST_DIR/khal.missing ]] ||
    fail "khal does not list $(wc -l <"$TEST_DIR/khal.missing") exported meetings, e.g. $(head -n 3 "$TEST_DIR/khal.missing")"
# ... at the same local time as netctl (time zones, Windows names,
# all-day, floating): the first occurrence of every meeting, and every
# occurrence of the upcoming ones made above.  (Not every occurrence of the
# corpus series: khal drops the last instance of an all-day or floating
# series whose UNTIL is a UTC time equal to it, as Exchange writes them,
# and ignores RANGE=THISANDFUTURE.)
# One known disagreement: RFC 2445's example zone "US-Eastern" has no onset
# before its meeting; libical (netctl) takes the offset in force before the
# first onset (TZOFFSETFROM, -04:00), khal the first onset's (-05:00).
KHAL_DIFFERS='guid-1.host1.com'
jq -r 'group_by(.uid)[] | min_by(.start) |
    "\(.uid)\t\(if .all_day then .start_local[0:10] else .start_local[0:16] | sub("T"; " ") end)"' \
    <<<"$MEETINGS" >"$TEST_DIR/netctl.first"
to=$(($(now_s) + 60 * 86400))
jq -r --argjson to "$to" '.[] | select((.start | fromdateiso8601) < $to and (.start | fromdateiso8601) > now) |
    "\(.uid)\t\(if .all_day then .start_local[0:10] else .start_local[0:16] | sub("T"; " ") end)"' \
    <<<"$MEETINGS" >"$TEST_DIR/netctl.upcoming"
sort -u "$TEST_DIR/netctl.first" "$TEST_DIR/netctl.upcoming" |
    grep -vFf <(sed 's/$/\t/' "$TEST_DIR/khal.unsupported"; printf '%s\t\n' $KHAL_DIFFERS) \
        >"$TEST_DIR/netctl.starts" || true
(($(wc -l <"$TEST_DIR/netctl.starts") > 150)) || fail "too few occurrences to compare with khal"
cut -f1,2 "$TEST_DIR/khal.out" | sort -u >"$TEST_DIR/khal.starts"
comm -23 "$TEST_DIR/netctl.starts" "$TEST_DIR/khal.starts" >"$TEST_DIR/starts.missing"
if [[ -s $TEST_DIR/starts.missing ]]; then
    log "netctl shows these occurrences, khal does not (uid, local start):"
    head -n 20 "$TEST_DIR/starts.missing" >&2
    fail "khal reads $(wc -l <"$TEST_DIR/starts.missing") occurrences differently"
fi
ok "khal lists every exported meeting (but ${#period[@]} with RDATE;VALUE=PERIOD) at the local times netctl shows"

# --- todoman -------------------------------------------------------------------------------

TODO=$TEST_DIR/todoman
mkdir -p "$TODO"
cat >"$TODO/config.py" <<EOF
path = "$OUTER/todos"
date_format = "%Y-%m-%d"
time_format = "%H:%M"
cache_path = "$TODO/cache.sqlite3"
EOF
run todoman --config "$TODO/config.py" --porcelain list --status ANY
[[ $RC == 0 ]] || { _show_run todoman list; fail "todoman list failed"; }
[[ -z $ERR ]] || fail "todoman complained reading the export: ${ERR:0:2000}"
jq -e 'type == "array"' <<<"$OUT" >/dev/null || fail "todoman --porcelain did not print JSON: ${OUT:0:500}"
assert_eq "$(jq length <<<"$OUT")" "$N_TODOS" "VTODOs todoman lists"
jq -r '.[].text' <<<"$FOLLOWUPS" | sort >"$TEST_DIR/todo.want"
jq -r '.[].summary' <<<"$OUT" | sort >"$TEST_DIR/todo.got"
assert_same_schedule "$TEST_DIR/todo.want" "$TEST_DIR/todo.got" "summaries todoman lists"
assert_eq "$(jq '[.[] | select(.completed)] | length' <<<"$OUT")" 1 "completed VTODOs"
# Due times: todoman's are Unix seconds.
jq -r '.[] | "\(.text)\t\(.due | fromdateiso8601)"' <<<"$FOLLOWUPS" | sort >"$TEST_DIR/due.want"
jq -r '.[] | "\(.summary)\t\(.due)"' <<<"$OUT" | sort >"$TEST_DIR/due.got"
assert_same_schedule "$TEST_DIR/due.want" "$TEST_DIR/due.got" "due times todoman lists"
# The prep reminders are there as tasks, with their category.
run todoman --config "$TODO/config.py" --porcelain list --category prep
[[ $RC == 0 ]] || fail "todoman list --category prep failed: $ERR"
(($(jq length <<<"$OUT") >= 5)) || fail "todoman finds $(jq length <<<"$OUT") prep tasks"
ok "todoman lists every exported VTODO with its summary, due time, status and category"
