/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bus.h"
#include "calendar.h"
#include "export.h"
#include "ical-import.h"
#include "log.h"
#include "schedule.h"

#define DAY (24 * 3600)
/* A series too long to expand from its start keeps a year of past
 * occurrences for "meetings --all". */
#define PAST_WINDOW (365 * DAY)

const char *import_outcome_to_string(ImportOutcome o) {
        switch (o) {
        case IMPORT_ADDED:     return "added";
        case IMPORT_UPDATED:   return "updated";
        case IMPORT_CANCELLED: return "cancelled";
        case IMPORT_UNCHANGED: return "unchanged";
        case IMPORT_SKIPPED:   return "skipped";
        case IMPORT_REJECTED:  return "rejected";
        }
        return "unknown";
}

ImportOutcome import_report_outcome(const ImportReport *r) {
        if (r->added > 0)
                return IMPORT_ADDED;
        if (r->updated > 0)
                return IMPORT_UPDATED;
        if (r->cancelled > 0)
                return IMPORT_CANCELLED;
        if (r->unchanged > 0)
                return IMPORT_UNCHANGED;
        return IMPORT_SKIPPED;
}

static bool method_is_answer(IcsMethod m) {
        return m == ICS_METHOD_REPLY || m == ICS_METHOD_COUNTER || m == ICS_METHOD_REFRESH ||
               m == ICS_METHOD_DECLINECOUNTER;
}

static bool is_me(const Context *c, const char *email) {
        for (size_t i = 0; i < c->config.n_me; i++)
                if (strcasecmp(c->config.me[i], email) == 0)
                        return true;
        return false;
}

/* Local minutes after midnight of an instant, in the daemon's zone. */
static int local_minutes(int64_t t, struct tm *ret_tm) {
        time_t tt = (time_t) t;
        if (!localtime_r(&tt, ret_tm))
                return -1;
        return ret_tm->tm_hour * 60 + ret_tm->tm_min;
}

static int64_t local_at(const struct tm *day, int day_offset, int minutes) {
        struct tm tm = *day;
        tm.tm_mday += day_offset;
        tm.tm_hour = minutes / 60;
        tm.tm_min = minutes % 60;
        tm.tm_sec = 0;
        tm.tm_isdst = -1;
        return (int64_t) mktime(&tm);
}

/* The thank-you goes out thanks_after the end, but never at night: then
 * the next morning. */
static int64_t thanks_due(const Context *c, int64_t end) {
        int64_t due = end + c->config.thanks_after;
        struct tm tm;
        int minutes = local_minutes(due, &tm);
        int night = c->config.thanks_night_start, morning = c->config.thanks_morning;

        if (minutes < 0)
                return due;
        if (night > morning && minutes >= night)
                return local_at(&tm, 1, morning);
        if (minutes < morning)
                return local_at(&tm, 0, morning);
        return due;
}

static int64_t prep_due(const Context *c, int64_t start, bool all_day) {
        if (all_day) {
                /* Prepare on the morning of an all-day event, not at 23:30. */
                struct tm tm;
                if (local_minutes(start, &tm) < 0)
                        return start;
                return local_at(&tm, 0, c->config.thanks_morning);
        }
        return start - c->config.prep_before;
}

/* Whether the VEVENT of a stored object has a DTSTART (a CANCEL may name
 * its occurrence by RECURRENCE-ID alone).  VTIMEZONEs have DTSTARTs too. */
static bool vevent_has_start(const char *ical) {
        const char *p = ical ? strstr(ical, "BEGIN:VEVENT") : NULL;
        const char *end = p ? strstr(p, "END:VEVENT") : NULL;
        while (p && end && (p = strchr(p, '\n')) && ++p < end)
                if (strncmp(p, "DTSTART", 7) == 0 && (p[7] == ':' || p[7] == ';'))
                        return true;
        return false;
}

/* The object without its VTIMEZONEs for zones the system knows by name,
 * which ics_expand() then takes from the system (tzdata), as the export
 * writes them.  Besides one name meaning one zone, this is what keeps
 * imports fast: libical keeps a system zone expanded across calls, while
 * a file's VTIMEZONE is expanded anew on every call, from its first onset
 * (1970 or earlier) through ICU: 8 ms a meeting, over a minute for a file
 * of 10,000.  NULL when there is nothing to leave out (or no memory: the
 * object is then used as it is). */
static char *without_system_zones(const char *ical) {
        const char *begin = ical ? strstr(ical, "BEGIN:VTIMEZONE") : NULL;
        if (!begin)
                return NULL;

        size_t len = strlen(ical), used = 0;
        char *out = malloc(len + 1);
        if (!out)
                return NULL;
        const char *p = ical;
        bool dropped = false;
        while ((begin = strstr(p, "BEGIN:VTIMEZONE"))) {
                const char *end = strstr(begin, "END:VTIMEZONE");
                if (!end)
                        break;
                end += strlen("END:VTIMEZONE");
                end += strspn(end, "\r\n");

                /* TZID:name on one line (a folded one is left alone). */
                bool system = false;
                const char *tzid = strstr(begin, "\nTZID:");
                if (tzid && tzid < end) {
                        tzid += strlen("\nTZID:");
                        size_t n = strcspn(tzid, "\r\n");
                        const char *next = tzid + n + strspn(tzid + n, "\r\n");
                        char name[80];
                        if (n < sizeof name && *next != ' ' && *next != '\t') {
                                memcpy(name, tzid, n);
                                name[n] = '\0';
                                system = export_system_zone_name(name);
                        }
                }
                const char *keep_until = system ? begin : end;
                memcpy(out + used, p, (size_t) (keep_until - p));
                used += (size_t) (keep_until - p);
                dropped = dropped || system;
                p = end;
        }
        if (!dropped) {
                free(out);
                return NULL;
        }
        memcpy(out + used, p, strlen(p) + 1);
        return out;
}

