# shellcheck shell=bash
# Variables set here are read by the tests that source this file.
# shellcheck disable=SC2034
# iCalendar helpers for the calendar tests (after bus.sh or session.sh):
#
#   invite FILE uid=U summary=S start=20261128T100000 end=20261128T110000 \
#          [method=REQUEST] [seq=0] [tzid=Europe/Berlin] [vtz=auto|none] \
#          [rrule=FREQ=WEEKLY;COUNT=20] [recurid=20261205T100000] \
#          [status=CONFIRMED] [organizer=olga@example.com] \
#          [attendees="ana@example.org;bo@example.net"] [allday=1]
#
# writes one VEVENT in a VCALENDAR with CRLF line ends, as Outlook and
# Google send them.  Times are local to tzid ("" means UTC, written with Z);
# vtz=auto adds a VTIMEZONE for Europe/Berlin and for the Windows name
# "W. Europe Standard Time" (Exchange style), none leaves it out (the zone
# must then be resolved by name).  allday=1 writes DATE values (start/end
# YYYYMMDD).
#
#   local_epoch TZ "2026-11-28 10:00"   -> Unix seconds
#   ics_local TZ EPOCH                  -> 20261128T100000
#   iso EPOCH                           -> 2026-11-28T09:00:00Z
#   reminders SUMMARY                   -> "kind due" lines of its reminders
#   meeting_json UID                    -> its occurrences from meetings --all --json

local_epoch() { TZ=$1 date -d "$2" +%s; }
ics_local() { TZ=$1 date -d "@$2" +%Y%m%dT%H%M%S; }
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

_vtimezone() {
    local tzid=$1
    case $tzid in
    Europe/Berlin)
        printf '%s\r\n' BEGIN:VTIMEZONE "TZID:$tzid" X-LIC-LOCATION:Europe/Berlin \
            BEGIN:DAYLIGHT TZOFFSETFROM:+0100 TZOFFSETTO:+0200 TZNAME:CEST \
            DTSTART:19700329T020000 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU' END:DAYLIGHT \
            BEGIN:STANDARD TZOFFSETFROM:+0200 TZOFFSETTO:+0100 TZNAME:CET \
            DTSTART:19701025T030000 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU' END:STANDARD \
            END:VTIMEZONE
        ;;
    "W. Europe Standard Time")
        # What Exchange writes: this year's rule only, from 1601.
        printf '%s\r\n' BEGIN:VTIMEZONE "TZID:$tzid" \
            BEGIN:STANDARD DTSTART:16010101T030000 TZOFFSETFROM:+0200 TZOFFSETTO:+0100 \
            'RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10' END:STANDARD \
            BEGIN:DAYLIGHT DTSTART:16010101T020000 TZOFFSETFROM:+0100 TZOFFSETTO:+0200 \
            'RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3' END:DAYLIGHT \
            END:VTIMEZONE
        ;;
    esac
}

invite() {
    local file=$1
    shift
    local -A k=([method]=REQUEST [seq]=0 [tzid]=Europe/Berlin [vtz]=auto
        [organizer]=olga@example.com [attendees]="ana@example.org;bo@example.net"
        [status]="" [rrule]="" [recurid]="" [allday]="" [uid]="" [summary]="" [start]="" [end]="")
    local kv
    for kv in "$@"; do
        [[ -v k[${kv%%=*}] ]] || fail "invite: unknown key ${kv%%=*}"
        k[${kv%%=*}]=${kv#*=}
    done
    [[ -n ${k[uid]} && -n ${k[start]} ]] || fail "invite: uid and start are required"
    local when param
    if [[ -n ${k[allday]} ]]; then
        param=';VALUE=DATE:'
    elif [[ -n ${k[tzid]} ]]; then
        param=";TZID=${k[tzid]}:"
        [[ ${k[tzid]} == *' '* ]] && param=";TZID=\"${k[tzid]}\":"
    else
        param=':'
    fi
    local z=
    [[ -z ${k[allday]} && -z ${k[tzid]} ]] && z=Z
    {
        printf '%s\r\n' BEGIN:VCALENDAR 'PRODID:-//netctl tests//invite//EN' VERSION:2.0
        [[ -n ${k[method]} ]] && printf 'METHOD:%s\r\n' "${k[method]}"
        if [[ ${k[vtz]} == auto && -z ${k[allday]} && -n ${k[tzid]} ]]; then
            _vtimezone "${k[tzid]}"
        fi
        printf '%s\r\n' BEGIN:VEVENT "UID:${k[uid]}" "SEQUENCE:${k[seq]}" \
            "DTSTAMP:$(date -u +%Y%m%dT%H%M%SZ)" "SUMMARY:${k[summary]}" \
            "DTSTART$param${k[start]}$z"
        [[ -n ${k[end]} ]] && printf 'DTEND%s%s%s\r\n' "$param" "${k[end]}" "$z"
        [[ -n ${k[rrule]} ]] && printf 'RRULE:%s\r\n' "${k[rrule]}"
        [[ -n ${k[recurid]} ]] && printf 'RECURRENCE-ID%s%s%s\r\n' "$param" "${k[recurid]}" "$z"
        [[ -n ${k[status]} ]] && printf 'STATUS:%s\r\n' "${k[status]}"
        [[ -n ${k[organizer]} ]] && printf 'ORGANIZER;CN=Olga Organizer:mailto:%s\r\n' "${k[organizer]}"
        local a
        local -a attendees
        IFS=';' read -r -a attendees <<<"${k[attendees]}"
        for a in "${attendees[@]}"; do
            [[ -n $a ]] && printf 'ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:%s\r\n' "$a"
        done
        # A long description, folded as RFC 5545 says (75 octets a line).
        printf 'DESCRIPTION:%s\r\n %s\r\n' "Agenda: introductions, what each team is working on, open questions and n" \
            "ext steps. Join: https://meet.example.com/abc-defg-hij"
        printf '%s\r\n' END:VEVENT END:VCALENDAR
    } >"$file"
}

# reminders SUMMARY: "kind due" of the follow-ups for a meeting, sorted.
reminders() {
    netctl list --all --json |
        jq -r --arg s "\"$1\"" '.[] | select(.text | contains($s)) | "\(.kind) \(.due)"' | sort
}

# meeting_json UID: that meeting's occurrences (cancelled included).
meeting_json() {
    netctl meetings --all --json | jq -c --arg u "$1" '[.[] | select(.uid == $u)]'
}

# thanks_for END_EPOCH [TZ]: when the thank-you is due with the default
# config: 2 h after the end, or 09:00 when that falls from 21:00 to 09:00.
thanks_for() {
    local due=$(($1 + 7200)) tz=${2:-$TZ} hm day
    hm=$(TZ=$tz date -d "@$due" +%H%M)
    day=$(TZ=$tz date -d "@$due" +%Y-%m-%d)
    if ((10#$hm >= 2100)); then
        local_epoch "$tz" "$(TZ=$tz date -d "$day +1 day" +%Y-%m-%d) 09:00"
    elif ((10#$hm < 900)); then
        local_epoch "$tz" "$day 09:00"
    else
        echo "$due"
    fi
}
