#!/bin/bash
# A hung notification server must not stall the API.
#
# tests/lib/hung-notifier.py owns org.freedesktop.Notifications and never
# answers Notify (a D-Bus client waits 25 s for a reply by default).  With
# a reminder due, the daemon calls Notify; once that call has reached the
# server (so it is certainly pending), `netctl list`, `status`, `add` and a
# raw GetStatus must each return within 5 s, all well inside the 25 s the
# Notify call stays pending.  The reminder must stay undelivered meanwhile,
# and be delivered once a working server takes the name.  Then the same with
# a server that answers nothing at all (--hang-all), and netctld must still
# stop cleanly on SIGTERM while a call to the hung server is outstanding.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

BOUND_MS=5000

# quick WHAT CMD...: CMD succeeds within BOUND_MS.
quick() {
    local what=$1 t0 ms
    shift
    t0=$(now_us)
    expect_rc 0 "$@"
    ms=$(elapsed_ms "$t0")
    ((ms < BOUND_MS)) || fail "$what took ${ms} ms while Notify was pending (bound ${BOUND_MS} ms)"
    ok "$what answered in ${ms} ms while the notification server hangs"
}

bus_start

# --- Notify never answered ------------------------------------------------------------------

hung_start
daemon_start
ID=$(netctl add -q "Reminder for a hung server")
wait_until 15 test "$(hung_calls Notify)" -ge 1 ||
    fail "netctld never called Notify on the hung server (calls: $(cat "$HUNG_LOG"))"
t_notify=$(jq -s '[.[] | select(.method == "Notify")][0].time' "$HUNG_LOG")
log "Notify reached the hung server; it will never be answered"

quick "netctl list" netctl list
grep -q "Reminder for a hung server" <<<"$OUT" || fail "list does not show the due reminder"
quick "netctl list --all --json" netctl list --all --json
quick "netctl status --json" netctl status --json
quick "netctl add" netctl add -q "Added while Notify hangs" --in 1h
quick "netctl show" netctl show "$ID" --json
assert_eq "$(jq -r .notified <<<"$OUT")" false "notified while Notify is unanswered"
quick "busctl GetStatus" busctl --user call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE.Manager" GetStatus
# All of that happened while the first Notify was still pending.
elapsed=$("$PY" -c "import time; print(int(time.time() - $t_notify))")
((elapsed < 25)) || fail "the checks took ${elapsed}s: no longer sure Notify was still pending"
daemon_alive || fail "netctld died"

# A working server takes over: the held reminder is delivered.
hung_stop
mock_start
mock_wait_notify 'select(.summary + " " + .body | contains("Reminder for a hung server"))' 40 ||
    fail "the reminder was not delivered once a working server appeared"
ok "reminder delivered after the hung server went away and a working one appeared"
wait_until 10 field_is "$ID" notified true || fail "notified not set after delivery"
mock_stop
daemon_stop || fail "netctld did not stop cleanly"

# --- nothing answered at all ---------------------------------------------------------------

hung_start --hang-all
daemon_start
netctl add -q "Second reminder, server answers nothing" >/dev/null
wait_until 15 test "$(hung_calls)" -ge 1 ||
    fail "netctld never called the hung server"
log "netctld called the hung server: $(jq -r -s '[.[].method] | join(", ")' "$HUNG_LOG")"
quick "netctl list (server answers nothing)" netctl list
quick "netctl status (server answers nothing)" netctl status
t0=$(now_us)
daemon_stop || fail "netctld did not exit 0 within 10 s of SIGTERM while a notification call hangs"
ok "SIGTERM with a call to a hung server outstanding: clean exit in $(elapsed_ms "$t0") ms"
