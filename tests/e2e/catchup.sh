#!/bin/bash
# Reminders that fall due while netctld is stopped are delivered once when
# it starts again (here: re-activated by the next netctl call), and never a
# second time across further restarts; reminders due while no notification
# server runs are held and delivered when one appears.  Server: dbusmock.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/session.sh
. "$(dirname "$0")/../lib/session.sh"
session_init "$@"
session_install_netctl
session_use_dbusmock_notifications
session_assert_private_db

for_text() { printf 'select(.summary + " " + .body | contains("%s"))' "$1"; }
# barrier TEXT: a reminder due now, and wait until it has been shown: every
# earlier delivery netctld was going to make has been made by then.
barrier() {
    netctl add -q "$1" >/dev/null || fail "netctl add failed"
    mock_wait_notify "$(for_text "$1")" 15 || fail "barrier reminder '$1' not shown"
}

# --- due while stopped ------------------------------------------------------------------

ID=$(netctl add -q "Fell due while stopped: write to Ana" --in 3s)
due=$(iso_to_epoch "$(netctl show "$ID" --json | jq -r .due)")
systemctl --user stop netctld.service
[[ $(systemctl --user is-active netctld.service || true) == inactive ]] || fail "netctld did not stop"
# Wait for the due time to pass (a deadline on the clock, nothing else).
past_due() { (($(now_s) > due + 1)); }
wait_until 10 past_due || fail "clock did not pass the due time"
assert_eq "$(mock_count "$(for_text "Fell due while stopped")")" 0 "Notify calls while netctld was stopped"

expect_ok netctl status            # re-activates netctld
mock_wait_notify "$(for_text "Fell due while stopped")" 15 ||
    fail "reminder that fell due while netctld was stopped not delivered on start"
ok "delivered on start after falling due while stopped"

systemctl --user restart netctld.service
barrier "Barrier one"
systemctl --user stop netctld.service
expect_ok netctl list
barrier "Barrier two"
assert_eq "$(mock_count "$(for_text "Fell due while stopped")")" 1 "deliveries after two restarts"
assert_eq "$(netctl show "$ID" --json | jq -r .notified)" true "notified"
ok "not delivered again after a restart and a stop/activation"

# --- no server ----------------------------------------------------------------------------

mock_stop
H=$(netctl add -q "Due with no server: thank Bo")
# A round trip: netctld has seen the add and tried (and failed) to deliver.
expect_ok netctl status --json
assert_eq "$(netctl show "$H" --json | jq -r .notified)" false "notified with no server"
mock_start
mock_wait_notify "$(for_text "Due with no server")" 20 ||
    fail "held reminder not delivered when a server appeared"
ok "held while no server ran, delivered when one appeared"
