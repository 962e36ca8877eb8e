#!/bin/bash
# A keep-in-touch reminder in a real user session (installed netctld under
# systemd --user, python3-dbusmock's notification_daemon as the server): a
# weak tie whose last contact (a coffee 94 days ago, with a lead) is past
# the 90-day cadence gets "Reconnect with Ana Lima (last: coffee, 94 days
# ago; you got a lead from them)" with the actions Logged it, Snooze 1w and
# Skip this time; "Logged it" records an interaction of kind message and
# schedules the next reconnect 90 days on.
# Ninety days cannot pass in a test: with netctld stopped the database is
# set back (contact added 100 days ago, reminder due now); started again,
# netctld delivers the overdue reminder once, as after a suspend.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/session.sh
. "$(dirname "$0")/../lib/session.sh"
session_init "$@"
command -v sqlite3 >/dev/null || skip "sqlite3 not found (package sqlite3)"
session_install_netctl
session_use_dbusmock_notifications
session_assert_private_db

DB=$(netctl status --json | jq -r .database)
contact_field() { netctl contact show "$1" --json | jq -r ".contact.$2"; }
for_text() { printf 'select(.summary | contains("%s"))' "$1"; }

netctl contact add -q "Ana Lima" --email ana@example.org --met "PyData Berlin meetup" >/dev/null
netctl log ana --kind coffee --gave "intro to Bo" --got "lead: data role at Acme" --when "94 days ago" -q \
    >/dev/null
R=$(contact_field ana-lima reconnect_id)
[[ $R != null ]] || fail "a weak tie has no reconnect reminder"

systemctl --user stop netctld.service
now=$(now_s)
sqlite3 "$DB" "UPDATE contacts SET created = $now - 100 * 86400;
               UPDATE followups SET due = $now - 60 WHERE id = $R;"
systemctl --user start netctld.service || fail "netctld did not start again"

mock_wait_notify "$(for_text "Reconnect with Ana Lima")" 20 || fail "no reconnect reminder: $(mock_calls)"
call=$MOCK_CALL
assert_eq "$(jq -r .summary <<<"$call")" \
    "Reconnect with Ana Lima (last: coffee, 94 days ago; you got a lead from them)" "the reminder's summary"
assert_eq "$(jq -r .app_name <<<"$call")" netctl "app_name"
assert_eq "$(jq -c '.actions | map(select(. != "default"))' <<<"$call")" '["logged","snooze-1w","skip"]' \
    "the reconnect actions"
assert_eq "$(jq -r '.action_labels.logged' <<<"$call")" "Logged it" "the label of logged"
ok "reminder shown: $(jq -r .summary <<<"$call")"

mock_invoke "$(jq -r .id <<<"$call")" logged
logged() { [[ $(contact_field ana-lima interactions) == 2 ]]; }
wait_until 10 logged || fail "Logged it did not record an interaction"
assert_eq "$(contact_field ana-lima last_kind)" message "the interaction Logged it records"
[[ $(show_field "$R" done_at) != null ]] || fail "the reminder was not marked done"
due=$(contact_field ana-lima next_reconnect_local)
assert_eq "${due:0:10}" "$(date -d '+90 days' +%Y-%m-%d)" "the next reconnect"
assert_eq "$(mock_count "$(for_text "Reconnect with Ana Lima")")" 1 "shown once"
ok "Logged it: a message logged, the next reconnect on ${due:0:10}"
