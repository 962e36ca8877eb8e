#!/bin/bash
# The end-to-end harness itself, without netctl: when this fails, the other
# e2e failures are about the machine, not about netctl.
#  - systemd --user runs in its own cgroup, the user bus answers and
#    activates units through systemd;
#  - dunst is D-Bus activated on Xvfb and shows notify-send's notification
#    (dunstctl count/history);
#  - the dbusmock notification server records notify-send's Notify call,
#    and ActionInvoked emitted through tests/lib/notify-mock.py reaches a
#    libnotify client (notify-send --action prints the key it got).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/session.sh
. "$(dirname "$0")/../lib/session.sh"
session_init "$@"
command -v notify-send >/dev/null || fail "notify-send not found (package libnotify-bin)"

assert_eq "$(systemctl --user is-system-running || true)" running "user manager state"
assert_eq "$(systemctl --user is-active dbus.service)" active "dbus.service (activated by dbus.socket)"
ok "systemd --user and the user bus are up"

# --- dunst ---------------------------------------------------------------------

session_start_dunst
expect_ok notify-send -a recipe-test "Recipe check" "shown by dunst"
wait_until 10 test "$(dunst_shown)" -ge 1 || fail "dunst shows nothing after notify-send"
dunstctl close-all
in_history() { (($(dunstctl count history) >= 1)); }
wait_until 5 in_history || fail "closed notification not in dunst's history"
entry=$(dunst_history_json | jq -c '[.[] | select(.appname == "recipe-test")] | first')
assert_eq "$(jq -r .summary <<<"$entry")" "Recipe check" "summary in dunst's history"
age=$("$PY" -c "import time; print(abs(time.time() - $(jq .timestamp_wall <<<"$entry")))")
"$PY" -c "import sys; sys.exit(0 if $age < 30 else 1)" ||
    fail "dunst's timestamp converted to wall time is ${age}s off"
ok "dunst activated on $DISPLAY, notify-send shown, timestamp converts to wall time"

# --- dbusmock instead of dunst -------------------------------------------------------

systemctl --user stop dunst.service
session_use_dbusmock_notifications
notify-send -a recipe-test -A done=Done -A later=Later "Recipe action" "pick one" \
    >"$SESSION_DIR/action.out" 2>&1 &
NS=$!
on_exit "stop_pid $NS 5"
mock_wait_notify 'select(.app_name == "recipe-test")' 10 || fail "dbusmock recorded no Notify from notify-send"
assert_eq "$(jq -c .actions <<<"$MOCK_CALL")" '["done","later"]' "action keys recorded by the mock"
mock_invoke "$(jq .id <<<"$MOCK_CALL")" later
wait_until 10 pid_gone "$NS" || fail "notify-send did not get ActionInvoked"
wait "$NS" || true
assert_eq "$(head -n1 "$SESSION_DIR/action.out")" later "the action notify-send received"
ok "dbusmock records Notify; ActionInvoked from notify-mock.py reaches libnotify"
