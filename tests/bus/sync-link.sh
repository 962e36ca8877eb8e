#!/bin/bash
# Linking a tasks vdir to a schedule that already holds follow-ups
# ([sync] tasks added by a reload):
#  - the pass over everything writes one file per user follow-up (done ones
#    too), leaves no temporary behind, and saves a record for each (the
#    sync_records table), all put in place at the end of the pass;
#  - a second pass over everything (another reload, a restart) rewrites
#    nothing (inodes and mtimes stable);
#  - after that, a change to one follow-up rewrites only its file;
#  - a contact's new handle reaches the file of its follow-up, and only
#    that file is rewritten (an interaction logged rewrites none).
# bus/sync-vdir has the two-way rules; this is about the pass itself.
# shellcheck source-path=SCRIPTDIR disable=SC1010  # "done" is a verb here
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

need_cmd jq sqlite3

export TZ=UTC
bus_start
daemon_start
VDIR=$TEST_DIR/vdir/tasks
DB=$XDG_DATA_HOME/netctl/netctl.db

N=150
for i in $(seq "$N"); do
    netctl add -q "Follow-up $i for the link" --in "$i"h >/dev/null
done
expect_ok netctl done 1
# A reminder of another kind stays out of the vdir.
expect_ok netctl contact add "Ana Lima" --email ana@example.org
WANT=$(netctl list --all --json | jq '[.[] | select(.kind == "followup")] | length')
assert_eq "$WANT" "$N" "user follow-ups before linking"

mkdir -p "$XDG_CONFIG_HOME/netctl"
printf '[sync]\ntasks = %s\n' "$VDIR" >"$XDG_CONFIG_HOME/netctl/netctl.conf"
expect_ok netctl reload
in_step() { netctl sync status --json | jq -e '.links[0].in_step != null' >/dev/null; }
wait_until 30 in_step || fail "the tasks vdir never came in step"

ics_count() { find "$VDIR" -maxdepth 1 -name '*.ics' | wc -l; }
assert_eq "$(ics_count)" "$N" "files in the vdir after linking"
assert_eq "$(find "$VDIR" -name '.*' | wc -l)" 0 "temporaries left in the vdir"
assert_eq "$(sqlite3 "$DB" "SELECT count(*) FROM sync_records WHERE kind = 'task'")" "$N" "records saved"
grep -l '^STATUS:COMPLETED' "$VDIR"/*.ics | wc -l | grep -qx 1 || fail "the done follow-up's file is not COMPLETED"
# Every file holds the UID of a follow-up.
netctl list --all --json | jq -r '.[] | select(.kind == "followup") | .uid' | sort >"$TEST_DIR/uids.want"
sed -n 's/^UID:\(.*\)\r$/\1/p' "$VDIR"/*.ics | sort >"$TEST_DIR/uids.got"
assert_same_schedule "$TEST_DIR/uids.want" "$TEST_DIR/uids.got" "UIDs in the vdir"
ok "linking a vdir to $N follow-ups: one file each, records saved, no temporaries"

stats() { find "$VDIR" -name '*.ics' -printf '%P %i %T@\n' | sort; }
stats >"$TEST_DIR/stats0"
expect_ok netctl reload
wait_until 30 in_step || fail "not in step after the reload"
daemon_stop || fail "netctld did not stop cleanly"
daemon_start
wait_until 30 in_step || fail "not in step after the restart"
stats >"$TEST_DIR/stats1"
assert_same_schedule "$TEST_DIR/stats0" "$TEST_DIR/stats1" "files rewritten by a second pass"
ok "a second pass (reload, restart) rewrites nothing"

expect_ok netctl edit 2 --text "Follow-up 2, edited"
U2=$(netctl show 2 --json | jq -r .uid)
edited() { grep -q '^SUMMARY:Follow-up 2\\, edited' "$VDIR/$U2.ics"; }
wait_until 5 edited || fail "the edit did not reach the vdir"
stats >"$TEST_DIR/stats2"
changed=$(diff "$TEST_DIR/stats1" "$TEST_DIR/stats2" | grep -c '^>' || true)
assert_eq "$changed" 1 "files rewritten by one edit"
ok "one edit rewrites one file"

# A contact's handle is in its follow-ups' files: renaming it rewrites
# them; logging an interaction with it rewrites nothing.
expect_ok netctl edit 3 --contact ana-lima
U3=$(netctl show 3 --json | jq -r .uid)
linked() { grep -q "^X-NETCTL-CONTACT:$1"$'\r'"\$" "$VDIR/$U3.ics"; }
wait_until 5 linked ana-lima || fail "the link to ana-lima did not reach the vdir"
stats >"$TEST_DIR/stats3"
expect_ok netctl log ana --kind call
expect_ok netctl contact edit ana-lima --handle ana
wait_until 5 linked ana || fail "the new handle did not reach the follow-up's file"
stats >"$TEST_DIR/stats4"
changed=$(diff "$TEST_DIR/stats3" "$TEST_DIR/stats4" | grep -c '^>' || true)
assert_eq "$changed" 1 "files rewritten by a log and a new handle"
ok "a contact's new handle reaches its follow-up's file; nothing else is rewritten"

daemon_stop || fail "netctld did not stop cleanly"
