/* SPDX-License-Identifier: MIT */
/* The store on a temporary database: follow-ups, recurrence, reminder
 * delivery states, and refusing databases it must not touch. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "store.h"
#include "tap.h"

static char tmpdir[] = "/tmp/netctl-test-store-XXXXXX";

static char *path_in_tmp(const char *name) {
        static char buf[512];
        snprintf(buf, sizeof buf, "%s/%s", tmpdir, name);
        return buf;
}

static int count_cb(const Followup *f, void *userdata) {
        (*(int *) userdata)++;
        return 0;
}

static int collect_ids_cb(const Followup *f, void *userdata) {
        int64_t *ids = userdata;
        for (int i = 0; i < 16; i++)
                if (ids[i] == 0) {
                        ids[i] = f->id;
                        break;
                }
        return 0;
}

static void test_open_and_permissions(void) {
        Store *s = NULL;
        char err[512];
        struct stat st;

        mode_t old = umask(0);  /* the worst umask: files must still be private */
        int r = store_open(path_in_tmp("a/b/netctl.db"), err, sizeof err, &s);
        umask(old);
        CHECK_INT(r, 0, "opens a new database in a new directory");
        CHECK(stat(path_in_tmp("a/b/netctl.db"), &st) == 0 && (st.st_mode & 0777) == 0600,
              "database file is 0600 whatever the umask");
        CHECK(stat(path_in_tmp("a/b"), &st) == 0 && (st.st_mode & 0777) == 0700,
              "database directory is 0700 whatever the umask");
        s = store_free(s);

        /* Reopening migrates nothing and loses nothing. */
        r = store_open(path_in_tmp("a/b/netctl.db"), err, sizeof err, &s);
        CHECK_INT(r, 0, "reopens an existing database");
        s = store_free(s);
}

static void test_followups(void) {
        Store *s = NULL;
        char err[512];
        int64_t id1, id2, id3, next_id = -1;
        Followup f = {};
        int r, n;

        r = store_open(path_in_tmp("f.db"), err, sizeof err, &s);
        CHECK_INT(r, 0, "opens");

        CHECK_INT(store_followup_add(s, "Thank Ana", 2000, 0, false, 1000, &id1), 0, "adds one");
        CHECK_INT(store_followup_add(s, "Call Bo", 1500, 7 * 86400, false, 1000, &id2), 0, "adds a recurring one");
        CHECK_INT(store_followup_add(s, "Weekly review", 3000, 86400, true, 1000, &id3), 0, "adds a fixed one");
        CHECK(id1 != id2 && id2 != id3, "ids are distinct");

        CHECK_INT(store_followup_get(s, id1, &f), 0, "gets it back");
        CHECK_STR(f.text, "Thank Ana", "text survives");
        CHECK_INT(f.due, 2000, "due survives");
        CHECK_STR(f.kind, "followup", "kind is followup");
        CHECK(f.uid && strlen(f.uid) > 10, "has a UID");
        followup_clear(&f);

        CHECK_INT(store_followup_get(s, 9999, &f), -ENOENT, "unknown id is -ENOENT");

        CHECK_INT(store_next_pending(s, &f), 0, "finds the next pending");
        CHECK_INT(f.id, id2, "the earliest due is next");
        followup_clear(&f);

        /* Done on a keep-in-touch recurrence counts from completion. */
        CHECK_INT(store_followup_done(s, id2, 5000, &next_id), 0, "marks the recurring one done");
        CHECK(next_id > 0, "a successor is scheduled");
        CHECK_INT(store_followup_get(s, next_id, &f), 0, "successor exists");
        CHECK_INT(f.due, 5000 + 7 * 86400, "successor is due a cadence after completion");
        CHECK_STR(f.text, "Call Bo", "successor keeps the text");
        followup_clear(&f);
        CHECK_INT(store_followup_done(s, id2, 5001, NULL), -EALREADY, "done twice is refused");

        /* A fixed schedule keeps its rhythm even when completed late. */
        CHECK_INT(store_followup_done(s, id3, 3000 + 86400 * 2 + 5, &next_id), 0, "fixed one done late");
        CHECK_INT(store_followup_get(s, next_id, &f), 0, "fixed successor exists");
        CHECK_INT(f.due, 3000 + 86400 * 3, "fixed successor lands on the next slot after now");
        followup_clear(&f);
        int64_t fixed_next = next_id;

        CHECK_INT(store_followup_done(s, id1, 6000, &next_id), 0, "one-off done");
        CHECK_INT(next_id, 0, "a one-off has no successor");

        n = 0;
        CHECK_INT(store_followup_list(s, INT64_MIN, INT64_MAX, FOLLOWUP_OPEN, count_cb, &n), 0, "lists open");
        CHECK_INT(n, 2, "two open (the two successors)");
        n = 0;
        CHECK_INT(store_followup_list(s, INT64_MIN, INT64_MAX, FOLLOWUP_DONE, count_cb, &n), 0, "lists done");
        CHECK_INT(n, 3, "three done");
        n = 0;
        CHECK_INT(store_followup_list(s, 0, 4000, FOLLOWUP_ANY, count_cb, &n), 0, "lists a range");
        CHECK_INT(n, 3, "three due before 4000");

        FollowupChanges c = FOLLOWUP_CHANGES_NONE;
        c.text = "Call Bo about the role";
        c.due = 4242;
        CHECK_INT(store_followup_edit(s, fixed_next, &c, 7000), 0, "edits text and due");
        CHECK_INT(store_followup_get(s, fixed_next, &f), 0, "reads the edit");
        CHECK_STR(f.text, "Call Bo about the role", "text edited");
        CHECK_INT(f.due, 4242, "due edited");
        CHECK_INT(f.every, 86400, "recurrence untouched by the edit");
        followup_clear(&f);
        CHECK_INT(store_followup_edit(s, 9999, &c, 7000), -ENOENT, "editing an unknown id is -ENOENT");

        CHECK_INT(store_followup_snooze(s, 9999, 1, 1), -ENOENT, "snoozing an unknown id is -ENOENT");
        CHECK_INT(store_followup_remove(s, fixed_next), 0, "removes");
        CHECK_INT(store_followup_remove(s, fixed_next), -ENOENT, "removing twice is -ENOENT");

        s = store_free(s);
}

