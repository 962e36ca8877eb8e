/* SPDX-License-Identifier: MIT */
/* The only file that speaks SQL. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "store.h"

#define FOLLOWUP_COLUMNS \
        "f.id, f.uid, f.text, f.kind, c.handle, f.due, f.done_at, f.every, f.every_fixed, " \
        "f.notified_at, f.notify_state, f.created, f.modified, f.sequence"
/* How many FOLLOWUP_COLUMNS names (followup_from_row() reads them): where
 * a query's own columns begin after them. */
#define FOLLOWUP_COLUMNS_COUNT 14
#define FOLLOWUP_FROM " FROM followups f LEFT JOIN contacts c ON c.id = f.contact_id "

/* The statements.  Each is prepared once, on first use, and reused: the
 * cache is keyed by the address of these arrays.  store_prepare() clears
 * a statement's bindings before each use, so a string the caller owns
 * can be bound as SQLITE_STATIC (not copied) when the statement is done
 * with before the caller returns.  The import's statements are, and
 * copying their strings (each meeting's text among them) was 2 % of it. */
/* Savepoints rather than BEGIN/COMMIT, so that a batch (one imported
 * file) can wrap functions that are each a transaction on their own. */
static const char sql_begin[] =
        "SAVEPOINT netctl";
static const char sql_commit[] =
        "RELEASE netctl";
static const char sql_rollback[] =
        "ROLLBACK TO netctl";
static const char sql_release[] =
        "RELEASE netctl";
static const char sql_followup_add[] =
        "INSERT INTO followups (uid, kind, text, due, every, every_fixed, created, modified) "
                "VALUES (?1, ?2, ?3, ?4, NULLIF(?5, 0), ?6, ?7, ?7)";
/* A meeting reminder: linked to its occurrence, planned at its due time. */
static const char sql_reminder_add[] =
        "INSERT INTO followups (uid, kind, text, due, created, modified, occurrence_id, planned_due) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?4)";
static const char sql_followup_get[] =
        "SELECT " FOLLOWUP_COLUMNS FOLLOWUP_FROM "WHERE f.id = ?1";
/* The listings, by state, by due time; and of one contact (?4: 0 open, 1
 * done, 2 any).  Full rows (FOLLOWUP_COLUMNS) or what a list shows. */
#define FOLLOWUP_WHERE_OPEN "WHERE f.done_at IS NULL AND f.due >= ?1 AND f.due < ?2 ORDER BY f.due, f.id"
#define FOLLOWUP_WHERE_DONE "WHERE f.done_at IS NOT NULL AND f.due >= ?1 AND f.due < ?2 ORDER BY f.due, f.id"
/* Open and done rows each come in order from their own index, and SQLite
 * merges the two (columns 6 and 1 are f.due and f.id in both column
 * lists): one index on every row's due time would be one more entry to
 * write for each new reminder, for this listing alone. */
#define FOLLOWUP_UNION_ANY(columns) \
        "SELECT " columns FOLLOWUP_FROM "WHERE f.done_at IS NULL AND f.due >= ?1 AND f.due < ?2 " \
        "UNION ALL SELECT " columns FOLLOWUP_FROM "WHERE f.done_at IS NOT NULL AND f.due >= ?1 AND f.due < ?2 " \
        "ORDER BY 6, 1"
#define FOLLOWUP_WHERE_CONTACT \
        "WHERE f.contact_id = ?1 AND f.due >= ?2 AND f.due < ?3 " \
        "AND (?4 = 2 OR (?4 = 0) = (f.done_at IS NULL)) ORDER BY f.due, f.id"
static const char sql_followup_list_open[] = "SELECT " FOLLOWUP_COLUMNS FOLLOWUP_FROM FOLLOWUP_WHERE_OPEN;
static const char sql_followup_list_done[] = "SELECT " FOLLOWUP_COLUMNS FOLLOWUP_FROM FOLLOWUP_WHERE_DONE;
static const char sql_followup_list_any[] = FOLLOWUP_UNION_ANY(FOLLOWUP_COLUMNS);
/* What a listing shows: the first ten of FOLLOWUP_COLUMNS, in the same
 * order (store_followup_list_borrowed).  Leaving out the four it does not
 * show saves a tenth of a 10,000-row walk. */
#define FOLLOWUP_SHOWN_COLUMNS \
        "f.id, f.uid, f.text, f.kind, c.handle, f.due, f.done_at, f.every, f.every_fixed, f.notified_at"
static const char sql_followup_shown_open[] = "SELECT " FOLLOWUP_SHOWN_COLUMNS FOLLOWUP_FROM FOLLOWUP_WHERE_OPEN;
static const char sql_followup_shown_done[] = "SELECT " FOLLOWUP_SHOWN_COLUMNS FOLLOWUP_FROM FOLLOWUP_WHERE_DONE;
static const char sql_followup_shown_any[] = FOLLOWUP_UNION_ANY(FOLLOWUP_SHOWN_COLUMNS);
static const char sql_followup_shown_contact[] =
        "SELECT " FOLLOWUP_SHOWN_COLUMNS FOLLOWUP_FROM FOLLOWUP_WHERE_CONTACT;
static const char sql_followup_done[] =
        "UPDATE followups SET done_at = ?2, modified = ?2, sequence = sequence + 1 "
                "WHERE id = ?1 AND done_at IS NULL";
static const char sql_followup_snooze[] =
        "UPDATE followups SET due = ?2, notify_state = 0, notified_at = NULL, modified = ?3, "
                "sequence = sequence + 1 WHERE id = ?1";
static const char sql_followup_remove[] =
        "DELETE FROM followups WHERE id = ?1";
/* Before a meeting reminder is removed: its slot, in reminders_removed. */
static const char sql_reminder_removed_note[] =
        "INSERT OR IGNORE INTO reminders_removed (occurrence_id, kind) "
        "SELECT occurrence_id, kind FROM followups WHERE id = ?1 AND occurrence_id IS NOT NULL";
static const char sql_followup_set_text[] =
        "UPDATE followups SET text = ?2, modified = ?3, sequence = sequence + 1 WHERE id = ?1";
static const char sql_followup_set_due[] =
        "UPDATE followups SET due = ?2, notify_state = 0, notified_at = NULL, modified = ?3, "
                "sequence = sequence + 1 WHERE id = ?1";
static const char sql_followup_set_every[] =
        "UPDATE followups SET every = NULLIF(?2, 0), every_fixed = ?3, modified = ?4, "
                "sequence = sequence + 1 WHERE id = ?1";
/* INDEXED BY: followups_open would serve too, and the planner may take
 * it, but it holds the open reminders already shown, which it would have
 * to step over; followups_pending holds exactly the ones wanted. */
#define FOLLOWUP_FROM_PENDING \
        " FROM followups f INDEXED BY followups_pending LEFT JOIN contacts c ON c.id = f.contact_id "
static const char sql_next_pending[] =
        "SELECT " FOLLOWUP_COLUMNS FOLLOWUP_FROM_PENDING
                "WHERE f.done_at IS NULL AND f.notify_state = 0 ORDER BY f.due, f.id LIMIT 1";
static const char sql_due_pending[] =
        "SELECT " FOLLOWUP_COLUMNS FOLLOWUP_FROM_PENDING
                "WHERE f.done_at IS NULL AND f.notify_state = 0 AND f.due <= ?1 "
                "ORDER BY f.due, f.id LIMIT ?2";
static const char sql_claim[] =
        "UPDATE followups SET notify_state = 1 WHERE id = ?1 AND notify_state = 0";
/* Settings.  SQLite applies a PRAGMA that sets something when it compiles
 * the statement, and compiles it again for every run, so keeping one in
 * the statement cache saves nothing: store_pragma() runs these.
 *
 * The page cache is small between requests (memory stays flat however
 * large the schedule), and large while a batch runs: an imported file of
 * 10,000 meetings changes about 40 MB of pages, and once its changes fill
 * the cache SQLite writes them to the WAL before the commit, to write
 * many of them again when they change later in the batch.  Shrinking it
 * afterwards frees the pages.
 *
 * A statement that writes more than one row inside a transaction keeps a
 * statement journal (the pages it changed, to undo just that statement if
 * a constraint fails), and SQLite moves that journal to a temporary file
 * once it passes 64 KiB.  In a batch it would then be written through the
 * file again for every statement: an import of 10,000 meetings made
 * 70,000 pwrite calls and spent about a fifth of its time there.  In memory
 * the journal is emptied at the end of each statement, so it holds no more
 * than one statement's pages.  Outside a batch temporary data goes back
 * to files, so that a large sort cannot grow the daemon.  temp_store can
 * only change outside a transaction. */
static const char sql_batch_settings[] =
        "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536";
static const char sql_normal_settings[] =
        "PRAGMA cache_size = -2000; PRAGMA temp_store = DEFAULT";
static const char sql_checkpoint_off[] =
        "PRAGMA wal_autocheckpoint = 0";
/* The automatic checkpoint back first, so that a checkpoint that fails
 * here (a full disk) is tried again by the next commit.  PASSIVE: never
 * waits for a reader (a backup, an sqlite3 shell). */
static const char sql_checkpoint_now[] =
        "PRAGMA wal_autocheckpoint = 1000; PRAGMA wal_checkpoint(PASSIVE)";
static const char sql_sync_normal[] =
        "PRAGMA synchronous = NORMAL";
static const char sql_sync_full[] =
        "PRAGMA synchronous = FULL";
static const char sql_shown[] =
        "UPDATE followups SET notify_state = 2, notified_at = ?2 "
                "WHERE id = ?1 AND notify_state = 1";
static const char sql_unclaim[] =
        "UPDATE followups SET notify_state = 0 WHERE id = ?1 AND notify_state = 1";
static const char sql_reset_sending[] =
        "UPDATE followups SET notify_state = 0 WHERE notify_state = 1";
static const char sql_count_open[] =
        "SELECT count(*) FROM followups WHERE done_at IS NULL";
static const char sql_count_overdue[] =
        "SELECT count(*) FROM followups WHERE done_at IS NULL AND due <= ?1";
static const char sql_count_done[] =
        "SELECT count(*) FROM followups WHERE done_at IS NOT NULL";

/* Migrations: migrations[n] takes a database from version n to n + 1.  A
 * release only ever appends here. */
static const char *const migrations[] = {
        /* 0 -> 1: follow-ups and the people they concern.  Contacts,
         * interactions and the contact link are here from the start so that
         * later features add tables rather than rebuild this one. */
        "CREATE TABLE contacts ("
        "  id INTEGER PRIMARY KEY,"
        "  uid TEXT NOT NULL UNIQUE,"
        "  handle TEXT NOT NULL UNIQUE,"
        "  name TEXT NOT NULL,"
        "  org TEXT,"
        "  met TEXT,"
        "  note TEXT,"
        "  tie TEXT NOT NULL DEFAULT 'weak' CHECK (tie IN ('weak', 'strong')),"
        "  cadence INTEGER CHECK (cadence IS NULL OR cadence > 0),"
        "  cadence_from INTEGER,"
        "  archived_at INTEGER,"
        "  created INTEGER NOT NULL,"
        "  modified INTEGER NOT NULL"
        ");"
        "CREATE TABLE contact_emails ("
        "  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
        "  email TEXT NOT NULL COLLATE NOCASE UNIQUE"
        ");"
        "CREATE INDEX contact_emails_contact ON contact_emails(contact_id);"
        "CREATE TABLE contact_tags ("
        "  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
        "  tag TEXT NOT NULL COLLATE NOCASE,"
        "  PRIMARY KEY (contact_id, tag)"
        ");"
        /* History is never dropped silently: deleting a contact that still
         * has interactions fails unless the caller deletes them on purpose. */
        "CREATE TABLE interactions ("
        "  id INTEGER PRIMARY KEY,"
        "  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE RESTRICT,"
        "  kind TEXT NOT NULL,"
        "  at INTEGER NOT NULL,"
        "  gave TEXT,"
        "  got TEXT,"
        "  note TEXT,"
        "  lead INTEGER NOT NULL DEFAULT 0,"
        "  created INTEGER NOT NULL"
        ");"
        "CREATE INDEX interactions_contact_at ON interactions(contact_id, at);"
        "CREATE INDEX interactions_at ON interactions(at);"
        "CREATE TABLE followups ("
        "  id INTEGER PRIMARY KEY,"
        "  uid TEXT NOT NULL UNIQUE,"
        "  kind TEXT NOT NULL DEFAULT 'followup'"
        "    CHECK (kind IN ('followup', 'prep', 'thanks', 'reconnect')),"
        "  text TEXT NOT NULL,"
        "  contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,"
        "  due INTEGER NOT NULL,"
        "  done_at INTEGER,"
        "  every INTEGER CHECK (every IS NULL OR every > 0),"
        "  every_fixed INTEGER NOT NULL DEFAULT 0,"
        "  notify_state INTEGER NOT NULL DEFAULT 0 CHECK (notify_state IN (0, 1, 2)),"
        "  notified_at INTEGER,"
        "  sequence INTEGER NOT NULL DEFAULT 0,"
        "  created INTEGER NOT NULL,"
        "  modified INTEGER NOT NULL"
        ");"
        /* What is due next, and listings by due time, without a scan. */
        "CREATE INDEX followups_pending ON followups(due, id)"
        "  WHERE done_at IS NULL AND notify_state = 0;"
        "CREATE INDEX followups_due ON followups(due);"
        "CREATE INDEX followups_contact ON followups(contact_id);",

        /* 1 -> 2: meetings from calendar files.  A meeting row is one
         * VEVENT: the series (recurrence_id 0) or an override of one slot.
         * Occurrences are the expanded instances within the window, and
         * each has at most one prep and one thank-you reminder.  A link
         * whose follow-up the user removed keeps followup_id NULL, so a
         * re-import does not bring the reminder back. */
        "CREATE TABLE meetings ("
        "  id INTEGER PRIMARY KEY,"
        "  uid TEXT NOT NULL,"
        "  recurrence_id INTEGER NOT NULL DEFAULT 0,"
        "  this_and_future INTEGER NOT NULL DEFAULT 0,"
        "  sequence INTEGER NOT NULL DEFAULT 0,"
        "  summary TEXT NOT NULL DEFAULT '',"
        "  location TEXT NOT NULL DEFAULT '',"
        "  start INTEGER,"
        "  finish INTEGER,"
        "  all_day INTEGER NOT NULL DEFAULT 0,"
        "  recurring INTEGER NOT NULL DEFAULT 0,"
        "  cancelled INTEGER NOT NULL DEFAULT 0,"
        "  source TEXT,"
        "  ical TEXT NOT NULL,"
        "  imported INTEGER NOT NULL,"
        "  modified INTEGER NOT NULL,"
        "  UNIQUE (uid, recurrence_id)"
        ");"
        "CREATE INDEX meetings_source ON meetings(source);"
        "CREATE TABLE meeting_people ("
        "  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
        "  email TEXT NOT NULL COLLATE NOCASE,"
        "  name TEXT,"
        "  organizer INTEGER NOT NULL DEFAULT 0,"
        "  PRIMARY KEY (meeting_id, email)"
        ");"
        "CREATE INDEX meeting_people_email ON meeting_people(email);"
        "CREATE TABLE occurrences ("
        "  id INTEGER PRIMARY KEY,"
        "  uid TEXT NOT NULL,"
        "  recurrence_id INTEGER NOT NULL,"
        "  start INTEGER NOT NULL,"
        "  finish INTEGER NOT NULL,"
        "  all_day INTEGER NOT NULL DEFAULT 0,"
        "  summary TEXT NOT NULL,"
        "  cancelled INTEGER NOT NULL DEFAULT 0,"
        "  UNIQUE (uid, recurrence_id)"
        ");"
        "CREATE INDEX occurrences_start ON occurrences(start);"
        "CREATE TABLE occurrence_reminders ("
        "  occurrence_id INTEGER NOT NULL REFERENCES occurrences(id) ON DELETE CASCADE,"
        "  kind TEXT NOT NULL CHECK (kind IN ('prep', 'thanks')),"
        "  followup_id INTEGER UNIQUE REFERENCES followups(id) ON DELETE SET NULL,"
        "  PRIMARY KEY (occurrence_id, kind)"
        ");"
        "CREATE TABLE calendar_files ("
        "  path TEXT PRIMARY KEY,"
        "  mtime INTEGER NOT NULL,"
        "  size INTEGER NOT NULL"
        ");",

        /* 2 -> 3: self-care state that must outlive a restart: a pause of
         * the break cycle and its end, and the days on which the wind-down
         * and the pause suggestion were shown.  One row per setting, so
         * that a later one needs no migration.  (Reminders held during
         * quiet hours need no table: they stay pending in followups.) */
        "CREATE TABLE selfcare ("
        "  name TEXT PRIMARY KEY,"
        "  value INTEGER NOT NULL"
        ") WITHOUT ROWID;",

        /* 3 -> 4: two-way sync with vdirs (sync.c).  sync_records says
         * what each vdir file held when netctl last wrote or read it, and
         * what netctl's own rendering of the item was then, so that a
         * change on either side (or both: a conflict) can be told apart
         * from netctl's own writes.  sync_conflicts keeps every losing
         * version. */
        "CREATE TABLE sync_records ("
        "  kind TEXT NOT NULL CHECK (kind IN ('task', 'contact')),"
        "  uid TEXT NOT NULL,"
        "  path TEXT NOT NULL UNIQUE,"
        "  file_hash TEXT NOT NULL,"
        "  db_hash TEXT NOT NULL,"
        "  synced INTEGER NOT NULL,"
        "  PRIMARY KEY (kind, uid)"
        ") WITHOUT ROWID;"
        "CREATE TABLE sync_conflicts ("
        "  id INTEGER PRIMARY KEY,"
        "  kind TEXT NOT NULL,"
        "  uid TEXT NOT NULL,"
        "  at INTEGER NOT NULL,"
        "  what TEXT NOT NULL,"
        "  lost TEXT"
        ");",

        /* 4 -> 5: whether a vdir file holds what netctl wrote, so that a
         * version another device made at the same time, which a syncer
         * put in its place, is told from an edit made on top of it. */
        "ALTER TABLE sync_records ADD COLUMN written INTEGER NOT NULL DEFAULT 0;",

        /* 5 -> 6: indexes so that nothing the daemon does at start, on a
         * status call or on a "done" reads the whole table (the benchmarks
         * keep 100,000 follow-ups): open ones by due time (the lists, the
         * open and overdue counts), done ones by completion (the done
         * count, the day's outreach), and those being shown (reset at
         * start; almost always none). */
        "CREATE INDEX followups_open ON followups(due, id) WHERE done_at IS NULL;"
        "CREATE INDEX followups_done ON followups(done_at) WHERE done_at IS NOT NULL;"
        "CREATE INDEX followups_sending ON followups(id) WHERE notify_state = 1;",

        /* 6 -> 7: the time a meeting reminder was planned for (from the
         * meeting and prep_before/thanks_after), apart from its due time,
         * which the user may have snoozed.  A refresh (the daily window, a
         * changed file, a zone change) moves a reminder only when its
         * planned time changed, so a snooze survives it.  Existing rows
         * take their due time: a snooze made before cannot be told. */
        "ALTER TABLE occurrence_reminders ADD COLUMN planned_due INTEGER;"
        "UPDATE occurrence_reminders SET planned_due = "
        "  (SELECT due FROM followups f WHERE f.id = occurrence_reminders.followup_id);",

        /* 7 -> 8: what lets sync's start-up scan skip an unchanged file
         * without reading it (its device, inode, size and times when it
         * had file_hash) and an unchanged item without rendering it (the
         * hash of the fields that rendered to db_hash).  Empty: not
         * known, look. */
        "ALTER TABLE sync_records ADD COLUMN file_stat TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE sync_records ADD COLUMN db_key TEXT NOT NULL DEFAULT '';",

        /* 8 -> 9: the follow-ups' CHECKs as comparisons.  SQLite tests
         * `x IN (a, b, c)` against more than two constants through a
         * temporary b-tree, which it builds anew on every INSERT or UPDATE
         * of a row: an eighth of the work of importing a calendar (two
         * reminders per meeting), and part of every reminder shown.  The
         * constraints are the same.  SQLite cannot change a CHECK in place,
         * so the table is copied, ids and all; migrations run with foreign
         * keys off (store_open()), so dropping the old table leaves the
         * meeting reminders' links to it alone. */
        "CREATE TABLE followups_new ("
        "  id INTEGER PRIMARY KEY,"
        "  uid TEXT NOT NULL UNIQUE,"
        "  kind TEXT NOT NULL DEFAULT 'followup'"
        "    CHECK (kind = 'followup' OR kind = 'prep' OR kind = 'thanks' OR kind = 'reconnect'),"
        "  text TEXT NOT NULL,"
        "  contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,"
        "  due INTEGER NOT NULL,"
        "  done_at INTEGER,"
        "  every INTEGER CHECK (every IS NULL OR every > 0),"
        "  every_fixed INTEGER NOT NULL DEFAULT 0,"
        "  notify_state INTEGER NOT NULL DEFAULT 0 CHECK (notify_state BETWEEN 0 AND 2),"
        "  notified_at INTEGER,"
        "  sequence INTEGER NOT NULL DEFAULT 0,"
        "  created INTEGER NOT NULL,"
        "  modified INTEGER NOT NULL"
        ");"
        "INSERT INTO followups_new (id, uid, kind, text, contact_id, due, done_at, every, every_fixed,"
        "  notify_state, notified_at, sequence, created, modified) "
        "SELECT id, uid, kind, text, contact_id, due, done_at, every, every_fixed,"
        "  notify_state, notified_at, sequence, created, modified FROM followups;"
        "DROP TABLE followups;"
        "ALTER TABLE followups_new RENAME TO followups;"
        "CREATE INDEX followups_pending ON followups(due, id)"
        "  WHERE done_at IS NULL AND notify_state = 0;"
        "CREATE INDEX followups_due ON followups(due);"
        "CREATE INDEX followups_contact ON followups(contact_id);"
        "CREATE INDEX followups_open ON followups(due, id) WHERE done_at IS NULL;"
        "CREATE INDEX followups_done ON followups(done_at) WHERE done_at IS NOT NULL;"
        "CREATE INDEX followups_sending ON followups(id) WHERE notify_state = 1;",

        /* 9 -> 10: only follow-ups with a contact in the index by contact.
         * A meeting's reminders have none and are most rows after an
         * import, each an entry to write for nothing; every look-up by
         * contact is `contact_id = x`, which tells SQLite the partial
         * index has every row it can match. */
        "DROP INDEX followups_contact;"
        "CREATE INDEX followups_contact ON followups(contact_id) WHERE contact_id IS NOT NULL;",

        /* 10 -> 11: a meeting's people and an occurrence's reminder links
         * are found only by their keys (the meeting, the occurrence, the
         * follow-up), so they become WITHOUT ROWID tables: a row is one
         * entry in one b-tree, where it was a row plus its key's index.
         * meeting_people_email goes: no query looks people up by address
         * (a meeting's people are read by meeting, and their contacts
         * through contact_emails), and it cost an entry in random order
         * for every attendee of every meeting imported.  Nothing
         * references either table, so the copies leave the others as they
         * are.  IF EXISTS: a database whose index someone dropped by hand
         * still migrates. */
        "DROP INDEX IF EXISTS meeting_people_email;"
        "CREATE TABLE meeting_people_new ("
        "  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
        "  email TEXT NOT NULL COLLATE NOCASE,"
        "  name TEXT,"
        "  organizer INTEGER NOT NULL DEFAULT 0,"
        "  PRIMARY KEY (meeting_id, email)"
        ") WITHOUT ROWID;"
        "INSERT INTO meeting_people_new (meeting_id, email, name, organizer) "
        "SELECT meeting_id, email, name, organizer FROM meeting_people;"
        "DROP TABLE meeting_people;"
        "ALTER TABLE meeting_people_new RENAME TO meeting_people;"
        "CREATE TABLE occurrence_reminders_new ("
        "  occurrence_id INTEGER NOT NULL REFERENCES occurrences(id) ON DELETE CASCADE,"
        "  kind TEXT NOT NULL CHECK (kind = 'prep' OR kind = 'thanks'),"
        "  followup_id INTEGER UNIQUE REFERENCES followups(id) ON DELETE SET NULL,"
        "  planned_due INTEGER,"
        "  PRIMARY KEY (occurrence_id, kind)"
        ") WITHOUT ROWID;"
        "INSERT INTO occurrence_reminders_new (occurrence_id, kind, followup_id, planned_due) "
        "SELECT occurrence_id, kind, followup_id, planned_due FROM occurrence_reminders;"
        "DROP TABLE occurrence_reminders;"
        "ALTER TABLE occurrence_reminders_new RENAME TO occurrence_reminders;"
        /* Every new reminder was also an entry in followups_due, which
         * only listings of open and done follow-ups together used; open
         * ones have followups_open, and done ones now their own. */
        "DROP INDEX IF EXISTS followups_due;"
        "CREATE INDEX followups_closed ON followups(due, id) WHERE done_at IS NOT NULL;",

        /* 11 -> 12: a meeting's people go into its row, as a JSON array of
         * [email, name or null, organizer 0 or 1] (people_json()).  They
         * were only ever read with their meeting, and as rows of their own
         * they were four or five writes for every meeting imported. */
        "ALTER TABLE meetings ADD COLUMN people TEXT NOT NULL DEFAULT '[]';"
        "UPDATE meetings SET people = (SELECT json_group_array(json_array(p.email, p.name, p.organizer)) "
        "  FROM meeting_people p WHERE p.meeting_id = meetings.id) "
        "WHERE id IN (SELECT meeting_id FROM meeting_people);"
        "DROP TABLE meeting_people;",

        /* 12 -> 13: a meeting reminder's link to its occurrence goes into
         * its follow-up row (occurrence_id, planned_due), with the kind it
         * already had.  As a row of occurrence_reminders it was a second
         * insert, with two foreign-key look-ups, for each of the tens of
         * thousands of reminders a large import makes.  A reminder the
         * user removed has no row left to carry its link: it is kept in
         * reminders_removed, so that a re-import does not bring it back
         * (store_followup_remove()). */
        "ALTER TABLE followups ADD COLUMN occurrence_id INTEGER REFERENCES occurrences(id) ON DELETE SET NULL;"
        "ALTER TABLE followups ADD COLUMN planned_due INTEGER;"
        "UPDATE followups SET occurrence_id = r.occurrence_id, planned_due = r.planned_due "
        "  FROM occurrence_reminders r WHERE r.followup_id = followups.id;"
        "CREATE TABLE reminders_removed ("
        "  occurrence_id INTEGER NOT NULL REFERENCES occurrences(id) ON DELETE CASCADE,"
        "  kind TEXT NOT NULL CHECK (kind = 'prep' OR kind = 'thanks'),"
        "  PRIMARY KEY (occurrence_id, kind)"
        ") WITHOUT ROWID;"
        "INSERT INTO reminders_removed (occurrence_id, kind) "
        "  SELECT occurrence_id, kind FROM occurrence_reminders WHERE followup_id IS NULL;"
        "DROP TABLE occurrence_reminders;"
        "CREATE UNIQUE INDEX followups_occurrence ON followups(occurrence_id, kind) "
        "  WHERE occurrence_id IS NOT NULL;",
};

