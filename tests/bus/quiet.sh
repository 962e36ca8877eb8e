#!/bin/bash
# Quiet hours, digests and a paused notification server, on a private bus
# with python3-dbusmock's notification_daemon:
#  - reminders due inside quiet hours are held (netctl status says why and
#    until when), nothing is shown meanwhile, a daemon restart during the
#    quiet hours loses and repeats nothing, and when they end the held
#    reminders arrive once, as one digest ("3 reminders", their texts in the
#    body), not before the end;
#  - reminders due within the digest window arrive as one digest when the
#    first falls due, and the digest's actions apply to each of them;
#  - while the server says "do not disturb" (dunst's paused property on
#    org.dunstproject.cmd0, the Notifications Inhibited property), reminders
#    are held, and delivered when it resumes;
#  - a bad value in the config is reported with its line on reload, and the
#    config in force stays.
# The quiet window is computed here so that it ends a few seconds from now.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

export TZ=Europe/Berlin

bus_start
# No logind here: the break cycle plays no part (and must not reach the
# real system bus).
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$BUS_DIR/no-system-bus
CONF=$XDG_CONFIG_HOME/netctl/netctl.conf
mkdir -p "${CONF%/*}"

for_text() { printf 'select(.summary + " " + .body | contains("%s"))' "$1"; }
field() { netctl show "$1" --json | jq -r ".$2"; }
status_field() { netctl status --json | jq -r ".$1"; }
notified() { [[ $(field "$1" notified) == true ]]; }

# The quiet window: from an hour ago until QUIET_END, SECONDS from now,
# written to the second in local time.
quiet_window() {
    local now
    now=$(now_s)
    QUIET_END=$((now + $1))
    QUIET_HOURS="$(date -d "@$((now - 3600))" +%H:%M:%S)-$(date -d "@$QUIET_END" +%H:%M:%S)"
}

# still_quiet WHAT: the checks so far ran inside the quiet hours (else the
# machine is too slow for this test's window, which is a failure to see).
still_quiet() {
    (($(now_s) < QUIET_END)) || fail "the quiet hours ended before: $1 (a slow machine? raise the window)"
}

mock_start

# --- quiet hours: held, across a restart, then one digest ------------------------------------

quiet_window 20
cat >"$CONF" <<EOF
[breaks]
work = off
[quiet]
hours = $QUIET_HOURS
[reminders]
digest_window = 0
EOF
log "quiet hours $QUIET_HOURS (end $(date -d "@$QUIET_END" +%T))"
daemon_start

A=$(netctl add -q "Quiet one: write to Ana")
B=$(netctl add -q "Quiet two: thank Bo" --in 1s)
C=$(netctl add -q "Quiet three: coffee with Chen")
expect_ok netctl status --json
assert_eq "$(jq -r .hold <<<"$OUT")" "quiet hours" "hold reason during quiet hours"
assert_eq "$(iso_to_epoch "$(jq -r .hold_until <<<"$OUT")")" "$QUIET_END" "hold_until is the end of the quiet hours"
expect_ok netctl status
assert_match "$OUT" "Held: +reminders wait for the end of quiet hours" "human status names the hold"
still_quiet "the first checks"
ok "quiet hours: status says reminders are held until $(date -d "@$QUIET_END" +%T)"

# Restart during the quiet hours: nothing is lost, nothing shown.
daemon_stop || fail "netctld did not stop cleanly"
daemon_start
expect_ok netctl list --json
assert_eq "$(jq '[.[] | select(.text | startswith("Quiet"))] | length' <<<"$OUT")" 3 "held reminders after a restart"
for id in "$A" "$B" "$C"; do
    assert_eq "$(field "$id" notified)" false "#$id notified during quiet hours"
done
assert_eq "$(mock_count 'select(.summary + .body | contains("Quiet"))')" 0 "notifications during quiet hours"
still_quiet "the restart"
ok "a restart during quiet hours keeps the held reminders pending, none shown"

mock_wait_notify 'select(.summary == "3 reminders")' $((QUIET_END - $(now_s) + 15)) ||
    fail "no digest after the quiet hours ended: $(mock_calls)"
digest=$MOCK_CALL
stamp=$(jq .time <<<"$digest")
((stamp >= QUIET_END)) || fail "the digest was shown at $stamp, before the quiet hours ended ($QUIET_END)"
for t in "Quiet one: write to Ana" "Quiet two: thank Bo" "Quiet three: coffee with Chen"; do
    jq -e --arg t "$t" '.body | contains($t)' <<<"$digest" >/dev/null || fail "digest body lacks \"$t\": $digest"
done
assert_eq "$(jq -r .app_name <<<"$digest")" netctl "digest app_name"
for id in "$A" "$B" "$C"; do
    wait_until 10 notified "$id" || fail "#$id not marked notified after the digest"
done
ok "after the quiet hours: one digest \"3 reminders\" with all three texts, at $stamp (end $QUIET_END)"

# Once: a restart and a later reminder (the barrier) bring none of them back.
daemon_stop || fail "netctld did not stop cleanly"
daemon_start
netctl add -q "Barrier after quiet hours" >/dev/null
mock_wait_notify "$(for_text "Barrier after quiet hours")" 15 || fail "barrier reminder not shown"
assert_eq "$(mock_count 'select(.summary + .body | contains("Quiet"))')" 1 "notifications carrying the held reminders"
assert_eq "$(jq -r .summary <<<"$MOCK_CALL")" "Barrier after quiet hours" "a lone reminder is not a digest"
ok "held reminders delivered exactly once across restarts"

