#!/bin/bash
# Followups.ListMemfd and ListStream return exactly what List and
# ListFiltered return, and `netctl list`, which uses ListStream, prints what
# List's rows say:
#  - the same follow-ups, field for field and in the same order, for the
#    states open, done and all, ranges (unbounded, from, up to, across a
#    DST change) and the contact filter, on an empty store and on one with
#    non-ASCII, quoted and escaped text, done, recurring, reconnect and
#    contact-linked follow-ups, and rows changed behind netctld's back
#    (control characters, a reminder marked shown);
#  - the memfd is sealed against writing, growing and shrinking;
#  - `netctl list --json`, `--all --json` and `--contact WHO --json` are
#    byte for byte the JSON the contract gives for List's rows;
#  - a row whose text is not UTF-8 (a damaged database) fails all three
#    methods (ListStream in its trailer) and the client with a sentence,
#    and prints nothing; past the first 64 KiB of JSON, the client's output
#    stops without its closing bracket, so that it does not parse;
#  - ListStream with 20,000 rows (more than the pipe holds): a reader that
#    does not read holds up neither netctld nor other commands and still
#    gets every row and a whole trailer when it reads; a reader that closes
#    early is forgotten; past 32 unread lists the method is Busy and
#    `netctl list` falls back to List.
# The byte-identical table output of list and list --week is bus/cli's
# and bus/output's.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

need_cmd sqlite3 jq
export LC_ALL=C.UTF-8 TZ=Europe/Berlin

MIN=-9223372036854775808
MAX=9223372036854775807

bus_start
daemon_start

# compare FROM TO STATE [CONTACT]: both methods agree.
compare() {
    run "$PY" "$TESTLIB/list-memfd.py" compare "$@"
    if [[ $RC != 0 ]]; then
        _show_run list-memfd.py compare "$@"
        fail "ListMemfd differs from List for $*"
    fi
}

# same_json EXPECT_ARGS -- NETCTL_ARGS: the client's JSON is what
# list-memfd.py renders from List.
same_json() {
    local args=() want
    while [[ $1 != -- ]]; do args+=("$1"); shift; done
    shift
    want=$("$PY" "$TESTLIB/list-memfd.py" render "${args[@]}"; echo x)
    run netctl "$@"
    [[ $RC == 0 ]] || { _show_run netctl "$@"; fail "netctl $* failed"; }
    if [[ "$(cat "$RUN_OUT_FILE"; echo x)" != "$want" ]]; then
        diff <(printf '%s' "${want%x}") "$RUN_OUT_FILE" | head -20 >&2 || true
        fail "netctl $* is not the JSON of List's rows"
    fi
}

# --- an empty store ----------------------------------------------------------------

for state in open done all; do
    compare "$MIN" "$MAX" "$state"
done
assert_eq "$OUT" "same 0" "ListMemfd on an empty store"
expect_ok netctl list --all --json
assert_eq "$OUT" "[]" "list --all --json on an empty store"
same_json "$MIN" "$MAX" all -- list --all --json
ok "an empty store: both methods return nothing, the client prints []"

# --- a store with every kind of row ------------------------------------------------

now=$(date +%s)
netctl contact add "Ana Lima" --email ana@example.org >/dev/null
netctl contact add "Bo Chen" --tie weak --every 2w >/dev/null
netctl add 'Café with Zoë: "the référence" \ back\slash' --in 2h --contact ana -q >/dev/null
netctl add "東京の佐藤さんにお礼のメールを送る 🎉" --in 3h -q >/dev/null
netctl add "مرحبا with RTL text" --due 2026-03-29T01:30 -q >/dev/null     # before Berlin's spring change
netctl add "after the spring change" --due 2026-03-29T03:30 -q >/dev/null
netctl add "summer time" --due 2026-07-01T09:00 --contact ana -q >/dev/null
netctl add "winter time" --due 2026-12-01T09:00 -q >/dev/null
netctl add "Overdue: call Bo" --due 2020-01-02 -q >/dev/null
WEEKLY=$(netctl add "Weekly check-in" --in 1d --every 1w --fixed -q)
KEEP=$(netctl add "Keep in touch with Ana" --in 4h --every 30d --contact ana -q)
DONE=$(netctl add "Already done" --in 5h -q)
SAME1=$(netctl add "Same due time, first" --due 2026-12-24T10:00 -q)
SAME2=$(netctl add "Same due time, second" --due 2026-12-24T10:00 -q)
netctl done "$DONE" "$WEEKLY" "$KEEP" >/dev/null
netctl rm "$SAME1" >/dev/null
SAME3=$(netctl add "Same due time, third" --due 2026-12-24T10:00 -q)
[[ $SAME3 -gt $SAME2 ]] || fail "ids are not increasing"

