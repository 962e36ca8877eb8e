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
 * Appends an a(ss) array to reply: one (uid, text) per item, each a
 * complete VCALENDAR, for a vdir; or, with `single`, one ("", text) holding
 * everything in one VCALENDAR.  Returns negative errno on failure. */
int export_append(Context *c, sd_bus_message *reply, bool todos, bool events, bool single);

/* Whether two stored iCalendar objects (IcsEvent.ical) say the same as
 * export writes them: equal apart from what export adds (UID, DTSTAMP,
 * the VTIMEZONEs netctl resolves TZIDs with).  1 or 0, or -ENOMEM. */
int export_same_event(const char *a, const char *b, const char *uid);

/* Whether a TZID names a zone of the system's zoneinfo (or UTC) exactly,
 * as ical-import resolves IANA names. */
bool export_system_zone_name(const char *name);
