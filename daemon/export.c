/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus-names.h"
#include "export.h"
#include "io.h"
#include "ical-import.h"
#include "log.h"

#define PRODID "-//netctl//netctl " NETCTL_VERSION "//EN"
/* export_write() hands the file this much at a time. */
#define EXPORT_WRITE_CHUNK (256 * 1024)

static icalcomponent *new_calendar(void) {
        icalcomponent *cal = icalcomponent_new_vcalendar();
        icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
        icalcomponent_add_property(cal, icalproperty_new_prodid(PRODID));
        return cal;
}

static struct icaltimetype utc_time(int64_t t) {
        return icaltime_from_timet_with_zone((time_t) t, 0, icaltimezone_get_utc_timezone());
}

static icalcomponent *followup_to_vtodo(const Followup *f) {
        icalcomponent *todo = icalcomponent_new_vtodo();

        icalcomponent_add_property(todo, icalproperty_new_uid(f->uid));
        icalcomponent_add_property(todo, icalproperty_new_dtstamp(utc_time(f->modified)));
        icalcomponent_add_property(todo, icalproperty_new_created(utc_time(f->created)));
        icalcomponent_add_property(todo, icalproperty_new_lastmodified(utc_time(f->modified)));
        icalcomponent_add_property(todo, icalproperty_new_summary(f->text));
        icalcomponent_add_property(todo, icalproperty_new_due(utc_time(f->due)));
        if (f->done_at) {
                icalcomponent_add_property(todo, icalproperty_new_status(ICAL_STATUS_COMPLETED));
                icalcomponent_add_property(todo, icalproperty_new_completed(utc_time(f->done_at)));
                icalcomponent_add_property(todo, icalproperty_new_percentcomplete(100));
        } else
                icalcomponent_add_property(todo, icalproperty_new_status(ICAL_STATUS_NEEDSACTION));

        /* netctl plus the kind (followup, prep, thanks, reconnect), so other
         * clients can filter: one property with a list, as clients write
         * it (todoman cannot read two CATEGORIES properties). */
        char categories[64];
        snprintf(categories, sizeof categories, "netctl,%s", f->kind);
        icalcomponent_add_property(todo, icalproperty_new_categories(categories));
        if (f->contact) {
                icalproperty *x = icalproperty_new_x(f->contact);
                icalproperty_set_x_name(x, "X-NETCTL-CONTACT");
                icalcomponent_add_property(todo, x);
        }
        return todo;
}

/* A VTIMEZONE of the streamed single file, by TZID. */
typedef struct ExportZone {
        char *tzid, *text;
} ExportZone;

typedef struct ExportState {
        int fd;                         /* the file the items go to */
        char *out;                      /* what is not yet written to fd */
        size_t out_used, out_size;
        bool write_failed;
        bool single;                    /* one item, written as it is built */
        ExportZone *zones;              /* its VTIMEZONEs, which go first */
        size_t n_zones;
        icalcomponent *group;           /* the VCALENDAR of the current UID */
        char *group_uid;
} ExportState;

static int out_flush(ExportState *st) {
        int r = write_all(st->fd, st->out, st->out_used);
        st->out_used = 0;
        if (r < 0)
                st->write_failed = true;
        return r;
}

/* Appends n bytes for the file, written out a piece at a time so that
 * netctld holds no more than EXPORT_WRITE_CHUNK of it. */
static int out_add(ExportState *st, const char *data, size_t n) {
        if (st->out_used + n > st->out_size) {
                size_t size = st->out_size ? st->out_size : EXPORT_WRITE_CHUNK;
                while (size < st->out_used + n)
                        size *= 2;
                char *bigger = realloc(st->out, size);
                if (!bigger)
                        return -ENOMEM;
                st->out = bigger;
                st->out_size = size;
        }
        memcpy(st->out + st->out_used, data, n);
        st->out_used += n;
        return st->out_used >= EXPORT_WRITE_CHUNK ? out_flush(st) : 0;
}

