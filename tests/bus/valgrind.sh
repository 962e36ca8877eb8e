#!/bin/bash
# netctld under valgrind memcheck through one scenario on a private bus:
# add, list, show, done (recurring too), snooze, edit, rm, contacts (add,
# log, vCard import), calendar imports (real-world files from
# tests/data/ics, one of them malformed, and a future invite that makes
# prep and thank-you reminders), export, a reminder delivered to the
# python3-dbusmock notification server and its "done" action, a config
# reload (SIGHUP), then SIGTERM.
#
# Pass: netctld exits 0 on SIGTERM, valgrind reports no error and no
# definitely or indirectly lost block (--errors-for-leak-kinds=definite,
# indirect --error-exitcode=99).  "Possibly lost" and "still reachable"
# blocks are not errors: GLib's type system, GIO's and libnotify's
# singletons, and libical's built-in time zones are allocated once per
# process and kept on purpose.  No suppression file is needed (or used):
# with these leak kinds the run is clean as it is, so anything valgrind
# reports is netctl's to fix.
#
# With a sanitizer build (the asan/ run of the bus tests) valgrind cannot
# run the binary; the same scenario then runs under ASan+UBSan+LSan, whose
# report fails the test in its cleanup (tests/lib/bus.sh).
# shellcheck disable=SC1010  # "done" is a verb here
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"
# shellcheck source=../lib/ics.sh
. "$(dirname "$0")/../lib/ics.sh"

export TZ=Europe/Berlin LC_ALL=C.UTF-8
CORPUS=$NETCTL_SRC/tests/data/ics
VCF=$NETCTL_SRC/tests/data/vcf

USE_VALGRIND=1
if sanitizer_build; then
    USE_VALGRIND=0
    log "sanitizer build: the scenario runs under ASan/UBSan/LSan instead of valgrind"
else
    command -v valgrind >/dev/null || fail "valgrind not found (Debian package valgrind; tools/install-deps test)"
fi

bus_start
mock_start

if ((USE_VALGRIND)); then
    VG_LOG=$TEST_DIR/valgrind.log
    DAEMON_LOG=$TEST_DIR/netctld.log
    valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
        --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
        --track-origins=yes --num-callers=40 \
        --log-file="$VG_LOG" "$NETCTL_BUILD/netctld" >>"$DAEMON_LOG" 2>&1 </dev/null &
    DAEMON_PID=$!
    on_exit "[[ -n \${DAEMON_PID:-} ]] && kill -KILL \$DAEMON_PID 2>/dev/null"
    wait_until 120 bus_has_name "$BUS_NAME" ||
        { cat "$VG_LOG" "$DAEMON_LOG" >&2; fail "netctld under valgrind did not take $BUS_NAME"; }
    log "netctld under valgrind (pid $DAEMON_PID)"
else
    daemon_start
fi

# Under valgrind everything is ~30 times slower: generous waits.
W=90

# --- follow-ups ---------------------------------------------------------------------------
A=$(netctl add -q "Ask Ana about the data team" --in 2d)
B=$(netctl add -q "Keep in touch with Bo" --in 1d --every 2w)
C=$(netctl add -q "Thank Chen <b>&</b>" --due "tomorrow 10:00")
expect_ok netctl list
expect_ok netctl list --all --json
expect_ok netctl show "$A"
expect_ok netctl done "$B"
expect_ok netctl snooze "$A" 3d
expect_ok netctl edit "$C" --text "Thank Chen for the intro"
expect_ok netctl rm "$C"
expect_ok netctl status --json

# --- contacts ---------------------------------------------------------------------------------
netctl contact add -q "Ana Lima" --email ana@example.org --org Acme --tag data >/dev/null
netctl log ana@example.org --kind coffee --gave "article" --got "lead: data role" -q >/dev/null
expect_ok netctl contact show ana@example.org --json
shopt -s nullglob
vcards=("$VCF"/*.vcf)
shopt -u nullglob
if ((${#vcards[@]})); then
    run netctl contact import "${vcards[0]}"
    log "contact import ${vcards[0]##*/}: exit $RC"
fi
expect_ok netctl suggest
expect_ok netctl stats

# --- calendar ----------------------------------------------------------------------------------
for f in biweekly--outlook-2010.ics icalevents--google_2024.ics khal--event_rrule_recuid_cancelled.ics \
    khal--tz_windows_format.ics ical4j--tmeher.ics; do
    [[ -f $CORPUS/$f ]] || fail "corpus file $f missing"
    run netctl import "$CORPUS/$f"
    log "import $f: exit $RC"
done
now=$(now_s)
start=$((now + 2 * 86400))
invite "$TEST_DIR/coffee.ics" uid=vg-coffee@example.com summary="Coffee with Ana" \
    start="$(ics_local Europe/Berlin "$start")" end="$(ics_local Europe/Berlin $((start + 3600)))" \
    organizer=ana@example.org attendees="me@example.net"
expect_rc 0 netctl import "$TEST_DIR/coffee.ics"
expect_ok netctl meetings --json
expect_rc 0 netctl export "$TEST_DIR/export/"
expect_rc 0 netctl export "$TEST_DIR/all.ics"

# --- a reminder to the notification server, and its action ----------------------------------
R=$(netctl add -q "Reminder under valgrind")
mock_wait_notify 'select(.body | test("#'"$R"'$"))' "$W" || fail "reminder #$R not shown: $(mock_calls)"
mock_invoke "$(jq -r .id <<<"$MOCK_CALL")" done
done_now() { [[ $(show_field "$R" done_at) != null ]]; }
wait_until "$W" done_now || fail "the done action did not mark #$R done"

# --- reload, then stop --------------------------------------------------------------------------
mkdir -p "$XDG_CONFIG_HOME/netctl"
printf '[reminders]\ndigest_window = 5m\n' >"$XDG_CONFIG_HOME/netctl/netctl.conf"
kill -HUP "$DAEMON_PID"
expect_ok netctl reload
expect_ok netctl status

if ((USE_VALGRIND)); then
    pid=$DAEMON_PID
    kill -TERM "$pid"
    wait_until 120 pid_gone "$pid" || { kill -KILL "$pid"; fail "netctld under valgrind did not exit within 120 s of SIGTERM"; }
    status=0
    wait "$pid" || status=$?
    DAEMON_PID=
    grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|still reachable' "$VG_LOG" >&2 || true
    if [[ $status != 0 ]]; then
        cat "$VG_LOG" >&2
        tail -n 30 "$DAEMON_LOG" >&2
        fail "netctld under valgrind exited with status $status (99: memcheck errors or leaks)"
    fi
    grep -q 'ERROR SUMMARY: 0 errors' "$VG_LOG" || { cat "$VG_LOG" >&2; fail "valgrind reported errors"; }
    ok "valgrind: no memory error, no definite or indirect leak; netctld exited 0"
else
    daemon_stop || fail "netctld did not stop cleanly"
    ok "sanitizer build: scenario done; the cleanup checks for sanitizer reports"
fi
