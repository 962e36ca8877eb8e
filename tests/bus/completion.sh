#!/bin/bash
# Shell completions (share/completions/) against netctld on a private bus:
#  - `netctl __complete ids|contacts|interactions` prints "VALUE<TAB>TEXT"
#    lines from the daemon; without a daemon it prints nothing, fails fast
#    and does not start one by D-Bus activation;
#  - bash: the script loads without error (with and without the
#    bash-completion package), `complete -p netctl` names its function, and
#    the function completes verbs, subverbs, options, option values (ties,
#    kinds, --color), follow-up ids, contact handles and interaction ids;
#  - zsh (driven in a pseudo-terminal, tests/lib/zsh-complete.zsh) and fish
#    (`complete -C`), non-interactively: a verb, a contact handle, an id and
#    option values;
#  - every verb `netctl --help` lists is offered by all three shells.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

need_cmd bash zsh fish
COMPDIR=$NETCTL_SRC/share/completions
for f in netctl.bash _netctl netctl.fish; do
    [[ -f $COMPDIR/$f ]] || fail "share/completions/$f missing"
done

bus_start
# The completions run `netctl` by name, as a user's shell would.
export PATH=$NETCTL_BUILD:$PATH

# --- no daemon: nothing, quickly, and no activation ----------------------------

# An activation file that would start netctld: __complete must not use it.
cat >"$BUS_DIR/services/org.netctl.Netctl1.service" <<EOF
[D-BUS Service]
Name=org.netctl.Netctl1
Exec=$NETCTL_BUILD/netctld
EOF
t0=$(now_us)
run netctl __complete ids
(($(elapsed_ms "$t0") < 5000)) || fail "__complete took $(elapsed_ms "$t0") ms without a daemon"
[[ $RC != 0 && -z $OUT && -z $ERR ]] ||
    { _show_run netctl __complete ids; fail "__complete without a daemon: want silent failure"; }
bus_has_name "$BUS_NAME" && fail "__complete started netctld by D-Bus activation"
rm "$BUS_DIR/services/org.netctl.Netctl1.service"
expect_rc 2 netctl __complete frobs
ok "__complete without a daemon: silent, fast, no activation"

daemon_start

netctl add "Send Ana the article" --in 2h -q >/dev/null
ID=$(netctl add "Call Bo" --due "tomorrow 9am" -q)
netctl contact add "Ana Lima" --email ana@example.org >/dev/null
netctl contact add "Bo Berg" --tie strong >/dev/null
INTERACTION=$(netctl log ana --kind coffee -q)

expect_ok netctl __complete ids
grep -qx "$ID"$'\tCall Bo' <<<"$OUT" || fail "__complete ids lacks '$ID<TAB>Call Bo': $OUT"
expect_ok netctl __complete contacts
grep -qx $'ana-lima\tAna Lima' <<<"$OUT" || fail "__complete contacts lacks ana-lima: $OUT"
grep -qx $'bo-berg\tBo Berg' <<<"$OUT" || fail "__complete contacts lacks bo-berg: $OUT"
expect_ok netctl __complete interactions
grep -q "^$INTERACTION"$'\tcoffee with Ana Lima' <<<"$OUT" ||
    fail "__complete interactions lacks #$INTERACTION: $OUT"
ok "__complete ids, contacts and interactions"

run netctl --help
VERBS=$(printf '%s\n' "$OUT" | sed -n '/^Verbs:/,/^$/p' | awk 'NF > 1 && $1 != "Verbs:" { print $1 }' | sort)
[[ -n $VERBS ]] || fail "no verbs in netctl --help"
[[ $OUT != *__complete* ]] || fail "netctl --help shows the hidden __complete"

# want_words SHELL LINE GOT WORD...: every WORD is among GOT's lines.
want_words() {
    local sh=$1 line=$2 got=$3 w
    shift 3
    for w in "$@"; do
        grep -qxF -- "$w" <<<"$got" ||
            fail "$sh: completing '$line' does not offer '$w'; got: ${got//$'\n'/ }"
    done
}
# only_words SHELL LINE GOT WORD...: GOT is exactly the WORDs.
only_words() {
    local sh=$1 line=$2 got=$3
    shift 3
    local want
    want=$(printf '%s\n' "$@" | sort -u)
    [[ $(printf '%s\n' "$got" | sort -u) == "$want" ]] ||
        fail "$sh: completing '$line' offers '${got//$'\n'/ }', want '${want//$'\n'/ }'"
}

