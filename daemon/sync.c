/* SPDX-License-Identifier: MIT */
/* Two-way sync of follow-ups with a tasks vdir; see sync.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <inttypes.h>
#include <stdarg.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bus-names.h"
#include "bus-contacts.h"
#include "bus.h"
#include "io.h"
#include "log.h"
#include "schedule.h"
#include "store.h"
#include "sync.h"
#include "text.h"
#include "vcard.h"

#define SYNC_KIND_TASK "task"
/* Written by netctl on any device; a fixed string, so that an upgrade does
 * not rewrite every file. */
#define SYNC_PRODID "-//netctl//netctl//EN"
#define SYNC_FILE_MAX (1024 * 1024)
#define SYNC_CONFLICTS_MAX 1000
#define SYNC_WRITE_BACK_DELAY_USEC (1000 * 1000)

/* IN_CREATE too: python's atomicwrites (todoman, vdirsyncer) link()s the
 * finished file into place, which reports nothing else. */
#define SYNC_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_ONLYDIR)

typedef struct SyncLink {
        const char *kind;
        char *dir;
        sd_event_source *watch;
        int64_t in_step;        /* the last time both sides agreed; 0: not yet */
        bool scanning;          /* a scan of it is on its way: in step when it ends */
        char error[256];        /* why the link does not work; "" when it does */
} SyncLink;

/* The scan: a pass over every file and item of each link, at start-up,
 * after a reload and when inotify lost events.  It goes a step (at most a
 * page of STORE_SYNC_PAGE items) per turn of the event loop, at idle
 * priority, each step its own transaction: calls and due reminders are
 * served in between, where at 100,000 follow-ups the whole takes seconds
 * (linking a vdir, tens of seconds). */
typedef enum ScanStep {
        SCAN_OPEN,
        SCAN_RECORDS,           /* the remembered files; changed ones read */
        SCAN_COUNT,             /* how many files the directory holds */
        SCAN_NEW_FILES,         /* the files no record names */
        SCAN_GONE,              /* the remembered files that are gone */
        SCAN_OUT,               /* what changed here goes out */
        SCAN_ORPHANS,           /* the files of follow-ups removed here */
        SCAN_LINK_DONE,
} ScanStep;

typedef struct Scan {
        SyncLink *link;         /* NULL: not begun */
        bool outbound_only;     /* only SCAN_OUT and SCAN_ORPHANS, of the tasks */
        ScanStep step;
        char *after;            /* the paged walks' cursor: the last UID seen */
        DIR *dir;               /* SCAN_OPEN to SCAN_NEW_FILES */
        int out_error;          /* the first failure to write a file */
        size_t present;         /* records whose file is in the directory */
        size_t files;           /* files in the directory */
        bool disturbed;         /* a file came or went while the records were walked */
        size_t missing;         /* records whose file is gone */
        size_t unchanged;       /* files in the state their record noted: not read */
        size_t read;            /* files read to see whether they changed */
        size_t new;             /* files no record names */
} Scan;

struct Sync {
        Context *c;
        SyncLink tasks;
        SyncLink contacts;
        sd_event_source *pass;  /* the coalesced outbound pass */
        sd_event_source *later; /* the same, a moment later (write_later) */
        sd_event_source *scan;  /* the scan's next step */
        Scan scanning;
        bool pass_after_scan;   /* a change noted while the scan ran */
        bool scan_again;        /* events lost while the scan ran */
        /* What the next pass looks at: every follow-up, or only these
         * (ids), and whether one was removed (its record is an orphan). */
        bool tasks_all;
        GHashTable *tasks_changed;
        bool tasks_removed;
        /* In a pass over everything, files are written as temporaries and
         * put in place together at its end (deferred_commit()). */
        bool deferring;
        GHashTable *deferred;           /* path -> its temporary, both owned */
};

static void link_clear(SyncLink *l) {
        l->watch = sd_event_source_disable_unref(l->watch);
        free(l->dir);
        l->dir = NULL;
        l->in_step = 0;
        l->scanning = false;
        l->error[0] = '\0';
}

static void scan_clear(Scan *sc) {
        free(sc->after);
        if (sc->dir)
                closedir(sc->dir);
        *sc = (Scan) {};
}

Sync *sync_free(Sync *s) {
        if (!s)
                return NULL;
        scan_clear(&s->scanning);
        link_clear(&s->tasks);
        link_clear(&s->contacts);
        sd_event_source_disable_unref(s->pass);
        sd_event_source_disable_unref(s->later);
        sd_event_source_disable_unref(s->scan);
        if (s->tasks_changed)
                g_hash_table_unref(s->tasks_changed);
        if (s->deferred)
                g_hash_table_unref(s->deferred);
        free(s);
        return NULL;
}

/* ---- Files ---- */

static char *hash_text(const char *text, size_t len) {
        gchar *h = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *) text, len);
        char *copy = h ? strdup(h) : NULL;
        g_free(h);
        return copy;
}

/* Reads a whole vdir file (bounded); -ENOENT when it is gone.  ret_st
 * (may be NULL) is the file's state before it was read. */
static int read_file_stat(const char *path, char **ret_text, size_t *ret_len, struct stat *ret_st) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        struct stat st;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (ret_st)
                *ret_st = st;
        if (!S_ISREG(st.st_mode))
                return -EBADF;
        if (st.st_size > SYNC_FILE_MAX)
                return -E2BIG;
        char *buf = malloc((size_t) st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        size_t n = 0;
        while (n < (size_t) st.st_size) {
                ssize_t k = read(fd, buf + n, (size_t) st.st_size - n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                n += (size_t) k;
        }
        buf[n] = '\0';
        *ret_text = buf;
        *ret_len = n;
        return 0;
}

static int read_file(const char *path, char **ret_text, size_t *ret_len) {
        return read_file_stat(path, ret_text, ret_len, NULL);
}

/* What a record keeps of a file's state, so that the start-up scan can
 * tell it unchanged without reading it: any write changes its ctime, a
 * rename over it its inode. */
#define FILE_STAT_MAX 128
static void file_stat_text(const struct stat *st, char buf[static FILE_STAT_MAX]) {
        snprintf(buf, FILE_STAT_MAX, "%ju:%ju:%jd:%jd.%09ld:%jd.%09ld", (uintmax_t) st->st_dev,
                 (uintmax_t) st->st_ino, (intmax_t) st->st_size, (intmax_t) st->st_mtim.tv_sec,
                 st->st_mtim.tv_nsec, (intmax_t) st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
}

/* A file's state can stand for its bytes only once its ctime lies well
 * behind the moment the state was taken: a second write within the file
 * system's timestamp granularity (a jiffy here, two seconds on FAT) would
 * leave the same ctime and, at the same size, look unchanged. */
#define FILE_STAT_SETTLED_SEC 2
static bool file_stat_settled(const struct stat *st) {
        struct timespec now;
        if (clock_gettime(CLOCK_REALTIME, &now) < 0)
                return false;
        return st->st_ctim.tv_sec + FILE_STAT_SETTLED_SEC < now.tv_sec;
}

/* The hash of a file's bytes; -ENOENT when it is gone. */
static int hash_file(const char *path, char **ret) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = read_file(path, &text, &len);
        if (r < 0)
                return r;
        *ret = hash_text(text, len);
        return *ret ? 0 : -ENOMEM;
}

/* Writes path atomically: a hidden temporary file in the same directory
 * (which the watch ignores), fsync, rename over, fsync the directory.
 * While s is deferring, the temporary is left for deferred_commit(). */
static int write_atomic(Sync *s, const char *path, const char *text) {
        _cleanup_free_ char *dir = g_path_get_dirname(path);
        _cleanup_free_ char *base = g_path_get_basename(path);
        char tmp[4096];

        if ((size_t) snprintf(tmp, sizeof tmp, "%s/.%s.netctl-tmp", dir, base) >= sizeof tmp)
                return -ENAMETOOLONG;
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        int r = write_all(fd, text, strlen(text));
        if (r == 0 && !s->deferring && fsync(fd) < 0)
                r = -errno;
        if (close(fd) < 0 && r == 0)
                r = -errno;
        if (r == 0 && s->deferring) {
                /* Written again in the same pass: the one temporary holds
                 * the latest text. */
                g_hash_table_replace(s->deferred, g_strdup(path), g_strdup(tmp));
                return 0;
        }
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0) {
                (void) unlink(tmp);
                return r;
        }
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0)
                (void) fsync(dfd);
        return 0;
}

static bool is_task_file(const char *name) {
        size_t n = strlen(name);
        /* Hidden files are work in progress (ours and vdirsyncer's). */
        return name[0] != '.' && n > 4 && strcasecmp(name + n - 4, ".ics") == 0;
}

/* dir/UID.ics, with characters that do not belong in a file name
 * replaced, as vdirsyncer does. */
static char *default_path(const char *dir, const char *uid) {
        _cleanup_free_ char *safe = strdup(uid);
        char *path = NULL;
        if (!safe)
                return NULL;
        for (char *p = safe; *p; p++)
                if (!g_ascii_isalnum(*p) && *p != '@' && *p != '.' && *p != '-' && *p != '_')
                        *p = '_';
        if (safe[0] == '.')
                safe[0] = '_';
        if (asprintf(&path, "%s/%.200s.ics", dir, safe) < 0)
                return NULL;
        return path;
}

/* ---- Follow-ups as VTODO ---- */

static struct icaltimetype utc_time(int64_t t) {
        return icaltime_from_timet_with_zone((time_t) t, 0, icaltimezone_get_utc_timezone());
}

static void add_x(icalcomponent *todo, const char *name, const char *value) {
        icalproperty *x = icalproperty_new_x(value);
        icalproperty_set_x_name(x, name);
        icalcomponent_add_property(todo, x);
}

/* netctl's rendering of a follow-up: deterministic, so that an unchanged
 * follow-up renders the same bytes and is never rewritten. */
