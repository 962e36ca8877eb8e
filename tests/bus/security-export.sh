#!/bin/bash
# `netctl export DIR/` never writes outside DIR, whatever the UIDs of the
# items (UIDs come from strangers' invites).  Invites are imported with
# UIDs such as "../../escape", "/tmp/abs", "..", ".", ".hidden", "a/b/c",
# "dir/../../../etc/passwd", 300 bytes, a colon and a dollar, non-ASCII with a
# slash, and one that spells the very file name another UID is encoded to
# (a collision attempt).  Then:
#  - nothing new appears outside DIR (the whole test directory is compared
#    before and after), and no file named after a hostile UID appears in
#    it or in /tmp;
#  - DIR holds only regular files, directly in it, named NAME.ics with no
#    "/" and no leading ".", at most 255 bytes;
#  - each UID is in exactly one file (python3-icalendar reads them), so no
#    two UIDs share a file name;
#  - a symlink planted in DIR under an item's file name (pointing at a
#    file outside) is replaced, not followed: the outside file is
#    unchanged;
#  - a second export writes nothing (stable names).
# (tests/bus/export.sh covers export itself and the everyday UIDs.)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"
# shellcheck source=../lib/ics.sh
. "$(dirname "$0")/../lib/ics.sh"

"$PY" -c 'import icalendar' 2>/dev/null ||
    skip "python3-icalendar not importable by $PY (Debian package python3-icalendar)"
export TZ=Europe/Berlin
bus_start
daemon_start

# The name the client gives a UID that is not plain (client/meetings.c
# uid_file_name): "x-" + hex of up to 31 bytes + "-" + FNV-1a 64 + ".ics".
encoded_name() {
    "$PY" - "$1" <<'EOF'
import sys
uid = sys.argv[1].encode()
h = 1469598103934665603
for b in uid:
    h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
hexpart = ''
for b in uid:
    if len('x-' + hexpart) + 3 >= 256 or len('x-' + hexpart) >= 64:
        break
    hexpart += '%02x' % b
print('x-%s-%016x' % (hexpart, h))
EOF
}

long=$(printf 'L%.0s' $(seq 1 300))
UIDS=(
    "../../escape-1@example.com"
    "/tmp/netctl-abs-uid-$$"
    ".."
    "."
    ".hidden@example.com"
    "a/b/c"
    "dir/../../../etc/passwd-$$"
    "$long@example.com"
    "colon:and\$dollar@example.com"
    "ünï/cödé@example.com"
    "safe-uid@example.com"
)
# A UID that is exactly the encoded file name of "a/b/c", minus ".ics".
UIDS+=("$(encoded_name "a/b/c")")

GEN=$TEST_DIR/gen
mkdir -p "$GEN"
now=$(now_s)
i=0
for uid in "${UIDS[@]}"; do
    i=$((i + 1))
    start=$((now + (i + 1) * 86400))
    invite "$GEN/$i.ics" uid="$uid" summary="Hostile UID $i" \
        start="$(ics_local Europe/Berlin "$start")" end="$(ics_local Europe/Berlin $((start + 3600)))"
    run netctl import "$GEN/$i.ics"
    [[ $RC == 0 ]] || { _show_run netctl import "$GEN/$i.ics"; fail "import of UID '$uid' failed"; }
done
expect_ok netctl meetings --json
for uid in "${UIDS[@]}"; do
    jq -e --arg u "$uid" '[.. | strings] | index($u) != null' <<<"$OUT" >/dev/null ||
        fail "UID '$uid' not stored intact"
done
ok "${#UIDS[@]} invites with hostile UIDs imported, UIDs stored intact"

# --- the target, with a planted symlink ---------------------------------------------------
PARENT=$TEST_DIR/parent
OUTDIR=$PARENT/out
mkdir -p "$OUTDIR"
echo "precious, not netctl's" >"$PARENT/outside.txt"
ln -s ../outside.txt "$OUTDIR/safe-uid@example.com.ics"
outside_sum=$(sha256sum <"$PARENT/outside.txt")

# Everything in the test's directory but the target (a UID climbing out
# with ".." lands here first); beyond it, files named after the UIDs are
# looked for in /tmp and the test directory below.
list_fs() {
    find "$TEST_DIR" -path "$OUTDIR" -prune -o -path "$TEST_DIR/fs-*" -prune -o -print | sort
}
list_fs >"$TEST_DIR/fs-before"

expect_rc 0 netctl export "$OUTDIR/"
log "$OUT"
list_fs >"$TEST_DIR/fs-after"
new=$(comm -13 "$TEST_DIR/fs-before" "$TEST_DIR/fs-after" || true)
[[ -z $new ]] || fail "export created files outside $OUTDIR: $new"
for pat in 'escape-1*' "netctl-abs-uid-$$*" "passwd-$$*"; do
    found=$(find "$TEST_DIR" /tmp -maxdepth 4 -name "$pat" 2>/dev/null | grep -v "^$GEN" || true)
    [[ -z $found ]] || fail "a file named after a hostile UID appeared: $found"
done
ok "nothing written outside $OUTDIR"

# --- what is in the directory ------------------------------------------------------------------
[[ -z $(find "$OUTDIR" -mindepth 1 ! -type f) ]] ||
    fail "export left something other than regular files: $(find "$OUTDIR" -mindepth 1 ! -type f)"
while IFS= read -r name; do
    [[ $name == *.ics && $name != .* ]] || fail "unexpected file name in the export: '$name'"
    ((${#name} <= 255)) || fail "file name longer than 255 bytes: $name"
done < <(ls -A "$OUTDIR")
assert_eq "$(sha256sum <"$PARENT/outside.txt")" "$outside_sum" "the file the planted symlink pointed at"
ok "only regular files named NAME.ics; the planted symlink was replaced, its target untouched"

"$PY" - "$OUTDIR" "${UIDS[@]}" >"$TEST_DIR/uids.out" 2>&1 <<'EOF' || { cat "$TEST_DIR/uids.out" >&2; fail "UIDs and files do not match one to one"; }
import os, sys
import icalendar
outdir, uids = sys.argv[1], sys.argv[2:]
where = {}
for name in sorted(os.listdir(outdir)):
    with open(os.path.join(outdir, name), 'rb') as f:
        cal = icalendar.Calendar.from_ical(f.read())
    for comp in cal.walk():
        if comp.name in ('VEVENT', 'VTODO') and 'UID' in comp:
            where.setdefault(str(comp['UID']), set()).add(name)
bad = 0
for uid in uids:
    files = where.get(uid, set())
    if len(files) != 1:
        print('UID %r is in %d files: %s' % (uid, len(files), sorted(files)))
        bad += 1
shared = {}
for uid, files in where.items():
    for f in files:
        shared.setdefault(f, set()).add(uid)
for f, us in shared.items():
    if len(us) > 1:
        print('file %s holds %d UIDs: %s' % (f, len(us), sorted(us)))
        bad += 1
sys.exit(1 if bad else 0)
EOF
ok "each hostile UID is in exactly one file, and no file holds two UIDs"

expect_rc 0 netctl export "$OUTDIR/"
assert_match "$OUT" ' 0 written' "a second export"
ok "a second export rewrites nothing: $OUT"
