#!/bin/bash
# The Debian package: `dpkg-buildpackage -us -uc -b` on a copy of the tree
# (tracked and untracked files, not the ignored build directories) builds a
# .deb whose file list (`dpkg -c`) holds the binaries and the client's
# library (/usr/lib/netctl), the user unit under
# /usr/lib/systemd/user, the D-Bus activation file, the introspection XML,
# the man pages and the bash, zsh and fish completions, and nothing under a
# home directory; the installed unit and activation file point at
# /usr/bin/netctld; the package's version is the Makefile's; and lintian
# reports no errors.
#
# The package does not depend on the build under test: it runs once.
# tests/run: plain build only
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"


need_cmd dpkg-buildpackage dpkg-deb dpkg-parsechangelog dh git tar lintian

mktemp_dir netctl-package
T=$REPLY
mkdir "$T/src"
# What a clean clone would have, plus the work not yet committed.
git -C "$NETCTL_SRC" ls-files -z --cached --others --exclude-standard |
    tar -C "$NETCTL_SRC" --null -T - -cf - |
    tar -C "$T/src" -xf -
[[ -x $T/src/debian/rules ]] || fail "debian/rules missing or not executable"

log "dpkg-buildpackage -us -uc -b in $T/src"
if ! (cd "$T/src" && DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" \
    dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1; then
    tail -n 80 "$T/build.log" >&2
    fail "dpkg-buildpackage failed"
fi
ok "dpkg-buildpackage -us -uc -b"

version=$(sed -n 's/^VERSION := //p' "$NETCTL_SRC/Makefile")
deb_version=$(dpkg-parsechangelog -l "$NETCTL_SRC/debian/changelog" -S Version)
assert_eq "${deb_version%%-*}" "$version" "debian/changelog version vs the Makefile's VERSION"
deb=$T/netctl_${deb_version}_$(dpkg --print-architecture).deb
[[ -f $deb ]] || fail "no $deb; built: $(ls "$T")"

dpkg -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$T/files"
for f in \
    /usr/bin/netctl \
    /usr/bin/netctld \
    /usr/lib/netctl/libnetctl-client.so \
    /usr/lib/systemd/user/netctld.service \
    /usr/share/dbus-1/services/org.netctl.Netctl1.service \
    /usr/share/dbus-1/interfaces/org.netctl.Netctl1.xml \
    /usr/share/man/man1/netctl.1.gz \
    /usr/share/man/man5/netctl.conf.5.gz \
    /usr/share/man/man8/netctld.8.gz \
    /usr/share/bash-completion/completions/netctl \
    /usr/share/zsh/vendor-completions/_netctl \
    /usr/share/fish/vendor_completions.d/netctl.fish \
    /usr/share/doc/netctl/copyright \
    /usr/share/doc/netctl/netctl.conf.example; do
    grep -qxF "$f" "$T/files" || { cat "$T/files" >&2; fail "the package lacks $f"; }
done
ok "dpkg -c lists binaries, unit, activation file, XML, man pages, completions"
if grep -E '/(home|root)/|/\.local/|^/usr/local/' "$T/files"; then
    fail "the package installs into a home directory or /usr/local"
fi

dpkg-deb -x "$deb" "$T/root"
grep -qx 'ExecStart=/usr/bin/netctld' "$T/root/usr/lib/systemd/user/netctld.service" ||
    fail "the packaged unit does not start /usr/bin/netctld"
grep -qx 'Exec=/usr/bin/netctld' "$T/root/usr/share/dbus-1/services/org.netctl.Netctl1.service" ||
    fail "the packaged activation file does not run /usr/bin/netctld"
run "$T/root/usr/bin/netctl" --version
assert_eq "$OUT" "netctl $version" "packaged netctl --version"
run "$T/root/usr/bin/netctld" --version
assert_eq "$OUT" "netctld $version" "packaged netctld --version"
ok "the packaged unit and activation file run /usr/bin/netctld; versions $version"

# lintian: no errors (warnings and info are shown, not fatal).
run lintian --fail-on error --display-info "$T"/netctl_"${deb_version}"_*.changes
printf '%s\n' "$OUT" | grep -v '^$' >&2 || true
[[ $RC == 0 ]] || fail "lintian reports errors (exit $RC)"
ok "lintian: no errors"
