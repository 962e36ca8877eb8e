/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

#include "context.h"

/* Two-way sync with vdirs that vdirsyncer carries to CalDAV/CardDAV:
 * follow-ups with [sync] tasks (one VTODO .ics file per follow-up, as
 * vdirsyncer, todoman and khal keep them), contacts with [sync] contacts
 * (one vCard 4.0 .vcf per contact, netctl's fields in X-NETCTL-*; a card
 * deleted elsewhere archives a contact that has logged history).
 *
 * Out: after every committed change (sync_note_followup, from
 * bus_emit_changed) a follow-up whose rendering changed is written
 * atomically (temporary file in the same directory, fsync, rename); a
 * removed one's file is deleted.  Only user follow-ups (kind "followup")
 * go out: prep, thank-you and reconnect reminders are derived again on
 * every device from meetings and contacts.
 *
 * In: inotify reports files written, moved in or deleted by others; each
 * is compared with what netctl last wrote or read (sync_records: hash of
 * the file, hash of netctl's rendering), so netctl's own writes are
 * ignored and an unchanged item is never rewritten.  A change on one side
 * is applied to the other.  A change on both sides is a conflict: the
 * higher SEQUENCE wins, then the later LAST-MODIFIED, then (so that two
 * devices agree) the larger hash; the loser is kept in sync_conflicts.
 * Deletion propagates; deleted on one side and edited on the other keeps
 * the edit and is recorded as a conflict.
 *
 * A scan at start-up (and after a reload) reconciles changes made while
 * netctld was not running.  It reads only the files whose state differs
 * from the one their record noted and renders only the follow-ups whose
 * fields changed, and it goes a page at a time between calls and timers:
 * the link is in step when it ends.
 *
 * Contacts have no SEQUENCE: X-NETCTL-MODIFIED (when the contact last
 * changed) and X-NETCTL-BASE (the version a card was made from) play its
 * part.  When netctl's version beats one a syncer just put in the file, the
 * resolution gets a revision of its own and is written back a moment later
 * (see write_later in sync.c). */

typedef struct Sync Sync;

/* Links the configured vdirs (again, after a reload), creating missing
 * directories 0700, and schedules the start-up pass after READY.  A vdir
 * that cannot be watched is logged and reported by sync status; netctld
 * serves anyway.  Returns negative errno only for allocation failures. */
int sync_setup(Context *c);

/* Stops watching and frees; accepts NULL. */
Sync *sync_free(Sync *s);

/* A contact changed and was committed (`change` as in the Contacts
 * Changed signal): schedules one outbound pass, coalescing bursts.  The
 * follow-ups are all looked at only when the change may have touched
 * what their files say of it (the handle); an interaction logged or
 * removed, a contact added or archived, does not. */
void sync_note_contact(Context *c, const char *change);

/* Follow-up `id` changed and was committed (`change` as in the Changed
 * signal): the next outbound pass looks at it, not at every follow-up,
 * so that an add, a done or a reminder shown costs the same at 100,000
 * follow-ups as at ten.  id 0 means several or unknown: a full pass. */
void sync_note_followup(Context *c, int64_t id, const char *change);

/* Appends the Sync.GetStatus reply body: a(ssxs) links (kind "tasks" or
 * "contacts", path, last_in_step, error) and a(xssxs) conflicts (id, kind, uid, at, what),
 * newest first, at most `limit`. */
int sync_append_status(Context *c, sd_bus_message *reply, unsigned limit);
