#!/bin/bash
# The default keep-in-touch cadence of weak ties ([people] weak_cadence):
#  - a weak tie without a cadence of its own is due for a reconnect
#    weak_cadence after it was added (90 days by default);
#  - `netctl reload` with a new weak_cadence moves that reconnect; a contact
#    with a cadence of its own (--every) keeps it;
#  - a weak_cadence changed while netctld was stopped moves it at the next
#    start.
set -euo pipefail
# shellcheck source=../lib/bus.sh
. "$(dirname "$0")/../lib/bus.sh"

export TZ=Europe/Berlin
bus_start
CONF=$XDG_CONFIG_HOME/netctl/netctl.conf
mkdir -p "$(dirname "$CONF")"
daemon_start

netctl contact add -q "Eve Park" --tie weak >/dev/null
netctl contact add -q "Finn Berg" --tie weak --every 14d >/dev/null
created=$(iso_to_epoch "$(netctl contact show eve-park --json | jq -r .contact.created)")
finn_before=$(netctl contact show finn-berg --json | jq -r .contact.next_reconnect)

# due_after DAYS: Eve's next reconnect falls DAYS after she was added (on
# that local day, or the morning after when that day's time is at night).
due_after() {
    local got day next
    got=$(netctl contact show eve-park --json | jq -r .contact.next_reconnect_local)
    day=$(date -d "@$((created + $1 * 86400))" +%F)
    next=$(date -d "$day +1 day" +%F)
    [[ ${got:0:10} == "$day" || ${got:0:10} == "$next" ]]
}
reconnect_of_eve() { netctl contact show eve-park --json | jq -r .contact.next_reconnect_local; }

due_after 90 || fail "Eve's first reconnect is not 90 days after she was added: $(reconnect_of_eve)"
assert_eq "$(netctl contact show eve-park --json | jq -r .contact.cadence_source)" default "Eve's cadence source"
ok "a weak tie is due for a reconnect after the default 90 days"

printf '[people]\nweak_cadence = 30d\n' >"$CONF"
expect_ok netctl reload
due_after 30 || fail "after weak_cadence = 30d and a reload, Eve's reconnect is $(reconnect_of_eve)"
assert_eq "$(netctl contact show finn-berg --json | jq -r .contact.next_reconnect)" "$finn_before" \
    "Finn's reconnect (a cadence of his own)"
ok "a reload with weak_cadence = 30d moves the default reconnect; an own cadence stays"

daemon_stop || fail "netctld did not stop cleanly"
printf '[people]\nweak_cadence = 60d\n' >"$CONF"
daemon_start
due_after 60 || fail "after weak_cadence = 60d was set while netctld was stopped, Eve's reconnect is $(reconnect_of_eve)"
ok "a weak_cadence changed while netctld was stopped applies at the next start"

daemon_alive || fail "netctld died"
