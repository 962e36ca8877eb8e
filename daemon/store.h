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
        int64_t sequence;       /* iCalendar SEQUENCE: bumped by every change */
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
 * working; their own commits become nested savepoints, except those of the
 * meeting functions (store_meeting_put, store_occurrences_sync), which
 * write no savepoint inside a batch: when one of them fails there, the
 * caller must roll the whole batch back.  While a batch is open the page
 * cache is larger (64 MiB), so that its changes stay in memory until the
 * commit. */
int store_batch_begin(Store *s);
int store_batch_commit(Store *s);
void store_batch_rollback(Store *s);
/* With `later` set, a batch's commit does not also copy the write-ahead
 * log into the database file (the checkpoint SQLite runs once the log
 * passes 1,000 pages): the reply need not wait for it.  `later` is
 * called when a batch ends, and store_checkpoint() then does it, once the
 * caller has time.  Without it, SQLite checkpoints as usual. */
void store_set_checkpoint_later(Store *s, void (*later)(void *userdata), void *userdata);
int store_checkpoint(Store *s);

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
/* As store_followup_list (and, with contact_id > 0, as
 * store_followup_list_for_contact) for a listing: only what one shows is
 * read (id, uid, text, kind, contact, due, done_at, every, every_fixed,
 * notified_at; the rest is 0), and nothing is copied: the strings of the
 * Followup cb gets belong to SQLite and are valid only until cb returns,
 * and cb must not call the store. */
int store_followup_list_borrowed(Store *s, int64_t contact_id, int64_t from, int64_t to,
                                 FollowupState state, store_followup_cb cb, void *userdata);

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

/* ---- Self-care: saved break state and the day's outreach ---- */

/* What of the break cycle outlives a restart (selfcare.c).  Days are local
 * dates written as 20261125; 0 means never. */
typedef struct SelfCareState {
        bool paused;            /* the cycle is paused... */
        int64_t paused_until;   /* ...until then (Unix time); 0: until resumed */
        int64_t winddown_day;   /* the wind-down was shown on this day */
        int64_t pause_day;      /* the pause suggestion was made on this day */
} SelfCareState;

/* Reads the saved state; all zero when nothing was saved yet. */
int store_selfcare_load(Store *s, SelfCareState *ret);
/* Saves it, in one transaction. */
int store_selfcare_save(Store *s, const SelfCareState *state);

/* One named number kept with the self-care state (the same table): what
 * the daemon last applied, e.g. the config values the schedule was
 * planned with.  -ENOENT when never saved. */
int store_setting_get(Store *s, const char *name, int64_t *ret);
int store_setting_set(Store *s, const char *name, int64_t value);

/* Outreach actions in [from, to): interactions logged (by when they were
 * logged) plus follow-ups and thank-yous marked done. */
int store_outreach_count(Store *s, int64_t from, int64_t to, unsigned *ret);

/* ---- Meetings: imported calendar events and their reminders ---- */

/* One stored VEVENT: a series (recurrence_id 0) or an override. */
typedef struct MeetingRow {
        int64_t id;
        char *uid;
        int64_t recurrence_id;
        bool this_and_future;
        int64_t sequence;
        bool cancelled;
        bool recurring;
        char *ical;
        char *source;
} MeetingRow;

void meeting_row_clear(MeetingRow *m);
void meeting_rows_free(MeetingRow *rows, size_t n);

typedef struct MeetingPerson {
        const char *email;
        const char *name;       /* may be NULL */
        bool organizer;
} MeetingPerson;

typedef struct MeetingWrite {
        const char *uid;
        int64_t recurrence_id;  /* 0 for the series itself */
        bool this_and_future;
        int64_t sequence;
        const char *summary;
        const char *location;
        bool has_start;
        int64_t start, end;
        bool all_day;
        bool recurring;
        bool cancelled;
        const char *source;     /* watched file path, or NULL */
        const char *ical;
        const MeetingPerson *people;
        size_t n_people;
} MeetingWrite;