#define SCHEMA_VERSION ((int) ELEMENTSOF(migrations))

#define STORE_STATEMENTS_MAX 128

struct Store {
        sqlite3 *db;
        struct {
                const char *sql;
                sqlite3_stmt *stmt;
        } statements[STORE_STATEMENTS_MAX];
        unsigned n_statements;
        /* Inside store_batch_begin() .. commit/rollback. */
        bool in_batch;
        /* store_set_checkpoint_later() */
        void (*checkpoint_later)(void *userdata);
        void *checkpoint_userdata;
        /* Random bytes for UIDs, fetched a page at a time: an import makes
         * tens of thousands of reminders, and a getrandom() call for each
         * was 2 % of it.  random_used == sizeof random_pool when empty. */
        uint8_t random_pool[4096];
        size_t random_used;
        char error[512];
};

int store_schema_version(void) {
        return SCHEMA_VERSION;
}

const char *store_last_error(const Store *s) {
        return s ? s->error : "";
}

static void store_set_error(Store *s, const char *fmt, ...) _printf_(2, 3);
static void store_set_error(Store *s, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->error, sizeof s->error, fmt, ap);
        va_end(ap);
}

/* Maps an SQLite result code to a negative errno and records the message. */
static int store_error(Store *s, int rc, const char *what) {
        int primary = rc & 0xff;
        int r;

        switch (primary) {
        case SQLITE_FULL:       r = -ENOSPC; break;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:     r = -EBUSY; break;
        case SQLITE_CONSTRAINT: r = -EEXIST; break;
        case SQLITE_NOTADB:
        case SQLITE_CORRUPT:    r = -EBADMSG; break;
        case SQLITE_READONLY:   r = -EROFS; break;
        case SQLITE_CANTOPEN:   r = -EACCES; break;
        case SQLITE_NOMEM:      r = -ENOMEM; break;
        case SQLITE_TOOBIG:     r = -E2BIG; break;
        default:                r = -EIO; break;
        }

        store_set_error(s, "%s: %s", what, s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        return r;
}

/* Returns the prepared statement for sql (one of the sql_* arrays above),
 * reset and with no bindings. */
static int store_prepare(Store *s, const char *sql, sqlite3_stmt **ret) {
        sqlite3_stmt *st = NULL;

        for (unsigned i = 0; i < s->n_statements; i++)
                if (s->statements[i].sql == sql) {
                        st = s->statements[i].stmt;
                        break;
                }

        if (!st) {
                if (s->n_statements >= STORE_STATEMENTS_MAX) {
                        store_set_error(s, "too many distinct statements");
                        return -ENOMEM;
                }
                int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
                if (rc != SQLITE_OK)
                        return store_error(s, rc, "preparing a query");
                s->statements[s->n_statements].sql = sql;
                s->statements[s->n_statements].stmt = st;
                s->n_statements++;
        }

        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        *ret = st;
        return 0;
}

/* Runs a statement that returns no rows; binds are done by the caller. */
static int store_step_done(Store *s, sqlite3_stmt *st, const char *what) {
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
                return store_error(s, rc, what);
        return 0;
}

static int store_pragma(Store *s, const char *sql) {
        int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        if (rc != SQLITE_OK)
                return store_error(s, rc, "configuring the database");
        return 0;
}

static int store_exec_stmt(Store *s, const char *sql, const char *what) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql, &st);
        if (r < 0)
                return r;
        return store_step_done(s, st, what);
}

static int store_begin(Store *s) {
        return store_exec_stmt(s, sql_begin, "starting a transaction");
}

static void store_rollback(Store *s) {
        if (sqlite3_get_autocommit(s->db))
                return;
        /* ROLLBACK TO keeps the savepoint open; RELEASE closes it. */
        (void) store_exec_stmt(s, sql_rollback, "rolling back");
        (void) store_exec_stmt(s, sql_release, "rolling back");
}

static int store_commit(Store *s) {
        int r = store_exec_stmt(s, sql_commit, "committing");
        if (r < 0)
                /* A failed commit (disk full) may leave the transaction
                 * open; roll it back so nothing half-done lingers. */
                store_rollback(s);
        return r;
}

int store_batch_begin(Store *s) {
        (void) store_pragma(s, sql_batch_settings);
        if (s->checkpoint_later)
                (void) store_pragma(s, sql_checkpoint_off);
        int r = store_begin(s);
        if (r < 0) {
                (void) store_pragma(s, sql_normal_settings);
                return r;
        }
        s->in_batch = true;
        return 0;
}

static void store_batch_end(Store *s) {
        s->in_batch = false;
        (void) store_pragma(s, sql_normal_settings);
        if (s->checkpoint_later)
                s->checkpoint_later(s->checkpoint_userdata);
}

void store_set_checkpoint_later(Store *s, void (*later)(void *userdata), void *userdata) {
        s->checkpoint_later = later;
        s->checkpoint_userdata = userdata;
}

int store_checkpoint(Store *s) {
        return store_pragma(s, sql_checkpoint_now);
}

int store_batch_commit(Store *s) {
        int r = store_commit(s);
        store_batch_end(s);
        return r;
}

void store_batch_rollback(Store *s) {
        store_rollback(s);
        store_batch_end(s);
}

/* The meeting functions write many rows each.  As nested savepoints
 * inside a batch, every page they touch would first be copied to the
 * statement journal (a temporary file past 64 KiB) in case that one call
 * is rolled back; but a batch that holds them is rolled back whole when
 * one of them fails (store.h), so inside a batch they add no savepoint of
 * their own. */
static int store_meeting_begin(Store *s) {
        return s->in_batch ? 0 : store_begin(s);
}

static int store_meeting_commit(Store *s) {
        return s->in_batch ? 0 : store_commit(s);
}

static void store_meeting_rollback(Store *s) {
        if (!s->in_batch)
                store_rollback(s);
}

static char *column_strdup(sqlite3_stmt *st, int col) {
        const unsigned char *t = sqlite3_column_text(st, col);
        return t ? strdup((const char *) t) : NULL;
}

void followup_clear(Followup *f) {
        if (!f)
                return;
        free(f->uid);
        free(f->text);
        free(f->kind);
        free(f->contact);
        *f = (Followup) {};
}

static int followup_from_row(Store *s, sqlite3_stmt *st, Followup *ret) {
        Followup f = {
                .id = sqlite3_column_int64(st, 0),
                .uid = column_strdup(st, 1),
                .text = column_strdup(st, 2),
                .kind = column_strdup(st, 3),
                .contact = column_strdup(st, 4),
                .due = sqlite3_column_int64(st, 5),
                .done_at = sqlite3_column_int64(st, 6),
                .every = sqlite3_column_int64(st, 7),
                .every_fixed = sqlite3_column_int(st, 8) != 0,
                .notified_at = sqlite3_column_int64(st, 9),
                .notify_state = (NotifyState) sqlite3_column_int(st, 10),
                .created = sqlite3_column_int64(st, 11),
                .modified = sqlite3_column_int64(st, 12),
                .sequence = sqlite3_column_int64(st, 13),
        };

        if (!f.uid || !f.text || !f.kind) {
                followup_clear(&f);
                store_set_error(s, "out of memory reading a follow-up");
                return -ENOMEM;
        }
        *ret = f;
        return 0;
}

/* A UID that other calendar programs keep stable for this item. */
static int make_uid(Store *s, char *buf, size_t size) {
        uint8_t bytes[16];
        if (s->random_used + sizeof bytes > sizeof s->random_pool) {
                if (getrandom(s->random_pool, sizeof s->random_pool, 0) != (ssize_t) sizeof s->random_pool)
                        return -errno ? -errno : -EIO;
                s->random_used = 0;
        }
        memcpy(bytes, s->random_pool + s->random_used, sizeof bytes);
        s->random_used += sizeof bytes;
        /* A version 7 UUID (RFC 9562): milliseconds since the epoch
         * first, so that a new row's uid goes at the end of the uid index
         * rather than anywhere in it (an import adds thousands). */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t ms = (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
        for (int i = 0; i < 6; i++)
                bytes[i] = (uint8_t) (ms >> (40 - 8 * i));
        bytes[6] = (bytes[6] & 0x0f) | 0x70;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        /* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx@netctl", written by hand:
         * snprintf with sixteen %02x was 1.7 % of an import. */
        static const char hex[] = "0123456789abcdef", suffix[] = "@netctl";
        char text[36 + sizeof suffix];
        size_t k = 0;
        for (size_t i = 0; i < sizeof bytes; i++) {
                if (i == 4 || i == 6 || i == 8 || i == 10)
                        text[k++] = '-';
                text[k++] = hex[bytes[i] >> 4];
                text[k++] = hex[bytes[i] & 0x0f];
        }
        memcpy(text + k, suffix, sizeof suffix);
        snprintf(buf, size, "%s", text);
        return 0;
}

static int store_migrate(Store *s) {
        sqlite3_stmt *st = NULL;
        int version, rc;

        rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);
        if (rc != SQLITE_OK)
                return store_error(s, rc, "reading the schema version");
        rc = sqlite3_step(st);
        version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
        sqlite3_finalize(st);
        if (version < 0)
                return store_error(s, rc, "reading the schema version");

        if (version > SCHEMA_VERSION) {
                store_set_error(s, "the database has schema version %d, but this netctl knows only "
                                "up to %d; it was written by a newer netctl and is left untouched",
                                version, SCHEMA_VERSION);
                return -EPROTONOSUPPORT;
        }

        for (int v = version; v < SCHEMA_VERSION; v++) {
                char *errmsg = NULL;
                char set_version[64];

                snprintf(set_version, sizeof set_version, "PRAGMA user_version = %d", v + 1);
                rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
                if (rc == SQLITE_OK)
                        rc = sqlite3_exec(s->db, migrations[v], NULL, NULL, &errmsg);
                if (rc == SQLITE_OK)
                        rc = sqlite3_exec(s->db, set_version, NULL, NULL, &errmsg);
                if (rc == SQLITE_OK)
                        rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, &errmsg);
                if (rc != SQLITE_OK) {
                        int r = store_error(s, rc, "migrating the schema");
                        if (errmsg)
                                store_set_error(s, "migrating the schema from version %d: %s", v, errmsg);
                        sqlite3_free(errmsg);
                        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
                        return r;
                }
        }
        return 0;
}

/* Creates the directory holding the database, 0700, like mkdir -p. */
static int make_parent_dirs(char *path) {
        char *slash = strrchr(path, '/');
        if (!slash || slash == path)
                return 0;

        *slash = '\0';
        int r = 0;
        struct stat st;
        if (stat(path, &st) < 0) {
                r = make_parent_dirs(path);
                if (r >= 0 && mkdir(path, 0700) < 0 && errno != EEXIST)
                        r = -errno;
        } else if (!S_ISDIR(st.st_mode))
                r = -ENOTDIR;
        *slash = '/';
        return r;
}

int store_open(const char *path, char *errbuf, size_t errsize, Store **ret) {
        Store *s;
        int r, rc;

        s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->random_used = sizeof s->random_pool;

        /* SQLite counts every allocation it makes in global statistics,
         * under a process-wide lock: a lock and an unlock around each of
         * its mallocs (6 % of an import), for numbers nobody reads.  Only
         * possible before SQLite's first use; later calls change nothing. */
        (void) sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);

        _cleanup_free_ char *copy = strdup(path);
        if (!copy) {
                r = -ENOMEM;
                goto fail;
        }
        r = make_parent_dirs(copy);
        if (r < 0) {
                store_set_error(s, "cannot create the directory for %s: %s", path, strerror(-r));
                goto fail;
        }

        /* Create the file ourselves so it is 0600 whatever the umask;
         * SQLite would use 0644 & ~umask. */
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) {
                r = -errno;
                store_set_error(s, "cannot open %s: %s", path, strerror(errno));
                goto fail;
        }
        struct stat st;
        if (fstat(fd, &st) == 0 && st.st_size == 0)
                (void) fchmod(fd, 0600);
        close(fd);

        /* NOMUTEX: only the main thread touches the store (the notifier
         * thread posts events to the loop), so SQLite need not lock its
         * connection on every call, column reads included. */
        rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
                             NULL);
        if (rc != SQLITE_OK) {
                r = store_error(s, rc, "opening the database");
                goto fail;
        }
        sqlite3_extended_result_codes(s->db, 1);
        /* Another process holding a lock (a backup, an sqlite3 shell) gets a
         * short grace period before the caller sees Busy. */
        sqlite3_busy_timeout(s->db, 2000);

        /* The first read tells whether this is a database at all, before
         * anything is written to it. */
        rc = sqlite3_exec(s->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
                r = store_error(s, rc, "reading the database");
                if (r == -EBADMSG)
                        store_set_error(s, "%s is not a netctl database or is damaged (%s); "
                                        "it is left untouched", path, sqlite3_errmsg(s->db));
                else if (r == -EBUSY)
                        store_set_error(s, "%s is locked by another program (an sqlite3 shell, a backup?); "
                                        "it is left untouched: close that program and start netctld again",
                                        path);
                goto fail;
        }

        r = store_pragma(s, "PRAGMA journal_mode = WAL");
        if (r < 0)
                goto fail;
        /* In WAL mode NORMAL loses no committed transaction on a process
         * crash, only possibly the last ones on a power cut. FULL makes a
         * reply mean "on disk" even then, which is what we promise. */
        r = store_pragma(s, "PRAGMA synchronous = FULL; PRAGMA cache_size = -2000");
        if (r < 0)
                goto fail;

        /* Foreign keys are off while the schema migrates: a migration that
         * copies a table (8 -> 9) drops the old one, and with them on,
         * that would run the ON DELETE actions of every row referring to
         * it.  A migration only moves rows, so it cannot break a key. */
        r = store_migrate(s);
        if (r < 0) {
                /* Name the file: the user may have more than one. */
                char why[sizeof s->error];
                snprintf(why, sizeof why, "%s", s->error);
                store_set_error(s, "%s: %s", path, why);
                goto fail;
        }
        r = store_pragma(s, "PRAGMA foreign_keys = ON");
        if (r < 0)
                goto fail;

        /* Make sure the WAL and shared-memory files are private too. */
        (void) chmod(path, 0600);

        *ret = s;
        return 0;

fail:
        if (errbuf)
                snprintf(errbuf, errsize, "%s", s->error);
        store_free(s);
        return r;
}

Store *store_free(Store *s) {
        if (!s)
                return NULL;
        for (unsigned i = 0; i < s->n_statements; i++)
                sqlite3_finalize(s->statements[i].stmt);
        sqlite3_close(s->db);
        free(s);
        return NULL;
}

/* One new row in followups, with a fresh UID; `what` names the step in
 * an error.  kind must be a static string.  With an occurrence_id (not
 * 0), a meeting reminder linked to it and planned at due (never
 * repeating). */
static int followup_insert(Store *s, const char *kind, const char *text, int64_t due, int64_t every,
                           bool every_fixed, int64_t occurrence_id, int64_t now, const char *what,
                           int64_t *ret_id) {
        sqlite3_stmt *st;
        char uid[64];
        int r;

        r = make_uid(s, uid, sizeof uid);
        if (r < 0)
                return r;
        r = store_prepare(s, occurrence_id ? sql_reminder_add : sql_followup_add, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, due);
        if (occurrence_id) {
                sqlite3_bind_int64(st, 5, now);
                sqlite3_bind_int64(st, 6, occurrence_id);
        } else {
                sqlite3_bind_int64(st, 5, every);
                sqlite3_bind_int(st, 6, every_fixed);
                sqlite3_bind_int64(st, 7, now);
        }
        r = store_step_done(s, st, what);
        if (r < 0)
                return r;
        *ret_id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_followup_add(Store *s, const char *text, int64_t due, int64_t every, bool every_fixed,
                       int64_t now, int64_t *ret_id) {
        /* A single INSERT in autocommit mode is its own transaction. */
        return followup_insert(s, FOLLOWUP_KIND_FOLLOWUP, text, due, every, every_fixed, 0, now,
                               "adding a follow-up", ret_id);
}

int store_followup_get(Store *s, int64_t id, Followup *ret) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_followup_get, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);

        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                r = followup_from_row(s, st, ret);
        else if (rc == SQLITE_DONE) {
                store_set_error(s, "no follow-up with id %" PRId64, id);
                r = -ENOENT;
        } else
                r = store_error(s, rc, "reading a follow-up");
        sqlite3_reset(st);
        return r;
}

/* Steps a query and hands each row to cb; stops early when cb fails. */
static int store_walk(Store *s, sqlite3_stmt *st, store_followup_cb cb, void *userdata,
                      unsigned *ret_count) {
        unsigned n = 0;
        int rc, r = 0;

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                Followup f;
                r = followup_from_row(s, st, &f);
                if (r < 0)
                        break;
                r = cb ? cb(&f, userdata) : 0;
                followup_clear(&f);
                if (r < 0)
                        break;
                n++;
        }
        if (r >= 0 && rc != SQLITE_DONE)
                r = store_error(s, rc, "listing follow-ups");
        sqlite3_reset(st);
        if (ret_count)
                *ret_count = n;
        return r < 0 ? r : 0;
}