static void test_delivery_states(void) {
        Store *s = NULL;
        char err[512];
        int64_t a, b, c, ids[16] = {};
        Followup f = {};

        CHECK_INT(store_open(path_in_tmp("d.db"), err, sizeof err, &s), 0, "opens");
        store_followup_add(s, "past 1", 100, 0, false, 50, &a);
        store_followup_add(s, "past 2", 200, 0, false, 50, &b);
        store_followup_add(s, "future", 10000, 0, false, 50, &c);

        /* Catch-up after downtime: everything due by now, once. */
        CHECK_INT(store_claim_due(s, 500, 64, collect_ids_cb, ids), 2, "claims the two past-due reminders");
        CHECK(ids[0] == a && ids[1] == b, "in due order");
        CHECK_INT(store_claim_due(s, 500, 64, NULL, NULL), 0, "claiming again finds nothing: no duplicate");

        CHECK_INT(store_next_pending(s, &f), 0, "next pending skips claimed ones");
        CHECK_INT(f.id, c, "the future one is next");
        followup_clear(&f);

        CHECK_INT(store_reminder_shown(s, a, 501), 0, "records a as shown");
        CHECK_INT(store_reminder_unclaim(s, b), 0, "b failed: back to pending");
        CHECK_INT(store_next_pending(s, &f), 0, "b is pending again");
        CHECK_INT(f.id, b, "b comes before the future one");
        followup_clear(&f);

        /* A daemon that died mid-delivery: sending -> pending at start. */
        CHECK_INT(store_claim_due(s, 500, 64, NULL, NULL), 1, "claims b again");
        CHECK_INT(store_reminders_reset_sending(s), 0, "resets in-flight reminders");
        memset(ids, 0, sizeof ids);
        CHECK_INT(store_claim_due(s, 500, 64, collect_ids_cb, ids), 1, "b is delivered once more");
        CHECK_INT(ids[0], b, "and it is b, not the one already shown");

        /* Snoozing a shown reminder makes it pending for its new time. */
        CHECK_INT(store_followup_snooze(s, a, 700, 600), 0, "snoozes a");
        CHECK_INT(store_claim_due(s, 699, 64, NULL, NULL), 0, "not early");
        CHECK_INT(store_claim_due(s, 700, 64, NULL, NULL), 1, "due at its new time");

        StoreCounts counts;
        CHECK_INT(store_counts(s, 800, &counts), 0, "counts");
        CHECK_INT(counts.open, 3, "three open");
        CHECK_INT(counts.overdue, 2, "two overdue at 800");
        s = store_free(s);
}

static void test_refuses_foreign_files(void) {
        Store *s = NULL;
        char err[512];
        const char *junk = "this is not a database, it is a shopping list\n";
        char buf[256] = {};

        /* Not SQLite at all. */
        int fd = open(path_in_tmp("junk.db"), O_CREAT | O_WRONLY | O_TRUNC, 0600);
        CHECK(fd >= 0 && write(fd, junk, strlen(junk)) == (ssize_t) strlen(junk), "writes a junk file");
        close(fd);
        int r = store_open(path_in_tmp("junk.db"), err, sizeof err, &s);
        CHECK_INT(r, -EBADMSG, "a non-SQLite file is refused");
        CHECK(strstr(err, "not a netctl database") != NULL, "with a sentence that says so");
        fd = open(path_in_tmp("junk.db"), O_RDONLY);
        CHECK(fd >= 0 && read(fd, buf, sizeof buf - 1) == (ssize_t) strlen(junk) && strcmp(buf, junk) == 0,
              "the file is left untouched");
        close(fd);

        /* A newer schema than this build knows. */
        sqlite3 *db;
        sqlite3_open(path_in_tmp("newer.db"), &db);
        sqlite3_exec(db, "CREATE TABLE future(x); PRAGMA user_version = 999;", NULL, NULL, NULL);
        sqlite3_close(db);
        r = store_open(path_in_tmp("newer.db"), err, sizeof err, &s);
        CHECK_INT(r, -EPROTONOSUPPORT, "a database from a newer netctl is refused");
        CHECK(strstr(err, "newer netctl") != NULL, "with a sentence that says so");
        sqlite3_open(path_in_tmp("newer.db"), &db);
        sqlite3_stmt *st;
        sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
        sqlite3_step(st);
        CHECK_INT(sqlite3_column_int(st, 0), 999, "its version is untouched");
        sqlite3_finalize(st);
        sqlite3_close(db);
}

/* Turns a new database's meeting tables back into what schema 10 had, so
 * that a test can set an older version and see every later migration run
 * on the shapes it was written for. */
