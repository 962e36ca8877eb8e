#!/bin/bash
# The watched inbox and calendar directories (inotify, no polling):
#  - an invite copied into $XDG_DATA_HOME/netctl/inbox shows up at once,
#    with its prep reminder; one renamed in (as mail clients and
#    vdirsyncer write) too; hidden and non-.ics files are left alone;
#  - a file changed in place is re-read; a CANCEL dropped in withdraws the
#    reminders; deleting from the inbox (a drop box) removes nothing;
#  - a directory from [calendar] watch (a vdir): files added, changed,
#    deleted or moved away are followed;
#  - what changed while netctld was stopped is picked up when it starts;
#  - a malformed file in the inbox breaks nothing.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"
# shellcheck source=../lib/ics.sh
. "$(dirname "$0")/../lib/ics.sh"

export TZ=Europe/Berlin

bus_start
daemon_start
INBOX=$XDG_DATA_HOME/netctl/inbox
wait_until 10 test -d "$INBOX" || fail "netctld did not create the inbox $INBOX"
assert_eq "$(stat -c %a "$INBOX")" 700 "mode of the inbox"
GEN=$TEST_DIR/gen
mkdir -p "$GEN"

now=$(now_s)
day() { TZ=Europe/Berlin date -d "@$((now + $1 * 86400))" +%Y-%m-%d; }
berlin() { local_epoch Europe/Berlin "$1"; }
# mk NAME UID SUMMARY DAY HH:MM [invite keys...]: an invite for one hour.
mk() {
    local name=$1 uid=$2 summary=$3 d=$4 hm=$5
    shift 5
    local s
    s=$(berlin "$(day "$d") $hm")
    invite "$GEN/$name" uid="$uid" summary="$summary" start="$(ics_local Europe/Berlin "$s")" \
        end="$(ics_local Europe/Berlin $((s + 3600)))" "$@"
}
start_of() { meeting_json "$1" | jq -r '[.[] | select(.cancelled | not) | .start] | join(" ")'; }
# has_meeting UID [START]: the meeting is listed (at START).
has_meeting() {
    local got
    got=$(start_of "$1")
    [[ -n $got && (-z ${2:-} || $got == "$2") ]]
}
no_meeting() { [[ $(meeting_json "$1" | jq 'map(select(.cancelled | not)) | length') == 0 ]]; }
# wait_for WHAT CMD...: wait (bounded) and say how long it took.
wait_for() {
    local what=$1 t0
    shift
    t0=$(now_us)
    wait_until 10 "$@" || fail "$what: not seen within 10 s"
    local ms
    ms=$(elapsed_ms "$t0")
    # inotify, not polling: well within a second on an idle machine; the
    # bound leaves room for a loaded CI box and the sanitizer build.
    ((ms < 5000)) || fail "$what: took $ms ms"
    ok "$what (${ms} ms)"
}

# --- the inbox -----------------------------------------------------------------

mk one.ics inbox-one@example.com "Intro call with Ana" 3 10:00
A_START=$(berlin "$(day 3) 10:00")
cp "$GEN/one.ics" "$INBOX/invite.ics"
wait_for "an invite copied into the inbox is imported" has_meeting inbox-one@example.com "$(iso "$A_START")"
assert_eq "$(reminders "Intro call with Ana")" "prep $(iso $((A_START - 1800)))
thanks $(iso "$(thanks_for $((A_START + 3600)))")" "reminders of the inbox invite"
ok "inbox: its prep and thank-you are scheduled"

# Renamed in from a hidden temporary file, as mail clients save attachments.
mk two.ics inbox-two@example.com "Panel prep with Bo" 4 15:00
cp "$GEN/two.ics" "$INBOX/.two.ics.part"
mv "$INBOX/.two.ics.part" "$INBOX/two.ics"
wait_for "an invite renamed into the inbox is imported" has_meeting inbox-two@example.com

# Hidden files and other extensions are ignored; a later good file is the
# barrier that shows netctld has seen them.
mk hidden.ics inbox-hidden@example.com "Hidden draft" 5 10:00
cp "$GEN/hidden.ics" "$INBOX/.hidden.ics"
mk txt.ics inbox-txt@example.com "Not a calendar name" 5 11:00
cp "$GEN/txt.ics" "$INBOX/notes.txt"
mk barrier1.ics inbox-barrier1@example.com "Barrier one" 5 12:00
cp "$GEN/barrier1.ics" "$INBOX/barrier1.ics"
wait_for "barrier" has_meeting inbox-barrier1@example.com
no_meeting inbox-hidden@example.com || fail "a hidden file in the inbox was imported"
no_meeting inbox-txt@example.com || fail "a .txt file in the inbox was imported"
ok "inbox: hidden files and non-.ics files are left alone"

