#!/bin/bash
# The daemon's files are private whatever the umask: netctld started with
# umask 000 (the unit sets UMask=0077, but D-Bus activation without
# systemd, or a user's own start, may not) creates
#  - the data directory netctl/ 0700 (and any missing parent 0700),
#  - netctl.db 0600, and its -wal and -shm files 0600,
#  - the watched inbox directory 0700;
# and an existing database file left 0644 (copied by hand, restored from
# a backup) is 0600 again once netctld has opened it.  Also checked here: netctld has no way to run another
# program (no system/popen/exec*/posix_spawn/fork among the symbols it
# imports: "no shelling out"), and SQL text is never built with printf-like
# formatting (store.c binds every value).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

bus_start
# A data home that does not exist yet: netctld creates the whole path.
export XDG_DATA_HOME=$BUS_DIR/fresh/data
umask 000
daemon_start
umask 077

netctl add -q "Something to write to the WAL" >/dev/null
netctl import /dev/null >/dev/null 2>&1 || true

mode() { stat -c %a "$1"; }
DIR=$XDG_DATA_HOME/netctl
DB=$DIR/netctl.db
assert_eq "$(mode "$DIR")" 700 "mode of $DIR (umask 000)"
assert_eq "$(mode "$XDG_DATA_HOME")" 700 "mode of the created parent $XDG_DATA_HOME"
assert_eq "$(mode "$DB")" 600 "mode of netctl.db (umask 000)"
for f in "$DB-wal" "$DB-shm"; do
    [[ -e $f ]] || fail "$f does not exist (WAL mode is on)"
    assert_eq "$(mode "$f")" 600 "mode of $(basename "$f") (umask 000)"
done
if [[ -d $DIR/inbox ]]; then
    assert_eq "$(mode "$DIR/inbox")" 700 "mode of the inbox (umask 000)"
fi
ok "umask 000: directory 0700, database, WAL and shm 0600"

# No world- or group-accessible file anywhere under the data directory.
loose=$(find "$XDG_DATA_HOME" -perm /077 -printf '%m %p\n')
[[ -z $loose ]] || fail "files readable by others under $XDG_DATA_HOME: $loose"
ok "nothing under the data directory is open to group or others"

daemon_stop
chmod 0644 "$DB"
umask 000
daemon_start
umask 077
assert_eq "$(mode "$DB")" 600 "mode of a 0644 database after netctld opened it"
ok "a database left 0644 is made 0600 when opened"

# --- no shelling out, prepared statements only ---------------------------------------

need_cmd nm
imports=$(nm -D --undefined-only "$NETCTL_BUILD/netctld" | awk '{print $NF}' | sed 's/@.*//')
bad=$(grep -xE 'system|popen|execl|execle|execlp|execv|execve|execvp|execvpe|fexecve|posix_spawn|posix_spawnp|fork|vfork|g_spawn_.*' <<<"$imports" || true)
[[ -z $bad ]] || fail "netctld imports functions that run programs: $bad"
ok "netctld imports no function that runs another program"

# Every SQL string is a constant; values are bound.  A formatted query
# would show as sqlite3_mprintf / a "%s" or "%q" inside SQL text.
store=$NETCTL_SRC/daemon/store.c
if grep -nE 'sqlite3_(v?mprintf|snprintf)' "$store"; then
    fail "store.c formats SQL text (sqlite3_mprintf); bind values instead"
fi
if grep -nE '"[^"]*(SELECT|INSERT|UPDATE|DELETE)[^"]*%[sqQwd]' "$store"; then
    fail "store.c has a format directive inside SQL text"
fi
sql_files=$(grep -lE 'sqlite3_(prepare|exec)' "$NETCTL_SRC"/daemon/*.c "$NETCTL_SRC"/common/*.c "$NETCTL_SRC"/client/*.c)
assert_eq "$sql_files" "$store" "the files that speak SQL"
ok "SQL only in store.c, no formatted SQL"
