#!/bin/bash
# The man pages netctl(1), netctld(8) and netctl.conf(5):
#  - built by the Makefile's rule from share/man/*.scd (into a temp dir, so
#    the sources as they are now are checked), and `man --warnings -l`
#    renders each without a single warning;
#  - complete: every verb of `netctl --help` has a "## netctl VERB" section
#    in netctl(1) and every long option its --help synopsis shows is in
#    it; every key of daemon/config.c's table is in netctl.conf(5); every
#    interface, method, signal and property of the introspection XML is in
#    netctld(8);
#  - found: after `make install` into a home-style prefix, `man -w` finds
#    each page through PATH (man-db maps ~/.local/bin to ~/.local/share/man),
#    as it does after the README's `make setup`.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

need_cmd scdoc man make

mktemp_dir netctl-man
T=$REPLY
pages=(netctl.1 netctld.8 netctl.conf.5)

for page in "${pages[@]}"; do
    [[ -f $NETCTL_SRC/share/man/$page.scd ]] || fail "share/man/$page.scd missing"
    run make -s -C "$NETCTL_SRC" BUILD="$T/b" "$T/b/man/$page"
    [[ $RC == 0 ]] || { _show_run make "$page"; fail "building $page failed"; }
    # Warnings go to stderr; the rendered page to stdout.
    run env LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$T/b/man/$page"
    [[ $RC == 0 ]] || fail "man -l $page failed: $ERR"
    [[ -z $ERR ]] || fail "man --warnings -l $page warns: $ERR"
    [[ $OUT == *NAME* && $OUT == *"SEE ALSO"* ]] || fail "$page renders without NAME or SEE ALSO"
    ok "$page builds and renders without warnings"
done
grep -q '^\.TH "netctl" "1" .*"netctl [0-9]' "$T/b/man/netctl.1" ||
    fail "netctl.1: @VERSION@ not substituted in .TH"

# --- complete ----------------------------------------------------------------

scd=$NETCTL_SRC/share/man
run "$NETCTL_BUILD/netctl" --help
[[ $RC == 0 ]] || fail "netctl --help failed"
verbs=$(printf '%s\n' "$OUT" | sed -n '/^Verbs:/,/^$/p' | awk 'NF > 1 && $1 != "Verbs:" { print $1 }')
[[ -n $verbs ]] || fail "no verbs in netctl --help"
missing=()
for verb in $verbs; do
    grep -qx "## netctl $verb" "$scd/netctl.1.scd" || missing+=("$verb")
done
((${#missing[@]} == 0)) ||
    fail "netctl(1) has no '## netctl VERB' section for: ${missing[*]} (document new verbs in share/man/netctl.1.scd)"
ok "every verb of netctl --help has a section in netctl(1): ${verbs//$'\n'/ }"

missing=()
for verb in $verbs; do
    run "$NETCTL_BUILD/netctl" "$verb" --help
    for opt in $(printf '%s\n' "$OUT" | sed '/^WHEN:/,$d' | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
        grep -qF -- "*$opt*" "$scd/netctl.1.scd" || missing+=("$verb $opt")
    done
done
((${#missing[@]} == 0)) || fail "options missing from netctl(1): ${missing[*]}"
ok "every option of every verb's --help is in netctl(1)"

keys=$(sed -n '/^static const KeySpec keys\[\] = {/,/^};/p' "$NETCTL_SRC/daemon/config.c" |
    grep -oE '\{ *"[a-z_]+", *"[a-z_]+"' | sed -E 's/\{ *"([a-z_]+)", *"([a-z_]+)"/\1.\2/')
[[ -n $keys ]] || fail "no keys found in daemon/config.c"
missing=()
for k in $keys; do
    section=${k%%.*} key=${k#*.}
    grep -qx "# \[$section\]" "$scd/netctl.conf.5.scd" || missing+=("[$section]")
    grep -q "^\*$key\* = " "$scd/netctl.conf.5.scd" || missing+=("$key")
    grep -q "^$key = " "$NETCTL_SRC/share/netctl.conf.example" "$scd/netctl.conf.5.scd" ||
        grep -q "^#$key = " "$NETCTL_SRC/share/netctl.conf.example" || missing+=("$key (no example)")
done
((${#missing[@]} == 0)) || fail "netctl.conf(5) lacks: ${missing[*]}"
ok "every config key is in netctl.conf(5): ${keys//$'\n'/ }"

xml=$NETCTL_SRC/share/org.netctl.Netctl1.xml
missing=()
# shellcheck disable=SC2013 # names, one word each
for iface in $(grep -oE '<interface name="org\.netctl\.[^"]+"' "$xml" | cut -d'"' -f2); do
    grep -qx "## $iface" "$scd/netctld.8.scd" || missing+=("$iface")
    # shellcheck disable=SC2013
    for member in $(sed -n "/<interface name=\"$iface\"/,/<\/interface>/p" "$xml" |
        grep -oE '<(method|signal|property) name="[A-Za-z]+"' | cut -d'"' -f2); do
        sed -n "/^## $iface\$/,/^## /p" "$scd/netctld.8.scd" | grep -qE "\*$member\*" ||
            missing+=("$iface.$member")
    done
done
((${#missing[@]} == 0)) || fail "netctld(8) does not describe: ${missing[*]}"
ok "every interface and member of the introspection XML is in netctld(8)"

# --- found by man after a home install -----------------------------------------

home=$T/home
run make -s -C "$NETCTL_SRC" -o all BUILD="$NETCTL_BUILD" PREFIX="$home/.local" install
[[ $RC == 0 ]] || { _show_run make install; fail "make install PREFIX=$home/.local failed"; }
for page in "${pages[@]}"; do
    section=${page##*.} name=${page%.*}
    want=$home/.local/share/man/man$section/$page
    [[ -f $want ]] || fail "make install did not put $page at $want"
    cmp -s "$want" "$NETCTL_BUILD/man/$page" || fail "installed $page is not the built one"
    # A login shell on Debian has ~/.local/bin in PATH; man-db derives
    # ~/.local/share/man from it.
    run env -u MANPATH HOME="$home" PATH="$home/.local/bin:/usr/bin:/bin" man -w "$section" "$name"
    assert_eq "$OUT" "$want" "man -w $section $name after a home install"
done
ok "man finds all three pages after make install into ~/.local"
run make -s -C "$NETCTL_SRC" BUILD="$NETCTL_BUILD" PREFIX="$home/.local" uninstall
[[ -z $(find "$home" -type f) ]] || fail "make uninstall left: $(find "$home" -type f)"
ok "make uninstall removes them again"