/* ics_expand() up to `to` from the first occurrence; a series too long
 * for that is expanded over its last year only. */
static int expand_series(const char *master, bool series, const char *const *overrides, size_t n_overrides,
                         int64_t now, int64_t to, IcsOccurrence **occ, size_t *n_occ, bool *truncated) {
        char *m = without_system_zones(master);
        char **o = calloc(n_overrides ? n_overrides : 1, sizeof *o);
        const char **texts = calloc(n_overrides ? n_overrides : 1, sizeof *texts);
        int r = -ENOMEM;

        if (!o || !texts)
                goto out;
        for (size_t i = 0; i < n_overrides; i++) {
                o[i] = without_system_zones(overrides[i]);
                texts[i] = o[i] ? o[i] : overrides[i];
        }
        const char *mt = m ? m : master;

        r = ics_expand(mt, texts, n_overrides, INT64_MIN, to, 0, occ, n_occ, truncated);
        if (r >= 0 && *truncated && series) {
                ics_occurrences_free(*occ, *n_occ);
                *occ = NULL;
                *n_occ = 0;
                *truncated = false;
                r = ics_expand(mt, texts, n_overrides, now - PAST_WINDOW, to, 0, occ, n_occ, truncated);
        }
out:
        if (o)
                for (size_t i = 0; i < n_overrides; i++)
                        free(o[i]);
        free(o);
        free(texts);
        free(m);
        return r;
}

typedef struct Lookahead Lookahead;
static bool lookahead_take(Lookahead *la, const char *uid, const char *master, bool series, int64_t to,
                           IcsOccurrence **ret_occ, size_t *ret_n, bool *ret_truncated);

/* Expands the stored series of uid and makes the stored occurrences and
 * their reminders match.  `la`: an import's expansions worked out ahead,
 * or NULL. */
static int calendar_refresh_uid(Context *c, const char *uid, int64_t now, Lookahead *la, unsigned *changed) {
        MeetingRow *rows = NULL;
        size_t n_rows = 0;
        int r;

        r = store_meeting_series(c->store, uid, &rows, &n_rows);
        if (r < 0)
                return r;

        const MeetingRow *master = NULL;
        const char **overrides = calloc(n_rows ? n_rows : 1, sizeof *overrides);
        size_t n_overrides = 0;
        if (!overrides) {
                meeting_rows_free(rows, n_rows);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n_rows; i++) {
                if (rows[i].recurrence_id == 0)
                        master = &rows[i];
                else if (!rows[i].cancelled)
                        overrides[n_overrides++] = rows[i].ical;
        }
        /* Cancelled overrides are applied below by slot.  Those with a
         * start are expanded too, so that a moved occurrence stays where it
         * was moved to once cancelled; but a CANCEL often carries too little
         * to expand, and then they are left out. */
        size_t n_live = n_overrides;
        for (size_t i = 0; i < n_rows; i++)
                if (rows[i].recurrence_id != 0 && rows[i].cancelled && vevent_has_start(rows[i].ical))
                        overrides[n_overrides++] = rows[i].ical;

        /* A single meeting is kept whatever its date: one far ahead still
         * gets its reminders, one long past still shows in "meetings
         * --all".  A series is expanded from its first occurrence (every
         * occurrence of a finite series, past ones included) up to the
         * horizon; one too long for that keeps its last year only. */
        bool series = master && master->recurring;
        int64_t to = series ? now + c->config.horizon : INT64_MAX;
        IcsOccurrence *occ = NULL;
        size_t n_occ = 0;
        bool truncated = false;

        if (n_rows == 1 && master && n_overrides == 0 &&
            lookahead_take(la, uid, master->ical, series, to, &occ, &n_occ, &truncated))
                r = 0;
        else if (n_rows > 0) {
                const char *m = master ? master->ical : NULL;
                r = expand_series(m, series, overrides, n_overrides, now, to, &occ, &n_occ, &truncated);
                if (r < 0 && n_overrides > n_live)
                        r = expand_series(m, series, overrides, n_live, now, to, &occ, &n_occ, &truncated);
                if (r < 0 && !(master && master->cancelled)) {
                        log_warning_fields(LOG_FIELDS({ "NETCTL_MEETING_UID", uid }),
                                           "Cannot expand meeting %s (%s); its occurrences are unchanged", uid,
                                           strerror(-r));
                        free(overrides);
                        meeting_rows_free(rows, n_rows);
                        return 0;
                }
                if (r < 0) {
                        /* A cancelled series that cannot be expanded: drop its
                         * occurrences, which withdraws their reminders. */
                        occ = NULL;
                        n_occ = 0;
                }
        }
        if (truncated)
                log_notice("Meeting %s has more occurrences than netctl keeps; "
                           "later ones come as the window moves", uid);

        OccurrenceWrite *writes = calloc(n_occ ? n_occ : 1, sizeof *writes);
        char **texts = calloc(2 * (n_occ ? n_occ : 1), sizeof *texts);
        if (!writes || !texts) {
                r = -ENOMEM;
                goto out;
        }

        for (size_t i = 0; i < n_occ; i++) {
                const IcsOccurrence *o = &occ[i];
                bool cancelled = o->cancelled || (master && master->cancelled);
                for (size_t k = 0; k < n_rows && !cancelled; k++)
                        if (rows[k].recurrence_id != 0 && rows[k].cancelled &&
                            (rows[k].recurrence_id == o->recurrence_id ||
                             (rows[k].this_and_future && rows[k].recurrence_id <= o->recurrence_id)))
                                cancelled = true;

                char when[32] = "";
                struct tm tm;
                if (!o->all_day && local_minutes(o->start, &tm) >= 0)
                        strftime(when, sizeof when, " at %H:%M", &tm);
                const char *summary = o->summary && o->summary[0] ? o->summary : "a meeting";
                if (asprintf(&texts[2 * i], "Prepare for \"%.400s\"%s", summary, when) < 0 ||
                    asprintf(&texts[2 * i + 1], "Send thanks after \"%.400s\"", summary) < 0) {
                        r = -ENOMEM;
                        goto out;
                }

                writes[i] = (OccurrenceWrite) {
                        /* A single meeting has one slot whatever its start,
                         * so when it moves its reminders move with it
                         * (same ids, snoozes kept) rather than being
                         * withdrawn and made anew. */
                        .recurrence_id = master && !series ? 0 : o->recurrence_id,
                        .start = o->start,
                        .end = o->end,
                        .all_day = o->all_day,
                        .cancelled = cancelled,
                        .summary = o->summary ? o->summary : "",
                        .prep_due = prep_due(c, o->start, o->all_day),
                        .thanks_due = thanks_due(c, o->end),
                        .prep_text = texts[2 * i],
                        .thanks_text = texts[2 * i + 1],
                };
        }

        r = store_occurrences_sync(c->store, uid, writes, n_occ, now, changed);

out:
        if (texts)
                for (size_t i = 0; i < 2 * n_occ; i++)
                        free(texts[i]);
        free(texts);
        free(writes);
        ics_occurrences_free(occ, n_occ);
        free(overrides);
        meeting_rows_free(rows, n_rows);
        return r;
}

