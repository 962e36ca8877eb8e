/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "context.h"

/* The schedule as iCalendar: follow-ups as VTODO (DUE, STATUS, SUMMARY,
 * CATEGORIES and their stable UID), meetings as the VEVENTs they were
 * imported as (series and overrides of one UID together, with the
 * VTIMEZONEs they use).
 *
 * Writes to fd (a memfd, for ExportMemfd) the magic NETCTL_EXPORT_MAGIC,
 * then each item's UID and text, every string ending in a NUL: one item
 * per UID, each a complete VCALENDAR, for a vdir; or, with `single`, one
 * item ("", everything in one VCALENDAR).  Written as the store is walked,
 * in pieces, so that netctld never holds a whole export.  Returns negative
 * errno; *ret_write_failed says whether the failure was writing to fd. */
int export_write(Context *c, int fd, bool todos, bool events, bool single, bool *ret_write_failed);

/* What Export may put into one reply: sd-bus refuses to read an array
 * larger than 64 MiB (a vdir's worth of 100,000 follow-ups and 10,000
 * meetings is about that size). */
#define EXPORT_REPLY_MAX (60u * 1024 * 1024)

/* Appends export_write()'s file to reply as Export's a(ss).  -E2BIG past
 * EXPORT_REPLY_MAX, -EBADMSG for a file export_write() did not write. */
int export_append_file(int fd, sd_bus_message *reply);

/* Whether two stored iCalendar objects (IcsEvent.ical) say the same as
 * export writes them: equal apart from what export adds (UID, DTSTAMP,
 * the VTIMEZONEs netctl resolves TZIDs with).  1 or 0, or -ENOMEM. */
int export_same_event(const char *a, const char *b, const char *uid);

/* Whether a TZID names a zone of the system's zoneinfo (or UTC) exactly,
 * as ical-import resolves IANA names. */
bool export_system_zone_name(const char *name);