# Rows changed behind netctld's back: text with control characters (valid
# UTF-8 that the API would refuse) and a reminder marked shown.
daemon_stop
DB=$XDG_DATA_HOME/netctl/netctl.db
sqlite3 "$DB" "UPDATE followups SET text = 'tab' || char(9) || 'bell' || char(7) || 'del' || char(127) || 'nl' || char(10) WHERE id = $SAME2;
               UPDATE followups SET notify_state = 2, notified_at = $((now - 60)) WHERE id = $SAME3;"
daemon_start

n_all=$(netctl list --all --json | jq length)
((n_all >= 14)) || fail "expected at least 14 follow-ups, got $n_all"
jq -e 'map(.kind) | index("reconnect") != null' <<<"$(netctl list --all --json)" >/dev/null ||
    fail "no reconnect follow-up to compare"

for state in open done all; do
    compare "$MIN" "$MAX" "$state"
    compare "$now" "$MAX" "$state"
    compare "$MIN" "$((now + 3 * 3600))" "$state"
    compare 1774742400 1774828800 "$state"     # 2026-03-29 UTC, the spring change
    compare "$((now + 1))" "$((now + 1))" "$state"
    compare "$MIN" "$MAX" "$state" ana
    compare "$MIN" "$MAX" "$state" "Bo Chen"
done
compare "$MIN" "$MAX" all
assert_eq "$OUT" "same $n_all" "ListMemfd returns every follow-up"
ok "ListMemfd returns List's follow-ups field for field for every state, range and filter"

same_json "$MIN" "$MAX" all -- list --all --json
same_json "$MIN" "$MAX" open -- list --json
same_json "$MIN" "$MAX" open ana -- list --contact ana --json
same_json "$MIN" "$MAX" all ana -- list --all --contact ana --json
run netctl list --all --json
grep -qF '"text":"tab\tbell\u0007del\u007fnl\n"' "$RUN_OUT_FILE" ||
    fail "control characters are not escaped as before: $OUT"
ok "netctl list --json, --all --json and --contact print the JSON of List's rows"

# --- a damaged row -------------------------------------------------------------------

daemon_stop
sqlite3 "$DB" "UPDATE followups SET text = CAST(X'4F6BFF21' AS TEXT) WHERE id = $SAME3;"
daemon_start
compare "$MIN" "$MAX" all
assert_match "$OUT" "^all failed: $BUS_ERROR.StorageFailed" "a row that is not UTF-8"
compare "$MIN" "$MAX" open
expect_cli_error 1 netctl list --all --json
expect_cli_error 1 netctl list
# A listing that does not reach the row still works.
compare "$MIN" 1767225600 all           # before 2026
assert_match "$OUT" "^same [1-9]" "a listing without the damaged row"
ok "a row that is not UTF-8 fails List, ListMemfd and netctl list alike"

# --- ListStream: long lists and readers that do not read ---------------------

daemon_stop
# 20,000 rows, straight into the store: a pipe holds about 8,000.
sqlite3 "$DB" "UPDATE followups SET text = 'mended' WHERE id = $SAME3;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO followups (uid, text, due, created, modified)
    SELECT 'bulk-' || i || '@netctl', 'Bulk follow-up number ' || i || ' with some words to fill it',
           1893456000 + i * 60, 1767225600, 1767225600 FROM n;"
daemon_start
TOTAL=$(sqlite3 "$DB" "SELECT count(*) FROM followups")

"$PY" - "$BUS_DIR" <<'PYEOF' &
import dbus, os, sys, time
d = sys.argv[1]
p = dbus.Interface(dbus.SessionBus().get_object("org.netctl.Netctl1", "/org/netctl/Netctl1",
                                                introspect=False), "org.netctl.Netctl1.Followups")
args = (dbus.Int64(-2**63), dbus.Int64(2**63 - 1), "all", dbus.Dictionary({}, signature="sv"))
slow = p.ListStream(*args).take()
closed = p.ListStream(*args).take()
os.read(closed, 4096)
os.close(closed)                 # goes away early
open(os.path.join(d, "slow.ready"), "w").close()
while not os.path.exists(os.path.join(d, "slow.go")):
    time.sleep(0.05)