/* A string with its NUL, as the file's items are framed. */
static int out_add_string(ExportState *st, const char *s) {
        return out_add(st, s, strlen(s) + 1);
}

/* One serialised component of the streamed single file (no NUL: the
 * file's one text goes on). */
static int out_add_component(ExportState *st, icalcomponent *c) {
        char *text = icalcomponent_as_ical_string_r(c);
        if (!text)
                return -ENOMEM;
        int r = out_add(st, text, strlen(text));
        free(text);
        return r;
}

static int emit(ExportState *st, const char *uid, icalcomponent *cal) {
        char *text = icalcomponent_as_ical_string_r(cal);
        int r;

        if (!text)
                return -ENOMEM;
        r = out_add_string(st, uid);
        if (r >= 0)
                r = out_add_string(st, text);
        free(text);
        return r;
}

static int export_followup(const Followup *f, void *userdata) {
        ExportState *st = userdata;
        icalcomponent *todo = followup_to_vtodo(f);

        if (st->single) {
                int r = out_add_component(st, todo);
                icalcomponent_free(todo);
                return r;
        }
        icalcomponent *cal = new_calendar();
        icalcomponent_add_component(cal, todo);
        int r = emit(st, f->uid, cal);
        icalcomponent_free(cal);
        return r;
}

/* With an iterator of its own: libical's built-in one is shared by all
 * walks over a component's children. */
static icalcomponent *find_timezone(icalcomponent *cal, const char *tzid) {
        for (icalcompiter it = icalcomponent_begin_component(cal, ICAL_VTIMEZONE_COMPONENT);
             icalcompiter_deref(&it); icalcompiter_next(&it)) {
                icalcomponent *tz = icalcompiter_deref(&it);
                icalproperty *p = icalcomponent_get_first_property(tz, ICAL_TZID_PROPERTY);
                if (p && icalproperty_get_tzid(p) && strcmp(icalproperty_get_tzid(p), tzid) == 0)
                        return tz;
        }
        return NULL;
}

static bool is_utc_name(const char *name) {
        return strcasecmp(name, "UTC") == 0 || strcasecmp(name, "GMT") == 0 || strcasecmp(name, "Z") == 0 ||
               strcasecmp(name, "Etc/UTC") == 0 || strcasecmp(name, "Etc/GMT") == 0;
}

/* A name libical may look up: it reads it as a path under its zoneinfo
 * directory, and "../../dev/zero" would hang the daemon.  As ical-import
 * checks them. */
static bool zone_name_ok(const char *name) {
        size_t len = strlen(name);
        if (len == 0 || len > 64 || name[0] == '/' || name[0] == '.')
                return false;
        for (const char *p = name; *p; p++) {
                char ch = *p;
                if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                      ch == '_' || ch == '-' || ch == '+' || ch == '/' || ch == '.'))
                        return false;
                if (ch == '/' && (p[1] == '/' || p[1] == '.' || p[1] == '\0'))
                        return false;
        }
        return true;
}

bool export_system_zone_name(const char *name) {
        return name && (is_utc_name(name) || (zone_name_ok(name) && icaltimezone_get_builtin_timezone(name)));
}

static void until_rules_to_onsets(icalcomponent *vtz);

/* The system's definition of an IANA zone (also behind a "/vendor/prefix/"
 * as Evolution and Mozilla write them), as a VTIMEZONE named `tzid`: from
 * 1970 on (tzdata's full history of Europe/Berlin is 150 lines, and every
 * exported meeting carries its zone), with rules that ended written out as
 * onsets.  Kept once made: an export of thousands of meetings in a few
 * zones builds each zone once. */
