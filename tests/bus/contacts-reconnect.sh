#!/bin/bash
# Keep-in-touch reminders through a notification server (python3-dbusmock's
# notification_daemon on a private bus):
#  - a weak tie whose last contact is past the cadence gets a reconnect
#    reminder: summary "Reconnect with Ana Lima (last: coffee, 94 days ago;
#    you got a lead from them)", actions "logged", "snooze-1w", "skip" with
#    labels Logged it, Snooze 1w, Skip this time;
#  - Logged it records an interaction of kind message and schedules the next
#    reconnect a cadence later; Skip this time restarts the cadence without
#    logging; Snooze 1w moves it a week on;
#  - netctl done on a reconnect restarts the cadence too;
#  - logging with a reminder on screen closes it and withdraws it.
# Time cannot pass 90 days in a test: with netctld stopped the database is
# set back (contacts created 100 days ago, one reminder due now), and on
# start the overdue reminder is delivered once, as after a suspend.  One at
# a time, so that none is merged into a digest.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

need_cmd sqlite3
export TZ=Europe/Berlin LC_ALL=C.UTF-8

bus_start
daemon_start
DB=$XDG_DATA_HOME/netctl/netctl.db

netctl contact add -q "Ana Lima" --email ana@example.org --met "PyData Berlin meetup" >/dev/null
netctl contact add -q "Bo Chen" >/dev/null
netctl contact add -q "Chen Wu" >/dev/null
netctl contact add -q "Dara Okafor" >/dev/null
netctl log ana-lima --kind coffee --got "lead: data role at Acme" --when "94 days ago" -q >/dev/null

# Back-date: everyone was added 100 days ago.
daemon_stop
now=$(now_s)
sqlite3 "$DB" "UPDATE contacts SET created = $now - 100 * 86400;"
mock_start
daemon_start

for_text() { printf 'select(.summary | contains("%s"))' "$1"; }
reconnect_of() { netctl contact show "$1" --json | jq -r .contact.reconnect_id; }
contact_field() { netctl contact show "$1" --json | jq -r ".contact.$2"; }

# make_due HANDLE: that contact's reconnect reminder falls due now (alone,
# so that it is not merged into a digest with others).
make_due() {
    daemon_stop
    sqlite3 "$DB" "UPDATE followups SET due = $(now_s) - 60
                   WHERE kind = 'reconnect' AND done_at IS NULL
                   AND contact_id = (SELECT id FROM contacts WHERE handle = '$1');"
    daemon_start
}

make_due ana-lima
mock_wait_notify "$(for_text "Reconnect with Ana Lima")" 15 ||
    fail "no reconnect reminder for Ana: $(mock_calls)"
call=$MOCK_CALL
assert_eq "$(jq -r .summary <<<"$call")" \
    "Reconnect with Ana Lima (last: coffee, 94 days ago; you got a lead from them)" "the summary"
assert_eq "$(jq -r .app_name <<<"$call")" netctl "app_name"
for key in logged snooze-1w skip; do
    jq -e --arg k "$key" '.actions | index($k) != null' <<<"$call" >/dev/null ||
        fail "action \"$key\" missing: $(jq -c .actions <<<"$call")"
done
assert_eq "$(jq -r '.action_labels.logged' <<<"$call")" "Logged it" "label of logged"
assert_eq "$(jq -r '.action_labels["snooze-1w"]' <<<"$call")" "Snooze 1w" "label of snooze-1w"
assert_eq "$(jq -r '.action_labels.skip' <<<"$call")" "Skip this time" "label of skip"
ok "reconnect reminder: $(jq -r .summary <<<"$call")"

nid() { mock_calls | jq -r "[.[] | $(for_text "$1")] | last | .id"; }

# --- Logged it --------------------------------------------------------------------------------

