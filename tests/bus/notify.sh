#!/bin/bash
# Reminders through a notification server on a private bus (python3-dbusmock's
# notification_daemon), so that this also runs against the sanitizer build:
#  - with no server on the bus a due reminder is held, not lost;
#  - when a server appears it is delivered: app_name "netctl", the text in
#    summary or body, action keys "done", "snooze-1h" and "tomorrow";
#  - it is delivered once (a later reminder's delivery is the barrier);
#  - the actions write back: done marks it done, snooze-1h moves it an hour
#    past the click, tomorrow moves it to 09:00 local tomorrow;
#  - a reminder due in 2 s is not shown before it is due, and is shown
#    within a second or so of it (one timer, no minute polling);
#  - a digest (two due together) stays on screen while one of its reminders
#    is still open, shown again in place (Notify with its id as replaces_id)
#    with only the one left, and is closed (CloseNotification) once `netctl
#    done` has done the last; a single reminder done from the CLI is closed
#    too.
# shellcheck source-path=SCRIPTDIR disable=SC1010  # "done" is a verb here
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

export TZ=Europe/Berlin

bus_start
daemon_start

for_text() { printf 'select(.summary + " " + .body | contains("%s"))' "$1"; }

# --- held while there is no server -------------------------------------------------------

H=$(netctl add -q "Held: write to Ana")
expect_ok netctl status --json
assert_eq "$(jq -r '.notification_server // ""' <<<"$OUT")" "" "notification_server with none on the bus"
assert_eq "$(show_field "$H" notified)" false "notified with no server"
ok "no server: the due reminder is held"

mock_start
mock_wait_notify "$(for_text "Held: write to Ana")" 15 ||
    fail "held reminder not delivered after a server appeared: $(mock_calls)"
call=$MOCK_CALL
assert_eq "$(jq -r .app_name <<<"$call")" netctl "app_name"
for key in done snooze-1h tomorrow; do
    jq -e --arg k "$key" '.actions | index($k) != null' <<<"$call" >/dev/null ||
        fail "action key \"$key\" missing: $(jq -c .actions <<<"$call")"
    jq -e --arg k "$key" '.action_labels[$k] | length > 0' <<<"$call" >/dev/null ||
        fail "action \"$key\" has no label"
done
wait_until 10 field_is "$H" notified true || fail "notified not set after delivery"
ok "held reminder delivered when a server appeared: app netctl, actions done/snooze-1h/tomorrow"

# --- on time, not early -----------------------------------------------------------------------

t_add=$(now_us)
S=$(netctl add -q "On time: call Bo" --in 2s)
due=$(iso_to_epoch "$(show_field "$S" due)")
mock_wait_notify "$(for_text "On time: call Bo")" 15 || fail "reminder due in 2 s never shown"
t_seen=$(now_us)
# dbusmock stamps calls in whole seconds: shown no earlier than the due second.
stamp=$(jq .time <<<"$MOCK_CALL")
((stamp >= due)) || fail "notification stamped $stamp, before its due time $due"
late_ms=$(((t_seen - due * 1000000) / 1000))
((late_ms < 3000)) || fail "shown ${late_ms} ms after its due time (polling?)"
ok "due in 2 s: shown at $stamp (due $due), seen ${late_ms} ms after due ($(((t_seen - t_add) / 1000)) ms after add)"

# --- delivered once ---------------------------------------------------------------------------

B=$(netctl add -q "Barrier reminder")
mock_wait_notify "$(for_text "Barrier reminder")" 15 || fail "barrier reminder not shown"
assert_eq "$(mock_count "$(for_text "Held: write to Ana")")" 1 "deliveries of the held reminder"
assert_eq "$(mock_count "$(for_text "On time: call Bo")")" 1 "deliveries of the on-time reminder"
ok "each reminder delivered once"

# --- actions ------------------------------------------------------------------------------------

nid() { mock_calls | jq -r "[.[] | $(for_text "$1")] | last | .id"; }

