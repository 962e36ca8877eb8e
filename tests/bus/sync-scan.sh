#!/bin/bash
# The scan of a linked vdir at start-up goes a page at a time, with calls
# served in between:
#  - netctld started on a vdir of 3,000 VTODO files it has never seen
#    answers `sync status` while that scan runs (not yet in step), where
#    it used to answer only once every file was read;
#  - a follow-up added and a contact renamed during the scan reach the
#    vdir after it, and the scan itself takes in every file.
# bus/sync-restart has what a scan reads; bus/sync-vdir the two-way rules.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

need_cmd jq

export TZ=UTC
bus_start
VDIR=$TEST_DIR/vdir/tasks
mkdir -p "$XDG_CONFIG_HOME/netctl" "$VDIR"
printf '[sync]\ntasks = %s\n' "$VDIR" >"$XDG_CONFIG_HOME/netctl/netctl.conf"

# A contact first, on its own, so that the scan's follow-ups can name it.
daemon_start
expect_ok netctl contact add "Ana Lima" --email ana@example.org
expect_ok netctl edit "$(netctl add -q "Ask Ana about the team" --in 2d)" --contact ana-lima
daemon_stop || fail "netctld did not stop cleanly"

# 3,000 files from another program, read by the next start's scan: more
# than ten pages of it, each file parsed and stored.
N=3000
python3 - "$VDIR" "$N" <<'EOF'
import os, sys
vdir, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(os.path.join(vdir, "phone-%04d.ics" % i), "w") as f:
        f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//Phone Tasks//EN\r\n"
                "BEGIN:VTODO\r\nUID:phone-%04d@example.org\r\nDTSTAMP:20261120T090000Z\r\n"
                "SUMMARY:Task %04d from the phone\r\nDUE:20301120T090000Z\r\n"
                "STATUS:NEEDS-ACTION\r\nEND:VTODO\r\nEND:VCALENDAR\r\n" % (i, i))
EOF

daemon_start
# Asked at once: answered between two steps of the scan, before it is done.
status=$(netctl sync status --json)
assert_eq "$(jq -r '.links[0].in_step' <<<"$status")" "null" "in step when the first call is answered"
t_first=$(now_us)
DURING=$(netctl add -q "Added during the scan" --in 3d)
expect_ok netctl contact edit ana-lima --handle ana
in_step() { netctl sync status --json | jq -e '.links[0].in_step != null' >/dev/null; }
wait_until 120 in_step || fail "the vdir never came in step"
log "in step $((($(now_us) - t_first) / 1000)) ms after the first answer"
ok "calls are answered while the start-up scan runs"

count=$(netctl list --all --json | jq '[.[] | select(.kind == "followup")] | length')
assert_eq "$count" "$((N + 2))" "follow-ups after the scan (the files, one added before, one during)"
U=$(netctl show "$DURING" --json | jq -r .uid)
added() { [[ -f $VDIR/$U.ics ]]; }
wait_until 10 added || fail "the follow-up added during the scan did not reach the vdir"
renamed() { grep -lq $'^X-NETCTL-CONTACT:ana\r$' "$VDIR"/*.ics; }
wait_until 10 renamed || fail "the contact's new handle did not reach its follow-up's file"
ok "a follow-up added and a contact renamed during the scan reach the vdir after it"
daemon_stop || fail "netctld did not stop cleanly"