static const char meeting_tables_of_schema_10[] =
        "DROP TABLE reminders_removed; DROP INDEX followups_occurrence;"
        "ALTER TABLE followups DROP COLUMN occurrence_id; ALTER TABLE followups DROP COLUMN planned_due;"
        "DROP INDEX followups_closed;"
        "ALTER TABLE meetings DROP COLUMN people;"
        "CREATE TABLE meeting_people ("
        "  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
        "  email TEXT NOT NULL COLLATE NOCASE, name TEXT, organizer INTEGER NOT NULL DEFAULT 0,"
        "  PRIMARY KEY (meeting_id, email));"
        "CREATE INDEX meeting_people_email ON meeting_people(email);"
        "CREATE TABLE occurrence_reminders ("
        "  occurrence_id INTEGER NOT NULL REFERENCES occurrences(id) ON DELETE CASCADE,"
        "  kind TEXT NOT NULL CHECK (kind IN ('prep', 'thanks')),"
        "  followup_id INTEGER UNIQUE REFERENCES followups(id) ON DELETE SET NULL,"
        "  planned_due INTEGER, PRIMARY KEY (occurrence_id, kind));"
        "CREATE INDEX followups_due ON followups(due);";

/* A database of schema 6 (before meeting reminders kept their planned
 * time, and sync records the start-up scan's shortcuts) is migrated: each
 * link takes its reminder's due time, each record is kept with no
 * shortcut known. */
static void test_migration_planned_due(void) {
        Store *s = NULL;
        char err[512];
        sqlite3 *db;
        sqlite3_stmt *st;

        CHECK_INT(store_open(path_in_tmp("v6.db"), err, sizeof err, &s), 0, "creates a database");
        s = store_free(s);
        sqlite3_open(path_in_tmp("v6.db"), &db);
        int rc = sqlite3_exec(db, meeting_tables_of_schema_10, NULL, NULL, NULL);
        CHECK_INT(rc, SQLITE_OK, "made its meeting tables those of schema 10");
        rc = sqlite3_exec(db,
                "ALTER TABLE occurrence_reminders DROP COLUMN planned_due;"
                "ALTER TABLE sync_records DROP COLUMN file_stat;"
                "ALTER TABLE sync_records DROP COLUMN db_key;"
                "INSERT INTO sync_records (kind, uid, path, file_hash, db_hash, synced, written) "
                "  VALUES ('task', 'r9', '/v/r9.ics', 'fh', 'dh', 1000, 1);"
                "INSERT INTO occurrences (id, uid, recurrence_id, start, finish, summary) "
                "  VALUES (1, 'm@example.com', 0, 5000, 8600, 'Coffee');"
                "INSERT INTO followups (id, uid, kind, text, due, created, modified) "
                "  VALUES (7, 'r7', 'prep', 'Prepare for \"Coffee\"', 3200, 1000, 1000);"
                "INSERT INTO occurrence_reminders (occurrence_id, kind, followup_id) VALUES (1, 'prep', 7);"
                "PRAGMA user_version = 6;", NULL, NULL, NULL);
        CHECK_INT(rc, SQLITE_OK, "made it a schema-6 database with one meeting reminder");
        if (rc != SQLITE_OK)
                printf("# %s\n", sqlite3_errmsg(db));
        sqlite3_close(db);

        CHECK_INT(store_open(path_in_tmp("v6.db"), err, sizeof err, &s), 0, "opens and migrates it");
        s = store_free(s);
        sqlite3_open(path_in_tmp("v6.db"), &db);
        sqlite3_prepare_v2(db, "SELECT planned_due FROM followups WHERE id = 7 AND occurrence_id = 1", -1, &st,
                           NULL);
        CHECK(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) == 3200,
              "the link's planned time is the reminder's due time");
        sqlite3_finalize(st);
        sqlite3_prepare_v2(db, "SELECT file_hash || db_hash || file_stat || db_key FROM sync_records "
                           "WHERE uid = 'r9'", -1, &st, NULL);
        CHECK(sqlite3_step(st) == SQLITE_ROW && strcmp((const char *) sqlite3_column_text(st, 0), "fhdh") == 0,
              "the sync record kept, its shortcuts empty");
        sqlite3_finalize(st);
        sqlite3_close(db);
}

/* sql's bytecode uses a temporary b-tree (an IN list, a DISTINCT). */
static bool uses_temporary_btree(sqlite3 *db, const char *sql) {
        _cleanup_free_ char *explain = NULL;
        sqlite3_stmt *st;
        bool found = false;

        if (asprintf(&explain, "EXPLAIN %s", sql) < 0 ||
            sqlite3_prepare_v2(db, explain, -1, &st, NULL) != SQLITE_OK)
                return true;
        while (sqlite3_step(st) == SQLITE_ROW)
                found = found || strcmp((const char *) sqlite3_column_text(st, 1), "OpenEphemeral") == 0;
        sqlite3_finalize(st);
        return found;
}

static int64_t query_int(sqlite3 *db, const char *sql) {
        sqlite3_stmt *st;
        int64_t v = -1;

        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
                return -2;
        if (sqlite3_step(st) == SQLITE_ROW)
                v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return v;
}

/* A database of schema 8, whose follow-ups' CHECKs were IN lists, is
 * migrated: the table is copied with its ids, so the meeting reminders'
 * links and the contacts' follow-ups still hold; the constraints still
 * refuse what they refused; writing a follow-up no longer builds a
 * temporary b-tree. */