/* The stored VEVENT for (uid, recurrence_id); -ENOENT when none. */
int store_meeting_get(Store *s, const char *uid, int64_t recurrence_id, MeetingRow *ret);

/* Inserts or replaces the VEVENT for (uid, recurrence_id), with its people. */
int store_meeting_put(Store *s, const MeetingWrite *m, int64_t now);

/* Marks every stored VEVENT of uid cancelled; -ENOENT when none. */
int store_meeting_cancel_series(Store *s, const char *uid, int64_t sequence, int64_t now);

/* Every stored VEVENT of uid (series first, then overrides by slot). */
int store_meeting_series(Store *s, const char *uid, MeetingRow **ret_rows, size_t *ret_n);

/* The UIDs with a VEVENT from `source` (source NULL: every UID;
 * recurring_only: only series with a rule, for the rolling window, whatever
 * their source).  The caller
 * frees each string and the array. */
int store_meeting_uids(Store *s, const char *source, bool recurring_only, char ***ret_uids, size_t *ret_n);

/* Deletes the VEVENTs that came from `source`. */
int store_meeting_delete_source(Store *s, const char *source);
/* Deletes the VEVENTs of `uid` that came from `source`. */
int store_meeting_delete_uid_source(Store *s, const char *uid, const char *source);

/* One expanded occurrence and the reminders it should have. */
typedef struct OccurrenceWrite {
        int64_t recurrence_id;
        int64_t start, end;
        bool all_day;
        bool cancelled;
        const char *summary;
        int64_t prep_due;
        int64_t thanks_due;
        const char *prep_text;
        const char *thanks_text;
} OccurrenceWrite;

/* Makes the stored occurrences of uid exactly `occ` (n may be 0): adds,
 * updates and deletes occurrences, and keeps their reminders in step: a
 * reminder is created only when due in the future and never again once
 * the user completed or removed it; a moved occurrence moves its open
 * reminders; a cancelled or vanished one withdraws them.  Adds the number
 * of reminders created, moved or withdrawn to *changed (optional). */
int store_occurrences_sync(Store *s, const char *uid, const OccurrenceWrite *occ, size_t n,
                           int64_t now, unsigned *changed);

typedef struct Occurrence {
        int64_t id;
        char *uid;
        char *summary;
        char *location;
        int64_t start, end;
        bool all_day;
        bool cancelled;
} Occurrence;

typedef struct OccurrencePerson {
        char *email;
        char *name;             /* NULL when unknown */
        char *contact;          /* the contact handle with that e-mail, or NULL */
        bool organizer;
} OccurrencePerson;

typedef int (*store_occurrence_cb)(const Occurrence *o, const OccurrencePerson *people, size_t n_people,
                                   void *userdata);
/* Occurrences overlapping [from, to) in start order, with their people. */
int store_occurrences_list(Store *s, int64_t from, int64_t to, bool include_cancelled,
                           store_occurrence_cb cb, void *userdata);

/* The stored VEVENTs in uid order, for export. */
typedef int (*store_meeting_cb)(const MeetingRow *m, void *userdata);
int store_meetings_each(Store *s, store_meeting_cb cb, void *userdata);

/* What a watched file looked like when it was last imported. */
int store_calendar_file_get(Store *s, const char *path, int64_t *ret_mtime, int64_t *ret_size);
int store_calendar_file_put(Store *s, const char *path, int64_t mtime, int64_t size);
int store_calendar_file_delete(Store *s, const char *path);
/* Paths of remembered files directly inside dir. */
int store_calendar_files_in(Store *s, const char *dir, char ***ret_paths, size_t *ret_n);

/* ---- People: contacts, interactions and keep-in-touch ---- */

#include "people.h"