int store_followup_list(Store *s, int64_t from, int64_t to, FollowupState state,
                        store_followup_cb cb, void *userdata) {
        const char *sql = state == FOLLOWUP_OPEN ? sql_followup_list_open :
                          state == FOLLOWUP_DONE ? sql_followup_list_done : sql_followup_list_any;
        sqlite3_stmt *st;
        int r = store_prepare(s, sql, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, from);
        sqlite3_bind_int64(st, 2, to);
        return store_walk(s, st, cb, userdata, NULL);
}

/* Fails with -ENOENT unless the last UPDATE/DELETE touched a row. */
static int store_expect_change(Store *s, int64_t id) {
        if (sqlite3_changes(s->db) > 0)
                return 0;
        store_set_error(s, "no follow-up with id %" PRId64, id);
        return -ENOENT;
}

/* When the successor of a recurring follow-up is due. */
static int64_t next_occurrence(const Followup *f, int64_t now) {
        if (!f->every_fixed)
                return now + f->every;      /* keep-in-touch: from completion */

        /* A fixed schedule keeps its rhythm: the first slot after now. */
        int64_t next = f->due + f->every;
        if (next <= now) {
                int64_t skipped = (now - f->due) / f->every;
                next = f->due + (skipped + 1) * f->every;
        }
        return next;
}

int store_followup_done(Store *s, int64_t id, int64_t now, int64_t *ret_next_id) {
        _cleanup_(followup_clear) Followup f = {};
        sqlite3_stmt *st;
        int64_t next_id = 0;
        int r;

        r = store_begin(s);
        if (r < 0)
                return r;

        r = store_followup_get(s, id, &f);
        if (r < 0)
                goto fail;
        if (f.done_at != 0) {
                store_set_error(s, "follow-up %" PRId64 " is already done", id);
                r = -EALREADY;
                goto fail;
        }

        r = store_prepare(s, sql_followup_done, &st);
        if (r < 0)
                goto fail;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, now);
        r = store_step_done(s, st, "marking a follow-up done");
        if (r < 0)
                goto fail;

        if (f.every > 0) {
                char uid[64];
                r = make_uid(s, uid, sizeof uid);
                if (r < 0)
                        goto fail;
                r = store_prepare(s, sql_followup_add, &st);
                if (r < 0)
                        goto fail;
                sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(st, 2, f.kind, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(st, 3, f.text, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(st, 4, next_occurrence(&f, now));
                sqlite3_bind_int64(st, 5, f.every);
                sqlite3_bind_int(st, 6, f.every_fixed);
                sqlite3_bind_int64(st, 7, now);
                r = store_step_done(s, st, "scheduling the next follow-up");
                if (r < 0)
                        goto fail;
                next_id = sqlite3_last_insert_rowid(s->db);
        }

        r = store_commit(s);
        if (r < 0)
                return r;
        if (ret_next_id)
                *ret_next_id = next_id;
        return 0;

fail:
        store_rollback(s);
        return r;
}

int store_followup_snooze(Store *s, int64_t id, int64_t until, int64_t now) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_followup_snooze, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, until);
        sqlite3_bind_int64(st, 3, now);
        r = store_step_done(s, st, "snoozing a follow-up");
        if (r < 0)
                return r;
        return store_expect_change(s, id);
}

int store_followup_remove(Store *s, int64_t id) {
        /* A meeting reminder the user removed stays removed: its slot is
         * noted first, so that a re-import of its meeting does not bring
         * it back. */
        static const struct {
                const char *sql, *what;
        } steps[] = {
                { sql_reminder_removed_note, "noting a removed meeting reminder" },
                { sql_followup_remove,       "removing a follow-up" },
        };
        int r = store_begin(s);
        if (r < 0)
                return r;

        for (size_t i = 0; i < ELEMENTSOF(steps) && r >= 0; i++) {
                sqlite3_stmt *st;
                r = store_prepare(s, steps[i].sql, &st);
                if (r < 0)
                        break;
                sqlite3_bind_int64(st, 1, id);
                r = store_step_done(s, st, steps[i].what);
        }
        if (r >= 0)
                r = store_expect_change(s, id);
        if (r < 0) {
                store_rollback(s);
                return r;
        }
        return store_commit(s);
}

int store_followup_edit(Store *s, int64_t id, const FollowupChanges *c, int64_t now) {
        _cleanup_(followup_clear) Followup f = {};
        sqlite3_stmt *st;
        int r;

        r = store_begin(s);
        if (r < 0)
                return r;

        /* Existence first, so an edit of nothing still reports NotFound. */
        r = store_followup_get(s, id, &f);
        if (r < 0)
                goto fail;

        if (c->text) {
                r = store_prepare(s, sql_followup_set_text, &st);
                if (r < 0)
                        goto fail;
                sqlite3_bind_int64(st, 1, id);
                sqlite3_bind_text(st, 2, c->text, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(st, 3, now);
                r = store_step_done(s, st, "editing a follow-up");
                if (r < 0)
                        goto fail;
        }
        if (c->due >= 0) {
                r = store_prepare(s, sql_followup_set_due, &st);
                if (r < 0)
                        goto fail;
                sqlite3_bind_int64(st, 1, id);
                sqlite3_bind_int64(st, 2, c->due);
                sqlite3_bind_int64(st, 3, now);
                r = store_step_done(s, st, "editing a follow-up");
                if (r < 0)
                        goto fail;
        }
        if (c->every >= 0 || c->every_fixed >= 0) {
                r = store_prepare(s, sql_followup_set_every, &st);
                if (r < 0)
                        goto fail;
                sqlite3_bind_int64(st, 1, id);
                sqlite3_bind_int64(st, 2, c->every >= 0 ? c->every : f.every);
                sqlite3_bind_int(st, 3, c->every_fixed >= 0 ? c->every_fixed : f.every_fixed);
                sqlite3_bind_int64(st, 4, now);
                r = store_step_done(s, st, "editing a follow-up");
                if (r < 0)
                        goto fail;
        }

        return store_commit(s);

fail:
        store_rollback(s);
        return r;
}

int store_next_pending(Store *s, Followup *ret) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_next_pending, &st);
        if (r < 0)
                return r;

        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                r = followup_from_row(s, st, ret);
        else if (rc == SQLITE_DONE)
                r = -ENOENT;
        else
                r = store_error(s, rc, "finding the next due follow-up");
        sqlite3_reset(st);
        return r;
}

typedef struct ClaimBatch {
        Followup *items;
        unsigned n;
} ClaimBatch;

static int claim_collect(const Followup *f, void *userdata) {
        ClaimBatch *b = userdata;
        Followup *copy = &b->items[b->n];

        *copy = (Followup) {
                .id = f->id, .due = f->due, .done_at = f->done_at, .every = f->every,
                .every_fixed = f->every_fixed, .notified_at = f->notified_at,
                .notify_state = NOTIFY_SENDING, .created = f->created, .modified = f->modified,
                .uid = strdup(f->uid), .text = strdup(f->text), .kind = strdup(f->kind),
                .contact = f->contact ? strdup(f->contact) : NULL,
        };
        if (!copy->uid || !copy->text || !copy->kind || (f->contact && !copy->contact)) {
                followup_clear(copy);
                return -ENOMEM;
        }
        b->n++;
        return 0;
}

int store_claim_due(Store *s, int64_t now, unsigned max, store_followup_cb cb, void *userdata) {
        ClaimBatch batch = {};
        sqlite3_stmt *st;
        int r;

        if (max == 0)
                return 0;
        batch.items = calloc(max, sizeof *batch.items);
        if (!batch.items)
                return -ENOMEM;

        /* The claim is committed without waiting for the disk: it lies
         * between the due time and the notification, and an fsync there
         * is a millisecond or more of lateness for nothing.  A claim lost
         * to a crash or power cut leaves the reminder pending, and one that
         * survives is reset to pending at start (store_reminders_reset_
         * sending): either way it goes out again, as promised.  "Shown" is
         * committed with FULL, which syncs the claim's WAL frames too. */
        bool relaxed = sqlite3_get_autocommit(s->db) &&
                store_pragma(s, sql_sync_normal) >= 0;

        r = store_begin(s);
        if (r < 0)
                goto out;

        r = store_prepare(s, sql_due_pending, &st);
        if (r < 0)
                goto fail;
        sqlite3_bind_int64(st, 1, now);
        sqlite3_bind_int64(st, 2, max);
        r = store_walk(s, st, claim_collect, &batch, NULL);
        if (r < 0)
                goto fail;

        for (unsigned i = 0; i < batch.n; i++) {
                r = store_prepare(s, sql_claim, &st);
                if (r < 0)
                        goto fail;
                sqlite3_bind_int64(st, 1, batch.items[i].id);
                r = store_step_done(s, st, "claiming a due reminder");
                if (r < 0)
                        goto fail;
        }

        r = store_commit(s);
        if (r < 0)
                goto out;

        for (unsigned i = 0; i < batch.n && cb; i++)
                (void) cb(&batch.items[i], userdata);
        r = (int) batch.n;
        goto out;

fail:
        store_rollback(s);
out:
        if (relaxed)
                (void) store_pragma(s, sql_sync_full);
        for (unsigned i = 0; i < batch.n; i++)
                followup_clear(&batch.items[i]);
        free(batch.items);
        return r;
}

int store_reminder_shown(Store *s, int64_t id, int64_t now) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_shown, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, now);
        return store_step_done(s, st, "recording a shown reminder");
}

int store_reminder_unclaim(Store *s, int64_t id) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_unclaim, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        return store_step_done(s, st, "returning a reminder to pending");
}

int store_reminders_reset_sending(Store *s) {
        return store_exec_stmt(s, sql_reset_sending, "resetting reminders left in flight");
}

static int store_count(Store *s, const char *sql, int64_t now, int64_t *ret) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql, &st);
        if (r < 0)
                return r;
        if (sqlite3_bind_parameter_count(st) > 0)
                sqlite3_bind_int64(st, 1, now);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                *ret = sqlite3_column_int64(st, 0);
        else
                r = store_error(s, rc, "counting follow-ups");
        sqlite3_reset(st);
        return r;
}

int store_counts(Store *s, int64_t now, StoreCounts *ret) {
        StoreCounts c = {};
        int r;

        r = store_count(s, sql_count_open, now, &c.open);
        if (r < 0)
                return r;
        r = store_count(s, sql_count_overdue, now, &c.overdue);
        if (r < 0)
                return r;
        r = store_count(s, sql_count_done, now, &c.done);
        if (r < 0)
                return r;
        *ret = c;
        return 0;
}

/* ---- Self-care: saved break state and the day's outreach ---- */

static const char sql_selfcare_get[] =
        "SELECT name, value FROM selfcare";
static const char sql_selfcare_put[] =
        "INSERT INTO selfcare (name, value) VALUES (?1, ?2) "
        "ON CONFLICT (name) DO UPDATE SET value = ?2";
static const char sql_setting_get[] =
        "SELECT value FROM selfcare WHERE name = ?1";
/* Outreach: interactions logged and follow-ups (and thank-yous) done.
 * Done reconnect reminders are left out: "Logged it" logs an interaction
 * already, and "Skip" is not outreach. */
static const char sql_outreach_count[] =
        "SELECT (SELECT count(*) FROM interactions WHERE created >= ?1 AND created < ?2) + "
        "(SELECT count(*) FROM followups WHERE done_at >= ?1 AND done_at < ?2 "
        "AND kind IN ('followup', 'thanks'))";

int store_selfcare_load(Store *s, SelfCareState *ret) {
        SelfCareState state = {};
        sqlite3_stmt *st;
        int rc, r;

        r = store_prepare(s, sql_selfcare_get, &st);
        if (r < 0)
                return r;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *name = (const char *) sqlite3_column_text(st, 0);
                int64_t value = sqlite3_column_int64(st, 1);
                if (!name)
                        continue;
                if (strcmp(name, "paused") == 0)
                        state.paused = value != 0;
                else if (strcmp(name, "paused_until") == 0)
                        state.paused_until = value;
                else if (strcmp(name, "winddown_day") == 0)
                        state.winddown_day = value;
                else if (strcmp(name, "pause_day") == 0)
                        state.pause_day = value;
                /* Names from a newer netctl are left alone. */
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
                return store_error(s, rc, "reading the break state");
        *ret = state;
        return 0;
}

int store_setting_get(Store *s, const char *name, int64_t *ret) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_setting_get, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                *ret = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if (rc == SQLITE_ROW)
                return 0;
        if (rc == SQLITE_DONE)
                return -ENOENT;
        return store_error(s, rc, "reading a saved setting");
}

int store_setting_set(Store *s, const char *name, int64_t value) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_selfcare_put, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, value);
        return store_step_done(s, st, "saving a setting");
}

int store_selfcare_save(Store *s, const SelfCareState *state) {
        const struct {
                const char *name;
                int64_t value;
        } rows[] = {
                { "paused",       state->paused },
                { "paused_until", state->paused_until },
                { "winddown_day", state->winddown_day },
                { "pause_day",    state->pause_day },
        };
        sqlite3_stmt *st;
        int r;

        r = store_begin(s);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                r = store_prepare(s, sql_selfcare_put, &st);
                if (r < 0)
                        goto fail;
                sqlite3_bind_text(st, 1, rows[i].name, -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 2, rows[i].value);
                r = store_step_done(s, st, "saving the break state");
                if (r < 0)
                        goto fail;
        }
        return store_commit(s);

fail:
        store_rollback(s);
        return r;
}

int store_outreach_count(Store *s, int64_t from, int64_t to, unsigned *ret) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_outreach_count, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, from);
        sqlite3_bind_int64(st, 2, to);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                *ret = (unsigned) sqlite3_column_int64(st, 0);
        else
                r = store_error(s, rc, "counting today's outreach");
        sqlite3_reset(st);
        return r;
}

/* ---- Meetings: imported calendar events and their reminders ---- */

#define MEETING_COLUMNS "id, uid, recurrence_id, this_and_future, sequence, cancelled, recurring, ical, source"

static const char sql_meeting_get[] =
        "SELECT " MEETING_COLUMNS " FROM meetings WHERE uid = ?1 AND recurrence_id = ?2";
static const char sql_meeting_series[] =
        "SELECT " MEETING_COLUMNS " FROM meetings WHERE uid = ?1 ORDER BY recurrence_id";
static const char sql_meetings_all[] =
        "SELECT " MEETING_COLUMNS " FROM meetings ORDER BY uid, recurrence_id";
/* An upsert in three statements rather than one with RETURNING: SQLite
 * keeps RETURNING rows in a temporary b-tree it creates and drops per
 * call, which cost more than the insert itself (8 % of an import).  The
 * three take the same ?n. */
static const char sql_meeting_insert[] =
        "INSERT INTO meetings (uid, recurrence_id, this_and_future, sequence, summary, location, start,"
        "  finish, all_day, recurring, cancelled, source, ical, imported, modified, people) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?15) "
        "ON CONFLICT (uid, recurrence_id) DO NOTHING";
static const char sql_meeting_update[] =
        "UPDATE meetings SET this_and_future = ?3, sequence = ?4,"
        "  summary = ?5, location = ?6, start = ?7, finish = ?8, all_day = ?9, recurring = ?10,"
        "  cancelled = ?11, source = coalesce(?12, source), ical = ?13, modified = ?14, people = ?15 "
        "WHERE uid = ?1 AND recurrence_id = ?2";
static const char sql_meeting_cancel_series[] =
        "UPDATE meetings SET cancelled = 1, sequence = max(sequence, ?2), modified = ?3 WHERE uid = ?1";
static const char sql_meeting_uids_source[] =
        "SELECT DISTINCT uid FROM meetings WHERE source = ?1";
static const char sql_meeting_uids_recurring[] =
        "SELECT DISTINCT uid FROM meetings WHERE recurring = 1";
static const char sql_meeting_uids_all[] =
        "SELECT DISTINCT uid FROM meetings";
static const char sql_meeting_delete_source[] =
        "DELETE FROM meetings WHERE source = ?1";
static const char sql_meeting_delete_uid_source[] =
        "DELETE FROM meetings WHERE uid = ?1 AND source = ?2";
static const char sql_occurrence_find[] =
        "SELECT id, start, finish, all_day, summary, cancelled FROM occurrences "
        "WHERE uid = ?1 AND recurrence_id = ?2";
static const char sql_occurrence_insert[] =
        "INSERT INTO occurrences (uid, recurrence_id, start, finish, all_day, summary, cancelled) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char sql_occurrence_update[] =
        "UPDATE occurrences SET start = ?2, finish = ?3, all_day = ?4, summary = ?5, cancelled = ?6 "
        "WHERE id = ?1";
static const char sql_occurrence_ids_of_uid[] =
        "SELECT id, recurrence_id FROM occurrences WHERE uid = ?1";
static const char sql_occurrence_delete[] =
        "DELETE FROM occurrences WHERE id = ?1";
static const char sql_reminder_get[] =
        "SELECT id, done_at, due, text, planned_due FROM followups WHERE occurrence_id = ?1 AND kind = ?2";
static const char sql_reminder_removed_get[] =
        "SELECT 1 FROM reminders_removed WHERE occurrence_id = ?1 AND kind = ?2";
static const char sql_reminder_plan[] =
        "UPDATE followups SET planned_due = ?2 WHERE id = ?1";
static const char sql_reminder_open_delete[] =
        "DELETE FROM followups WHERE occurrence_id = ?1 AND kind = ?2 AND done_at IS NULL";
static const char sql_reminder_unlink[] =
        "UPDATE followups SET occurrence_id = NULL, planned_due = NULL WHERE occurrence_id = ?1 AND kind = ?2";
static const char sql_reminder_removed_forget[] =
        "DELETE FROM reminders_removed WHERE occurrence_id = ?1 AND kind = ?2";
/* The last column: whether the occurrence has a VEVENT of its own (an
 * override), whose people it adds to the series'. */
static const char sql_occurrences_list[] =
        "SELECT o.id, o.uid, o.summary, coalesce(m.location, ''), o.start, o.finish, o.all_day, o.cancelled,"
        "  o.recurrence_id, o.recurrence_id != 0 AND EXISTS (SELECT 1 FROM meetings x "
        "    WHERE x.uid = o.uid AND x.recurrence_id = o.recurrence_id) "
        "FROM occurrences o LEFT JOIN meetings m ON m.uid = o.uid AND m.recurrence_id = 0 "
        "WHERE o.finish >= ?1 AND o.start < ?2 AND (?3 OR o.cancelled = 0) ORDER BY o.start, o.id";
/* The people of the series (first) and of the slot's own VEVENT. */
static const char sql_occurrence_people[] =
        "SELECT people FROM meetings WHERE uid = ?1 AND (recurrence_id = 0 OR recurrence_id = ?2) "
        "ORDER BY recurrence_id";
static const char sql_contact_of_email[] =
        "SELECT c.handle FROM contact_emails e JOIN contacts c ON c.id = e.contact_id "
        "WHERE e.email = ?1 LIMIT 1";
static const char sql_calendar_file_get[] =
        "SELECT mtime, size FROM calendar_files WHERE path = ?1";
static const char sql_calendar_file_put[] =
        "INSERT INTO calendar_files (path, mtime, size) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (path) DO UPDATE SET mtime = ?2, size = ?3";
static const char sql_calendar_file_delete[] =
        "DELETE FROM calendar_files WHERE path = ?1";
static const char sql_calendar_files_in[] =
        "SELECT path FROM calendar_files WHERE substr(path, 1, length(?1) + 1) = ?1 || '/' "
        "AND instr(substr(path, length(?1) + 2), '/') = 0";

static int int64_compare(const void *a, const void *b) {
        int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
        return x < y ? -1 : x > y;
}

void meeting_row_clear(MeetingRow *m) {
        if (!m)
                return;
        free(m->uid);
        free(m->ical);
        free(m->source);
        *m = (MeetingRow) {};
}

void meeting_rows_free(MeetingRow *rows, size_t n) {
        for (size_t i = 0; i < n; i++)
                meeting_row_clear(&rows[i]);
        free(rows);
}

static int meeting_from_row(Store *s, sqlite3_stmt *st, MeetingRow *ret) {
        MeetingRow m = {
                .id = sqlite3_column_int64(st, 0),
                .uid = column_strdup(st, 1),
                .recurrence_id = sqlite3_column_int64(st, 2),
                .this_and_future = sqlite3_column_int(st, 3) != 0,
                .sequence = sqlite3_column_int64(st, 4),
                .cancelled = sqlite3_column_int(st, 5) != 0,
                .recurring = sqlite3_column_int(st, 6) != 0,
                .ical = column_strdup(st, 7),
                .source = column_strdup(st, 8),
        };
        if (!m.uid || !m.ical) {
                meeting_row_clear(&m);
                store_set_error(s, "out of memory reading a meeting");
                return -ENOMEM;
        }
        *ret = m;
        return 0;
}

int store_meeting_get(Store *s, const char *uid, int64_t recurrence_id, MeetingRow *ret) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_meeting_get, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, recurrence_id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                r = meeting_from_row(s, st, ret);
        else if (rc == SQLITE_DONE)
                r = -ENOENT;
        else
                r = store_error(s, rc, "reading a meeting");
        sqlite3_reset(st);
        return r;
}

/* Appends s to out as a JSON string (RFC 8259): quotes, backslashes and
 * C0 controls escaped, the rest (valid UTF-8, checked on import) as it is.
 * out has room for 6 bytes per byte of s, and 2. */
static char *json_string_append(char *out, const char *s) {
        static const char hex[] = "0123456789abcdef";
        *out++ = '"';
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (*p == '"' || *p == '\\') {
                        *out++ = '\\';
                        *out++ = (char) *p;
                } else if (*p < 0x20) {
                        memcpy(out, "\\u00", 4);
                        out[4] = hex[*p >> 4];
                        out[5] = hex[*p & 0x0f];
                        out += 6;
                } else
                        *out++ = (char) *p;
        }
        *out++ = '"';
        return out;
}

/* A meeting's people as stored in meetings.people: a JSON array of
 * [email, name or null, organizer 0 or 1], one per address.  An address
 * given twice (matched without ASCII case, as contact_emails does) is
 * one person: the first spelling, organizer if either is, the first name
 * given. */