static char *render_task(const Followup *f) {
        icalcomponent *cal = icalcomponent_new_vcalendar();
        icalcomponent *todo = icalcomponent_new_vtodo();
        char buf[64];

        icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
        icalcomponent_add_property(cal, icalproperty_new_prodid(SYNC_PRODID));
        icalcomponent_add_property(todo, icalproperty_new_uid(f->uid));
        icalcomponent_add_property(todo, icalproperty_new_dtstamp(utc_time(f->modified)));
        icalcomponent_add_property(todo, icalproperty_new_created(utc_time(f->created)));
        icalcomponent_add_property(todo, icalproperty_new_lastmodified(utc_time(f->modified)));
        icalcomponent_add_property(todo, icalproperty_new_sequence((int) f->sequence));
        icalcomponent_add_property(todo, icalproperty_new_summary(f->text));
        icalcomponent_add_property(todo, icalproperty_new_due(utc_time(f->due)));
        if (f->done_at) {
                icalcomponent_add_property(todo, icalproperty_new_status(ICAL_STATUS_COMPLETED));
                icalcomponent_add_property(todo, icalproperty_new_completed(utc_time(f->done_at)));
                icalcomponent_add_property(todo, icalproperty_new_percentcomplete(100));
        } else
                icalcomponent_add_property(todo, icalproperty_new_status(ICAL_STATUS_NEEDSACTION));
        icalcomponent_add_property(todo, icalproperty_new_categories("netctl,followup"));
        if (f->contact)
                add_x(todo, "X-NETCTL-CONTACT", f->contact);
        if (f->every > 0) {
                snprintf(buf, sizeof buf, "%" PRId64, f->every);
                add_x(todo, "X-NETCTL-EVERY", buf);
                add_x(todo, "X-NETCTL-EVERY-FIXED", f->every_fixed ? "TRUE" : "FALSE");
        }
        icalcomponent_add_component(cal, todo);
        char *text = icalcomponent_as_ical_string_r(cal);
        icalcomponent_free(cal);
        return text;
}

/* Bumped with any change to what render_task() writes: the records' keys
 * then no longer match, and the next start-up renders every follow-up
 * again. */
#define SYNC_TASK_RENDERING "1"

/* The hash of everything render_task() reads, and of the code that reads
 * it (this file's rendering and libical's writer): a follow-up whose key
 * is the one its record keeps renders to the record's db_hash, so the
 * start-up pass need not render it to know it is unchanged. */
static char *render_task_key(const Followup *f) {
        GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
        char numbers[256];

        if (!sum)
                return NULL;
        snprintf(numbers, sizeof numbers,
                 "%" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %d %d",
                 f->modified, f->created, f->sequence, f->due, f->done_at, f->every, f->every_fixed ? 1 : 0,
                 f->contact ? 1 : 0);
        /* Each part with its NUL: no two different inputs run together
         * into the same bytes. */
        const char *parts[] = { SYNC_TASK_RENDERING, ICAL_VERSION, numbers, f->uid, f->text,
                                f->contact ? f->contact : "" };
        for (size_t i = 0; i < ELEMENTSOF(parts); i++)
                g_checksum_update(sum, (const guchar *) parts[i], (gssize) strlen(parts[i]) + 1);
        char *key = strdup(g_checksum_get_string(sum));
        g_checksum_free(sum);
        return key;
}

/* A VTODO as read from a file: what netctl keeps of it. */
typedef struct Task {
        char *uid;
        char *text;
        bool has_due;
        int64_t due;
        int64_t done_at;
        int64_t every;
        bool every_fixed;
        int64_t sequence;
        int64_t modified;
        bool from_netctl;       /* written by netctl (on this or another device) */
        char *contact;          /* X-NETCTL-CONTACT: a contact handle */
} Task;

static void task_clear(Task *t) {
        free(t->uid);
        free(t->text);
        free(t->contact);
        *t = (Task) {};
}

static int64_t ical_to_unix(struct icaltimetype t) {
        if (icaltime_is_null_time(t))
                return 0;
        if (t.is_date)
                t.hour = t.minute = t.second = 0;
        if (icaltime_is_utc(t))
                return (int64_t) icaltime_as_timet_with_zone(t, icaltimezone_get_utc_timezone());
        if (t.zone)
                return (int64_t) icaltime_as_timet_with_zone(t, t.zone);
        /* Floating (and all-day): the user's local time, as netctl reads
         * times without a zone. */
        struct tm tm = {
                .tm_year = t.year - 1900, .tm_mon = t.month - 1, .tm_mday = t.day,
                .tm_hour = t.hour, .tm_min = t.minute, .tm_sec = t.second, .tm_isdst = -1,
        };
        return (int64_t) mktime(&tm);
}

/* Parses one VTODO file; -EBADMSG with a reason for anything netctl cannot
 * take. */
static int parse_task(const char *text, const char *fallback_uid, int64_t now, Task *ret,
                      const char **ret_reason) {
        icalcomponent *cal = icalparser_parse_string(text);
        icalcomponent *todo;
        Task t = {};
        int r = -EBADMSG;

        *ret_reason = "not iCalendar";
        if (!cal)
                return r;
        todo = icalcomponent_isa(cal) == ICAL_VTODO_COMPONENT ? cal :
               icalcomponent_get_first_component(cal, ICAL_VTODO_COMPONENT);
        if (!todo) {
                *ret_reason = "no VTODO";
                goto out;
        }

        icalproperty *prodid = icalcomponent_get_first_property(cal, ICAL_PRODID_PROPERTY);
        t.from_netctl = prodid && icalproperty_get_prodid(prodid) &&
                        strstr(icalproperty_get_prodid(prodid), "//netctl//");

        const char *uid = icalcomponent_get_uid(todo);
        if (!uid || !*uid)
                uid = fallback_uid;
        if (text_check_line(uid, 255, false, ret_reason) < 0)
                goto out;
        const char *summary = icalcomponent_get_summary(todo);
        if (!summary || !*summary)
                summary = "(no summary)";
        if (text_check_line(summary, NETCTL_TEXT_MAX, false, ret_reason) < 0)
                goto out;

        icalproperty *due = icalcomponent_get_first_property(todo, ICAL_DUE_PROPERTY);
        if (due) {
                t.due = ical_to_unix(icalcomponent_get_due(todo));
                t.has_due = t.due > 0;
        }

        icalproperty *completed = icalcomponent_get_first_property(todo, ICAL_COMPLETED_PROPERTY);
        icalproperty *status = icalcomponent_get_first_property(todo, ICAL_STATUS_PROPERTY);
        bool done = status && icalproperty_get_status(status) == ICAL_STATUS_COMPLETED;
        if (completed && (!status || done)) {
                t.done_at = ical_to_unix(icalproperty_get_completed(completed));
                done = true;
        }
        icalproperty *lm = icalcomponent_get_first_property(todo, ICAL_LASTMODIFIED_PROPERTY);
        if (lm)
                t.modified = ical_to_unix(icalproperty_get_lastmodified(lm));
        if (done && t.done_at <= 0)
                t.done_at = t.modified > 0 ? t.modified : now;
        t.sequence = icalcomponent_get_sequence(todo);
        if (t.sequence < 0)
                t.sequence = 0;

        for (icalproperty *p = icalcomponent_get_first_property(todo, ICAL_X_PROPERTY); p;
             p = icalcomponent_get_next_property(todo, ICAL_X_PROPERTY)) {
                const char *name = icalproperty_get_x_name(p), *value = icalproperty_get_x(p);
                if (!name || !value)
                        continue;
                if (strcasecmp(name, "X-NETCTL-EVERY") == 0) {
                        char *end;
                        long long v = strtoll(value, &end, 10);
                        if (*end == '\0' && v > 0 && v <= 10LL * 366 * 86400)
                                t.every = v;
                } else if (strcasecmp(name, "X-NETCTL-EVERY-FIXED") == 0)
                        t.every_fixed = strcasecmp(value, "TRUE") == 0;
                else if (strcasecmp(name, "X-NETCTL-CONTACT") == 0 && !t.contact &&
                         people_handle_check(value, NULL) >= 0) {
                        t.contact = strdup(value);
                        if (!t.contact) {
                                r = -ENOMEM;
                                goto out;
                        }
                }
        }

        t.uid = strdup(uid);
        t.text = strdup(summary);
        if (!t.uid || !t.text) {
                r = -ENOMEM;
                goto out;
        }
        *ret = t;
        t = (Task) {};
        r = 0;
out:
        task_clear(&t);
        icalcomponent_free(cal);
        return r;
}

/* ---- The engine ---- */

static void note_in_step(SyncLink *l, int64_t now) {
        if (l->scanning)
                return;         /* one file is in step, not yet the directory */
        l->in_step = now;
        l->error[0] = '\0';
}

static void record_conflict(Context *c, const char *kind, const char *uid, const char *lost,
                            const char *fmt, ...) _printf_(5, 6);
