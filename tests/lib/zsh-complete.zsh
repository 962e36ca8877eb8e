#!/usr/bin/zsh -f
# zsh-complete.zsh FPATH_DIR LINE: the candidates zsh's completion system
# offers for LINE, as a Tab at its end would, one per line (sorted, unique).
#
# zsh has no non-interactive way to ask for completions, so this drives an
# interactive `zsh -f -i` in a pseudo-terminal (zsh/zpty): compinit with
# FPATH_DIR first in fpath, a compadd wrapper that appends every match to a
# file, and a function in comppostfuncs that writes a marker when the
# completion is over; then the line and a Tab.  Exit status 2 when zsh did
# not get there within 20 seconds.
emulate -L zsh
setopt err_return no_unset

zmodload zsh/zpty

local dir=$1 line=$2
local tmp=$(mktemp -d ${TMPDIR:-/tmp}/zsh-complete.XXXXXX)
local out=$tmp/matches
: >$out
trap "zpty -d netctl_z 2>/dev/null; rm -rf ${(q)tmp}" EXIT

zpty netctl_z zsh -f -i
local -a setup=(
  "PS1='' RPS1='' PS2=''"
  "LISTMAX=100000"
  "fpath=(${(q)dir} \$fpath)"
  "autoload -Uz compinit && compinit -u -D"
  "zstyle ':completion:*' list-prompt ''"
  "zstyle ':completion:*' menu no"
  # Capture what compadd adds; calls that only compute (-O, -A, -D) pass.
  "__netctl_done() { print -r -- __NETCTL_DONE__ >>${(q)out}; }"
  "compadd() { if (( \${@[(I)-[OAD]]} )); then builtin compadd \"\$@\"; return; fi; local -a __m; builtin compadd -O __m \"\$@\"; (( \$#__m )) && print -rl -- \$__m >>${(q)out}; builtin compadd \"\$@\"; }"
)
local cmd
for cmd in $setup; do
  zpty -w netctl_z "$cmd"
done
# Ready when a command after the setup has run: typed-ahead input would
# make zle skip the completion.
zpty -w netctl_z "print -r -- __NETCTL_READY__ >>${(q)out}"
local junk
integer i
for (( i = 0; i < 400; i++ )); do
  while zpty -r -t netctl_z junk 2>/dev/null; do :; done
  grep -q '^__NETCTL_READY__$' $out && break
  sleep 0.05
done
: >$out
zpty -w netctl_z "comppostfuncs=(__netctl_done)"
sleep 0.2
while zpty -r -t netctl_z junk 2>/dev/null; do :; done
zpty -w -n netctl_z "$line"$'\t'

for (( i = 0; i < 400; i++ )); do
  # Drain the terminal so that zsh never blocks writing to it.
  while zpty -r -t netctl_z junk 2>/dev/null; do :; done
  if grep -q '^__NETCTL_DONE__$' $out; then
    grep -v '^__NETCTL_DONE__$' $out | sort -u
    return 0
  fi
  sleep 0.05
done
print -u2 "zsh-complete: no completion within 20 s for: $line"
return 2
