/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The store: netctl's SQLite database.  This header is the only way the
 * rest of the daemon reaches the data; store.c is the only file that speaks
 * SQL.  Every function that changes data runs as one transaction and has
 * committed when it returns 0.  All instants are Unix seconds, UTC.
 *
 * Errors are negative errno values:
 *   -ENOENT  no such row
 *   -EEXIST  a uniqueness rule would be broken
 *   -ENOSPC  the disk (or quota) is full
 *   -EBUSY   another process holds a lock for too long
 *   -EBADMSG the file is not a netctl database or is damaged
 *   -EPROTONOSUPPORT the database was written by a newer netctl
 *   -EIO     any other SQLite failure
 * After a failure, store_last_error() describes it in a sentence. */

typedef struct Store Store;

/* Which reminders a row is: user follow-ups and the ones netctl derives. */
#define FOLLOWUP_KIND_FOLLOWUP  "followup"
#define FOLLOWUP_KIND_PREP      "prep"
#define FOLLOWUP_KIND_THANKS    "thanks"
#define FOLLOWUP_KIND_RECONNECT "reconnect"

typedef enum NotifyState {
        NOTIFY_PENDING = 0,     /* due (or will be); no notification shown yet */
        NOTIFY_SENDING = 1,     /* handed to the notification server */
        NOTIFY_SHOWN   = 2,     /* the server accepted it */
} NotifyState;

typedef struct Followup {
        int64_t id;
        char *uid;
        char *text;
        char *kind;
        char *contact;          /* contact handle, or NULL */
        int64_t due;
        int64_t done_at;        /* 0 while open */
        int64_t every;          /* recurrence in seconds, 0 for none */
        bool every_fixed;       /* next = due + every, not completion + every */
        int64_t notified_at;    /* when the reminder was shown, 0 if not */
        NotifyState notify_state;
        int64_t created;
        int64_t modified;
} Followup;

/* Frees the strings a Followup owns and zeroes it; accepts a zeroed one. */
void followup_clear(Followup *f);

typedef enum FollowupState {
        FOLLOWUP_OPEN,
        FOLLOWUP_DONE,
        FOLLOWUP_ANY,
} FollowupState;

/* Opens (creating if needed) the database at path: the directory is made
 * 0700 and the file 0600 whatever the umask; WAL mode and foreign keys are
 * switched on and the schema migrated to the current version.  A file that
 * is not SQLite, is damaged, or is newer than this build is left untouched
 * and reported.  On failure a sentence naming the problem is written to
 * errbuf (which may be NULL). */
int store_open(const char *path, char *errbuf, size_t errsize, Store **ret);
Store *store_free(Store *s);

/* The sentence describing the last failure, or "" if none. */
const char *store_last_error(const Store *s);

/* The schema version this build writes (PRAGMA user_version). */
int store_schema_version(void);

/* A batch: everything between begin and commit is one transaction (an
 * imported file is all or nothing).  Store functions called inside keep
 * working; their own commits become nested savepoints. */
int store_batch_begin(Store *s);
int store_batch_commit(Store *s);
void store_batch_rollback(Store *s);

/* Follow-ups. */
int store_followup_add(Store *s, const char *text, int64_t due, int64_t every, bool every_fixed,
                       int64_t now, int64_t *ret_id);
int store_followup_get(Store *s, int64_t id, Followup *ret);

/* Calls cb for each follow-up whose due time is in [from, to) and whose
 * state matches, in due order.  A negative return from cb stops the walk
 * and is returned. */
typedef int (*store_followup_cb)(const Followup *f, void *userdata);
int store_followup_list(Store *s, int64_t from, int64_t to, FollowupState state,
                        store_followup_cb cb, void *userdata);

/* Marks a follow-up done at `now`.  A recurring one gets its successor,
 * whose id is returned in *ret_next_id (0 when there is none).  -EALREADY
 * when it was already done. */
int store_followup_done(Store *s, int64_t id, int64_t now, int64_t *ret_next_id);

/* Moves the due time and makes the reminder pending again. */
int store_followup_snooze(Store *s, int64_t id, int64_t until, int64_t now);
int store_followup_remove(Store *s, int64_t id);

/* Edits the fields given (NULL / negative means unchanged). */
typedef struct FollowupChanges {
        const char *text;
        int64_t due;            /* < 0: unchanged */
        int64_t every;          /* < 0: unchanged; 0 removes the recurrence */
        int every_fixed;        /* < 0: unchanged */
} FollowupChanges;
#define FOLLOWUP_CHANGES_NONE ((FollowupChanges) { .text = NULL, .due = -1, .every = -1, .every_fixed = -1 })
int store_followup_edit(Store *s, int64_t id, const FollowupChanges *changes, int64_t now);

/* The open follow-up with the earliest due time whose reminder is still
 * pending; -ENOENT when there is none. */
int store_next_pending(Store *s, Followup *ret);

/* Marks up to `max` pending reminders due at or before `now` as sending and
 * calls cb for each (after the commit).  Returns how many were claimed. */
int store_claim_due(Store *s, int64_t now, unsigned max, store_followup_cb cb, void *userdata);

/* The notification server took the reminder (only if still sending). */
int store_reminder_shown(Store *s, int64_t id, int64_t now);
/* Delivery failed: back to pending (only if still sending). */
int store_reminder_unclaim(Store *s, int64_t id);
/* At start-up: reminders left "sending" by a process that died are pending
 * again, so each is delivered once now. */
int store_reminders_reset_sending(Store *s);

typedef struct StoreCounts {
        int64_t open;
        int64_t overdue;
        int64_t done;
} StoreCounts;
int store_counts(Store *s, int64_t now, StoreCounts *ret);

/* ---- Meetings: imported calendar events and their reminders ---- */

/* ---- People: contacts, interactions and keep-in-touch ---- */