static int people_json(const MeetingPerson *people, size_t n, char **ret) {
        _cleanup_free_ size_t *first = calloc(n ? n : 1, sizeof *first);
        size_t size = 3;
        if (!first)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                first[i] = i;
                for (size_t k = 0; k < i; k++)
                        if (first[k] == k && sqlite3_stricmp(people[k].email, people[i].email) == 0) {
                                first[i] = k;
                                break;
                        }
                size += 6 * strlen(people[i].email) + (people[i].name ? 6 * strlen(people[i].name) : 0) + 16;
        }

        char *json = malloc(size), *out = json;
        if (!json)
                return -ENOMEM;
        *out++ = '[';
        for (size_t i = 0; i < n; i++) {
                if (first[i] != i)
                        continue;
                bool organizer = false;
                const char *name = NULL;
                for (size_t k = i; k < n; k++)
                        if (first[k] == i) {
                                organizer = organizer || people[k].organizer;
                                name = name ? name : people[k].name;
                        }
                if (out > json + 1)
                        *out++ = ',';
                *out++ = '[';
                out = json_string_append(out, people[i].email);
                *out++ = ',';
                if (name)
                        out = json_string_append(out, name);
                else {
                        memcpy(out, "null", 4);
                        out += 4;
                }
                memcpy(out, organizer ? ",1]" : ",0]", 3);
                out += 3;
        }
        *out++ = ']';
        *out = '\0';
        *ret = json;
        return 0;
}

/* Binds a MeetingWrite to sql_meeting_insert or sql_meeting_update;
 * people is people_json()'s. */
static void meeting_bind(sqlite3_stmt *st, const MeetingWrite *m, const char *people, int64_t now) {
        sqlite3_bind_text(st, 1, m->uid, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, m->recurrence_id);
        sqlite3_bind_int(st, 3, m->this_and_future);
        sqlite3_bind_int64(st, 4, m->sequence);
        sqlite3_bind_text(st, 5, m->summary ? m->summary : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, m->location ? m->location : "", -1, SQLITE_STATIC);
        if (m->has_start) {
                sqlite3_bind_int64(st, 7, m->start);
                sqlite3_bind_int64(st, 8, m->end);
        }
        sqlite3_bind_int(st, 9, m->all_day);
        sqlite3_bind_int(st, 10, m->recurring);
        sqlite3_bind_int(st, 11, m->cancelled);
        if (m->source)
                sqlite3_bind_text(st, 12, m->source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 13, m->ical, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 14, now);
        sqlite3_bind_text(st, 15, people, -1, SQLITE_STATIC);
}

/* Inserts the VEVENT's row, or updates the row of its (uid, slot): one
 * row with its people, so that a failure leaves the stored one as it was
 * and the pair needs no transaction of its own. */
int store_meeting_put(Store *s, const MeetingWrite *m, int64_t now) {
        _cleanup_free_ char *people = NULL;
        sqlite3_stmt *st;
        int r;

        r = people_json(m->people, m->n_people, &people);
        if (r < 0)
                return r;

        r = store_prepare(s, sql_meeting_insert, &st);
        if (r < 0)
                return r;
        meeting_bind(st, m, people, now);
        r = store_step_done(s, st, "storing a meeting");
        if (r < 0 || sqlite3_changes(s->db) > 0)
                return r;

        r = store_prepare(s, sql_meeting_update, &st);
        if (r < 0)
                return r;
        meeting_bind(st, m, people, now);
        return store_step_done(s, st, "storing a meeting");
}

int store_meeting_cancel_series(Store *s, const char *uid, int64_t sequence, int64_t now) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_meeting_cancel_series, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, sequence);
        sqlite3_bind_int64(st, 3, now);
        r = store_step_done(s, st, "cancelling a meeting");
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) > 0 ? 0 : -ENOENT;
}

static int store_meeting_rows(Store *s, sqlite3_stmt *st, MeetingRow **ret_rows, size_t *ret_n) {
        MeetingRow *rows = NULL;
        size_t n = 0, allocated = 0;
        int rc, r = 0;

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (n == allocated) {
                        size_t grow = allocated ? allocated * 2 : 4;
                        MeetingRow *bigger = realloc(rows, grow * sizeof *rows);
                        if (!bigger) {
                                r = -ENOMEM;
                                break;
                        }
                        rows = bigger;
                        allocated = grow;
                }
                r = meeting_from_row(s, st, &rows[n]);
                if (r < 0)
                        break;
                n++;
        }
        if (r >= 0 && rc != SQLITE_DONE)
                r = store_error(s, rc, "reading meetings");
        sqlite3_reset(st);
        if (r < 0) {
                meeting_rows_free(rows, n);
                return r;
        }
        *ret_rows = rows;
        *ret_n = n;
        return 0;
}

int store_meeting_series(Store *s, const char *uid, MeetingRow **ret_rows, size_t *ret_n) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_meeting_series, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
        return store_meeting_rows(s, st, ret_rows, ret_n);
}

int store_meetings_each(Store *s, store_meeting_cb cb, void *userdata) {
        sqlite3_stmt *st;
        int rc, r = store_prepare(s, sql_meetings_all, &st);
        if (r < 0)
                return r;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                MeetingRow m;
                r = meeting_from_row(s, st, &m);
                if (r < 0)
                        break;
                r = cb(&m, userdata);
                meeting_row_clear(&m);
                if (r < 0)
                        break;
        }
        if (r >= 0 && rc != SQLITE_DONE)
                r = store_error(s, rc, "reading meetings");
        sqlite3_reset(st);
        return r < 0 ? r : 0;
}

/* Collects the first text column of every row into a string array. */
static int store_strings(Store *s, sqlite3_stmt *st, char ***ret, size_t *ret_n) {
        char **items = NULL;
        size_t n = 0, allocated = 0;
        int rc, r = 0;

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (n == allocated) {
                        size_t grow = allocated ? allocated * 2 : 8;
                        char **bigger = realloc(items, grow * sizeof *items);
                        if (!bigger) {
                                r = -ENOMEM;
                                break;
                        }
                        items = bigger;
                        allocated = grow;
                }
                items[n] = column_strdup(st, 0);
                if (!items[n]) {
                        r = -ENOMEM;
                        break;
                }
                n++;
        }
        if (r >= 0 && rc != SQLITE_DONE)
                r = store_error(s, rc, "reading a list");
        sqlite3_reset(st);
        if (r < 0) {
                for (size_t i = 0; i < n; i++)
                        free(items[i]);
                free(items);
                return r;
        }
        *ret = items;
        *ret_n = n;
        return 0;
}

int store_meeting_uids(Store *s, const char *source, bool recurring_only, char ***ret_uids, size_t *ret_n) {
        sqlite3_stmt *st;
        int r = store_prepare(s, recurring_only ? sql_meeting_uids_recurring :
                                 source ? sql_meeting_uids_source : sql_meeting_uids_all, &st);
        if (r < 0)
                return r;
        if (!recurring_only && source)
                sqlite3_bind_text(st, 1, source, -1, SQLITE_TRANSIENT);
        return store_strings(s, st, ret_uids, ret_n);
}

int store_meeting_delete_source(Store *s, const char *source) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_meeting_delete_source, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, source, -1, SQLITE_TRANSIENT);
        return store_step_done(s, st, "forgetting a calendar file's meetings");
}

int store_meeting_delete_uid_source(Store *s, const char *uid, const char *source) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_meeting_delete_uid_source, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, source, -1, SQLITE_TRANSIENT);
        return store_step_done(s, st, "forgetting a meeting no longer in its calendar file");
}

/* Prepares a statement about an occurrence's reminder slot: ?1 the
 * occurrence, ?2 the kind (a static string). */
static int reminder_prepare(Store *s, const char *sql, int64_t occurrence_id, const char *kind,
                            sqlite3_stmt **ret) {
        int r = store_prepare(s, sql, ret);
        if (r < 0)
                return r;
        sqlite3_bind_int64(*ret, 1, occurrence_id);
        sqlite3_bind_text(*ret, 2, kind, -1, SQLITE_STATIC);
        return 0;
}

/* Withdraws the reminder of `kind` for an occurrence if it is still open,
 * and forgets the link (a done reminder stays, unlinked; a removed one is
 * no longer remembered): the occurrence is going away or was cancelled,
 * so a re-invite may bring the reminder back. */
static int reminder_withdraw(Store *s, int64_t occurrence_id, const char *kind, unsigned *changed) {
        static const char *const steps[] = {
                sql_reminder_open_delete, sql_reminder_unlink, sql_reminder_removed_forget,
        };

        for (size_t i = 0; i < ELEMENTSOF(steps); i++) {
                sqlite3_stmt *st;
                int r = reminder_prepare(s, steps[i], occurrence_id, kind, &st);
                if (r < 0)
                        return r;
                r = store_step_done(s, st, "withdrawing a meeting reminder");
                if (r < 0)
                        return r;
                if (steps[i] == sql_reminder_open_delete && sqlite3_changes(s->db) > 0 && changed)
                        (*changed)++;
        }
        return 0;
}

/* Gives an occurrence that has no reminder of `kind` yet (none linked)
 * one at `due`, unless that moment is already past. */
static int reminder_create(Store *s, int64_t occurrence_id, const char *kind, int64_t due,
                           const char *text, int64_t now, unsigned *changed) {
        /* A reminder for a moment already past helps nobody. */
        if (due <= now)
                return 0;

        int64_t followup_id;
        int r = followup_insert(s, kind, text, due, 0, false, occurrence_id, now, "adding a meeting reminder",
                                &followup_id);
        if (r >= 0 && changed)
                (*changed)++;
        return r;
}

/* Gives a new occurrence (no reminders linked) its prep and thank-you
 * reminders.  One row per statement: a statement of several rows (VALUES
 * (..), (..)) makes SQLite copy each page it touches to a statement
 * journal first, so that it could undo the statement alone; that copying
 * cost more than the statements saved. */
static int reminders_create(Store *s, int64_t occurrence_id, const OccurrenceWrite *o, int64_t now,
                            unsigned *changed) {
        int r = reminder_create(s, occurrence_id, "prep", o->prep_due, o->prep_text, now, changed);
        if (r < 0)
                return r;
        return reminder_create(s, occurrence_id, "thanks", o->thanks_due, o->thanks_text, now, changed);
}

/* Whether the user removed the occurrence's reminder of `kind`. */
static int reminder_was_removed(Store *s, int64_t occurrence_id, const char *kind) {
        sqlite3_stmt *st;
        int r = reminder_prepare(s, sql_reminder_removed_get, occurrence_id, kind, &st);
        if (r < 0)
                return r;
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                return store_error(s, rc, "reading a removed meeting reminder");
        return rc == SQLITE_ROW;
}

/* Makes sure an occurrence has its reminder of `kind` at `due`. */
static int reminder_ensure(Store *s, int64_t occurrence_id, const char *kind, int64_t due,
                           const char *text, int64_t now, unsigned *changed) {
        sqlite3_stmt *st;
        int r = reminder_prepare(s, sql_reminder_get, occurrence_id, kind, &st);
        if (r < 0)
                return r;
        int rc = sqlite3_step(st);
        bool linked = rc == SQLITE_ROW;
        int64_t followup_id = linked ? sqlite3_column_int64(st, 0) : 0;
        bool open = linked && sqlite3_column_type(st, 1) == SQLITE_NULL;
        int64_t old_due = linked ? sqlite3_column_int64(st, 2) : 0;
        int64_t planned = linked && sqlite3_column_type(st, 4) != SQLITE_NULL ?
                sqlite3_column_int64(st, 4) : old_due;
        bool same_text = linked && sqlite3_column_text(st, 3) &&
                         strcmp((const char *) sqlite3_column_text(st, 3), text) == 0;
        sqlite3_reset(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                return store_error(s, rc, "reading a meeting reminder");

        if (!linked) {
                /* Removed by the user: never again. */
                r = reminder_was_removed(s, occurrence_id, kind);
                if (r != 0)
                        return r < 0 ? r : 0;
                return reminder_create(s, occurrence_id, kind, due, text, now, changed);
        }

        /* Completed: never again.  Open: follow the meeting if its planned
         * time moved; a snooze (due apart from the plan) stays otherwise. */
        if (!open || (planned == due && same_text))
                return 0;
        FollowupChanges c = FOLLOWUP_CHANGES_NONE;
        c.due = planned != due && old_due != due ? due : -1;
        c.text = same_text ? NULL : text;
        r = c.due >= 0 || c.text ? store_followup_edit(s, followup_id, &c, now) : 0;
        if (r >= 0 && planned != due) {
                r = store_prepare(s, sql_reminder_plan, &st);
                if (r < 0)
                        return r;
                sqlite3_bind_int64(st, 1, followup_id);
                sqlite3_bind_int64(st, 2, due);
                r = store_step_done(s, st, "re-planning a meeting reminder");
        }
        if (r >= 0 && changed)
                (*changed)++;
        return r;
}

/* Stores one occurrence of uid and makes its reminders match.  `unstored`:
 * the caller knows there is no row for this slot yet, so there is nothing
 * to look up (a new meeting's occurrences, most of an import). */
static int occurrence_apply(Store *s, const char *uid, const OccurrenceWrite *o, bool unstored, int64_t now,
                            unsigned *changed) {
        sqlite3_stmt *st;
        int64_t id = 0;
        bool same = false;
        int r;

        if (!unstored) {
                r = store_prepare(s, sql_occurrence_find, &st);
                if (r < 0)
                        return r;
                sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 2, o->recurrence_id);
                int rc = sqlite3_step(st);
                if (rc == SQLITE_ROW) {
                        id = sqlite3_column_int64(st, 0);
                        const unsigned char *summary = sqlite3_column_text(st, 4);
                        same = sqlite3_column_int64(st, 1) == o->start && sqlite3_column_int64(st, 2) == o->end &&
                               (sqlite3_column_int(st, 3) != 0) == o->all_day &&
                               (sqlite3_column_int(st, 5) != 0) == o->cancelled &&
                               summary && strcmp((const char *) summary, o->summary) == 0;
                }
                sqlite3_reset(st);
                if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                        return store_error(s, rc, "reading an occurrence");
        }

        if (id == 0) {
                r = store_prepare(s, sql_occurrence_insert, &st);
                if (r < 0)
                        return r;
                sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 2, o->recurrence_id);
                sqlite3_bind_int64(st, 3, o->start);
                sqlite3_bind_int64(st, 4, o->end);
                sqlite3_bind_int(st, 5, o->all_day);
                sqlite3_bind_text(st, 6, o->summary, -1, SQLITE_STATIC);
                sqlite3_bind_int(st, 7, o->cancelled);
                r = store_step_done(s, st, "storing an occurrence");
                if (r < 0)
                        return r;
                id = sqlite3_last_insert_rowid(s->db);
                if (o->cancelled)
                        return 0;
                /* A new row has no reminders linked (those of a deleted
                 * occurrence went with it, ON DELETE CASCADE), so there
                 * is nothing to look up before creating them. */
                return reminders_create(s, id, o, now, changed);
        } else if (!same) {
                r = store_prepare(s, sql_occurrence_update, &st);
                if (r < 0)
                        return r;
                sqlite3_bind_int64(st, 1, id);
                sqlite3_bind_int64(st, 2, o->start);
                sqlite3_bind_int64(st, 3, o->end);
                sqlite3_bind_int(st, 4, o->all_day);
                sqlite3_bind_text(st, 5, o->summary, -1, SQLITE_STATIC);
                sqlite3_bind_int(st, 6, o->cancelled);
                r = store_step_done(s, st, "updating an occurrence");
                if (r < 0)
                        return r;
        }

        if (o->cancelled) {
                r = reminder_withdraw(s, id, "prep", changed);
                if (r >= 0)
                        r = reminder_withdraw(s, id, "thanks", changed);
                return r;
        }
        r = reminder_ensure(s, id, "prep", o->prep_due, o->prep_text, now, changed);
        if (r >= 0)
                r = reminder_ensure(s, id, "thanks", o->thanks_due, o->thanks_text, now, changed);
        return r;
}

int store_occurrences_sync(Store *s, const char *uid, const OccurrenceWrite *occ, size_t n,
                           int64_t now, unsigned *changed) {
        sqlite3_stmt *st;
        int r, rc;

        r = store_meeting_begin(s);
        if (r < 0)
                return r;

        /* The slots of occ, sorted (occ is sorted by start): a stored
         * occurrence is looked up among them by bisection, which a series
         * of thousands needs. */
        int64_t *slots = malloc((n ? n : 1) * sizeof *slots);
        if (!slots) {
                r = -ENOMEM;
                goto fail;
        }
        for (size_t i = 0; i < n; i++)
                slots[i] = occ[i].recurrence_id;
        qsort(slots, n, sizeof *slots, int64_compare);
        bool slots_distinct = true;
        for (size_t i = 1; i < n && slots_distinct; i++)
                slots_distinct = slots[i] != slots[i - 1];

        /* Occurrences no longer in the expansion go, with open reminders. */
        r = store_prepare(s, sql_occurrence_ids_of_uid, &st);
        if (r < 0) {
                free(slots);
                goto fail;
        }
        sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
        int64_t *gone = NULL;
        size_t n_gone = 0, allocated = 0, n_stored = 0;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                int64_t id = sqlite3_column_int64(st, 0), slot = sqlite3_column_int64(st, 1);
                n_stored++;
                if (n > 0 && bsearch(&slot, slots, n, sizeof *slots, int64_compare))
                        continue;
                if (n_gone == allocated) {
                        size_t grow = allocated ? allocated * 2 : 8;
                        int64_t *bigger = realloc(gone, grow * sizeof *gone);
                        if (!bigger) {
                                rc = SQLITE_NOMEM;
                                break;
                        }
                        gone = bigger;
                        allocated = grow;
                }
                gone[n_gone++] = id;
        }
        sqlite3_reset(st);
        free(slots);
        if (rc != SQLITE_DONE) {
                free(gone);
                r = store_error(s, rc, "reading occurrences");
                goto fail;
        }
        /* Nothing of uid left once the gone ones are deleted, and no slot
         * twice in occ (a single meeting's overrides all fill slot 0):
         * every occurrence is a new row. */
        bool unstored = n_gone == n_stored && slots_distinct;
        for (size_t i = 0; i < n_gone && r >= 0; i++) {
                r = reminder_withdraw(s, gone[i], "prep", changed);
                if (r >= 0)
                        r = reminder_withdraw(s, gone[i], "thanks", changed);
                if (r >= 0)
                        r = store_prepare(s, sql_occurrence_delete, &st);
                if (r >= 0) {
                        sqlite3_bind_int64(st, 1, gone[i]);
                        r = store_step_done(s, st, "removing an occurrence");
                }
        }
        free(gone);
        if (r < 0)
                goto fail;

        for (size_t i = 0; i < n; i++) {
                r = occurrence_apply(s, uid, &occ[i], unstored, now, changed);
                if (r < 0)
                        goto fail;
        }
        return store_meeting_commit(s);
fail:
        store_meeting_rollback(s);
        return r;
}

static void occurrence_people_free(OccurrencePerson *p, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(p[i].email);
                free(p[i].name);
                free(p[i].contact);
        }
        free(p);
}

/* ---- a meeting's people, as people_json() wrote them ---- */

typedef struct JsonCursor {
        const char *p;
} JsonCursor;

static void json_skip_space(JsonCursor *j) {
        while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
                j->p++;
}

static bool json_take(JsonCursor *j, char c) {
        json_skip_space(j);
        if (*j->p != c)
                return false;
        j->p++;
        return true;
}

static int json_hex4(const char *p) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
                char c = p[i];
                int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
                        c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
                if (d < 0)
                        return -1;
                v = v * 16 + d;
        }
        return v;
}

/* A JSON string (RFC 8259, as people_json() and SQLite's json functions
 * write them) into a new NUL-terminated string; NULL when it is not one
 * or holds a NUL. */
static char *json_take_string(JsonCursor *j) {
        if (!json_take(j, '"'))
                return NULL;
        const char *start = j->p;
        while (*j->p && *j->p != '"')
                j->p += j->p[0] == '\\' && j->p[1] ? 2 : 1;
        if (*j->p != '"')
                return NULL;
        /* Escapes only ever shrink: \uXXXX is at most 4 bytes of UTF-8,
         * a surrogate pair (12 characters) 4. */
        char *out = malloc((size_t) (j->p - start) + 1), *o = out;
        if (!out)
                return NULL;
        for (const char *p = start; p < j->p; p++) {
                if (*p != '\\') {
                        *o++ = *p;
                        continue;
                }
                p++;
                switch (*p) {
                case '"': case '\\': case '/': *o++ = *p; break;
                case 'b': *o++ = '\b'; break;
                case 'f': *o++ = '\f'; break;
                case 'n': *o++ = '\n'; break;
                case 'r': *o++ = '\r'; break;
                case 't': *o++ = '\t'; break;
                case 'u': {
                        int cp = p + 4 < j->p ? json_hex4(p + 1) : -1;
                        p += 4;
                        if (cp >= 0xd800 && cp <= 0xdbff && p + 6 < j->p && p[1] == '\\' && p[2] == 'u') {
                                int low = json_hex4(p + 3);
                                if (low >= 0xdc00 && low <= 0xdfff) {
                                        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                                        p += 6;
                                }
                        }
                        if (cp <= 0 || (cp >= 0xd800 && cp <= 0xdfff)) {
                                free(out);
                                return NULL;
                        }
                        if (cp < 0x80)
                                *o++ = (char) cp;
                        else if (cp < 0x800) {
                                *o++ = (char) (0xc0 | (cp >> 6));
                                *o++ = (char) (0x80 | (cp & 0x3f));
                        } else if (cp < 0x10000) {
                                *o++ = (char) (0xe0 | (cp >> 12));
                                *o++ = (char) (0x80 | ((cp >> 6) & 0x3f));
                                *o++ = (char) (0x80 | (cp & 0x3f));
                        } else {
                                *o++ = (char) (0xf0 | (cp >> 18));
                                *o++ = (char) (0x80 | ((cp >> 12) & 0x3f));
                                *o++ = (char) (0x80 | ((cp >> 6) & 0x3f));
                                *o++ = (char) (0x80 | (cp & 0x3f));
                        }
                        break;
                }
                default:
                        free(out);
                        return NULL;
                }
        }
        *o = '\0';
        j->p++;
        return out;
}

/* Adds person to the list, or merges it into the entry of the same
 * address (without ASCII case, as contact_emails matches): the organizer
 * wins, the master's spelling and name stay otherwise, a name fills a
 * gap.  Takes person's strings. */
