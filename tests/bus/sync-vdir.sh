#!/bin/bash
# Two-way sync of follow-ups with a tasks vdir ([sync] tasks):
#  - a follow-up added, edited, done or removed in netctl appears, changes,
#    completes or goes in the vdir within a deadline, written atomically;
#  - an unchanged follow-up is never rewritten (mtime and inode stable);
#  - todoman completes a VTODO in the vdir and netctl marks it done;
#    todoman adds one and netctl has it;
#  - a VTODO edited, added or deleted by another program is applied;
#  - changed on both sides while netctld was stopped: the higher SEQUENCE
#    wins, the loser is kept and `netctl sync status` reports it; deleted
#    on one side and edited on the other keeps the edit and reports it;
#  - netctld killed during a burst of vdir changes: after a restart the
#    database and the vdir agree, nothing lost or doubled.
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

command -v todoman >/dev/null || skip "todoman not installed (Debian package todoman)"
need_cmd jq sqlite3

export TZ=UTC
bus_start
VDIR=$TEST_DIR/vdir/tasks
CDIR=$TEST_DIR/vdir/contacts
mkdir -p "$XDG_CONFIG_HOME/netctl"
cat >"$XDG_CONFIG_HOME/netctl/netctl.conf" <<EOF
[sync]
tasks = $VDIR
contacts = $CDIR
EOF
daemon_start

TODO=$TEST_DIR/todoman
mkdir -p "$TODO"
cat >"$TODO/config.py" <<EOF
path = "$VDIR"
date_format = "%Y-%m-%d"
time_format = "%H:%M"
cache_path = "$TODO/cache.sqlite3"
EOF
todo() { todoman --config "$TODO/config.py" "$@"; }