static icalcomponent *builtin_timezone(const char *iana, const char *tzid) {
        static struct {
                char *tzid;
                icalcomponent *vtz;
        } cache[64];
        static size_t n_cache;

        for (size_t i = 0; i < n_cache; i++)
                if (strcmp(cache[i].tzid, tzid) == 0)
                        return icalcomponent_new_clone(cache[i].vtz);

        icaltimezone *zone = NULL;
        bool utc = false;
        for (const char *p = iana; p && *p && !zone && !utc; p = strchr(p + 1, '/')) {
                const char *name = *p == '/' ? p + 1 : p;
                utc = is_utc_name(name);
                if (!utc && zone_name_ok(name))
                        zone = icaltimezone_get_builtin_timezone(name);
        }
        icalcomponent *vtz;
        if (utc)
                vtz = icalcomponent_vanew(ICAL_VTIMEZONE_COMPONENT, icalproperty_new_tzid(tzid),
                                          icalcomponent_vanew(ICAL_XSTANDARD_COMPONENT,
                                                              icalproperty_new_dtstart(icaltime_from_string("19700101T000000")),
                                                              icalproperty_new_tzoffsetfrom(0),
                                                              icalproperty_new_tzoffsetto(0), NULL),
                                          NULL);
        else {
                icalcomponent *def = zone ? icaltimezone_get_component(zone) : NULL;
                if (!def)
                        return NULL;
                vtz = icalcomponent_new_clone(def);
                icalproperty *p = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
                if (p)
                        icalproperty_set_tzid(p, tzid);
                else
                        icalcomponent_add_property(vtz, icalproperty_new_tzid(tzid));
                icaltimezone_truncate_vtimezone(vtz, icaltime_from_string("19700101T000000Z"),
                                                icaltime_null_time(), 0);
                until_rules_to_onsets(vtz);
        }

        if (n_cache < ELEMENTSOF(cache)) {
                char *key = strdup(tzid);
                if (key) {
                        cache[n_cache].tzid = key;
                        cache[n_cache].vtz = icalcomponent_new_clone(vtz);
                        n_cache++;
                }
        }
        return vtz;
}

/* Gives `tzid` in `cal` the zone netctl reads it as (ical-import.h, and
 * calendar.c, which leaves out a file's VTIMEZONE for a zone the system
 * knows by name): a Windows name the IANA zone's definition under its own
 * name (Exchange's VTIMEZONEs carry one year's rule, some are wrong); an
 * IANA name the system's, also when the file had a definition of its own
 * (one name, one zone, in a file holding many meetings); any other name
 * the file's VTIMEZONE, else the system's zone behind a "/vendor/prefix/".
 * Returns false when the zone is unknown: netctl reads such times as
 * floating. */
static bool settle_timezone(icalcomponent *cal, const char *tzid) {
        const char *windows = ics_windows_zone_to_iana(tzid);
        icalcomponent *have = find_timezone(cal, tzid);
        bool system = windows || export_system_zone_name(tzid);

        if (have && !system)
                return true;
        icalcomponent *vtz = builtin_timezone(windows ? windows : tzid, tzid);
        if (!vtz)
                return have != NULL;
        if (have) {
                icalcomponent_remove_component(cal, have);
                icalcomponent_free(have);
        }
        icalcomponent_add_component(cal, vtz);
        return true;
}

/* A VTIMEZONE rule with UNTIL becomes the list of its onsets (RDATEs):
 * python-icalendar 4 (Debian 12's) fails on UNTIL in a VTIMEZONE whose
 * TZID pytz does not know, and Windows names are such TZIDs.  The rules
 * that still apply have no UNTIL and stay rules. */