/* A contact, with what the interactions and the schedule say about them.
 *
 * Keep-in-touch reminders are followups rows of kind "reconnect", at most
 * one open per contact, due at people_reconnect_due() of the contact's
 * cadence base.  Every function below that moves that time (a contact
 * added or edited, an interaction logged or removed, a reminder skipped)
 * recomputes the row in its own transaction and says what it did in a
 * ReconnectChange, so that the caller can close a notification on screen,
 * signal the change and re-arm the timer.  A reminder that never fired is
 * deleted when withdrawn; one that fired is marked done. */
typedef struct Contact {
        int64_t id;
        char *uid;
        char *handle;
        char *name;
        char *org;              /* NULL when unset, as are met and note */
        char *met;
        char *note;
        bool strong;
        int64_t cadence;        /* as set: PEOPLE_CADENCE_DEFAULT, PEOPLE_CADENCE_OFF or seconds */
        int64_t cadence_from;   /* the cadence restarted here (skip, unarchive); 0 if never */
        int64_t archived_at;    /* 0 when not archived */
        int64_t created;
        int64_t modified;
        char **emails;          /* in the order they were added */
        size_t n_emails;
        char **tags;            /* sorted, case-insensitively */
        size_t n_tags;
        /* Derived. */
        int64_t last_at;        /* the latest interaction; 0 when none */
        char *last_kind;
        unsigned n_interactions, n_leads, n_gave, n_got;
        int64_t reconnect_id;   /* the open reconnect reminder; 0 when none */
        int64_t reconnect_due;
} Contact;

/* Frees what a Contact owns and zeroes it; accepts a zeroed one. */
void contact_clear(Contact *c);

typedef struct ReconnectChange {
        int64_t withdrawn_id;   /* a reminder taken back; 0 when none */
        bool withdrawn_deleted; /* deleted (it never fired) rather than marked done */
        int64_t scheduled_id;   /* a reminder added or moved; 0 when none */
        bool scheduled_new;     /* added rather than moved */
} ReconnectChange;

#define CONTACT_CADENCE_UNCHANGED INT64_MIN

/* What to set.  For store_contact_add: name is required; a NULL handle is
 * derived from the name (made unique with -2, -3, ...); strong < 0 means
 * weak; cadence CONTACT_CADENCE_UNCHANGED means the default; the add_*
 * lists are the e-mails and tags.  For store_contact_edit: NULL, < 0 or
 * CONTACT_CADENCE_UNCHANGED leave a field as it is; "" clears org, met
 * and note; archived 1 archives (no reminders, hidden from lists) and 0
 * brings back (the cadence restarts).  The caller has validated every
 * value (people.h, text.h); the store checks only uniqueness and
 * existence. */
typedef struct ContactChanges {
        const char *name;
        const char *handle;
        const char *org;
        const char *met;
        const char *note;
        int strong;
        int64_t cadence;
        int archived;
        const char *const *add_emails;
        size_t n_add_emails;
        const char *const *remove_emails;
        size_t n_remove_emails;
        const char *const *add_tags;
        size_t n_add_tags;
        const char *const *remove_tags;
        size_t n_remove_tags;
} ContactChanges;
#define CONTACT_CHANGES_NONE ((ContactChanges) { \
        .strong = -1, .cadence = CONTACT_CADENCE_UNCHANGED, .archived = -1 })

/* Adds a contact.  -EEXIST when the handle or an e-mail belongs to someone
 * else (the sentence names them), -E2BIG past PEOPLE_EMAILS_MAX or
 * PEOPLE_TAGS_MAX. */
int store_contact_add(Store *s, const ContactChanges *c, int64_t weak_cadence, int64_t now,
                      int64_t *ret_id, ReconnectChange *ret_change);

int store_contact_get(Store *s, int64_t id, Contact *ret);

/* Finds the contact a WHO names: an id ("12", "#12"); an e-mail (any case);
 * a handle; a full name (folded, see people_fold); or a prefix of a handle
 * or name of a contact that is not archived.  -ENOENT when none matches,
 * -ENOTUNIQ when several do (two people of the same name, or a prefix of
 * several): the sentence lists them. */
