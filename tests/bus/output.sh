#!/bin/bash
# Output conventions of the client, against netctld on a private bus:
#  - in a pipe, nothing any verb prints holds an escape sequence, and no
#    table cell is cut;
#  - on a terminal (a pseudo-terminal from script(1)) there is colour, but
#    none with NO_COLOR set, with TERM=dumb or with --color=never;
#    --color=always colours in a pipe too; --json is never coloured;
#    --color takes auto, always or never only (else exit 2);
#  - on a terminal a table fits the width: every line at most as wide as
#    the terminal (in display columns, wide characters included), one line
#    per row, a cut cell ends in "…" in a UTF-8 locale and "..." otherwise.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

need_cmd script stty wc
export LC_ALL=C.UTF-8 TZ=Europe/Berlin
unset NO_COLOR
export TERM=xterm
# env(1) and script(1) run the client by name.
export PATH=$NETCTL_BUILD:$PATH

daemon_start

LONG="Send Ana the article on data teams and ask how the reorganisation went, with a long tail of words"
WIDE="東京の佐藤さんにお礼のメールを送る、それから来週のコーヒーの約束を確かめる"
OVERDUE=$(netctl add "Overdue: call Bo" --due 2020-01-02 -q)
ID=$(netctl add "$LONG" --in 2h -q)
netctl add "$WIDE" --in 3h -q >/dev/null
netctl contact add "Ana Lima" --email ana@example.org >/dev/null
netctl log ana --kind coffee --gave "an intro" >/dev/null

ESC=$'\e'

# --- a pipe ----------------------------------------------------------------------

for args in "list" "list --all" "list --overdue" "show $ID" "status" "meetings" "meetings --all" \
    "contact list" "contact show ana" "suggest" "stats" "break status" "--help" "list --help" "--version"; do
    # shellcheck disable=SC2086
    run netctl $args
    [[ $RC == 0 ]] || { _show_run netctl "$args"; fail "netctl $args failed"; }
    [[ $OUT != *"$ESC"* && $ERR != *"$ESC"* ]] || fail "netctl $args in a pipe prints escape sequences: $OUT"
done
ok "no escape sequences in a pipe (list, show, status, meetings, contact, suggest, stats, break, --help)"

run netctl list
grep -qF "$LONG" <<<"$OUT" || fail "list in a pipe cut the long text: $OUT"
grep -qF "$WIDE" <<<"$OUT" || fail "list in a pipe cut the wide text: $OUT"
[[ $OUT != *"…"* ]] || fail "list in a pipe has an ellipsis: $OUT"
ok "a pipe gets every cell whole"

run netctl --color=always list
[[ $OUT == *"${ESC}["* ]] || fail "--color=always in a pipe does not colour: $OUT"
run netctl list --color=always
[[ $OUT == *"${ESC}["* ]] || fail "--color=always after the verb does not colour: $OUT"
run env NO_COLOR=1 netctl --color=always list
[[ $OUT == *"${ESC}["* ]] || fail "--color=always does not win over NO_COLOR: $OUT"
run netctl --color=always list --json
[[ $OUT != *"$ESC"* ]] || fail "--json is coloured: $OUT"
ROWS=$(jq -e length <<<"$OUT") || fail "list --json with --color=always is not the JSON: $OUT"
expect_cli_error 2 netctl --color=sometimes list
expect_cli_error 2 netctl list --color=
ok "--color=always colours a pipe, never --json; bad values are usage errors"

# --- a terminal ------------------------------------------------------------------

# on_tty COLUMNS CMD...: CMD's output on a pseudo-terminal COLUMNS wide, in
# OUT (carriage returns removed).
on_tty() {
    local cols=$1
    shift
    local cmd
    printf -v cmd '%q ' "$@"
    run script -qec "stty cols $cols rows 50; $cmd" /dev/null
    [[ $RC == 0 ]] || { _show_run script "$@"; fail "$* failed on a terminal"; }
    OUT=${OUT//$'\r'/}
}

on_tty 200 netctl list
[[ $OUT == *"${ESC}["* ]] || fail "no colour on a terminal: $OUT"
printf '%s\n' "$OUT" | grep -F "Overdue: call Bo" | grep -qF "${ESC}[31m" ||
    fail "the overdue row is not marked red: $OUT"
on_tty 200 env NO_COLOR=1 netctl list
[[ $OUT != *"$ESC"* ]] || fail "NO_COLOR=1 on a terminal still colours: $OUT"
on_tty 200 env NO_COLOR= netctl list
[[ $OUT == *"${ESC}["* ]] || fail "an empty NO_COLOR turned colour off: $OUT"
on_tty 200 env TERM=dumb netctl list
[[ $OUT != *"$ESC"* ]] || fail "TERM=dumb still colours: $OUT"
on_tty 200 netctl --color=never list
[[ $OUT != *"$ESC"* ]] || fail "--color=never on a terminal still colours: $OUT"
on_tty 200 netctl list --json
[[ $OUT != *"$ESC"* ]] || fail "--json on a terminal is coloured: $OUT"
for args in "status" "show $ID" "meetings" "contact list" "stats" "suggest"; do
    # shellcheck disable=SC2086
    on_tty 200 env NO_COLOR=1 netctl $args
    [[ $OUT != *"$ESC"* ]] || fail "NO_COLOR=1: netctl $args prints escape sequences on a terminal: $OUT"
done
ok "colour on a terminal; none with NO_COLOR, TERM=dumb, --color=never, or in --json"

# strip_ansi: OUT without colour sequences.
strip_ansi() { sed -e "s/$ESC\[[0-9;]*m//g"; }

for cols in 100 60 40; do
    on_tty "$cols" netctl list
    plain=$(printf '%s\n' "$OUT" | strip_ansi)
    widest=$(printf '%s\n' "$plain" | wc -L)
    ((widest <= cols)) || fail "list at $cols columns has a line $widest columns wide:"$'\n'"$plain"
    lines=$(printf '%s\n' "$plain" | wc -l)
    assert_eq "$lines" $((ROWS + 1)) "list at $cols columns: one header and one line per follow-up"
    printf '%s\n' "$plain" | tail -n +2 | grep -qvE '^[0-9]+ ' &&
        fail "list at $cols columns: a line does not start with an id (a cell wrapped):"$'\n'"$plain"
    if ((cols < 100)); then
        [[ $plain == *"…"* ]] || fail "list at $cols columns cuts without an ellipsis:"$'\n'"$plain"
    fi
    # Text gives way first: the due times stay whole while there is room.
    if ((cols >= 60)); then
        grep -qE "^$OVERDUE +2020-01-02 09:00 " <<<"$plain" ||
            fail "list at $cols columns: the due time of #$OVERDUE was cut:"$'\n'"$plain"
    fi
done
ok "on a terminal the table fits 100, 60 and 40 columns, wide characters included"

on_tty 40 env LC_ALL=C netctl list
plain=$(printf '%s\n' "$OUT" | strip_ansi)
[[ $plain == *"..."* && $plain != *"…"* ]] || fail "in the C locale a cut cell should end in '...':"$'\n'"$plain"
ok "without a UTF-8 locale the ellipsis is '...'"
