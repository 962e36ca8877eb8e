#!/bin/bash
# `make install` as a user and as a packager, on a copy of the build
# directory under test (so the shared one is left as it was):
#  - PREFIX=~/.local: binaries in ~/.local/bin, the client's library in
#    ~/.local/lib/netctl (netctl runs from there: --version, help), the unit in
#    ~/.local/share/systemd/user, the activation file in
#    ~/.local/share/dbus-1/services, both pointing at ~/.local/bin/netctld;
#  - PREFIX=/usr DESTDIR=...: the unit under /usr/lib/systemd/user, paths
#    inside the files are /usr/bin (DESTDIR never leaks into them);
#  - the generated files follow PREFIX even when a build for another PREFIX
#    already generated them (the usual `make && make install PREFIX=/usr`);
#  - make uninstall removes what install put there.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

mktemp_dir netctl-install
T=$REPLY
build=$T/build
cp -a "$NETCTL_BUILD" "$build"
# The binaries under test are up to date whatever the sources say now.
mk() {
    make -C "$NETCTL_SRC" --no-print-directory -o "$build/netctld" -o "$build/netctl" \
        -o "$build/libnetctl-client.so" BUILD="$build" "$@"
}

# check_tree ROOT PREFIX UNITDIR: what install must have put under ROOT.
check_tree() {
    local root=$1 prefix=$2 unitdir=$3
    local unit=$root$unitdir/netctld.service
    local act=$root$prefix/share/dbus-1/services/org.netctl.Netctl1.service
    [[ -x $root$prefix/bin/netctld && -x $root$prefix/bin/netctl ]] || fail "binaries missing under $root$prefix/bin"
    cmp -s "$build/netctld" "$root$prefix/bin/netctld" || fail "installed netctld is not the one built"
    cmp -s "$build/libnetctl-client.so" "$root$prefix/lib/netctl/libnetctl-client.so" ||
        fail "the client's library is not installed as $root$prefix/lib/netctl/libnetctl-client.so"
    # The installed netctl finds its library where it was installed, and
    # no other: the build directory's is out of its reach.
    local out
    out=$(cd / && "$root$prefix/bin/netctl" --version 2>&1) || fail "installed netctl --version: $out"
    [[ $out == "netctl "* ]] || fail "installed netctl --version printed: $out"
    out=$(cd / && "$root$prefix/bin/netctl" help add 2>&1) || fail "installed netctl help add: $out"
    [[ $out == *"--every"* ]] || fail "installed netctl help add printed: $out"
    [[ -f $unit ]] || fail "unit missing: $unit"
    [[ -f $act ]] || fail "activation file missing: $act"
    grep -qx "ExecStart=$prefix/bin/netctld" "$unit" ||
        fail "$unit: ExecStart is '$(grep ExecStart= "$unit")', want $prefix/bin/netctld"
    grep -qx "Name=org.netctl.Netctl1" "$act" || fail "$act: no Name=org.netctl.Netctl1"
    grep -qx "SystemdService=netctld.service" "$act" || fail "$act: no SystemdService=netctld.service"
    if grep -q '^Exec=' "$act"; then
        grep -qx "Exec=$prefix/bin/netctld" "$act" || fail "$act: Exec is '$(grep Exec= "$act")', want $prefix/bin/netctld"
    fi
    if [[ -n $root ]] && grep -qF "$root" "$unit" "$act"; then
        fail "DESTDIR leaked into the installed unit or activation file"
    fi
    [[ -f $root$prefix/share/dbus-1/interfaces/org.netctl.Netctl1.xml ]] ||
        fail "introspection XML not installed under $prefix/share/dbus-1/interfaces"
}

# A user's install.
home=$T/home
mk install PREFIX="$home/.local" >"$T/user.log" 2>&1 || { cat "$T/user.log" >&2; fail "make install PREFIX=~/.local failed"; }
check_tree "" "$home/.local" "$home/.local/share/systemd/user"
ok "make install PREFIX=~/.local"

# A packager's, after a build generated the files for the user's prefix.
pkg=$T/pkg
mk install PREFIX=/usr DESTDIR="$pkg" >"$T/pkg.log" 2>&1 || { cat "$T/pkg.log" >&2; fail "make install PREFIX=/usr DESTDIR=... failed"; }
check_tree "$pkg" /usr /usr/lib/systemd/user
[[ ! -e $pkg/usr/share/systemd/user/netctld.service ]] || fail "PREFIX=/usr also put a unit under share/"
ok "make install PREFIX=/usr DESTDIR=...: units under lib/systemd/user, paths without DESTDIR"

# And back: a home install after the packager's must not point at /usr.
rm -rf "$home"
mk install PREFIX="$home/.local" >"$T/user2.log" 2>&1 || { cat "$T/user2.log" >&2; fail "second make install failed"; }
check_tree "" "$home/.local" "$home/.local/share/systemd/user"
ok "generated files follow PREFIX from one install to the next"

mk uninstall PREFIX="$home/.local" >/dev/null 2>&1 || fail "make uninstall failed"
left=$(find "$home" -type f 2>/dev/null)
[[ -z $left ]] || fail "make uninstall left: $left"
mk uninstall PREFIX=/usr DESTDIR="$pkg" >/dev/null 2>&1 || fail "make uninstall DESTDIR=... failed"
left=$(find "$pkg" -type f 2>/dev/null)
[[ -z $left ]] || fail "make uninstall DESTDIR=... left: $left"
ok "make uninstall removes every installed file"
