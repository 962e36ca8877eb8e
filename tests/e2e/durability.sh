#!/bin/bash
# Durability under crashes: eight `netctl add -q` loops run in parallel
# (200 adds each, 1,600 in all) while netctld is killed with SIGKILL a few
# times and comes back (Restart= or D-Bus activation by the next call).
#
# Afterwards, in `netctl list --all --json`:
#  - every add that printed an id is there, under that id, with its text;
#  - no id and no text appears twice;
#  - every one of the 1,600 texts is there exactly once.
# An add that failed (the daemon died under it) is not blindly retried: the
# loop first asks the schedule whether it landed anyway (committed, reply
# lost) and retries only if it did not, so a duplicate can only come from
# netctl or netctld themselves.
#
# NETCTL_DURABILITY_LOOPS / _PER_LOOP / _KILLS shrink or grow the run.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/session.sh
. "$(dirname "$0")/../lib/session.sh"
session_init "$@"
session_install_netctl
# No reminders fall due in this test; keep dunst from being activated.
systemctl --user mask --runtime dunst.service >/dev/null 2>&1
session_assert_private_db

LOOPS=${NETCTL_DURABILITY_LOOPS:-8}
PER_LOOP=${NETCTL_DURABILITY_PER_LOOP:-200}
KILLS=${NETCTL_DURABILITY_KILLS:-3}
TOTAL=$((LOOPS * PER_LOOP))
W=$SESSION_DIR/durability
mkdir -p "$W"

# present TEXT: prints the ids whose text is TEXT; fails if the schedule
# cannot be read right now.
present() {
    netctl list --all --json 2>/dev/null | jq -r --arg t "$1" '[.[] | select(.text == $t) | .id] | join(" ")'
}

# add_loop L: the L-th loop.  Files: ok.L ("id<TAB>text" for adds that
# printed an id), landed.L (failed adds found in the schedule afterwards),
# failures.L (one line per failed call), gaveup.L.
add_loop() {
    local l=$1 i text out ids tries
    for ((i = 1; i <= PER_LOOP; i++)); do
        text="durability loop $l item $i"
        tries=0
        while true; do
            if out=$(netctl add -q "$text" --in 30d 2>>"$W/stderr.$l"); then
                [[ $out =~ ^[0-9]+$ ]] || { echo "bad output '$out' for $text" >>"$W/gaveup.$l"; break; }
                printf '%s\t%s\n' "$out" "$text" >>"$W/ok.$l"
                break
            fi
            echo "$i" >>"$W/failures.$l"
            # Did it land before the daemon died?  Ask until the answer is known.
            ids=
            until ids=$(present "$text"); do
                ((++tries < 200)) || { echo "schedule unreadable: $text" >>"$W/gaveup.$l"; return 0; }
                sleep 0.1   # back-off while netctld comes back
            done
            if [[ -n $ids ]]; then
                printf '%s\t%s\n' "$ids" "$text" >>"$W/landed.$l"
                break
            fi
            ((++tries < 200)) || { echo "too many failures: $text" >>"$W/gaveup.$l"; break; }
        done
    done
}

# lines FILE...: lines in all the FILEs that exist (0 if none does).
lines() { { cat "$@" 2>/dev/null || true; } | wc -l; }
succeeded() { lines "$W"/ok.* "$W"/landed.*; }

log "$LOOPS loops x $PER_LOOP adds, $KILLS SIGKILLs"
t0=$(now_us)
LOOP_PIDS=()
for ((l = 1; l <= LOOPS; l++)); do
    add_loop "$l" &
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

# The killer: at evenly spaced points of progress, SIGKILL the daemon (by
# systemctl and by pid, alternately), then make sure a new one serves: the
# loops' next calls re-activate it (or systemd restarts it); a status call
# covers the case where the loops are between calls or done.
pids_seen=()
for ((k = 1; k <= KILLS; k++)); do
    mark=$((TOTAL * k / (KILLS + 1)))
    reached() { (($(succeeded) >= mark)); }
    wait_until 300 reached || fail "adds stalled at $(succeeded) of $TOTAL (waiting for $mark)"
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
    log "kill $k: SIGKILL to netctld pid $pid after $(succeeded) adds"
    new_daemon() { local p; p=$(netctld_pid); ((p > 0 && p != pid)) && netctld_active; }
    if ! wait_until 5 new_daemon; then
        netctl status >/dev/null || fail "netctld cannot be activated after kill $k" \
            "($(systemctl --user show -p ActiveState -p Result -p NRestarts netctld.service | tr '\n' ' ')" \
            "- a start limit reached? StartLimitBurst counts every start attempt, D-Bus activation" \
            "requests during auto-restart included)"
        new_daemon || fail "no new netctld after kill $k: $(systemctl --user status netctld.service 2>&1 | head -5)"
    fi
done

rc=0
for p in "${LOOP_PIDS[@]}"; do wait "$p" || rc=1; done
LOOP_PIDS=()
((rc == 0)) || fail "an add loop failed"
elapsed=$(elapsed_ms "$t0")

if compgen -G "$W/gaveup.*" >/dev/null; then
    head -n 20 "$W"/gaveup.* >&2
    fail "some adds never completed"
fi
failures=$(lines "$W"/failures.*)
landed=$(lines "$W"/landed.*)
log "$(succeeded) adds in ${elapsed} ms; $failures failed calls, of which $landed had landed (reply lost)"
if ((failures)); then
    log "sample of the errors the client printed:"
    { cat "$W"/stderr.* 2>/dev/null || true; } | sort | uniq -c | sort -rn | head -n 5 >&2 || true
fi

# --- the verdict -------------------------------------------------------------------------

snapshot "$W/final.json"
jq -r '.[] | [(.id | tostring), .text] | @tsv' "$W/final.json" | sort >"$W/final.tsv"

dup_ids=$(cut -f1 "$W/final.tsv" | sort | uniq -d | head -n 5 || true)
[[ -z $dup_ids ]] || fail "ids listed twice: $dup_ids"
dup_texts=$(cut -f2 "$W/final.tsv" | sort | uniq -d | head -n 5 || true)
[[ -z $dup_texts ]] || fail "texts stored twice (an add applied twice): $dup_texts"

count=$(grep -c $'\tdurability loop ' "$W/final.tsv" || true)
assert_eq "$count" "$TOTAL" "follow-ups from the loops in the schedule"

# Every printed id is there with its text.
cat "$W"/ok.* | sort >"$W/printed.tsv"
missing=$(comm -23 "$W/printed.tsv" "$W/final.tsv" | head -n 5 || true)
[[ -z $missing ]] || fail "adds that printed an id but are not in the schedule (id, text): $missing"
assert_eq "$(wc -l <"$W/printed.tsv")" "$((TOTAL - landed))" "adds that printed an id"
ok "all $TOTAL adds present once; every printed id kept its text"

kills_seen=$(printf '%s\n' "${pids_seen[@]}" | sort -u | wc -l)
assert_eq "$kills_seen" "$KILLS" "distinct daemons killed"
ok "$KILLS SIGKILLs survived ($failures failed calls, $landed of them committed before the crash)"

# The database itself is sound (read-only, with the daemon stopped).
if command -v sqlite3 >/dev/null; then
    db=$(netctl status --json | jq -r .database)
    systemctl --user stop netctld.service
    assert_eq "$(sqlite3 "file:$db?mode=ro" 'PRAGMA integrity_check;')" ok "PRAGMA integrity_check"
    ok "database integrity_check: ok"
fi