# Changed in place: SEQUENCE 1 moves the meeting to 14:00.
A2_START=$(berlin "$(day 3) 14:00")
mk one-v1.ics inbox-one@example.com "Intro call with Ana" 3 14:00 seq=1
cat "$GEN/one-v1.ics" >"$INBOX/invite.ics"
wait_for "a file changed in place is re-read" has_meeting inbox-one@example.com "$(iso "$A2_START")"
assert_eq "$(reminders "Intro call with Ana" | sed -n 's/^prep //p')" "$(iso $((A2_START - 1800)))" \
    "prep after the in-place change"
# And replaced by rename (an editor's save).
A3_START=$(berlin "$(day 3) 16:00")
mk one-v2.ics inbox-one@example.com "Intro call with Ana" 3 16:00 seq=2
cp "$GEN/one-v2.ics" "$INBOX/.invite.ics.swp"
mv -f "$INBOX/.invite.ics.swp" "$INBOX/invite.ics"
wait_for "a file replaced by rename is re-read" has_meeting inbox-one@example.com "$(iso "$A3_START")"
assert_eq "$(netctl list --all --json | jq '[.[] | select(.text | contains("Intro call with Ana"))] | length')" 2 \
    "reminders of the moved inbox meeting (no duplicates)"

# The inbox is a drop box: deleting the file keeps the meeting.
rm "$INBOX/invite.ics" "$INBOX/two.ics"
mk barrier2.ics inbox-barrier2@example.com "Barrier two" 5 13:00
cp "$GEN/barrier2.ics" "$INBOX/barrier2.ics"
wait_for "barrier" has_meeting inbox-barrier2@example.com
has_meeting inbox-one@example.com "$(iso "$A3_START")" || fail "deleting a file from the inbox removed its meeting"
has_meeting inbox-two@example.com || fail "deleting a file from the inbox removed its meeting"
ok "inbox: deleting a dropped file keeps its meeting"

# A CANCEL dropped in withdraws both reminders.
mk one-cancel.ics inbox-one@example.com "Intro call with Ana" 3 16:00 seq=3 method=CANCEL status=CANCELLED
cp "$GEN/one-cancel.ics" "$INBOX/cancel.ics"
wait_for "a CANCEL dropped into the inbox is applied" no_meeting inbox-one@example.com
assert_eq "$(reminders "Intro call with Ana")" "" "reminders after the CANCEL in the inbox"
ok "inbox: the CANCEL withdrew the prep and the thank-you"

# Malformed files do not stop anything.
snapshot "$TEST_DIR/bad0"
printf 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:broken\r\n' >"$INBOX/truncated.ics"
head -c 2048 /bin/sh >"$INBOX/binary.ics"
: >"$INBOX/empty.ics"
mk barrier3.ics inbox-barrier3@example.com "Barrier three" 5 14:00
cp "$GEN/barrier3.ics" "$INBOX/barrier3.ics"
wait_for "a good file after malformed ones" has_meeting inbox-barrier3@example.com
netctl list --all --json | jq '[.[] | select(.text | contains("Barrier three") | not)]' >"$TEST_DIR/bad1"
jq . "$TEST_DIR/bad0" >"$TEST_DIR/bad0.pretty"
jq . "$TEST_DIR/bad1" >"$TEST_DIR/bad1.pretty"
assert_same_schedule "$TEST_DIR/bad0.pretty" "$TEST_DIR/bad1.pretty" "malformed files in the inbox"
daemon_alive || fail "netctld died on malformed files in the inbox"
grep -q 'truncated.ics' "$DAEMON_LOG" || fail "the malformed file is not named in netctld's log"
ok "inbox: malformed files are logged by name and change nothing"

# --- a watched directory (a vdir) ---------------------------------------------------

VDIR=$HOME/calendars/work
mkdir -p "$VDIR" "$XDG_CONFIG_HOME/netctl"
# Written by vdirsyncer: one event per file, named by UID.
mk v1.ics vdir-one@example.com "Team sync with Chen" 6 09:30 method=
mk v2.ics vdir-two@example.com "Design review with Dara" 6 14:00 method=
cp "$GEN/v1.ics" "$VDIR/vdir-one.ics"
cat >"$XDG_CONFIG_HOME/netctl/netctl.conf" <<'EOF'
[calendar]
watch = ~/calendars/work;~/calendars/missing
EOF
expect_ok netctl reload
# status names what is watched: the inbox first, then the vdir (a missing
# directory is reported in the journal, not watched).
expect_ok netctl status --json
assert_eq "$(jq -c '.watched' <<<"$OUT")" "[\"$XDG_DATA_HOME/netctl/inbox\",\"$VDIR\"]" "status lists the watched directories"
# A file that was there before the directory was watched is read too.
wait_for "a file already in a newly watched directory is imported" has_meeting vdir-one@example.com
cp "$GEN/v2.ics" "$VDIR/.vdir-two.ics.tmp"
mv "$VDIR/.vdir-two.ics.tmp" "$VDIR/vdir-two.ics"
wait_for "a file added to the vdir is imported" has_meeting vdir-two@example.com