static void test_migration_followups_checks(void) {
        static const char insert[] =
                "INSERT INTO followups (uid, kind, text, due, created, modified) "
                "VALUES ('x', 'prep', 't', 1, 1, 1)";
        Store *s = NULL;
        char err[512];
        sqlite3 *db;

        CHECK_INT(store_open(path_in_tmp("v8.db"), err, sizeof err, &s), 0, "creates a database");
        s = store_free(s);
        sqlite3_open(path_in_tmp("v8.db"), &db);
        int rc = sqlite3_exec(db, meeting_tables_of_schema_10, NULL, NULL, NULL);
        CHECK_INT(rc, SQLITE_OK, "made its meeting tables those of schema 10");
        /* The follow-ups as schema 8 defined them. */
        rc = sqlite3_exec(db,
                "DROP TABLE followups;"
                "CREATE TABLE followups ("
                "  id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE,"
                "  kind TEXT NOT NULL DEFAULT 'followup'"
                "    CHECK (kind IN ('followup', 'prep', 'thanks', 'reconnect')),"
                "  text TEXT NOT NULL, contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,"
                "  due INTEGER NOT NULL, done_at INTEGER, every INTEGER CHECK (every IS NULL OR every > 0),"
                "  every_fixed INTEGER NOT NULL DEFAULT 0,"
                "  notify_state INTEGER NOT NULL DEFAULT 0 CHECK (notify_state IN (0, 1, 2)),"
                "  notified_at INTEGER, sequence INTEGER NOT NULL DEFAULT 0,"
                "  created INTEGER NOT NULL, modified INTEGER NOT NULL);"
                "CREATE INDEX followups_due ON followups(due);"
                "INSERT INTO contacts (id, uid, handle, name, created, modified) "
                "  VALUES (3, 'c3', 'ana', 'Ana', 1000, 1000);"
                "INSERT INTO occurrences (id, uid, recurrence_id, start, finish, summary) "
                "  VALUES (1, 'm@example.com', 0, 5000, 8600, 'Coffee');"
                "INSERT INTO followups (id, uid, kind, text, due, created, modified) "
                "  VALUES (7, 'r7', 'prep', 'Prepare for \"Coffee\"', 3200, 1000, 1000);"
                "INSERT INTO followups (id, uid, kind, text, contact_id, due, done_at, notify_state, "
                "  created, modified) VALUES (9, 'r9', 'reconnect', 'Reconnect with Ana', 3, 4000, 4100, 2, "
                "  1000, 4100);"
                "INSERT INTO occurrence_reminders (occurrence_id, kind, followup_id, planned_due) "
                "  VALUES (1, 'prep', 7, 3200);"
                "PRAGMA user_version = 8;", NULL, NULL, NULL);
        CHECK_INT(rc, SQLITE_OK, "made it a schema-8 database with a meeting reminder and a contact's follow-up");
        if (rc != SQLITE_OK)
                printf("# %s\n", sqlite3_errmsg(db));
        CHECK(uses_temporary_btree(db, insert), "schema 8: writing a follow-up builds a temporary b-tree");
        sqlite3_close(db);

        CHECK_INT(store_open(path_in_tmp("v8.db"), err, sizeof err, &s), 0, "opens and migrates it");
        s = store_free(s);
        sqlite3_open(path_in_tmp("v8.db"), &db);
        CHECK_INT(query_int(db, "PRAGMA user_version"), store_schema_version(), "schema version after the migrations");
        CHECK_INT(query_int(db, "SELECT id FROM followups WHERE occurrence_id = 1"), 7,
                  "the meeting reminder is still linked to its occurrence");
        CHECK_INT(query_int(db, "SELECT count(*) FROM followups"), 2, "both follow-ups kept");
        CHECK_INT(query_int(db, "SELECT contact_id * 10000 + done_at FROM followups WHERE id = 9"), 34100,
                  "the contact's follow-up kept its contact and its completion");
        CHECK_INT(query_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND "
                                "tbl_name = 'followups' AND name LIKE 'followups_%'"), 7,
                  "the six indexes are back, with the reminders' link to their occurrences");
        CHECK_INT(query_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0, "no broken foreign key");
        CHECK(!uses_temporary_btree(db, insert), "writing a follow-up builds no temporary b-tree");
        CHECK_INT(sqlite3_exec(db, "INSERT INTO followups (uid, kind, text, due, created, modified) "
                                   "VALUES ('bad', 'meeting', 't', 1, 1, 1)", NULL, NULL, NULL),
                  SQLITE_CONSTRAINT, "an unknown kind is still refused");
        CHECK_INT(sqlite3_exec(db, "UPDATE followups SET notify_state = 3 WHERE id = 7", NULL, NULL, NULL),
                  SQLITE_CONSTRAINT, "an unknown delivery state is still refused");
        sqlite3_close(db);

        CHECK_INT(store_open(path_in_tmp("v8.db"), err, sizeof err, &s), 0, "opens it again");
        CHECK_INT(store_followup_remove(s, 7), 0, "removing the meeting reminder");
        s = store_free(s);
        sqlite3_open(path_in_tmp("v8.db"), &db);
        CHECK_INT(query_int(db, "SELECT count(*) FROM reminders_removed WHERE occurrence_id = 1 AND "
                                "kind = 'prep'"), 1,
                  "its slot is remembered as removed, as its cleared link was before");
        sqlite3_close(db);
}

/* The plan SQLite makes for sql names `index`. */
static bool plan_uses(sqlite3 *db, const char *sql, const char *index) {
        _cleanup_free_ char *explain = NULL;
        sqlite3_stmt *st;
        bool found = false;

        if (asprintf(&explain, "EXPLAIN QUERY PLAN %s", sql) < 0 ||
            sqlite3_prepare_v2(db, explain, -1, &st, NULL) != SQLITE_OK)
                return false;
        while (sqlite3_step(st) == SQLITE_ROW) {
                const char *detail = (const char *) sqlite3_column_text(st, 3);
                found = found || (detail && strstr(detail, index));
        }
        sqlite3_finalize(st);
        return found;
}

