#!/bin/bash
# A database netctld must not use does not make systemd restart it in a
# loop.  In the real session (systemd --user, D-Bus activation), for a
# file that is not SQLite and for a database from a newer schema
# (PRAGMA user_version = 999):
#  - the start fails: `netctl status` (D-Bus activation, first case) exits 1
#    with netctld's own reason (the file and what is wrong with it), which
#    it learns from systemd as the unit fails, not from dbus-daemon's
#    activation timeout (whose message would be another sentence); a second
#    `netctl status` at once, while dbus-daemon still waits on the first
#    attempt and starts nothing, says the same; `systemctl --user start`
#    (second case) exits 1;
#  - netctld.service ends "failed" with Result=exit-code and
#    ExecMainStatus=78, and NRestarts stays 0 for 5 s, well past
#    RestartSec=1s: RestartPreventExitStatus=78 holds;
#  - its output names the file and the reason;
#  - the file is byte-identical (sha256) afterwards;
#  - with the unit still failed, a netctld started by hand that owns the
#    bus name and is slow to answer (SIGSTOPped for 2 s) is waited for: the
#    client's watch of the unit does not cut its call short;
#  - once the good database is put back, netctld starts again and the
#    schedule is there.
# (dbus-daemon keeps a failed activation pending for its own timeout: a
# second activation within it starts nothing, so the later starts here go
# through systemctl, as netctl's message advises.)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/session.sh
. "$(dirname "$0")/../lib/session.sh"
session_init "$@"
session_install_netctl
systemctl --user mask --runtime dunst.service >/dev/null 2>&1
need_cmd sqlite3 sha256sum

ID=$(netctl add -q "Survives a bad database" --in 3d)
DB=$(netctl status --json | jq -r .database)
systemctl --user stop netctld.service
GOOD=$SESSION_DIR/good.db
cp "$DB" "$GOOD"

unit() { systemctl --user show -p "$1" --value netctld.service; }
failed_now() { [[ $(unit ActiveState) == failed ]]; }

# refused WHAT PATTERN HOW: the unit fails once, with 78, and does not
# spin.  HOW is "activation" (netctl status, D-Bus activation) or
# "systemctl" (systemctl --user start).
refused() {
    local what=$1 pattern=$2 how=$3 before
    systemctl --user reset-failed netctld.service 2>/dev/null || true
    rm -f "$DB-wal" "$DB-shm"
    before=$(sha256sum <"$DB")
    : >"$SESSION_DIR/netctld.log"
    if [[ $how == activation ]]; then
        local attempt
        for attempt in first second; do
            expect_cli_error 1 netctl status
            log "$what: netctl says ($attempt call): $ERR"
            [[ $ERR == *"could not start: Cannot use the database"* && $ERR == *"$DB"* &&
                $ERR =~ $pattern && $ERR == *"systemctl --user start netctld"* ]] ||
                fail "$what: the $attempt netctl call does not give netctld's reason and the way out: $ERR"
        done
    else
        expect_rc 1 systemctl --user start netctld.service
        log "$what: systemctl says: $ERR"
    fi
    wait_until 15 failed_now || fail "$what: netctld.service is $(unit ActiveState), not failed"
    assert_eq "$(unit Result)" exit-code "$what: Result"
    assert_eq "$(unit ExecMainStatus)" 78 "$what: ExecMainStatus"
    # No restart may follow, however long we look (RestartSec=1s).
    local t_end=$(($(now_s) + 5))
    while (($(now_s) < t_end)); do
        assert_eq "$(unit NRestarts)" 0 "$what: NRestarts"
        failed_now || fail "$what: netctld.service left the failed state by itself ($(unit ActiveState))"
        sleep 0.5
    done
    grep -qE "$pattern" "$SESSION_DIR/netctld.log" ||
        fail "$what: netctld's output does not say /$pattern/: $(tail -n 5 "$SESSION_DIR/netctld.log")"
    grep -qF "$DB" "$SESSION_DIR/netctld.log" || fail "$what: netctld's output does not name $DB"
    assert_eq "$(sha256sum <"$DB")" "$before" "$what: checksum of the database"
    ok "$what: failed once with 78, NRestarts 0 after 5 s, file unchanged"
}

for i in $(seq 1 100); do echo "Not a database, line $i"; done >"$DB"
refused "a text file" 'not a netctl database or is damaged' activation

cp "$GOOD" "$DB"
sqlite3 "$DB" 'PRAGMA user_version = 999'
refused "schema version 999" 'schema version 999.*newer netctl' systemctl

# The good database back.
cp "$GOOD" "$DB"
rm -f "$DB-wal" "$DB-shm"

# The unit is still failed, but a netctld started by hand owns the name: a
# call by the bus that it is slow to answer (SIGSTOPped here, past the
# client's one-second rule for a unit that stays failed) is its call to
# answer, not a failed start.
"$HOME/.local/bin/netctld" >>"$SESSION_DIR/manual-netctld.log" 2>&1 </dev/null &
MANUAL=$!
manual_serves() { NETCTL_DIRECT=0 netctl status >/dev/null 2>&1; }
wait_until 10 manual_serves || fail "netctld started by hand does not answer: $(tail -n 5 "$SESSION_DIR/manual-netctld.log")"
kill -STOP "$MANUAL"
NETCTL_DIRECT=0 netctl show "$ID" --json >"$SESSION_DIR/slow.out" 2>"$SESSION_DIR/slow.err" &
CLIENT=$!
sleep 2
kill -0 "$CLIENT" 2>/dev/null ||
    fail "netctl gave up on a netctld that owns the name while the unit is failed: $(cat "$SESSION_DIR/slow.err")"
kill -CONT "$MANUAL"
wait "$CLIENT" || fail "netctl show by the bus failed once netctld went on: $(cat "$SESSION_DIR/slow.err")"
assert_eq "$(jq -r .text "$SESSION_DIR/slow.out")" "Survives a bad database" "the slow call's answer"
kill "$MANUAL"
wait "$MANUAL" || fail "netctld started by hand did not stop cleanly"
ok "a failed unit does not cut short a call that a netctld started by hand is answering"

# The next start goes through systemd again.
systemctl --user reset-failed netctld.service
systemctl --user start netctld.service || fail "netctld does not start on the restored database"
expect_ok netctl status
netctld_active || fail "netctld.service is not active after the database was restored"
assert_eq "$(show_field "$ID" text)" "Survives a bad database" "the schedule after the restore"
ok "good database restored: netctld activated again and serves the schedule"
