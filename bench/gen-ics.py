#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes a deterministic iCalendar file of meetings for the import benchmarks.

  gen-ics.py [--count N] [--start YYYY-MM-DD] [OUT]

The same arguments always give the same bytes (a fixed seed, no clock, no
randomness from the system).  --start (default 2026-01-05) is the Monday the
events gather around: from four weeks before it to about six months after,
on weekdays between 08:00 and 18:00.  The benchmark runner passes the Monday
of the current week, so that the events are near "now" as a user's would be.

Of the N events (default 10,000):
  - 60 % are timed, in Europe/Berlin or America/New_York (both VTIMEZONEs
    are in the file, with their DST rules), 30 to 90 minutes long;
  - 15 % are all-day (DTSTART;VALUE=DATE), one to three days;
  - 25 % recur weekly (RRULE:FREQ=WEEKLY;COUNT=4..12), timed, some with an
    EXDATE;
  - each has an ORGANIZER and one to six ATTENDEEs (CN, ROLE, PARTSTAT,
    RSVP), a LOCATION, and a DESCRIPTION of 80 to 600 octets, some with
    non-ASCII text, folded at 75 octets (never inside a UTF-8 sequence) as
    RFC 5545 says.
Lines end in CRLF.
"""
import argparse
import datetime
import random
import sys

SEED = 7_2026

VTIMEZONES = {
    "Europe/Berlin": (
        "BEGIN:VTIMEZONE\r\n"
        "TZID:Europe/Berlin\r\n"
        "BEGIN:DAYLIGHT\r\n"
        "TZOFFSETFROM:+0100\r\n"
        "TZOFFSETTO:+0200\r\n"
        "TZNAME:CEST\r\n"
        "DTSTART:19700329T020000\r\n"
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
        "END:DAYLIGHT\r\n"
        "BEGIN:STANDARD\r\n"
        "TZOFFSETFROM:+0200\r\n"
        "TZOFFSETTO:+0100\r\n"
        "TZNAME:CET\r\n"
        "DTSTART:19701025T030000\r\n"
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
        "END:STANDARD\r\n"
        "END:VTIMEZONE\r\n"),
    "America/New_York": (
        "BEGIN:VTIMEZONE\r\n"
        "TZID:America/New_York\r\n"
        "BEGIN:DAYLIGHT\r\n"
        "TZOFFSETFROM:-0500\r\n"
        "TZOFFSETTO:-0400\r\n"
        "TZNAME:EDT\r\n"
        "DTSTART:19700308T020000\r\n"
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n"
        "END:DAYLIGHT\r\n"
        "BEGIN:STANDARD\r\n"
        "TZOFFSETFROM:-0400\r\n"
        "TZOFFSETTO:-0500\r\n"
        "TZNAME:EST\r\n"
        "DTSTART:19701101T020000\r\n"
        "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\n"
        "END:STANDARD\r\n"
        "END:VTIMEZONE\r\n"),
}

FIRST = ["Ana", "Bo", "Chen", "Dara", "Emeka", "Farah", "Gus", "Hana", "Ivo", "Jules", "Kemal",
         "Lina", "Mats", "Nour", "Otto", "Priya", "Quinn", "Rosa", "Sami", "Tove", "Zoë", "Ørjan"]
LAST = ["Alvarez", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Hoang", "Ito",
        "Jensen", "Kowalski", "Lindqvist", "Müller", "Nakamura", "Okafor", "Petrov"]
DOMAINS = ["example.org", "example.com", "example.net", "corp.example", "startup.example"]
KINDS = ["Coffee with", "Informational interview:", "Intro call with", "Lunch with",
         "Portfolio review with", "Mock interview with", "Catch-up with", "Panel prep with"]
PLACES = ["Café Central", "Video call", "Office, room 4.12", "Library, 2nd floor",
          "Bäckerei am Markt", "Co-working space, Hall B", "Phone"]
WORDS = ("we talked about the data platform team and the open role; bring the portfolio "
         "and the notes from the last call, ask about the hiring timeline, mention the "
         "article on weak ties, and follow up with a thank-you the same day. "
         "Café au lait at the usual place — naïve questions welcome. ").split(" ")


def ics_text(s):
    return (s.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def fold(line):
    """Folds a content line at 75 octets, never inside a UTF-8 sequence."""
    data = line.encode("utf-8")
    out = []
    limit = 75
    while len(data) > limit:
        cut = limit
        while cut > 0 and (data[cut] & 0xC0) == 0x80:
            cut -= 1
        out.append(data[:cut])
        data = data[cut:]
        limit = 74          # the continuation's leading space counts
    out.append(data)
    return b"\r\n ".join(out).decode("utf-8") + "\r\n"


def person(rng):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    email = "%s.%s@%s" % (first.lower(), last.lower(), rng.choice(DOMAINS))
    email = email.encode("ascii", "ignore").decode("ascii")
    return "%s %s" % (first, last), email


def event(rng, i, start_day):
    kind = rng.random()
    lines = ["BEGIN:VEVENT\r\n", "UID:bench-%05d-%08x@netctl.example\r\n" % (i, rng.getrandbits(32)),
             "DTSTAMP:20260101T120000Z\r\n"]
    day = start_day + datetime.timedelta(days=rng.randrange(-28, 182))
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    name, email = person(rng)
    summary = "%s %s" % (rng.choice(KINDS), name)

    if 0.60 <= kind < 0.75:
        length = rng.randrange(1, 4)
        lines.append("DTSTART;VALUE=DATE:%s\r\n" % day.strftime("%Y%m%d"))
        lines.append("DTEND;VALUE=DATE:%s\r\n" % (day + datetime.timedelta(days=length)).strftime("%Y%m%d"))
        summary = "Conference day: %s" % rng.choice(["DataConf", "PyCon", "FOSDEM", "JobFair"])
        lines.append("TRANSP:TRANSPARENT\r\n")
    else:
        tzid = "Europe/Berlin" if rng.random() < 0.7 else "America/New_York"
        start = datetime.datetime(day.year, day.month, day.day, rng.randrange(8, 18),
                                  rng.choice((0, 15, 30, 45)))
        end = start + datetime.timedelta(minutes=rng.choice((30, 45, 60, 90)))
        lines.append("DTSTART;TZID=%s:%s\r\n" % (tzid, start.strftime("%Y%m%dT%H%M%S")))
        lines.append("DTEND;TZID=%s:%s\r\n" % (tzid, end.strftime("%Y%m%dT%H%M%S")))
        if kind >= 0.75:
            lines.append("RRULE:FREQ=WEEKLY;COUNT=%d\r\n" % rng.randrange(4, 13))
            if rng.random() < 0.3:
                skip = start + datetime.timedelta(weeks=rng.randrange(1, 4))
                lines.append("EXDATE;TZID=%s:%s\r\n" % (tzid, skip.strftime("%Y%m%dT%H%M%S")))
            summary = "Weekly: " + summary

    lines.append(fold("SUMMARY:" + ics_text(summary)))
    lines.append(fold("LOCATION:" + ics_text(rng.choice(PLACES))))
    n_words = rng.randrange(12, 100)
    description = " ".join(rng.choice(WORDS) for _ in range(n_words))
    if rng.random() < 0.5:
        description += "\nAgenda:\n1. introductions\n2. questions\n3. next steps"
    lines.append(fold("DESCRIPTION:" + ics_text(description)))
    lines.append(fold('ORGANIZER;CN="%s":mailto:%s' % (name, email)))
    for _ in range(rng.randrange(1, 7)):
        cn, mail = person(rng)
        lines.append(fold('ATTENDEE;CN="%s";ROLE=%s;PARTSTAT=%s;RSVP=TRUE:mailto:%s'
                          % (cn, rng.choice(("REQ-PARTICIPANT", "OPT-PARTICIPANT")),
                             rng.choice(("ACCEPTED", "NEEDS-ACTION", "TENTATIVE")), mail)))
    lines.append("STATUS:CONFIRMED\r\nSEQUENCE:0\r\nEND:VEVENT\r\n")
    return "".join(lines)


def main():
    ap = argparse.ArgumentParser(description="Deterministic .ics for the import benchmarks.")
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--start", default="2026-01-05", help="the Monday the events gather around")
    ap.add_argument("out", nargs="?")
    args = ap.parse_args()

    start_day = datetime.date.fromisoformat(args.start)
    rng = random.Random(SEED)
    parts = ["BEGIN:VCALENDAR\r\n", "VERSION:2.0\r\n", "PRODID:-//netctl//bench gen-ics//EN\r\n",
             "CALSCALE:GREGORIAN\r\n"]
    parts.extend(VTIMEZONES.values())
    for i in range(args.count):
        parts.append(event(rng, i, start_day))
    parts.append("END:VCALENDAR\r\n")
    data = "".join(parts).encode("utf-8")
    if args.out:
        with open(args.out, "wb") as f:
            f.write(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