static void until_rules_to_onsets(icalcomponent *vtz) {
        for (icalcompiter it = icalcomponent_begin_component(vtz, ICAL_ANY_COMPONENT); icalcompiter_deref(&it);
             icalcompiter_next(&it)) {
                icalcomponent *obs = icalcompiter_deref(&it);
                icalproperty *rr = icalcomponent_get_first_property(obs, ICAL_RRULE_PROPERTY);
                icalproperty *dt = icalcomponent_get_first_property(obs, ICAL_DTSTART_PROPERTY);
                icalproperty *from = icalcomponent_get_first_property(obs, ICAL_TZOFFSETFROM_PROPERTY);
                if (!rr || !dt || !from)
                        continue;
                struct icalrecurrencetype rule = icalproperty_get_rrule(rr);
                if (icaltime_is_null_time(rule.until) || rule.count != 0)
                        continue;
                struct icaltimetype start = icalproperty_get_dtstart(dt);
                /* Onsets are local wall times, before the change: UNTIL
                 * (UTC) in the same terms. */
                if (icaltime_is_utc(rule.until)) {
                        rule.until = icaltime_add(rule.until,
                                                  icaldurationtype_from_int(icalproperty_get_tzoffsetfrom(from)));
                        rule.until.zone = NULL;
                }
                icalrecur_iterator *ri = icalrecur_iterator_new(rule, start);
                if (!ri)
                        continue;
                struct icaltimetype t;
                for (unsigned n = 0; n < 1000 && !icaltime_is_null_time(t = icalrecur_iterator_next(ri)); n++) {
                        if (icaltime_compare(t, start) == 0)
                                continue;
                        struct icaldatetimeperiodtype rdate = { .time = t, .period = icalperiodtype_null_period() };
                        icalcomponent_add_property(obs, icalproperty_new_rdate(rdate));
                }
                icalrecur_iterator_free(ri);
                icalcomponent_remove_property(obs, rr);
                icalproperty_free(rr);
        }
}

static void floating_times(icalcomponent *c, const char *tzid) {
        for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
             p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
                icalparameter *tz = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
                if (tz && icalparameter_get_tzid(tz) && strcmp(icalparameter_get_tzid(tz), tzid) == 0)
                        icalproperty_remove_parameter_by_kind(p, ICAL_TZID_PARAMETER);
        }
}

/* A UTC DATE-TIME property of c as DTSTAMP, if c has one. */
static bool stamp_from(icalcomponent *c, icalproperty_kind kind, struct icaltimetype *ret) {
        icalproperty *p = icalcomponent_get_first_property(c, kind);
        if (!p || icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER))
                return false;
        struct icaltimetype t = icalvalue_get_datetime(icalproperty_get_value(p));
        if (icaltime_is_null_time(t) || t.is_date || !icaltime_is_utc(t))
                return false;
        *ret = t;
        return true;
}

/* What other clients need to read one stored object as netctl reads it:
 * each VEVENT has its UID and a DTSTAMP (both required; files without
 * them are common), and every TZID has the VTIMEZONE netctl resolves it
 * with, or the times are floating as netctl reads them.  Deterministic,
 * so an unchanged meeting exports the same bytes every time. */
