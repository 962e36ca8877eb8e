# shellcheck shell=bash
# Variables set here are read by the tests that source this file.
# shellcheck disable=SC2034
# Shared helpers for the bus and end-to-end tests.  Source it; do not run it.
#
#   . "$(dirname "$0")/../lib/common.sh"
#
# Conventions every test follows:
#  - `set -euo pipefail`; a failed assertion calls fail(), which exits 1;
#  - exit 77 means "skipped" (skip()), with the reason on stderr;
#  - everything a test starts is stopped by the EXIT trap installed here
#    (register more with on_exit; they run last-registered first);
#  - no fixed sleeps: wait_until polls a condition against a deadline.

# Repo root, build directory under test, and a scratch root for temp dirs.
NETCTL_SRC=${NETCTL_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
NETCTL_BUILD=${NETCTL_BUILD:-$NETCTL_SRC/build}
case $NETCTL_BUILD in /*) ;; *) NETCTL_BUILD=$NETCTL_SRC/$NETCTL_BUILD ;; esac
export NETCTL_SRC NETCTL_BUILD

# Debian's python3-dbusmock, python3-dbus and python3-gi are importable only
# by the system interpreter, not by a pyenv/venv python3 earlier in PATH.
PY=/usr/bin/python3
TESTLIB=$NETCTL_SRC/tests/lib

# The name of the test for messages: tests/bus/cli.sh -> bus/cli
TEST_NAME=${TEST_NAME:-$(basename "$(dirname "$0")")/$(basename "$0" .sh)}

# Sanitizer builds: report everything, keep going to the exit code check.
# fast_unwind_on_malloc=0: whole stacks through GLib (built without frame
# pointers), or a leak report ends at g_malloc0.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:fast_unwind_on_malloc=0:abort_on_error=0:print_summary=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if [[ -z ${LSAN_OPTIONS:-} && -r $TESTLIB/lsan.supp ]]; then
    export LSAN_OPTIONS=suppressions=$TESTLIB/lsan.supp:print_suppressions=0
fi

# --- messages -------------------------------------------------------------

log()  { printf '%s\n' "$*" >&2; }
ok()   { printf 'ok - %s\n' "$*" >&2; }
fail() {
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}
skip() {
    printf 'SKIP: %s\n' "$*" >&2
    exit 77
}

# --- cleanup --------------------------------------------------------------

_EXIT_HOOKS=()
# on_exit CMD: run CMD (a string, eval'd) when the test exits, however it
# exits.  Hooks run in reverse order of registration.
on_exit() { _EXIT_HOOKS+=("$1"); }

_run_exit_hooks() {
    local rc=$? i
    trap - EXIT
    set +e
    TEST_EXIT_STATUS=$rc
    for ((i = ${#_EXIT_HOOKS[@]} - 1; i >= 0; i--)); do
        eval "${_EXIT_HOOKS[i]}"
    done
    # A hook may turn success into failure (a sanitizer report, a daemon
    # that did not exit cleanly): it sets TEST_FAILED_IN_CLEANUP.
    if [[ $rc -eq 0 && -n ${TEST_FAILED_IN_CLEANUP:-} ]]; then
        rc=1
    fi
    exit "$rc"
}
trap _run_exit_hooks EXIT
# set -e exits silently; say which command did it.
trap 'printf "FAIL: exit %s from line %s: %s\n" "$?" "$LINENO" "$BASH_COMMAND" >&2' ERR
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# mktemp_dir PREFIX: a fresh directory removed at exit (kept when
# NETCTL_KEEP_TMP=1, for post-mortems).  Sets REPLY.
mktemp_dir() {
    REPLY=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    chmod 0700 "$REPLY"
    if [[ ${NETCTL_KEEP_TMP:-0} == 1 ]]; then
        on_exit "log 'kept $REPLY'"
    else
        on_exit "rm -rf '$REPLY'"
    fi
}

# --- processes ------------------------------------------------------------

# pid_alive PID: true while PID exists and is not a zombie.
pid_alive() {
    local state
    [[ -r /proc/$1/stat ]] || return 1
    state=$(sed -E 's/^.*\) (.).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z && $state != X ]]
}

# stop_pid PID [SECONDS]: SIGTERM, wait up to SECONDS (default 10) for the
# process to go, then SIGKILL.  Returns 0 if it went on SIGTERM, 1 if it
# needed SIGKILL.  Reaps it when it is our child (status in STOPPED_STATUS).
stop_pid() {
    local pid=$1 secs=${2:-10} rc=0
    STOPPED_STATUS=
    if pid_alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        if ! wait_until "$secs" pid_gone "$pid"; then
            kill -KILL "$pid" 2>/dev/null || true
            wait_until 5 pid_gone "$pid" || true
            rc=1
        fi
    fi
    if wait "$pid" 2>/dev/null; then STOPPED_STATUS=0; else STOPPED_STATUS=$?; fi
    return "$rc"
}
pid_gone() { ! pid_alive "$1"; }

# --- waiting --------------------------------------------------------------

# wait_until SECONDS CMD...: run CMD until it succeeds or SECONDS pass.
# Polls every 50 ms; never sleeps past the deadline.  Returns CMD's success.
wait_until() {
    local secs=$1
    shift
    local deadline=$(($(now_us) + secs * 1000000))
    while true; do
        if "$@"; then return 0; fi
        if (($(now_us) >= deadline)); then return 1; fi
        sleep 0.05
    done
}

# now_us: wall clock in microseconds (bash's EPOCHREALTIME, no date(1)).
now_us() { echo "${EPOCHREALTIME/./}"; }
now_s() { echo "${EPOCHREALTIME%.*}"; }
# elapsed_ms START_US
elapsed_ms() { echo $((($(now_us) - $1) / 1000)); }

# --- running commands -----------------------------------------------------

# run CMD...: run CMD, never failing the test by itself; sets RC, OUT
# (stdout) and ERR (stderr).  OUT/ERR lose trailing newlines; the exact
# bytes stay in $RUN_OUT_FILE / $RUN_ERR_FILE until the next run.
run() {
    : "${_RUN_DIR:=$(mktemp -d "${TMPDIR:-/tmp}/netctl-run.XXXXXX")}"
    [[ -n ${_RUN_DIR_HOOKED:-} ]] || { on_exit "rm -rf '$_RUN_DIR'"; _RUN_DIR_HOOKED=1; }
    RUN_OUT_FILE=$_RUN_DIR/out RUN_ERR_FILE=$_RUN_DIR/err
    RC=0
    "$@" >"$RUN_OUT_FILE" 2>"$RUN_ERR_FILE" </dev/null || RC=$?
    OUT=$(cat "$RUN_OUT_FILE")
    ERR=$(cat "$RUN_ERR_FILE")
}

_show_run() {
    printf '  command: %s\n  exit: %s\n  stdout: %s\n  stderr: %s\n' \
        "$(_quote "$@")" "$RC" "${OUT:0:2000}" "${ERR:0:2000}" >&2
}
_quote() {
    local a out=
    for a in "$@"; do
        if ((${#a} > 80)); then a="${a:0:60}...(${#a} bytes)"; fi
        out+="$(printf '%q' "$a") "
    done
    printf '%s' "${out% }"
}

# expect_rc N CMD...: CMD must exit N.
expect_rc() {
    local want=$1
    shift
    run "$@"
    if [[ $RC != "$want" ]]; then
        _show_run "$@"
        fail "expected exit $want from: $(_quote "$@")"
    fi
}

# expect_ok CMD...: exit 0 and nothing on stderr.
expect_ok() {
    expect_rc 0 "$@"
    if [[ -n $ERR ]]; then
        _show_run "$@"
        fail "unexpected stderr from: $(_quote "$@")"
    fi
}

# expect_cli_error N CMD...: exit N (1 = error, 2 = usage), nothing on
# stdout, and stderr is one or more lines, the first "netctl: <sentence>".
expect_cli_error() {
    local want=$1
    shift
    expect_rc "$want" "$@"
    if [[ ! $ERR =~ ^netctl:\ [^[:space:]] ]]; then
        _show_run "$@"
        fail "stderr does not start with 'netctl: <sentence>' for: $(_quote "$@")"
    fi
    if [[ -n $OUT ]]; then
        _show_run "$@"
        fail "an error must not print to stdout: $(_quote "$@")"
    fi
}

# assert_eq GOT WANT WHAT
assert_eq() {
    if [[ $1 != "$2" ]]; then
        fail "$3: got '$1', want '$2'"
    fi
}
# assert_match GOT REGEX WHAT
assert_match() {
    if [[ ! $1 =~ $2 ]]; then
        fail "$3: '$1' does not match /$2/"
    fi
}

# --- the schedule -----------------------------------------------------------

# Each library defines netctl() for the client under test.
# snapshot FILE: the whole schedule as the client prints it as JSON.
snapshot() {
    netctl list --all --json >"$1" || fail "netctl list --all --json failed"
    jq -e 'type == "array"' "$1" >/dev/null || fail "list --json is not an array"
}

# assert_same_schedule BEFORE AFTER WHAT: byte-identical snapshots.
assert_same_schedule() {
    if ! cmp -s "$1" "$2"; then
        diff -u "$1" "$2" >&2 || true
        fail "the schedule changed: $3"
    fi
}

# --- the bus ------------------------------------------------------------------

# bus_has_name NAME: true when NAME has an owner on the session bus now.
bus_has_name() {
    [[ $(busctl --user call org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus NameHasOwner s "$1" 2>/dev/null) == "b true" ]]
}

# --- notification servers ------------------------------------------------------
# Both libraries set TEST_DIR, a per-test temp dir.

NOTIFY_NAME=org.freedesktop.Notifications

# mock_start: python3-dbusmock's notification_daemon template on the session
# bus, advertising the "actions" capability as dunst does (MOCK_CAPS, if
# set, replaces the capabilities).  Stopped at exit.
mock_start() {
    "$PY" -c 'import dbusmock' 2>/dev/null || fail "python3-dbusmock not importable by $PY"
    bus_has_name "$NOTIFY_NAME" && fail "$NOTIFY_NAME already has an owner"
    MOCK_LOG=$TEST_DIR/dbusmock.log
    "$PY" -m dbusmock --session --template notification_daemon \
        --parameters "{\"capabilities\": \"${MOCK_CAPS:-actions body body-markup persistence}\"}" \
        >>"$MOCK_LOG" 2>&1 </dev/null &
    MOCK_PID=$!
    [[ -n ${_MOCK_HOOKED:-} ]] || { on_exit mock_stop; _MOCK_HOOKED=1; }
    wait_until 15 bus_has_name "$NOTIFY_NAME" ||
        { cat "$MOCK_LOG" >&2; fail "dbusmock did not take $NOTIFY_NAME"; }
    log "dbusmock notification server (pid $MOCK_PID)"
}

mock_stop() {
    [[ -n ${MOCK_PID:-} ]] || return 0
    stop_pid "$MOCK_PID" 5
    MOCK_PID=
    wait_until 5 _notify_name_gone || true
}
_notify_name_gone() { ! bus_has_name "$NOTIFY_NAME"; }

# mock_calls: the recorded Notify calls as JSON (see notify-mock.py).
mock_calls() { "$PY" "$TESTLIB/notify-mock.py" calls; }
# mock_invoke NOTIFICATION_ID ACTION_KEY: the user clicks an action.
mock_invoke() { "$PY" "$TESTLIB/notify-mock.py" invoke "$1" "$2"; }

# mock_wait_notify JQ_FILTER [SECONDS]: wait until a recorded Notify call
# satisfies JQ_FILTER (applied to each call object, e.g.
# 'select(.body | contains("Ana"))'); the first such call goes to
# MOCK_CALL (JSON).
mock_wait_notify() {
    wait_until "${2:-15}" _mock_has "$1"
}
_mock_has() {
    MOCK_CALL=$(mock_calls 2>/dev/null | jq -c "[.[] | $1] | first // empty") &&
        [[ -n $MOCK_CALL ]]
}

# mock_count JQ_FILTER: how many recorded Notify calls satisfy JQ_FILTER.
mock_count() { mock_calls | jq "[.[] | $1] | length"; }

# hung_start [--hang-all]: tests/lib/hung-notifier.py on the session bus; it
# records each call in $HUNG_LOG and never answers Notify (with --hang-all,
# never answers anything).
hung_start() {
    bus_has_name "$NOTIFY_NAME" && fail "$NOTIFY_NAME already has an owner"
    HUNG_LOG=$TEST_DIR/hung-calls.jsonl
    : >"$HUNG_LOG"
    "$PY" "$TESTLIB/hung-notifier.py" "$HUNG_LOG" "$@" >>"$TEST_DIR/hung.out" 2>&1 </dev/null &
    HUNG_PID=$!
    [[ -n ${_HUNG_HOOKED:-} ]] || { on_exit hung_stop; _HUNG_HOOKED=1; }
    wait_until 15 bus_has_name "$NOTIFY_NAME" ||
        { cat "$TEST_DIR/hung.out" >&2; fail "hung-notifier did not take $NOTIFY_NAME"; }
    log "hung notification server (pid $HUNG_PID${1:+, $1})"
}

hung_stop() {
    [[ -n ${HUNG_PID:-} ]] || return 0
    stop_pid "$HUNG_PID" 5
    HUNG_PID=
    wait_until 5 _notify_name_gone || true
}

# hung_calls [METHOD]: how many calls (of METHOD) the hung server received.
hung_calls() {
    if [[ -n ${1:-} ]]; then
        jq -s --arg m "$1" '[.[] | select(.method == $m)] | length' "$HUNG_LOG"
    else
        jq -s length "$HUNG_LOG"
    fi
}

# show_field ID FIELD: FIELD of follow-up ID, from `netctl show ID --json`.
show_field() { netctl show "$1" --json | jq -r ".$2"; }
# field_is ID FIELD VALUE / field_is_not ID FIELD VALUE: for wait_until.
field_is() { [[ $(show_field "$1" "$2") == "$3" ]]; }
field_is_not() { [[ $(show_field "$1" "$2") != "$3" ]]; }

# sanitizer_build: whether the netctld under test was built with
# AddressSanitizer.  Not `ldd | grep -q`: grep leaves at the first match,
# and ldd, still writing, dies of SIGPIPE, which pipefail counts.
sanitizer_build() {
    local libs
    libs=$(ldd "$NETCTL_BUILD/netctld" 2>/dev/null) || true
    [[ $libs == *libasan* ]]
}

# --- JSON -----------------------------------------------------------------

need_cmd() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || fail "needed command not found: $c"
    done
}
need_cmd jq

# iso_to_epoch "2026-11-25T16:34:00Z" -> Unix seconds.
iso_to_epoch() { date -u -d "$1" +%s; }
