#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Deterministic follow-ups for the benchmarks, in each tool's own format.

The same COUNT items (text, due time) come out for netctl and for each peer,
so that every tool lists the same schedule:

  gen-followups.py COUNT ANCHOR FORMAT [OUT]

ANCHOR is a Unix time (the runner passes the next whole hour); due times
fall on whole minutes after it, about 27 a day whatever COUNT is (10,000
cover a year, 100,000 ten years), so a week holds about 190 of them at any
size.  The texts, their lengths and the order come from a fixed seed.

FORMAT:
  tsv          DUE<TAB>TEXT lines for bench-client add (netctl's bus)
  taskwarrior  a JSON array for `task import`
  remind       REM lines for remind
  calcurse     an apts file for calcurse (15-minute appointments)
  khal         a vdir: OUT is a directory, one .ics file per item
"""
import json
import os
import random
import sys
import time

SEED = 20261126
PER_DAY = 10000 / 365.0

NAMES = ["Ana", "Bo", "Chen", "Dara", "Emeka", "Farah", "Gus", "Hana", "Ivo", "Jules",
         "Kemal", "Lina", "Mats", "Nour", "Otto", "Priya", "Quinn", "Rosa", "Sami", "Tove"]
VERBS = ["Send", "Call", "Email", "Thank", "Ask", "Follow up with", "Introduce", "Check in with"]
TOPICS = ["the article on data teams", "the referral", "coffee next week", "the hiring plan",
          "the conference talk", "the open role", "their new job", "the portfolio review",
          "the reading list", "a warm intro to the platform team"]
DETAILS = ["", "", "", " (mentioned at the meetup)", " before Friday",
           " and ask how the move went", " with the notes from our call",
           " - they asked twice, do not forget this one again"]


def items(count, anchor):
    rng = random.Random(SEED)
    span = int(count / PER_DAY * 86400)
    out = []
    for i in range(count):
        due = anchor + (rng.randrange(span) // 60) * 60
        text = "%s %s %s%s" % (rng.choice(VERBS), rng.choice(NAMES), rng.choice(TOPICS),
                               rng.choice(DETAILS))
        out.append((due, "%s #%d" % (text, i + 1)))
    return out


def utc(t, fmt):
    return time.strftime(fmt, time.gmtime(t))


def local(t, fmt):
    return time.strftime(fmt, time.localtime(t))


def write_tsv(data, f):
    for due, text in data:
        f.write("%d\t%s\n" % (due, text))


def write_taskwarrior(data, f):
    tasks = []
    for i, (due, text) in enumerate(data):
        tasks.append({
            "uuid": "00000000-0000-4000-8000-%012d" % (i + 1),
            "description": text,
            "status": "pending",
            "entry": utc(due - 7 * 86400, "%Y%m%dT%H%M%SZ"),
            "due": utc(due, "%Y%m%dT%H%M%SZ"),
        })
    json.dump(tasks, f)
    f.write("\n")


def write_remind(data, f):
    for due, text in data:
        # remind's AT is local time, to the minute.
        f.write("REM %s AT %s MSG %s\n" % (local(due, "%Y-%m-%d"), local(due, "%H:%M"),
                                           text.replace("%", "%%").replace("[", "[[")))


def write_calcurse(data, f):
    for due, text in data:
        end = due + 15 * 60
        f.write("%s -> %s |%s\n" % (local(due, "%m/%d/%Y @ %H:%M"),
                                    local(end, "%m/%d/%Y @ %H:%M"), text))


def write_khal(data, directory):
    os.makedirs(directory, exist_ok=True)
    for i, (due, text) in enumerate(data):
        uid = "bench-followup-%d@netctl" % (i + 1)
        with open(os.path.join(directory, "%d.ics" % (i + 1)), "w") as f:
            f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//netctl//bench//EN\r\n"
                    "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20260101T000000Z\r\n"
                    "DTSTART:%s\r\nDTEND:%s\r\nSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
                    % (uid, utc(due, "%Y%m%dT%H%M%SZ"), utc(due + 900, "%Y%m%dT%H%M%SZ"),
                       text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")))


def main():
    if len(sys.argv) not in (4, 5):
        sys.stderr.write(__doc__)
        return 2
    count, anchor, fmt = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    out = sys.argv[4] if len(sys.argv) == 5 else None
    data = items(count, anchor)
    if fmt == "khal":
        if not out:
            sys.stderr.write("gen-followups.py: khal needs an output directory\n")
            return 2
        write_khal(data, out)
        return 0
    writers = {"tsv": write_tsv, "taskwarrior": write_taskwarrior, "remind": write_remind,
               "calcurse": write_calcurse}
    if fmt not in writers:
        sys.stderr.write("gen-followups.py: unknown format %s\n" % fmt)
        return 2
    if out:
        with open(out, "w") as f:
            writers[fmt](data, f)
    else:
        writers[fmt](data, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