static icalcomponent *normalized_object(const char *ical, const char *uid) {
        icalcomponent *cal = icalparser_parse_string(ical);
        if (!cal)
                return NULL;
        if (icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT) {
                icalcomponent *wrap = icalcomponent_new_vcalendar();
                icalcomponent_add_component(wrap, cal);
                cal = wrap;
        }

        for (icalcompiter it = icalcomponent_begin_component(cal, ICAL_VEVENT_COMPONENT);
             icalcompiter_deref(&it); icalcompiter_next(&it)) {
                icalcomponent *ev = icalcompiter_deref(&it);
                if (!icalcomponent_get_first_property(ev, ICAL_UID_PROPERTY) && uid)
                        icalcomponent_add_property(ev, icalproperty_new_uid(uid));
                if (!icalcomponent_get_first_property(ev, ICAL_DTSTAMP_PROPERTY)) {
                        struct icaltimetype stamp;
                        if (!stamp_from(ev, ICAL_LASTMODIFIED_PROPERTY, &stamp) &&
                            !stamp_from(ev, ICAL_CREATED_PROPERTY, &stamp))
                                stamp = utc_time(0);
                        icalcomponent_add_property(ev, icalproperty_new_dtstamp(stamp));
                }

                /* At most one of each of these (RFC 5545 3.6.1): khal stops
                 * listing anything at a second DESCRIPTION.  The first
                 * wins, as it does for netctl. */
                static const icalproperty_kind once[] = {
                        ICAL_CLASS_PROPERTY, ICAL_CREATED_PROPERTY, ICAL_DESCRIPTION_PROPERTY,
                        ICAL_DTSTART_PROPERTY, ICAL_GEO_PROPERTY, ICAL_LASTMODIFIED_PROPERTY,
                        ICAL_LOCATION_PROPERTY, ICAL_ORGANIZER_PROPERTY, ICAL_PRIORITY_PROPERTY,
                        ICAL_DTSTAMP_PROPERTY, ICAL_SEQUENCE_PROPERTY, ICAL_STATUS_PROPERTY,
                        ICAL_SUMMARY_PROPERTY, ICAL_TRANSP_PROPERTY, ICAL_UID_PROPERTY, ICAL_URL_PROPERTY,
                        ICAL_RECURRENCEID_PROPERTY, ICAL_DTEND_PROPERTY, ICAL_DURATION_PROPERTY,
                };
                for (size_t i = 0; i < ELEMENTSOF(once); i++) {
                        icalproperty *first = icalcomponent_get_first_property(ev, once[i]), *p;
                        while (first && (p = icalcomponent_get_next_property(ev, once[i]))) {
                                icalcomponent_remove_property(ev, p);
                                icalproperty_free(p);
                                first = icalcomponent_get_first_property(ev, once[i]);
                        }
                }
                /* DTEND and DURATION must not both be there; DTEND wins, as
                 * it does for netctl. */
                icalproperty *duration = icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY);
                if (duration && icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY)) {
                        icalcomponent_remove_property(ev, duration);
                        icalproperty_free(duration);
                }

                /* Distinct TZIDs first: settling one may replace components. */
                char *tzids[16];
                size_t n_tzids = 0;
                for (icalproperty *p = icalcomponent_get_first_property(ev, ICAL_ANY_PROPERTY); p;
                     p = icalcomponent_get_next_property(ev, ICAL_ANY_PROPERTY)) {
                        icalparameter *tz = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
                        const char *tzid = tz ? icalparameter_get_tzid(tz) : NULL;
                        bool seen = !tzid;
                        for (size_t i = 0; i < n_tzids && !seen; i++)
                                seen = strcmp(tzids[i], tzid) == 0;
                        if (!seen && n_tzids < ELEMENTSOF(tzids)) {
                                tzids[n_tzids] = strdup(tzid);
                                if (tzids[n_tzids])
                                        n_tzids++;
                        }
                }
                for (size_t i = 0; i < n_tzids; i++) {
                        if (!settle_timezone(cal, tzids[i]))
                                floating_times(ev, tzids[i]);
                        free(tzids[i]);
                }
        }
        for (icalcompiter it = icalcomponent_begin_component(cal, ICAL_VTIMEZONE_COMPONENT);
             icalcompiter_deref(&it); icalcompiter_next(&it))
                until_rules_to_onsets(icalcompiter_deref(&it));
        return cal;
}

/* Moves the VTIMEZONEs and VEVENTs of one stored object into `into`. */
static void merge_event(icalcomponent *into, const MeetingRow *m) {
        icalcomponent *parsed = normalized_object(m->ical, m->uid);
        if (!parsed)
                return;

        icalcomponent *c;
        while ((c = icalcomponent_get_first_component(parsed, ICAL_VTIMEZONE_COMPONENT))) {
                icalcomponent_remove_component(parsed, c);
                icalproperty *p = icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY);
                const char *tzid = p ? icalproperty_get_tzid(p) : NULL;
                if (tzid && !find_timezone(into, tzid))
                        icalcomponent_add_component(into, c);
                else
                        icalcomponent_free(c);
        }
        while ((c = icalcomponent_get_first_component(parsed, ICAL_VEVENT_COMPONENT))) {
                icalcomponent_remove_component(parsed, c);
                /* A cancellation may have come as METHOD:CANCEL alone. */
                if (m->cancelled)
                        icalcomponent_set_status(c, ICAL_STATUS_CANCELLED);
                icalcomponent_add_component(into, c);
        }
        icalcomponent_free(parsed);
}

