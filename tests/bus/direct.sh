#!/bin/bash
# The direct socket, $XDG_RUNTIME_DIR/netctl/private (daemon/bus-direct.c):
#  - netctld makes it in a 0700 directory of its own;
#  - netctl goes by it: with dbus-daemon frozen (SIGSTOP) netctl add, list,
#    show and done still answer, and the Changed signals of those changes
#    reach session-bus listeners once dbus-daemon runs again;
#  - NETCTL_DIRECT=0 and the socket give the same output;
#  - `netctl add` on the socket is answered without loading libsystemd
#    (client/quick-add.c writes the call itself), and says what the full
#    client says: the same lines for an add, a refused contact and a usage
#    error, the same exit statuses; --help and --color are the full
#    client's;
#  - a socket nobody answers on (a stand-in that accepts and stays silent)
#    sends netctl to the bus after a short wait, and it succeeds; an add
#    made so is made once (the front hands it over before sending it);
#  - a dead netctld's socket (SIGKILL) sends netctl to the bus, which
#    starts netctld by D-Bus activation, and that netctld binds a fresh
#    socket;
#  - past 64 open direct connections a new one is closed and netctl still
#    works, by the bus; connections closed are forgotten;
#  - a clean stop removes the socket.
# Another uid's direct connection is refused in bus/access.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

need_cmd jq
export LC_ALL=C.UTF-8 TZ=Europe/Berlin

bus_start
daemon_start
SOCK=$XDG_RUNTIME_DIR/netctl/private
wait_until 10 test -S "$SOCK" || fail "no direct socket at $SOCK"
assert_eq "$(stat -c %a "$XDG_RUNTIME_DIR/netctl")" 700 "mode of the socket's directory"
ok "netctld listens on $SOCK, in a 0700 directory"

A=$(netctl add -q "Send Ana the article" --in 2h)

# --- netctl uses it: the bus frozen, commands still answer ------------------

"$PY" "$TESTLIB/watch-signals.py" "$BUS_DIR/signals.jsonl" "$BUS_DIR/signals.ready" \
    >"$BUS_DIR/watch.log" 2>&1 </dev/null &
on_exit "stop_pid $! 5"
wait_until 10 test -e "$BUS_DIR/signals.ready" || fail "signal watcher did not start"

thaw_bus() { kill -CONT "$BUS_PID" 2>/dev/null || true; }
on_exit thaw_bus
kill -STOP "$BUS_PID"
run timeout 10 "$NETCTL_CLI" add -q "Ask Bo about the platform team" --in 3h
assert_eq "$RC" 0 "netctl add with dbus-daemon stopped: exit status (stderr: $ERR)"
B=$OUT
run timeout 10 "$NETCTL_CLI" show "$B" --json
assert_eq "$RC" 0 "netctl show with dbus-daemon stopped"
assert_eq "$(jq -r .text <<<"$OUT")" "Ask Bo about the platform team" "text shown"
run timeout 10 "$NETCTL_CLI" done "$A"
assert_eq "$RC" 0 "netctl done with dbus-daemon stopped"
run timeout 10 "$NETCTL_CLI" list --json
assert_eq "$RC" 0 "netctl list with dbus-daemon stopped"
assert_eq "$(jq -c '[.[].id]' <<<"$OUT")" "[$B]" "open follow-ups listed"
kill -CONT "$BUS_PID"
ok "with dbus-daemon stopped, netctl add/show/done/list answer by the direct socket"

# The changes made meanwhile were announced on the bus all the same.
signal_seen() {
    jq -e -s --argjson id "$1" --arg change "$2" 'any(.[]; .member == "Changed"
        and .args[0] == $id and .args[1] == $change)' "$BUS_DIR/signals.jsonl" >/dev/null
}
wait_until 10 signal_seen "$B" added || fail "no Changed($B, added) on the bus"
wait_until 10 signal_seen "$A" done || fail "no Changed($A, done) on the bus"
ok "changes made by the direct socket are signalled on the session bus"

