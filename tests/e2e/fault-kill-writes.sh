#!/bin/bash
# SIGKILL during concurrent writes of every kind but follow-ups
# (tests/e2e/durability.sh does those): in the real session, six loops run
# in parallel while netctld is killed with SIGKILL three times and comes
# back (Restart= or D-Bus activation by the next call):
#  - two import loops: `netctl import` of generated invites (30 each, each
#    a distinct UID, two days apart), each making a prep and a thank-you
#    reminder;
#  - two contact loops: `netctl contact add NAME --email E` (40 each);
#  - two log loops: `netctl log WHO --note N` (40 each) on four contacts
#    made beforehand.
# As in durability.sh, a call that failed is not blindly retried: the loop
# first asks whether it landed anyway (committed, reply lost) and retries
# only if it did not, so a duplicate can only come from netctl itself.
# Afterwards:
#  - every acknowledged import, contact and interaction is there;
#  - nothing is doubled: each UID once among the meetings with exactly one
#    prep and one thank-you reminder, each e-mail on exactly one contact
#    and each name once (a replayed add would make a second "Killed
#    Contact 1 2", handle killed-contact-1-2-2), each note on exactly one
#    interaction;
#  - PRAGMA integrity_check says ok.
# NETCTL_KILLWRITES_PER_LOOP (a percentage of 30 imports, 40 contacts and
# 40 logs per loop; default 100) and NETCTL_KILLWRITES_KILLS (3) change the
# run.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/session.sh
. "$(dirname "$0")/../lib/session.sh"
session_init "$@"
# shellcheck source=../lib/ics.sh
. "$(dirname "$0")/../lib/ics.sh"
session_install_netctl
systemctl --user mask --runtime dunst.service >/dev/null 2>&1
session_assert_private_db

SCALE=${NETCTL_KILLWRITES_PER_LOOP:-100}
N_IMPORT=$((30 * SCALE / 100))
N_CONTACT=$((40 * SCALE / 100))
N_LOG=$((40 * SCALE / 100))
KILLS=${NETCTL_KILLWRITES_KILLS:-3}
TOTAL=$((2 * N_IMPORT + 2 * N_CONTACT + 2 * N_LOG))
W=$SESSION_DIR/killwrites
mkdir -p "$W/ics"

# Contacts the log loops write to.
for k in 1 2 3 4; do
    netctl contact add -q "Log Target $k" --email "target$k@example.org" >/dev/null ||
        fail "cannot add log target $k"
done

# Invites: loop L, item I starts (L*100 + I) * 2 days from now, 10:00 local.
now=$(now_s)
for l in 1 2; do
    for ((i = 1; i <= N_IMPORT; i++)); do
        day=$(((l - 1) * N_IMPORT + i + 1))
        start=$(TZ=$TZ date -d "$(date -d "@$((now + day * 86400))" +%F) 10:00" +%s)
        invite "$W/ics/$l-$i.ics" uid="kill-$l-$i@example.com" summary="Kill meeting $l-$i" \
            start="$(ics_local "$TZ" "$start")" end="$(ics_local "$TZ" $((start + 3600)))"
    done
done

# landed_* X: true if the write is in the store; exit 2 if the store
# cannot be read right now.
landed_import() {
    local out
    out=$(netctl meetings --all --json 2>/dev/null) || return 2
    jq -e --arg u "$1" 'any(.[]; .uid == $u)' <<<"$out" >/dev/null
}
landed_contact() {
    local out
    out=$(netctl contact list --json 2>/dev/null) || return 2
    jq -e --arg e "$1" 'any(.[]; .emails | index($e) != null)' <<<"$out" >/dev/null
}
interactions_json() {
    busctl --user --timeout=10 --json=short call org.netctl.Netctl1 /org/netctl/Netctl1 \
        org.netctl.Netctl1.Contacts ListInteractions su "$1" 10000 2>/dev/null
}
landed_log() {
    local out
    out=$(interactions_json "$1") || return 2
    jq -e --arg n "$2" 'any(.data[0][]; index($n) != null)' <<<"$out" >/dev/null
}

