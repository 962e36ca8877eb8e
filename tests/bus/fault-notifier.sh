#!/bin/bash
# The notification server absent, crashing, crashing with a call in flight,
# and flapping during a burst of due reminders.  Pass condition: every
# reminder is delivered exactly once in all, counted over the Notify calls
# every server instance took (python3-dbusmock's notification_daemon, from
# the call log it writes before answering; a reminder counts once whether it
# came alone, "Follow-up #ID" in the body, or in a digest, "(#ID)" in the
# body; no summary here holds a "#"), and only once a server is there;
# `netctl show` then says notified; the API answers throughout.  (A SIGKILL
# landing in the microseconds between the mock logging a call and sending
# its answer would show that reminder twice: SPEC's at-least-once instant.)
#  1. absent: reminders fall due with no server on the bus: held (notified
#     false), delivered when a server appears;
#  2. crash: the server is SIGKILLed after showing one; a reminder due
#     meanwhile is held and delivered by the restarted server, the shown
#     one is not repeated;
#  3. crash with the call in flight: a hung server (never answers Notify)
#     takes the call, then is SIGKILLed: the call fails, the reminder goes
#     back to pending and the next server shows it once;
#  4. flapping: eight reminders fall due over ~4 s while the server is
#     killed and restarted twice.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

export TZ=Europe/Berlin
bus_start
daemon_start

CALLS=$TEST_DIR/calls
mkdir -p "$CALLS"
INSTANCE=0

# server_up / server_crash: a fresh dbusmock; SIGKILL it, keeping what it
# recorded in $CALLS/N.json for failure messages.
server_up() {
    INSTANCE=$((INSTANCE + 1))
    mock_start
}
server_crash() {
    mock_calls >"$CALLS/$INSTANCE.json" || fail "cannot read the mock's calls"
    kill -KILL "$MOCK_PID"
    wait "$MOCK_PID" 2>/dev/null || true
    MOCK_PID=
    wait_until 10 _notify_name_gone || fail "$NOTIFY_NAME still owned after SIGKILL"
    log "notification server $INSTANCE crashed (SIGKILL)"
}
# all_calls: every Notify call of every instance so far, as one array.
all_calls() {
    {
        cat "$CALLS"/*.json 2>/dev/null
        [[ -n ${MOCK_PID:-} ]] && mock_calls
    } | jq -s 'add // []'
}
# deliveries ID: how many times reminder ID was shown, over all instances:
# the Notify calls every dbusmock instance took, read from the log they all
# append to.  dbusmock logs a call before answering it, so a call taken just
# before a SIGKILL is there too (a snapshot through GetMethodCalls taken
# before the kill could miss it).
deliveries() {
    "$PY" "$TESTLIB/notify-mock.py" logged "$MOCK_LOG" |
        jq --arg re "#$1([^0-9]|\$)" '[.[] | select(.method == "Notify" and (.args | test($re)))] | length'
}
delivered_once() { [[ $(deliveries "$1") == 1 ]]; }
notified() { [[ $(show_field "$1" notified) == true ]]; }

# answers: the API is served while the server is away or stuck.
answers() {
    local t0
    t0=$(now_us)
    expect_ok netctl status
    expect_ok netctl list
    (($(elapsed_ms "$t0") < 5000)) || fail "the API took $(elapsed_ms "$t0") ms to answer"
}

ALL=()

# --- 1. absent ------------------------------------------------------------------------------

A1=$(netctl add -q "Absent one")
A2=$(netctl add -q "Absent two" --in 1s)
ALL+=("$A1" "$A2")
past() { (($(now_s) >= $1)); }
wait_until 10 past $(($(now_s) + 2)) || true
answers
assert_eq "$(show_field "$A1" notified)" false "notified with no server"
assert_eq "$(show_field "$A2" notified)" false "notified with no server"
server_up
for id in "$A1" "$A2"; do
    wait_until 15 notified "$id" || fail "#$id not delivered after a server appeared: $(all_calls)"
done
ok "absent: held, then delivered when a server appeared"

# --- 2. crash after showing ------------------------------------------------------------------

C1=$(netctl add -q "Shown before the crash")
ALL+=("$C1")
wait_until 15 notified "$C1" || fail "#$C1 not delivered"
server_crash
C2=$(netctl add -q "Due while the server is down")
ALL+=("$C2")
answers
wait_until 10 past $(($(now_s) + 1)) || true
assert_eq "$(show_field "$C2" notified)" false "notified while the server is down"
server_up
wait_until 15 notified "$C2" || fail "#$C2 not delivered by the restarted server: $(all_calls)"
ok "crash: the held reminder went to the restarted server"

# --- 3. crash with the call in flight ------------------------------------------------------

server_crash
hung_start
H=$(netctl add -q "In flight when the server died")
ALL+=("$H")
wait_until 15 test "$(hung_calls Notify)" -ge 1 || fail "Notify never reached the hung server"
answers
kill -KILL "$HUNG_PID"
wait "$HUNG_PID" 2>/dev/null || true
HUNG_PID=
wait_until 10 _notify_name_gone || fail "$NOTIFY_NAME still owned after killing the hung server"
log "hung server killed with Notify in flight"
assert_eq "$(show_field "$H" notified)" false "notified after the server died mid-call"
server_up
wait_until 15 notified "$H" || fail "#$H not delivered after the in-flight call failed: $(all_calls)"
ok "crash in flight: the reminder went back to pending and was shown by the next server"

# --- 4. flapping during a burst -----------------------------------------------------------------

BURST=()
for i in 1 2 3 4 5 6 7 8; do
    BURST+=("$(netctl add -q "Burst $i" --in "$(((i + 1) / 2))s")")
done
ALL+=("${BURST[@]}")
t_end=$(($(now_s) + 5))
server_crash
answers
server_up
wait_until 5 notified "${BURST[0]}" || true
server_crash
wait_until 10 past "$t_end" || true
server_up
for id in "${BURST[@]}"; do
    wait_until 20 notified "$id" || fail "burst reminder #$id never delivered: $(all_calls)"
done
ok "flapping: every burst reminder delivered"

# --- the verdict: each exactly once, over every instance -------------------------------------

# A last reminder shown is the barrier: every delivery netctld meant to make
# before it has been made.
B=$(netctl add -q "Barrier")
wait_until 15 delivered_once "$B" || fail "barrier not delivered"
for id in "${ALL[@]}"; do
    n=$(deliveries "$id")
    assert_eq "$n" 1 "deliveries of #$id ($(show_field "$id" text)) over $INSTANCE server instances"
done
ok "${#ALL[@]} reminders, $INSTANCE server instances (+1 hung): each delivered exactly once"
daemon_alive || fail "netctld died"