static void record_conflict(Context *c, const char *kind, const char *uid, const char *lost,
                            const char *fmt, ...) {
        char what[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        log_warning("Sync conflict on %s: %s", uid, what);
        if (store_sync_conflict_add(c->store, kind, uid, context_now(c), what, lost) < 0)
                log_warning("Cannot record the sync conflict: %s", store_last_error(c->store));
}

static int save_record_key(Context *c, const char *kind, const char *uid, const char *path,
                           const char *file_hash, const char *db_hash, bool written, const char *db_key) {
        SyncRecord rec = {
                .written = written,
                .kind = (char *) kind, .uid = (char *) uid, .path = (char *) path,
                .file_hash = (char *) file_hash, .db_hash = (char *) db_hash, .synced = context_now(c),
                .db_key = (char *) db_key,
        };
        int r = store_sync_record_put(c->store, &rec);
        if (r < 0)
                log_warning("Cannot remember the sync state of %s: %s", path, store_last_error(c->store));
        return r;
}

static int save_record_kind(Context *c, const char *kind, const char *uid, const char *path,
                            const char *file_hash, const char *db_hash, bool written) {
        return save_record_key(c, kind, uid, path, file_hash, db_hash, written, NULL);
}

static int save_record(Context *c, const char *uid, const char *path, const char *file_hash,
                       const char *db_hash, bool written) {
        return save_record_kind(c, SYNC_KIND_TASK, uid, path, file_hash, db_hash, written);
}

/* Writes f to path (when its rendering differs from the file) and
 * remembers both hashes. */
static int write_task(Context *c, const Followup *f, const char *path) {
        _cleanup_free_ char *text = render_task(f), *key = render_task_key(f);
        _cleanup_free_ char *h = NULL, *on_disk = NULL;
        int r;

        if (!text || !key)
                return -ENOMEM;
        h = hash_text(text, strlen(text));
        if (!h)
                return -ENOMEM;
        if (hash_file(path, &on_disk) < 0 || strcmp(on_disk, h) != 0) {
                r = write_atomic(c->sync, path, text);
                if (r < 0)
                        return log_warning_errno(r, "Cannot write %s: %m", path);
                log_debug("Sync: wrote %s", path);
        }
        return save_record_key(c, SYNC_KIND_TASK, f->uid, path, h, h, true, key);
}

static void applied(Context *c, int64_t id, int64_t next_id) {
        _cleanup_(followup_clear) Followup f = {};

        /* Done on another device: its reminder leaves this screen too. */
        if (store_followup_get(c->store, id, &f) >= 0 && f.done_at > 0)
                schedule_withdraw(c, id);
        (void) schedule_arm_next(c);
        bus_emit_changed(c, id, "synced");
        if (next_id)
                bus_emit_changed(c, next_id, "added");
}

/* Takes the file's version into the database. */
static int apply_task(Context *c, const Task *t, const char *path, const char *file_hash) {
        FollowupSynced in = {
                .uid = t->uid, .text = t->text, .has_due = t->has_due, .due = t->due,
                .done_at = t->done_at, .every = t->every, .every_fixed = t->every_fixed,
                .successor = !t->from_netctl, .sequence = t->sequence, .modified = t->modified,
                .contact = t->contact,
        };
        _cleanup_(followup_clear) Followup f = {};
        _cleanup_free_ char *text = NULL, *h = NULL;
        int64_t id, next_id = 0;
        int r;

        r = store_followup_put_synced(c->store, &in, context_now(c), &id, &next_id);
        if (r < 0)
                return log_warning_errno(r, "Cannot apply %s: %s", path, store_last_error(c->store));
        r = store_followup_get(c->store, id, &f);
        if (r < 0)
                return r;
        text = render_task(&f);
        if (!text)
                return -ENOMEM;
        h = hash_text(text, strlen(text));
        if (!h)
                return -ENOMEM;
        /* The file stays as its writer made it: netctl's rendering is
         * remembered, so that it is not written back. */
        (void) save_record(c, f.uid, path, file_hash, h, false);
        log_info("Sync: applied %s", path);
        applied(c, id, next_id);
        return 0;
}

/* Whether the file's version beats the database's. */
static bool remote_wins(const Task *t, const char *file_hash, const Followup *f, const char *db_hash) {
        if (t->sequence != f->sequence)
                return t->sequence > f->sequence;
        if (t->modified != f->modified)
                return t->modified > f->modified;
        return strcmp(file_hash, db_hash) > 0;
}

static int on_later(sd_event_source *es, uint64_t usec, void *userdata);

/* netctl's version of an item beat the one a syncer just wrote: it goes
 * back to the file a moment later, not at once.  vdirsyncer reads the
 * file's mtime and inode right after writing it, and would take a write
 * made in between for its own and never upload it. */
static int write_later(Sync *s, const char *kind, const char *uid, const char *path, const char *file_hash) {
        /* An empty netctl hash makes the next pass write the item. */
        int r = save_record_kind(s->c, kind, uid, path, file_hash, "", false);
        if (r < 0)
                return r;
        if (s->later)
                return 0;
        r = sd_event_add_time_relative(s->c->event, &s->later, CLOCK_MONOTONIC, SYNC_WRITE_BACK_DELAY_USEC, 0,
                                       on_later, s);
        if (r < 0)
                return log_warning_errno(r, "Cannot schedule writing back %s: %m", path);
        (void) sd_event_source_set_description(s->later, "sync-later");
        return 0;
}

/* A file was written, moved or linked in.  With `whole_only`, a file
 * that may still be being written (just created) is left for its
 * IN_CLOSE_WRITE unless it is complete. */
static int task_file_changed_full(Sync *s, const char *path, bool whole_only) {
        Context *c = s->c;
        _cleanup_free_ char *text = NULL, *file_hash = NULL, *db_text = NULL, *db_hash = NULL;
        _cleanup_free_ char *fallback = NULL;
        _cleanup_(sync_record_clear) SyncRecord rec = {};
        _cleanup_(followup_clear) Followup f = {};
        Task t = {};
        const char *reason;
        size_t len;
        int r;

        r = read_file(path, &text, &len);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return log_warning_errno(r, "Cannot read %s: %m", path);
        if (whole_only && !strstr(text, "END:VCALENDAR"))
                return 0;
        file_hash = hash_text(text, len);
        if (!file_hash)
                return -ENOMEM;

        r = store_sync_record_get_path(c->store, path, &rec);
        if (r < 0 && r != -ENOENT)
                return r;
        bool known = r >= 0;
        if (known && strcmp(rec.file_hash, file_hash) == 0)
                return 0;       /* our own write, or unchanged */

        fallback = g_path_get_basename(path);
        if (fallback && strlen(fallback) > 4)
                fallback[strlen(fallback) - 4] = '\0';
        r = parse_task(text, fallback, context_now(c), &t, &reason);
        if (r < 0) {
                log_warning("Sync: skipping %s: %s", path, reason);
                return 0;
        }

        if (!known) {
                /* The same item under another name (renamed)? */
                sync_record_clear(&rec);
                r = store_sync_record_get(c->store, SYNC_KIND_TASK, t.uid, &rec);
                known = r >= 0;
        }

        r = store_followup_get_by_uid(c->store, t.uid, &f);
        if (r == -ENOENT) {
                if (known)
                        record_conflict(c, SYNC_KIND_TASK, t.uid, NULL,
                                        "\"%s\" was removed in netctl and changed in %s; the change was kept",
                                        t.text, path);
                r = apply_task(c, &t, path, file_hash);
                goto out;
        }
        if (r < 0)
                goto out;

        db_text = render_task(&f);
        db_hash = db_text ? hash_text(db_text, strlen(db_text)) : NULL;
        if (!db_hash) {
                r = -ENOMEM;
                goto out;
        }
        if (strcmp(db_hash, file_hash) == 0) {
                /* netctl's own rendering (a write whose record was lost). */
                r = save_record(c, t.uid, path, file_hash, db_hash, true);
                goto out;
        }
        bool local_changed = !known || strcmp(rec.db_hash, db_hash) != 0;
        /* The file held netctl's version, and the new one does not build on
         * it (its SEQUENCE is not higher, and it changed LAST-MODIFIED): an
         * edit made elsewhere at the same time, which the syncer
         * (vdirsyncer's conflict_resolution) settled its own way.  A
         * program that touches neither makes a plain edit. */
        bool concurrent = known && rec.written &&
                          (t.sequence < f.sequence || (t.sequence == f.sequence && t.modified != f.modified));
        if (!local_changed && !concurrent) {
                r = apply_task(c, &t, path, file_hash);
                goto out;
        }

        /* Changed on both sides. */
        if (remote_wins(&t, file_hash, &f, db_hash)) {
                record_conflict(c, SYNC_KIND_TASK, t.uid, db_text,
                                "\"%s\" changed in netctl and in %s; the file's version (SEQUENCE %" PRId64
                                ") won over netctl's (SEQUENCE %" PRId64 ")",
                                t.text, path, t.sequence, f.sequence);
                r = apply_task(c, &t, path, file_hash);
        } else {
                record_conflict(c, SYNC_KIND_TASK, t.uid, text,
                                "\"%s\" changed in netctl and in %s; netctl's version (SEQUENCE %" PRId64
                                ") won over the file's (SEQUENCE %" PRId64 ")",
                                f.text, path, f.sequence, t.sequence);
                /* The resolution is a revision of its own, above both: the
                 * other side takes it as a plain change, and a syncer that
                 * remembers netctl's version as the file's before the
                 * conflict (vdirsyncer's "b wins") still sees it change. */
                FollowupSynced again = {
                        .uid = f.uid, .text = f.text, .has_due = true, .due = f.due, .done_at = f.done_at,
                        .every = f.every, .every_fixed = f.every_fixed,
                        .sequence = (f.sequence > t.sequence ? f.sequence : t.sequence) + 1,
                        .modified = context_now(c), .contact = f.contact,
                };
                int64_t id;
                r = store_followup_put_synced(c->store, &again, context_now(c), &id, NULL);
                if (r >= 0)
                        r = write_later(s, SYNC_KIND_TASK, t.uid, path, file_hash);
        }
out:
        task_clear(&t);
        if (r >= 0)
                note_in_step(&s->tasks, context_now(c));
        return r;
}

static int task_file_changed(Sync *s, const char *path) {
        return task_file_changed_full(s, path, false);
}

/* A file was deleted or moved out. */
static int task_file_gone(Sync *s, const char *path) {
        Context *c = s->c;
        _cleanup_(sync_record_clear) SyncRecord rec = {};
        _cleanup_(followup_clear) Followup f = {};
        _cleanup_free_ char *db_text = NULL, *db_hash = NULL;
        int r;

        if (access(path, F_OK) == 0)
                return 0;       /* replaced in the meantime: its own event follows */
        r = store_sync_record_get_path(c->store, path, &rec);
        if (r == -ENOENT)
                return 0;       /* never synced, or our own removal */
        if (r < 0)
                return r;

        r = store_followup_get_by_uid(c->store, rec.uid, &f);
        if (r == -ENOENT)
                return store_sync_record_delete(c->store, SYNC_KIND_TASK, rec.uid);
        if (r < 0)
                return r;

        db_text = render_task(&f);
        db_hash = db_text ? hash_text(db_text, strlen(db_text)) : NULL;
        if (!db_hash)
                return -ENOMEM;
        if (strcmp(db_hash, rec.db_hash) != 0) {
                record_conflict(c, SYNC_KIND_TASK, rec.uid, NULL,
                                "\"%s\" was deleted from %s and changed in netctl; the change was kept",
                                f.text, path);
                return write_task(c, &f, path);
        }

        r = store_followup_remove(c->store, f.id);
        if (r < 0 && r != -ENOENT)
                return log_warning_errno(r, "Cannot remove \"%s\": %s", f.text, store_last_error(c->store));
        (void) store_sync_record_delete(c->store, SYNC_KIND_TASK, rec.uid);
        log_info("Sync: %s deleted, follow-up %" PRId64 " removed", path, f.id);
        schedule_withdraw(c, f.id);
        (void) schedule_arm_next(c);
        bus_emit_changed(c, f.id, "removed");
        note_in_step(&s->tasks, context_now(c));
        return 0;
}

typedef struct OutPass {
        Sync *sync;
        GHashTable *seen;       /* contacts: the UIDs of those that go out */
        int error;
} OutPass;

/* One follow-up with its record (NULL: none yet). */
static int out_followup_record(const Followup *f, const SyncRecord *rec, void *userdata) {
        OutPass *p = userdata;
        Context *c = p->sync->c;
        _cleanup_free_ char *text = NULL, *h = NULL, *on_disk = NULL, *path = NULL, *key = NULL;
        int r;

        key = render_task_key(f);
        if (!key)
                return -ENOMEM;
        if (rec && strcmp(rec->db_key, key) == 0)
                return 0;       /* unchanged here, without rendering it */
        text = render_task(f);
        h = text ? hash_text(text, strlen(text)) : NULL;
        if (!h)
                return -ENOMEM;
        if (rec) {
                if (strcmp(rec->db_hash, h) == 0) {
                        /* Unchanged here: the next pass need not render it. */
                        (void) store_sync_record_set_db_key(c->store, rec->path, key);
                        return 0;
                }
                /* Changed here; if the file changed too, the inbound rules
                 * decide. */
                if (hash_file(rec->path, &on_disk) >= 0 && strcmp(on_disk, rec->file_hash) != 0) {
                        (void) task_file_changed(p->sync, rec->path);
                        return 0;
                }
                path = strdup(rec->path);
        } else {
                path = default_path(p->sync->tasks.dir, f->uid);
                if (path && access(path, F_OK) == 0) {
                        /* A file of that name we never saw: read it first. */
                        (void) task_file_changed(p->sync, path);
                        return 0;
                }
        }
        if (!path)
                return -ENOMEM;
        r = write_task(c, f, path);
        if (r < 0)
                p->error = r;
        return 0;
}

static int out_followup(const Followup *f, OutPass *p) {
        _cleanup_(sync_record_clear) SyncRecord rec = {};

        if (strcmp(f->kind, FOLLOWUP_KIND_FOLLOWUP) != 0)
                return 0;
        int r = store_sync_record_get(p->sync->c->store, SYNC_KIND_TASK, f->uid, &rec);
        if (r < 0 && r != -ENOENT)
                return r;
        return out_followup_record(f, r >= 0 ? &rec : NULL, p);
}

/* The record of a follow-up removed here. */
static int out_removed(const SyncRecord *rec, void *userdata) {
        OutPass *p = userdata;
        Context *c = p->sync->c;
        _cleanup_free_ char *on_disk = NULL;
        int r;

        r = hash_file(rec->path, &on_disk);
        if (r == -ENOENT)
                return store_sync_record_delete(c->store, SYNC_KIND_TASK, rec->uid);
        if (r < 0)
                return 0;
        if (strcmp(on_disk, rec->file_hash) != 0)
                /* Edited there after it was removed here: the edit wins. */
                return task_file_changed(p->sync, rec->path);
        if (unlink(rec->path) < 0 && errno != ENOENT) {
                p->error = log_warning_errno(-errno, "Cannot delete %s: %m", rec->path);
                return 0;
        }
        log_debug("Sync: deleted %s", rec->path);
        return store_sync_record_delete(c->store, SYNC_KIND_TASK, rec->uid);
}

static void tasks_outbound_done(Sync *s, OutPass *p, int r) {
        if (r >= 0 && p->error < 0)
                r = p->error;
        if (r < 0)
                snprintf(s->tasks.error, sizeof s->tasks.error, "writing the vdir failed: %s",
                         strerror(-r));
        else
                note_in_step(&s->tasks, context_now(s->c));
}

/* Only the follow-ups that changed (ids, or none), and the records of
 * removed ones: what the whole pass would write, with work for what
 * changed. */
static void tasks_outbound_changed(Sync *s, GHashTable *ids, bool removed) {
        Context *c = s->c;
        OutPass p = { .sync = s };
        GHashTableIter it;
        gpointer key;
        int r = 0;

        if (ids)
                g_hash_table_iter_init(&it, ids);
        while (ids && r >= 0 && g_hash_table_iter_next(&it, &key, NULL)) {
                _cleanup_(followup_clear) Followup f = {};
                r = store_followup_get(c->store, *(const int64_t *) key, &f);
                if (r == -ENOENT)
                        r = 0;          /* removed: an orphan below */
                else if (r >= 0)
                        r = out_followup(&f, &p);
        }
        if (r >= 0 && removed)
                r = store_sync_task_orphans(c->store, out_removed, &p);
        tasks_outbound_done(s, &p, r);
}

/* A contact arrived: follow-ups whose file names it (X-NETCTL-CONTACT)
 * and that came before it, as vdirsyncer syncs tasks before contacts, get
 * their link.  The file already says so: nothing is written. */
static int relink_one(const SyncRecord *rec, void *userdata) {
        Sync *s = userdata;
        Context *c = s->c;
        _cleanup_(followup_clear) Followup f = {};
        _cleanup_free_ char *text = NULL, *db_text = NULL, *db_hash = NULL;
        Task t = {};
        const char *reason;
        size_t len;
        int64_t id;

        if (store_followup_get_by_uid(c->store, rec->uid, &f) < 0 || f.contact)
                return 0;
        if (read_file(rec->path, &text, &len) < 0 || parse_task(text, rec->uid, context_now(c), &t, &reason) < 0)
                return 0;
        if (t.contact && strcmp(t.uid, f.uid) == 0) {
                FollowupSynced again = {
                        .uid = f.uid, .text = f.text, .has_due = true, .due = f.due, .done_at = f.done_at,
                        .every = f.every, .every_fixed = f.every_fixed, .sequence = f.sequence,
                        .modified = f.modified, .contact = t.contact,
                };
                int r = store_followup_put_synced(c->store, &again, context_now(c), &id, NULL);
                followup_clear(&f);     /* after: `again` points into it */
                if (r >= 0 && store_followup_get(c->store, id, &f) >= 0 && f.contact) {
                        db_text = render_task(&f);
                        db_hash = db_text ? hash_text(db_text, strlen(db_text)) : NULL;
                        if (db_hash)
                                (void) save_record(c, f.uid, rec->path, rec->file_hash, db_hash, rec->written);
                        bus_emit_changed(c, id, "edited");
                }
        }
        task_clear(&t);
        return 0;
}

/* ---- Contacts as vCard 4.0 ---- */

#define SYNC_KIND_CONTACT "contact"

static bool is_contact_file(const char *name) {
        size_t n = strlen(name);
        return name[0] != '.' && n > 4 && strcasecmp(name + n - 4, ".vcf") == 0;
}

static char *contact_default_path(const char *dir, const char *uid) {
        _cleanup_free_ char *ics = default_path(dir, uid);
        if (!ics)
                return NULL;
        /* default_path ends in ".ics": the same name as .vcf. */
        memcpy(ics + strlen(ics) - 4, ".vcf", 4);
        return TAKE_PTR(ics);
}

static int set_dup(char **field, const char *value) {
        if (!value)
                return 0;
        *field = strdup(value);
        return *field ? 0 : -ENOMEM;
}

/* The card of a contact: the fields netctl keeps, its own in X-NETCTL-*.
 * With `old` (the file as another program left it), what netctl does not
 * keep (TEL, ADR, BDAY, ...) is carried over. */
static char *render_contact(const Contact *ct, const VCard *old) {
        _cleanup_(vcard_freep) VCard *card = NULL;
        char buf[64];
        char *text = NULL;
        int r;

        if (vcard_new(&card) < 0)
                return NULL;
        r = set_dup(&card->uid, ct->uid);
        if (r >= 0)
                r = set_dup(&card->fn, ct->name);
        if (r >= 0) {
                /* N from the name: the last word as the family name. */
                const char *space = strrchr(ct->name, ' ');
                if (space) {
                        card->n[VCARD_N_FAMILY] = strdup(space + 1);
                        card->n[VCARD_N_GIVEN] = strndup(ct->name, (size_t) (space - ct->name));
                } else
                        card->n[VCARD_N_GIVEN] = strdup(ct->name);
        }
        if (r >= 0)
                r = set_dup(&card->org, ct->org);
        if (r >= 0)
                r = set_dup(&card->note, ct->note);
        for (size_t i = 0; r >= 0 && i < ct->n_emails; i++)
                r = vcard_add_email(card, ct->emails[i]);
        if (r >= 0 && ct->n_tags > 0) {
                card->categories = calloc(ct->n_tags, sizeof *card->categories);
                if (!card->categories)
                        r = -ENOMEM;
                for (size_t i = 0; r >= 0 && i < ct->n_tags; i++) {
                        r = set_dup(&card->categories[i], ct->tags[i]);
                        if (r >= 0)
                                card->n_categories++;
                }
        }
        if (r >= 0)
                r = vcard_set_extension(card, "X-NETCTL-HANDLE", ct->handle);
        if (r >= 0)
                r = vcard_set_extension(card, "X-NETCTL-TIE", ct->strong ? "strong" : "weak");
        if (r >= 0) {
                if (ct->cadence == PEOPLE_CADENCE_DEFAULT)
                        snprintf(buf, sizeof buf, "default");
                else if (ct->cadence == PEOPLE_CADENCE_OFF)
                        snprintf(buf, sizeof buf, "off");
                else
                        snprintf(buf, sizeof buf, "%" PRId64, ct->cadence);
                r = vcard_set_extension(card, "X-NETCTL-CADENCE", buf);
        }
        if (r >= 0 && ct->met)
                r = vcard_set_extension(card, "X-NETCTL-MET", ct->met);
        if (r >= 0) {
                snprintf(buf, sizeof buf, "%" PRId64, ct->modified);
                r = vcard_set_extension(card, "X-NETCTL-MODIFIED", buf);
        }
        unsigned flags = 0;
        /* Which version this one was made from (the time of the card it
         * replaces), so that another device can tell an edit of its own
         * version from one made at the same time. */
        if (r >= 0 && old && vcard_get_extension(old, "X-NETCTL-MODIFIED"))
                r = vcard_set_extension(card, "X-NETCTL-BASE", vcard_get_extension(old, "X-NETCTL-MODIFIED"));
        if (r >= 0 && old) {
                for (size_t i = 0; r >= 0 && i < old->n_tels; i++) {
                        char **more = realloc(card->tels, (card->n_tels + 1) * sizeof *more);
                        if (!more) {
                                r = -ENOMEM;
                                break;
                        }
                        card->tels = more;
                        r = set_dup(&card->tels[card->n_tels], old->tels[i]);
                        if (r >= 0)
                                card->n_tels++;
                }
                if (r >= 0 && old->raw) {
                        card->raw = malloc(old->raw_size + 1);
                        if (!card->raw)
                                r = -ENOMEM;
                        else {
                                memcpy(card->raw, old->raw, old->raw_size);
                                card->raw[old->raw_size] = '\0';
                                card->raw_size = old->raw_size;
                                card->version = old->version;
                                flags |= VCARD_WRITE_UNKNOWN;
                        }
                }
        }
        if (r < 0 || vcard_write_v4(card, flags, &text, NULL) < 0)
                return NULL;
        return text;
}

/* The first card of a file; NULL with a reason when there is none. */
static VCard *parse_card(const char *text, size_t len, const char **ret_reason) {
        _cleanup_(vcard_parse_result_freep) VCardParseResult *res = NULL;
        char reason[256];

        *ret_reason = "not a vCard";
        if (vcard_parse(text, len, &res, reason, sizeof reason) < 0 || res->n_cards == 0)
                return NULL;
        VCard *card = res->cards[res->n_cards - 1];
        res->cards[res->n_cards - 1] = NULL;
        return card;
}

static bool strv_has_ci(char *const *v, size_t n, const char *s) {
        for (size_t i = 0; i < n; i++)
                if (strcasecmp(v[i], s) == 0)
                        return true;
        return false;
}

static int64_t card_modified(const VCard *card) {
        const char *v = vcard_get_extension(card, "X-NETCTL-MODIFIED");
        char *end;
        long long n = v ? strtoll(v, &end, 10) : 0;
        return v && *end == '\0' && n > 0 ? n : 0;
}

/* Takes the card into the database: the fields it has; netctl's history
 * (interactions, cadence base) stays. */
static int apply_card(Sync *s, const VCard *card, const char *uid, const char *path, const char *file_hash) {
        Context *c = s->c;
        _cleanup_(contact_clear) Contact ct = {};
        ContactChanges ch = CONTACT_CHANGES_NONE;
        ReconnectChange rc = {};
        const char *reason, *v;
        const char *add_e[PEOPLE_EMAILS_MAX], *rm_e[PEOPLE_EMAILS_MAX];
        const char *add_t[PEOPLE_TAGS_MAX], *rm_t[PEOPLE_TAGS_MAX];
        int64_t id = 0;
        bool exists;
        int r;

        if (!card->fn || text_check_line(card->fn, NETCTL_NAME_MAX, false, &reason) < 0) {
                log_warning("Sync: skipping %s: the name: %s", path, card->fn ? reason : "none");
                return 0;
        }
        ch.name = card->fn;
        ch.org = card->org && text_check_line(card->org, NETCTL_NAME_MAX, true, NULL) >= 0 ? card->org : "";
        ch.note = card->note && text_check_multiline(card->note, NETCTL_NOTE_MAX, NULL) >= 0 ? card->note : "";
        if ((v = vcard_get_extension(card, "X-NETCTL-MET")) && text_check_line(v, NETCTL_TEXT_MAX, true, NULL) >= 0)
                ch.met = v;
        if ((v = vcard_get_extension(card, "X-NETCTL-TIE")))
                ch.strong = strcasecmp(v, "strong") == 0 ? 1 : strcasecmp(v, "weak") == 0 ? 0 : -1;
        if ((v = vcard_get_extension(card, "X-NETCTL-CADENCE"))) {
                char *end;
                long long n = strtoll(v, &end, 10);
                if (strcasecmp(v, "default") == 0)
                        ch.cadence = PEOPLE_CADENCE_DEFAULT;
                else if (strcasecmp(v, "off") == 0)
                        ch.cadence = PEOPLE_CADENCE_OFF;
                else if (*end == '\0' && n >= PEOPLE_CADENCE_MIN && n <= 10LL * 366 * 86400)
                        ch.cadence = n;
        }

        exists = store_contact_get_by_uid(c->store, uid, &id) >= 0;
        if (exists) {
                r = store_contact_get(c->store, id, &ct);
                if (r < 0)
                        return r;
        }
        size_t n_add_e = 0, n_rm_e = 0, n_add_t = 0, n_rm_t = 0;
        for (size_t i = 0; i < card->n_emails && n_add_e < PEOPLE_EMAILS_MAX; i++)
                if (!strv_has_ci(ct.emails, ct.n_emails, card->emails[i]))
                        add_e[n_add_e++] = card->emails[i];
        for (size_t i = 0; i < ct.n_emails && n_rm_e < PEOPLE_EMAILS_MAX; i++)
                if (!strv_has_ci(card->emails, card->n_emails, ct.emails[i]))
                        rm_e[n_rm_e++] = ct.emails[i];
        for (size_t i = 0; i < card->n_categories && n_add_t < PEOPLE_TAGS_MAX; i++)
                if (people_tag_check(card->categories[i], NULL) >= 0 &&
                    !strv_has_ci(ct.tags, ct.n_tags, card->categories[i]))
                        add_t[n_add_t++] = card->categories[i];
        for (size_t i = 0; i < ct.n_tags && n_rm_t < PEOPLE_TAGS_MAX; i++)
                if (!strv_has_ci(card->categories, card->n_categories, ct.tags[i]))
                        rm_t[n_rm_t++] = ct.tags[i];
        ch.add_emails = add_e;
        ch.n_add_emails = n_add_e;
        ch.remove_emails = rm_e;
        ch.n_remove_emails = n_rm_e;
        ch.add_tags = add_t;
        ch.n_add_tags = n_add_t;
        ch.remove_tags = rm_t;
        ch.n_remove_tags = n_rm_t;

        r = store_batch_begin(c->store);
        if (r < 0)
                return r;
        if (exists) {
                /* Archived here, edited there: it comes back. */
                if (ct.archived_at)
                        ch.archived = 0;
                r = store_contact_edit(c->store, id, &ch, contacts_weak_cadence(c), context_now(c), &rc);
        } else {
                if ((v = vcard_get_extension(card, "X-NETCTL-HANDLE")) && people_handle_check(v, NULL) >= 0)
                        ch.handle = v;
                r = store_contact_add(c->store, &ch, contacts_weak_cadence(c), context_now(c), &id, &rc);
                if (r == -EEXIST && ch.handle) {
                        ch.handle = NULL;       /* taken here by someone else */
                        r = store_contact_add(c->store, &ch, contacts_weak_cadence(c), context_now(c), &id, &rc);
                }
                if (r >= 0)
                        r = store_contact_set_uid(c->store, id, uid);
        }
        if (r >= 0)
                r = store_batch_commit(c->store);
        if (r < 0) {
                store_batch_rollback(c->store);
                record_conflict(c, SYNC_KIND_CONTACT, uid, NULL, "the card of %s in %s was not applied: %s",
                                card->fn, path, store_last_error(c->store));
                return r;
        }

        /* The time of the change as the writing device had it, so that
         * every device compares the same times. */
        if (card_modified(card) > 0)
                (void) store_contact_set_modified(c->store, id, card_modified(card));
        contact_clear(&ct);
        r = store_contact_get(c->store, id, &ct);
        if (r < 0)
                return r;
        _cleanup_free_ char *text = render_contact(&ct, NULL);
        _cleanup_free_ char *h = text ? hash_text(text, strlen(text)) : NULL;
        if (!h)
                return -ENOMEM;
        (void) save_record_kind(c, SYNC_KIND_CONTACT, uid, path, file_hash, h, false);
        log_info("Sync: applied %s", path);
        contacts_reconnect_changed(c, &rc);
        contacts_emit_changed(c, id, exists ? "edited" : "added");
        if (!exists && s->tasks.watch)
                (void) store_sync_record_each(c->store, SYNC_KIND_TASK, relink_one, s);
        return 0;
}

/* Writes a contact's card to path, keeping what the file held beyond
 * netctl's fields; remembers both hashes. */
static int write_contact(Context *c, const Contact *ct, const char *path) {
        _cleanup_free_ char *old_text = NULL, *db_text = NULL, *db_hash = NULL, *text = NULL, *h = NULL;
        _cleanup_(vcard_freep) VCard *old = NULL;
        const char *reason;
        size_t len;
        int r;

        if (read_file(path, &old_text, &len) >= 0)
                old = parse_card(old_text, len, &reason);
        db_text = render_contact(ct, NULL);
        text = render_contact(ct, old);
        if (!db_text || !text)
                return -ENOMEM;
        db_hash = hash_text(db_text, strlen(db_text));
        h = hash_text(text, strlen(text));
        if (!db_hash || !h)
                return -ENOMEM;
        if (!old_text || strcmp(old_text, text) != 0) {
                r = write_atomic(c->sync, path, text);
                if (r < 0)
                        return log_warning_errno(r, "Cannot write %s: %m", path);
                log_debug("Sync: wrote %s", path);
        }
        return save_record_kind(c, SYNC_KIND_CONTACT, ct->uid, path, h, db_hash, true);
}

static int contact_file_changed_full(Sync *s, const char *path, bool whole_only) {
        Context *c = s->c;
        _cleanup_free_ char *text = NULL, *file_hash = NULL, *db_text = NULL, *db_hash = NULL, *uid = NULL;
        _cleanup_(sync_record_clear) SyncRecord rec = {};
        _cleanup_(contact_clear) Contact ct = {};
        _cleanup_(vcard_freep) VCard *card = NULL;
        const char *reason;
        int64_t id;
        size_t len;
        int r;

        r = read_file(path, &text, &len);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return log_warning_errno(r, "Cannot read %s: %m", path);
        if (whole_only && !strcasestr(text, "END:VCARD"))
                return 0;
        file_hash = hash_text(text, len);
        if (!file_hash)
                return -ENOMEM;
        r = store_sync_record_get_path(c->store, path, &rec);
        if (r < 0 && r != -ENOENT)
                return r;
        bool known = r >= 0;
        if (known && strcmp(rec.file_hash, file_hash) == 0)
                return 0;

        card = parse_card(text, len, &reason);
        if (!card) {
                log_warning("Sync: skipping %s: %s", path, reason);
                return 0;
        }
        if (card->uid)
                uid = strdup(card->uid);
        else {
                uid = g_path_get_basename(path);
                if (uid && strlen(uid) > 4)
                        uid[strlen(uid) - 4] = '\0';
        }
        if (!uid)
                return -ENOMEM;
        if (text_check_line(uid, 255, false, &reason) < 0) {
                log_warning("Sync: skipping %s: the UID: %s", path, reason);
                return 0;
        }
        if (!known) {
                sync_record_clear(&rec);
                known = store_sync_record_get(c->store, SYNC_KIND_CONTACT, uid, &rec) >= 0;
        }

        r = store_contact_get_by_uid(c->store, uid, &id);
        if (r >= 0)
                r = store_contact_get(c->store, id, &ct);
        if (r == -ENOENT || (r >= 0 && ct.archived_at != 0 && !known)) {
                if (known && r == -ENOENT)
                        record_conflict(c, SYNC_KIND_CONTACT, uid, NULL,
                                        "%s was removed in netctl and changed in %s; the change was kept",
                                        card->fn ? card->fn : uid, path);
                r = apply_card(s, card, uid, path, file_hash);
                goto out;
        }
        if (r < 0)
                return r;

        db_text = render_contact(&ct, NULL);
        db_hash = db_text ? hash_text(db_text, strlen(db_text)) : NULL;
        if (!db_hash)
                return -ENOMEM;
        bool local_changed = !known || strcmp(rec.db_hash, db_hash) != 0;
        int64_t remote = card_modified(card);
        const char *base_text = vcard_get_extension(card, "X-NETCTL-BASE");
        int64_t base = base_text ? strtoll(base_text, NULL, 10) : 0;
        /* As for tasks: netctl's card replaced by another netctl's that was
         * not made from it (X-NETCTL-BASE); a phone keeps the X-NETCTL-*
         * lines as they are. */
        bool concurrent = known && rec.written && remote > 0 &&
                          remote != ct.modified && base != ct.modified;
        if (!local_changed && !concurrent) {
                r = apply_card(s, card, uid, path, file_hash);
                goto out;
        }
        bool remote_newer = remote != ct.modified ? remote > ct.modified : strcmp(file_hash, db_hash) > 0;
        if (remote_newer) {
                record_conflict(c, SYNC_KIND_CONTACT, uid, db_text,
                                "%s changed in netctl and in %s; the file's version won", ct.name, path);
                r = apply_card(s, card, uid, path, file_hash);
        } else {
                record_conflict(c, SYNC_KIND_CONTACT, uid, text,
                                "%s changed in netctl and in %s; netctl's version won", ct.name, path);
                /* A revision of its own, as for tasks. */
                int64_t now = context_now(c);
                r = store_contact_set_modified(c->store, ct.id, now > remote && now > ct.modified ? now :
                                               (remote > ct.modified ? remote : ct.modified) + 1);
                if (r >= 0)
                        r = write_later(s, SYNC_KIND_CONTACT, uid, path, file_hash);
        }
out:
        if (r >= 0)
                note_in_step(&s->contacts, context_now(c));
        return r;
}

static int contact_file_gone(Sync *s, const char *path) {
        Context *c = s->c;
        _cleanup_(sync_record_clear) SyncRecord rec = {};
        _cleanup_(contact_clear) Contact ct = {};
        _cleanup_free_ char *db_text = NULL, *db_hash = NULL;
        ReconnectChange rc = {};
        int64_t id;
        int r;

        if (access(path, F_OK) == 0)
                return 0;
        r = store_sync_record_get_path(c->store, path, &rec);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        r = store_contact_get_by_uid(c->store, rec.uid, &id);
        if (r >= 0)
                r = store_contact_get(c->store, id, &ct);
        if (r == -ENOENT || (r >= 0 && ct.archived_at != 0))
                return store_sync_record_delete(c->store, SYNC_KIND_CONTACT, rec.uid);
        if (r < 0)
                return r;
        db_text = render_contact(&ct, NULL);
        db_hash = db_text ? hash_text(db_text, strlen(db_text)) : NULL;
        if (!db_hash)
                return -ENOMEM;
        if (strcmp(db_hash, rec.db_hash) != 0) {
                record_conflict(c, SYNC_KIND_CONTACT, rec.uid, NULL,
                                "%s was deleted from %s and changed in netctl; the change was kept", ct.name, path);
                return write_contact(c, &ct, path);
        }
        /* Deleted there: gone here too, but logged history is never
         * dropped: a contact with interactions is archived instead. */
        r = store_contact_remove(c->store, id, CONTACT_REMOVE, context_now(c), NULL, &rc);
        if (r == -ENOTEMPTY)
                r = store_contact_remove(c->store, id, CONTACT_REMOVE_ARCHIVE, context_now(c), NULL, &rc);
        if (r < 0)
                return log_warning_errno(r, "Cannot remove %s: %s", ct.name, store_last_error(c->store));
        (void) store_sync_record_delete(c->store, SYNC_KIND_CONTACT, rec.uid);
        log_info("Sync: %s deleted, contact %s removed (archived if it had history)", path, ct.handle);
        contacts_reconnect_changed(c, &rc);
        contacts_emit_changed(c, id, "removed");
        note_in_step(&s->contacts, context_now(c));
        return 0;
}

static int out_contact(const Contact *ct, void *userdata) {
        OutPass *p = userdata;
        Context *c = p->sync->c;
        _cleanup_(sync_record_clear) SyncRecord rec = {};
        _cleanup_free_ char *text = NULL, *h = NULL, *on_disk = NULL, *path = NULL;
        int r;

        g_hash_table_add(p->seen, g_strdup(ct->uid));
        text = render_contact(ct, NULL);
        h = text ? hash_text(text, strlen(text)) : NULL;
        if (!h)
                return -ENOMEM;
        r = store_sync_record_get(c->store, SYNC_KIND_CONTACT, ct->uid, &rec);
        if (r < 0 && r != -ENOENT)
                return r;
        if (r >= 0) {
                if (strcmp(rec.db_hash, h) == 0)
                        return 0;
                if (hash_file(rec.path, &on_disk) >= 0 && strcmp(on_disk, rec.file_hash) != 0) {
                        (void) contact_file_changed_full(p->sync, rec.path, false);
                        return 0;
                }
                path = strdup(rec.path);
        } else {
                path = contact_default_path(p->sync->contacts.dir, ct->uid);
                if (path && access(path, F_OK) == 0) {
                        (void) contact_file_changed_full(p->sync, path, false);
                        return 0;
                }
        }
        if (!path)
                return -ENOMEM;
        r = write_contact(c, ct, path);
        if (r < 0)
                p->error = r;
        return 0;
}

static int out_contact_removed(const SyncRecord *rec, void *userdata) {
        OutPass *p = userdata;
        Context *c = p->sync->c;
        _cleanup_free_ char *on_disk = NULL;
        int r;

        if (g_hash_table_contains(p->seen, rec->uid))
                return 0;
        r = hash_file(rec->path, &on_disk);
        if (r == -ENOENT)
                return store_sync_record_delete(c->store, SYNC_KIND_CONTACT, rec->uid);
        if (r < 0)
                return 0;
        if (strcmp(on_disk, rec->file_hash) != 0)
                return contact_file_changed_full(p->sync, rec->path, false);
        if (unlink(rec->path) < 0 && errno != ENOENT) {
                p->error = log_warning_errno(-errno, "Cannot delete %s: %m", rec->path);
                return 0;
        }
        return store_sync_record_delete(c->store, SYNC_KIND_CONTACT, rec->uid);
}

static void contacts_outbound(Sync *s) {
        Context *c = s->c;
        OutPass p = { .sync = s, .seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL) };
        ContactFilter filter = { .strong = -1 };
        int r;

        r = store_contact_list(c->store, &filter, out_contact, &p);
        if (r >= 0)
                r = store_sync_record_each(c->store, SYNC_KIND_CONTACT, out_contact_removed, &p);
        g_hash_table_unref(p.seen);
        if (r >= 0 && p.error < 0)
                r = p.error;
        if (r < 0)
                snprintf(s->contacts.error, sizeof s->contacts.error, "writing the vdir failed: %s",
                         strerror(-r));
        else
                note_in_step(&s->contacts, context_now(c));
}