/* Schema 10: the index by contact leaves out follow-ups without one (a
 * meeting's reminders) and still serves every look-up by contact. */
static void test_contact_index(void) {
        Store *s = NULL;
        char err[512];
        sqlite3 *db;

        CHECK_INT(store_open(path_in_tmp("contact-index.db"), err, sizeof err, &s), 0, "creates a database");
        s = store_free(s);
        sqlite3_open(path_in_tmp("contact-index.db"), &db);
        CHECK_INT(sqlite3_exec(db,
                "INSERT INTO contacts (id, uid, handle, name, created, modified) VALUES (3, 'c3', 'ana', 'Ana', 1, 1);"
                "INSERT INTO followups (uid, kind, text, due, created, modified) VALUES ('p', 'prep', 't', 1, 1, 1);"
                "INSERT INTO followups (uid, kind, text, contact_id, due, created, modified) "
                "  VALUES ('r', 'reconnect', 't', 3, 1, 1, 1);", NULL, NULL, NULL), SQLITE_OK,
                  "a meeting reminder and a contact's follow-up");
        CHECK(query_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'followups_contact' AND "
                            "sql LIKE '%WHERE contact_id IS NOT NULL%'") == 1,
              "the index by contact holds only follow-ups with one");
        CHECK(plan_uses(db, "SELECT id FROM followups WHERE contact_id = 3 AND kind = 'reconnect'", "followups_contact"),
              "a contact's reconnect reminder is found through it");
        CHECK(plan_uses(db, "SELECT count(*) FROM followups WHERE contact_id = ?1 AND due >= ?2", "followups_contact"),
              "so are a contact's follow-ups");
        sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
        CHECK_INT(sqlite3_exec(db, "DELETE FROM contacts WHERE id = 3", NULL, NULL, NULL), SQLITE_OK,
                  "removing the contact");
        CHECK_INT(query_int(db, "SELECT count(*) FROM followups WHERE contact_id IS NULL"), 2,
                  "its follow-up stays, without the contact (ON DELETE SET NULL)");
        sqlite3_close(db);
}

/* Follow-ups open and done, listed together: one order by due time (and
 * id for the same time) across both, whether the rows are copied or
 * borrowed. */
static void test_listing_open_and_done(void) {
        Store *s = NULL;
        char err[512];
        int64_t id[5];

        CHECK_INT(store_open(path_in_tmp("any.db"), err, sizeof err, &s), 0, "creates a database");
        /* Due at 400, 100, 200, 300, 200; the second and fourth done. */
        static const int64_t due[5] = { 400, 100, 200, 300, 200 };
        for (int i = 0; i < 5; i++)
                CHECK_INT(store_followup_add(s, "Reach out", due[i], 0, false, 10, &id[i]), 0, "adds one");
        CHECK_INT(store_followup_done(s, id[1], 50, NULL), 0, "marks the one due at 100 done");
        CHECK_INT(store_followup_done(s, id[3], 50, NULL), 0, "marks the one due at 300 done");

        int64_t want[16] = { id[1], id[2], id[4], id[3], id[0] };
        int64_t got[16] = {};
        CHECK_INT(store_followup_list(s, INT64_MIN, INT64_MAX, FOLLOWUP_ANY, collect_ids_cb, got), 0,
                  "lists open and done");
        CHECK(memcmp(got, want, sizeof want) == 0, "open and done together, by due time, then by id");
        memset(got, 0, sizeof got);
        CHECK_INT(store_followup_list_borrowed(s, 0, INT64_MIN, INT64_MAX, FOLLOWUP_ANY, collect_ids_cb, got), 0,
                  "lists them for showing");
        CHECK(memcmp(got, want, sizeof want) == 0, "in the same order");
        memset(got, 0, sizeof got);
        int64_t want_range[16] = { id[2], id[4], id[3] };
        CHECK_INT(store_followup_list_borrowed(s, 0, 200, 400, FOLLOWUP_ANY, collect_ids_cb, got), 0,
                  "lists a range");
        CHECK(memcmp(got, want_range, sizeof want_range) == 0, "only what is due in [200, 400)");
        s = store_free(s);
}

/* What a meeting listing shows of the first occurrence's people:
 * "email/name/contact/organizer;" for each. */
static int collect_people_cb(const Occurrence *o, const OccurrencePerson *people, size_t n_people,
                             void *userdata) {
        char *out = userdata;
        if (out[0] != '\0')
                return 0;
        for (size_t i = 0; i < n_people; i++) {
                size_t used = strlen(out);
                snprintf(out + used, 512 - used, "%s/%s/%s/%d;", people[i].email,
                         people[i].name ? people[i].name : "-", people[i].contact ? people[i].contact : "-",
                         people[i].organizer);
        }
        return 0;
}

/* A meeting's people as a listing shows them: one per address whatever
 * its case (the first spelling, organizer if either was, the first name
 * given), names with quotes, backslashes and controls as they were, and
 * a store of the meeting again replaces them. */