static int flush_group(ExportState *st) {
        int r = 0;
        if (st->group) {
                r = emit(st, st->group_uid, st->group);
                icalcomponent_free(st->group);
                st->group = NULL;
        }
        free(st->group_uid);
        st->group_uid = NULL;
        return r;
}

/* One stored object into the streamed single file, as merge_event() puts
 * it into the one VCALENDAR of Export: the first VTIMEZONE of each TZID,
 * and the VEVENTs in the same order, so that both write the same bytes. */
static int stream_event(ExportState *st, const MeetingRow *m) {
        icalcomponent *cal = new_calendar();
        int r = 0;

        merge_event(cal, m);
        for (icalcomponent *c = icalcomponent_get_first_component(cal, ICAL_ANY_COMPONENT); c && r >= 0;
             c = icalcomponent_get_next_component(cal, ICAL_ANY_COMPONENT)) {
                if (icalcomponent_isa(c) == ICAL_VTIMEZONE_COMPONENT) {
                        icalproperty *p = icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY);
                        const char *tzid = p ? icalproperty_get_tzid(p) : NULL;
                        bool have = false;
                        for (size_t i = 0; tzid && i < st->n_zones && !have; i++)
                                have = strcmp(st->zones[i].tzid, tzid) == 0;
                        if (!tzid || have)
                                continue;
                        /* Kept for the end: libical writes a VCALENDAR's
                         * VTIMEZONEs before its other components. */
                        ExportZone *more = realloc(st->zones, (st->n_zones + 1) * sizeof *more);
                        if (!more) {
                                r = -ENOMEM;
                                break;
                        }
                        st->zones = more;
                        char *id = strdup(tzid), *text = icalcomponent_as_ical_string_r(c);
                        if (!id || !text) {
                                free(id);
                                free(text);
                                r = -ENOMEM;
                                break;
                        }
                        st->zones[st->n_zones].tzid = id;
                        st->zones[st->n_zones].text = text;
                        st->n_zones++;
                        continue;
                }
                r = out_add_component(st, c);
        }
        icalcomponent_free(cal);
        return r;
}

static int export_meeting(const MeetingRow *m, void *userdata) {
        ExportState *st = userdata;

        if (st->single)
                return stream_event(st, m);
        if (!st->group_uid || strcmp(st->group_uid, m->uid) != 0) {
                int r = flush_group(st);
                if (r < 0)
                        return r;
                st->group = new_calendar();
                st->group_uid = strdup(m->uid);
                if (!st->group_uid)
                        return -ENOMEM;
        }
        merge_event(st->group, m);
        return 0;
}

static void export_state_clear(ExportState *st) {
        if (st->group)
                icalcomponent_free(st->group);
        free(st->group_uid);
        free(st->out);
        for (size_t i = 0; i < st->n_zones; i++) {
                free(st->zones[i].tzid);
                free(st->zones[i].text);
        }
        free(st->zones);
}

/* The walk both entry points share: follow-ups, then meetings grouped by
 * UID (store_meetings_each() returns them so). */