int store_contact_resolve(Store *s, const char *who, int64_t *ret_id);

typedef struct ContactFilter {
        int strong;             /* < 0: either tie */
        const char *tag;        /* NULL: any */
        bool include_archived;
} ContactFilter;

/* Calls cb for each contact the filter lets through, by name.  A negative
 * return from cb stops the walk and is returned. */
typedef int (*store_contact_cb)(const Contact *c, void *userdata);
int store_contact_list(Store *s, const ContactFilter *filter, store_contact_cb cb, void *userdata);

/* Edits a contact (see ContactChanges).  -ENOENT for an e-mail to remove
 * that the contact does not have; -EEXIST, -E2BIG as for add. */
int store_contact_edit(Store *s, int64_t id, const ContactChanges *c, int64_t weak_cadence,
                       int64_t now, ReconnectChange *ret_change);

typedef enum ContactRemoveMode {
        CONTACT_REMOVE,         /* only when nothing was logged: -ENOTEMPTY otherwise */
        CONTACT_REMOVE_FORCE,   /* deletes the logged interactions too */
        CONTACT_REMOVE_ARCHIVE, /* keeps everything, archived; -EALREADY if it is */
} ContactRemoveMode;

/* Removes (or archives) a contact.  Its reconnect reminders go with it;
 * other follow-ups naming it stay, no longer linked.  *ret_deleted (may be
 * NULL) is how many interactions were deleted. */
int store_contact_remove(Store *s, int64_t id, ContactRemoveMode mode, int64_t now,
                         unsigned *ret_deleted, ReconnectChange *ret_change);

/* For imports: the contact holding any of the e-mails, else the only one
 * whose folded full name equals name's.  -ENOENT when none, -ENOTUNIQ when
 * the name is shared by several (the e-mails match none). */
int store_contact_match(Store *s, const char *const *emails, size_t n_emails, const char *name,
                        int64_t *ret_id);

/* For imports: adds to a contact what it lacks: e-mails nobody has, tags,
 * and org, met and note where they are unset.  E-mails that belong to
 * someone else are left out and counted in *ret_skipped_emails.
 * *ret_changed tells whether anything was added. */
int store_contact_merge(Store *s, int64_t id, const ContactChanges *c, int64_t now,
                        bool *ret_changed, unsigned *ret_skipped_emails);

/* An interaction: what happened with a contact, and when. */
typedef struct Interaction {
        int64_t id;
        int64_t contact_id;
        char *handle;
        char *name;
        char *kind;
        int64_t at;
        char *gave;             /* NULL when nothing, as are got and note */
        char *got;
        char *note;
        bool lead;
        int64_t created;
} Interaction;

void interaction_clear(Interaction *i);

typedef struct InteractionNew {
        const char *kind;       /* people_kind_valid() */
        int64_t at;
        const char *gave;       /* NULL or "" for nothing */
        const char *got;
        const char *note;
        bool lead;
} InteractionNew;

/* Logs an interaction.  When it is the latest contact (not older than the
 * cadence base), the cadence restarts from it: a pending reconnect is
 * withdrawn and the next one scheduled.  An older one is history only. */
int store_interaction_add(Store *s, int64_t contact_id, const InteractionNew *in,
                          int64_t weak_cadence, int64_t now, int64_t *ret_id,
                          ReconnectChange *ret_change);

/* Newest first, at most limit (0: no limit); contact_id 0 lists everyone's. */
typedef int (*store_interaction_cb)(const Interaction *i, void *userdata);
int store_interaction_list(Store *s, int64_t contact_id, unsigned limit,
                           store_interaction_cb cb, void *userdata);

/* Deletes one logged interaction (a mistake); the reconnect moves back. */
int store_interaction_remove(Store *s, int64_t id, int64_t weak_cadence, int64_t now,
                             ReconnectChange *ret_change);