static void test_meeting_people(void) {
        static const MeetingPerson given[] = {
                { .email = "bo@example.com" },
                { .email = "Ana@Example.com", .name = NULL, .organizer = false },
                { .email = "ana@example.com", .name = "Ana \"A\" \\ Lima\t", .organizer = true },
                { .email = "ANA@EXAMPLE.COM", .name = "Someone else" },
                { .email = "chlo\xc3\xa9@example.com", .name = "Chlo\xc3\xa9" },
        };
        MeetingWrite m = {
                .uid = "coffee@example.com", .summary = "Coffee", .has_start = true, .start = 5000,
                .end = 8600, .ical = "BEGIN:VEVENT\r\nEND:VEVENT\r\n", .people = given,
                .n_people = ELEMENTSOF(given),
        };
        OccurrenceWrite occ = { .start = 5000, .end = 8600, .summary = "Coffee", .prep_due = 4000,
                                .thanks_due = 9000, .prep_text = "Prepare", .thanks_text = "Thank" };
        Store *s = NULL;
        char err[512], people[512] = "";

        CHECK_INT(store_open(path_in_tmp("people.db"), err, sizeof err, &s), 0, "creates a database");
        CHECK_INT(store_meeting_put(s, &m, 1000), 0, "stores a meeting with five attendee lines");
        CHECK_INT(store_occurrences_sync(s, m.uid, &occ, 1, 1000, NULL), 0, "stores its occurrence");
        CHECK_INT(store_occurrences_list(s, 0, 10000, false, collect_people_cb, people), 0, "lists it");
        CHECK_STR(people, "Ana@Example.com/Ana \"A\" \\ Lima\t/-/1;bo@example.com/-/-/0;"
                          "chlo\xc3\xa9@example.com/Chlo\xc3\xa9/-/0;",
                  "three people: the organizer first, then by address");

        m.people = given;
        m.n_people = 1;
        CHECK_INT(store_meeting_put(s, &m, 2000), 0, "stores it again with one attendee");
        people[0] = '\0';
        CHECK_INT(store_occurrences_list(s, 0, 10000, false, collect_people_cb, people), 0, "lists it");
        CHECK_STR(people, "bo@example.com/-/-/0;", "only that one is left");
        s = store_free(s);

        /* A damaged value: the listing says so and changes nothing. */
        sqlite3 *db;
        sqlite3_open(path_in_tmp("people.db"), &db);
        CHECK_INT(sqlite3_exec(db, "UPDATE meetings SET people = '[[\"bo@example.com\", nul' ", NULL, NULL, NULL),
                  SQLITE_OK, "damages the stored people");
        sqlite3_close(db);
        CHECK_INT(store_open(path_in_tmp("people.db"), err, sizeof err, &s), 0, "opens it again");
        people[0] = '\0';
        CHECK_INT(store_occurrences_list(s, 0, 10000, false, collect_people_cb, people), -EBADMSG,
                  "listing the meeting fails");
        CHECK(strstr(store_last_error(s), "people of meeting coffee@example.com") &&
              strstr(store_last_error(s), "damaged"), "naming the meeting and the damage");
        s = store_free(s);
}

/* A database of schema 10 is migrated: an occurrence's reminder links
 * move to a table without rowids, with every row and foreign key as it
 * was; a meeting's people move into its row; the index by due time over
 * all follow-ups is gone, and listing open and done follow-ups together
 * still walks indexes without a sort. */
