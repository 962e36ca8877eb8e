#!/bin/bash
# Meetings.ImportFd, which `netctl import` uses for a regular file, and
# Import, which it uses for anything else:
#  - `netctl import FILE` sends the file itself (ImportFd, as dbus-monitor
#    sees the call on the session bus), `netctl import <(...)` its bytes
#    (Import); both store the meeting, and the second import of the same
#    invite either way says unchanged; the file goes over netctld's direct
#    socket too (which dbus-monitor cannot see: the outcome shows it);
#  - ImportFd reads the whole file, from its start, whatever the offset of
#    the descriptor it was given;
#  - refused with an error that names the file and the problem, nothing
#    stored changed and netctld still answering: a pipe (netctld does not
#    wait on its writer), a descriptor open for writing only, a file
#    larger than 16 MiB, a name that is not one line of text.
# The import itself (what a file's events become) is bus/calendar's.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"
# shellcheck source=../lib/ics.sh
. "$(dirname "$0")/../lib/ics.sh"

need_cmd dbus-monitor jq
export TZ=Europe/Berlin
bus_start
daemon_start

GEN=$TEST_DIR/gen
mkdir -p "$GEN"
day=$(date -d '+3 days' +%Y%m%d)
invite "$GEN/one.ics" uid=fd-one@example.com summary="Coffee one" start="${day}T100000" end="${day}T103000"
invite "$GEN/two.ics" uid=fd-two@example.com summary="Coffee two" start="${day}T110000" end="${day}T113000"
invite "$GEN/three.ics" uid=fd-three@example.com summary="Coffee three" start="${day}T120000" end="${day}T123000"

summaries() { netctl meetings --all --json | jq -r '[.[].summary] | sort | join(", ")'; }

# import_members CMD...: runs CMD with dbus-monitor watching the Meetings
# interface; MEMBERS is the methods called on it, in order.  netctl goes
# through the session bus here (NETCTL_DIRECT=0), where the monitor sees
# its calls.
import_members() {
    local log=$TEST_DIR/monitor.log
    dbus-monitor --session "type='method_call',interface='$BUS_IFACE.Meetings'" >"$log" 2>&1 &
    local monitor=$!
    # The monitor is listening once it has printed its own NameAcquired.
    local _
    for _ in $(seq 100); do
        grep -q NameAcquired "$log" && break
        sleep 0.05
    done
    grep -q NameAcquired "$log" || fail "dbus-monitor did not start"
    run "$@"
    # The call was answered, so the monitor has seen it; let it write out.
    kill "$monitor" 2>/dev/null || true
    wait "$monitor" 2>/dev/null || true
    MEMBERS=$(sed -n 's/.*interface=org\.netctl\.Netctl1\.Meetings; member=\([A-Za-z]*\).*/\1/p' "$log" | paste -sd' ')
}

# --- netctl import: the file itself, or its bytes ------------------------------------

import_members env NETCTL_DIRECT=0 "$NETCTL_CLI" import "$GEN/one.ics"
assert_eq "$RC" 0 "netctl import of a regular file"
assert_eq "$OUT" "$GEN/one.ics: added (1 added)" "netctl import of a regular file"
assert_eq "$MEMBERS" ImportFd "the method netctl import calls for a regular file"
import_members env NETCTL_DIRECT=0 "$NETCTL_CLI" import <(cat "$GEN/two.ics")
assert_eq "$RC" 0 "netctl import of a pipe"
[[ $OUT == *": added (1 added)" ]] || fail "netctl import of a pipe: $OUT"
assert_eq "$MEMBERS" Import "the method netctl import calls for a pipe"
assert_eq "$(summaries)" "Coffee one, Coffee two" "meetings after both imports"
ok "netctl import sends a regular file as itself (ImportFd), a pipe as its bytes (Import)"

# Each invite again, the other way, over the direct socket: the same
# store, so unchanged.
expect_rc 0 netctl import <(cat "$GEN/one.ics")
[[ $OUT == *": unchanged (1 unchanged)" ]] || fail "one.ics again as bytes: $OUT"
expect_rc 0 netctl import "$GEN/two.ics"
assert_eq "$OUT" "$GEN/two.ics: unchanged (1 unchanged)" "two.ics again as a file"
ok "the same invite by either method is the same meeting: unchanged"

# --- ImportFd called directly -------------------------------------------------------

# From the start, wherever the descriptor's offset was left.
size=$(stat -c %s "$GEN/three.ics")
run "$PY" "$TESTLIB/import-fd.py" file three.ics "$GEN/three.ics" $((size - 10))
assert_eq "$RC" 0 "ImportFd with the offset near the end: $OUT"
assert_eq "$(cut -f1,2 <<<"$OUT")" $'added\t1' "ImportFd with the offset near the end"
assert_eq "$(summaries)" "Coffee one, Coffee three, Coffee two" "meetings after ImportFd"
ok "ImportFd reads the whole file from its start, whatever the descriptor's offset"

before=$(netctl meetings --all --json)
listed=$(netctl list --all --json)

# expect_refused HOW NAME PATH MESSAGE_REGEX: ImportFd (or Import) fails
# with InvalidArgument (the caller's fault, not netctl's storage), and a
# message that matches.
expect_refused() {
    local how=$1 name=$2 path=$3 want=$4
    run timeout 60 "$PY" "$TESTLIB/import-fd.py" "$how" "$name" "$path"
    [[ $RC == 1 && $OUT == "error "* ]] || { _show_run import-fd.py "$how"; fail "$how $name: expected an error"; }
    [[ $OUT =~ $want ]] || fail "$how $name: '$OUT' does not match /$want/"
    [[ $OUT == "error $BUS_ERROR.InvalidArgument: "* ]] || fail "$how $name: not InvalidArgument: $OUT"
    ok "$how ${name//$'\n'/\\n}: $OUT"
}

invite "$GEN/four.ics" uid=fd-four@example.com summary="Coffee four" start="${day}T140000" end="${day}T143000"
expect_refused pipe four.ics "$GEN/four.ics" 'four\.ics is not a regular file'
expect_refused write-only four.ics "$GEN/four.ics" 'Cannot read four\.ics: Bad file descriptor'
{
    printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-PAD:'
    head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' 'x'
    printf '\r\nEND:VCALENDAR\r\n'
} >"$GEN/huge.ics"
expect_refused file huge.ics "$GEN/huge.ics" 'huge\.ics is larger than 16 MiB'
expect_refused file $'two\nlines.ics' "$GEN/four.ics" 'Invalid file name'
expect_refused bytes $'two\nlines.ics' "$GEN/four.ics" 'Invalid file name'
daemon_alive || fail "netctld died on a refused ImportFd"
assert_eq "$(netctl meetings --all --json)" "$before" "meetings after the refused calls"
assert_eq "$(netctl list --all --json)" "$listed" "follow-ups after the refused calls"
ok "refused calls changed nothing, and netctld still answers"