static int export_walk(Context *c, ExportState *st, bool todos, bool events) {
        int r;

        if (todos) {
                r = store_followup_list(c->store, INT64_MIN, INT64_MAX, FOLLOWUP_ANY, export_followup, st);
                if (r < 0)
                        return r;
        }
        if (events) {
                r = store_meetings_each(c->store, export_meeting, st);
                if (r < 0)
                        return r;
                r = flush_group(st);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Appends all of `from` to the file, through the (flushed) buffer. */
static int out_copy(ExportState *st, int from) {
        int r = out_flush(st);
        if (r < 0)
                return r;
        if (st->out_size == 0 || lseek(from, 0, SEEK_SET) < 0) {
                st->write_failed = true;
                return st->out_size == 0 ? -EINVAL : -errno;
        }
        for (;;) {
                ssize_t n = read(from, st->out, st->out_size);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        st->write_failed = true;
                        return -errno;
                }
                if (n == 0)
                        return 0;
                st->out_used = (size_t) n;
                r = out_flush(st);
                if (r < 0)
                        return r;
        }
}

int export_write(Context *c, int fd, bool todos, bool events, bool single, bool *ret_write_failed) {
        ExportState st = { .fd = fd, .single = single };
        _cleanup_close_ int body = -1;
        int r;

        r = out_add_string(&st, NETCTL_EXPORT_MAGIC);
        if (r >= 0 && single) {
                /* The one item has no UID.  Its components go to a file of
                 * their own first, since the VTIMEZONEs, known only at the
                 * end of the walk, come before them. */
                r = out_add_string(&st, "");
                if (r >= 0)
                        r = out_flush(&st);
                body = memfd_create("netctl-export-body", MFD_CLOEXEC);
                if (r >= 0 && body < 0) {
                        r = -errno;
                        st.write_failed = true;
                }
                st.fd = body;
        }
        if (r >= 0)
                r = export_walk(c, &st, todos, events);
        if (r >= 0 && single) {
                r = out_flush(&st);
                st.fd = fd;
                /* The calendar's opening lines as libical writes them,
                 * its VTIMEZONEs, the rest, and its end. */
                icalcomponent *cal = new_calendar();
                if (r >= 0)
                        r = out_add(&st, "BEGIN:VCALENDAR\r\n", strlen("BEGIN:VCALENDAR\r\n"));
                for (icalproperty *p = icalcomponent_get_first_property(cal, ICAL_ANY_PROPERTY); p && r >= 0;
                     p = icalcomponent_get_next_property(cal, ICAL_ANY_PROPERTY)) {
                        char *line = icalproperty_as_ical_string_r(p);
                        r = line ? out_add(&st, line, strlen(line)) : -ENOMEM;
                        free(line);
                }
                icalcomponent_free(cal);
                /* Latest first, as libical puts each VTIMEZONE it is
                 * given in front of those it has. */
                for (size_t i = st.n_zones; i > 0 && r >= 0; i--)
                        r = out_add(&st, st.zones[i - 1].text, strlen(st.zones[i - 1].text));
                if (r >= 0)
                        r = out_copy(&st, body);
                if (r >= 0)
                        r = out_add_string(&st, "END:VCALENDAR\r\n");
        }
        if (r >= 0)
                r = out_flush(&st);
        *ret_write_failed = st.write_failed;
        export_state_clear(&st);
        return r;
}

int export_append_file(int fd, sd_bus_message *reply) {
        struct stat st;
        int r;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (st.st_size < (off_t) sizeof NETCTL_EXPORT_MAGIC)
                return -EBADMSG;
        /* sd-bus refuses to read an array past 64 MiB: better a clear
         * error than a reply the caller cannot read. */
        if ((uint64_t) st.st_size > EXPORT_REPLY_MAX)
                return -E2BIG;
        size_t size = (size_t) st.st_size;
        char *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED)
                return -errno;
        if (map[size - 1] != '\0') {
                munmap(map, size);
                return -EBADMSG;
        }
        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "(ss)");
        /* Every string ends with a NUL, the file's last one too. */
        for (size_t at = sizeof NETCTL_EXPORT_MAGIC; r >= 0 && at < size;) {
                const char *uid = map + at, *text = uid + strlen(uid) + 1;
                if (text >= map + size) {
                        r = -EBADMSG;
                        break;
                }
                r = sd_bus_message_append(reply, "(ss)", uid, text);
                at = (size_t) (text + strlen(text) + 1 - map);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        munmap(map, size);
        return r;
}

int export_same_event(const char *a, const char *b, const char *uid) {
        if (strcmp(a, b) == 0)
                return 1;
        icalcomponent *ca = normalized_object(a, uid), *cb = normalized_object(b, uid);
        int r = 0;
        if (ca && cb) {
                char *ta = icalcomponent_as_ical_string_r(ca), *tb = icalcomponent_as_ical_string_r(cb);
                r = ta && tb ? strcmp(ta, tb) == 0 : -ENOMEM;
                free(ta);
                free(tb);
        }
        if (ca)
                icalcomponent_free(ca);
        if (cb)
                icalcomponent_free(cb);
        return r;
}