static void test_migration_keyed_tables(void) {
        static const char list_any[] =
                "SELECT f.id, f.due FROM followups f WHERE f.done_at IS NULL AND f.due >= 0 "
                "UNION ALL SELECT f.id, f.due FROM followups f WHERE f.done_at IS NOT NULL AND f.due >= 0 "
                "ORDER BY 2, 1";
        Store *s = NULL;
        char err[512], people[512] = "";
        sqlite3 *db;

        CHECK_INT(store_open(path_in_tmp("v10.db"), err, sizeof err, &s), 0, "creates a database");
        s = store_free(s);
        sqlite3_open(path_in_tmp("v10.db"), &db);
        int rc = sqlite3_exec(db, meeting_tables_of_schema_10, NULL, NULL, NULL);
        CHECK_INT(rc, SQLITE_OK, "made its meeting tables those of schema 10");
        rc = sqlite3_exec(db,
                "INSERT INTO contacts (id, uid, handle, name, created, modified) VALUES (3, 'c3', 'ana', 'Ana', 1, 1);"
                "INSERT INTO contact_emails (contact_id, email) VALUES (3, 'ana@example.com');"
                "INSERT INTO meetings (id, uid, summary, start, finish, ical, imported, modified) "
                "  VALUES (4, 'm@example.com', 'Coffee', 5000, 8600, 'BEGIN:VEVENT', 1, 1),"
                "         (5, 'lunch@example.com', 'Lunch', 9000, 9900, 'BEGIN:VEVENT', 1, 1);"
                "INSERT INTO meeting_people (meeting_id, email, name, organizer) "
                "  VALUES (4, 'bo@example.com', NULL, 0), (4, 'Ana@Example.com', 'Ana \"A\" Lima', 1),"
                "         (4, 'zoe@example.com', 'Zo\xc3\xab' || char(9) || 'K \xf0\x9f\x98\x80', 0);"
                "INSERT INTO occurrences (id, uid, recurrence_id, start, finish, summary) "
                "  VALUES (1, 'm@example.com', 0, 5000, 8600, 'Coffee'),"
                "         (2, 'lunch@example.com', 0, 9000, 9900, 'Lunch');"
                "INSERT INTO followups (id, uid, kind, text, due, created, modified) "
                "  VALUES (7, 'r7', 'prep', 'Prepare for \"Coffee\"', 3200, 1000, 1000),"
                "         (8, 'r8', 'thanks', 'Send thanks after \"Coffee\"', 9000, 1000, 1000);"
                "INSERT INTO occurrence_reminders (occurrence_id, kind, followup_id, planned_due) "
                "  VALUES (1, 'prep', 7, 3200), (1, 'thanks', 8, 8900), (2, 'thanks', NULL, 12000);"
                "PRAGMA user_version = 10;", NULL, NULL, NULL);
        CHECK_INT(rc, SQLITE_OK, "made it a schema-10 database with a meeting, its people and its reminders");
        if (rc != SQLITE_OK)
                printf("# %s\n", sqlite3_errmsg(db));
        sqlite3_close(db);

        CHECK_INT(store_open(path_in_tmp("v10.db"), err, sizeof err, &s), 0, "opens and migrates it");
        CHECK_INT(store_occurrences_list(s, 0, 10000, false, collect_people_cb, people), 0, "lists the meeting");
        CHECK_STR(people, "Ana@Example.com/Ana \"A\" Lima/ana/1;bo@example.com/-/-/0;"
                          "zoe@example.com/Zo\xc3\xab\tK \xf0\x9f\x98\x80/-/0;",
                  "its people as before: the organizer first, the name, the contact by address");
        s = store_free(s);
        sqlite3_open(path_in_tmp("v10.db"), &db);
        CHECK_INT(query_int(db, "PRAGMA user_version"), store_schema_version(), "schema version after the migrations");
        CHECK_INT(query_int(db, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                                "('meeting_people', 'meeting_people_email', 'followups_due', "
                                "'meeting_people_new', 'occurrence_reminders_new', 'occurrence_reminders')"), 0,
                  "the people's table, the links' table, the two indexes and the copies' names are gone");
        CHECK_INT(query_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
                                "name = 'reminders_removed' AND sql LIKE '%WITHOUT ROWID'"), 1,
                  "removed reminders are kept without rowids");
        CHECK_INT(query_int(db, "SELECT count(*) FROM meetings WHERE id = 5 AND people = '[]'"), 1,
                  "a meeting without people has none");
        CHECK_INT(query_int(db, "SELECT sum(id * 10000 + planned_due) FROM followups "
                                "WHERE occurrence_id = 1"), 73200 + 88900,
                  "both reminders linked to their occurrence, with their planned times");
        CHECK_INT(query_int(db, "SELECT count(*) FROM reminders_removed WHERE occurrence_id = 2 AND "
                                "kind = 'thanks'"), 1,
                  "a link whose follow-up the user removed is a removed reminder");
        CHECK_INT(query_int(db, "SELECT count(*) FROM reminders_removed"), 1, "and only that one");
        CHECK(plan_uses(db, "SELECT id FROM followups WHERE occurrence_id = 1 AND kind = 'prep'",
                        "followups_occurrence"),
              "an occurrence's reminder is found through the index, not by a scan of every follow-up");
        CHECK_INT(query_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0, "no broken foreign key");
        CHECK(plan_uses(db, list_any, "followups_open") && plan_uses(db, list_any, "followups_closed") &&
              !uses_temporary_btree(db, list_any),
              "open and done follow-ups are listed together through their indexes, without a sort");
        CHECK_INT(sqlite3_exec(db, "INSERT INTO reminders_removed (occurrence_id, kind) VALUES (1, 'meet')",
                               NULL, NULL, NULL),
                  SQLITE_CONSTRAINT, "an unknown reminder kind is refused");
        CHECK_INT(sqlite3_exec(db, "UPDATE followups SET occurrence_id = 1, kind = 'prep' WHERE id = 8",
                               NULL, NULL, NULL),
                  SQLITE_CONSTRAINT, "an occurrence has one reminder of each kind");
        sqlite3_close(db);

        CHECK_INT(store_open(path_in_tmp("v10.db"), err, sizeof err, &s), 0, "opens it again");
        CHECK_INT(store_followup_remove(s, 7), 0, "removing the prep reminder");
        s = store_free(s);
        sqlite3_open(path_in_tmp("v10.db"), &db);
        sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
        CHECK_INT(query_int(db, "SELECT count(*) FROM reminders_removed WHERE occurrence_id = 1 AND "
                                "kind = 'prep'"), 1,
                  "its slot is remembered as removed");
        CHECK_INT(sqlite3_exec(db, "DELETE FROM occurrences WHERE id = 1", NULL, NULL, NULL), SQLITE_OK,
                  "removing the occurrence");
        CHECK_INT(query_int(db, "SELECT count(*) FROM reminders_removed WHERE occurrence_id = 1"), 0,
                  "its removed reminders go with it (ON DELETE CASCADE)");
        CHECK_INT(query_int(db, "SELECT count(*) FROM followups WHERE id = 8 AND occurrence_id IS NULL"), 1,
                  "its thank-you stays, unlinked (ON DELETE SET NULL)");
        sqlite3_close(db);
}

/* How many of SQLite's temporary files (named etilqs_*) this process has
 * open. */
static int sqlite_temp_files_open(void) {
        DIR *d = opendir("/proc/self/fd");
        struct dirent *e;
        int n = 0;

        if (!d)
                return -1;
        while ((e = readdir(d))) {
                char link[sizeof "/proc/self/fd/" + sizeof e->d_name], target[512];
                snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
                ssize_t len = readlink(link, target, sizeof target - 1);
                if (len < 0)
                        continue;
                target[len] = '\0';
                if (strstr(target, "etilqs_"))
                        n++;
        }
        closedir(d);
        return n;
}

/* A batch keeps SQLite's statement journals in memory.  In a temporary
 * file (where they go past 64 KiB) every later statement of an import was
 * written through it.  Three batches in a row, each after the last one
 * has put the setting back. */
