#!/bin/bash
# A linked tasks vdir changed while netctld was not running:
#  - a start reads only the files whose state (inode, size, times) is not
#    the one noted the last time they were seen; the first start after the
#    files were written reads them all and notes their state, the next
#    reads none (netctld's log line "in step: ... unchanged ... read ...");
#  - an edit that keeps the file's inode, size and mtime (a syncer that
#    preserves mtimes) is still read;
#  - a deleted file removes its follow-up, a renamed one keeps its
#    follow-up (same id), a new file from another program is added;
#  - a follow-up changed in the database whose file was never written (as
#    when netctld dies between its commit and the write) reaches its file.
# bus/sync-vdir has the two-way rules while netctld runs.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

need_cmd jq sqlite3

export TZ=UTC
bus_start
VDIR=$TEST_DIR/vdir/tasks
DB=$XDG_DATA_HOME/netctl/netctl.db
mkdir -p "$XDG_CONFIG_HOME/netctl" "$VDIR"
printf '[sync]\ntasks = %s\n' "$VDIR" >"$XDG_CONFIG_HOME/netctl/netctl.conf"
daemon_start
N=40
for i in $(seq -w "$N"); do
    netctl add -q "Call person $i about the role" --in "${i#0}"h >/dev/null
done
ics_count() { find "$VDIR" -maxdepth 1 -name '*.ics' | wc -l; }
all_written() { [[ $(ics_count) == "$N" ]]; }
wait_until 10 all_written || fail "the $N follow-ups did not all reach the vdir"

# The last "in step" line of netctld's log, once there are $1 of them.
scan_line() { grep 'in step:' "$DAEMON_LOG" | sed -n "${1}p"; }
has_scan_line() { [[ -n $(scan_line "$1") ]]; }
restart() {
    daemon_stop || fail "netctld did not stop cleanly"
    daemon_start
    wait_until 30 has_scan_line "$1" || fail "no start-up scan line after start $1"
}

# A file's state stands for its bytes only once its ctime is more than two
# seconds old (a write within a timestamp's granularity would not show);
# waiting passes that fixed threshold, it does not race anything.
sleep 3
restart 2
assert_match "$(scan_line 2)" "in step: 0 files unchanged since they were last seen, $N read, 0 new, 0 gone" \
    "the first start after the files were written"
restart 3
assert_match "$(scan_line 3)" "in step: $N files unchanged since they were last seen, 0 read, 0 new, 0 gone" \
    "the next start"
ok "a start reads only the files not in the state noted when they were last seen"

uid_of() { netctl list --all --json | jq -r ".[] | select(.id == $1) | .uid"; }
UA=$(uid_of 1) UB=$(uid_of 2) UC=$(uid_of 3) UE=$(uid_of 4)
daemon_stop || fail "netctld did not stop cleanly"

# A: the same bytes count, the same inode, the mtime put back.
python3 - "$VDIR/$UA.ics" <<'EOF'
import os, sys
path = sys.argv[1]
st = os.stat(path)
with open(path, "rb") as f:
    data = f.read()
new = data.replace(b"SUMMARY:Call person 01", b"SUMMARY:Mail person 01")
assert new != data and len(new) == len(data)
with open(path, "r+b") as f:
    f.write(new)
os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
after = os.stat(path)
assert (after.st_ino, after.st_size, after.st_mtime_ns) == (st.st_ino, st.st_size, st.st_mtime_ns)
EOF
# B deleted, C renamed, D new from another program.
rm "$VDIR/$UB.ics"
mv "$VDIR/$UC.ics" "$VDIR/renamed-by-a-syncer.ics"
cat >"$VDIR/from-a-phone.ics" <<'EOF'
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Example//Phone Tasks//EN
BEGIN:VTODO
UID:from-a-phone@example.org
DTSTAMP:20261120T090000Z
SUMMARY:Reply to Dara about the meetup
DUE:20301120T090000Z
STATUS:NEEDS-ACTION
END:VTODO
END:VCALENDAR
EOF
# E: committed in the database, never written to its file.
sqlite3 "$DB" "UPDATE followups SET text = 'Call person 04 about the new role', sequence = sequence + 1 \
               WHERE uid = '$UE'"

daemon_start
wait_until 30 has_scan_line 4 || fail "no start-up scan line after the offline changes"
assert_match "$(scan_line 4)" "in step: $((N - 3)) files unchanged since they were last seen, 1 read, 2 new, 2 gone" \
    "the start after the changes"
text_of_uid() { netctl list --all --json | jq -r ".[] | select(.uid == \"$1\") | .text"; }
assert_eq "$(text_of_uid "$UA")" "Mail person 01 about the role" "the edit that kept size, inode and mtime"
assert_eq "$(text_of_uid "$UB")" "" "the follow-up of the deleted file"
assert_eq "$(uid_of 3)" "$UC" "the follow-up of the renamed file keeps its id"
assert_eq "$(text_of_uid from-a-phone@example.org)" "Reply to Dara about the meetup" "the new file's follow-up"
e_written() { grep -q '^SUMMARY:Call person 04 about the new role' "$VDIR/$UE.ics"; }
wait_until 5 e_written || fail "the follow-up changed in the database did not reach its file"
assert_eq "$(ics_count)" "$N" "files in the vdir (one deleted, one new, one renamed)"
ok "offline changes: an edit keeping size and mtime, a deletion, a rename, a new file, an unwritten change"

# The four files read, added or written since are read once more: their
# state was not noted yet.
restart 5
assert_match "$(scan_line 5)" "in step: $((N - 4)) files unchanged since they were last seen, 4 read, 0 new, 0 gone" \
    "the start after that"
daemon_stop || fail "netctld did not stop cleanly"
