#!/bin/bash
# The system time zone changes while netctld runs (timedatectl
# set-timezone, or a laptop carried across zones): netctld, started with no
# TZ in its environment, follows /etc/localtime without a restart.
#
# The machine's zone is not touched: the test runs in a private mount
# namespace (unshare -m, so it needs root) and bind-mounts another zone
# file over /etc/localtime there.  Checked after each change:
#  - the sd_notify STATUS line (read from a NOTIFY_SOCKET of the test's
#    own) shows the next due time in the new zone, with its abbreviation;
#  - "Tomorrow" on a notification moves the reminder to 09:00 of the next
#    day in the new zone;
#  - an invite imported after the change gets a prep reminder whose text
#    says the start time in the new zone;
#  - an all-day meeting imported before the change starts at local
#    midnight of the new zone afterwards (daemon/calendar.c
#    calendar_check_zone()).
# glibc's localtime_r() reads the zone once; netctld calls tzset() when it
# reads the clock (daemon/context.c context_now()) and before the STATUS
# text, which re-reads /etc/localtime when it changed.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"
# shellcheck source=../lib/ics.sh
. "$(dirname "$0")/../lib/ics.sh"

if [[ -z ${NETCTL_TZ_NS:-} ]]; then
    [[ $EUID -eq 0 ]] || skip "needs root: the zone is changed in a private mount namespace (unshare -m)"
    [[ -e /etc/localtime ]] || skip "/etc/localtime does not exist here"
    unshare --mount --propagation private true 2>/dev/null || skip "unshare -m is not permitted here"
    exec unshare --mount --propagation private -- env NETCTL_TZ_NS=1 "$BASH" "$0" "$@"
fi

ZONEINFO=/usr/share/zoneinfo
for z in Europe/Berlin Asia/Tokyo America/New_York; do
    [[ -f $ZONEINFO/$z ]] || skip "$ZONEINFO/$z not found (package tzdata)"
done

# set_zone NAME: /etc/localtime is now NAME's zone file (in this namespace).
set_zone() {
    mount --bind "$ZONEINFO/$1" /etc/localtime || fail "cannot bind $1 over /etc/localtime"
    ZONE=$1
    log "/etc/localtime is now $1"
}

unset TZ
set_zone Europe/Berlin
bus_start

# Our own NOTIFY_SOCKET: every datagram netctld sends, one per line.
NOTIFY_LOG=$TEST_DIR/notify.log
"$PY" - "$TEST_DIR/notify.sock" "$NOTIFY_LOG" >"$TEST_DIR/notify.out" 2>&1 <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[2] + '.ready', 'w').close()
with open(sys.argv[2], 'a') as log:
    while True:
        data = s.recv(65536).decode('utf-8', 'replace')
        log.write(data.replace('\n', ' ') + '\n')
        log.flush()
EOF
on_exit "stop_pid $! 5"
wait_until 10 test -e "$NOTIFY_LOG.ready" || fail "notify socket listener did not start"
mock_start
NOTIFY_SOCKET=$TEST_DIR/notify.sock daemon_start
wait_until 10 grep -q READY=1 "$NOTIFY_LOG" || fail "no READY=1 on our NOTIFY_SOCKET"

# status_says TEXT: the last STATUS= line contains TEXT.
status_says() { grep 'STATUS=' "$NOTIFY_LOG" | tail -n1 | grep -qF -- "$1"; }
# local_of ZONE EPOCH FORMAT
local_of() { TZ=$1 date -d "@$2" "+$3"; }
due_of() { iso_to_epoch "$(show_field "$1" due)"; }
notified() { [[ $(show_field "$1" notified) == true ]]; }

