#!/bin/bash
# Many devices, one network: two users' sessions (two HOMEs, two private
# buses, two netctld) and a Radicale CalDAV/CardDAV server on loopback,
# each HOME with its own vdirsyncer configuration pairing its tasks and
# contacts vdirs with the server:
#  - a follow-up added on A reaches B (sync A, sync B);
#  - completed on B, it is done on A (sync B, sync A);
#  - a contact edited on B changes on A, with A's interaction history;
#  - the same follow-up edited on both: the newer edit wins on both sides,
#    the losing version is kept and reported by `netctl sync status`.
# vdirsyncer runs with conflict_resolution = "b wins" (the server's
# version): netctl notices that the version it gets does not build on its
# own and keeps the newer one, which the next sync carries up.
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

for c in radicale vdirsyncer; do
    command -v "$c" >/dev/null || skip "$c not installed (Debian package $c)"
done
need_cmd dbus-daemon busctl jq curl
[[ -x $NETCTL_BUILD/netctld && -x $NETCTL_BUILD/netctl ]] || fail "netctld/netctl not built in $NETCTL_BUILD"

export TZ=UTC
mktemp_dir netctl-radicale
ROOT=$REPLY
TEST_DIR=$ROOT

# --- Radicale on 127.0.0.1, temp storage, htpasswd auth ---------------------------------

PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
RAD=$ROOT/radicale
USER_NAME=jobseeker
PASSWORD=s3cret-$$
mkdir -p "$RAD/collections/collection-root/$USER_NAME/tasks" \
    "$RAD/collections/collection-root/$USER_NAME/contacts"
# The collections, as Radicale itself stores them (no MKCALENDAR round).
printf '{"C:supported-calendar-component-set": "VTODO", "D:displayname": "netctl", "tag": "VCALENDAR"}' \
    >"$RAD/collections/collection-root/$USER_NAME/tasks/.Radicale.props"
printf '{"D:displayname": "netctl", "tag": "VADDRESSBOOK"}' \
    >"$RAD/collections/collection-root/$USER_NAME/contacts/.Radicale.props"
# Plain htpasswd: Debian's radicale 3 reads it without python3-bcrypt.
printf '%s:%s\n' "$USER_NAME" "$PASSWORD" >"$RAD/htpasswd"
cat >"$RAD/config" <<EOF
[server]
hosts = 127.0.0.1:$PORT
[auth]
type = htpasswd
htpasswd_filename = $RAD/htpasswd
htpasswd_encryption = plain
[rights]
type = owner_only
[storage]
filesystem_folder = $RAD/collections
[web]
type = none
[logging]
level = warning
EOF
radicale --config "$RAD/config" >"$RAD/log" 2>&1 &
RAD_PID=$!
on_exit "stop_pid $RAD_PID 10 || true"
radicale_up() { curl -s -o /dev/null -u "$USER_NAME:$PASSWORD" "http://127.0.0.1:$PORT/$USER_NAME/"; }
wait_until 20 radicale_up || { cat "$RAD/log" >&2; fail "Radicale did not answer on 127.0.0.1:$PORT"; }
log "radicale on 127.0.0.1:$PORT"

# --- two sessions -----------------------------------------------------------------------

declare -A ADDR DPID BPID

# home_start NAME: a HOME, a private bus, a netctld with [sync] vdirs and a
# vdirsyncer configuration for them.
home_start() {
    local n=$1 h=$ROOT/$1
    mkdir -p "$h/home" "$h/data" "$h/config/netctl" "$h/runtime" "$h/vdir/tasks" "$h/vdir/contacts"
    chmod 0700 "$h/runtime"
    cat >"$h/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:path=$h/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
    dbus-daemon --config-file="$h/bus.conf" --nofork --nopidfile --print-address=3 \
        3>"$h/address" >"$h/dbus.log" 2>&1 &
    BPID[$n]=$!
    on_exit "stop_pid ${BPID[$n]} 5 || true"
    wait_until 10 test -s "$h/address" || fail "dbus-daemon $n did not start"
    ADDR[$n]=$(head -n1 "$h/address")
    cat >"$h/config/netctl/netctl.conf" <<EOF
[sync]
tasks = $h/vdir/tasks
contacts = $h/vdir/contacts
EOF
    cat >"$h/vdirsyncer.conf" <<EOF
[general]
status_path = "$h/vdirsyncer-status/"

[pair tasks]
a = "tasks_local"
b = "tasks_remote"
collections = null
conflict_resolution = "b wins"

[storage tasks_local]
type = "filesystem"
path = "$h/vdir/tasks/"
fileext = ".ics"

[storage tasks_remote]
type = "caldav"
url = "http://127.0.0.1:$PORT/$USER_NAME/tasks/"
username = "$USER_NAME"
password = "$PASSWORD"

[pair contacts]
a = "contacts_local"
b = "contacts_remote"
collections = null
conflict_resolution = "b wins"

[storage contacts_local]
type = "filesystem"
path = "$h/vdir/contacts/"
fileext = ".vcf"

[storage contacts_remote]
type = "carddav"
url = "http://127.0.0.1:$PORT/$USER_NAME/contacts/"
username = "$USER_NAME"
password = "$PASSWORD"
EOF
    daemon_up "$n"
}

