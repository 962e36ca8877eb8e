#!/bin/bash
# netctld's journal lines carry structured fields (netctld(8), LOGGING), so
# that `journalctl --user -u netctld NETCTL_FOLLOWUP_ID=12` finds them:
#  - a notification action: NETCTL_FOLLOWUP_ID= and NETCTL_ACTION=;
#  - a malformed calendar file in the inbox: NETCTL_FILE= (priority warning);
#  - a config that does not load on reload: NETCTL_FILE= the config;
#  - every line has MESSAGE, PRIORITY, SYSLOG_IDENTIFIER=netctld and one
#    CODE_FILE/CODE_LINE (the caller's, not log.c's);
#  - follow-up texts and interaction notes never reach the journal.
# The daemon logs natively when JOURNAL_STREAM is set; the test listens on
# the journal's socket itself, in a private mount namespace (root only)
# where a tmpfs hides the real /run, so no journald is needed or touched.
# shellcheck source-path=SCRIPTDIR disable=SC1010  # "done" is a verb here
set -euo pipefail

if [[ -z ${NETCTL_JOURNAL_NS:-} ]]; then
    # shellcheck source=../lib/common.sh
    . "$(dirname "$0")/../lib/common.sh"
    [[ $(id -u) == 0 ]] || skip "needs root for a private mount namespace (as the e2e tests do)"
    need_cmd unshare mount
    exec unshare --mount --propagation private env NETCTL_JOURNAL_NS=1 bash "$0" "$@"
fi

# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

mount -t tmpfs -o mode=0755 netctl-run /run || fail "cannot mount a tmpfs on /run"
mkdir -p /run/systemd/journal

bus_start
JOURNAL=$TEST_DIR/journal.records
: >"$JOURNAL"
# One record per datagram, records separated by a line holding only \x1e.
"$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/run/systemd/journal/socket")
open(sys.argv[2], "w").close()
with open(sys.argv[1], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(1 << 20).rstrip(b"\n") + b"\n\x1e\n")
' "$JOURNAL" "$TEST_DIR/listening" &
LISTENER=$!
on_exit "kill $LISTENER 2>/dev/null; wait $LISTENER 2>/dev/null"
wait_until 10 test -e "$TEST_DIR/listening" || fail "the journal listener did not start"

# As systemd sets it: the device and inode of the daemon's stderr, which
# daemon_start points at $BUS_DIR/netctld.log.
touch "$BUS_DIR/netctld.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$BUS_DIR/netctld.log")
export JOURNAL_STREAM
mock_start
daemon_start

# record_with FIELD=VALUE...: the first record holding every FIELD=VALUE line.
record_with() {
    awk -v RS='\n\x1e\n' -v want="$*" '
        BEGIN { n = split(want, w, " ") }
        { ok = 1; for (i = 1; i <= n; i++) if (index("\n" $0 "\n", "\n" w[i] "\n") == 0) ok = 0
          if (ok) { print; exit } }' "$JOURNAL"
}
has_record() { [[ -n $(record_with "$@") ]]; }

# --- a notification action ------------------------------------------------------------

SECRET_TEXT="Ask Ana about the secret reorg 7c1f"
ID=$(netctl add -q "$SECRET_TEXT")
mock_wait_notify 'select(.summary + " " + .body | contains("secret reorg 7c1f"))' 15 ||
    fail "the reminder was not shown: $(mock_calls)"
mock_invoke "$(jq .id <<<"$MOCK_CALL")" done
wait_until 10 has_record "NETCTL_FOLLOWUP_ID=$ID" "NETCTL_ACTION=done" ||
    { cat "$JOURNAL" >&2; fail "no journal record with NETCTL_FOLLOWUP_ID=$ID NETCTL_ACTION=done"; }
rec=$(record_with "NETCTL_FOLLOWUP_ID=$ID" "NETCTL_ACTION=done")
grep -qx "MESSAGE=Reminder #$ID: done from the notification" <<<"$rec" ||
    fail "unexpected message for the action: $rec"
grep -qx 'PRIORITY=6' <<<"$rec" || fail "the action is not logged at info: $rec"
ok "notification action: NETCTL_FOLLOWUP_ID=$ID NETCTL_ACTION=done"

# --- a malformed calendar file -------------------------------------------------------

INBOX=$XDG_DATA_HOME/netctl/inbox
wait_until 10 test -d "$INBOX" || fail "no inbox"
BAD=$INBOX/broken.ics
printf 'BEGIN:VCALENDAR\r\nthis is not iCalendar\r\n' >"$TEST_DIR/broken.ics"
mv "$TEST_DIR/broken.ics" "$BAD"
wait_until 10 has_record "NETCTL_FILE=$BAD" "PRIORITY=4" ||
    { cat "$JOURNAL" >&2; fail "no warning with NETCTL_FILE=$BAD"; }
ok "a malformed invite: NETCTL_FILE=$BAD at priority warning"

# --- a config that does not load -------------------------------------------------------

CONF=$XDG_CONFIG_HOME/netctl/netctl.conf
mkdir -p "${CONF%/*}"
printf '[calendar]\nprep_before = soon\n' >"$CONF"
expect_cli_error 1 netctl reload
wait_until 10 has_record "NETCTL_FILE=$CONF" "PRIORITY=4" ||
    { cat "$JOURNAL" >&2; fail "no warning with NETCTL_FILE=$CONF"; }
ok "a bad config on reload: NETCTL_FILE=$CONF"

# --- every record, and what never goes in -------------------------------------------------

netctl contact add "Ana Lima" >/dev/null
netctl log ana --note "confidential note 9d2e" --gave "secret gift 5b7a" >/dev/null
daemon_stop
records=$(awk -v RS='\n\x1e\n' 'NF' "$JOURNAL" | wc -l)
((records >= 3)) || fail "only $records journal records"
awk -v RS='\n\x1e\n' 'NF {
        n = split($0, l, "\n"); m = p = s = cf = cl = 0
        for (i = 1; i <= n; i++) {
            if (l[i] ~ /^MESSAGE=/) m++
            if (l[i] ~ /^PRIORITY=[0-7]$/) p++
            if (l[i] == "SYSLOG_IDENTIFIER=netctld") s++
            if (l[i] ~ /^CODE_FILE=/) cf++
            if (l[i] ~ /^CODE_LINE=[0-9]+$/) cl++
        }
        if (m != 1 || p != 1 || s != 1 || cf != 1 || cl != 1) { print "bad record:\n" $0; bad = 1 }
    } END { exit bad }' "$JOURNAL" || fail "a journal record lacks or repeats a standard field"
if grep -E 'secret reorg 7c1f|confidential note 9d2e|secret gift 5b7a' "$JOURNAL"; then
    fail "a follow-up text or an interaction's note or gift reached the journal"
fi
ok "$records records, each with one MESSAGE, PRIORITY, SYSLOG_IDENTIFIER and CODE_FILE/LINE; no texts or notes"