/* The distinct UIDs touched by one import, in the order first touched,
 * with a hash index: a file of 10,000 events asks about each one, and a
 * linear search made that quadratic. */
typedef struct UidSet {
        char **uids;
        size_t n, allocated;
        size_t *slots;          /* index + 1 into uids, 0 when free */
        size_t n_slots;         /* a power of two, more than twice n */
} UidSet;

static uint64_t uid_hash(const char *uid) {
        uint64_t h = 0xcbf29ce484222325ULL;     /* FNV-1a */
        for (const unsigned char *p = (const unsigned char *) uid; *p; p++)
                h = (h ^ *p) * 0x100000001b3ULL;
        return h;
}

/* The slot holding uid, or the free slot where it would go. */
static size_t uid_set_slot(const UidSet *set, const char *uid) {
        size_t mask = set->n_slots - 1, i = (size_t) uid_hash(uid) & mask;
        while (set->slots[i] != 0 && strcmp(set->uids[set->slots[i] - 1], uid) != 0)
                i = (i + 1) & mask;
        return i;
}

/* uid's index in set->uids plus one; 0 when not in the set. */
static size_t uid_set_find(const UidSet *set, const char *uid) {
        return set->n_slots > 0 ? set->slots[uid_set_slot(set, uid)] : 0;
}

static bool uid_set_contains(const UidSet *set, const char *uid) {
        return uid_set_find(set, uid) != 0;
}

static int uid_set_rehash(UidSet *set, size_t n_slots) {
        size_t *slots = calloc(n_slots, sizeof *slots);
        if (!slots)
                return -ENOMEM;
        free(set->slots);
        set->slots = slots;
        set->n_slots = n_slots;
        for (size_t k = 0; k < set->n; k++)
                set->slots[uid_set_slot(set, set->uids[k])] = k + 1;
        return 0;
}

static int uid_set_add(UidSet *set, const char *uid) {
        int r;

        if (uid_set_contains(set, uid))
                return 0;
        if (set->n == set->allocated) {
                size_t grow = set->allocated ? set->allocated * 2 : 16;
                char **bigger = realloc(set->uids, grow * sizeof *bigger);
                if (!bigger)
                        return -ENOMEM;
                set->uids = bigger;
                set->allocated = grow;
        }
        if (2 * (set->n + 1) >= set->n_slots) {
                r = uid_set_rehash(set, set->n_slots ? set->n_slots * 2 : 32);
                if (r < 0)
                        return r;
        }
        set->uids[set->n] = strdup(uid);
        if (!set->uids[set->n])
                return -ENOMEM;
        set->slots[uid_set_slot(set, uid)] = set->n + 1;
        set->n++;
        return 0;
}