/* ---- Both ---- */

/* A pass over everything (at start-up, after a reload, when it is not
 * known what changed) writes a file and saves a record per item.  Done
 * one by one, that was two fsyncs and a commit each: linking a vdir to
 * 100,000 follow-ups kept netctld busy for minutes.  Such a pass now
 * saves its records in one transaction and writes its files as
 * temporaries; at its end one syncfs() makes them durable, they are
 * renamed into place, the directories synced, and only then do the
 * records commit.  A crash leaves at most files without records, which
 * the next pass reads as files it has not seen, or hidden temporaries,
 * which the watch ignores and the next write of the item replaces. */
static bool pass_begin(Sync *s) {
        int r = store_batch_begin(s->c->store);
        if (r < 0) {
                log_warning_errno(r, "Sync: cannot begin the pass's transaction, committing each item: %m");
                return false;
        }
        s->deferred = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        s->deferring = true;
        return true;
}

/* Puts the pass's temporaries in place: 0, or negative errno with the
 * ones not renamed removed. */
static int deferred_commit(Sync *s) {
        const char *dirs[] = { s->tasks.watch ? s->tasks.dir : NULL, s->contacts.watch ? s->contacts.dir : NULL };
        guint n = g_hash_table_size(s->deferred);
        GHashTableIter it;
        gpointer path, tmp;
        int r = 0;

        if (n == 0)
                return 0;
        /* Each temporary lies in one of the two directories: when they
         * are many, a syncfs() of each one's file system; else an fsync of
         * each temporary, once. */
        _cleanup_free_ char **temporaries = malloc(n * sizeof *temporaries);
        size_t k = 0;
        if (!temporaries)
                r = -ENOMEM;
        g_hash_table_iter_init(&it, s->deferred);
        while (temporaries && g_hash_table_iter_next(&it, NULL, &tmp))
                temporaries[k++] = tmp;
        bool each_synced = false;
        for (size_t i = 0; i < ELEMENTSOF(dirs) && r >= 0; i++) {
                if (!dirs[i] || (each_synced && n <= SYNC_EACH_MAX))
                        continue;
                _cleanup_close_ int dfd = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                r = dfd < 0 ? -errno : sync_files(dfd, temporaries, n);
                each_synced = true;
        }
        /* Renamed ones leave the table; what stays is removed. */
        g_hash_table_iter_init(&it, s->deferred);
        while (r >= 0 && g_hash_table_iter_next(&it, &path, &tmp)) {
                if (rename(tmp, path) < 0)
                        r = -errno;
                else
                        g_hash_table_iter_remove(&it);
        }
        for (size_t i = 0; i < ELEMENTSOF(dirs) && r >= 0; i++) {
                _cleanup_close_ int dfd = dirs[i] ? open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
                if (dfd >= 0)
                        (void) fsync(dfd);
        }
        g_hash_table_iter_init(&it, s->deferred);
        while (g_hash_table_iter_next(&it, NULL, &tmp))
                (void) unlink(tmp);
        return r;
}