static void test_batch_keeps_journals_in_memory(void) {
        enum { N = 400 };
        static OccurrenceWrite occ[N];
        Store *s = NULL;
        char err[512];
        const int64_t now = 1000000;

        CHECK_INT(store_open(path_in_tmp("batch.db"), err, sizeof err, &s), 0, "opens a database");
        for (int i = 0; i < N; i++)
                occ[i] = (OccurrenceWrite) {
                        .recurrence_id = now + 86400 * (i + 1),
                        .start = now + 86400 * (i + 1),
                        .end = now + 86400 * (i + 1) + 3600,
                        .summary = "Weekly sync with a long enough summary to fill pages",
                        .prep_due = now + 86400 * (i + 1) - 1800,
                        .thanks_due = now + 86400 * (i + 1) + 7200,
                        .prep_text = "Prepare for the weekly sync with a long enough text to fill pages",
                        .thanks_text = "Thank everyone for the weekly sync with a long enough text",
                };

        /* Made, withdrawn (one DELETE of 400 occurrences and 800 links,
         * far past 64 KiB of pages), made again. */
        const size_t rounds[] = { N, 0, N };
        for (size_t round = 0; round < 3; round++) {
                unsigned changed = 0;
                CHECK_INT(store_batch_begin(s), 0, "a batch begins");
                CHECK_INT(store_occurrences_sync(s, "series@example.com", occ, rounds[round], now, &changed), 0,
                          "the occurrences are written in the batch");
                CHECK_INT(changed, 2 * N, "every occurrence's two reminders are made or withdrawn");
                CHECK_INT(sqlite_temp_files_open(), 0, "no temporary file was opened for the batch");
                CHECK_INT(store_batch_commit(s), 0, "the batch commits");
        }

        int open_count = 0;
        CHECK_INT(store_followup_list(s, INT64_MIN, INT64_MAX, FOLLOWUP_OPEN, count_cb, &open_count), 0, "lists the open follow-ups");
        CHECK_INT(open_count, 2 * N, "the last batch's reminders are stored");
        s = store_free(s);
}

static void count_call(void *userdata) {
        (*(int *) userdata)++;
}

static off_t file_size(const char *path) {
        struct stat st;
        return stat(path, &st) == 0 ? st.st_size : -1;
}

/* A batch far past SQLite's 1,000-page checkpoint threshold, written by a
 * store with the given `later` (NULL: none).  Returns the database file's
 * size right after the commit. */
static off_t batch_file_size(const char *name, void (*later)(void *), int *calls, Store **ret) {
        enum { N = 6000 };
        static OccurrenceWrite occ[N];
        static char text[400];
        Store *s = NULL;
        char err[512];
        const int64_t now = 1000000;
        unsigned changed = 0;

        memset(text, 'x', sizeof text - 1);
        for (int i = 0; i < N; i++)
                occ[i] = (OccurrenceWrite) {
                        .recurrence_id = now + 3600 * (i + 1), .start = now + 3600 * (i + 1),
                        .end = now + 3600 * (i + 2), .summary = "Sync", .prep_due = now + 3600 * (i + 1) - 60,
                        .thanks_due = now + 3600 * (i + 2) + 60, .prep_text = text, .thanks_text = text,
                };
        CHECK_INT(store_open(path_in_tmp(name), err, sizeof err, &s), 0, "opens a database");
        if (later)
                store_set_checkpoint_later(s, later, calls);
        CHECK_INT(store_batch_begin(s), 0, "a batch begins");
        CHECK_INT(store_occurrences_sync(s, "big@example.com", occ, N, now, &changed), 0,
                  "6,000 occurrences and 12,000 reminders are written in it");
        CHECK_INT(store_batch_commit(s), 0, "the batch commits");
        *ret = s;
        return file_size(path_in_tmp(name));
}

static void test_batch_checkpoint_later(void) {
        int calls = 0;
        Store *s = NULL;

        /* SQLite's own way: the commit copies the log into the file. */
        off_t size = batch_file_size("ckpt-now.db", NULL, &calls, &s);
        CHECK(size > 4 * 1024 * 1024, "without `later`, the commit itself checkpoints: the file holds the batch");
        s = store_free(s);

        size = batch_file_size("ckpt-later.db", count_call, &calls, &s);
        CHECK_INT(calls, 1, "with `later`, the batch's end asks for a checkpoint once");
        CHECK(size >= 0 && size < 1024 * 1024, "and the commit leaves the batch in the log");
        CHECK_INT(store_checkpoint(s), 0, "the checkpoint runs when asked");
        CHECK(file_size(path_in_tmp("ckpt-later.db")) > 4 * 1024 * 1024, "after it, the file holds the batch");
        int open_count = 0;
        CHECK_INT(store_followup_list(s, INT64_MIN, INT64_MAX, FOLLOWUP_OPEN, count_cb, &open_count), 0,
                  "lists the open follow-ups");
        CHECK_INT(open_count, 12000, "every reminder of the batch is there");
        s = store_free(s);
}

int main(void) {
        if (!mkdtemp(tmpdir)) {
                perror("mkdtemp");
                return 1;
        }
        test_open_and_permissions();
        test_followups();
        test_delivery_states();
        test_refuses_foreign_files();
        test_migration_planned_due();
        test_migration_followups_checks();
        test_contact_index();
        test_listing_open_and_done();
        test_migration_keyed_tables();
        test_meeting_people();
        test_batch_keeps_journals_in_memory();
        test_batch_checkpoint_later();

        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
                printf("# could not remove %s\n", tmpdir);
        return tap_done();
}