data = b""
while True:
    b = os.read(slow, 1 << 20)
    if not b:
        break
    data += b
open(os.path.join(d, "slow.bytes"), "wb").write(data)
PYEOF
SLOW=$!
on_exit "stop_pid $SLOW 5"
wait_until 20 test -e "$BUS_DIR/slow.ready" || fail "the slow reader did not start"
# netctld answers while a reader holds back the rest of its list.
run timeout 10 "$NETCTL_CLI" add -q "Written while a list waits" --in 2h
assert_eq "$RC" 0 "netctl add while a ListStream reader does not read"
run timeout 10 "$NETCTL_CLI" list --overdue --json
assert_eq "$RC" 0 "netctl list while a ListStream reader does not read"
touch "$BUS_DIR/slow.go"
wait "$SLOW" || fail "the slow reader failed"
"$PY" - "$BUS_DIR/slow.bytes" "$TOTAL" <<'PYEOF' || fail "the slow reader's list is not whole"
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"NCTLFR1\n", data[:8]
pos, rows = 8, 0
while struct.unpack_from("<Q", data, pos)[0] != 0:
    pos += 41
    for _ in range(4):
        pos = data.index(b"\0", pos) + 1
    rows += 1
assert struct.unpack_from("<q", data, pos + 8)[0] == 0, "trailer status"
assert data[pos + 16:] == b"\0\0", data[pos + 16:]
assert rows == int(sys.argv[2]), (rows, sys.argv[2])
PYEOF
daemon_alive || fail "netctld died"
ok "a ListStream reader that waits holds up nothing, then gets all $TOTAL rows and the trailer"
TOTAL=$((TOTAL + 1))    # the one added meanwhile

# Past 32 unread lists: Busy, and netctl falls back to List.
"$PY" - "$BUS_DIR" <<'PYEOF' &
import dbus, os, sys, time
d = sys.argv[1]
p = dbus.Interface(dbus.SessionBus().get_object("org.netctl.Netctl1", "/org/netctl/Netctl1",
                                                introspect=False), "org.netctl.Netctl1.Followups")
args = (dbus.Int64(-2**63), dbus.Int64(2**63 - 1), "all", dbus.Dictionary({}, signature="sv"))
held = [p.ListStream(*args).take() for _ in range(32)]
try:
    p.ListStream(*args)
    outcome = "served"
except dbus.exceptions.DBusException as e:
    outcome = e.get_dbus_name()
open(os.path.join(d, "busy.out"), "w").write(outcome)
while not os.path.exists(os.path.join(d, "busy.go")):
    time.sleep(0.05)
PYEOF
HOLD=$!
on_exit "stop_pid $HOLD 5"
wait_until 30 test -s "$BUS_DIR/busy.out" || fail "the holder of 32 lists did not finish"
assert_eq "$(cat "$BUS_DIR/busy.out")" "$BUS_ERROR.Busy" "the 33rd unread ListStream"
run timeout 20 "$NETCTL_CLI" list --all --json
assert_eq "$RC" 0 "netctl list with 32 unread lists: exit status (stderr: $ERR)"
[[ $(jq length "$RUN_OUT_FILE") == "$TOTAL" ]] || fail "netctl list by List lost rows"
touch "$BUS_DIR/busy.go"
wait "$HOLD" || true
wait_until 10 eval '[[ $(timeout 10 "$NETCTL_CLI" list --all --json | jq length) == "$TOTAL" ]]' ||
    fail "netctl list after the holder went"
ok "past 32 unread lists ListStream is Busy, netctl list uses List; closed ones are forgotten"

# A damaged row far down: what was printed does not parse as a list.
daemon_stop
sqlite3 "$DB" "UPDATE followups SET text = CAST(X'4F6BFF21' AS TEXT) WHERE uid = 'bulk-15000@netctl';"
daemon_start
run netctl list --all --json
assert_eq "$RC" 1 "netctl list --all --json with a damaged row past 64 KiB: exit status"
assert_match "$ERR" "not valid UTF-8" "the sentence"
jq -e . "$RUN_OUT_FILE" >/dev/null 2>&1 && fail "a list cut by a damaged row parses as JSON"
ok "a list cut short by a damaged row: exit 1, the sentence, JSON that does not parse"