static void pass_end(Sync *s, bool began) {
        if (!began)
                return;
        s->deferring = false;
        int r = deferred_commit(s);
        if (r < 0) {
                log_warning_errno(r, "Sync: cannot put the pass's files in place (%m); the next pass writes again");
                store_batch_rollback(s->c->store);
        } else {
                r = store_batch_commit(s->c->store);
                if (r < 0)
                        log_warning_errno(r, "Sync: cannot commit the pass (%s); the next pass writes again",
                                          store_last_error(s->c->store));
        }
        g_hash_table_unref(s->deferred);
        s->deferred = NULL;
}

static void scan_schedule_outbound(Sync *s);

static int on_pass(sd_event_source *es, void *userdata) {
        Sync *s = userdata;
        if (s->scan) {
                /* Scheduled before a scan began: runs after it. */
                s->pass = sd_event_source_disable_unref(s->pass);
                s->pass_after_scan = true;
                return 0;
        }
        /* Taken first: the pass's own changes (an edit read from a file)
         * are noted for the next one. */
        bool all = s->tasks_all, removed = s->tasks_removed;
        GHashTable *changed = TAKE_PTR(s->tasks_changed);
        s->tasks_all = s->tasks_removed = false;

        s->pass = sd_event_source_disable_unref(s->pass);
        if (s->tasks.watch && all)
                scan_schedule_outbound(s);
        else if (s->tasks.watch && (changed || removed))
                tasks_outbound_changed(s, changed, removed);
        if (changed)
                g_hash_table_unref(changed);
        if (s->contacts.watch)
                contacts_outbound(s);
        return 0;
}