# --- bash ------------------------------------------------------------------------

# bash_complete LINE [PRELUDE]: the candidates bash offers at the end of
# LINE, one per line (words split on blanks and, as bash does, "=").
bash_complete() {
    bash --norc --noprofile -c '
        set -u
        eval "$3"
        source "$1" || exit 3
        line=$2
        COMP_LINE=$line COMP_POINT=${#line}
        words=${line//=/ = }
        read -ra COMP_WORDS <<<"$words"
        [[ $words == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        _netctl
        printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPDIR/netctl.bash" "$1" "${2:-}"
}

run bash --norc --noprofile -c "source '$COMPDIR/netctl.bash' && complete -p netctl"
[[ $RC == 0 && -z $ERR ]] || { _show_run source netctl.bash; fail "netctl.bash does not load cleanly"; }
assert_eq "$OUT" "complete -F _netctl netctl" "complete -p netctl"
# compgen runs the function as Tab would on an empty command line.
run bash --norc --noprofile -c "source '$COMPDIR/netctl.bash' && compgen -F _netctl 2>/dev/null"
# shellcheck disable=SC2086
want_words bash "compgen -F _netctl" "$OUT" $VERBS

preludes=("")
if [[ -r /usr/share/bash-completion/bash_completion ]]; then
    preludes+=(". /usr/share/bash-completion/bash_completion")
fi
for prelude in "${preludes[@]}"; do
    sh="bash${prelude:+ (with bash-completion)}"
    got=$(bash_complete "netctl " "$prelude")
    # shellcheck disable=SC2086
    want_words "$sh" "netctl " "$got" $VERBS
    only_words "$sh" "netctl con" "$(bash_complete "netctl con" "$prelude")" contact
    only_words "$sh" "netctl contact " "$(bash_complete "netctl contact " "$prelude")" add list show edit rm import
    only_words "$sh" "netctl log " "$(bash_complete "netctl log " "$prelude")" ana-lima bo-berg
    only_words "$sh" "netctl log an" "$(bash_complete "netctl log an" "$prelude")" ana-lima
    only_words "$sh" "netctl log --kind coffee b" "$(bash_complete "netctl log --kind coffee b" "$prelude")" bo-berg
    only_words "$sh" "netctl log ana --kind c" "$(bash_complete "netctl log ana --kind c" "$prelude")" coffee call
    only_words "$sh" "netctl log ana --kind " "$(bash_complete "netctl log ana --kind " "$prelude")" \
        coffee call email message meeting event intro
    only_words "$sh" "netctl contact add X --tie " "$(bash_complete "netctl contact add X --tie " "$prelude")" weak strong
    only_words "$sh" "netctl contact list --tie s" "$(bash_complete "netctl contact list --tie s" "$prelude")" strong
    got=$(bash_complete "netctl done " "$prelude")
    want_words "$sh" "netctl done " "$got" "$ID"
    only_words "$sh" "netctl unlog " "$(bash_complete "netctl unlog " "$prelude")" "$INTERACTION"
    only_words "$sh" "netctl edit $ID --contact " "$(bash_complete "netctl edit $ID --contact " "$prelude")" \
        ana-lima bo-berg none
    only_words "$sh" "netctl list --co" "$(bash_complete "netctl list --co" "$prelude")" --contact --color=
    got=$(bash_complete "netctl --color=" "$prelude")
    [[ ${got//$'\n'/ } == "auto always never" || ${got//$'\n'/ } == "--color=auto --color=always --color=never" ]] ||
        fail "$sh: completing 'netctl --color=' offers '${got//$'\n'/ }'"
    got=$(bash_complete "netctl help " "$prelude")
    # shellcheck disable=SC2086
    want_words "$sh" "netctl help " "$got" $VERBS
    ok "$sh: verbs, subverbs, options, ties, kinds, --color, ids, handles, interactions"
done

# --- zsh -------------------------------------------------------------------------

run zsh -f -c "fpath=('$COMPDIR' \$fpath); autoload -Uz compinit && compinit -u -D && autoload -Uz _netctl && print \$_comps[netctl]"
[[ $RC == 0 && -z $ERR ]] || { _show_run zsh compinit; fail "_netctl does not load cleanly in zsh"; }
assert_eq "$OUT" "_netctl" "zsh: compinit binds _netctl to netctl"

zsh_complete() {
    zsh -f "$NETCTL_SRC/tests/lib/zsh-complete.zsh" "$COMPDIR" "$1" ||
        fail "zsh: completing '$1' did not finish"
}
got=$(zsh_complete "netctl ")
# shellcheck disable=SC2086
want_words zsh "netctl " "$got" $VERBS
only_words zsh "netctl con" "$(zsh_complete "netctl con")" contact
only_words zsh "netctl log " "$(zsh_complete "netctl log ")" ana-lima bo-berg
only_words zsh "netctl log an" "$(zsh_complete "netctl log an")" ana-lima
only_words zsh "netctl contact add X --tie=" "$(zsh_complete "netctl contact add X --tie=")" weak strong
only_words zsh "netctl log ana --kind c" "$(zsh_complete "netctl log ana --kind c")" coffee call
want_words zsh "netctl done " "$(zsh_complete "netctl done ")" "$ID"
only_words zsh "netctl --color=" "$(zsh_complete "netctl --color=")" auto always never
ok "zsh: verbs, handles, ids, ties, kinds, --color"

# --- fish ------------------------------------------------------------------------

fish_complete() {
    fish --no-config -c "set -p fish_complete_path '$COMPDIR'; complete -C '$1'" | cut -f1
}
run fish --no-config -c "source '$COMPDIR/netctl.fish'"
[[ $RC == 0 && -z $ERR ]] || { _show_run fish source; fail "netctl.fish does not load cleanly"; }
got=$(fish_complete "netctl ")
# shellcheck disable=SC2086
want_words fish "netctl " "$got" $VERBS
only_words fish "netctl con" "$(fish_complete "netctl con")" contact
only_words fish "netctl log " "$(fish_complete "netctl log ")" ana-lima bo-berg
only_words fish "netctl log an" "$(fish_complete "netctl log an")" ana-lima
only_words fish "netctl contact add X --tie " "$(fish_complete "netctl contact add X --tie ")" weak strong
only_words fish "netctl log ana --kind c" "$(fish_complete "netctl log ana --kind c")" coffee call
want_words fish "netctl done " "$(fish_complete "netctl done ")" "$ID"
only_words fish "netctl --color=" "$(fish_complete "netctl --color=")" --color=auto --color=always --color=never
ok "fish: verbs, handles, ids, ties, kinds, --color"

# --- installed where each shell looks ------------------------------------------------

# After `make install` into a home (the README's `make setup`): bash-completion
# loads the script on demand from ~/.local/share/bash-completion/completions
# and fish from ~/.local/share/fish/vendor_completions.d, with no set-up;
# zsh finds _netctl once ~/.local/share/zsh/site-functions is in fpath.
mktemp_dir netctl-comp-home
home=$REPLY
run make -s -C "$NETCTL_SRC" -o all BUILD="$NETCTL_BUILD" PREFIX="$home/.local" install
[[ $RC == 0 ]] || { _show_run make install; fail "make install PREFIX=$home/.local failed"; }
if [[ -r /usr/share/bash-completion/bash_completion ]]; then
    run env -u XDG_DATA_HOME -u BASH_COMPLETION_USER_DIR HOME="$home" bash --norc --noprofile -c \
        '. /usr/share/bash-completion/bash_completion; __load_completion netctl; complete -p netctl'
    assert_eq "$OUT" "complete -F _netctl netctl" "bash-completion loading netctl from ~/.local"
fi
run env -u XDG_DATA_HOME -u XDG_CONFIG_HOME HOME="$home" fish -c "complete -C 'netctl con'"
assert_eq "$(printf '%s\n' "$OUT" | cut -f1)" contact "fish completing from ~/.local/share/fish/vendor_completions.d"
run env HOME="$home" zsh -f -c "fpath=(~/.local/share/zsh/site-functions \$fpath); autoload -Uz compinit && compinit -u -D && print \$_comps[netctl]"
assert_eq "$OUT" "_netctl" "zsh with ~/.local/share/zsh/site-functions in fpath"
ok "a home install puts the completions where bash-completion, fish and zsh look"