/* Reconnect reminder actions.  Both need an open reconnect row (-ENOENT
 * for no such row or one of another kind, -EALREADY when done).
 * Logged: an interaction of kind "message" now, and the cadence restarts.
 * Skip: the cadence restarts now (contacts.cadence_from) without logging.
 * The fired reminder is marked done either way. */
int store_reconnect_logged(Store *s, int64_t followup_id, int64_t weak_cadence, int64_t now,
                           int64_t *ret_interaction_id, ReconnectChange *ret_change);
int store_reconnect_skip(Store *s, int64_t followup_id, int64_t weak_cadence, int64_t now,
                         ReconnectChange *ret_change);

/* The contact of a reconnect row (-ENOENT when the row is not one). */
int store_reconnect_contact(Store *s, int64_t followup_id, Contact *ret);

/* After the default weak-tie cadence changed: recomputes the reconnect row
 * of every weak tie that follows the default (a snoozed one moves too).
 * Returns how many contacts' rows changed. */
int store_reconnect_resync_default(Store *s, int64_t weak_cadence, int64_t now);

/* Follow-ups that name a contact.  contact_id 0 means none. */
int store_followup_add_for_contact(Store *s, const char *text, int64_t due, int64_t every,
                                   bool every_fixed, int64_t contact_id, int64_t now,
                                   int64_t *ret_id);
/* store_followup_edit and, when contact_id >= 0, the link (0 unlinks), in
 * one transaction. */
int store_followup_edit_with_contact(Store *s, int64_t id, const FollowupChanges *changes,
                                     int64_t contact_id, int64_t now);
int store_followup_list_for_contact(Store *s, int64_t contact_id, int64_t from, int64_t to,
                                    FollowupState state, store_followup_cb cb, void *userdata);

/* Statistics.  store_people_stats fills st (people_stats_init'ed) from the
 * interactions and contacts in its range. */
int store_people_stats(Store *s, PeopleStats *st);

typedef struct PeopleTotals {
        unsigned contacts;      /* not archived */
        unsigned weak_contacts, strong_contacts;
        unsigned archived;
        unsigned interactions;  /* in the range */
        unsigned weak, strong;  /* interactions by tie */
        unsigned gave, got;
        unsigned leads, leads_weak, leads_strong;
} PeopleTotals;
int store_people_totals(Store *s, int64_t from, int64_t to, PeopleTotals *ret);

/* What counts toward the weekly goals in [from, to). */
int store_people_progress(Store *s, int64_t from, int64_t to, PeopleProgress *ret);

/* ---- Sync: vdirs kept in step with the database (sync.c) ---- */

/* Follow-up by its iCalendar UID; -ENOENT when none. */
int store_followup_get_by_uid(Store *s, const char *uid, Followup *ret);

/* A follow-up as another program (or another netctl) wrote it. */
typedef struct FollowupSynced {
        const char *uid;
        const char *text;
        bool has_due;           /* false: keep the stored due time (now for a new one) */
        int64_t due;
        int64_t done_at;        /* 0: open */
        int64_t every;          /* 0: none */
        bool every_fixed;
        bool successor;         /* an open -> done change schedules the next one of a
                                 * recurring follow-up (false when the writer did) */
        int64_t sequence;
        int64_t modified;
        const char *contact;    /* handle of the contact it concerns; NULL, or a
                                 * handle nobody has here: none */
} FollowupSynced;

/* Inserts the follow-up with that UID or makes the stored one say the
 * same, in one transaction; SEQUENCE and LAST-MODIFIED are taken as given.
 * *ret_id is the row, *ret_next_id (may be NULL) a successor scheduled by
 * the completion of a recurring follow-up, 0 if none. */
int store_followup_put_synced(Store *s, const FollowupSynced *in, int64_t now, int64_t *ret_id,
                              int64_t *ret_next_id);

/* What netctl last wrote to, or read from, one vdir file: the hash of the
 * file's bytes and the hash of netctl's own rendering of the item then. */