static int on_later(sd_event_source *es, uint64_t usec, void *userdata) {
        Sync *s = userdata;
        s->later = sd_event_source_disable_unref(s->later);
        /* write_later() left the item's record for a pass to rewrite: it
         * names no follow-up id, so look at all of them. */
        s->tasks_all = true;
        return on_pass(NULL, s);
}

static void schedule_pass(Sync *s) {
        if (s->scan) {
                /* The scan may have passed the item already: a pass after it. */
                s->pass_after_scan = true;
                return;
        }
        if (s->pass)
                return;         /* the pending pass will see the change */
        if (sd_event_add_defer(s->c->event, &s->pass, on_pass, s) < 0)
                return;
        (void) sd_event_source_set_description(s->pass, "sync-pass");
}

void sync_note_contact(Context *c, const char *change) {
        static const char *const unlinked[] = { "logged", "unlogged", "added", "archived" };
        Sync *s = c->sync;
        if (!s || (!s->tasks.watch && !s->contacts.watch))
                return;
        /* A contact's handle is in its follow-ups' files (X-NETCTL-CONTACT):
         * an edit may change it, a removal drops it, an import may do
         * either.  The rest leave those files as they are. */
        bool keeps_links = false;
        for (size_t i = 0; i < ELEMENTSOF(unlinked) && change; i++)
                keeps_links = keeps_links || strcmp(change, unlinked[i]) == 0;
        if (!keeps_links)
                s->tasks_all = true;
        schedule_pass(s);
}

