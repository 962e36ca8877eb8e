#!/bin/bash
# Notification actions in a real user session, with python3-dbusmock's
# notification_daemon as the server (dunst is masked): a due follow-up
# produces a Notify call from app "netctl" with action keys "done",
# "snooze-1h" and "tomorrow"; the server emitting ActionInvoked(id, key)
# writes back to the schedule: done marks it done, snooze-1h moves it about
# an hour past the click, tomorrow moves it to 09:00 tomorrow, local time.
# shellcheck source-path=SCRIPTDIR disable=SC1010  # "done" is a verb here
set -euo pipefail
# shellcheck source=../lib/session.sh
. "$(dirname "$0")/../lib/session.sh"
session_init "$@"
session_install_netctl
session_use_dbusmock_notifications
session_assert_private_db

for_text() { printf 'select(.summary + " " + .body | contains("%s"))' "$1"; }
# field_changes ID FIELD OLD: wait until FIELD of ID is no longer OLD.
field_changes() { wait_until 10 field_is_not "$@"; }

# reminder TEXT: add a follow-up due in 2 s, wait for its Notify call, check
# it; sets REM_ID (follow-up) and REM_NID (notification id).
reminder() {
    local id call key
    id=$(netctl add -q "$1" --in 2s) || fail "netctl add failed"
    mock_wait_notify "$(for_text "$1")" 15 || fail "no Notify call for '$1': $(mock_calls)"
    call=$MOCK_CALL
    assert_eq "$(jq -r .app_name <<<"$call")" netctl "app_name of the Notify call"
    for key in done snooze-1h tomorrow; do
        jq -e --arg k "$key" '.actions | index($k) != null' <<<"$call" >/dev/null ||
            fail "Notify call lacks action key \"$key\": $(jq -c .actions <<<"$call")"
    done
    REM_ID=$id
    REM_NID=$(jq -r .id <<<"$call")
}

reminder "Send Ana the article on data teams"
A=$REM_ID NA=$REM_NID
ok "Notify from netctl with actions: $(mock_calls | jq -c --argjson n "$NA" '.[] | select(.id == $n) | .action_labels')"
mock_invoke "$NA" done
field_changes "$A" done_at null || fail "ActionInvoked done did not mark #$A done"
assert_match "$(show_field "$A" done_at)" '^[0-9]{4}-.*Z$' "done_at after the done action"
ok "done action: #$A done"

reminder "Thank Bo for the intro"
B=$REM_ID NB=$REM_NID
old=$(show_field "$B" due)
t0=$(now_s)
mock_invoke "$NB" snooze-1h
field_changes "$B" due "$old" || fail "ActionInvoked snooze-1h did not move #$B"
t1=$(now_s)
new=$(iso_to_epoch "$(show_field "$B" due)")
((new >= t0 + 3600 - 60 && new <= t1 + 3600 + 60)) ||
    fail "snooze-1h: due $(date -d "@$new") is not about an hour after the click at $(date -d "@$t0")"
assert_eq "$(show_field "$B" done_at)" null "a snoozed follow-up stays open"
ok "snooze-1h action: #$B due $(date -d "@$new" '+%F %T %Z')"

reminder "Coffee with Chen"
C=$REM_ID NC=$REM_NID
old=$(show_field "$C" due)
want1=$(date -d 'tomorrow 09:00' +%s)
mock_invoke "$NC" tomorrow
field_changes "$C" due "$old" || fail "ActionInvoked tomorrow did not move #$C"
want2=$(date -d 'tomorrow 09:00' +%s)
new=$(iso_to_epoch "$(show_field "$C" due)")
[[ $new == "$want1" || $new == "$want2" ]] ||
    fail "tomorrow: due $(date -d "@$new" '+%F %T %Z'), want $(date -d "@$want2" '+%F %T %Z')"
assert_eq "$(show_field "$C" done_at)" null "a follow-up moved to tomorrow stays open"
ok "tomorrow action: #$C due $(date -d "@$new" '+%F %T %Z')"

# Each reminder was shown once.
for t in "Send Ana the article" "Thank Bo" "Coffee with Chen"; do
    assert_eq "$(mock_count "$(for_text "$t")")" 1 "Notify calls for '$t'"
done
ok "one Notify per reminder"
