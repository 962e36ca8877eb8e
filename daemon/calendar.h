/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "context.h"

/* Meetings from calendar files: applying an imported file to the store
 * (invite semantics), keeping occurrences and their prep and thank-you
 * reminders in step, and the rolling expansion window. */

typedef enum ImportOutcome {
        IMPORT_ADDED,
        IMPORT_UPDATED,
        IMPORT_CANCELLED,
        IMPORT_UNCHANGED,
        IMPORT_SKIPPED,         /* nothing usable; reason says why */
        IMPORT_REJECTED,        /* not a calendar file at all; nothing changed */
} ImportOutcome;

typedef struct ImportReport {
        unsigned added, updated, cancelled, unchanged, skipped;
        char reason[256];       /* for skipped events or a rejected file */
} ImportReport;

/* The one word for a report: the strongest thing that happened. */
ImportOutcome import_report_outcome(const ImportReport *r);
const char *import_outcome_to_string(ImportOutcome o);

/* Applies one file's bytes.  `source` is the path of a watched file (its
 * meetings go when it goes) or NULL for "netctl import".  The whole file is
 * one transaction.  Returns 0 with *ret filled, or -EINVAL/-E2BIG when the
 * file is rejected whole (reason in ret->reason), or a store error. */
int calendar_import_data(Context *c, const char *data, size_t len, const char *source,
                         ImportReport *ret);

/* Reads the regular file open as fd, whole and from its start, bounded
 * by ICS_FILE_MAX (-EFBIG); -EINVAL when fd is not a regular file (a
 * pipe or socket could keep the caller waiting).  ret_st may be NULL. */
int calendar_read_fd(int fd, char **ret_data, size_t *ret_len, struct stat *ret_st);

/* Reads and applies a watched file; logs the outcome. */
int calendar_import_path(Context *c, const char *path, bool mirror);

/* A watched file was deleted: its meetings and their open reminders go. */
int calendar_forget_path(Context *c, const char *path);

/* Imports what changed in dir since it was last seen and, for a mirror,
 * forgets files that disappeared. */
int calendar_scan_directory(Context *c, const char *dir, bool mirror);

/* Re-expands every series whose window moved (daily) and re-arms the
 * horizon timer. */
int calendar_setup(Context *c);

/* All-day and floating meetings are wall-clock times in the local zone:
 * when the zone changed (timedatectl set-timezone, a laptop carried across
 * zones) every meeting is expanded again, which moves their occurrences and
 * open reminders.  Cheap when nothing changed; returns 1 after a refresh. */
int calendar_check_zone(Context *c);

/* prep_before, thanks_after or the thank-you hours changed: every
 * meeting's open reminders move to the new times (snoozed ones keep their
 * snooze, as when a meeting moves). */
int calendar_reminder_times_changed(Context *c);