# --- the same answers either way --------------------------------------------

netctl add -q "Thank Cy for the intro" --due "tomorrow 10:00" >/dev/null
direct=$(netctl list --all --json)
bused=$(NETCTL_DIRECT=0 netctl list --all --json)
assert_eq "$direct" "$bused" "list --all --json, direct and by the bus"
[[ $(jq length <<<"$direct") == 3 ]] || fail "expected 3 follow-ups, got: $direct"
assert_eq "$(netctl status)" "$(NETCTL_DIRECT=0 netctl status)" "status, direct and by the bus"
ok "direct and bus give the same output"

# --- netctl add: the front answers it, without libsystemd ---------------------

# What the process loads: LD_DEBUG names every object the loader opens.
LD_DEBUG=files "$NETCTL_CLI" add -q "Ask Eve about the team offsite" --in 1d \
    >"$BUS_DIR/add.out" 2>"$BUS_DIR/add.loads"
[[ $(cat "$BUS_DIR/add.out") =~ ^[0-9]+$ ]] || fail "netctl add printed: $(cat "$BUS_DIR/add.out")"
netctl rm "$(cat "$BUS_DIR/add.out")" >/dev/null
! grep -q 'file=libsystemd\.so' "$BUS_DIR/add.loads" ||
    fail "netctl add on the direct socket loaded libsystemd"
LD_DEBUG=files "$NETCTL_CLI" list >/dev/null 2>"$BUS_DIR/list.loads"
grep -q 'file=libsystemd\.so' "$BUS_DIR/list.loads" ||
    fail "netctl list did not load libsystemd (so LD_DEBUG proves nothing here)"
ok "netctl add on the direct socket runs without libsystemd; list loads it"

# Same words either way; only the new id differs.
due="2026-12-24T09:30"
run netctl add "Ask Fay for feedback" --due "$due" --every 1w --fixed --contact ""
direct_out=$OUT direct_rc=$RC direct_err=$ERR
run env NETCTL_DIRECT=0 "$NETCTL_CLI" add "Ask Fay for feedback" --due "$due" --every 1w --fixed --contact ""
assert_eq "$direct_rc $RC" "2 2" "add with an empty --contact: a usage error either way"
assert_eq "$direct_err" "$ERR" "its message, direct and by the bus"
[[ -z $direct_out && -z $OUT ]] || fail "a usage error printed to stdout: '$direct_out' / '$OUT'"
run netctl add "Ask Fay for feedback" --due "$due" --every 1w --fixed --contact "Nobody We Know"
direct_out=$OUT direct_rc=$RC direct_err=$ERR
run env NETCTL_DIRECT=0 "$NETCTL_CLI" add "Ask Fay for feedback" --due "$due" --every 1w --fixed \
    --contact "Nobody We Know"
