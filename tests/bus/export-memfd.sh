#!/bin/bash
# Meetings.ExportMemfd, which `netctl export` uses, and Export's limit:
#  - ExportMemfd returns exactly what Export returns, byte for byte and in
#    order, for follow-ups, meetings or both, one file or one item per
#    UID, on a store holding the real calendar corpus and follow-ups; the
#    memfd is sealed;
#  - an export larger than one D-Bus reply can carry (60,000 follow-ups
#    with long texts: about 72 MiB, where sd-bus reads no array past 64 MiB)
#    goes through `netctl export` to stdout and to a file, whole; Export
#    refuses it with a sentence instead of sending a reply no client can
#    read; netctld's peak memory stays below the export's size (it writes
#    the file as it walks the store; not checked under the sanitizers,
#    whose allocator keeps freed memory);
#  - netctl export waits for a netctld that takes longer than sd-bus's
#    25 s (stopped for 27 s), and gets the whole export.
# The contents of an export (names, files, what other programs read) are
# bus/export's.
# shellcheck source-path=SCRIPTDIR disable=SC1010  # "done" is a verb here
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

need_cmd sqlite3
export LC_ALL=C.UTF-8 TZ=Europe/Berlin
# Under the sanitizers, the harness unwinds the whole stack at every malloc
# for exact leak reports; the large export makes millions of them and would
# take minutes.  The frame-pointer unwinder still finds every leak.
export ASAN_OPTIONS=${ASAN_OPTIONS/fast_unwind_on_malloc=0/fast_unwind_on_malloc=1}

bus_start
daemon_start
DB=$XDG_DATA_HOME/netctl/netctl.db

# compare: both methods agree for every choice of what and how.
compare() {
    run "$PY" "$TESTLIB/export-memfd.py" compare
    [[ $RC == 0 ]] || { _show_run export-memfd.py compare; fail "ExportMemfd differs from Export"; }
}

# --- the same items as Export --------------------------------------------------------

compare
# Nothing per item; each of the three one-file exports is an empty calendar.
assert_eq "$OUT" "same 3" "an empty store"
for f in "$NETCTL_SRC"/tests/data/ics/*.ics; do
    netctl import "$f" >/dev/null 2>&1 || true     # the malformed ones are refused
done
expect_ok netctl add -q "Send Ana the article on data teams" --in 2d
expect_ok netctl add -q "Thank Bo; mention the panel, the slides — and the 3 follow-ups" --in 3d --every 2w
DONE_ID=$OUT
expect_ok netctl done "$DONE_ID"
N_MEETINGS=$(netctl meetings --all --json | jq '[.[].uid] | unique | length')
((N_MEETINGS > 40)) || fail "only $N_MEETINGS meetings from the corpus"
compare
assert_match "$OUT" "^same [0-9]+$" "the corpus and follow-ups"
ok "ExportMemfd returns what Export returns, for every choice, on the corpus ($OUT items); sealed"

# --- a long wait ---------------------------------------------------------------------
# export (like import) waits for netctld longer than sd-bus's 25 s: its work
# grows with the schedule.  netctld stopped for 27 s, then resumed.
kill -STOP "$DAEMON_PID"
netctl export >"$TEST_DIR/waited.ics" 2>"$TEST_DIR/waited.err" &
client=$!
sleep 27
pid_alive "$client" || { kill -CONT "$DAEMON_PID"; fail "netctl export gave up within 27 s: $(cat "$TEST_DIR/waited.err")"; }
kill -CONT "$DAEMON_PID"
wait "$client" || fail "netctl export failed after the wait: $(cat "$TEST_DIR/waited.err")"
expect_ok netctl export
cmp -s "$TEST_DIR/waited.ics" "$RUN_OUT_FILE" || fail "the export after the wait differs"
ok "netctl export waits past sd-bus's 25 s for a netctld that is slow to answer"

# --- larger than one reply -------------------------------------------------------------

daemon_stop || fail "netctld did not stop cleanly"
N=60000
sqlite3 "$DB" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO followups (uid, text, due, created, modified)
    SELECT 'bulk-' || i || '@netctl',
           'Follow-up ' || i || ': ' || substr(replace(hex(zeroblob(500)), '00', 'ab'), 1, 990),
           1893456000 + i * 60, 1767225600, 1767225600 FROM n;"
daemon_start
TODOS=$(sqlite3 "$DB" "SELECT count(*) FROM followups")

run netctl export
[[ $RC == 0 ]] || { _show_run netctl export; fail "netctl export of $TODOS follow-ups failed"; }
size=$(stat -c %s "$RUN_OUT_FILE")
((size > 64 * 1024 * 1024)) || fail "the export is only $size bytes: not past what one reply carries"
assert_eq "$(grep -c '^BEGIN:VTODO' "$RUN_OUT_FILE")" "$TODOS" "VTODOs in the export to stdout"
assert_eq "$(grep -c '^BEGIN:VCALENDAR' "$RUN_OUT_FILE")" 1 "one VCALENDAR"
assert_eq "$(tail -c 15 "$RUN_OUT_FILE")" $'END:VCALENDAR\r' "the export ends with the calendar"
grep -q "^UID:bulk-$N@netctl" "$RUN_OUT_FILE" || fail "the last follow-up is not in the export"
cp "$RUN_OUT_FILE" "$TEST_DIR/stdout.ics"
expect_ok netctl export "$TEST_DIR/all.ics"
cmp -s "$TEST_DIR/all.ics" "$TEST_DIR/stdout.ics" || fail "export FILE differs from the export to stdout"
ok "netctl export of $TODOS follow-ups ($((size >> 20)) MiB) to stdout and to a file, whole"

run "$PY" "$TESTLIB/export-memfd.py" count true false false
read -r items bytes <<<"$OUT"
assert_eq "$items" "$TODOS" "ExportMemfd's items, one per follow-up"
((bytes > 64 * 1024 * 1024)) || fail "the per-item export is only $bytes bytes"
run "$PY" "$TESTLIB/export-memfd.py" export-error
assert_match "$OUT" "larger than one reply can carry" "Export of the same"
ok "one item per follow-up through ExportMemfd ($((bytes >> 20)) MiB); Export says it is too large"

if sanitizer_build; then
    log "sanitizer build: netctld's peak memory not checked"
else
    peak=$(awk '/^VmHWM:/ { print $2 }' "/proc/$DAEMON_PID/status")
    ((peak < 64 * 1024)) || fail "netctld peaked at $((peak >> 10)) MiB for a $((size >> 20)) MiB export"
    ok "netctld's peak memory: $((peak >> 10)) MiB for exports of $((size >> 20)) MiB"
fi

daemon_stop || fail "netctld did not stop cleanly"