typedef struct SyncRecord {
        char *kind;             /* "task" or "contact" */
        char *uid;
        char *path;
        char *file_hash;
        char *db_hash;
        int64_t synced;
        bool written;           /* the file holds what netctl wrote */
        /* Shortcuts for the start-up scan, "" when not known; a put
         * always clears them, so a stale one never outlives the hashes
         * it stands for. */
        char *file_stat;        /* the file's identity and times when it had file_hash */
        char *db_key;           /* the hash of what rendered to db_hash */
} SyncRecord;

void sync_record_clear(SyncRecord *r);

/* By (kind, uid) or by path; -ENOENT when none. */
int store_sync_record_get(Store *s, const char *kind, const char *uid, SyncRecord *ret);
int store_sync_record_get_path(Store *s, const char *path, SyncRecord *ret);
/* Inserts or replaces the record of (kind, uid), with the shortcuts it
 * carries (NULL: none). */
int store_sync_record_put(Store *s, const SyncRecord *rec);
/* Notes a shortcut of the record at path: -ENOENT when there is none. */
int store_sync_record_set_file_stat(Store *s, const char *path, const char *file_stat);
int store_sync_record_set_db_key(Store *s, const char *path, const char *db_key);
int store_sync_record_delete(Store *s, const char *kind, const char *uid);

/* The walks below hand out rows in UID order, a page at a time, and cb
 * may change the tables; a negative return from it stops the walk.  The
 * _page forms read one page (the follow-ups' walk has only that form):
 * *after is the last UID of the page before ("" to start) and is moved to
 * this one's; they return how many rows were handed out, fewer than
 * STORE_SYNC_PAGE when the walk is over, or negative errno. */
#define STORE_SYNC_PAGE 256

/* Every record of a kind. */
typedef int (*store_sync_record_cb)(const SyncRecord *r, void *userdata);
int store_sync_record_each(Store *s, const char *kind, store_sync_record_cb cb, void *userdata);
int store_sync_record_page(Store *s, const char *kind, char **after, store_sync_record_cb cb, void *userdata);
/* The task records whose follow-up is gone (removed here). */
int store_sync_task_orphans(Store *s, store_sync_record_cb cb, void *userdata);
int store_sync_task_orphans_page(Store *s, char **after, store_sync_record_cb cb, void *userdata);
/* Every follow-up of kind "followup" with its task record (NULL when it
 * has none). */
typedef int (*store_followup_synced_cb)(const Followup *f, const SyncRecord *rec, void *userdata);
int store_followup_synced_page(Store *s, char **after, store_followup_synced_cb cb, void *userdata);

/* A conflict resolved: which version was kept and the text of the one
 * that lost (kept here, never dropped). */
typedef struct SyncConflict {
        int64_t id;
        char *kind;
        char *uid;
        int64_t at;
        char *what;             /* a sentence: what happened and which side won */
        char *lost;             /* the losing version, as iCalendar/vCard text; may be NULL */
} SyncConflict;

int store_sync_conflict_add(Store *s, const char *kind, const char *uid, int64_t at, const char *what,
                            const char *lost);
/* Newest first, at most limit (0: all). */
typedef int (*store_sync_conflict_cb)(const SyncConflict *c, void *userdata);
int store_sync_conflict_each(Store *s, unsigned limit, store_sync_conflict_cb cb, void *userdata);
int store_sync_conflict_count(Store *s, int64_t *ret);

/* The contact with that UID (archived ones too); -ENOENT when none. */
int store_contact_get_by_uid(Store *s, const char *uid, int64_t *ret_id);
/* Gives a contact the UID another program chose for it (a card that came
 * from a vdir keeps its UID).  -EEXIST when another contact has it. */
int store_contact_set_uid(Store *s, int64_t id, const char *uid);
/* Sets when a contact last changed (a card from another device carries
 * the time of its change, so that both devices compare the same). */
int store_contact_set_modified(Store *s, int64_t id, int64_t modified);