# file_of UID: the vdir file holding UID ("" if none).
file_of() { grep -l "^UID:$1" "$VDIR"/*.ics 2>/dev/null | head -n1 || true; }
uid_of() { netctl show "$1" --json | jq -r .uid; }
has_file() { [[ -n $(file_of "$1") ]]; }
no_file() { [[ -z $(file_of "$1") ]]; }
file_says() { grep -q "$2" "$(file_of "$1")" 2>/dev/null; }
ics_count() { find "$VDIR" -maxdepth 1 -name '*.ics' | wc -l; }
stat_of() { stat -c '%i %Y.%y' "$1"; }

# --- netctl -> vdir ---------------------------------------------------------------

run netctl sync status --json
[[ $RC == 0 ]] || { _show_run netctl sync status --json; fail "sync status failed"; }
assert_eq "$(jq -r '.links[] | select(.kind == "tasks") | .path' <<<"$OUT")" "$VDIR" "linked tasks vdir"
assert_eq "$(jq -r '.links[] | select(.kind == "contacts") | .path' <<<"$OUT")" "$CDIR" "linked contacts vdir"
in_step() { netctl sync status --json | jq -e '.links | length == 2 and all(.in_step != null)' >/dev/null; }
wait_until 10 in_step ||
    fail "the tasks vdir never came in step"

t0=$(now_us)
ID1=$(netctl add "Write to Ana about the data team" --in 2d -q)
U1=$(uid_of "$ID1")
wait_until 2 has_file "$U1" || fail "the new follow-up did not appear in the vdir"
log "appeared in $(elapsed_ms "$t0") ms"
F1=$(file_of "$U1")
file_says "$U1" '^SUMMARY:Write to Ana about the data team' || fail "wrong SUMMARY in $F1"
file_says "$U1" '^STATUS:NEEDS-ACTION' || fail "new follow-up not NEEDS-ACTION"
[[ -z $(find "$VDIR" -name '.*') ]] || fail "temporary files left in the vdir"
ok "a follow-up added in netctl appears in the vdir within a second"

ID2=$(netctl add "Thank Bo for the intro" --in 1d -q)
U2=$(uid_of "$ID2")
wait_until 2 has_file "$U2" || fail "second follow-up not written"
F2=$(file_of "$U2")

# No rewrite of unchanged items: other changes leave F1 alone.
before=$(stat_of "$F1")
netctl edit "$ID2" --text "Thank Bo for the introduction" >/dev/null
wait_until 2 file_says "$U2" '^SUMMARY:Thank Bo for the introduction' || fail "edit not written"
file_says "$U2" '^SEQUENCE:1' || fail "an edit did not raise SEQUENCE"
netctl snooze "$ID2" 3h >/dev/null
wait_until 2 file_says "$U2" '^SEQUENCE:2' || fail "snooze not written"
assert_eq "$(stat_of "$F1")" "$before" "mtime and inode of an unchanged item"
ok "edits are written with a higher SEQUENCE; unchanged items are not rewritten"

netctl done "$ID1" >/dev/null
wait_until 2 file_says "$U1" '^STATUS:COMPLETED' || fail "done not written to the vdir"
file_says "$U1" '^COMPLETED:' || fail "no COMPLETED in a done VTODO"
ok "done in netctl completes the VTODO"

ID3=$(netctl add "Remove me" -q)
U3=$(uid_of "$ID3")
wait_until 2 has_file "$U3" || fail "third follow-up not written"
netctl rm "$ID3" >/dev/null
wait_until 2 no_file "$U3" || fail "removed follow-up still in the vdir"
ok "rm in netctl deletes the file"

# Derived reminders do not go out.
netctl contact add "Cleo Weak" --tie weak --every 1d -q >/dev/null
netctl add "after contact" -q >/dev/null
written() { grep -l "SUMMARY:$1" "$VDIR"/*.ics >/dev/null 2>&1; }
wait_until 2 written "after contact" || fail "not written"
! grep -l 'CATEGORIES:netctl,reconnect' "$VDIR"/*.ics >/dev/null 2>&1 ||
    fail "a reconnect reminder was written to the vdir"
ok "only user follow-ups go to the vdir"

# --- todoman -> netctl -------------------------------------------------------------

run todo --porcelain list --status ANY
[[ $RC == 0 && -z $ERR ]] || { _show_run todo list; fail "todoman cannot read the vdir"; }
tid=$(jq -r '.[] | select(.summary == "Thank Bo for the introduction") | .id' <<<"$OUT")
[[ -n $tid ]] || fail "todoman does not list \"Thank Bo for the introduction\": $OUT"
expect_ok todo done "$tid"
is_done() { netctl show "$1" --json | jq -e '.done_at != null and .done_at != 0' >/dev/null; }
wait_until 2 is_done "$ID2" || fail "todoman's completion did not reach netctl"
ok "todoman completes a VTODO and netctl marks it done"

expect_ok todo new -l tasks "Call Dana about the meetup"
count_text() { netctl list --all --json | jq --arg t "$1" 'map(select(.text == $t)) | length'; }
has_one() { [[ $(count_text "$1") == 1 ]]; }
wait_until 2 has_one "Call Dana about the meetup" ||
    fail "a VTODO todoman added did not reach netctl"
ok "a VTODO todoman adds appears in netctl"

# --- another program edits, adds, deletes -------------------------------------------

IDE=$(netctl add "Edit me" --in 5d -q)
UE=$(uid_of "$IDE")
wait_until 2 has_file "$UE" || fail "not written"
FE=$(file_of "$UE")
seq=$(sed -n 's/^SEQUENCE://p' "$FE" | tr -d '\r')
sed -e 's/^SUMMARY:.*/SUMMARY:Edited elsewhere/' -e "s/^SEQUENCE:.*/SEQUENCE:$((seq + 1))/" \
    "$FE" >"$VDIR/.tmp-edit" && mv "$VDIR/.tmp-edit" "$FE"
wait_until 2 field_is "$IDE" text "Edited elsewhere" || fail "an edit in the vdir was not applied"
# Not written back: the file stays as the other program left it.
file_says "$UE" '^SUMMARY:Edited elsewhere' || fail "the file was rewritten"
ok "a VTODO edited by another program is applied"

NEWUID=phone-1234@example.org
cat >"$VDIR/.new" <<EOF
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Phone//Tasks//EN
BEGIN:VTODO
UID:$NEWUID
DTSTAMP:20261120T100000Z
SUMMARY:Send CV to Erin
DUE:20261230T090000Z
STATUS:NEEDS-ACTION
END:VTODO
END:VCALENDAR
EOF
mv "$VDIR/.new" "$VDIR/$NEWUID.ics"
wait_until 2 has_one "Send CV to Erin" ||
    fail "a VTODO added by another program was not applied"
IDN=$(netctl list --all --json | jq -r --arg u "$NEWUID" '.[] | select(.uid == $u) | .id')
assert_eq "$(netctl show "$IDN" --json | jq -r .due)" "2026-12-30T09:00:00Z" "due of the added VTODO"
rm "$VDIR/$NEWUID.ics"
gone() { ! netctl show "$1" >/dev/null 2>&1; }
wait_until 2 gone "$IDN" || fail "a VTODO deleted in the vdir was not removed"
ok "VTODOs added and deleted by another program are applied"

# --- conflicts ------------------------------------------------------------------------

IDC=$(netctl add "Conflict me" --in 4d -q)
UC=$(uid_of "$IDC")
IDD=$(netctl add "Delete vs edit" --in 4d -q)
UD=$(uid_of "$IDD")
wait_until 2 has_file "$UC" || fail "not written"
wait_until 2 has_file "$UD" || fail "not written"
FC=$(file_of "$UC")
FD=$(file_of "$UD")
daemon_stop
# While netctld is stopped: the file gets SEQUENCE +5 ...
seq=$(sed -n 's/^SEQUENCE://p' "$FC" | tr -d '\r')
sed -e 's/^SUMMARY:.*/SUMMARY:Conflict: the file wins/' -e "s/^SEQUENCE:.*/SEQUENCE:$((seq + 5))/" \
    "$FC" >"$VDIR/.tmp" && mv "$VDIR/.tmp" "$FC"
rm "$FD"
daemon_start
# ... and netctl edits once (SEQUENCE +1) before the start-up pass ran, or
# after: either way both sides changed and the file's higher SEQUENCE wins.
wait_until 5 field_is "$IDC" text "Conflict: the file wins" || fail "the higher SEQUENCE did not win"
wait_until 5 gone "$IDD" || fail "deleted while stopped: not removed"

ok "changes made while netctld was stopped are applied at start-up"

# Changed on both sides: netctl's change is committed while the vdir does
# not have it yet (netctld died between the commit and the write; here the
# database is edited while netctld is stopped, which is the same state),
# and another program changes the file.
DB=$XDG_DATA_HOME/netctl/netctl.db
db_edit() {   # UID TEXT: what netctl would commit for an edit
    sqlite3 "$DB" "UPDATE followups SET text = '$2', sequence = sequence + 1, modified = modified + 1 WHERE uid = '$1'"
}

# Delete there, edit here: the edit is kept and reported.
IDV=$(netctl add "Keep my edit" --in 4d -q)
UV=$(uid_of "$IDV")
wait_until 2 has_file "$UV" || fail "not written"
FV=$(file_of "$UV")
daemon_stop
db_edit "$UV" "Keep my edit (edited)"
rm "$FV"
daemon_start
wait_until 5 has_file "$UV" || fail "delete vs edit: the edited item was not written back"
field_is "$IDV" text "Keep my edit (edited)" || fail "delete vs edit: the edit was lost"
run netctl sync status --json
jq -e --arg u "$UV" '.conflicts | map(select(.uid == $u)) | length == 1' <<<"$OUT" >/dev/null ||
    fail "delete vs edit not reported: $OUT"
run netctl sync status
assert_match "$OUT" "Keep my edit \(edited\)" "human sync status lists the conflict"

# Edit there, delete here: the edit is kept and reported.
IDR=$(netctl add "Removed here" --in 4d -q)
UR=$(uid_of "$IDR")
wait_until 2 has_file "$UR" || fail "not written"
FR=$(file_of "$UR")
daemon_stop
sqlite3 "$DB" "DELETE FROM followups WHERE uid = '$UR'"
sed -e 's/^SUMMARY:.*/SUMMARY:Removed here, edited there/' "$FR" >"$VDIR/.tmp" && mv "$VDIR/.tmp" "$FR"
daemon_start
wait_until 5 has_one "Removed here, edited there" || fail "edit vs delete: the edit was lost"
run netctl sync status --json
jq -e --arg u "$UR" '.conflicts | map(select(.uid == $u)) | length == 1' <<<"$OUT" >/dev/null ||
    fail "edit vs delete not reported: $OUT"
ok "deleted on one side, edited on the other: the edit is kept and reported"

# The file's version has the higher SEQUENCE: it wins.
IDB=$(netctl add "Two edits" --in 4d -q)
UB=$(uid_of "$IDB")
wait_until 2 has_file "$UB" || fail "not written"
FB=$(file_of "$UB")
daemon_stop
db_edit "$UB" "Two edits: netctl (loses)"
seq=$(sed -n 's/^SEQUENCE://p' "$FB" | tr -d '\r')
sed -e 's/^SUMMARY:.*/SUMMARY:Two edits: phone (wins)/' -e "s/^SEQUENCE:.*/SEQUENCE:$((seq + 3))/" \
    "$FB" >"$VDIR/.tmp" && mv "$VDIR/.tmp" "$FB"
daemon_start
wait_until 5 field_is "$IDB" text "Two edits: phone (wins)" || fail "the higher SEQUENCE did not win"
file_says "$UB" '^SUMMARY:Two edits: phone (wins)' || fail "the winning file was rewritten"
run netctl sync status --json
jq -e --arg u "$UB" '.conflicts | map(select(.uid == $u and (.what | test("file.s version")))) | length == 1' \
    <<<"$OUT" >/dev/null || fail "the conflict was not reported: $OUT"
sqlite3 "$DB" "SELECT lost FROM sync_conflicts WHERE uid = '$UB'" |
    grep -q 'Two edits: netctl (loses)' || fail "netctl's losing version was not kept"

# netctl's version has the higher SEQUENCE: it wins and is written out.
IDW=$(netctl add "Netctl wins" --in 4d -q)
UW=$(uid_of "$IDW")
wait_until 2 has_file "$UW" || fail "not written"
FW=$(file_of "$UW")
daemon_stop
db_edit "$UW" "Netctl wins: netctl"
db_edit "$UW" "Netctl wins: netctl"
sed -e 's/^SUMMARY:.*/SUMMARY:Netctl wins: file (loses)/' "$FW" >"$VDIR/.tmp" && mv "$VDIR/.tmp" "$FW"
daemon_start
wait_until 5 file_says "$UW" '^SUMMARY:Netctl wins: netctl' || fail "netctl's newer version was not written"
field_is "$IDW" text "Netctl wins: netctl" || fail "netctl's newer version lost"
sqlite3 "$DB" "SELECT lost FROM sync_conflicts WHERE uid = '$UW'" |
    grep -q 'Netctl wins: file (loses)' || fail "the losing file version was not kept"
ok "changed on both sides: the higher SEQUENCE wins, the loser is kept and reported"

# --- contacts ---------------------------------------------------------------------------

card_of() { grep -l "^UID:$1" "$CDIR"/*.vcf 2>/dev/null | head -n1 || true; }
has_card() { [[ -n $(card_of "$1") ]]; }
card_says() { grep -q "$2" "$(card_of "$1")" 2>/dev/null; }
contact_field() { netctl contact show "$1" --json | jq -r ".contact.$2"; }
contact_is() { [[ $(contact_field "$1" "$2") == "$3" ]]; }
n_interactions() { netctl contact show "$1" --json | jq '.interactions | length'; }

netctl contact add "Ana Lima" --email ana@example.org --tie weak --tag data --met "PyData meetup" -q >/dev/null
CU=$(contact_field ana-lima uid)
wait_until 2 has_card "$CU" || fail "a contact added in netctl did not appear in the contacts vdir"
CF=$(card_of "$CU")
card_says "$CU" '^VERSION:4.0' || fail "not vCard 4.0"
card_says "$CU" '^FN:Ana Lima' || fail "no FN"
card_says "$CU" '^EMAIL.*ana@example.org' || fail "no EMAIL"
card_says "$CU" '^X-NETCTL-TIE:weak' || fail "no X-NETCTL-TIE"
card_says "$CU" '^X-NETCTL-MET:PyData meetup' || fail "no X-NETCTL-MET"
netctl log ana-lima --kind coffee --gave "an intro to Bo" --got "a lead: data team" >/dev/null
netctl log ana-lima --kind call >/dev/null
ok "a contact added in netctl appears as a vCard 4.0 with its X-NETCTL fields"

# The phone changes her name and e-mail and adds a phone number; the
# X-NETCTL-* lines stay, as CardDAV clients keep them.
sed -e 's/^FN:.*/FN:Ana Lima-Souza\r/' -e 's/^EMAIL[^:]*:.*/EMAIL:ana@newjob.example\r/' \
    -e 's/^END:VCARD/TEL;TYPE=cell:+1 555 0100\r\nEND:VCARD/' "$CF" >"$CDIR/.tmp" && mv "$CDIR/.tmp" "$CF"
wait_until 2 contact_is ana-lima name "Ana Lima-Souza" || fail "a name edited in the vdir was not applied"
assert_eq "$(netctl contact show ana-lima --json | jq -r '.contact.emails | join(",")')" \
    "ana@newjob.example" "e-mails after the edit in the vdir"
assert_eq "$(n_interactions ana-lima)" 2 "interactions kept"
assert_eq "$(contact_field ana-lima tie)" weak "tie kept"
assert_eq "$(contact_field ana-lima met)" "PyData meetup" "met kept"
ok "a contact edited in the vdir updates name and e-mail without losing its history"

netctl contact edit ana-lima --org "Acme Data" >/dev/null
wait_until 2 card_says "$CU" '^ORG:Acme Data' || fail "an edit in netctl did not reach the card"
card_says "$CU" '^TEL.*555 0100' || fail "the phone number another client added was dropped"
card_says "$CU" '^FN:Ana Lima-Souza' || fail "the name changed back"
ok "netctl's edits keep what other clients added (TEL)"

cat >"$CDIR/.new" <<'EOF'
BEGIN:VCARD
VERSION:3.0
UID:phone-card-1
FN:Bo Chen
N:Chen;Bo;;;
EMAIL;TYPE=INTERNET:bo@example.net
END:VCARD
EOF
mv "$CDIR/.new" "$CDIR/phone-card-1.vcf"
wait_until 2 contact_is bo@example.net name "Bo Chen" || fail "a card added in the vdir was not applied"
assert_eq "$(contact_field bo@example.net uid)" "phone-card-1" "the card keeps its UID"
wait_until 5 in_step || fail "not in step"
assert_eq "$(grep -l '^UID:phone-card-1' "$CDIR"/*.vcf | wc -l)" 1 "files holding the new card"
rm "$CDIR/phone-card-1.vcf"
gone_contact() { ! netctl contact show "$1" >/dev/null 2>&1; }
wait_until 2 gone_contact bo@example.net || fail "a card deleted in the vdir (no history) was not removed"
rm "$CF"
wait_until 2 contact_is ana-lima archived true || fail "a card deleted in the vdir with history was not archived"
assert_eq "$(n_interactions ana-lima)" 2 "interactions after the card was deleted"
ok "cards added and deleted in the vdir are applied; history is archived, never dropped"

# --- kill during a burst -----------------------------------------------------------------

for i in $(seq 1 40); do
    cat >"$VDIR/.b$i" <<EOF
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Burst//EN
BEGIN:VTODO
UID:burst-$i@example.org
DTSTAMP:20261120T100000Z
SUMMARY:Burst $i
DUE:20261231T090000Z
END:VTODO
END:VCALENDAR
EOF
done
for i in $(seq 1 40); do
    mv "$VDIR/.b$i" "$VDIR/burst-$i.ics"
    if ((i == 20)); then daemon_kill; fi
done
daemon_start
burst_in_step() {
    [[ $(netctl list --all --json | jq '[.[] | select(.text | startswith("Burst "))] | length') == 40 ]]
}
wait_until 10 burst_in_step || fail "after a kill in a burst: not every burst VTODO is in netctl"
assert_eq "$(netctl list --all --json | jq '[.[] | select(.text | startswith("Burst "))] | map(.uid) | unique | length')" 40 \
    "distinct burst follow-ups"
# Every follow-up has exactly one file, and every file a follow-up.
n_followups() { netctl list --all --json | jq '[.[] | select(.kind == "followup")] | length'; }
agree() { [[ $(n_followups) == $(ics_count) ]]; }
wait_until 5 agree ||
    fail "database and vdir disagree: $(n_followups) follow-ups, $(ics_count) files"
ok "killed in a burst of vdir changes: after a restart the database and the vdir agree"