# attempt LOOP DESC LANDED_CMD... -- WRITE_CMD...: one write, retried as
# durability.sh does.  Records "ok" or "landed" in $W/LOOP.result.
attempt() {
    local loop=$1 desc=$2 tries=0 rc
    shift 2
    local check=()
    while [[ $1 != -- ]]; do check+=("$1"); shift; done
    shift
    while true; do
        if "$@" >/dev/null 2>>"$W/stderr.$loop"; then
            printf 'ok\t%s\n' "$desc" >>"$W/result.$loop"
            return 0
        fi
        echo "$desc" >>"$W/failures.$loop"
        while true; do
            rc=0
            "${check[@]}" || rc=$?
            ((rc != 2)) && break
            ((++tries < 200)) || { echo "store unreadable: $desc" >>"$W/gaveup.$loop"; return 0; }
            sleep 0.1   # back-off while netctld comes back
        done
        if ((rc == 0)); then
            printf 'landed\t%s\n' "$desc" >>"$W/result.$loop"
            return 0
        fi
        ((++tries < 200)) || { echo "too many failures: $desc" >>"$W/gaveup.$loop"; return 0; }
    done
}

import_loop() {
    local l=$1 i
    for ((i = 1; i <= N_IMPORT; i++)); do
        attempt "import$l" "kill-$l-$i@example.com" landed_import "kill-$l-$i@example.com" -- \
            netctl import "$W/ics/$l-$i.ics"
    done
}
contact_loop() {
    local l=$1 i
    for ((i = 1; i <= N_CONTACT; i++)); do
        attempt "contact$l" "c$l-$i@example.org" landed_contact "c$l-$i@example.org" -- \
            netctl contact add -q "Killed Contact $l $i" --email "c$l-$i@example.org"
    done
}
log_loop() {
    local l=$1 i who
    for ((i = 1; i <= N_LOG; i++)); do
        who=target$(((i % 4) + 1))@example.org
        attempt "log$l" "kill log $l-$i" landed_log "$who" "kill log $l-$i" -- \
            netctl log "$who" --kind call --note "kill log $l-$i" -q
    done
}

lines() { { cat "$@" 2>/dev/null || true; } | wc -l; }
succeeded() { lines "$W"/result.*; }

log "$TOTAL writes in six loops, $KILLS SIGKILLs"
LOOP_PIDS=()
for l in 1 2; do
    import_loop "$l" &
    LOOP_PIDS+=($!)
    contact_loop "$l" &
    LOOP_PIDS+=($!)
    log_loop "$l" &
    LOOP_PIDS+=($!)
done
stop_loops() {
    local p
    for p in "${LOOP_PIDS[@]}"; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    LOOP_PIDS=()
}
on_exit stop_loops

pids_seen=()
for ((k = 1; k <= KILLS; k++)); do
    mark=$((TOTAL * k / (KILLS + 1)))
    reached() { (($(succeeded) >= mark)); }
    wait_until 300 reached || fail "writes stalled at $(succeeded) of $TOTAL (waiting for $mark)"
    pid=$(netctld_pid)
    if ((pid == 0)); then
        netctl status >/dev/null || fail "netctld cannot be activated before kill $k"
        pid=$(netctld_pid)
    fi
    if ((k % 2)); then
        systemctl --user kill -s KILL netctld.service
    else
        kill -KILL "$pid"
    fi
    pids_seen+=("$pid")
    log "kill $k: SIGKILL to netctld pid $pid after $(succeeded) writes"
    new_daemon() { local p; p=$(netctld_pid); ((p > 0 && p != pid)) && netctld_active; }
    if ! wait_until 5 new_daemon; then
        netctl status >/dev/null || fail "netctld cannot be activated after kill $k"
        new_daemon || fail "no new netctld after kill $k"
    fi
done

rc=0
for p in "${LOOP_PIDS[@]}"; do wait "$p" || rc=1; done
LOOP_PIDS=()
((rc == 0)) || fail "a write loop failed"
if compgen -G "$W/gaveup.*" >/dev/null; then
    head -n 20 "$W"/gaveup.* >&2
    fail "some writes never completed"
