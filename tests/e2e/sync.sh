#!/bin/bash
# Two-way vdir sync in a real user session: netctld started by the installed,
# hardened unit (UMask=0077, SystemCallFilter, RestrictAddressFamilies=AF_UNIX)
# with [sync] tasks and contacts vdirs where vdirsyncer keeps them:
#  - a follow-up added with netctl appears in the tasks vdir as a VTODO file
#    (one per item, no temporary file left, private to the user);
#  - another program completing that VTODO (written to a temporary file and
#    renamed, as vdirsyncer does) makes `netctl show` say done;
#  - a vCard dropped into the contacts vdir becomes a contact;
#  - a VTODO edited while netctld is stopped is applied when the next netctl
#    call starts it again.
# shellcheck source-path=SCRIPTDIR disable=SC1010  # "done" is a verb here
set -euo pipefail
# shellcheck source=../lib/session.sh
. "$(dirname "$0")/../lib/session.sh"
session_init "$@"

TASKS=$XDG_DATA_HOME/vdirsyncer/tasks/netctl
CARDS=$XDG_DATA_HOME/vdirsyncer/contacts/netctl
mkdir -p "$TASKS" "$CARDS" "$XDG_CONFIG_HOME/netctl"
cat >"$XDG_CONFIG_HOME/netctl/netctl.conf" <<EOF
[sync]
tasks = $TASKS
contacts = $CARDS
EOF
session_install_netctl
session_use_dbusmock_notifications
session_assert_private_db
netctld_active || fail "netctld.service is not active"

file_of() { grep -l "^UID:$1" "$TASKS"/*.ics 2>/dev/null | head -n1 || true; }
has_file() { [[ -n $(file_of "$1") ]]; }
is_done() { [[ $(netctl show "$1" --json | jq -r .done_at) != null ]]; }

# --- netctl -> vdir ---------------------------------------------------------------

ID=$(netctl add -q "Send Ana the article on data teams" --in 2d)
UID_=$(netctl show "$ID" --json | jq -r .uid)
wait_until 10 has_file "$UID_" || fail "the follow-up did not appear in $TASKS: $(ls -la "$TASKS")"
F=$(file_of "$UID_")
grep -q '^SUMMARY:Send Ana the article on data teams' "$F" || fail "wrong SUMMARY in $F: $(cat "$F")"
grep -q '^STATUS:NEEDS-ACTION' "$F" || fail "a new follow-up is not NEEDS-ACTION in $F"
[[ -z $(find "$TASKS" -name '.*' -type f) ]] || fail "temporary files left in $TASKS"
assert_eq "$(stat -c %a "$F")" 600 "mode of the VTODO file netctld wrote (UMask=0077)"
ok "a follow-up added with netctl appears in the tasks vdir ($(basename "$F"))"

# --- vdir -> netctl ---------------------------------------------------------------

# complete FILE: as another program would, through a temporary file and a
# rename in the same directory.
complete() {
    local tmp
    tmp=$(dirname "$1")/.complete.$$.tmp
    sed -e 's/^STATUS:NEEDS-ACTION\r\{0,1\}$/STATUS:COMPLETED\r/' \
        -e "s/^END:VTODO\r\{0,1\}\$/COMPLETED:$(date -u +%Y%m%dT%H%M%SZ)\r\nEND:VTODO\r/" \
        -e 's/^SEQUENCE:\([0-9]*\)\r\{0,1\}$/SEQUENCE:9\r/' "$1" >"$tmp"
    grep -q '^SEQUENCE:' "$tmp" || sed -i "s/^END:VTODO\r\{0,1\}\$/SEQUENCE:9\r\nEND:VTODO\r/" "$tmp"
    mv "$tmp" "$1"
}
complete "$F"
wait_until 10 is_done "$ID" || fail "completing the VTODO in the vdir did not mark #$ID done: $(cat "$F")"
ok "a VTODO completed by another program marks the follow-up done"

cat >"$CARDS/bo-chen.vcf" <<'EOF'
BEGIN:VCARD
VERSION:4.0
UID:urn:uuid:7d3f3d6e-6f0e-4a8e-9b4e-3c1b0e2f9a11
FN:Bo Chen
EMAIL:bo@example.org
ORG:Data Team
END:VCARD
EOF
has_contact() { netctl contact list --json | jq -e 'any(.[]; .emails | index("bo@example.org"))' >/dev/null; }
wait_until 10 has_contact || fail "the vCard dropped into $CARDS did not become a contact: $(netctl contact list --json)"
ok "a vCard dropped into the contacts vdir becomes a contact"

# --- changed while netctld is stopped -----------------------------------------------------

ID2=$(netctl add -q "Thank Bo for the intro" --in 3d)
UID2=$(netctl show "$ID2" --json | jq -r .uid)
wait_until 10 has_file "$UID2" || fail "the second follow-up did not appear in the vdir"
F2=$(file_of "$UID2")
systemctl --user stop netctld.service
netctld_active && fail "netctld did not stop"
complete "$F2"
expect_ok netctl status         # starts netctld again
wait_until 10 is_done "$ID2" || fail "a VTODO completed while netctld was stopped was not applied on start"
ok "a VTODO completed while netctld was stopped is applied when it starts again"