static void uid_set_clear(UidSet *set) {
        for (size_t i = 0; i < set->n; i++)
                free(set->uids[i]);
        free(set->uids);
        free(set->slots);
        *set = (UidSet) {};
}

/* An import's expansions, worked out ahead on a second thread while this
 * one stores the occurrences and reminders of the series before them (it
 * starts once the file is parsed and its meetings stored: the parser's
 * helper thread is done by then).  Expanding a series means parsing its
 * stored text again with libical, a sixth of a large import; storing the
 * meetings and their reminders is most of the rest, and has to stay on
 * the thread that owns the database.  So a helper thread expands, from
 * the text the import is about to store, each meeting that is its
 * series' only event in the file, and calendar_refresh_uid() takes the
 * result when the series turns out to be just that stored text: the same
 * call on the same input, so the same occurrences.  Any other case (an
 * override, rows from earlier imports, a different text or a changed
 * RRULE flag) is expanded there as before, and the work done ahead is
 * dropped.
 *
 * The helper reads only the events' texts, which nothing changes while
 * it runs, and writes only its own items; n_done, under `lock`, says how
 * far it got.  It uses libical, whose shared zone data is locked inside
 * libical, and ics_expand(), whose look-up memos are per thread. */
typedef struct LookaheadItem {
        const char *text;       /* borrowed from the IcsCalendar; NULL: the
                                 * file has overrides of this series too */
        bool series;
        int64_t to;
        int r;
        IcsOccurrence *occ;     /* until taken */
        size_t n_occ;
        bool truncated;
} LookaheadItem;

struct Lookahead {
        UidSet uids;            /* uids.uids[k] is items[k]'s series */
        LookaheadItem *items;
        int64_t now;
        pthread_t thread;
        bool running;
        atomic_bool stop;
        pthread_mutex_t lock;
        pthread_cond_t progress;
        size_t n_done;          /* items[0, n_done) are final */
};

/* A file of one series (an invite) leaves nothing to do alongside. */
#define LOOKAHEAD_MIN 2

static void *lookahead_run(void *userdata) {
        Lookahead *la = userdata;

        for (size_t k = 0; k < la->uids.n && !atomic_load(&la->stop); k++) {
                LookaheadItem *it = &la->items[k];
                if (it->text)
                        it->r = expand_series(it->text, it->series, NULL, 0, la->now, it->to, &it->occ,
                                              &it->n_occ, &it->truncated);
                pthread_mutex_lock(&la->lock);
                la->n_done = k + 1;
                pthread_cond_signal(&la->progress);
                pthread_mutex_unlock(&la->lock);
        }
        return NULL;
}

static void lookahead_stop(Lookahead *la) {
        if (!la)
                return;
        if (la->running) {
                atomic_store(&la->stop, true);
                pthread_join(la->thread, NULL);
                la->running = false;
        }
        for (size_t k = 0; k < la->uids.n && la->items; k++)
                ics_occurrences_free(la->items[k].occ, la->items[k].n_occ);
        free(la->items);
        uid_set_clear(&la->uids);
        pthread_mutex_destroy(&la->lock);
        pthread_cond_destroy(&la->progress);
        free(la);
}

/* Starts expanding the masters of cal's series; NULL when there is too
 * little to gain or the thread cannot start (the import then expands
 * everything itself). */
static Lookahead *lookahead_start(Context *c, const IcsCalendar *cal, int64_t now) {
        Lookahead *la = calloc(1, sizeof *la);
        if (!la)
                return NULL;
        pthread_mutex_init(&la->lock, NULL);
        pthread_cond_init(&la->progress, NULL);
        la->now = now;
        la->items = calloc(cal->n_events ? cal->n_events : 1, sizeof *la->items);
        if (!la->items)
                goto fail;

        for (size_t i = 0; i < cal->n_events; i++) {
                const IcsEvent *e = &cal->events[i];
                if (e->has_recurrence_id || !e->ical || uid_set_contains(&la->uids, e->uid))
                        continue;
                if (uid_set_add(&la->uids, e->uid) < 0)
                        goto fail;
                la->items[la->uids.n - 1] = (LookaheadItem) {
                        .text = e->ical,
                        .series = e->recurring,
                        .to = e->recurring ? now + c->config.horizon : INT64_MAX,
                };
        }
        /* A series with overrides in the file is expanded with them, by
         * the refresh: nothing to do ahead for it. */
        size_t n_alone = la->uids.n;
        for (size_t i = 0; i < cal->n_events; i++) {
                size_t found = cal->events[i].has_recurrence_id ? uid_set_find(&la->uids, cal->events[i].uid) : 0;
                if (found > 0 && la->items[found - 1].text) {
                        la->items[found - 1].text = NULL;
                        n_alone--;
                }
        }
        if (n_alone < LOOKAHEAD_MIN)
                goto fail;

        if (pthread_create(&la->thread, NULL, lookahead_run, la) != 0)
                goto fail;
        la->running = true;
        return la;
fail:
        lookahead_stop(la);
        return NULL;
}