fi
failures=$(lines "$W"/failures.*)
# grep -c exits 1 when nothing matched, which is the usual case here.
landed=$({ grep -c '^landed' "$W"/result.* 2>/dev/null || true; } | awk -F: '{s += $2} END {print s + 0}')
log "$(succeeded) writes; $failures failed calls, $landed of them had landed (reply lost)"
if ((failures)); then
    { cat "$W"/stderr.* 2>/dev/null || true; } | sort | uniq -c | sort -rn | head -n 5 >&2 || true
fi
assert_eq "$(succeeded)" "$TOTAL" "writes completed"

# --- the verdict ---------------------------------------------------------------------------

# Imports: each UID once, with one prep and one thank-you reminder.
netctl meetings --all --json >"$W/meetings.json" || fail "netctl meetings failed"
netctl list --all --json >"$W/list.json" || fail "netctl list failed"
for l in 1 2; do
    for ((i = 1; i <= N_IMPORT; i++)); do
        n=$(jq --arg u "kill-$l-$i@example.com" '[.[] | select(.uid == $u)] | length' "$W/meetings.json")
        assert_eq "$n" 1 "meetings with UID kill-$l-$i"
    done
done
jq -r '.[] | select(.kind == "prep" or .kind == "thanks") | .kind + " " + .text' "$W/list.json" |
    grep 'Kill meeting' | sed -E 's/" at [0-9:]+$/"/' | sort | uniq -c | awk '$1 != 1' >"$W/dup-reminders"
[[ ! -s $W/dup-reminders ]] || fail "meeting reminders doubled: $(head -n 5 "$W/dup-reminders")"
for kind in prep thanks; do
    n=$(jq --arg k "$kind" '[.[] | select(.kind == $k and (.text | contains("Kill meeting")))] | length' "$W/list.json")
    assert_eq "$n" $((2 * N_IMPORT)) "$kind reminders of the imported meetings"
done
ok "imports: $((2 * N_IMPORT)) meetings, each once with one prep and one thank-you"

# Contacts: each e-mail on exactly one contact; no "-2" handles.
netctl contact list --json >"$W/contacts.json" || fail "netctl contact list failed"
for l in 1 2; do
    for ((i = 1; i <= N_CONTACT; i++)); do
        n=$(jq --arg e "c$l-$i@example.org" '[.[] | select(.emails | index($e) != null)] | length' "$W/contacts.json")
        assert_eq "$n" 1 "contacts with c$l-$i@example.org"
    done
done
n=$(jq '[.[] | select(.name | startswith("Killed Contact"))] | length' "$W/contacts.json")
assert_eq "$n" $((2 * N_CONTACT)) "contacts from the loops"
dups=$(jq -r '.[] | select(.name | startswith("Killed Contact")) | .name' "$W/contacts.json" | sort | uniq -d | head -n 5)
[[ -z $dups ]] || fail "contacts added twice: $dups"
ok "contacts: $((2 * N_CONTACT)) added, each once"

# Interactions: each note exactly once.
: >"$W/notes"
for k in 1 2 3 4; do
    interactions_json "target$k@example.org" >"$W/i$k.json" || fail "ListInteractions failed"
    jq -r '.data[0][] | .[] | strings | select(startswith("kill log "))' "$W/i$k.json" >>"$W/notes"
done
dup_notes=$(sort "$W/notes" | uniq -d | head -n 5)
[[ -z $dup_notes ]] || fail "interactions logged twice: $dup_notes"
assert_eq "$(sort -u "$W/notes" | wc -l)" $((2 * N_LOG)) "interactions from the loops"
ok "interactions: $((2 * N_LOG)) logged, each once"

kills_seen=$(printf '%s\n' "${pids_seen[@]}" | sort -u | wc -l)
assert_eq "$kills_seen" "$KILLS" "distinct daemons killed"
ok "$KILLS SIGKILLs survived ($failures failed calls, $landed committed before the crash)"

if command -v sqlite3 >/dev/null; then
    db=$(netctl status --json | jq -r .database)
    systemctl --user stop netctld.service
    assert_eq "$(sqlite3 "file:$db?mode=ro" 'PRAGMA integrity_check;')" ok "PRAGMA integrity_check"
    ok "database integrity_check: ok"
fi