void sync_note_followup(Context *c, int64_t id, const char *change) {
        Sync *s = c->sync;
        if (!s || (!s->tasks.watch && !s->contacts.watch))
                return;
        if (id <= 0)
                s->tasks_all = true;
        else if (!s->tasks_all) {
                if (!s->tasks_changed)
                        s->tasks_changed = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
                gint64 *key = g_new(gint64, 1);
                *key = id;
                g_hash_table_add(s->tasks_changed, key);
        }
        if (change && strcmp(change, "removed") == 0)
                s->tasks_removed = true;
        schedule_pass(s);
}

static int scan_task_gone(const SyncRecord *rec, void *userdata) {
        if (access(rec->path, F_OK) < 0 && errno == ENOENT)
                (void) task_file_gone(userdata, rec->path);
        return 0;
}

static int scan_contact_gone(const SyncRecord *rec, void *userdata) {
        if (access(rec->path, F_OK) < 0 && errno == ENOENT)
                (void) contact_file_gone(userdata, rec->path);
        return 0;
}

static bool in_dir(const char *path, const char *dir) {
        size_t n = strlen(dir);
        return strncmp(path, dir, n) == 0 && path[n] == '/' && !strchr(path + n + 1, '/');
}

static bool scan_contacts(const Sync *s) {
        return s->scanning.link == &s->contacts;
}

static void scan_file_changed(Sync *s, const char *path) {
        if (scan_contacts(s))
                (void) contact_file_changed_full(s, path, false);
        else
                (void) task_file_changed(s, path);
}

/* One remembered file.  A file in the state its record noted is
 * unchanged and not read; one read and found unchanged has its state
 * noted, once settled, for the next scan. */
static int scan_record(const SyncRecord *rec, void *userdata) {
        Sync *s = userdata;
        Scan *sc = &s->scanning;
        _cleanup_free_ char *text = NULL, *file_hash = NULL;
        char state[FILE_STAT_MAX];
        struct stat st;
        size_t len;

        if (lstat(rec->path, &st) < 0) {
                /* Gone, or renamed to a file not yet seen: told apart
                 * after the new files are read. */
                sc->missing += errno == ENOENT;
                return 0;
        }
        if (!in_dir(rec->path, sc->link->dir))
                return 0;       /* a directory linked before: only whether it is gone */
        sc->present++;
        if (rec->file_stat[0]) {
                file_stat_text(&st, state);
                if (strcmp(state, rec->file_stat) == 0) {
                        sc->unchanged++;
                        return 0;
                }
        }
        sc->read++;
        if (read_file_stat(rec->path, &text, &len, &st) >= 0) {
                file_hash = hash_text(text, len);
                if (file_hash && strcmp(file_hash, rec->file_hash) == 0) {
                        if (file_stat_settled(&st)) {
                                file_stat_text(&st, state);
                                (void) store_sync_record_set_file_stat(s->c->store, rec->path, state);
                        }
                        return 0;
                }
        }
        scan_file_changed(s, rec->path);
        return 0;
}

/* Counts up to 16 pages of the directory's files; false at its end. */
static bool scan_count(Sync *s) {
        Scan *sc = &s->scanning;
        struct dirent *de;

        for (unsigned n = 0; n < 16 * STORE_SYNC_PAGE; n++) {
                if (!(de = readdir(sc->dir)))
                        return false;
                if (scan_contacts(s) ? is_contact_file(de->d_name) : is_task_file(de->d_name))
                        sc->files++;
        }
        return true;
}

/* Up to a page of the directory's files; false at its end. */
static bool scan_new_files(Sync *s) {
        Scan *sc = &s->scanning;
        struct dirent *de;

        for (unsigned n = 0; n < STORE_SYNC_PAGE; n++) {
                _cleanup_(sync_record_clear) SyncRecord rec = {};
                char path[4096];
                if (!(de = readdir(sc->dir)))
                        return false;
                if (!(scan_contacts(s) ? is_contact_file(de->d_name) : is_task_file(de->d_name)))
                        continue;
                if ((size_t) snprintf(path, sizeof path, "%s/%s", sc->link->dir, de->d_name) >= sizeof path)
                        continue;
                if (store_sync_record_get_path(s->c->store, path, &rec) != -ENOENT)
                        continue;
                sc->new++;
                scan_file_changed(s, path);
        }
        return true;
}

/* Moves the cursor's walk on to `step`. */
static void scan_goto(Scan *sc, ScanStep step) {
        sc->step = step;
        free(sc->after);
        sc->after = strdup("");
}