assert_eq "$direct_rc $RC" "1 1" "add for an unknown contact: refused either way"
[[ -n $ERR && $direct_err == "$ERR" ]] || fail "netctld's refusal: '$direct_err' direct, '$ERR' by the bus"
[[ -z $direct_out ]] || fail "a refused add printed: $direct_out"
run netctl add "Ask Fay for feedback" --due "$due" --every 1w --fixed
direct_out=$OUT
assert_eq "$RC" 0 "add on the socket"
run env NETCTL_DIRECT=0 "$NETCTL_CLI" add "Ask Fay for feedback" --due "$due" --every 1w --fixed
assert_eq "$RC" 0 "add by the bus"
[[ $direct_out =~ ^Added\ \#([0-9]+),\ due\ (.*)$ ]] || fail "add on the socket printed: $direct_out"
id_direct=${BASH_REMATCH[1]} rest_direct=${BASH_REMATCH[2]}
[[ $OUT =~ ^Added\ \#([0-9]+),\ due\ (.*)$ ]] || fail "add by the bus printed: $OUT"
assert_eq "$rest_direct" "${BASH_REMATCH[2]}" "the due phrase, direct and by the bus"
assert_eq "$(netctl show "$id_direct" --json | jq -c '[.text, .due, .every, .every_fixed]')" \
    "$(netctl show "${BASH_REMATCH[1]}" --json | jq -c '[.text, .due, .every, .every_fixed]')" \
    "what was stored, direct and by the bus"
# Text the daemon must take byte for byte: quotes, a backslash, UTF-8.
text='Say "thank you" to Zoë \ Jürgen — 謝謝'
id=$(netctl add -q "$text" --in 3d)
assert_eq "$(netctl show "$id" --json | jq -r .text)" "$text" "UTF-8 text stored as given"
run netctl add --help
assert_eq "$RC" 0 "add --help"
[[ $OUT == *"--every"* ]] || fail "add --help does not describe --every: $OUT"
run netctl --color=never add -q "Coloured" --in 1d
assert_eq "$RC" 0 "--color before add"
netctl rm "$OUT" >/dev/null
netctl rm "$id" "$id_direct" "${BASH_REMATCH[1]}" >/dev/null
ok "netctl add says the same on the socket and by the bus: output, refusals, usage errors"

# --- a socket that accepts and never answers ---------------------------------

mv "$SOCK" "$SOCK.real"
# It keeps what each connection sent (silent-N.bytes, and silent-N.closed
# once the client closed it), and never answers.
mkdir "$BUS_DIR/silent"
"$PY" - "$SOCK" "$BUS_DIR/silent.ready" "$BUS_DIR/silent" <<'EOF' &
import os, socket, sys, threading
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(16)
open(sys.argv[2], "w").close()
def keep(c, n):
    with open(os.path.join(sys.argv[3], "silent-%d.bytes" % n), "wb", buffering=0) as f:
        while True:
            b = c.recv(65536)
            if not b:
                break
            f.write(b)
    open(os.path.join(sys.argv[3], "silent-%d.closed" % n), "w").close()
n = 0
while True:
    c, _ = s.accept()
    n += 1
    threading.Thread(target=keep, args=(c, n), daemon=True).start()
EOF
SILENT=$!
on_exit "stop_pid $SILENT 5"
wait_until 10 test -e "$BUS_DIR/silent.ready" || fail "silent stand-in did not start"
t0=$(now_us)
run timeout 20 "$NETCTL_CLI" list --json
assert_eq "$RC" 0 "netctl list with a silent socket: exit status (stderr: $ERR)"
assert_eq "$(jq length <<<"$OUT")" 2 "open follow-ups listed by the bus"
ok "a silent socket: netctl fell back to the bus after $(elapsed_ms "$t0") ms"
before=$(netctl list --all --json | jq length)
run timeout 20 "$NETCTL_CLI" add -q "Made once, by the bus" --in 5h
assert_eq "$RC" 0 "netctl add with a silent socket: exit status (stderr: $ERR)"
assert_eq "$(netctl list --all --json | jq length)" "$((before + 1))" "follow-ups after that add"
assert_eq "$(netctl show "$OUT" --json | jq -r .text)" "Made once, by the bus" "the add made by the bus"
netctl rm "$OUT" >/dev/null
# What reached the socket: handshakes, and no call (none of the clients
# is running now, so every connection is closed and read to its end).
all_closed() {
    local f
    for f in "$BUS_DIR"/silent/silent-*.bytes; do
        [[ -e ${f%.bytes}.closed ]] || return 1
    done
}
wait_until 10 all_closed || fail "the stand-in still reads a connection no client holds"
grep -qa "AUTH EXTERNAL 3" "$BUS_DIR"/silent/silent-*.bytes ||
    fail "the front's handshake did not reach the socket (the add did not try it?)"
! grep -qa "org.netctl.Netctl1" "$BUS_DIR"/silent/silent-*.bytes ||
    fail "a call was sent on a socket whose handshake was never answered"
ok "a silent socket: netctl add went by the bus and added once; only handshakes were sent to the socket"
stop_pid "$SILENT" 5
rm -f "$SOCK"
mv "$SOCK.real" "$SOCK"

# --- a bounded number of connections ----------------------------------------

"$PY" - "$SOCK" "$BUS_DIR/held.ready" 70 <<'EOF' &
import socket, sys, time
held = []
for _ in range(int(sys.argv[3])):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(sys.argv[1])
    held.append(c)
open(sys.argv[2], "w").close()
time.sleep(3600)
EOF
HOLDER=$!
on_exit "stop_pid $HOLDER 5"
wait_until 10 test -e "$BUS_DIR/held.ready" || fail "connection holder did not start"
wait_until 10 grep -q "direct connections are open" "$DAEMON_LOG" ||
    fail "netctld did not say it closed connections past the bound"
run timeout 20 "$NETCTL_CLI" list --json
assert_eq "$RC" 0 "netctl list with 70 direct connections held: exit status (stderr: $ERR)"
assert_eq "$(jq length <<<"$OUT")" 2 "open follow-ups listed"
stop_pid "$HOLDER" 5
# Closed ones are forgotten: the socket serves netctl again, bus frozen.
# (netctld may take a moment to see all 64 go: until then the bus, frozen,
# does not answer and `timeout` ends the try.)
kill -STOP "$BUS_PID"
RC=0
wait_until 20 timeout 4 "$NETCTL_CLI" list --json >/dev/null 2>&1 || RC=1
kill -CONT "$BUS_PID"
assert_eq "$RC" 0 "netctl list by the socket after the holder closed its connections"
daemon_alive || fail "netctld died"
ok "past 64 connections a new one is closed, netctl uses the bus; closed ones are forgotten"

# --- a dead netctld's socket ------------------------------------------------

# dbus-daemon started before bus_start pointed the XDG variables at the
# test's directory: the activated netctld is told them.
cat >"$BUS_DIR/services/org.netctl.Netctl1.service" <<EOF
[D-BUS Service]
Name=org.netctl.Netctl1
Exec=/usr/bin/env HOME=$HOME XDG_DATA_HOME=$XDG_DATA_HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR $NETCTL_BUILD/netctld
EOF
dead_pid=$DAEMON_PID
daemon_kill
test -S "$SOCK" || fail "the killed netctld's socket is gone (the test proves nothing)"
run timeout 30 "$NETCTL_CLI" add -q "Follow up with Dee" --in 4h
assert_eq "$RC" 0 "netctl add after SIGKILL: exit status (stderr: $ERR)"
bus_wait_name "$BUS_NAME" 10 || fail "netctld was not activated"
wait_until 10 test -S "$SOCK" || fail "the activated netctld made no socket"
new_pid=$(busctl --user call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
    GetConnectionUnixProcessID s "$BUS_NAME" | awk '{print $2}')
[[ $new_pid != "$dead_pid" ]] || fail "still the killed netctld?"
# The new socket answers (the dead one refused connections): bus frozen.
kill -STOP "$BUS_PID"
RC=0
wait_until 20 timeout 4 "$NETCTL_CLI" list --json >"$BUS_DIR/after-kill.json" 2>&1 || RC=1
kill -CONT "$BUS_PID"
assert_eq "$RC" 0 "netctl list by the activated netctld's socket"
[[ $(jq length "$BUS_DIR/after-kill.json") == 3 ]] || fail "the add after SIGKILL is not listed"
ok "a dead socket: netctl went by the bus, netctld was activated and bound a new socket"

# The activated netctld is ours to stop; a clean stop removes the socket.
DAEMON_PID=$new_pid
DAEMON_LOG=$BUS_DIR/netctld.log
kill -TERM "$new_pid"
wait_until 10 pid_gone "$new_pid" || fail "activated netctld did not stop"
DAEMON_PID=
[[ ! -e $SOCK ]] || fail "socket left behind after a clean stop"
ok "a clean stop removes the socket"