/* The expansion of `uid` done ahead, if it was done from exactly this
 * master text, series flag and end; waits for the helper to get there. */
static bool lookahead_take(Lookahead *la, const char *uid, const char *master, bool series, int64_t to,
                           IcsOccurrence **ret_occ, size_t *ret_n, bool *ret_truncated) {
        size_t found = la && master ? uid_set_find(&la->uids, uid) : 0;
        if (found == 0)
                return false;
        size_t k = found - 1;
        LookaheadItem *it = &la->items[k];
        if (!it->text || it->series != series || it->to != to || strcmp(it->text, master) != 0)
                return false;

        pthread_mutex_lock(&la->lock);
        while (la->n_done <= k)
                pthread_cond_wait(&la->progress, &la->lock);
        pthread_mutex_unlock(&la->lock);

        /* A failure is left to the caller, to be reported as usual; no
         * occurrence (a series that starts past the horizon) is an
         * answer. */
        if (it->r < 0)
                return false;
        *ret_occ = TAKE_PTR(it->occ);
        *ret_n = it->n_occ;
        *ret_truncated = it->truncated;
        return true;
}

static void report_skip(ImportReport *report, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report_skip(ImportReport *report, const char *fmt, ...) {
        va_list ap;
        report->skipped++;
        if (report->reason[0] != '\0')
                return;
        va_start(ap, fmt);
        vsnprintf(report->reason, sizeof report->reason, fmt, ap);
        va_end(ap);
}

/* The DTSTAMP of the VEVENT in an object ical-import made, in its UTC
 * form "20240101T120000Z" (which sorts as text); false when absent. */
static bool ical_dtstamp(const char *ical, char ret[static 17]) {
        for (const char *p = ical; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
                if (strncmp(p, "DTSTAMP", 7) != 0 || (p[7] != ':' && p[7] != ';'))
                        continue;
                size_t line = strcspn(p, "\r\n");
                const char *colon = memchr(p, ':', line);
                if (!colon || (size_t) (p + line - colon - 1) != 16)
                        return false;
                for (size_t i = 0; i < 16; i++) {
                        char ch = colon[1 + i];
                        bool ok = i == 8 ? ch == 'T' : i == 15 ? ch == 'Z' : ch >= '0' && ch <= '9';
                        if (!ok)
                                return false;
                }
                memcpy(ret, colon + 1, 16);
                ret[16] = '\0';
                return true;
        }
        return false;
}

/* RFC 5546 2.1.5: of two versions with the same SEQUENCE, the one with
 * the later DTSTAMP is the newer. */
static bool stamped_earlier(const char *ical, const char *than) {
        char a[17], b[17];
        return than && ical_dtstamp(ical, a) && ical_dtstamp(than, b) && strcmp(a, b) < 0;
}

/* Applies one VEVENT with invite semantics. */
static int apply_event(Context *c, const IcsEvent *e, const char *source, int64_t now,
                       ImportReport *report, UidSet *touched) {
        MeetingRow old = {};
        int64_t slot = e->has_recurrence_id ? e->recurrence_id : 0;
        bool cancel = e->method == ICS_METHOD_CANCEL || e->cancelled;
        int r;

        if (method_is_answer(e->method)) {
                report_skip(report, "METHOD:%s answers an invitation and creates no meeting",
                            ics_method_to_string(e->method));
                return 0;
        }

        r = store_meeting_get(c->store, e->uid, slot, &old);
        bool have = r >= 0;
        if (r < 0 && r != -ENOENT)
                return r;

        /* An older version of what we have changes nothing: a lower
         * SEQUENCE, or the same one stamped earlier. */
        if (have && (e->sequence < old.sequence ||
                     (e->sequence == old.sequence && stamped_earlier(e->ical, old.ical)))) {
                report->unchanged++;
                goto done;
        }

        if (cancel && !e->has_recurrence_id) {
                r = store_meeting_cancel_series(c->store, e->uid, e->sequence, now);
                if (r == -ENOENT) {
                        /* Unknown yet: keep the cancellation, so an older
                         * invite arriving later does not bring it back. */
                        r = 0;
                        if (!e->has_start) {
                                report_skip(report, "a cancellation of an unknown meeting (%s)", e->uid);
                                goto done;
                        }
                } else if (r >= 0) {
                        if (have && old.cancelled)
                                report->unchanged++;
                        else
                                report->cancelled++;
                        r = uid_set_add(touched, e->uid);
                        goto done;
                } else
                        goto done;
        } else if (!cancel) {
                if (have && old.cancelled && e->sequence <= old.sequence) {
                        /* Only a newer invitation revives a cancelled meeting. */
                        report->unchanged++;
                        goto done;
                }
                /* The same event, also when it comes back from an export
                 * (which adds what other clients need). */
                if (have && e->sequence == old.sequence && export_same_event(old.ical, e->ical, e->uid) > 0) {
                        report->unchanged++;
                        goto done;
                }
                if (!e->has_start) {
                        report_skip(report, "event %s has no start time", e->uid);
                        goto done;
                }
        } else if (have && old.cancelled) {
                report->unchanged++;
                goto done;
        }

        MeetingPerson people[ICS_ATTENDEES_MAX + 1];
        size_t n_people = 0;
        if (e->organizer.email && !is_me(c, e->organizer.email))
                people[n_people++] = (MeetingPerson) {
                        .email = e->organizer.email, .name = e->organizer.name, .organizer = true };
        for (size_t i = 0; i < e->n_attendees && n_people < ELEMENTSOF(people); i++)
                if (!is_me(c, e->attendees[i].email))
                        people[n_people++] = (MeetingPerson) {
                                .email = e->attendees[i].email, .name = e->attendees[i].name };

        MeetingWrite w = {
                .uid = e->uid,
                .recurrence_id = slot,
                .this_and_future = e->this_and_future,
                .sequence = e->sequence,
                .summary = e->summary,
                .location = e->location,
                .has_start = e->has_start,
                .start = e->start,
                .end = e->end,
                .all_day = e->all_day,
                .recurring = e->recurring,
                .cancelled = cancel,
                .source = source,
                .ical = e->ical,
                .people = people,
                .n_people = n_people,
        };
        /* A new exception to a series the user already had (one occurrence
         * moved) updates that meeting. */
        bool series_known = false;
        if (!have && slot != 0 && !uid_set_contains(touched, e->uid)) {
                MeetingRow series = {};
                series_known = store_meeting_get(c->store, e->uid, 0, &series) >= 0;
                meeting_row_clear(&series);
        }

        r = store_meeting_put(c->store, &w, now);
        if (r < 0)
                goto done;

        if (cancel)
                report->cancelled++;
        else if (have || series_known)
                report->updated++;
        else
                report->added++;
        r = uid_set_add(touched, e->uid);

done:
        meeting_row_clear(&old);
        return r;
}

/* A watched file is the truth about its meetings: those it held before
 * and holds no more go (their occurrences and reminders with them, when
 * the UIDs are refreshed). */
static int forget_missing(Context *c, const char *source, const IcsCalendar *cal, UidSet *touched) {
        char **uids = NULL;
        size_t n = 0;
        UidSet in_file = {};
        int r = store_meeting_uids(c->store, source, false, &uids, &n);
        if (r < 0)
                return r;
        for (size_t k = 0; k < cal->n_events && r >= 0; k++)
                r = uid_set_add(&in_file, cal->events[k].uid);
        for (size_t i = 0; i < n; i++) {
                if (r >= 0 && !uid_set_contains(&in_file, uids[i])) {
                        r = store_meeting_delete_uid_source(c->store, uids[i], source);
                        if (r >= 0)
                                r = uid_set_add(touched, uids[i]);
                }
                free(uids[i]);
        }
        free(uids);
        uid_set_clear(&in_file);
        return r;
}

int calendar_import_data(Context *c, const char *data, size_t len, const char *source,
                         ImportReport *ret) {
        ImportReport report = {};
        IcsStream *stream = NULL;
        IcsCalendar *cal = NULL;
        UidSet touched = {};
        Lookahead *la = NULL;
        unsigned changed = 0;
        int64_t now = context_now(c);
        const IcsEvent *events;
        size_t n_events;
        int r;

        r = ics_stream_open(data, len, &stream, report.reason, sizeof report.reason);
        if (r < 0) {
                *ret = report;
                return r == -EFBIG ? -E2BIG : r == -ENOMEM ? r : -EINVAL;
        }

        r = store_batch_begin(c->store);
        if (r < 0)
                goto out;

        /* A large file's events are stored part by part while the next
         * parts are parsed on a second thread. */
        while ((r = ics_stream_next(stream, &events, &n_events, report.reason, sizeof report.reason)) != 0) {
                if (r == -EAGAIN) {
                        /* A part warned: the whole file's events come
                         * again, from the start. */
                        store_batch_rollback(c->store);
                        report = (ImportReport) {};
                        uid_set_clear(&touched);
                        r = store_batch_begin(c->store);
                        if (r < 0)
                                goto out;
                        continue;
                }
                if (r < 0) {
                        /* The file cannot be read after all: nothing of
                         * it is stored, and the reason is the parser's. */
                        store_batch_rollback(c->store);
                        ImportReport failed = {};
                        memcpy(failed.reason, report.reason, sizeof failed.reason);
                        *ret = failed;
                        r = r == -ENOMEM ? r : -EINVAL;
                        goto out_parse;
                }
                for (size_t i = 0; i < n_events && r >= 0; i++)
                        r = apply_event(c, &events[i], source, now, &report, &touched);
                if (r < 0)
                        break;
        }
        if (r >= 0)
                r = ics_stream_finish(stream, &cal);
        stream = ics_stream_free(stream);

        /* Stopped below before cal goes: it reads cal's texts. */
        if (r >= 0)
                la = lookahead_start(c, cal, now);
        if (source && r >= 0)
                r = forget_missing(c, source, cal, &touched);
        for (size_t i = 0; i < touched.n && r >= 0; i++)
                r = calendar_refresh_uid(c, touched.uids[i], now, la, &changed);
        lookahead_stop(TAKE_PTR(la));

        if (r < 0) {
                store_batch_rollback(c->store);
                goto out;
        }
        r = store_batch_commit(c->store);
        if (r < 0)
                goto out;

        report.skipped += (unsigned) cal->n_skipped;
        if (report.reason[0] == '\0' && cal->n_warnings > 0)
                snprintf(report.reason, sizeof report.reason, "%s", cal->warnings[0]);
        if (cal->n_events == 0 && report.reason[0] == '\0')
                snprintf(report.reason, sizeof report.reason, "%s",
                         cal->n_todos > 0 ? "the file holds only tasks (VTODO), no events"
                                          : "the file holds no events");

        if (touched.n > 0 || changed > 0) {
                (void) schedule_arm_next(c);
                bus_emit_changed(c, 0, "imported");
        }
        *ret = report;

out:
        if (r < 0 && r != -EINVAL)
                snprintf(report.reason, sizeof report.reason, "%s", store_last_error(c->store));
        if (r < 0)
                *ret = report;
out_parse:
        uid_set_clear(&touched);
        lookahead_stop(la);
        ics_stream_free(stream);
        ics_calendar_free(cal);
        if (len >= LARGE_REQUEST_BYTES)
                context_release_memory_later(c);
        return r < 0 ? r : 0;
}

int calendar_read_fd(int fd, char **ret_data, size_t *ret_len, struct stat *ret_st) {
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if ((uint64_t) st.st_size > ICS_FILE_MAX)
                return -EFBIG;

        /* pread, from the start: the fd may be the caller's, its offset
         * anywhere.  Up to the size seen: a file still being written is
         * read again when its writer closes it (watch.c). */
        size_t size = (size_t) st.st_size;
        char *data = malloc(size + 1);
        if (!data)
                return -ENOMEM;
        size_t len = 0;
        while (len < size) {
                ssize_t n = pread(fd, data + len, size - len, (off_t) len);
                if (n < 0) {
                        int r = -errno;
                        free(data);
                        return r;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        data[len] = '\0';
        *ret_data = data;
        *ret_len = len;
        if (ret_st)
                *ret_st = st;
        return 0;
}

/* Reads a whole watched file, bounded; -EFBIG when too large. */
static int read_file(const char *path, char **ret_data, size_t *ret_len, struct stat *ret_st) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

        if (fd < 0)
                return -errno;
        return calendar_read_fd(fd, ret_data, ret_len, ret_st);
}

int calendar_import_path(Context *c, const char *path, bool mirror) {
        _cleanup_free_ char *data = NULL;
        ImportReport report;
        struct stat st = {};
        size_t len = 0;
        int r;

        r = read_file(path, &data, &len, &st);
        if (r == -EFBIG)
                return log_warning_errno_fields(r, LOG_FIELDS({ "NETCTL_FILE", path }),
                                                "Not importing %s: larger than %u MiB", path,
                                                ICS_FILE_MAX / (1024 * 1024));
        if (r < 0)
                return log_warning_errno_fields(r, LOG_FIELDS({ "NETCTL_FILE", path }), "Cannot read %s: %m",
                                                path);

        r = calendar_import_data(c, data, len, mirror ? path : NULL, &report);
        if (r < 0)
                return log_warning_errno_fields(r, LOG_FIELDS({ "NETCTL_FILE", path }), "Not imported %s: %s",
                                                path, report.reason);

        (void) store_calendar_file_put(c->store, path, (int64_t) st.st_mtime, (int64_t) st.st_size);
        log_info_fields(LOG_FIELDS({ "NETCTL_FILE", path }),
                 "Imported %s: %s (%u added, %u updated, %u cancelled, %u unchanged, %u skipped)%s%s",
                 path, import_outcome_to_string(import_report_outcome(&report)), report.added,
                 report.updated, report.cancelled, report.unchanged, report.skipped,
                 report.reason[0] ? "; " : "", report.reason);
        return 0;
}

int calendar_forget_path(Context *c, const char *path) {
        char **uids = NULL;
        size_t n = 0;
        unsigned changed = 0;
        int r;

        r = store_batch_begin(c->store);
        if (r < 0)
                return log_error_errno(r, "Cannot forget %s: %s", path, store_last_error(c->store));
        r = store_meeting_uids(c->store, path, false, &uids, &n);
        if (r >= 0)
                r = store_meeting_delete_source(c->store, path);
        for (size_t i = 0; i < n && r >= 0; i++)
                r = calendar_refresh_uid(c, uids[i], context_now(c), NULL, &changed);
        if (r >= 0)
                r = store_calendar_file_delete(c->store, path);
        if (r >= 0)
                r = store_batch_commit(c->store);
        else
                store_batch_rollback(c->store);

        for (size_t i = 0; i < n; i++)
                free(uids[i]);
        free(uids);
        if (r < 0)
                return log_error_errno_fields(r, LOG_FIELDS({ "NETCTL_FILE", path }), "Cannot forget %s: %s",
                                              path, store_last_error(c->store));

        log_info_fields(LOG_FIELDS({ "NETCTL_FILE", path }), "%s is gone: its %zu meeting(s) removed", path, n);
        if (n > 0) {
                (void) schedule_arm_next(c);
                bus_emit_changed(c, 0, "imported");
        }
        return 0;
}

int calendar_scan_directory(Context *c, const char *dir, bool mirror) {
        DIR *d = opendir(dir);
        struct dirent *de;

        if (!d)
                return log_warning_errno(-errno, "Cannot read %s: %m", dir);

        while ((de = readdir(d))) {
                size_t n = strlen(de->d_name);
                char path[4096];
                struct stat st;
                int64_t mtime, size;

                if (de->d_name[0] == '.' || n < 5 || strcasecmp(de->d_name + n - 4, ".ics") != 0)
                        continue;
                if ((size_t) snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= sizeof path)
                        continue;
                if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
                        continue;
                if (store_calendar_file_get(c->store, path, &mtime, &size) >= 0 &&
                    mtime == (int64_t) st.st_mtime && size == (int64_t) st.st_size)
                        continue;
                (void) calendar_import_path(c, path, mirror);
        }
        closedir(d);

        if (!mirror)
                return 0;

        char **paths = NULL;
        size_t n_paths = 0;
        int r = store_calendar_files_in(c->store, dir, &paths, &n_paths);
        if (r < 0)
                return log_warning_errno(r, "Cannot list remembered files of %s: %s", dir,
                                         store_last_error(c->store));
        for (size_t i = 0; i < n_paths; i++) {
                if (access(paths[i], F_OK) < 0 && errno == ENOENT)
                        (void) calendar_forget_path(c, paths[i]);
                free(paths[i]);
        }
        free(paths);
        return 0;
}

/* Once a day the expansion window moves on: recurring series get their
 * next occurrences (and reminders). */
static int calendar_arm_window(Context *c);

/* Expands the meetings again (every one, or the series only) and syncs
 * their occurrences and open reminders, in one transaction: one commit,
 * not one per meeting.  Sets how many meetings and how many reminders
 * moved; on a store error nothing changes. */
static int refresh_meetings(Context *c, bool series_only, size_t *ret_n, unsigned *ret_changed) {
        char **uids = NULL;
        size_t n = 0;
        unsigned changed = 0;
        int64_t now = context_now(c);

        int r = store_meeting_uids(c->store, NULL, series_only, &uids, &n);
        if (r < 0)
                return r;
        if (n > 0)
                r = store_batch_begin(c->store);
        for (size_t i = 0; i < n; i++) {
                if (r >= 0)
                        r = calendar_refresh_uid(c, uids[i], now, NULL, &changed);
                free(uids[i]);
        }
        free(uids);
        if (n > 0) {
                if (r >= 0)
                        r = store_batch_commit(c->store);
                else
                        store_batch_rollback(c->store);
        }
        if (r < 0)
                return r;
        *ret_n = n;
        *ret_changed = changed;
        if (changed > 0) {
                (void) schedule_arm_next(c);
                bus_emit_changed(c, 0, "imported");
        }
        return 0;
}

static int on_window_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Context *c = userdata;
        unsigned changed = 0;
        size_t n = 0;

        int r = refresh_meetings(c, true, &n, &changed);
        if (r < 0)
                log_warning_errno(r, "Cannot move the recurring meetings' window on: %s",
                                  store_last_error(c->store));
        return calendar_arm_window(c);
}

int calendar_reminder_times_changed(Context *c) {
        unsigned changed = 0;
        size_t n = 0;

        int r = refresh_meetings(c, false, &n, &changed);
        if (r < 0)
                return log_warning_errno(r, "Cannot move meeting reminders to the new times: %s",
                                         store_last_error(c->store));
        log_info("Meeting reminder times changed; %u reminder(s) of %zu meeting(s) moved", changed, n);
        return 0;
}

static int calendar_arm_window(Context *c) {
        struct tm tm;
        /* Shortly after the next local midnight. */
        if (local_minutes(context_now(c), &tm) < 0)
                return -EINVAL;
        int64_t at = local_at(&tm, 1, 0) + 5 * 60;
        int r = sd_event_source_set_time(c->window_timer, (uint64_t) at * 1000000ULL);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(c->window_timer, SD_EVENT_ONESHOT);
}

int calendar_setup(Context *c) {
        int r = sd_event_add_time(c->event, &c->window_timer, CLOCK_REALTIME, UINT64_MAX, 60 * 1000000ULL,
                                  on_window_timer, c);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(c->window_timer, "calendar-window");
        return calendar_arm_window(c);
}

int calendar_check_zone(Context *c) {
        char signature[sizeof c->zone_signature];
        size_t n = 0;
        unsigned changed = 0;
        int r;

        /* glibc re-reads /etc/localtime in tzset() when it changed. */
        tzset();
        snprintf(signature, sizeof signature, "%s/%s/%ld/%d", tzname[0], tzname[1], timezone, daylight);
        if (c->zone_signature[0] == '\0') {
                memcpy(c->zone_signature, signature, sizeof signature);
                return 0;
        }
        if (strcmp(signature, c->zone_signature) == 0)
                return 0;
        memcpy(c->zone_signature, signature, sizeof signature);

        r = refresh_meetings(c, false, &n, &changed);
        if (r < 0)
                return log_warning_errno(r, "Cannot move meetings to the new time zone: %s",
                                         store_last_error(c->store));
        log_info("The time zone changed (%s); %zu meeting(s) expanded again, %u reminder(s) moved",
                 signature, n, changed);
        return 1;
}