static int people_merge(OccurrencePerson **people, size_t *n, size_t *allocated, OccurrencePerson *person) {
        for (size_t i = 0; i < *n; i++) {
                OccurrencePerson *have = &(*people)[i];
                if (sqlite3_stricmp(have->email, person->email) != 0)
                        continue;
                if (person->organizer && !have->organizer) {
                        free(have->email);
                        have->email = TAKE_PTR(person->email);
                        have->organizer = true;
                        if (person->name) {
                                free(have->name);
                                have->name = TAKE_PTR(person->name);
                        }
                } else if (!have->name)
                        have->name = TAKE_PTR(person->name);
                free(person->email);
                free(person->name);
                return 0;
        }
        if (*n == *allocated) {
                size_t grow = *allocated ? *allocated * 2 : 8;
                OccurrencePerson *bigger = realloc(*people, grow * sizeof **people);
                if (!bigger) {
                        free(person->email);
                        free(person->name);
                        return -ENOMEM;
                }
                *people = bigger;
                *allocated = grow;
        }
        (*people)[(*n)++] = *person;
        return 0;
}

/* One [email, name or null, organizer] of a meetings.people value. */
static int person_parse(JsonCursor *j, OccurrencePerson *ret) {
        OccurrencePerson person = {};
        char *end;

        if (!json_take(j, '[') || !(person.email = json_take_string(j)) || !json_take(j, ','))
                goto bad;
        json_skip_space(j);
        if (strncmp(j->p, "null", 4) == 0)
                j->p += 4;
        else if (!(person.name = json_take_string(j)))
                goto bad;
        if (!json_take(j, ','))
                goto bad;
        json_skip_space(j);
        long organizer = strtol(j->p, &end, 10);
        if (end == j->p)
                goto bad;
        j->p = end;
        person.organizer = organizer != 0;
        if (!json_take(j, ']'))
                goto bad;
        *ret = person;
        return 0;
bad:
        free(person.email);
        free(person.name);
        return -EBADMSG;
}

/* Reads one meetings.people value into the list. */
static int people_parse(const char *json, OccurrencePerson **people, size_t *n, size_t *allocated) {
        JsonCursor j = { .p = json };
        int r;

        if (!json_take(&j, '['))
                return -EBADMSG;
        if (!json_take(&j, ']')) {
                do {
                        OccurrencePerson person;
                        r = person_parse(&j, &person);
                        if (r >= 0)
                                r = people_merge(people, n, allocated, &person);
                        if (r < 0)
                                return r;
                } while (json_take(&j, ','));
                if (!json_take(&j, ']'))
                        return -EBADMSG;
        }
        json_skip_space(&j);
        return *j.p == '\0' ? 0 : -EBADMSG;
}

/* The organizer first, then by address as contact_emails compares them. */
static int compare_listed_people(const void *a, const void *b) {
        const OccurrencePerson *x = a, *y = b;
        if (x->organizer != y->organizer)
                return x->organizer ? -1 : 1;
        return sqlite3_stricmp(x->email, y->email);
}

static int store_occurrence_people(Store *s, const char *uid, int64_t slot, OccurrencePerson **ret,
                                   size_t *ret_n) {
        sqlite3_stmt *st;
        OccurrencePerson *people = NULL;
        size_t n = 0, allocated = 0;
        int rc, r = store_prepare(s, sql_occurrence_people, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, slot);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *json = (const char *) sqlite3_column_text(st, 0);
                r = json ? people_parse(json, &people, &n, &allocated) : -EBADMSG;
                if (r == -EBADMSG)
                        store_set_error(s, "the people of meeting %s in the database are damaged", uid);
                if (r < 0)
                        break;
        }
        if (r >= 0 && rc != SQLITE_DONE)
                r = store_error(s, rc, "reading a meeting's people");
        sqlite3_reset(st);
        if (n > 1)
                qsort(people, n, sizeof *people, compare_listed_people);

        /* The contact each address belongs to, if any. */
        for (size_t i = 0; i < n && r >= 0; i++) {
                r = store_prepare(s, sql_contact_of_email, &st);
                if (r < 0)
                        break;
                sqlite3_bind_text(st, 1, people[i].email, -1, SQLITE_STATIC);
                rc = sqlite3_step(st);
                if (rc == SQLITE_ROW && !(people[i].contact = column_strdup(st, 0)))
                        r = -ENOMEM;
                else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                        r = store_error(s, rc, "reading a meeting's people");
                sqlite3_reset(st);
        }
        if (r < 0) {
                occurrence_people_free(people, n);
                return r;
        }
        *ret = people;
        *ret_n = n;
        return 0;
}

/* An occurrence as listed, with the people it shares with the others of
 * its series (people_owner: the one that frees them). */
typedef struct ListedOccurrence {
        Occurrence occurrence;
        int64_t people_slot;    /* its recurrence id when it has a VEVENT of its own; else 0 */
        OccurrencePerson *people;
        size_t n_people;
        bool people_owner;
} ListedOccurrence;

static int compare_people_keys(const void *a, const void *b) {
        const ListedOccurrence *x = *(ListedOccurrence *const *) a, *y = *(ListedOccurrence *const *) b;
        int c = strcmp(x->occurrence.uid, y->occurrence.uid);
        return c ? c : (x->people_slot > y->people_slot) - (x->people_slot < y->people_slot);
}

int store_occurrences_list(Store *s, int64_t from, int64_t to, bool include_cancelled,
                           store_occurrence_cb cb, void *userdata) {
        sqlite3_stmt *st;
        int rc, r = store_prepare(s, sql_occurrences_list, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, from);
        sqlite3_bind_int64(st, 2, to);
        sqlite3_bind_int(st, 3, include_cancelled);

        /* Read the rows first: the people query reuses the connection. */
        ListedOccurrence *items = NULL;
        ListedOccurrence **by_series = NULL;
        size_t n = 0, allocated = 0;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (n == allocated) {
                        size_t grow = allocated ? allocated * 2 : 16;
                        ListedOccurrence *bigger = realloc(items, grow * sizeof *items);
                        if (!bigger) {
                                r = -ENOMEM;
                                break;
                        }
                        items = bigger;
                        allocated = grow;
                }
                items[n] = (ListedOccurrence) {
                        .occurrence = {
                                .id = sqlite3_column_int64(st, 0),
                                .uid = column_strdup(st, 1),
                                .summary = column_strdup(st, 2),
                                .location = column_strdup(st, 3),
                                .start = sqlite3_column_int64(st, 4),
                                .end = sqlite3_column_int64(st, 5),
                                .all_day = sqlite3_column_int(st, 6) != 0,
                                .cancelled = sqlite3_column_int(st, 7) != 0,
                        },
                        .people_slot = sqlite3_column_int(st, 9) ? sqlite3_column_int64(st, 8) : 0,
                };
                n++;
                if (!items[n - 1].occurrence.uid || !items[n - 1].occurrence.summary ||
                    !items[n - 1].occurrence.location) {
                        r = -ENOMEM;
                        break;
                }
        }
        if (r >= 0 && rc != SQLITE_DONE)
                r = store_error(s, rc, "listing meetings");
        sqlite3_reset(st);

        /* The occurrences of a series without a VEVENT of their own have
         * the same people: read once per series, not once per occurrence
         * (27,000 queries for 10,000 meetings took two seconds). */
        if (r >= 0 && n > 0) {
                by_series = malloc(n * sizeof *by_series);
                if (!by_series)
                        r = -ENOMEM;
        }
        for (size_t i = 0; i < n && by_series; i++)
                by_series[i] = &items[i];
        if (by_series)
                qsort(by_series, n, sizeof *by_series, compare_people_keys);
        for (size_t i = 0; i < n && r >= 0; i++) {
                ListedOccurrence *o = by_series[i];
                if (i > 0 && compare_people_keys(&by_series[i - 1], &by_series[i]) == 0) {
                        o->people = by_series[i - 1]->people;
                        o->n_people = by_series[i - 1]->n_people;
                        continue;
                }
                r = store_occurrence_people(s, o->occurrence.uid, o->people_slot, &o->people, &o->n_people);
                o->people_owner = r >= 0;
        }

        for (size_t i = 0; i < n && r >= 0; i++)
                r = cb(&items[i].occurrence, items[i].people, items[i].n_people, userdata);
        for (size_t i = 0; i < n; i++) {
                free(items[i].occurrence.uid);
                free(items[i].occurrence.summary);
                free(items[i].occurrence.location);
                if (items[i].people_owner)
                        occurrence_people_free(items[i].people, items[i].n_people);
        }
        free(items);
        free(by_series);
        return r < 0 ? r : 0;
}

int store_calendar_file_get(Store *s, const char *path, int64_t *ret_mtime, int64_t *ret_size) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_calendar_file_get, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                *ret_mtime = sqlite3_column_int64(st, 0);
                *ret_size = sqlite3_column_int64(st, 1);
                r = 0;
        } else if (rc == SQLITE_DONE)
                r = -ENOENT;
        else
                r = store_error(s, rc, "reading a watched file's state");
        sqlite3_reset(st);
        return r;
}

int store_calendar_file_put(Store *s, const char *path, int64_t mtime, int64_t size) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_calendar_file_put, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, mtime);
        sqlite3_bind_int64(st, 3, size);
        return store_step_done(s, st, "remembering a watched file");
}

int store_calendar_file_delete(Store *s, const char *path) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_calendar_file_delete, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
        return store_step_done(s, st, "forgetting a watched file");
}

int store_calendar_files_in(Store *s, const char *dir, char ***ret_paths, size_t *ret_n) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_calendar_files_in, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, dir, -1, SQLITE_TRANSIENT);
        return store_strings(s, st, ret_paths, ret_n);
}


/* ---- People: contacts, interactions and keep-in-touch ---- */

/* Contacts store their cadence as NULL (the tie's default), a number of
 * seconds, or this value for "no keep-in-touch": the schema allows only
 * positive cadences, and no real cadence comes near it. */
#define CADENCE_OFF_STORED INT64_MAX

/* How many "-N" suffixes a derived handle tries before giving up. */
#define HANDLE_SUFFIX_MAX 10000

#define CONTACT_COLUMNS \
        "c.id, c.uid, c.handle, c.name, c.org, c.met, c.note, c.tie, c.cadence, c.cadence_from, " \
        "c.archived_at, c.created, c.modified, " \
        "(SELECT max(at) FROM interactions WHERE contact_id = c.id), " \
        "(SELECT kind FROM interactions WHERE contact_id = c.id ORDER BY at DESC, id DESC LIMIT 1), " \
        "(SELECT count(*) FROM interactions WHERE contact_id = c.id), " \
        "(SELECT count(*) FROM interactions WHERE contact_id = c.id AND lead != 0), " \
        "(SELECT count(gave) FROM interactions WHERE contact_id = c.id), " \
        "(SELECT count(got) FROM interactions WHERE contact_id = c.id), " \
        "(SELECT id FROM followups WHERE contact_id = c.id AND kind = 'reconnect' " \
                "AND done_at IS NULL ORDER BY due LIMIT 1), " \
        "(SELECT due FROM followups WHERE contact_id = c.id AND kind = 'reconnect' " \
                "AND done_at IS NULL ORDER BY due LIMIT 1)"

#define INTERACTION_COLUMNS \
        "i.id, i.contact_id, c.handle, c.name, i.kind, i.at, i.gave, i.got, i.note, i.lead, i.created"

static const char sql_contact_get[] =
        "SELECT " CONTACT_COLUMNS " FROM contacts c WHERE c.id = ?1";
static const char sql_contact_list[] =
        "SELECT " CONTACT_COLUMNS " FROM contacts c "
                "WHERE (?1 < 0 OR (c.tie = 'strong') = ?1) "
                "AND (?2 IS NULL OR EXISTS (SELECT 1 FROM contact_tags t "
                        "WHERE t.contact_id = c.id AND t.tag = ?2)) "
                "AND (?3 != 0 OR c.archived_at IS NULL) "
                "ORDER BY c.name COLLATE NOCASE, c.id";
static const char sql_contact_emails[] =
        "SELECT email FROM contact_emails WHERE contact_id = ?1 ORDER BY rowid";
static const char sql_contact_tags[] =
        "SELECT tag FROM contact_tags WHERE contact_id = ?1 ORDER BY tag COLLATE NOCASE";
static const char sql_contact_insert[] =
        "INSERT INTO contacts (uid, handle, name, org, met, note, tie, cadence, created, modified) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)";
static const char sql_contact_by_handle[] =
        "SELECT id, name FROM contacts WHERE handle = ?1";
static const char sql_contact_by_email[] =
        "SELECT e.contact_id, c.name, c.handle FROM contact_emails e "
                "JOIN contacts c ON c.id = e.contact_id WHERE e.email = ?1";
static const char sql_contact_exists[] =
        "SELECT name FROM contacts WHERE id = ?1";
static const char sql_contact_names[] =
        "SELECT id, handle, name, archived_at FROM contacts ORDER BY id";
static const char sql_contact_ids_default_cadence[] =
        "SELECT id FROM contacts WHERE cadence IS NULL AND tie = 'weak' AND archived_at IS NULL "
                "ORDER BY id";
static const char sql_email_insert[] =
        "INSERT INTO contact_emails (contact_id, email) VALUES (?1, ?2)";
static const char sql_email_delete[] =
        "DELETE FROM contact_emails WHERE contact_id = ?1 AND email = ?2";
static const char sql_email_count[] =
        "SELECT count(*) FROM contact_emails WHERE contact_id = ?1";
static const char sql_tag_insert[] =
        "INSERT OR IGNORE INTO contact_tags (contact_id, tag) VALUES (?1, ?2)";
static const char sql_tag_delete[] =
        "DELETE FROM contact_tags WHERE contact_id = ?1 AND tag = ?2";
static const char sql_tag_count[] =
        "SELECT count(*) FROM contact_tags WHERE contact_id = ?1";
static const char sql_contact_set_name[] =
        "UPDATE contacts SET name = ?2, modified = ?3 WHERE id = ?1";
static const char sql_contact_set_handle[] =
        "UPDATE contacts SET handle = ?2, modified = ?3 WHERE id = ?1";
static const char sql_contact_set_org[] =
        "UPDATE contacts SET org = NULLIF(?2, ''), modified = ?3 WHERE id = ?1";
static const char sql_contact_set_met[] =
        "UPDATE contacts SET met = NULLIF(?2, ''), modified = ?3 WHERE id = ?1";
static const char sql_contact_set_note[] =
        "UPDATE contacts SET note = NULLIF(?2, ''), modified = ?3 WHERE id = ?1";
static const char sql_contact_set_tie[] =
        "UPDATE contacts SET tie = ?2, modified = ?3 WHERE id = ?1";
static const char sql_contact_set_cadence[] =
        "UPDATE contacts SET cadence = ?2, modified = ?3 WHERE id = ?1";
static const char sql_contact_archive[] =
        "UPDATE contacts SET archived_at = ?2, modified = ?2 WHERE id = ?1";
static const char sql_contact_unarchive[] =
        "UPDATE contacts SET archived_at = NULL, cadence_from = ?2, modified = ?2 WHERE id = ?1";
static const char sql_contact_restart[] =
        "UPDATE contacts SET cadence_from = ?2 WHERE id = ?1";
static const char sql_contact_touch[] =
        "UPDATE contacts SET modified = ?2 WHERE id = ?1";
static const char sql_contact_delete[] =
        "DELETE FROM contacts WHERE id = ?1";
static const char sql_interaction_insert[] =
        "INSERT INTO interactions (contact_id, kind, at, gave, got, note, lead, created) "
                "VALUES (?1, ?2, ?3, NULLIF(?4, ''), NULLIF(?5, ''), NULLIF(?6, ''), ?7, ?8)";
static const char sql_interaction_list[] =
        "SELECT " INTERACTION_COLUMNS " FROM interactions i JOIN contacts c ON c.id = i.contact_id "
                "WHERE (?1 = 0 OR i.contact_id = ?1) ORDER BY i.at DESC, i.id DESC LIMIT ?2";
static const char sql_interaction_contact[] =
        "SELECT contact_id FROM interactions WHERE id = ?1";
static const char sql_interaction_delete[] =
        "DELETE FROM interactions WHERE id = ?1";
static const char sql_interactions_delete_contact[] =
        "DELETE FROM interactions WHERE contact_id = ?1";
static const char sql_interactions_count[] =
        "SELECT count(*) FROM interactions WHERE contact_id = ?1";
static const char sql_reconnect_open[] =
        "SELECT id, due, notify_state, text FROM followups "
                "WHERE contact_id = ?1 AND kind = 'reconnect' AND done_at IS NULL ORDER BY due, id";
static const char sql_reconnect_insert[] =
        "INSERT INTO followups (uid, kind, text, contact_id, due, created, modified) "
                "VALUES (?1, 'reconnect', ?2, ?3, ?4, ?5, ?5)";
static const char sql_reconnect_move[] =
        "UPDATE followups SET due = ?2, notify_state = 0, notified_at = NULL, modified = ?3, "
                "sequence = sequence + 1 WHERE id = ?1";
static const char sql_reconnect_retext[] =
        "UPDATE followups SET text = ?2, modified = ?3, sequence = sequence + 1 WHERE id = ?1";
static const char sql_reconnect_delete_contact[] =
        "DELETE FROM followups WHERE contact_id = ?1 AND kind = 'reconnect'";
static const char sql_reconnect_row[] =
        "SELECT kind, contact_id, done_at FROM followups WHERE id = ?1";
static const char sql_followup_set_contact[] =
        "UPDATE followups SET contact_id = NULLIF(?2, 0), modified = ?3, sequence = sequence + 1 "
                "WHERE id = ?1";
static const char sql_followup_list_contact[] =
        "SELECT " FOLLOWUP_COLUMNS FOLLOWUP_FROM FOLLOWUP_WHERE_CONTACT;
static const char sql_stats_interactions[] =
        "SELECT i.contact_id, c.tie = 'strong', i.at, i.gave IS NOT NULL, i.got IS NOT NULL, i.lead "
                "FROM interactions i JOIN contacts c ON c.id = i.contact_id "
                "WHERE i.at >= ?1 AND i.at < ?2 ORDER BY i.contact_id, i.at";
static const char sql_stats_contacts[] =
        "SELECT created FROM contacts WHERE created >= ?1 AND created < ?2";
static const char sql_totals_contacts[] =
        "SELECT count(*) FILTER (WHERE archived_at IS NULL), "
                "count(*) FILTER (WHERE archived_at IS NULL AND tie = 'weak'), "
                "count(*) FILTER (WHERE archived_at IS NULL AND tie = 'strong'), "
                "count(*) FILTER (WHERE archived_at IS NOT NULL) FROM contacts";
static const char sql_totals_interactions[] =
        "SELECT count(*), count(*) FILTER (WHERE c.tie = 'weak'), "
                "count(*) FILTER (WHERE c.tie = 'strong'), count(i.gave), count(i.got), "
                "count(*) FILTER (WHERE i.lead != 0), "
                "count(*) FILTER (WHERE i.lead != 0 AND c.tie = 'weak'), "
                "count(*) FILTER (WHERE i.lead != 0 AND c.tie = 'strong') "
                "FROM interactions i JOIN contacts c ON c.id = i.contact_id "
                "WHERE i.at >= ?1 AND i.at < ?2";
static const char sql_progress[] =
        "SELECT (SELECT count(DISTINCT i.contact_id) FROM interactions i "
                        "JOIN contacts c ON c.id = i.contact_id "
                        "WHERE c.tie = 'weak' AND i.at >= ?1 AND i.at < ?2), "
                "(SELECT count(*) FROM contacts WHERE created >= ?1 AND created < ?2), "
                "(SELECT count(*) FROM interactions WHERE gave IS NOT NULL AND at >= ?1 AND at < ?2)";

/* Cuts a user-supplied text for an error sentence: at most max bytes, at
 * a character boundary, so the sentence stays valid UTF-8. */
static const char *cut_for_message(const char *text, size_t max, char *buf, size_t size) {
        size_t n = strlen(text);
        if (n > max)
                n = max;
        if (n >= size)
                n = size - 1;
        while (n > 0 && n < strlen(text) && ((unsigned char) text[n] & 0xC0) == 0x80)
                n--;
        memcpy(buf, text, n);
        buf[n] = '\0';
        return buf;
}