# check_zone: the three observations for $ZONE.
check_zone() {
    local id due want nid tomorrow start prep
    # STATUS: the next due time in the zone, with its abbreviation.
    id=$(netctl add -q "Next in $ZONE" --in 1d)
    netctl edit "$id" --due "$(date -u -d '@'"$(($(now_s) + 60))" +%Y-%m-%dT%H:%M:%SZ)" >/dev/null
    due=$(due_of "$id")
    want=$(local_of "$ZONE" "$due" '%Y-%m-%d %H:%M:%S %Z')
    wait_until 10 status_says "at $want" ||
        fail "STATUS does not show the due time in $ZONE ('$want'): $(grep STATUS= "$NOTIFY_LOG" | tail -n1)"
    ok "$ZONE: STATUS shows '$want'"
    netctl rm "$id" >/dev/null

    # Tomorrow from the notification: 09:00 tomorrow in the zone.
    id=$(netctl add -q "Tomorrow in $ZONE")
    wait_until 15 notified "$id" || fail "#$id not shown"
    nid=$(mock_calls | jq --arg re "#$id\$" '[.[] | select(.body | test($re)) | .id] | last')
    mock_invoke "$nid" tomorrow
    wait_until 10 test "$(show_field "$id" notified)" == false ||
        fail "Tomorrow on #$id did not move it"
    tomorrow=$(TZ=$ZONE date -d 'tomorrow 09:00' +%s)
    assert_eq "$(due_of "$id")" "$tomorrow" "Tomorrow in $ZONE (09:00 local = $tomorrow)"
    ok "$ZONE: Tomorrow moved the reminder to $(local_of "$ZONE" "$tomorrow" '%F %R %Z')"
    netctl rm "$id" >/dev/null

    # The prep text of an invite imported now says the local start time.
    start=$((($(now_s) / 3600 + 30) * 3600 + 1800))
    invite "$TEST_DIR/$ZONE_ID.ics" uid="tz-$ZONE_ID@example.com" summary="Coffee $ZONE_ID" \
        tzid= start="$(date -u -d "@$start" +%Y%m%dT%H%M%S)" end="$(date -u -d "@$((start + 3600))" +%Y%m%dT%H%M%S)"
    expect_rc 0 netctl import "$TEST_DIR/$ZONE_ID.ics"
    prep=$(netctl list --all --json | jq -r --arg s "Coffee $ZONE_ID" '.[] | select(.kind == "prep" and (.text | contains($s))) | .text')
    want=$(local_of "$ZONE" "$start" '%H:%M')
    [[ $prep == *" at $want" ]] || fail "prep text in $ZONE should end ' at $want': '$prep'"
    ok "$ZONE: prep text '$prep'"
}

# An all-day meeting is a wall-clock day: it starts at local midnight in
# whatever zone the machine is in.  Imported in Berlin, it must move when
# the zone becomes Tokyo (noticed at the next change to the schedule).
ALLDAY=$(TZ=Europe/Berlin date -d '+5 days' +%Y%m%d)
invite "$TEST_DIR/allday.ics" uid=allday-tz@example.com summary="Career fair" allday=1 \
    start="$ALLDAY" end="$(TZ=Europe/Berlin date -d "$ALLDAY +1 day" +%Y%m%d)"
expect_rc 0 netctl import "$TEST_DIR/allday.ics"
allday_start() { netctl meetings --all --json | jq -r '.[] | select(.uid == "allday-tz@example.com") | .start'; }
assert_eq "$(iso_to_epoch "$(allday_start)")" "$(TZ=Europe/Berlin date -d "$ALLDAY 00:00" +%s)" \
    "the all-day meeting starts at midnight Berlin time"

ZONE_ID=berlin
check_zone
set_zone Asia/Tokyo
ZONE_ID=tokyo
check_zone
assert_eq "$(iso_to_epoch "$(allday_start)")" "$(TZ=Asia/Tokyo date -d "$ALLDAY 00:00" +%s)" \
    "after the change the all-day meeting starts at midnight Tokyo time"
ok "an all-day meeting followed the zone change"
set_zone America/New_York
ZONE_ID=newyork
check_zone
daemon_alive || fail "netctld died"
ok "netctld followed two zone changes without a restart"