# --- the digest window ------------------------------------------------------------------------

cat >"$CONF" <<EOF
[breaks]
work = off
[reminders]
digest_window = 1m
EOF
expect_ok netctl reload
D1=$(netctl add -q "Window one: send the CV to Dana" --in 2s)
D2=$(netctl add -q "Window two: ask Eli about the team" --in 20s)
due1=$(iso_to_epoch "$(field "$D1" due)")
mock_wait_notify 'select(.summary == "2 reminders")' 15 || fail "no digest for two reminders due 18 s apart: $(mock_calls)"
digest=$MOCK_CALL
stamp=$(jq .time <<<"$digest")
((stamp >= due1)) || fail "the digest came at $stamp, before the first was due ($due1)"
jq -e '(.body | contains("Window one")) and (.body | contains("Window two"))' <<<"$digest" >/dev/null ||
    fail "digest body lacks a reminder: $digest"
jq -e '.actions | index("snooze-1h") != null' <<<"$digest" >/dev/null || fail "digest has no snooze-1h action: $digest"
wait_until 10 notified "$D2" || fail "the second reminder of the digest is not marked notified"
assert_eq "$(mock_count "$(for_text "Window two")")" 1 "notifications for the second reminder"
ok "two reminders due 18 s apart: one digest when the first fell due"

# "Snooze all 1h" moves both.
t0=$(now_s)
mock_invoke "$(jq -r .id <<<"$digest")" snooze-1h
for id in "$D1" "$D2"; do
    # shellcheck disable=SC2016  # expanded by the inner bash
    wait_until 10 bash -c '(( $(date -u -d "$("$0" show "$1" --json | jq -r .due)" +%s) >= $2 + 3500 ))' \
        "$NETCTL_CLI" "$id" "$t0" || fail "snooze-1h on the digest did not move #$id: $(netctl show "$id" --json)"
done
ok "the digest's snooze-1h snoozes each reminder in it"

# --- the server's own "do not disturb" ----------------------------------------------------------

mock_dbus() {
    gdbus call --session --dest "$NOTIFY_NAME" --object-path /org/freedesktop/Notifications \
        --method "org.freedesktop.DBus.Mock.$1" "${@:2}" >/dev/null
}
hold_is() { [[ $(status_field hold) == "$1" ]]; }

# dunst: org.dunstproject.cmd0 "paused", with PropertiesChanged.
mock_dbus AddProperty org.dunstproject.cmd0 paused '<false>'
mock_dbus UpdateProperties org.dunstproject.cmd0 "{'paused': <true>}"
wait_until 10 hold_is "notification server paused" ||
    fail "netctld did not see dunst's paused state: $(netctl status --json)"
P=$(netctl add -q "Paused: reply to Fay")
expect_ok netctl status --json
assert_eq "$(jq -r .hold <<<"$OUT")" "notification server paused" "hold while paused"
assert_eq "$(field "$P" notified)" false "notified while the server is paused"
mock_dbus UpdateProperties org.dunstproject.cmd0 "{'paused': <false>}"
mock_wait_notify "$(for_text "Paused: reply to Fay")" 15 || fail "not delivered when dunst resumed: $(mock_calls)"
assert_eq "$(status_field hold)" null "hold after the server resumed"
ok "held while dunst is paused, delivered when it resumes"

# Notifications "Inhibited" (Plasma and others).
mock_dbus AddProperty org.freedesktop.Notifications Inhibited '<false>'
mock_dbus UpdateProperties org.freedesktop.Notifications "{'Inhibited': <true>}"
wait_until 10 hold_is "notification server inhibited" ||
    fail "netctld did not see the Inhibited property: $(netctl status --json)"
I1=$(netctl add -q "Inhibited one: call Gus")
I2=$(netctl add -q "Inhibited two: email Hana")
assert_eq "$(field "$I1" notified)" false "notified while inhibited"
assert_eq "$(field "$I2" notified)" false "notified while inhibited"
mock_dbus UpdateProperties org.freedesktop.Notifications "{'Inhibited': <false>}"
mock_wait_notify 'select(.body | contains("Inhibited one"))' 15 || fail "nothing shown when inhibition ended: $(mock_calls)"
assert_eq "$(jq -r .summary <<<"$MOCK_CALL")" "2 reminders" "what came when inhibition ended"
jq -e '.body | contains("Inhibited two")' <<<"$MOCK_CALL" >/dev/null ||
    fail "digest after inhibition lacks a reminder: $MOCK_CALL"
ok "held while the server is inhibited, then one digest"

# --- config errors ------------------------------------------------------------------------------

cat >"$CONF" <<EOF
[quiet]
hours = 22:00-07:00
weekend = sometimes
EOF
expect_cli_error 1 netctl reload
assert_match "$ERR" "netctl.conf:3: \[quiet\] weekend: \"sometimes\" is neither allow nor hold" "reload error"
assert_match "$ERR" "previous config stays in force" "reload error says the old config stays"
expect_ok netctl status --json
assert_eq "$(jq -r .hold <<<"$OUT")" null "no quiet hours from the rejected file"
assert_match "$(jq -r .config_error <<<"$OUT")" "netctl.conf:3:" "status shows the config error"
ok "a bad value is reported with its line; the old config stays in force"

daemon_alive || fail "netctld died"
