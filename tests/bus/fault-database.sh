#!/bin/bash
# Databases netctld must not use, and one it must wait for.
# At start-up (netctld started directly on a private bus), each of
#  - a file that is not SQLite (text),
#  - a netctl database from a newer schema (PRAGMA user_version = 999),
#  - a truncated netctl database (cut to 50 bytes, to 1 page, to half),
#  - a database another program holds with an exclusive lock
#    (sqlite3: PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE),
# makes netctld exit with status 78 (EX_CONFIG: the unit's
# RestartPreventExitStatus=78, so systemd does not restart it in a loop;
# tests/e2e/fault-database-unit.sh checks that in a real session) after a
# message on stderr naming the file and the reason, and the file is
# byte-identical afterwards (sha256 before and after; no -wal left either).
# While running, a write lock held by another program (sqlite3 coprocess:
# BEGIN EXCLUSIVE) makes writes fail within a few seconds with
# org.netctl.Netctl1.Error.Busy and a sentence, reads keep being served,
# nothing is half-written, and writes work again once the lock is gone.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

need_cmd sqlite3 sha256sum
bus_start
DB=$XDG_DATA_HOME/netctl/netctl.db

# A real database with something in it, kept as the template.
daemon_start
for i in $(seq 1 120); do
    netctl add -q "Template follow-up $i, long enough to need a few pages" --in 3d >/dev/null
done
daemon_stop
GOOD=$TEST_DIR/good.db
cp "$DB" "$GOOD"
[[ ! -e $DB-wal ]] || fail "netctld left a -wal file after a clean stop"
pages=$(sqlite3 "$GOOD" 'PRAGMA page_count')
((pages >= 6)) || fail "template database too small ($pages pages)"

# start_refused WHAT PATTERN: netctld must exit 78 at start, saying PATTERN
# on stderr, and leave $DB byte-identical with no -wal/-journal beside it.
start_refused() {
    local what=$1 pattern=$2 before after
    rm -f "$DB-wal" "$DB-shm" "$DB-journal"
    before=$(sha256sum <"$DB")
    run timeout 20 "$NETCTL_BUILD/netctld"
    [[ $RC != 124 ]] || fail "$what: netctld did not exit (it started on a database it must refuse)"
    if [[ $RC != 78 ]]; then
        _show_run netctld
        fail "$what: exit status $RC, want 78"
    fi
    [[ $ERR =~ $pattern ]] || fail "$what: stderr does not say /$pattern/: $ERR"
    [[ $ERR == *"$DB"* ]] || fail "$what: stderr does not name the file: $ERR"
    after=$(sha256sum <"$DB")
    assert_eq "$after" "$before" "$what: checksum of the database"
    for f in "$DB-wal" "$DB-journal"; do
        [[ ! -s $f ]] || fail "$what: netctld left $f behind"
    done
    ok "$what: exit 78, '$(head -n1 <<<"$ERR")', file unchanged"
}

# --- not SQLite ---------------------------------------------------------------------------
for i in $(seq 1 200); do echo "This is my shopping list, not a database. Line $i."; done >"$DB"
start_refused "a text file" 'not a netctl database or is damaged'

head -c 65536 /dev/urandom >"$DB"
start_refused "random bytes" 'not a netctl database or is damaged'

# --- a newer schema -----------------------------------------------------------------------
cp "$GOOD" "$DB"
sqlite3 "$DB" 'PRAGMA user_version = 999'
start_refused "schema version 999" 'schema version 999.*newer netctl'

# --- truncated ------------------------------------------------------------------------------
for size in 50 4096 $((pages * 4096 / 2)); do
    cp "$GOOD" "$DB"
    truncate -s "$size" "$DB"
    start_refused "truncated to $size bytes" 'not a netctl database or is damaged'
done

# --- locked at start-up ----------------------------------------------------------------------
cp "$GOOD" "$DB"
# lock_db MODE: an sqlite3 shell holding the database (MODE exclusive:
# locking_mode EXCLUSIVE, so even readers are shut out; write: BEGIN
# EXCLUSIVE, which in WAL mode still lets readers in).
lock_db() {
    coproc SQ { sqlite3 -batch "$DB" 2>&1; }
    LOCK_PID=$SQ_PID
    on_exit "kill $LOCK_PID 2>/dev/null"
    if [[ $1 == exclusive ]]; then
        echo 'PRAGMA locking_mode = EXCLUSIVE;' >&"${SQ[1]}"
    fi
    printf '%s\n' 'BEGIN EXCLUSIVE;' "SELECT 'locked-' || count(*) FROM followups;" >&"${SQ[1]}"
    local line
    while read -r -t 10 -u "${SQ[0]}" line; do
        [[ $line == locked-* ]] && return 0
    done
    fail "the sqlite3 shell did not take the lock"
}
unlock_db() {
    printf '%s\n' 'COMMIT;' '.quit' >&"${SQ[1]}"
    wait "$LOCK_PID" 2>/dev/null || true
}
lock_db exclusive
before=$(sha256sum <"$DB")
run timeout 20 "$NETCTL_BUILD/netctld"
assert_eq "$RC" 78 "exit status with the database locked exclusively"
[[ $ERR =~ locked\ by\ another\ program && $ERR == *"$DB"* ]] ||
    fail "locked at start: stderr does not say it is locked by another program: $ERR"
unlock_db
assert_eq "$(sha256sum <"$DB")" "$before" "checksum after a locked start"
ok "locked exclusively at start: exit 78, '$ERR'"

# --- locked while running ---------------------------------------------------------------------
rm -f "$DB-wal" "$DB-shm"
cp "$GOOD" "$DB"
daemon_start
snapshot "$TEST_DIR/before-lock.json"
lock_db write
t0=$(now_us)
expect_bus_error Busy Followups Add 'sxa{sv}' "Written while locked" "$(($(now_s) + 3600))" 0
ms=$(elapsed_ms "$t0")
((ms < 10000)) || fail "a write under a lock took ${ms} ms to fail"
assert_match "$BUS_ERROR_MESSAGE" 'locked by another program' "Busy message"
expect_cli_error 1 netctl add "Written while locked, by the client"
assert_match "$ERR" 'locked' "client message under a lock"
expect_cli_error 1 netctl contact add "Locked Lena"
# Reads are served meanwhile.
snapshot "$TEST_DIR/during-lock.json"
assert_same_schedule "$TEST_DIR/before-lock.json" "$TEST_DIR/during-lock.json" "while locked"
expect_ok netctl status
ok "locked while running: writes fail with Busy in ${ms} ms, reads served"
unlock_db
id=$(netctl add -q "Written after the lock") || fail "add after the lock was released"
assert_eq "$(show_field "$id" text)" "Written after the lock" "the write after the lock"
count=$(netctl list --all --json | jq '[.[] | select(.text | test("while locked"))] | length')
assert_eq "$count" 0 "follow-ups written while locked"
ok "after the lock: writes work again; nothing from the refused writes is stored"
daemon_alive || fail "netctld died"