/* One step of the scan of sc->link. */
static void scan_step(Sync *s) {
        Scan *sc = &s->scanning;
        SyncLink *l = sc->link;
        bool contacts = scan_contacts(s);
        const char *kind = contacts ? SYNC_KIND_CONTACT : SYNC_KIND_TASK;
        OutPass p = { .sync = s };
        int n = 0;

        if (!sc->after && sc->step != SCAN_OPEN) {
                /* The cursor could not be made: the link is left out of
                 * step, and the next scan tries again. */
                snprintf(l->error, sizeof l->error, "scanning the directory failed: %s", strerror(ENOMEM));
                sc->step = SCAN_LINK_DONE;
                return;
        }
        switch (sc->step) {
        case SCAN_OPEN:
                l->scanning = true;
                l->error[0] = '\0';
                sc->dir = opendir(l->dir);
                if (!sc->dir) {
                        snprintf(l->error, sizeof l->error, "cannot read the directory: %s", strerror(errno));
                        sc->step = SCAN_LINK_DONE;
                        return;
                }
                scan_goto(sc, SCAN_RECORDS);
                return;
        case SCAN_RECORDS:
                n = store_sync_record_page(s->c->store, kind, &sc->after, scan_record, s);
                if (n < STORE_SYNC_PAGE)
                        scan_goto(sc, SCAN_COUNT);
                return;
        case SCAN_COUNT:
                /* When the directory holds as many files as the records
                 * found there, each names one and none is new: the
                 * look-ups by name, one per file, are saved.  Unless files
                 * came and went meanwhile, which could even the count. */
                if (scan_count(s))
                        return;
                rewinddir(sc->dir);
                scan_goto(sc, sc->files != sc->present || sc->disturbed ? SCAN_NEW_FILES : SCAN_GONE);
                return;
        case SCAN_NEW_FILES:
                if (!scan_new_files(s))
                        scan_goto(sc, SCAN_GONE);
                return;
        case SCAN_GONE:
                if (sc->missing > 0)
                        n = store_sync_record_page(s->c->store, kind, &sc->after,
                                                   contacts ? scan_contact_gone : scan_task_gone, s);
                if (n < STORE_SYNC_PAGE)
                        scan_goto(sc, SCAN_OUT);
                return;
        case SCAN_OUT:
                if (contacts) {
                        contacts_outbound(s);
                        sc->step = SCAN_LINK_DONE;
                        return;
                }
                n = store_followup_synced_page(s->c->store, &sc->after, out_followup_record, &p);
                break;
        case SCAN_ORPHANS:
                n = store_sync_task_orphans_page(s->c->store, &sc->after, out_removed, &p);
                break;
        case SCAN_LINK_DONE:
                return;
        }
        /* The follow-ups' outbound walk, then the records of those
         * removed here; its outcome is the link's. */
        if (p.error < 0 && sc->out_error == 0)
                sc->out_error = p.error;
        if (n >= STORE_SYNC_PAGE)
                return;
        if (n >= 0 && sc->step == SCAN_OUT) {
                scan_goto(sc, SCAN_ORPHANS);
                return;
        }
        tasks_outbound_done(s, &(OutPass) { .sync = s, .error = sc->out_error }, n < 0 ? n : 0);
        sc->step = SCAN_LINK_DONE;
}

static void scan_schedule(Sync *s);

static int on_scan(sd_event_source *es, void *userdata) {
        Sync *s = userdata;
        Scan *sc = &s->scanning;

        if (!sc->link) {
                /* Everything is looked at: what was noted for a pass is
                 * in it.  Contacts first: follow-ups may name them. */
                s->tasks_all = s->tasks_removed = s->pass_after_scan = false;
                if (s->tasks_changed)
                        g_hash_table_remove_all(s->tasks_changed);
                sc->link = s->contacts.watch ? &s->contacts : &s->tasks;
        }
        if (sc->link->watch) {
                bool batch = pass_begin(s);
                scan_step(s);
                pass_end(s, batch);
        } else
                sc->step = SCAN_LINK_DONE;
        if (sc->step != SCAN_LINK_DONE)
                return 0;

        sc->link->scanning = false;
        if (sc->link->watch && !sc->link->error[0])
                note_in_step(sc->link, context_now(s->c));
        if (sc->link->watch && !sc->link->error[0] && !sc->outbound_only)
                log_info("Sync: %s in step: %zu files unchanged since they were last seen, %zu read, %zu new, "
                         "%zu gone", sc->link->dir, sc->unchanged, sc->read, sc->new, sc->missing);
        bool tasks_next = sc->link == &s->contacts && s->tasks.watch;
        scan_clear(sc);
        if (tasks_next) {
                sc->link = &s->tasks;
                return 0;
        }
        s->scan = sd_event_source_disable_unref(s->scan);
        if (s->scan_again) {
                s->scan_again = false;
                scan_schedule(s);
        } else if (s->pass_after_scan) {
                s->pass_after_scan = false;
                schedule_pass(s);
        }
        return 0;
}

/* A scan from the start; when one is on its way, again after it. */
static void scan_schedule(Sync *s) {
        if (s->scan) {
                s->scan_again = true;
                return;
        }
        int r = sd_event_add_defer(s->c->event, &s->scan, on_scan, s);
        if (r < 0) {
                log_warning_errno(r, "Cannot schedule the sync scan: %m");
                return;
        }
        /* A step each turn of the loop until it is done. */
        (void) sd_event_source_set_enabled(s->scan, SD_EVENT_ON);
        (void) sd_event_source_set_priority(s->scan, SD_EVENT_PRIORITY_IDLE);
        (void) sd_event_source_set_description(s->scan, "sync-scan");
}

/* Every follow-up and every task record, when it is not known which
 * follow-ups changed (a contact's handle, a write-back): the scan's last
 * two steps, a page per turn as well. */
static void scan_schedule_outbound(Sync *s) {
        scan_schedule(s);
        if (!s->scan || s->scan_again)
                return;
        s->scanning.link = &s->tasks;
        s->scanning.outbound_only = true;
        scan_goto(&s->scanning, SCAN_OUT);
}

static int on_inotify(sd_event_source *es, const struct inotify_event *ev, void *userdata) {
        Sync *s = userdata;
        bool contacts = es == s->contacts.watch;
        SyncLink *l = contacts ? &s->contacts : &s->tasks;
        char path[4096];

        if (ev->mask & IN_Q_OVERFLOW) {
                /* Events were lost: look at everything (again). */
                scan_schedule(s);
                return 0;
        }
        if (ev->len == 0 || !(contacts ? is_contact_file(ev->name) : is_task_file(ev->name)))
                return 0;
        if ((size_t) snprintf(path, sizeof path, "%s/%s", l->dir, ev->name) >= sizeof path)
                return 0;
        if (s->scan && s->scanning.link == l && s->scanning.step <= SCAN_COUNT)
                s->scanning.disturbed = true;
        if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE)) {
                bool whole_only = !(ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO));
                if (contacts)
                        (void) contact_file_changed_full(s, path, whole_only);
                else
                        (void) task_file_changed_full(s, path, whole_only);
        } else if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) {
                if (contacts)
                        (void) contact_file_gone(s, path);
                else
                        (void) task_file_gone(s, path);
        }
        return 0;
}

static int mkdir_parents(const char *dir) {
        _cleanup_free_ char *copy = strdup(dir);
        if (!copy)
                return -ENOMEM;
        for (char *p = copy + 1; *p; p++)
                if (*p == '/') {
                        *p = '\0';
                        if (mkdir(copy, 0700) < 0 && errno != EEXIST)
                                return -errno;
                        *p = '/';
                }
        if (mkdir(copy, 0700) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

static int link_setup(Sync *s, SyncLink *l, const char *kind, const char *dir) {
        int r;

        l->kind = kind;
        l->dir = strdup(dir);
        if (!l->dir)
                return -ENOMEM;
        r = mkdir_parents(dir);
        if (r >= 0)
                r = sd_event_add_inotify(s->c->event, &l->watch, dir, SYNC_MASK, on_inotify, s);
        if (r < 0) {
                snprintf(l->error, sizeof l->error, "cannot watch the directory: %s", strerror(-r));
                log_warning_errno(r, "Cannot link the %s vdir %s: %m", kind, dir);
                return 0;
        }
        (void) sd_event_source_set_description(l->watch, "sync-watch");
        return 0;
}


int sync_setup(Context *c) {
        Sync *s = c->sync;
        int r;

        if (s) {
                link_clear(&s->tasks);
                link_clear(&s->contacts);
                s->pass = sd_event_source_disable_unref(s->pass);
                /* A scan on its way starts again, over the new links. */
                scan_clear(&s->scanning);
                s->scan = sd_event_source_disable_unref(s->scan);
                s->scan_again = false;
        } else {
                s = calloc(1, sizeof *s);
                if (!s)
                        return -ENOMEM;
                s->c = c;
                c->sync = s;
        }

        if (c->config.n_sync_tasks > 0) {
                r = link_setup(s, &s->tasks, SYNC_KIND_TASK, c->config.sync_tasks[0]);
                if (r < 0)
                        return r;
        }
        if (c->config.n_sync_contacts > 0) {
                r = link_setup(s, &s->contacts, SYNC_KIND_CONTACT, c->config.sync_contacts[0]);
                if (r < 0)
                        return r;
        }
        if (s->tasks.watch || s->contacts.watch)
                scan_schedule(s);
        return 0;
}

static int append_conflict(const SyncConflict *sc, void *userdata) {
        sd_bus_message *reply = userdata;
        return sd_bus_message_append(reply, "(xssxs)", sc->id, sc->kind, sc->uid, sc->at, sc->what);
}

static int append_link(sd_bus_message *reply, const char *name, const SyncLink *l) {
        if (!l->dir)
                return 0;
        return sd_bus_message_append(reply, "(ssxs)", name, l->dir, l->in_step, l->error);
}

int sync_append_status(Context *c, sd_bus_message *reply, unsigned limit) {
        Sync *s = c->sync;
        int r;

        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "(ssxs)");
        if (r < 0)
                return r;
        if (s) {
                r = append_link(reply, "tasks", &s->tasks);
                if (r >= 0)
                        r = append_link(reply, "contacts", &s->contacts);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;

        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "(xssxs)");
        if (r < 0)
                return r;
        r = store_sync_conflict_each(c->store, limit ? limit : SYNC_CONFLICTS_MAX, append_conflict, reply);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}