R=$(reconnect_of ana-lima)
n0=$(contact_field ana-lima interactions)
mock_invoke "$(nid "Reconnect with Ana Lima")" logged
interactions_are() { [[ $(contact_field "$1" interactions) == "$2" ]]; }
wait_until 10 interactions_are ana-lima $((n0 + 1)) || fail "Logged it recorded nothing"
assert_eq "$(contact_field ana-lima last_kind)" message "Logged it records a message"
[[ $(show_field "$R" done_at) != null ]] || fail "the reminder was not marked done"
R2=$(reconnect_of ana-lima)
[[ $R2 != "$R" && $R2 != null ]] || fail "no next reconnect after Logged it"
due=$(contact_field ana-lima next_reconnect_local)
assert_eq "${due:0:10}" "$(date -d '+90 days' +%Y-%m-%d)" "the next reconnect is a cadence later"
ok "Logged it: a message logged, reminder done, next one on ${due:0:10}"

# --- Skip this time ---------------------------------------------------------------------------

make_due bo-chen
mock_wait_notify "$(for_text "Reconnect with Bo Chen")" 15 || fail "no reminder for Bo"
assert_eq "$(jq -r .summary <<<"$MOCK_CALL")" "Reconnect with Bo Chen (added 100 days ago; nothing logged yet)" \
    "a never-contacted tie's summary"
R=$(reconnect_of bo-chen)
mock_invoke "$(nid "Reconnect with Bo Chen")" skip
reconnect_moved() { [[ $(reconnect_of "$1") != "$2" ]]; }
wait_until 10 reconnect_moved bo-chen "$R" || fail "Skip this time did nothing"
assert_eq "$(contact_field bo-chen interactions)" 0 "Skip logs nothing"
due=$(contact_field bo-chen next_reconnect_local)
assert_eq "${due:0:10}" "$(date -d '+90 days' +%Y-%m-%d)" "the cadence restarted today"
ok "Skip this time: nothing logged, next one on ${due:0:10}"

# --- Snooze 1w --------------------------------------------------------------------------------

make_due chen-wu
mock_wait_notify "$(for_text "Reconnect with Chen Wu")" 15 || fail "no reminder for Chen"
R=$(reconnect_of chen-wu)
old=$(show_field "$R" due)
t0=$(now_s)
mock_invoke "$(nid "Reconnect with Chen Wu")" snooze-1w
wait_until 10 field_is_not "$R" due "$old" || fail "Snooze 1w did nothing"
new=$(iso_to_epoch "$(show_field "$R" due)")
((new >= t0 + 7 * 86400 - 60 && new <= $(now_s) + 7 * 86400 + 60)) || fail "Snooze 1w: due $(date -d "@$new")"
assert_eq "$(reconnect_of chen-wu)" "$R" "the same reminder, snoozed"
ok "Snooze 1w: the same reminder a week on"

# --- netctl done on a reconnect ---------------------------------------------------------------

R=$(reconnect_of dara)
expect_ok netctl done "$R"
assert_match "$OUT" "^Done #$R\\. Next: #[0-9]+, due " "done names the next reconnect"
assert_eq "$(contact_field dara interactions)" 0 "done logs nothing"
due=$(contact_field dara next_reconnect_local)
assert_eq "${due:0:10}" "$(date -d '+90 days' +%Y-%m-%d)" "done restarts the cadence"
ok "netctl done on a reconnect restarts the cadence"

# --- logging while the reminder is on screen ----------------------------------------------------

make_due dara-okafor
R=$(reconnect_of dara)
shown() { [[ $(show_field "$R" notified) == true ]]; }
wait_until 15 shown || fail "Dara's reminder was not shown again"
expect_ok netctl log dara --kind call
wait_until 10 field_is_not "$R" done_at null || fail "logging did not withdraw the shown reminder"
[[ $(reconnect_of dara) != "$R" ]] || fail "no next reconnect after logging"
# closed: the mock recorded a CloseNotification call.
closed() { "$PY" - <<'PY'
import sys, dbus
mock = dbus.SessionBus().get_object('org.freedesktop.Notifications', '/org/freedesktop/Notifications')
calls = mock.GetMethodCalls('CloseNotification', dbus_interface='org.freedesktop.DBus.Mock')
sys.exit(0 if len(calls) > 0 else 1)
PY
}
wait_until 10 closed || fail "the reminder on screen was not closed"
ok "logging closes the reminder on screen and withdraws it"

daemon_alive || fail "netctld died"