# on NAME CMD...: CMD in NAME's session.
session_env() {
    local h=$ROOT/$1
    SENV=(DBUS_SESSION_BUS_ADDRESS="${ADDR[$1]}" HOME="$h/home" XDG_DATA_HOME="$h/data"
        XDG_CONFIG_HOME="$h/config" XDG_RUNTIME_DIR="$h/runtime")
}
on() {
    local n=$1
    shift
    session_env "$n"
    env "${SENV[@]}" "$@"
}
A() { on A "$NETCTL_BUILD/netctl" "$@"; }
B() { on B "$NETCTL_BUILD/netctl" "$@"; }

daemon_up() {
    local n=$1
    session_env "$n"
    env "${SENV[@]}" "$NETCTL_BUILD/netctld" >>"$ROOT/$n/netctld.log" 2>&1 </dev/null &
    DPID[$n]=$!
    on_exit "daemon_down $n"
    has_name() { on "$1" busctl --user status org.netctl.Netctl1 >/dev/null 2>&1; }
    wait_until 15 has_name "$n" || { cat "$ROOT/$n/netctld.log" >&2; fail "netctld $n did not start"; }
    linked() { on "$1" "$NETCTL_BUILD/netctl" sync status --json | jq -e '.links | length == 2 and all(.in_step != null)' >/dev/null; }
    wait_until 10 linked "$n" || fail "netctld $n did not link its vdirs"
}
daemon_down() {
    local n=$1 pid=${DPID[$1]:-}
    [[ -n $pid ]] || return 0
    DPID[$n]=
    stop_pid "$pid" 10 || { cat "$ROOT/$n/netctld.log" >&2; log "FAIL: netctld $n did not stop"; return 1; }
    [[ $STOPPED_STATUS == 0 ]] || { cat "$ROOT/$n/netctld.log" >&2; log "FAIL: netctld $n exited $STOPPED_STATUS"; return 1; }
}

vsync() {
    local n=$1
    run on "$n" vdirsyncer -c "$ROOT/$n/vdirsyncer.conf" sync
    if [[ $RC != 0 ]]; then
        _show_run vdirsyncer sync
        fail "vdirsyncer sync on $n failed"
    fi
}

home_start A
home_start B
for n in A B; do
    run on "$n" vdirsyncer -c "$ROOT/$n/vdirsyncer.conf" discover
    [[ $RC == 0 ]] || { _show_run vdirsyncer discover; fail "vdirsyncer discover on $n failed"; }
done

# in_vdir NAME TEXT: a file of NAME's tasks vdir says TEXT.
in_vdir() { grep -rqF -- "$2" "$ROOT/$1/vdir/tasks" 2>/dev/null; }
card_in_vdir() { grep -rqF -- "$2" "$ROOT/$1/vdir/contacts" 2>/dev/null; }
id_of() { "$1" list --all --json | jq -r --arg t "$2" '.[] | select(.text == $t) | .id' | head -n1; }
has_text() { [[ -n $(id_of "$1" "$2") ]]; }
is_done() { "$1" show "$2" --json | jq -e '.done_at != null and .done_at != 0' >/dev/null; }

# --- a follow-up added on A reaches B -------------------------------------------------------

A contact add "Ana Lima" --email ana@example.org --tie weak --met "PyData" -q >/dev/null
A log ana-lima --kind coffee --gave "feedback on her talk" --got "a lead: data team" >/dev/null
A log ana-lima --kind email >/dev/null
ID_A=$(A add "Send Ana the deck" --in 1d --contact ana-lima -q)
wait_until 2 in_vdir A "SUMMARY:Send Ana the deck" || fail "A did not write the follow-up"
wait_until 2 card_in_vdir A "FN:Ana Lima" || fail "A did not write the contact"
vsync A
vsync B
wait_until 5 has_text B "Send Ana the deck" || { cat "$ROOT/B/netctld.log" >&2; fail "the follow-up added on A did not reach B"; }
B contact show ana@example.org >/dev/null 2>&1 || fail "the contact added on A did not reach B"
assert_eq "$(B contact show ana@example.org --json | jq -r .contact.tie)" weak "tie on B (X-NETCTL-TIE)"
assert_eq "$(B list --all --json | jq '[.[] | select(.text == "Send Ana the deck")] | length')" 1 \
    "copies of the follow-up on B"
