#!/bin/bash
# Disk full: XDG_DATA_HOME is a 2 MiB tmpfs (in a private mount namespace:
# unshare -m, so it needs root), filled to the last block by another file.
#  - writes (follow-ups, contacts, interactions, an import) fail with
#    org.netctl.Netctl1.Error.NoSpace "The disk is full; nothing was
#    changed." (the client: exit 1 and a sentence); each write that failed
#    left nothing behind and each that succeeded is there;
#  - the daemon keeps serving reads (list, show, status, contact list)
#    and does not crash (SQLite's shared-memory file is extended by
#    writing, never by faulting on a full tmpfs);
#  - when space comes back (the filler removed), writes work again, with
#    no restart, and the database passes PRAGMA integrity_check.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"
# shellcheck source=../lib/ics.sh
. "$(dirname "$0")/../lib/ics.sh"

if [[ -z ${NETCTL_DISKFULL_NS:-} ]]; then
    [[ $EUID -eq 0 ]] || skip "needs root: a small tmpfs is mounted in a private mount namespace (unshare -m)"
    unshare --mount --propagation private true 2>/dev/null || skip "unshare -m is not permitted here"
    exec unshare --mount --propagation private -- env NETCTL_DISKFULL_NS=1 "$BASH" "$0" "$@"
fi

need_cmd sqlite3
export TZ=Europe/Berlin
bus_start
mount -t tmpfs -o size=2m,mode=0700 netctl-full "$XDG_DATA_HOME" || fail "cannot mount a tmpfs on $XDG_DATA_HOME"
on_exit "umount -l '$XDG_DATA_HOME'"
DB=$XDG_DATA_HOME/netctl/netctl.db
daemon_start

netctl contact add -q "Ana Lima" --email ana@example.org >/dev/null
KEPT=()
for i in 1 2 3; do KEPT+=("$(netctl add -q "Before the disk filled $i" --in 2d)"); done

# Fill the file system to the last block.
FILLER=$XDG_DATA_HOME/filler
dd if=/dev/zero of="$FILLER" bs=4096 status=none 2>/dev/null || true
dd if=/dev/zero of="$FILLER.2" bs=512 status=none 2>/dev/null || true
avail=$(df --output=avail -B1 "$XDG_DATA_HOME" | tail -n1 | tr -d ' ')
log "file system full: $avail bytes available"

# Writes until one fails: the WAL may still have room from before.
failed=
for i in $(seq 1 200); do
    run netctl add -q "While full $i" --in 2d
    if [[ $RC != 0 ]]; then
        failed=$i
        break
    fi
    KEPT+=("$OUT")
done
[[ -n $failed ]] || fail "200 adds succeeded on a full file system"
[[ $ERR == "netctl: The disk is full; nothing was changed." || $ERR == *"disk is full"* ]] ||
    fail "client message on a full disk: '$ERR'"
assert_eq "$RC" 1 "client exit status on a full disk"
log "add $failed failed: $ERR"
expect_bus_error NoSpace Followups Add 'sxa{sv}' "Raw add while full" "$(($(now_s) + 3600))" 0
assert_eq "$BUS_ERROR_MESSAGE" "The disk is full; nothing was changed." "NoSpace message"
ok "writes fail with NoSpace: '$BUS_ERROR_MESSAGE'"

# Other writes fail the same way.
expect_cli_error 1 netctl contact add "Bo Chen, added while full"
assert_match "$ERR" 'disk is full' "contact add while full"
expect_cli_error 1 netctl log ana@example.org --kind coffee --note "logged while full"
assert_match "$ERR" 'disk is full' "log while full"
now=$(now_s)
invite "$TEST_DIR/full.ics" uid=full-1@example.com summary="Imported while full" \
    start="$(ics_local Europe/Berlin $((now + 86400)))" end="$(ics_local Europe/Berlin $((now + 90000)))"
run netctl import "$TEST_DIR/full.ics"
said="$OUT $ERR"
[[ $RC != 0 && $said == *"full"* ]] || fail "import while full: exit $RC, '$OUT' '$ERR'"
ok "contact add, log and import fail with a clear message too"

# Reads are served.
expect_ok netctl status
expect_ok netctl list --all --json
for id in "${KEPT[@]}"; do
    jq -e --argjson id "$id" 'any(.[]; .id == $id)' <<<"$OUT" >/dev/null ||
        fail "acknowledged follow-up #$id is missing while the disk is full"
done
jq -e '[.[] | select(.text | test("While full '"$failed"'$|Raw add while full"))] | length == 0' <<<"$OUT" >/dev/null ||
    fail "a refused add was stored"
expect_ok netctl contact list --json
assert_eq "$(jq length <<<"$OUT")" 1 "contacts while full"
expect_ok netctl show "${KEPT[0]}"
daemon_alive || fail "netctld died on a full disk"
ok "reads served while full; ${#KEPT[@]} acknowledged follow-ups present, refused ones absent"

# --- space comes back ------------------------------------------------------------------------
rm -f "$FILLER" "$FILLER.2"
id=$(netctl add -q "After space came back") || fail "add after space came back"
expect_ok netctl contact add -q "Bo Chen" 
expect_ok netctl log ana@example.org --kind coffee --note "after" -q
expect_rc 0 netctl import "$TEST_DIR/full.ics"
assert_eq "$(show_field "$id" text)" "After space came back" "the add after recovery"
daemon_alive || fail "netctld died"
for k in "${KEPT[@]}"; do
    show_field "$k" id >/dev/null || fail "#$k lost after recovery"
done
daemon_stop
assert_eq "$(sqlite3 "file:$DB?mode=ro" 'PRAGMA integrity_check;')" ok "PRAGMA integrity_check"
ok "space back: writes work again without a restart; integrity_check ok"
