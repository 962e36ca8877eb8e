#!/bin/bash
# How the README's tour was made: a real netctld on a private session bus,
# in a fresh data directory, and the commands the tour shows, printed as a
# console transcript.  Run from the repository after `make`:
#   dbus-run-session -- bash docs/tour.sh
# The user is Sam (sam@example.org, set as `me` in the config); the invite
# is for a coffee three days ahead at 15:00, organized by ana@example.org.
# Times are shown in America/New_York.  The commands run on a terminal (script),
# as a user types them, so tables and bars look as they do there.
set -euo pipefail
BUILD=$(cd "$(dirname "$0")/.." && pwd)/build
TOUR=/tmp/tour
export XDG_DATA_HOME=$TOUR/data XDG_CONFIG_HOME=$TOUR/config TZ=America/New_York LC_ALL=C.UTF-8
export PATH=$BUILD:$PATH
rm -rf "$TOUR"
mkdir -p "$TOUR/config" "$TOUR/data"
cd "$TOUR"

mkdir -p "$TOUR/config/netctl"
printf '[calendar]\nme = sam@example.org\n' >"$TOUR/config/netctl/netctl.conf"
day=$(date -d '+3 days' +%F)
start=$(date -u -d "@$(date -d "$day 15:00" +%s)" +%Y%m%dT%H%M%SZ)
end=$(date -u -d "@$(date -d "$day 15:30" +%s)" +%Y%m%dT%H%M%SZ)
cat >invite.ics <<EOF
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Example//Mail//EN
METHOD:REQUEST
BEGIN:VEVENT
UID:coffee-with-ana@example.org
DTSTAMP:$(date -u +%Y%m%dT%H%M%SZ)
DTSTART:$start
DTEND:$end
SUMMARY:Coffee with Ana
ORGANIZER;CN=Ana Lima:mailto:ana@example.org
ATTENDEE;CN=Sam Rivera;PARTSTAT=NEEDS-ACTION:mailto:sam@example.org
END:VEVENT
END:VCALENDAR
EOF

netctld 2>/dev/null &
daemon=$!
trap 'kill $daemon; wait $daemon || true' EXIT
for _ in $(seq 50); do
    netctl status >/dev/null 2>&1 && break
    sleep 0.1
done

# show ARGS...: the command as typed, then what it printed.
show() {
    local line='$ netctl' a
    for a in "$@"; do
        case $a in
        *[!A-Za-z0-9@._:/=-]*) line+=" \"$a\"" ;;
        *) line+=" $a" ;;
        esac
    done
    printf '%s\n' "$line"
    # On a terminal 100 columns wide, without colour (the README cannot
    # show it); the carriage returns the terminal adds go.
    NO_COLOR=1 COLUMNS=100 script -qec "$(printf '%q ' netctl "$@")" /dev/null | tr -d '\r'
}

echo '```console'
show contact add "Ana Lima" --email ana@example.org --org Acme --tie weak --met "PyData Berlin meetup" --tag data
show contact add "Bo Chen" --email bo@example.net --tie strong --every 30d
show log ana --kind coffee --gave "intro to Bo" --got "lead: data role at Acme" --when yesterday
show add "Send Ana the article on data teams" --in 2h --contact ana
show contact list
show suggest
show import invite.ics
show meetings
show list
show stats --weeks 4
show break status
show status
echo '```'
echo
echo '```console'
echo '$ netctl list --json'
netctl list --json | sed 's/},{.*/}, ...]/'
echo '```'