# Deleted there: its meeting and its reminders go.
rm "$VDIR/vdir-one.ics"
wait_for "a file deleted from the vdir removes its meeting" no_meeting vdir-one@example.com
assert_eq "$(meeting_json vdir-one@example.com)" "[]" "occurrences of the deleted file's meeting"
assert_eq "$(reminders "Team sync with Chen")" "" "reminders of the deleted file's meeting"
has_meeting vdir-two@example.com || fail "deleting one vdir file removed another's meeting"

# Changed in place (vdirsyncer replaces by rename; a user edits in place).
V2_START=$(berlin "$(day 6) 16:00")
mk v2b.ics vdir-two@example.com "Design review with Dara" 6 16:00 method= seq=1
cat "$GEN/v2b.ics" >"$VDIR/vdir-two.ics"
wait_for "a vdir file changed in place is re-read" has_meeting vdir-two@example.com "$(iso "$V2_START")"

# A file holding two meetings rewritten to hold one: the other goes (the
# watched file is the truth about its meetings).
mk w1.ics vdir-multi-a@example.com "Reading group" 10 18:00 method=
mk w2.ics vdir-multi-b@example.com "Hack night" 11 18:00 method=
{ sed '/^END:VCALENDAR/d' "$GEN/w1.ics"; sed -n '/^BEGIN:VEVENT/,$p' "$GEN/w2.ics"; } >"$GEN/w12.ics"
cp "$GEN/w12.ics" "$VDIR/subscribed.ics"
wait_for "a vdir file with two meetings" has_meeting vdir-multi-b@example.com
has_meeting vdir-multi-a@example.com || fail "first meeting of a two-meeting file missing"
cat "$GEN/w1.ics" >"$VDIR/subscribed.ics"
wait_for "a meeting removed from a watched file goes" no_meeting vdir-multi-b@example.com
has_meeting vdir-multi-a@example.com || fail "the meeting still in the file went too"
assert_eq "$(reminders "Hack night")" "" "reminders of the meeting removed from the file"

# Moved out of the directory: gone as well.
mv "$VDIR/vdir-two.ics" "$TEST_DIR/moved-away.ics"
wait_for "a file moved out of the vdir removes its meeting" no_meeting vdir-two@example.com
ok "vdir: added, changed and deleted files are followed"

# --- while netctld was stopped ------------------------------------------------------

mk v3.ics vdir-three@example.com "Mock interview with Eli" 7 10:00 method=
mk v4.ics vdir-four@example.com "Portfolio review with Fay" 7 15:00 method=
cp "$GEN/v4.ics" "$VDIR/vdir-four.ics"
wait_for "vdir file four" has_meeting vdir-four@example.com
mk i5.ics inbox-five@example.com "Lunch with Gil" 8 12:00
V4_START=$(berlin "$(day 7) 17:00")
mk v4b.ics vdir-four@example.com "Portfolio review with Fay" 7 17:00 method= seq=1

daemon_stop || fail "netctld did not stop cleanly"
cp "$GEN/v3.ics" "$VDIR/vdir-three.ics"
cp "$GEN/i5.ics" "$INBOX/lunch.ics"
# A change of the same size with a new mtime must be noticed as well.
cp "$GEN/v4b.ics" "$VDIR/vdir-four.ics"
touch -d '+1 minute' "$VDIR/vdir-four.ics"
daemon_start
wait_for "a vdir file added while stopped is imported at start" has_meeting vdir-three@example.com
wait_for "an inbox file added while stopped is imported at start" has_meeting inbox-five@example.com
wait_for "a vdir file changed while stopped is re-read at start" has_meeting vdir-four@example.com "$(iso "$V4_START")"
[[ -n $(reminders "Lunch with Gil") ]] || fail "no reminders for the invite picked up at start"

daemon_stop || fail "netctld did not stop cleanly"
rm "$VDIR/vdir-three.ics"
daemon_start
wait_for "a vdir file deleted while stopped is forgotten at start" no_meeting vdir-three@example.com
has_meeting vdir-four@example.com || fail "a file still in the vdir lost its meeting at start"
ok "changes made while netctld was stopped are picked up when it starts"

# Unwatching: a directory dropped from the config no longer counts; its
# meetings stay (the files are still there), new files are not read.
cat >"$XDG_CONFIG_HOME/netctl/netctl.conf" <<'EOF'
[calendar]
EOF
expect_ok netctl reload
mk v6.ics vdir-six@example.com "Unwatched" 9 10:00 method=
cp "$GEN/v6.ics" "$VDIR/vdir-six.ics"
mk barrier4.ics inbox-barrier4@example.com "Barrier four" 9 11:00
cp "$GEN/barrier4.ics" "$INBOX/barrier4.ics"
wait_for "barrier" has_meeting inbox-barrier4@example.com
no_meeting vdir-six@example.com || fail "a directory no longer in the config is still watched"
ok "a directory removed from the config is no longer watched"
daemon_alive || fail "netctld died"