static void free_strv(char **v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

void contact_clear(Contact *c) {
        if (!c)
                return;
        free(c->uid);
        free(c->handle);
        free(c->name);
        free(c->org);
        free(c->met);
        free(c->note);
        free(c->last_kind);
        free_strv(c->emails, c->n_emails);
        free_strv(c->tags, c->n_tags);
        *c = (Contact) {};
}

void interaction_clear(Interaction *i) {
        if (!i)
                return;
        free(i->handle);
        free(i->name);
        free(i->kind);
        free(i->gave);
        free(i->got);
        free(i->note);
        *i = (Interaction) {};
}

static int64_t cadence_from_column(sqlite3_stmt *st, int col) {
        if (sqlite3_column_type(st, col) == SQLITE_NULL)
                return PEOPLE_CADENCE_DEFAULT;
        int64_t v = sqlite3_column_int64(st, col);
        return v == CADENCE_OFF_STORED ? PEOPLE_CADENCE_OFF : v;
}

static void bind_cadence(sqlite3_stmt *st, int col, int64_t cadence) {
        if (cadence == PEOPLE_CADENCE_DEFAULT || cadence == CONTACT_CADENCE_UNCHANGED)
                sqlite3_bind_null(st, col);
        else if (cadence == PEOPLE_CADENCE_OFF)
                sqlite3_bind_int64(st, col, CADENCE_OFF_STORED);
        else
                sqlite3_bind_int64(st, col, cadence);
}

/* Reads one text column per row of a query on a contact id. */
static int contact_load_strings(Store *s, const char *sql, int64_t id, char ***ret, size_t *ret_n) {
        sqlite3_stmt *st;
        char **v = NULL;
        size_t n = 0;
        int rc, r;

        r = store_prepare(s, sql, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                char **grown = realloc(v, (n + 1) * sizeof *v);
                char *item = column_strdup(st, 0);
                if (!grown || !item) {
                        free(item);
                        if (grown)
                                v = grown;
                        free_strv(v, n);
                        sqlite3_reset(st);
                        store_set_error(s, "out of memory reading a contact");
                        return -ENOMEM;
                }
                v = grown;
                v[n++] = item;
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
                free_strv(v, n);
                return store_error(s, rc, "reading a contact");
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

static int contact_from_row(Store *s, sqlite3_stmt *st, Contact *ret) {
        Contact c = {
                .id = sqlite3_column_int64(st, 0),
                .uid = column_strdup(st, 1),
                .handle = column_strdup(st, 2),
                .name = column_strdup(st, 3),
                .org = column_strdup(st, 4),
                .met = column_strdup(st, 5),
                .note = column_strdup(st, 6),
                .strong = sqlite3_column_text(st, 7) &&
                        strcmp((const char *) sqlite3_column_text(st, 7), "strong") == 0,
                .cadence = cadence_from_column(st, 8),
                .cadence_from = sqlite3_column_int64(st, 9),
                .archived_at = sqlite3_column_int64(st, 10),
                .created = sqlite3_column_int64(st, 11),
                .modified = sqlite3_column_int64(st, 12),
                .last_at = sqlite3_column_int64(st, 13),
                .last_kind = column_strdup(st, 14),
                .n_interactions = (unsigned) sqlite3_column_int64(st, 15),
                .n_leads = (unsigned) sqlite3_column_int64(st, 16),
                .n_gave = (unsigned) sqlite3_column_int64(st, 17),
                .n_got = (unsigned) sqlite3_column_int64(st, 18),
                .reconnect_id = sqlite3_column_int64(st, 19),
                .reconnect_due = sqlite3_column_int64(st, 20),
        };
        int r;

        if (!c.uid || !c.handle || !c.name) {
                contact_clear(&c);
                store_set_error(s, "out of memory reading a contact");
                return -ENOMEM;
        }
        r = contact_load_strings(s, sql_contact_emails, c.id, &c.emails, &c.n_emails);
        if (r >= 0)
                r = contact_load_strings(s, sql_contact_tags, c.id, &c.tags, &c.n_tags);
        if (r < 0) {
                contact_clear(&c);
                return r;
        }
        *ret = c;
        return 0;
}

int store_contact_get(Store *s, int64_t id, Contact *ret) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_contact_get, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);

        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                r = contact_from_row(s, st, ret);
        else if (rc == SQLITE_DONE) {
                store_set_error(s, "no contact with id %" PRId64, id);
                r = -ENOENT;
        } else
                r = store_error(s, rc, "reading a contact");
        sqlite3_reset(st);
        return r;
}

/* Runs a one-row, one-integer query bound to (a, b); *ret = 0 when there is
 * no row. */
static int store_query_int(Store *s, const char *sql, int64_t a, int64_t b, int64_t *ret) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql, &st);
        if (r < 0)
                return r;
        if (sqlite3_bind_parameter_count(st) >= 1)
                sqlite3_bind_int64(st, 1, a);
        if (sqlite3_bind_parameter_count(st) >= 2)
                sqlite3_bind_int64(st, 2, b);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                *ret = sqlite3_column_int64(st, 0);
        else if (rc == SQLITE_DONE)
                *ret = 0;
        else
                r = store_error(s, rc, "reading the database");
        sqlite3_reset(st);
        return r;
}

/* The name of contact id into buf; -ENOENT when there is none. */
static int contact_name(Store *s, int64_t id, char *buf, size_t size) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_contact_exists, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                const char *name = (const char *) sqlite3_column_text(st, 0);
                cut_for_message(name ? name : "", 100, buf, size);
        } else if (rc == SQLITE_DONE) {
                store_set_error(s, "no contact with id %" PRId64, id);
                r = -ENOENT;
        } else
                r = store_error(s, rc, "reading a contact");
        sqlite3_reset(st);
        return r;
}

/* Who holds an e-mail: 0 with the id (0 when nobody) and name. */
static int email_owner(Store *s, const char *email, int64_t *ret_id, char *name, size_t size) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_contact_by_email, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, email, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(st);
        *ret_id = 0;
        if (rc == SQLITE_ROW) {
                *ret_id = sqlite3_column_int64(st, 0);
                if (name) {
                        const char *n = (const char *) sqlite3_column_text(st, 1);
                        const char *h = (const char *) sqlite3_column_text(st, 2);
                        char cut[104];
                        snprintf(name, size, "%s (%s)", cut_for_message(n ? n : "", 100, cut, sizeof cut),
                                 h ? h : "");
                }
        } else if (rc != SQLITE_DONE)
                r = store_error(s, rc, "looking up an e-mail");
        sqlite3_reset(st);
        return r;
}

/* Who holds a handle: 0 with the id, 0 when nobody. */
static int handle_owner(Store *s, const char *handle, int64_t *ret_id) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_contact_by_handle, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, handle, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(st);
        *ret_id = 0;
        if (rc == SQLITE_ROW)
                *ret_id = sqlite3_column_int64(st, 0);
        else if (rc != SQLITE_DONE)
                r = store_error(s, rc, "looking up a handle");
        sqlite3_reset(st);
        return r;
}

/* A free handle for the contact `self` (0 for a new one): the wanted one,
 * which must be free, or one derived from name, made unique. */
static int choose_handle(Store *s, const char *wanted, const char *name, int64_t self,
                         char *buf, size_t size) {
        char base[PEOPLE_HANDLE_MAX + 1];
        int64_t owner;
        int r;

        if (wanted) {
                r = handle_owner(s, wanted, &owner);
                if (r < 0)
                        return r;
                if (owner != 0 && owner != self) {
                        char who[256], cut[80];
                        (void) contact_name(s, owner, who, sizeof who);
                        store_set_error(s, "the handle \"%s\" is taken by %s",
                                        cut_for_message(wanted, 64, cut, sizeof cut), who);
                        return -EEXIST;
                }
                snprintf(buf, size, "%s", wanted);
                return 0;
        }

        people_handle_derive(name, base, sizeof base);
        for (unsigned n = 1; n <= HANDLE_SUFFIX_MAX; n++) {
                if (n == 1)
                        snprintf(buf, size, "%s", base);
                else
                        people_handle_candidate(base, n, buf, size);
                r = handle_owner(s, buf, &owner);
                if (r < 0)
                        return r;
                if (owner == 0 || owner == self)
                        return 0;
        }
        store_set_error(s, "no free handle near \"%s\"; choose one", base);
        return -EEXIST;
}

static int contact_add_email(Store *s, int64_t id, const char *email, bool skip_foreign,
                             unsigned *ret_skipped, bool *ret_added) {
        sqlite3_stmt *st;
        char owner_name[256];
        int64_t owner;
        int r;

        r = email_owner(s, email, &owner, owner_name, sizeof owner_name);
        if (r < 0)
                return r;
        if (owner == id)
                return 0;               /* has it already, perhaps in another case */
        if (owner != 0) {
                if (skip_foreign) {
                        if (ret_skipped)
                                (*ret_skipped)++;
                        return 0;
                }
                char cut[124];
                store_set_error(s, "the e-mail %s already belongs to %s",
                                cut_for_message(email, 120, cut, sizeof cut), owner_name);
                return -EEXIST;
        }

        int64_t count;
        r = store_query_int(s, sql_email_count, id, 0, &count);
        if (r < 0)
                return r;
        if (count >= PEOPLE_EMAILS_MAX) {
                store_set_error(s, "a contact has at most %d e-mails", PEOPLE_EMAILS_MAX);
                return -E2BIG;
        }

        r = store_prepare(s, sql_email_insert, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, email, -1, SQLITE_TRANSIENT);
        r = store_step_done(s, st, "adding an e-mail");
        if (r >= 0 && ret_added)
                *ret_added = true;
        return r;
}

static int contact_add_tag(Store *s, int64_t id, const char *tag, bool *ret_added) {
        sqlite3_stmt *st;
        int64_t count;
        int r;

        r = store_query_int(s, sql_tag_count, id, 0, &count);
        if (r < 0)
                return r;
        r = store_prepare(s, sql_tag_insert, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, tag, -1, SQLITE_TRANSIENT);
        r = store_step_done(s, st, "adding a tag");
        if (r < 0)
                return r;
        if (sqlite3_changes(s->db) == 0)
                return 0;               /* had it */
        if (count >= PEOPLE_TAGS_MAX) {
                /* Take the one just added back out: the caller may go on. */
                r = store_prepare(s, sql_tag_delete, &st);
                if (r < 0)
                        return r;
                sqlite3_bind_int64(st, 1, id);
                sqlite3_bind_text(st, 2, tag, -1, SQLITE_TRANSIENT);
                r = store_step_done(s, st, "adding a tag");
                if (r < 0)
                        return r;
                store_set_error(s, "a contact has at most %d tags", PEOPLE_TAGS_MAX);
                return -E2BIG;
        }
        if (ret_added)
                *ret_added = true;
        return 0;
}

/* ---- the reconnect row ---- */

typedef enum ReconnectSync {
        SYNC_RETEXT,            /* the name may have changed */
        SYNC_RESCHEDULE,        /* the cadence or tie may have changed: move the row */
        SYNC_RESTART,           /* the cadence restarted: withdraw the row, schedule anew */
} ReconnectSync;

/* Takes an open reconnect row back: deleted if it never fired, else done. */
static int reconnect_withdraw(Store *s, int64_t id, int64_t due, int state, int64_t now,
                              ReconnectChange *change) {
        sqlite3_stmt *st;
        bool fired = state != NOTIFY_PENDING || due <= now;
        int r;

        r = store_prepare(s, fired ? sql_followup_done : sql_followup_remove, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        if (fired)
                sqlite3_bind_int64(st, 2, now);
        r = store_step_done(s, st, "withdrawing a reconnect reminder");
        if (r < 0)
                return r;
        change->withdrawn_id = id;
        change->withdrawn_deleted = !fired;
        return 0;
}

/* Brings contact id's reconnect row in line with the contact, inside the
 * caller's transaction. */
static int reconnect_sync(Store *s, int64_t id, ReconnectSync mode, int64_t weak_cadence,
                          int64_t now, ReconnectChange *change) {
        _cleanup_(contact_clear) Contact c = {};
        sqlite3_stmt *st;
        char text[400], name[304];
        int64_t open_id = 0, open_due = 0;
        int open_state = 0, rc, r;
        bool retext = false;

        r = store_contact_get(s, id, &c);
        if (r < 0)
                return r;
        snprintf(text, sizeof text, "Reconnect with %s", cut_for_message(c.name, 300, name, sizeof name));

        /* The open rows: keep the first, withdraw any other (there should
         * be none; this heals a database edited by hand). */
        r = store_prepare(s, sql_reconnect_open, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        int64_t extra[8];
        size_t n_extra = 0;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (open_id == 0) {
                        open_id = sqlite3_column_int64(st, 0);
                        open_due = sqlite3_column_int64(st, 1);
                        open_state = sqlite3_column_int(st, 2);
                        const char *t = (const char *) sqlite3_column_text(st, 3);
                        retext = !t || strcmp(t, text) != 0;
                } else if (n_extra < ELEMENTSOF(extra))
                        extra[n_extra++] = sqlite3_column_int64(st, 0);
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
                return store_error(s, rc, "reading reconnect reminders");
        for (size_t i = 0; i < n_extra; i++) {
                ReconnectChange ignored = {};
                r = reconnect_withdraw(s, extra[i], 0, NOTIFY_SHOWN, now, &ignored);
                if (r < 0)
                        return r;
        }

        int64_t cadence = c.archived_at ? 0 : people_effective_cadence(c.strong, c.cadence, weak_cadence);
        int64_t due = people_reconnect_due(people_cadence_base(c.created, c.cadence_from, c.last_at),
                                           cadence);
        /* Beyond the year 9999 nothing can show it. */
        if (due > 253402300799LL)
                due = 0;

        if (open_id != 0 && due == 0)
                return reconnect_withdraw(s, open_id, open_due, open_state, now, change);
        if (due == 0)
                return 0;

        if (open_id == 0 || mode == SYNC_RESTART) {
                char uid[64];
                r = make_uid(s, uid, sizeof uid);
                if (r < 0)
                        return r;
                r = store_prepare(s, sql_reconnect_insert, &st);
                if (r < 0)
                        return r;
                sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(st, 3, id);
                sqlite3_bind_int64(st, 4, due);
                sqlite3_bind_int64(st, 5, now);
                r = store_step_done(s, st, "scheduling a reconnect reminder");
                if (r < 0)
                        return r;
                change->scheduled_id = sqlite3_last_insert_rowid(s->db);
                change->scheduled_new = true;
                /* The old one goes after the new one is in: deleting the
                 * highest row first would let SQLite hand its id to the
                 * new one, and a stale notification or a typed id could
                 * then act on the wrong reminder. */
                if (open_id != 0)
                        return reconnect_withdraw(s, open_id, open_due, open_state, now, change);
                return 0;
        }

        if (retext) {
                r = store_prepare(s, sql_reconnect_retext, &st);
                if (r < 0)
                        return r;
                sqlite3_bind_int64(st, 1, open_id);
                sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(st, 3, now);
                r = store_step_done(s, st, "renaming a reconnect reminder");
                if (r < 0)
                        return r;
                change->scheduled_id = open_id;
        }
        /* A snoozed reminder keeps its time unless the cadence changed. */
        if (mode == SYNC_RESCHEDULE && open_due != due) {
                r = store_prepare(s, sql_reconnect_move, &st);
                if (r < 0)
                        return r;
                sqlite3_bind_int64(st, 1, open_id);
                sqlite3_bind_int64(st, 2, due);
                sqlite3_bind_int64(st, 3, now);
                r = store_step_done(s, st, "moving a reconnect reminder");
                if (r < 0)
                        return r;
                change->scheduled_id = open_id;
                /* A notification on screen for the old time is stale. */
                if (open_state != NOTIFY_PENDING)
                        change->withdrawn_id = open_id;
        }
        return 0;
}

/* ---- contacts ---- */

int store_contact_add(Store *s, const ContactChanges *c, int64_t weak_cadence, int64_t now,
                      int64_t *ret_id, ReconnectChange *ret_change) {
        ReconnectChange change = {};
        char handle[PEOPLE_HANDLE_MAX + 16], uid[64];
        sqlite3_stmt *st;
        int64_t id;
        int r;

        r = make_uid(s, uid, sizeof uid);
        if (r < 0)
                return r;
        r = store_begin(s);
        if (r < 0)
                return r;

        r = choose_handle(s, c->handle, c->name, 0, handle, sizeof handle);
        if (r < 0)
                goto fail;

        r = store_prepare(s, sql_contact_insert, &st);
        if (r < 0)
                goto fail;
        sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, handle, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, c->name, -1, SQLITE_TRANSIENT);
        if (c->org && c->org[0])
                sqlite3_bind_text(st, 4, c->org, -1, SQLITE_TRANSIENT);
        if (c->met && c->met[0])
                sqlite3_bind_text(st, 5, c->met, -1, SQLITE_TRANSIENT);
        if (c->note && c->note[0])
                sqlite3_bind_text(st, 6, c->note, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 7, c->strong > 0 ? "strong" : "weak", -1, SQLITE_STATIC);
        bind_cadence(st, 8, c->cadence);
        sqlite3_bind_int64(st, 9, now);
        r = store_step_done(s, st, "adding a contact");
        if (r < 0)
                goto fail;
        id = sqlite3_last_insert_rowid(s->db);

        for (size_t i = 0; i < c->n_add_emails; i++) {
                r = contact_add_email(s, id, c->add_emails[i], false, NULL, NULL);
                if (r < 0)
                        goto fail;
        }
        for (size_t i = 0; i < c->n_add_tags; i++) {
                r = contact_add_tag(s, id, c->add_tags[i], NULL);
                if (r < 0)
                        goto fail;
        }

        r = reconnect_sync(s, id, SYNC_RESTART, weak_cadence, now, &change);
        if (r < 0)
                goto fail;

        r = store_commit(s);
        if (r < 0)
                return r;
        *ret_id = id;
        if (ret_change)
                *ret_change = change;
        return 0;

fail:
        store_rollback(s);
        return r;
}

/* Steps a contact query and hands each row to cb. */
static int store_walk_contacts(Store *s, sqlite3_stmt *st, store_contact_cb cb, void *userdata) {
        int rc, r = 0;

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                Contact c;
                r = contact_from_row(s, st, &c);
                if (r < 0)
                        break;
                r = cb ? cb(&c, userdata) : 0;
                contact_clear(&c);
                if (r < 0)
                        break;
        }
        if (r >= 0 && rc != SQLITE_DONE)
                r = store_error(s, rc, "listing contacts");
        sqlite3_reset(st);
        return r < 0 ? r : 0;
}

int store_contact_list(Store *s, const ContactFilter *filter, store_contact_cb cb, void *userdata) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_contact_list, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int(st, 1, filter && filter->strong >= 0 ? !!filter->strong : -1);
        if (filter && filter->tag)
                sqlite3_bind_text(st, 2, filter->tag, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 3, filter ? filter->include_archived : 0);
        return store_walk_contacts(s, st, cb, userdata);
}

typedef struct NameMatches {
        int64_t ids[8];
        char names[8][96];
        size_t n;               /* all matches, even beyond the 8 kept */
} NameMatches;

static void name_matches_add(NameMatches *m, int64_t id, const char *handle, const char *name) {
        if (m->n < ELEMENTSOF(m->ids)) {
                char cut_name[36], cut_handle[36];
                m->ids[m->n] = id;
                snprintf(m->names[m->n], sizeof m->names[0], "%s (%s)",
                         cut_for_message(handle, 32, cut_handle, sizeof cut_handle),
                         cut_for_message(name, 32, cut_name, sizeof cut_name));
        }
        m->n++;
}

static int report_ambiguous(Store *s, const char *who, const NameMatches *m) {
        char list[400] = "", cut[80];
        size_t shown = m->n < 4 ? m->n : 4;

        for (size_t i = 0; i < shown; i++) {
                size_t len = strlen(list);
                snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", m->names[i]);
        }
        store_set_error(s, "\"%s\" matches %zu contacts: %s%s; name one by handle, e-mail or id",
                        cut_for_message(who, 64, cut, sizeof cut), m->n, list,
                        m->n > shown ? ", ..." : "");
        return -ENOTUNIQ;
}

int store_contact_resolve(Store *s, const char *who, int64_t *ret_id) {
        char cut[80], name_buf[256];
        int64_t id = 0;
        int r;

        switch (people_who_kind(who, &id)) {
        case PEOPLE_WHO_ID:
                r = contact_name(s, id, name_buf, sizeof name_buf);
                if (r < 0)
                        return r;
                *ret_id = id;
                return 0;

        case PEOPLE_WHO_EMAIL:
                r = email_owner(s, who, &id, NULL, 0);
                if (r < 0)
                        return r;
                if (id == 0) {
                        store_set_error(s, "no contact has the e-mail %s",
                                        cut_for_message(who, 120, name_buf, sizeof name_buf));
                        return -ENOENT;
                }
                *ret_id = id;
                return 0;

        case PEOPLE_WHO_NAME:
                break;
        }

        char query_space[1100], query_dash[1100];
        people_fold(who, ' ', query_space, sizeof query_space);
        people_fold(who, '-', query_dash, sizeof query_dash);

        /* A handle as typed (it may hold '.' or '_', which folding drops). */
        char lower[PEOPLE_HANDLE_MAX + 1];
        if (strlen(who) <= PEOPLE_HANDLE_MAX) {
                size_t i;
                for (i = 0; who[i]; i++)
                        lower[i] = who[i] >= 'A' && who[i] <= 'Z' ? (char) (who[i] - 'A' + 'a') : who[i];
                lower[i] = '\0';
                r = handle_owner(s, lower, &id);
                if (r < 0)
                        return r;
                if (id != 0) {
                        *ret_id = id;
                        return 0;
                }
        }

        NameMatches exact = {}, prefix = {};
        sqlite3_stmt *st;
        int rc;

        r = store_prepare(s, sql_contact_names, &st);
        if (r < 0)
                return r;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                int64_t cid = sqlite3_column_int64(st, 0);
                const char *handle = (const char *) sqlite3_column_text(st, 1);
                const char *name = (const char *) sqlite3_column_text(st, 2);
                bool archived = sqlite3_column_type(st, 3) != SQLITE_NULL;
                if (!handle || !name)
                        continue;
                int m = people_name_match(query_space, query_dash, handle, name);
                if (m == 2)
                        name_matches_add(&exact, cid, handle, name);
                else if (m == 1 && !archived)
                        name_matches_add(&prefix, cid, handle, name);
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
                return store_error(s, rc, "looking up a contact");

        if (exact.n == 1) {
                *ret_id = exact.ids[0];
                return 0;
        }
        if (exact.n > 1)
                return report_ambiguous(s, who, &exact);
        if (prefix.n == 1) {
                *ret_id = prefix.ids[0];
                return 0;
        }
        if (prefix.n > 1)
                return report_ambiguous(s, who, &prefix);

        store_set_error(s, "no contact matches \"%s\"", cut_for_message(who, 64, cut, sizeof cut));
        return -ENOENT;
}

static int contact_set_text(Store *s, const char *sql, int64_t id, const char *value, int64_t now) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, now);
        return store_step_done(s, st, "editing a contact");
}

static int contact_set_int(Store *s, const char *sql, int64_t id, int64_t value) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, value);
        return store_step_done(s, st, "editing a contact");
}

