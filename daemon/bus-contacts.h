/* SPDX-License-Identifier: MIT */
#pragma once

#include "context.h"

/* What the rest of the daemon (schedule.c, bus-followups.c) needs from the
 * people's bus layer. */

/* The default keep-in-touch cadence for weak ties: [people] weak_cadence
 * from the config, or PEOPLE_DEFAULT_WEAK_CADENCE when it is unusable. */
int64_t contacts_weak_cadence(const Context *c);

/* After a committed change that moved a reconnect reminder: closes a
 * notification that is no longer true, re-arms the timer and signals
 * Followups.Changed for the rows concerned. */
void contacts_reconnect_changed(Context *c, const ReconnectChange *change);

/* Signals Contacts.Changed(id, change) ("added", "edited", "removed",
 * "archived", "logged", "imported" with id 0). */
void contacts_emit_changed(Context *c, int64_t id, const char *change);

/* Resolves a WHO from a bus caller into a contact id, or sets a named
 * error (NotFound, Ambiguous, InvalidArgument) and returns it. */
int contacts_resolve(Context *c, const char *who, int64_t *ret_id, sd_bus_error *error);

/* The summary of a reconnect reminder ("Reconnect with Ana Lima (last:
 * coffee, 94 days ago; you got a lead from them)"), from the store; falls
 * back to the row's text when the contact cannot be read. */
void contacts_reconnect_summary(Context *c, const Followup *f, char *buf, size_t size);
