#!/bin/bash
# The process stopped past several due times (SIGSTOP, as a suspend looks to
# it) and continued (SIGCONT): each reminder that fell due meanwhile is
# delivered exactly once, none before its due time, and one not yet due
# stays pending.  The due timer is an absolute CLOCK_REALTIME time
# (daemon/schedule.c), so the kernel fires it at once on continue; there is
# no catch-up code to get wrong.
#  1. digests off ([reminders] digest_window = off): three reminders due
#     2, 3 and 4 s after the stop, one due in 10 min; nothing is shown
#     while stopped; after SIGCONT the three are shown once each, each at
#     or after its due time, the fourth is not;
#  2. digests on (the default 2 min window, after SIGHUP): four reminders
#     due while stopped come as one digest naming each once.
# Wall-clock jumps are covered at the schedule level by
# tests/unit/test-schedule-clock.c (the machine's clock is not touched).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

export TZ=Europe/Berlin
bus_start
mkdir -p "$XDG_CONFIG_HOME/netctl"
# The daily wind-down notice is off throughout: this counts Notify calls,
# and run after 18:00 (the default wind-down time) it would be one of them.
printf '[reminders]\ndigest_window = off\n[breaks]\nwinddown = off\n' >"$XDG_CONFIG_HOME/netctl/netctl.conf"
mock_start
daemon_start

# deliveries ID: Notify calls that carry reminder ID (alone or in a digest).
deliveries() {
    mock_calls | jq --arg re "#$1([^0-9]|\$)" '[.[] | select(.body | test($re))] | length'
}
# first_shown ID: Unix time of the first Notify call carrying ID.
first_shown() {
    mock_calls | jq --arg re "#$1([^0-9]|\$)" '[.[] | select(.body | test($re)) | .time] | min'
}
due_of() { iso_to_epoch "$(show_field "$1" due)"; }
notified() { [[ $(show_field "$1" notified) == true ]]; }
past() { (($(now_s) >= $1)); }
stopped() { [[ $(sed -E 's/^.*\) (.).*/\1/' "/proc/$DAEMON_PID/stat") == T ]]; }

# --- 1. digests off --------------------------------------------------------------------

S1=$(netctl add -q "Stopped one" --in 2s)
S2=$(netctl add -q "Stopped two" --in 3s)
S3=$(netctl add -q "Stopped three" --in 4s)
LATER=$(netctl add -q "Not due for ten minutes" --in 10m)
last_due=$(due_of "$S3")
kill -STOP "$DAEMON_PID"
on_exit "kill -CONT $DAEMON_PID 2>/dev/null"
wait_until 5 stopped || fail "netctld did not stop"
log "netctld stopped; waiting until 2 s past the last due time"
wait_until 15 past $((last_due + 2)) || fail "the clock did not pass $((last_due + 2))"
assert_eq "$(mock_calls | jq length)" 0 "Notify calls while netctld was stopped"
kill -CONT "$DAEMON_PID"
log "netctld continued"
for id in "$S1" "$S2" "$S3"; do
    wait_until 10 notified "$id" || fail "#$id not delivered after SIGCONT: $(mock_calls)"
done
# A barrier due now: every delivery netctld meant to make has been made.
B=$(netctl add -q "Barrier one")
wait_until 10 notified "$B" || fail "barrier not delivered"
for id in "$S1" "$S2" "$S3"; do
    assert_eq "$(deliveries "$id")" 1 "deliveries of #$id"
    shown=$(first_shown "$id") due=$(due_of "$id")
    ((shown >= due)) || fail "#$id shown at $shown, before its due time $due"
done
assert_eq "$(deliveries "$LATER")" 0 "deliveries of the reminder due in 10 min"
assert_eq "$(show_field "$LATER" notified)" false "the reminder due in 10 min"
ok "digests off: three due while stopped, each shown once after SIGCONT, none early, the later one pending"

# --- 2. digests on ------------------------------------------------------------------------

printf '[breaks]\nwinddown = off\n' >"$XDG_CONFIG_HOME/netctl/netctl.conf"
kill -HUP "$DAEMON_PID"
wait_until 10 grep -q 'Config reloaded' "$DAEMON_LOG" || fail "netctld did not reload its config"
"$PY" "$TESTLIB/notify-mock.py" clear
D=()
# Due 6 to 9 s from now: well after the stop, even in a slow sanitizer
# build; checked below rather than assumed.
base=$(($(now_s) + 6))
for i in 0 1 2 3; do
    D+=("$(netctl add -q "Digest $i" --due "$(date -d "@$((base + i))" +%Y-%m-%dT%H:%M:%S)")")
done
last_due=$(due_of "${D[3]}")
kill -STOP "$DAEMON_PID"
wait_until 5 stopped || fail "netctld did not stop"
(($(now_s) < base)) || skip "this machine is too slow to stop netctld before the first reminder is due"
wait_until 15 past $((last_due + 2)) || fail "the clock did not pass $((last_due + 2))"
kill -CONT "$DAEMON_PID"
for id in "${D[@]}"; do
    wait_until 10 notified "$id" || fail "#$id not delivered after SIGCONT: $(mock_calls)"
done
B=$(netctl add -q "Barrier two" --in 3m)
netctl snooze "$B" "$(date -d '+1 sec' +%Y-%m-%dT%H:%M:%S)" >/dev/null
wait_until 10 notified "$B" || fail "barrier not delivered"
for id in "${D[@]}"; do
    assert_eq "$(deliveries "$id")" 1 "deliveries of #$id"
done
n=$(mock_calls | jq --arg re "#${D[0]}([^0-9]|\$)" '[.[] | select(.body | test($re))][0].body' |
    grep -o '(#[0-9]*)' | wc -l)
assert_eq "$n" 4 "reminders in the digest"
assert_eq "$(show_field "$LATER" notified)" false "the reminder due in 10 min"
ok "digests on: four due while stopped, one digest naming each once"
