#!/bin/bash
# The calendar inbox in a real user session (systemd --user, netctld started
# by D-Bus activation as the installed unit): an invite copied into
# ~/.local/share/netctl/inbox is picked up through inotify and its prep
# reminder is scheduled; its CANCEL copied in withdraws both reminders; an
# invite dropped in while netctld is stopped is picked up when the next
# netctl call activates it again.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/session.sh
. "$(dirname "$0")/../lib/session.sh"
# shellcheck source=../lib/ics.sh
. "$(dirname "$0")/../lib/ics.sh"
session_init "$@"
session_install_netctl
session_use_dbusmock_notifications
session_assert_private_db

INBOX=$XDG_DATA_HOME/netctl/inbox
wait_until 10 test -d "$INBOX" || fail "netctld did not create $INBOX"
netctld_active || fail "netctld.service is not active"
GEN=$TEST_DIR/gen
mkdir -p "$GEN"

now=$(now_s)
day() { date -d "@$((now + $1 * 86400))" +%Y-%m-%d; }
# TZ is the session's zone (Europe/Berlin unless NETCTL_TEST_TZ says).
START=$(local_epoch "$TZ" "$(day 3) 10:00")
END=$((START + 3600))
invite "$GEN/invite.ics" uid=e2e-inbox@example.com summary="Informational interview with Ana" \
    tzid=Europe/Berlin start="$(ics_local Europe/Berlin "$START")" end="$(ics_local Europe/Berlin "$END")"
invite "$GEN/cancel.ics" method=CANCEL status=CANCELLED seq=1 uid=e2e-inbox@example.com \
    summary="Informational interview with Ana" tzid=Europe/Berlin \
    start="$(ics_local Europe/Berlin "$START")" end="$(ics_local Europe/Berlin "$END")"

has_reminders() { [[ $(reminders "$1" | wc -l) == 2 ]]; }
no_reminders() { [[ -z $(reminders "$1") ]]; }

t0=$(now_us)
cp "$GEN/invite.ics" "$INBOX/invite.ics"
wait_until 10 has_reminders "Informational interview with Ana" ||
    fail "the invite copied into the inbox did not schedule its reminders: $(netctl list --all --json)"
ok "invite picked up from the inbox in $(elapsed_ms "$t0") ms"
assert_eq "$(reminders "Informational interview with Ana")" "prep $(iso $((START - 1800)))
thanks $(iso "$(thanks_for "$END")")" "reminders of the inbox invite"
assert_eq "$(meeting_json e2e-inbox@example.com | jq -r '.[0].start')" "$(iso "$START")" "meeting start"
# The prep is what the schedule shows next.
netctl list --json | jq -e --arg t "Prepare for \"Informational interview with Ana\"" \
    'any(.[]; .kind == "prep" and (.text | startswith($t)))' >/dev/null ||
    fail "netctl list does not show the prep reminder"
ok "prep reminder scheduled 30 min before the meeting, thank-you after it"

t0=$(now_us)
cp "$GEN/cancel.ics" "$INBOX/cancel.ics"
wait_until 10 no_reminders "Informational interview with Ana" ||
    fail "the CANCEL copied into the inbox did not withdraw the reminders: $(reminders "Informational interview with Ana")"
ok "CANCEL picked up in $(elapsed_ms "$t0") ms: both reminders withdrawn"
assert_eq "$(meeting_json e2e-inbox@example.com | jq -r '.[0].cancelled')" true "meeting cancelled"

# Dropped in while netctld is stopped: read when it is activated again.
invite "$GEN/later.ics" uid=e2e-later@example.com summary="Coffee with Bo" tzid=Europe/Berlin \
    start="$(ics_local Europe/Berlin $((START + 86400)))" end="$(ics_local Europe/Berlin $((END + 86400)))"
systemctl --user stop netctld.service
netctld_active && fail "netctld did not stop"
cp "$GEN/later.ics" "$INBOX/later.ics"
expect_ok netctl status          # D-Bus activation starts netctld again
wait_until 10 has_reminders "Coffee with Bo" ||
    fail "an invite dropped in while netctld was stopped was not picked up on activation"
ok "an invite dropped in while netctld was stopped is picked up when it is activated"