int store_contact_edit(Store *s, int64_t id, const ContactChanges *c, int64_t weak_cadence,
                       int64_t now, ReconnectChange *ret_change) {
        _cleanup_(contact_clear) Contact old = {};
        ReconnectChange change = {};
        ReconnectSync mode = SYNC_RETEXT;
        sqlite3_stmt *st;
        int r;

        r = store_begin(s);
        if (r < 0)
                return r;

        r = store_contact_get(s, id, &old);
        if (r < 0)
                goto fail;

        if (c->name) {
                r = contact_set_text(s, sql_contact_set_name, id, c->name, now);
                if (r < 0)
                        goto fail;
        }
        if (c->handle && strcmp(c->handle, old.handle) != 0) {
                char handle[PEOPLE_HANDLE_MAX + 16];
                r = choose_handle(s, c->handle, NULL, id, handle, sizeof handle);
                if (r < 0)
                        goto fail;
                r = contact_set_text(s, sql_contact_set_handle, id, handle, now);
                if (r < 0)
                        goto fail;
        }
        if (c->org) {
                r = contact_set_text(s, sql_contact_set_org, id, c->org, now);
                if (r < 0)
                        goto fail;
        }
        if (c->met) {
                r = contact_set_text(s, sql_contact_set_met, id, c->met, now);
                if (r < 0)
                        goto fail;
        }
        if (c->note) {
                r = contact_set_text(s, sql_contact_set_note, id, c->note, now);
                if (r < 0)
                        goto fail;
        }
        if (c->strong >= 0 && (c->strong > 0) != old.strong) {
                r = contact_set_text(s, sql_contact_set_tie, id, c->strong > 0 ? "strong" : "weak", now);
                if (r < 0)
                        goto fail;
                mode = SYNC_RESCHEDULE;
        }
        if (c->cadence != CONTACT_CADENCE_UNCHANGED && c->cadence != old.cadence) {
                r = store_prepare(s, sql_contact_set_cadence, &st);
                if (r < 0)
                        goto fail;
                sqlite3_bind_int64(st, 1, id);
                bind_cadence(st, 2, c->cadence);
                sqlite3_bind_int64(st, 3, now);
                r = store_step_done(s, st, "editing a contact");
                if (r < 0)
                        goto fail;
                mode = SYNC_RESCHEDULE;
        }
        if (c->archived > 0 && old.archived_at == 0) {
                r = contact_set_int(s, sql_contact_archive, id, now);
                if (r < 0)
                        goto fail;
                mode = SYNC_RESCHEDULE;         /* no cadence while archived: withdrawn */
        } else if (c->archived == 0 && old.archived_at != 0) {
                r = contact_set_int(s, sql_contact_unarchive, id, now);
                if (r < 0)
                        goto fail;
                mode = SYNC_RESTART;
        }

        for (size_t i = 0; i < c->n_remove_emails; i++) {
                r = store_prepare(s, sql_email_delete, &st);
                if (r < 0)
                        goto fail;
                sqlite3_bind_int64(st, 1, id);
                sqlite3_bind_text(st, 2, c->remove_emails[i], -1, SQLITE_TRANSIENT);
                r = store_step_done(s, st, "removing an e-mail");
                if (r < 0)
                        goto fail;
                if (sqlite3_changes(s->db) == 0) {
                        char cut[124], who[104];
                        store_set_error(s, "the contact %s has no e-mail %s",
                                        cut_for_message(old.name, 100, who, sizeof who),
                                        cut_for_message(c->remove_emails[i], 120, cut, sizeof cut));
                        r = -ENOENT;
                        goto fail;
                }
        }
        for (size_t i = 0; i < c->n_add_emails; i++) {
                r = contact_add_email(s, id, c->add_emails[i], false, NULL, NULL);
                if (r < 0)
                        goto fail;
        }
        for (size_t i = 0; i < c->n_remove_tags; i++) {
                r = store_prepare(s, sql_tag_delete, &st);
                if (r < 0)
                        goto fail;
                sqlite3_bind_int64(st, 1, id);
                sqlite3_bind_text(st, 2, c->remove_tags[i], -1, SQLITE_TRANSIENT);
                r = store_step_done(s, st, "removing a tag");
                if (r < 0)
                        goto fail;
        }
        for (size_t i = 0; i < c->n_add_tags; i++) {
                r = contact_add_tag(s, id, c->add_tags[i], NULL);
                if (r < 0)
                        goto fail;
        }

        r = contact_set_int(s, sql_contact_touch, id, now);
        if (r < 0)
                goto fail;
        r = reconnect_sync(s, id, mode, weak_cadence, now, &change);
        if (r < 0)
                goto fail;

        r = store_commit(s);
        if (r < 0)
                return r;
        if (ret_change)
                *ret_change = change;
        return 0;

fail:
        store_rollback(s);
        return r;
}

int store_contact_remove(Store *s, int64_t id, ContactRemoveMode mode, int64_t now,
                         unsigned *ret_deleted, ReconnectChange *ret_change) {
        _cleanup_(contact_clear) Contact c = {};
        ReconnectChange change = {};
        char who[104];
        int64_t count;
        int r;

        r = store_begin(s);
        if (r < 0)
                return r;

        r = store_contact_get(s, id, &c);
        if (r < 0)
                goto fail;
        cut_for_message(c.name, 100, who, sizeof who);
        r = store_query_int(s, sql_interactions_count, id, 0, &count);
        if (r < 0)
                goto fail;

        if (mode == CONTACT_REMOVE_ARCHIVE) {
                if (c.archived_at != 0) {
                        store_set_error(s, "the contact %s is already archived", who);
                        r = -EALREADY;
                        goto fail;
                }
                r = contact_set_int(s, sql_contact_archive, id, now);
                if (r < 0)
                        goto fail;
                r = reconnect_sync(s, id, SYNC_RESCHEDULE, 0, now, &change);
                if (r < 0)
                        goto fail;
                count = 0;
        } else {
                if (count > 0 && mode != CONTACT_REMOVE_FORCE) {
                        store_set_error(s, "the contact %s has %" PRId64 " logged interaction%s; "
                                        "archive the contact to keep %s (netctl contact rm --archive), "
                                        "or delete %s too (--force)", who, count, count == 1 ? "" : "s",
                                        count == 1 ? "it" : "them", count == 1 ? "it" : "them");
                        r = -ENOTEMPTY;
                        goto fail;
                }
                if (c.reconnect_id != 0) {
                        change.withdrawn_id = c.reconnect_id;
                        change.withdrawn_deleted = true;
                }
                r = contact_set_int(s, sql_interactions_delete_contact, id, 0);
                if (r >= 0)
                        r = contact_set_int(s, sql_reconnect_delete_contact, id, 0);
                if (r >= 0)
                        r = contact_set_int(s, sql_contact_delete, id, 0);
                if (r < 0)
                        goto fail;
        }

        r = store_commit(s);
        if (r < 0)
                return r;
        if (ret_deleted)
                *ret_deleted = (unsigned) count;
        if (ret_change)
                *ret_change = change;
        return 0;

fail:
        store_rollback(s);
        return r;
}

int store_contact_match(Store *s, const char *const *emails, size_t n_emails, const char *name,
                        int64_t *ret_id) {
        int r;

        for (size_t i = 0; i < n_emails; i++) {
                int64_t owner;
                r = email_owner(s, emails[i], &owner, NULL, 0);
                if (r < 0)
                        return r;
                if (owner != 0) {
                        *ret_id = owner;
                        return 0;
                }
        }
        if (!name || !name[0])
                return -ENOENT;

        char folded[1100], other[1100];
        NameMatches same = {};
        sqlite3_stmt *st;
        int rc;

        people_fold(name, ' ', folded, sizeof folded);
        if (!folded[0])
                return -ENOENT;
        r = store_prepare(s, sql_contact_names, &st);
        if (r < 0)
                return r;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *n = (const char *) sqlite3_column_text(st, 2);
                const char *h = (const char *) sqlite3_column_text(st, 1);
                if (!n || !h)
                        continue;
                people_fold(n, ' ', other, sizeof other);
                if (strcmp(folded, other) == 0)
                        name_matches_add(&same, sqlite3_column_int64(st, 0), h, n);
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
                return store_error(s, rc, "looking up a contact");
        if (same.n == 1) {
                *ret_id = same.ids[0];
                return 0;
        }
        if (same.n > 1)
                return report_ambiguous(s, name, &same);
        return -ENOENT;
}

int store_contact_merge(Store *s, int64_t id, const ContactChanges *c, int64_t now,
                        bool *ret_changed, unsigned *ret_skipped_emails) {
        _cleanup_(contact_clear) Contact old = {};
        unsigned skipped = 0;
        bool changed = false;
        int r;

        r = store_begin(s);
        if (r < 0)
                return r;
        r = store_contact_get(s, id, &old);
        if (r < 0)
                goto fail;

        if (c->org && c->org[0] && !old.org) {
                r = contact_set_text(s, sql_contact_set_org, id, c->org, now);
                changed = true;
        }
        if (r >= 0 && c->met && c->met[0] && !old.met) {
                r = contact_set_text(s, sql_contact_set_met, id, c->met, now);
                changed = true;
        }
        if (r >= 0 && c->note && c->note[0] && !old.note) {
                r = contact_set_text(s, sql_contact_set_note, id, c->note, now);
                changed = true;
        }
        if (r < 0)
                goto fail;
        for (size_t i = 0; i < c->n_add_emails; i++) {
                r = contact_add_email(s, id, c->add_emails[i], true, &skipped, &changed);
                if (r == -E2BIG) {
                        skipped++;
                        continue;
                }
                if (r < 0)
                        goto fail;
        }
        for (size_t i = 0; i < c->n_add_tags; i++) {
                r = contact_add_tag(s, id, c->add_tags[i], &changed);
                if (r == -E2BIG)
                        break;
                if (r < 0)
                        goto fail;
        }
        if (changed) {
                r = contact_set_int(s, sql_contact_touch, id, now);
                if (r < 0)
                        goto fail;
        }

        r = store_commit(s);
        if (r < 0)
                return r;
        if (ret_changed)
                *ret_changed = changed;
        if (ret_skipped_emails)
                *ret_skipped_emails = skipped;
        return 0;

fail:
        store_rollback(s);
        return r;
}

/* ---- interactions ---- */

int store_interaction_add(Store *s, int64_t contact_id, const InteractionNew *in,
                          int64_t weak_cadence, int64_t now, int64_t *ret_id,
                          ReconnectChange *ret_change) {
        _cleanup_(contact_clear) Contact c = {};
        ReconnectChange change = {};
        sqlite3_stmt *st;
        int64_t id;
        int r;

        r = store_begin(s);
        if (r < 0)
                return r;

        r = store_contact_get(s, contact_id, &c);
        if (r < 0)
                goto fail;

        r = store_prepare(s, sql_interaction_insert, &st);
        if (r < 0)
                goto fail;
        sqlite3_bind_int64(st, 1, contact_id);
        sqlite3_bind_text(st, 2, in->kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, in->at);
        sqlite3_bind_text(st, 4, in->gave ? in->gave : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, in->got ? in->got : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 6, in->note ? in->note : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 7, in->lead);
        sqlite3_bind_int64(st, 8, now);
        r = store_step_done(s, st, "logging an interaction");
        if (r < 0)
                goto fail;
        id = sqlite3_last_insert_rowid(s->db);

        /* The latest contact restarts the cadence; an older one is history. */
        if (in->at >= people_cadence_base(c.created, c.cadence_from, c.last_at)) {
                r = reconnect_sync(s, contact_id, SYNC_RESTART, weak_cadence, now, &change);
                if (r < 0)
                        goto fail;
        }

        r = store_commit(s);
        if (r < 0)
                return r;
        *ret_id = id;
        if (ret_change)
                *ret_change = change;
        return 0;

fail:
        store_rollback(s);
        return r;
}

static int interaction_from_row(Store *s, sqlite3_stmt *st, Interaction *ret) {
        Interaction i = {
                .id = sqlite3_column_int64(st, 0),
                .contact_id = sqlite3_column_int64(st, 1),
                .handle = column_strdup(st, 2),
                .name = column_strdup(st, 3),
                .kind = column_strdup(st, 4),
                .at = sqlite3_column_int64(st, 5),
                .gave = column_strdup(st, 6),
                .got = column_strdup(st, 7),
                .note = column_strdup(st, 8),
                .lead = sqlite3_column_int(st, 9) != 0,
                .created = sqlite3_column_int64(st, 10),
        };
        if (!i.handle || !i.name || !i.kind) {
                interaction_clear(&i);
                store_set_error(s, "out of memory reading an interaction");
                return -ENOMEM;
        }
        *ret = i;
        return 0;
}

int store_interaction_list(Store *s, int64_t contact_id, unsigned limit,
                           store_interaction_cb cb, void *userdata) {
        sqlite3_stmt *st;
        int rc, r;

        r = store_prepare(s, sql_interaction_list, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, contact_id);
        sqlite3_bind_int64(st, 2, limit > 0 ? (int64_t) limit : -1);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                Interaction i;
                r = interaction_from_row(s, st, &i);
                if (r < 0)
                        break;
                r = cb ? cb(&i, userdata) : 0;
                interaction_clear(&i);
                if (r < 0)
                        break;
        }
        if (r >= 0 && rc != SQLITE_DONE)
                r = store_error(s, rc, "listing interactions");
        sqlite3_reset(st);
        return r < 0 ? r : 0;
}

int store_interaction_remove(Store *s, int64_t id, int64_t weak_cadence, int64_t now,
                             ReconnectChange *ret_change) {
        ReconnectChange change = {};
        int64_t contact_id;
        int r;

        r = store_begin(s);
        if (r < 0)
                return r;
        r = store_query_int(s, sql_interaction_contact, id, 0, &contact_id);
        if (r < 0)
                goto fail;
        if (contact_id == 0) {
                store_set_error(s, "no interaction with id %" PRId64, id);
                r = -ENOENT;
                goto fail;
        }
        r = contact_set_int(s, sql_interaction_delete, id, 0);
        if (r >= 0)
                r = reconnect_sync(s, contact_id, SYNC_RESCHEDULE, weak_cadence, now, &change);
        if (r < 0)
                goto fail;

        r = store_commit(s);
        if (r < 0)
                return r;
        if (ret_change)
                *ret_change = change;
        return 0;

fail:
        store_rollback(s);
        return r;
}

/* ---- reconnect reminders ---- */

/* The contact of an open reconnect row, inside a transaction. */
static int reconnect_row_contact(Store *s, int64_t followup_id, int64_t *ret_contact) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_reconnect_row, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, followup_id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                const char *kind = (const char *) sqlite3_column_text(st, 0);
                int64_t contact = sqlite3_column_int64(st, 1);
                bool done = sqlite3_column_type(st, 2) != SQLITE_NULL;
                if (!kind || strcmp(kind, FOLLOWUP_KIND_RECONNECT) != 0 || contact == 0) {
                        store_set_error(s, "follow-up %" PRId64 " is not a reconnect reminder", followup_id);
                        r = -ENOENT;
                } else if (done) {
                        store_set_error(s, "follow-up %" PRId64 " is already done", followup_id);
                        r = -EALREADY;
                } else
                        *ret_contact = contact;
        } else if (rc == SQLITE_DONE) {
                store_set_error(s, "no follow-up with id %" PRId64, followup_id);
                r = -ENOENT;
        } else
                r = store_error(s, rc, "reading a follow-up");
        sqlite3_reset(st);
        return r;
}

int store_reconnect_logged(Store *s, int64_t followup_id, int64_t weak_cadence, int64_t now,
                           int64_t *ret_interaction_id, ReconnectChange *ret_change) {
        InteractionNew in = { .kind = "message", .at = now, .note = "Logged from the reminder" };
        int64_t contact;
        int r;

        /* The interaction, its restart and the reminder's end in one
         * transaction: the outer savepoint holds the nested one. */
        r = store_begin(s);
        if (r < 0)
                return r;
        r = reconnect_row_contact(s, followup_id, &contact);
        if (r >= 0)
                r = store_interaction_add(s, contact, &in, weak_cadence, now, ret_interaction_id,
                                          ret_change);
        if (r < 0) {
                store_rollback(s);
                return r;
        }
        return store_commit(s);
}

int store_reconnect_skip(Store *s, int64_t followup_id, int64_t weak_cadence, int64_t now,
                         ReconnectChange *ret_change) {
        ReconnectChange change = {};
        int64_t contact;
        int r;

        r = store_begin(s);
        if (r < 0)
                return r;
        r = reconnect_row_contact(s, followup_id, &contact);
        if (r >= 0)
                r = contact_set_int(s, sql_contact_restart, contact, now);
        if (r >= 0)
                r = reconnect_sync(s, contact, SYNC_RESTART, weak_cadence, now, &change);
        if (r < 0) {
                store_rollback(s);
                return r;
        }
        r = store_commit(s);
        if (r < 0)
                return r;
        if (ret_change)
                *ret_change = change;
        return 0;
}

int store_reconnect_contact(Store *s, int64_t followup_id, Contact *ret) {
        sqlite3_stmt *st;
        int64_t contact = 0;
        int r = store_prepare(s, sql_reconnect_row, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, followup_id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                const char *kind = (const char *) sqlite3_column_text(st, 0);
                if (kind && strcmp(kind, FOLLOWUP_KIND_RECONNECT) == 0)
                        contact = sqlite3_column_int64(st, 1);
        } else if (rc != SQLITE_DONE)
                r = store_error(s, rc, "reading a follow-up");
        sqlite3_reset(st);
        if (r < 0)
                return r;
        if (contact == 0) {
                store_set_error(s, "follow-up %" PRId64 " is not a reconnect reminder", followup_id);
                return -ENOENT;
        }
        return store_contact_get(s, contact, ret);
}

int store_reconnect_resync_default(Store *s, int64_t weak_cadence, int64_t now) {
        int64_t *ids = NULL;
        size_t n = 0, allocated = 0;
        sqlite3_stmt *st;
        int changed = 0, rc, r;

        r = store_begin(s);
        if (r < 0)
                return r;
        /* Collect first: syncing uses statements of its own. */
        r = store_prepare(s, sql_contact_ids_default_cadence, &st);
        if (r < 0)
                goto fail;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (n == allocated) {
                        size_t grow = allocated ? allocated * 2 : 64;
                        int64_t *bigger = realloc(ids, grow * sizeof *ids);
                        if (!bigger) {
                                sqlite3_reset(st);
                                r = -ENOMEM;
                                goto fail;
                        }
                        ids = bigger;
                        allocated = grow;
                }
                ids[n++] = sqlite3_column_int64(st, 0);
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
                r = store_error(s, rc, "listing contacts");
                goto fail;
        }
        for (size_t i = 0; i < n; i++) {
                ReconnectChange change = {};
                r = reconnect_sync(s, ids[i], SYNC_RESCHEDULE, weak_cadence, now, &change);
                if (r < 0)
                        goto fail;
                changed += change.scheduled_id != 0 || change.withdrawn_id != 0;
        }
        free(ids);
        r = store_commit(s);
        return r < 0 ? r : changed;

fail:
        free(ids);
        store_rollback(s);
        return r;
}

/* ---- follow-ups naming a contact ---- */

int store_followup_add_for_contact(Store *s, const char *text, int64_t due, int64_t every,
                                   bool every_fixed, int64_t contact_id, int64_t now,
                                   int64_t *ret_id) {
        int64_t id;
        int r;

        r = store_begin(s);
        if (r < 0)
                return r;
        r = store_followup_add(s, text, due, every, every_fixed, now, &id);
        if (r >= 0 && contact_id > 0) {
                sqlite3_stmt *st;
                r = store_prepare(s, sql_followup_set_contact, &st);
                if (r >= 0) {
                        sqlite3_bind_int64(st, 1, id);
                        sqlite3_bind_int64(st, 2, contact_id);
                        sqlite3_bind_int64(st, 3, now);
                        r = store_step_done(s, st, "linking a follow-up to a contact");
                }
        }
        if (r < 0) {
                store_rollback(s);
                return r;
        }
        r = store_commit(s);
        if (r < 0)
                return r;
        *ret_id = id;
        return 0;
}

int store_followup_edit_with_contact(Store *s, int64_t id, const FollowupChanges *changes,
                                     int64_t contact_id, int64_t now) {
        int r;

        r = store_begin(s);
        if (r < 0)
                return r;
        r = store_followup_edit(s, id, changes, now);
        if (r >= 0 && contact_id >= 0) {
                sqlite3_stmt *st;
                r = store_prepare(s, sql_followup_set_contact, &st);
                if (r >= 0) {
                        sqlite3_bind_int64(st, 1, id);
                        sqlite3_bind_int64(st, 2, contact_id);
                        sqlite3_bind_int64(st, 3, now);
                        r = store_step_done(s, st, "linking a follow-up to a contact");
                }
        }
        if (r < 0) {
                store_rollback(s);
                return r;
        }
        return store_commit(s);
}

int store_followup_list_for_contact(Store *s, int64_t contact_id, int64_t from, int64_t to,
                                    FollowupState state, store_followup_cb cb, void *userdata) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_followup_list_contact, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, contact_id);
        sqlite3_bind_int64(st, 2, from);
        sqlite3_bind_int64(st, 3, to);
        sqlite3_bind_int(st, 4, state == FOLLOWUP_OPEN ? 0 : state == FOLLOWUP_DONE ? 1 : 2);
        return store_walk(s, st, cb, userdata, NULL);
}

/* The shown columns of a row, its strings pointing into SQLite's memory: a
 * 10,000-item listing spent a tenth of its time copying and freeing them. */
static void followup_borrow_shown(sqlite3_stmt *st, Followup *ret) {
        *ret = (Followup) {
                .id = sqlite3_column_int64(st, 0),
                .uid = (char *) sqlite3_column_text(st, 1),
                .text = (char *) sqlite3_column_text(st, 2),
                .kind = (char *) sqlite3_column_text(st, 3),
                .contact = (char *) sqlite3_column_text(st, 4),
                .due = sqlite3_column_int64(st, 5),
                .done_at = sqlite3_column_int64(st, 6),
                .every = sqlite3_column_int64(st, 7),
                .every_fixed = sqlite3_column_int(st, 8) != 0,
                .notified_at = sqlite3_column_int64(st, 9),
        };
}

int store_followup_list_borrowed(Store *s, int64_t contact_id, int64_t from, int64_t to,
                                 FollowupState state, store_followup_cb cb, void *userdata) {
        sqlite3_stmt *st;
        int rc, r;

        if (contact_id > 0) {
                r = store_prepare(s, sql_followup_shown_contact, &st);
                if (r < 0)
                        return r;
                sqlite3_bind_int64(st, 1, contact_id);
                sqlite3_bind_int64(st, 2, from);
                sqlite3_bind_int64(st, 3, to);
                sqlite3_bind_int(st, 4, state == FOLLOWUP_OPEN ? 0 : state == FOLLOWUP_DONE ? 1 : 2);
        } else {
                r = store_prepare(s, state == FOLLOWUP_OPEN ? sql_followup_shown_open :
                                     state == FOLLOWUP_DONE ? sql_followup_shown_done : sql_followup_shown_any,
                                  &st);
                if (r < 0)
                        return r;
                sqlite3_bind_int64(st, 1, from);
                sqlite3_bind_int64(st, 2, to);
        }

        r = 0;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                Followup f;
                followup_borrow_shown(st, &f);
                /* NOT NULL columns; NULL here means SQLite ran out of memory
                 * converting them. */
                if (!f.uid || !f.text || !f.kind) {
                        store_set_error(s, "out of memory reading a follow-up");
                        r = -ENOMEM;
                        break;
                }
                r = cb(&f, userdata);
                if (r < 0)
                        break;
        }
        if (r >= 0 && rc != SQLITE_DONE)
                r = store_error(s, rc, "listing follow-ups");
        sqlite3_reset(st);
        return r < 0 ? r : 0;
}

