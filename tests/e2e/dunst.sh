#!/bin/bash
# A real desktop notification: Xvfb, dunst started by D-Bus activation, and
# netctld started by the first netctl call.  A follow-up due in 2 s must
# appear in dunst (app "netctl", its text shown), not before its due time
# (dunst's own receive timestamp is compared with the due time) and within
# about a second of it (one timer, not a minute tick), exactly once.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/session.sh
. "$(dirname "$0")/../lib/session.sh"
session_init "$@"
session_install_netctl
# The daily wind-down notice is off: this counts what dunst displays, and
# run after 18:00 (the default wind-down time) the notice would be there too.
mkdir -p "$XDG_CONFIG_HOME/netctl"
printf '[breaks]\nwinddown = off\n' >"$XDG_CONFIG_HOME/netctl/netctl.conf"
session_start_dunst

session_assert_private_db
# Let netctld see dunst: status names the server once it has asked.
expect_ok netctl status --json

dunstctl history-clear >/dev/null 2>&1 || true
before=$(dunst_shown)

ID=$(netctl add -q "Send Ana the article on data teams" --in 2s)
due=$(iso_to_epoch "$(netctl show "$ID" --json | jq -r .due)")
[[ $(dunst_shown) == "$before" ]] || fail "a notification appeared right after add, before the due time"

shown() { (($(dunst_shown) > before)); }
in_history() { (($(dunstctl count history) >= $1)); }
wait_until 15 shown || fail "no notification in dunst 15 s after adding a follow-up due in 2 s"
t_seen=$EPOCHREALTIME
# Displayed notifications reach dunst's history when closed.
dunstctl close-all
wait_until 5 in_history 1 || fail "closed notification not in dunst's history"
hist=$(dunst_history_json)
entry=$(jq -c '[.[] | select(.summary + " " + .body | contains("Send Ana the article"))]' <<<"$hist")
assert_eq "$(jq length <<<"$entry")" 1 "notifications in dunst for the follow-up"
assert_eq "$(jq -r '.[0].appname' <<<"$entry")" netctl "appname in dunst"
stamp=$(jq -r '.[0].timestamp_wall' <<<"$entry")
log "due $due ($(date -d "@$due" '+%T')), dunst received it at $stamp, test saw it at $t_seen"
# Not early: dunst's clock conversion is exact to well under 10 ms.
"$PY" -c "import sys; sys.exit(0 if $stamp >= $due - 0.01 else 1)" ||
    fail "dunst received the reminder at $stamp, before its due time $due"
# On time: within a second of the due second.
"$PY" -c "import sys; sys.exit(0 if $stamp < $due + 1.0 else 1)" ||
    fail "dunst received the reminder at $stamp, more than a second after its due time $due"
ok "shown in dunst at $(date -d "@${stamp%.*}" '+%T').${stamp#*.}, due $(date -d "@$due" '+%T')"

assert_eq "$(netctl show "$ID" --json | jq -r .notified)" true "notified after dunst showed it"
# Still exactly one, after a barrier: another reminder shown after it.
netctl add -q "Barrier: thank Bo" >/dev/null
wait_until 15 shown || fail "barrier reminder not shown"
dunstctl close-all
wait_until 5 in_history 2 || fail "barrier not in history"
assert_eq "$(dunst_history_json | jq '[.[] | select(.summary + " " + .body | contains("Send Ana the article"))] | length')" 1 \
    "notifications for the first follow-up after another was shown"
ok "shown once"
