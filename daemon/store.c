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
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "store.h"

#define FOLLOWUP_COLUMNS \
        "f.id, f.uid, f.text, f.kind, c.handle, f.due, f.done_at, f.every, f.every_fixed, " \
        "f.notified_at, f.notify_state, f.created, f.modified"
#define FOLLOWUP_FROM " FROM followups f LEFT JOIN contacts c ON c.id = f.contact_id "

/* The statements.  Each is prepared once, on first use, and reused: the
 * cache is keyed by the address of these arrays. */
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
static const char sql_followup_get[] =
        "SELECT " FOLLOWUP_COLUMNS FOLLOWUP_FROM "WHERE f.id = ?1";
static const char sql_followup_list_open[] =
        "SELECT " FOLLOWUP_COLUMNS FOLLOWUP_FROM
                "WHERE f.done_at IS NULL AND f.due >= ?1 AND f.due < ?2 ORDER BY f.due, f.id";
static const char sql_followup_list_done[] =
        "SELECT " FOLLOWUP_COLUMNS FOLLOWUP_FROM
                "WHERE f.done_at IS NOT NULL AND f.due >= ?1 AND f.due < ?2 ORDER BY f.due, f.id";
static const char sql_followup_list_any[] =
        "SELECT " FOLLOWUP_COLUMNS FOLLOWUP_FROM
                "WHERE f.due >= ?1 AND f.due < ?2 ORDER BY f.due, f.id";
static const char sql_followup_done[] =
        "UPDATE followups SET done_at = ?2, modified = ?2, sequence = sequence + 1 "
                "WHERE id = ?1 AND done_at IS NULL";
static const char sql_followup_snooze[] =
        "UPDATE followups SET due = ?2, notify_state = 0, notified_at = NULL, modified = ?3, "
                "sequence = sequence + 1 WHERE id = ?1";
static const char sql_followup_remove[] =
        "DELETE FROM followups WHERE id = ?1";
static const char sql_followup_set_text[] =
        "UPDATE followups SET text = ?2, modified = ?3, sequence = sequence + 1 WHERE id = ?1";
static const char sql_followup_set_due[] =
        "UPDATE followups SET due = ?2, notify_state = 0, notified_at = NULL, modified = ?3, "
                "sequence = sequence + 1 WHERE id = ?1";
static const char sql_followup_set_every[] =
        "UPDATE followups SET every = NULLIF(?2, 0), every_fixed = ?3, modified = ?4, "
                "sequence = sequence + 1 WHERE id = ?1";
static const char sql_next_pending[] =
        "SELECT " FOLLOWUP_COLUMNS FOLLOWUP_FROM
                "WHERE f.done_at IS NULL AND f.notify_state = 0 ORDER BY f.due, f.id LIMIT 1";
static const char sql_due_pending[] =
        "SELECT " FOLLOWUP_COLUMNS FOLLOWUP_FROM
                "WHERE f.done_at IS NULL AND f.notify_state = 0 AND f.due <= ?1 "
                "ORDER BY f.due, f.id LIMIT ?2";
static const char sql_claim[] =
        "UPDATE followups SET notify_state = 1 WHERE id = ?1 AND notify_state = 0";
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
        return store_begin(s);
}

int store_batch_commit(Store *s) {
        return store_commit(s);
}

void store_batch_rollback(Store *s) {
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
static int make_uid(char *buf, size_t size) {
        uint8_t bytes[16];
        if (getrandom(bytes, sizeof bytes, 0) != (ssize_t) sizeof bytes)
                return -errno ? -errno : -EIO;
        /* A version 4 UUID. */
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        snprintf(buf, size,
                 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x@netctl",
                 bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                 bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
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

static int store_pragma(Store *s, const char *sql) {
        int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        if (rc != SQLITE_OK)
                return store_error(s, rc, "configuring the database");
        return 0;
}

int store_open(const char *path, char *errbuf, size_t errsize, Store **ret) {
        Store *s;
        int r, rc;

        s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;

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

        rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
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
                goto fail;
        }

        r = store_pragma(s, "PRAGMA journal_mode = WAL");
        if (r < 0)
                goto fail;
        /* In WAL mode NORMAL loses no committed transaction on a process
         * crash, only possibly the last ones on a power cut. FULL makes a
         * reply mean "on disk" even then, which is what we promise. */
        r = store_pragma(s, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; "
                            "PRAGMA cache_size = -2000");
        if (r < 0)
                goto fail;

        r = store_migrate(s);
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

int store_followup_add(Store *s, const char *text, int64_t due, int64_t every, bool every_fixed,
                       int64_t now, int64_t *ret_id) {
        sqlite3_stmt *st;
        char uid[64];
        int r;

        r = make_uid(uid, sizeof uid);
        if (r < 0)
                return r;

        r = store_prepare(s, sql_followup_add, &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, FOLLOWUP_KIND_FOLLOWUP, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4, due);
        sqlite3_bind_int64(st, 5, every);
        sqlite3_bind_int(st, 6, every_fixed);
        sqlite3_bind_int64(st, 7, now);

        /* A single INSERT in autocommit mode is its own transaction. */
        r = store_step_done(s, st, "adding a follow-up");
        if (r < 0)
                return r;

        *ret_id = sqlite3_last_insert_rowid(s->db);
        return 0;
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
                r = make_uid(uid, sizeof uid);
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
        sqlite3_stmt *st;
        int r = store_prepare(s, sql_followup_remove, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        r = store_step_done(s, st, "removing a follow-up");
        if (r < 0)
                return r;
        return store_expect_change(s, id);
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

/* ---- Meetings: imported calendar events and their reminders ---- */

/* ---- People: contacts, interactions and keep-in-touch ---- */