/* ---- statistics ---- */

int store_people_stats(Store *s, PeopleStats *pst) {
        int64_t from = pst->bounds[0], to = pst->bounds[pst->n_weeks];
        sqlite3_stmt *st;
        int rc, r;

        r = store_prepare(s, sql_stats_interactions, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, from);
        sqlite3_bind_int64(st, 2, to);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                people_stats_add_interaction(pst, sqlite3_column_int64(st, 0),
                                             sqlite3_column_int(st, 1) != 0,
                                             sqlite3_column_int64(st, 2),
                                             sqlite3_column_int(st, 3) != 0,
                                             sqlite3_column_int(st, 4) != 0,
                                             sqlite3_column_int(st, 5) != 0);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
                return store_error(s, rc, "counting interactions");

        r = store_prepare(s, sql_stats_contacts, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, from);
        sqlite3_bind_int64(st, 2, to);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                people_stats_add_contact(pst, sqlite3_column_int64(st, 0));
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
                return store_error(s, rc, "counting contacts");
        return 0;
}

int store_people_totals(Store *s, int64_t from, int64_t to, PeopleTotals *ret) {
        PeopleTotals t = {};
        sqlite3_stmt *st;
        int rc, r;

        r = store_prepare(s, sql_totals_contacts, &st);
        if (r < 0)
                return r;
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                t.contacts = (unsigned) sqlite3_column_int64(st, 0);
                t.weak_contacts = (unsigned) sqlite3_column_int64(st, 1);
                t.strong_contacts = (unsigned) sqlite3_column_int64(st, 2);
                t.archived = (unsigned) sqlite3_column_int64(st, 3);
        }
        sqlite3_reset(st);
        if (rc != SQLITE_ROW)
                return store_error(s, rc, "counting contacts");

        r = store_prepare(s, sql_totals_interactions, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, from);
        sqlite3_bind_int64(st, 2, to);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                t.interactions = (unsigned) sqlite3_column_int64(st, 0);
                t.weak = (unsigned) sqlite3_column_int64(st, 1);
                t.strong = (unsigned) sqlite3_column_int64(st, 2);
                t.gave = (unsigned) sqlite3_column_int64(st, 3);
                t.got = (unsigned) sqlite3_column_int64(st, 4);
                t.leads = (unsigned) sqlite3_column_int64(st, 5);
                t.leads_weak = (unsigned) sqlite3_column_int64(st, 6);
                t.leads_strong = (unsigned) sqlite3_column_int64(st, 7);
        }
        sqlite3_reset(st);
        if (rc != SQLITE_ROW)
                return store_error(s, rc, "counting interactions");
        *ret = t;
        return 0;
}

int store_people_progress(Store *s, int64_t from, int64_t to, PeopleProgress *ret) {
        sqlite3_stmt *st;
        int rc, r;

        r = store_prepare(s, sql_progress, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, from);
        sqlite3_bind_int64(st, 2, to);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                *ret = (PeopleProgress) {
                        .weak_reconnects = (unsigned) sqlite3_column_int64(st, 0),
                        .new_contacts = (unsigned) sqlite3_column_int64(st, 1),
                        .given = (unsigned) sqlite3_column_int64(st, 2),
                };
        sqlite3_reset(st);
        if (rc != SQLITE_ROW)
                return store_error(s, rc, "counting this week");
        return 0;
}

/* ---- Sync ---- */

static const char sql_followup_get_uid[] =
        "SELECT " FOLLOWUP_COLUMNS FOLLOWUP_FROM "WHERE f.uid = ?1";
static const char sql_followup_add_synced[] =
        "INSERT INTO followups (uid, kind, text, due, every, every_fixed, created, modified, contact_id) "
                "VALUES (?1, 'followup', ?2, ?3, NULLIF(?4, 0), ?5, ?6, ?6, "
                "(SELECT id FROM contacts WHERE handle = ?7))";
static const char sql_followup_put_synced[] =
        "UPDATE followups SET text = ?2, "
                "notify_state = CASE WHEN due = ?3 THEN notify_state ELSE 0 END, "
                "notified_at = CASE WHEN due = ?3 THEN notified_at ELSE NULL END, "
                "due = ?3, every = NULLIF(?4, 0), every_fixed = ?5, "
                "done_at = CASE WHEN ?6 = 0 THEN NULL ELSE ?6 END, "
                "sequence = ?7, modified = ?8, contact_id = (SELECT id FROM contacts WHERE handle = ?9) "
                "WHERE id = ?1";
/* In the order sync_record_from_row() reads them. */
#define SYNC_RECORD_COLUMNS "kind, uid, path, file_hash, db_hash, synced, written, file_stat, db_key"
static const char sql_sync_record_get[] =
        "SELECT " SYNC_RECORD_COLUMNS " FROM sync_records WHERE kind = ?1 AND uid = ?2";
static const char sql_sync_record_get_path[] =
        "SELECT " SYNC_RECORD_COLUMNS " FROM sync_records WHERE path = ?1";
/* The walks over records go a page at a time (STORE_SYNC_PAGE), by UID
 * after the last one (?2; UIDs are never empty): the callbacks may change
 * the table, and 100,000 records read whole first would be 40 MB. */
static const char sql_sync_record_each[] =
        "SELECT " SYNC_RECORD_COLUMNS " FROM sync_records WHERE kind = ?1 AND uid > ?2 ORDER BY uid LIMIT ?3";
static const char sql_sync_task_orphans[] =
        "SELECT " SYNC_RECORD_COLUMNS " FROM sync_records r WHERE kind = ?1 AND uid > ?2 "
        "AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.uid = r.uid) ORDER BY uid LIMIT ?3";
/* Every follow-up sync writes, with its task record (SYNC_RECORD_COLUMNS,
 * of r, after FOLLOWUP_COLUMNS_COUNT): the same paging. */
static const char sql_followup_synced_page[] =
        "SELECT " FOLLOWUP_COLUMNS ", r.kind, r.uid, r.path, r.file_hash, r.db_hash, r.synced, r.written, "
                "r.file_stat, r.db_key" FOLLOWUP_FROM
        "LEFT JOIN sync_records r ON r.kind = 'task' AND r.uid = f.uid "
        "WHERE f.kind = 'followup' AND f.uid > ?1 ORDER BY f.uid LIMIT ?2";
static const char sql_sync_record_put[] =
        "INSERT OR REPLACE INTO sync_records (kind, uid, path, file_hash, db_hash, synced, written, "
                "file_stat, db_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char sql_sync_record_set_file_stat[] =
        "UPDATE sync_records SET file_stat = ?2 WHERE path = ?1";
static const char sql_sync_record_set_db_key[] =
        "UPDATE sync_records SET db_key = ?2 WHERE path = ?1";
static const char sql_sync_record_delete[] =
        "DELETE FROM sync_records WHERE kind = ?1 AND uid = ?2";
static const char sql_sync_record_delete_path[] =
        "DELETE FROM sync_records WHERE path = ?1";
static const char sql_sync_conflict_add[] =
        "INSERT INTO sync_conflicts (kind, uid, at, what, lost) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_sync_conflict_each[] =
        "SELECT id, kind, uid, at, what, lost FROM sync_conflicts ORDER BY at DESC, id DESC LIMIT ?1";
static const char sql_sync_conflict_count[] =
        "SELECT count(*) FROM sync_conflicts";

int store_followup_get_by_uid(Store *s, const char *uid, Followup *ret) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_followup_get_uid, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT);

        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                r = followup_from_row(s, st, ret);
        else if (rc == SQLITE_DONE) {
                store_set_error(s, "no follow-up with UID %s", uid);
                r = -ENOENT;
        } else
                r = store_error(s, rc, "reading a follow-up");
        sqlite3_reset(st);
        return r;
}

int store_followup_put_synced(Store *s, const FollowupSynced *in, int64_t now, int64_t *ret_id,
                              int64_t *ret_next_id) {
        _cleanup_(followup_clear) Followup f = {};
        sqlite3_stmt *st;
        int64_t id, next_id = 0, due;
        int r;

        r = store_begin(s);
        if (r < 0)
                return r;

        r = store_followup_get_by_uid(s, in->uid, &f);
        if (r == -ENOENT) {
                r = store_prepare(s, sql_followup_add_synced, &st);
                if (r < 0)
                        goto fail;
                sqlite3_bind_text(st, 1, in->uid, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(st, 2, in->text, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(st, 3, in->has_due ? in->due : now);
                sqlite3_bind_int64(st, 4, in->every);
                sqlite3_bind_int(st, 5, in->every_fixed);
                sqlite3_bind_int64(st, 6, now);
                if (in->contact)
                        sqlite3_bind_text(st, 7, in->contact, -1, SQLITE_TRANSIENT);
                r = store_step_done(s, st, "adding a synced follow-up");
                if (r < 0)
                        goto fail;
                id = sqlite3_last_insert_rowid(s->db);
                due = in->has_due ? in->due : now;
        } else if (r < 0)
                goto fail;
        else {
                id = f.id;
                due = in->has_due ? in->due : f.due;
                /* Completed elsewhere: the successor of a recurring one
                 * comes from here unless the writer scheduled it. */
                if (f.done_at == 0 && in->done_at != 0 && in->successor && f.every > 0) {
                        r = store_followup_done(s, id, in->done_at, &next_id);
                        if (r < 0)
                                goto fail;
                }
        }

        r = store_prepare(s, sql_followup_put_synced, &st);
        if (r < 0)
                goto fail;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, in->text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, due);
        sqlite3_bind_int64(st, 4, in->every);
        sqlite3_bind_int(st, 5, in->every_fixed);
        sqlite3_bind_int64(st, 6, in->done_at);
        sqlite3_bind_int64(st, 7, in->sequence);
        sqlite3_bind_int64(st, 8, in->modified > 0 ? in->modified : now);
        if (in->contact)
                sqlite3_bind_text(st, 9, in->contact, -1, SQLITE_TRANSIENT);
        r = store_step_done(s, st, "updating a synced follow-up");
        if (r < 0)
                goto fail;

        r = store_commit(s);
        if (r < 0)
                return r;
        *ret_id = id;
        if (ret_next_id)
                *ret_next_id = next_id;
        return 0;

fail:
        store_rollback(s);
        return r;
}

void sync_record_clear(SyncRecord *r) {
        if (!r)
                return;
        free(r->kind);
        free(r->uid);
        free(r->path);
        free(r->file_hash);
        free(r->db_hash);
        free(r->file_stat);
        free(r->db_key);
        *r = (SyncRecord) {};
}

/* SYNC_RECORD_COLUMNS from column `first` on. */
static int sync_record_from_row(Store *s, sqlite3_stmt *st, int first, SyncRecord *ret) {
        SyncRecord rec = {
                .kind = column_strdup(st, first),
                .uid = column_strdup(st, first + 1),
                .path = column_strdup(st, first + 2),
                .file_hash = column_strdup(st, first + 3),
                .db_hash = column_strdup(st, first + 4),
                .synced = sqlite3_column_int64(st, first + 5),
                .written = sqlite3_column_int(st, first + 6) != 0,
                .file_stat = column_strdup(st, first + 7),
                .db_key = column_strdup(st, first + 8),
        };
        if (!rec.kind || !rec.uid || !rec.path || !rec.file_hash || !rec.db_hash || !rec.file_stat ||
            !rec.db_key) {
                sync_record_clear(&rec);
                store_set_error(s, "out of memory reading a sync record");
                return -ENOMEM;
        }
        *ret = rec;
        return 0;
}

static int sync_record_one(Store *s, sqlite3_stmt *st, SyncRecord *ret) {
        int rc = sqlite3_step(st), r;
        if (rc == SQLITE_ROW)
                r = sync_record_from_row(s, st, 0, ret);
        else if (rc == SQLITE_DONE) {
                store_set_error(s, "no sync record");
                r = -ENOENT;
        } else
                r = store_error(s, rc, "reading a sync record");
        sqlite3_reset(st);
        return r;
}

int store_sync_record_get(Store *s, const char *kind, const char *uid, SyncRecord *ret) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_sync_record_get, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, uid, -1, SQLITE_TRANSIENT);
        return sync_record_one(s, st, ret);
}

int store_sync_record_get_path(Store *s, const char *path, SyncRecord *ret) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_sync_record_get_path, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
        return sync_record_one(s, st, ret);
}

int store_sync_record_put(Store *s, const SyncRecord *rec) {
        sqlite3_stmt *st;
        int r;

        r = store_begin(s);
        if (r < 0)
                return r;
        /* One file holds one item: a path now holding another UID (a file
         * renamed over another) takes over the record. */
        r = store_prepare(s, sql_sync_record_delete_path, &st);
        if (r < 0)
                goto fail;
        sqlite3_bind_text(st, 1, rec->path, -1, SQLITE_TRANSIENT);
        r = store_step_done(s, st, "replacing a sync record");
        if (r < 0)
                goto fail;
        r = store_prepare(s, sql_sync_record_put, &st);
        if (r < 0)
                goto fail;
        sqlite3_bind_text(st, 1, rec->kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, rec->uid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, rec->path, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, rec->file_hash, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, rec->db_hash, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 6, rec->synced);
        sqlite3_bind_int(st, 7, rec->written);
        sqlite3_bind_text(st, 8, rec->file_stat ? rec->file_stat : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 9, rec->db_key ? rec->db_key : "", -1, SQLITE_TRANSIENT);
        r = store_step_done(s, st, "saving a sync record");
        if (r < 0)
                goto fail;
        return store_commit(s);
fail:
        store_rollback(s);
        return r;
}

static int sync_record_set(Store *s, const char *sql, const char *path, const char *value) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
        r = store_step_done(s, st, "noting a sync shortcut");
        if (r < 0)
                return r;
        if (sqlite3_changes(s->db) == 0) {
                store_set_error(s, "no sync record for %s", path);
                return -ENOENT;
        }
        return 0;
}

int store_sync_record_set_file_stat(Store *s, const char *path, const char *file_stat) {
        return sync_record_set(s, sql_sync_record_set_file_stat, path, file_stat);
}

int store_sync_record_set_db_key(Store *s, const char *path, const char *db_key) {
        return sync_record_set(s, sql_sync_record_set_db_key, path, db_key);
}

int store_sync_record_delete(Store *s, const char *kind, const char *uid) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_sync_record_delete, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, uid, -1, SQLITE_TRANSIENT);
        return store_step_done(s, st, "deleting a sync record");
}

/* A walk's cursor moves to the last UID of the page just read. */
static int cursor_move(char **after, const char *uid) {
        char *copy = strdup(uid);
        if (!copy)
                return -ENOMEM;
        free(*after);
        *after = copy;
        return 0;
}

/* One page of what sql (kind ?1, UID after ?2, at most ?3) selects,
 * each handed to cb; see store_sync_record_page(). */
static int sync_records_page(Store *s, const char *sql, const char *kind, char **after, store_sync_record_cb cb,
                             void *userdata) {
        SyncRecord page[STORE_SYNC_PAGE];
        sqlite3_stmt *st;
        size_t n = 0;
        int rc = SQLITE_DONE;
        int r = store_prepare(s, sql, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, *after, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 3, STORE_SYNC_PAGE);
        while (n < STORE_SYNC_PAGE && (rc = sqlite3_step(st)) == SQLITE_ROW) {
                r = sync_record_from_row(s, st, 0, &page[n]);
                if (r < 0)
                        break;
                n++;
        }
        if (r >= 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
                r = store_error(s, rc, "listing sync records");
        sqlite3_reset(st);
        if (r >= 0 && n > 0)
                r = cursor_move(after, page[n - 1].uid);
        /* Read whole before any cb: cb may change the table. */
        for (size_t i = 0; i < n; i++) {
                if (r >= 0)
                        r = cb(&page[i], userdata);
                sync_record_clear(&page[i]);
        }
        return r < 0 ? r : (int) n;
}

int store_sync_record_page(Store *s, const char *kind, char **after, store_sync_record_cb cb, void *userdata) {
        return sync_records_page(s, sql_sync_record_each, kind, after, cb, userdata);
}

int store_sync_task_orphans_page(Store *s, char **after, store_sync_record_cb cb, void *userdata) {
        return sync_records_page(s, sql_sync_task_orphans, "task", after, cb, userdata);
}

typedef struct FollowupSyncedRow {
        Followup followup;
        SyncRecord record;      /* all NULL when it has none */
        bool has_record;
} FollowupSyncedRow;

int store_followup_synced_page(Store *s, char **after, store_followup_synced_cb cb, void *userdata) {
        FollowupSyncedRow page[STORE_SYNC_PAGE];
        sqlite3_stmt *st;
        size_t n = 0;
        int rc = SQLITE_DONE;
        int r = store_prepare(s, sql_followup_synced_page, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, *after, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 2, STORE_SYNC_PAGE);
        while (n < STORE_SYNC_PAGE && (rc = sqlite3_step(st)) == SQLITE_ROW) {
                FollowupSyncedRow *row = &page[n];
                *row = (FollowupSyncedRow) {
                        .has_record = sqlite3_column_type(st, FOLLOWUP_COLUMNS_COUNT) != SQLITE_NULL,
                };
                r = followup_from_row(s, st, &row->followup);
                if (r >= 0 && row->has_record) {
                        r = sync_record_from_row(s, st, FOLLOWUP_COLUMNS_COUNT, &row->record);
                        if (r < 0)
                                followup_clear(&row->followup);
                }
                if (r < 0)
                        break;
                n++;
        }
        if (r >= 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
                r = store_error(s, rc, "listing follow-ups to sync");
        sqlite3_reset(st);
        if (r >= 0 && n > 0)
                r = cursor_move(after, page[n - 1].followup.uid);
        for (size_t i = 0; i < n; i++) {
                if (r >= 0)
                        r = cb(&page[i].followup, page[i].has_record ? &page[i].record : NULL, userdata);
                followup_clear(&page[i].followup);
                sync_record_clear(&page[i].record);
        }
        return r < 0 ? r : (int) n;
}

/* Every record sql selects, page by page. */
static int sync_records_each(Store *s, const char *sql, const char *kind, store_sync_record_cb cb,
                             void *userdata) {
        _cleanup_free_ char *after = strdup("");
        int n = after ? STORE_SYNC_PAGE : -ENOMEM;
        while (n == STORE_SYNC_PAGE)
                n = sync_records_page(s, sql, kind, &after, cb, userdata);
        return n < 0 ? n : 0;
}

int store_sync_record_each(Store *s, const char *kind, store_sync_record_cb cb, void *userdata) {
        return sync_records_each(s, sql_sync_record_each, kind, cb, userdata);
}

int store_sync_task_orphans(Store *s, store_sync_record_cb cb, void *userdata) {
        return sync_records_each(s, sql_sync_task_orphans, "task", cb, userdata);
}

int store_sync_conflict_add(Store *s, const char *kind, const char *uid, int64_t at, const char *what,
                            const char *lost) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_sync_conflict_add, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, uid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, at);
        sqlite3_bind_text(st, 4, what, -1, SQLITE_TRANSIENT);
        if (lost)
                sqlite3_bind_text(st, 5, lost, -1, SQLITE_TRANSIENT);
        return store_step_done(s, st, "recording a sync conflict");
}

int store_sync_conflict_each(Store *s, unsigned limit, store_sync_conflict_cb cb, void *userdata) {
        sqlite3_stmt *st;
        int rc, r = store_prepare(s, sql_sync_conflict_each, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, limit > 0 ? (int64_t) limit : -1);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                SyncConflict c = {
                        .id = sqlite3_column_int64(st, 0),
                        .kind = column_strdup(st, 1),
                        .uid = column_strdup(st, 2),
                        .at = sqlite3_column_int64(st, 3),
                        .what = column_strdup(st, 4),
                        .lost = column_strdup(st, 5),
                };
                if (!c.kind || !c.uid || !c.what)
                        r = -ENOMEM;
                else
                        r = cb(&c, userdata);
                free(c.kind);
                free(c.uid);
                free(c.what);
                free(c.lost);
                if (r < 0)
                        break;
        }
        if (r >= 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
                r = store_error(s, rc, "listing sync conflicts");
        sqlite3_reset(st);
        return r < 0 ? r : 0;
}

int store_sync_conflict_count(Store *s, int64_t *ret) {
        sqlite3_stmt *st;
        int rc, r = store_prepare(s, sql_sync_conflict_count, &st);
        if (r < 0)
                return r;
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                *ret = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if (rc != SQLITE_ROW)
                return store_error(s, rc, "counting sync conflicts");
        return 0;
}

static const char sql_contact_id_by_uid[] =
        "SELECT id FROM contacts WHERE uid = ?1";
static const char sql_contact_set_uid[] =
        "UPDATE contacts SET uid = ?2 WHERE id = ?1";

int store_contact_get_by_uid(Store *s, const char *uid, int64_t *ret_id) {
        sqlite3_stmt *st;
        int rc, r = store_prepare(s, sql_contact_id_by_uid, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                *ret_id = sqlite3_column_int64(st, 0);
                r = 0;
        } else if (rc == SQLITE_DONE) {
                store_set_error(s, "no contact with UID %s", uid);
                r = -ENOENT;
        } else
                r = store_error(s, rc, "finding a contact");
        sqlite3_reset(st);
        return r;
}

int store_contact_set_uid(Store *s, int64_t id, const char *uid) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_contact_set_uid, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, uid, -1, SQLITE_TRANSIENT);
        r = store_step_done(s, st, "setting a contact's UID");
        if (r < 0)
                return r;
        if (sqlite3_changes(s->db) == 0) {
                store_set_error(s, "no contact with id %" PRId64, id);
                return -ENOENT;
        }
        return 0;
}

int store_contact_set_modified(Store *s, int64_t id, int64_t modified) {
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_contact_touch, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, modified);
        return store_step_done(s, st, "setting when a contact changed");
}
