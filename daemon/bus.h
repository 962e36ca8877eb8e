/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>

#include "macro.h"

#include "context.h"

/* The bus API: object and vtables (bus-followups.c, bus-manager.c) and the
 * one mapping from negative errno to named errors. */

int bus_setup(Context *c);
/* The objects, interfaces and caller checks, on one connection: the
 * session bus (bus_setup) or a direct one (bus-direct.c). */
int bus_add_api(Context *c, sd_bus *bus);

/* Sets a named org.netctl.Netctl1.Error.* from a negative errno, with a
 * sentence for the user, and returns r.  Never a bare -1 to the bus. */
int bus_error_errno(sd_bus_error *error, int r, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* At most max bytes of s, cut at a character boundary, into buf: for
 * quoting what a caller sent in an error sentence. */
const char *bus_cut(const char *s, size_t max, char *buf, size_t size);

/* ---- Options and changes, as a{sv} ----
 * Unknown keys and wrong types are errors, so a typo never silently does
 * nothing. */

/* What a bus_option_fn returns for a key it does not take (not 1: that is
 * what sd-bus's readers return on success). */
#define BUS_OPTION_UNKNOWN 2

/* Reads the value of option `key` (the message is at its variant); 0, a
 * negative errno with *error set, or BUS_OPTION_UNKNOWN. */
typedef int (*bus_option_fn)(sd_bus_message *m, const char *key, void *userdata, sd_bus_error *error);

/* Reads an a{sv}, each entry through fn.  An unknown key is
 * InvalidArgument: "Unknown <what> "KEY"." (what: "option", "filter"). */
int bus_read_options(sd_bus_message *m, const char *what, bus_option_fn fn, void *userdata,
                     sd_bus_error *error);

/* Check that the option's variant holds `want` ("s", "as", ...); the
 * readers then read it.  0 or a negative errno with *error set. */
int bus_option_type(sd_bus_message *m, const char *key, const char *want, sd_bus_error *error);
int bus_option_string(sd_bus_message *m, const char *key, const char **ret, sd_bus_error *error);
int bus_option_bool(sd_bus_message *m, const char *key, int *ret, sd_bus_error *error);
int bus_option_int64(sd_bus_message *m, const char *key, int64_t *ret, sd_bus_error *error);
int bus_option_uint64(sd_bus_message *m, const char *key, uint64_t *ret, sd_bus_error *error);

/* Reads the rest of another service's PropertiesChanged signal (after
 * its interface name): *ret_changed says whether `key` changed.  Then
 * *ret_value (optional) is its value when the signal carries it as a b,
 * or -1 when it was invalidated or has another type and must be asked for.
 * Other keys are skipped, not refused: the signal is not a request to us. */
int bus_read_changed_bool(sd_bus_message *m, const char *key, int *ret_value, bool *ret_changed);

/* Seals a memfd the caller filled against writing, growing and shrinking,
 * so that the receiver can map it and reads exactly what was written, and
 * replies to m with it ("h").  `what` names the contents in an error. */
int bus_reply_sealed_memfd(sd_bus_message *m, int fd, const char *what, sd_bus_error *error);

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