# vdirsyncer brought the follow-up before the contact it names.
linked_on_b() { [[ $(B list --all --json | jq -r '.[] | select(.text == "Send Ana the deck") | .contact') == ana-lima ]]; }
wait_until 2 linked_on_b || fail "the follow-up on B is not linked to Ana (X-NETCTL-CONTACT)"
ok "added on A, synced A then B: the follow-up and the contact are on B"

# --- completed on B, done on A --------------------------------------------------------------

ID_B=$(id_of B "Send Ana the deck")
B done "$ID_B" >/dev/null
wait_until 2 in_vdir B "STATUS:COMPLETED" || fail "B did not write the completion"
vsync B
vsync A
wait_until 5 is_done A "$ID_A" || fail "completed on B, not done on A"
ok "completed on B, synced B then A: done on A"

# --- a contact edited on B ------------------------------------------------------------------

B contact edit ana@example.org --name "Ana Lima-Souza" --email ana@newjob.example --rm-email ana@example.org >/dev/null
wait_until 2 card_in_vdir B "FN:Ana Lima-Souza" || fail "B did not write the contact"
vsync B
vsync A
name_on_a() { [[ $(A contact show ana-lima --json | jq -r .contact.name) == "Ana Lima-Souza" ]]; }
wait_until 5 name_on_a || fail "the name edited on B did not reach A"
assert_eq "$(A contact show ana-lima --json | jq -r '.contact.emails | join(",")')" ana@newjob.example "e-mails on A"
assert_eq "$(A contact show ana-lima --json | jq '.interactions | length')" 2 "A's interactions with Ana"
assert_eq "$(A contact show ana-lima --json | jq -r .contact.met)" PyData "met on A"
ok "a contact edited on B changes on A; A's interaction history is intact"

# --- the same follow-up edited on both ------------------------------------------------------

ID_A2=$(A add "Draft the cover letter" --in 2d -q)
wait_until 2 in_vdir A "SUMMARY:Draft the cover letter" || fail "not written on A"
vsync A
vsync B
wait_until 5 has_text B "Draft the cover letter" || fail "not on B"
ID_B2=$(id_of B "Draft the cover letter")
A edit "$ID_A2" --text "Draft the cover letter (A older)" >/dev/null
# B's edit is later by the clock (LAST-MODIFIED has whole seconds).
t=$(now_s)
later() { (($(now_s) > t)); }
wait_until 3 later
B edit "$ID_B2" --text "Draft the cover letter (B newer)" >/dev/null
wait_until 2 in_vdir A "(A older)" || fail "not written on A"
wait_until 2 in_vdir B "(B newer)" || fail "not written on B"
vsync A          # the server has A's edit
vsync B          # vdirsyncer: conflict, the server's (A's) version into B's vdir
# netctl B keeps its newer edit and writes it back.
b_kept() { B show "$ID_B2" --json | jq -e '.text == "Draft the cover letter (B newer)"' >/dev/null && in_vdir B "(B newer)"; }
wait_until 5 b_kept || fail "B lost its newer edit to the older one from A"
vsync B          # B's version up
vsync A
a_took() { A show "$ID_A2" --json | jq -e '.text == "Draft the cover letter (B newer)"' >/dev/null; }
wait_until 5 a_took || fail "the newer edit from B did not win on A"
# B saw both versions and settled it: B reports it and keeps the loser.
run B sync status --json
jq -e '.conflicts | map(select(.what | test("Draft the cover letter"))) | length >= 1' <<<"$OUT" >/dev/null ||
    fail "B does not report the conflict: $OUT"
lost_kept() {
    sqlite3 "$ROOT/$1/data/netctl/netctl.db" "SELECT lost FROM sync_conflicts" | grep -qF "$2"
}
if command -v sqlite3 >/dev/null; then
    lost_kept B "(A older)" || fail "B did not keep the losing version"
fi
ok "edited on both: the newer edit wins on both, the loser is kept and reported"

# Both sides agree in the end.
vsync A
vsync B
texts() { "$1" list --all --json | jq -r '[.[] | select(.kind == "followup") | "\(.text)|\(.done_at != null)"] | sort | .[]'; }
agree() { [[ $(texts A) == "$(texts B)" ]]; }
wait_until 5 agree || { diff <(texts A) <(texts B) >&2 || true; fail "A and B disagree"; }
ok "A and B show the same follow-ups"
