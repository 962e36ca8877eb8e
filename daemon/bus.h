/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>

#include "macro.h"

#include "context.h"

/* The bus API: object and vtables (bus-followups.c, bus-manager.c) and the
 * one mapping from negative errno to named errors. */

int bus_setup(Context *c);

/* Sets a named org.netctl.Netctl1.Error.* from a negative errno, with a
 * sentence for the user, and returns r.  Never a bare -1 to the bus. */
int bus_error_errno(sd_bus_error *error, int r, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Refuses callers whose effective UID differs from the daemon's. */
int bus_check_caller(sd_bus_message *m, Context *c, sd_bus_error *error);

/* Tells listeners the schedule changed: signal Changed(id, change) and
 * PropertiesChanged for NextDue. */
void bus_emit_changed(Context *c, int64_t id, const char *change);

extern const sd_bus_vtable bus_followups_vtable[];
extern const sd_bus_vtable bus_manager_vtable[];
extern const sd_bus_vtable bus_contacts_vtable[];
extern const sd_bus_vtable bus_meetings_vtable[];
extern const sd_bus_vtable bus_breaks_vtable[];
extern const sd_bus_vtable bus_sync_vtable[];