mock_invoke "$(nid "Held: write to Ana")" done
wait_until 10 field_is_not "$H" done_at null || fail "action done did not mark #$H done"
ok "action done marks the follow-up done"

t0=$(now_s)
old=$(show_field "$S" due)
mock_invoke "$(nid "On time: call Bo")" snooze-1h
wait_until 10 field_is_not "$S" due "$old" || fail "action snooze-1h did not move #$S"
t1=$(now_s)
new=$(iso_to_epoch "$(show_field "$S" due)")
((new >= t0 + 3600 - 60 && new <= t1 + 3600 + 60)) ||
    fail "snooze-1h: due $(date -d "@$new") is not about an hour after the click ($(date -d "@$t0"))"
assert_eq "$(show_field "$S" done_at)" null "snoozed follow-up is still open"
ok "action snooze-1h moves it an hour on"

want1=$(date -d 'tomorrow 09:00' +%s)
old=$(show_field "$B" due)
mock_invoke "$(nid "Barrier reminder")" tomorrow
wait_until 10 field_is_not "$B" due "$old" || fail "action tomorrow did not move #$B"
want2=$(date -d 'tomorrow 09:00' +%s)
new=$(iso_to_epoch "$(show_field "$B" due)")
[[ $new == "$want1" || $new == "$want2" ]] ||
    fail "tomorrow: due $(date -d "@$new") is not tomorrow 09:00 $TZ ($(date -d "@$want2"))"
ok "action tomorrow moves it to 09:00 tomorrow, local time"

# --- done elsewhere: the notification leaves the screen ----------------------------------------

# closed_ids: the notification ids the mock was asked to close.
closed_ids() { "$PY" - <<'PY'
import dbus
mock = dbus.SessionBus().get_object('org.freedesktop.Notifications', '/org/freedesktop/Notifications')
for _, args in mock.GetMethodCalls('CloseNotification', dbus_interface='org.freedesktop.DBus.Mock'):
    print(int(args[0]))
PY
}
was_closed() { grep -qx "$1" <<<"$(closed_ids)"; }

D1=$(netctl add -q "Digest one: ask Chen" --in 2s)
D2=$(netctl add -q "Digest two: thank Dara" --in 2s)
mock_wait_notify 'select(.body | contains("#'"$D1"'") and contains("#'"$D2"'"))' 20 ||
    fail "no digest naming #$D1 and #$D2: $(mock_calls)"
DIGEST=$(jq -r .id <<<"$MOCK_CALL")
wait_until 10 field_is "$D2" notified true || fail "digest members not recorded as shown"
expect_ok netctl done "$D1"
# A barrier: a reminder shown after the done was handled.
B2=$(netctl add -q "Barrier two")
mock_wait_notify "$(for_text "Barrier two")" 15 || fail "second barrier not shown"
was_closed "$DIGEST" && fail "the digest was closed while #$D2 in it is still open"
mock_wait_notify "select(.replaces_id == $DIGEST and (.body | contains(\"(#$D2)\")) and
    (.body | contains(\"(#$D1)\") | not))" 10 ||
    fail "the digest was not shown again without #$D1 once it was done: $(mock_calls)"
assert_eq "$(jq -r .summary <<<"$MOCK_CALL")" "1 reminder" "the digest's summary with one reminder left"
jq -e '.actions | index("snooze-1h") != null' <<<"$MOCK_CALL" >/dev/null ||
    fail "the digest shown again lost its actions: $MOCK_CALL"
expect_ok netctl done "$D2"
wait_until 10 was_closed "$DIGEST" ||
    fail "the digest (notification $DIGEST) stayed open after both its reminders were done: closed $(closed_ids | xargs)"
ok "a digest stays while one of its reminders is open, shows only that one, and closes when the last is done"

expect_ok netctl done "$B2"
wait_until 10 was_closed "$(nid "Barrier two")" || fail "a single reminder done from the CLI stayed on screen"
ok "a single reminder done from the CLI is closed"

daemon_alive || fail "netctld died"
