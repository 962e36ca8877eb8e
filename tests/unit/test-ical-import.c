/* SPDX-License-Identifier: MIT */
/* Tests for daemon/ical-import.c: every file of tests/data/ics against what
 * its MANIFEST.tsv notes say, the recurrence expansion on the corpus's
 * series (window, caps, overrides, THISANDFUTURE, EXDATE, RDATE PERIOD),
 * the Windows zone table, and hostile input.  TZ is Europe/Berlin so that
 * all-day and floating times give fixed UTC instants. */

#include "ical-import.h"
#include "macro.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <libical/ical.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- helpers ---- */

static const char *data_dir(void) {
        const char *d = getenv("NETCTL_TEST_DATA");
        return d && d[0] ? d : "tests/data";
}

static char *corpus_path(const char *file) {
        static char path[4096];
        snprintf(path, sizeof(path), "%s/ics/%s", data_dir(), file);
        return path;
}

static int read_whole(const char *path, char **ret, size_t *ret_size) {
        FILE *f = fopen(path, "rb");
        char *buf = NULL;
        size_t n = 0, cap = 0;

        if (!f)
                return -errno;
        for (;;) {
                if (cap - n < 65536) {
                        char *nb = realloc(buf, cap + 65536 + 1);
                        if (!nb) {
                                free(buf);
                                fclose(f);
                                return -ENOMEM;
                        }
                        buf = nb;
                        cap += 65536;
                }
                size_t k = fread(buf + n, 1, cap - n, f);
                n += k;
                if (k == 0)
                        break;
        }
        fclose(f);
        buf[n] = 0;
        *ret = buf;
        *ret_size = n;
        return 0;
}

/* "2023-11-22T08:30:00Z" as Unix seconds, written apart from the code under
 * test (timegm, not the importer's date arithmetic). */
static int64_t utc(const char *s) {
        struct tm tm = {};

        if (!strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
                printf("# bad time literal %s\n", s);
                return -1;
        }
        return (int64_t) timegm(&tm);
}

static const char *fmt_utc(int64_t t) {
        static char buf[4][32];
        static int k;
        time_t x = (time_t) t;
        struct tm tm;

        k = (k + 1) % 4;
        gmtime_r(&x, &tm);
        strftime(buf[k], sizeof(buf[k]), "%Y-%m-%dT%H:%M:%SZ", &tm);
        return buf[k];
}

#define CHECK_TIME(got, want, what) CHECK_STR(fmt_utc(got), (want), (what))

/* The test's own UTF-8 check. */
static bool utf8_ok(const char *s) {
        const unsigned char *p = (const unsigned char *) s;

        while (*p) {
                int n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 :
                        (*p & 0xF8) == 0xF0 ? 4 : 0;
                if (n == 0)
                        return false;
                for (int i = 1; i < n; i++)
                        if ((p[i] & 0xC0) != 0x80)
                                return false;
                p += n;
        }
        return true;
}

static bool has_control(const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p < 0x20 || *p == 0x7F)
                        return true;
        return false;
}

static bool warned(const IcsCalendar *c, const char *needle) {
        for (size_t i = 0; i < c->n_warnings; i++)
                if (strstr(c->warnings[i], needle))
                        return true;
        return false;
}

static IcsCalendar *parse_file(const char *file, int *ret_r, char *err, size_t errsize) {
        IcsCalendar *c = NULL;
        char *data;
        size_t size;

        err[0] = '\0';
        int r = read_whole(corpus_path(file), &data, &size);
        if (r < 0) {
                printf("# cannot read %s: %s\n", corpus_path(file), strerror(-r));
                *ret_r = r;
                return NULL;
        }
        *ret_r = ics_parse(data, size, &c, err, errsize);
        free(data);
        return c;
}

static IcsCalendar *parse_text(const char *text, int *ret_r, char *err, size_t errsize) {
        IcsCalendar *c = NULL;

        err[0] = '\0';
        *ret_r = ics_parse(text, strlen(text), &c, err, errsize);
        return c;
}

static const IcsEvent *event_by_uid(const IcsCalendar *c, const char *uid, bool rid) {
        for (size_t i = 0; c && i < c->n_events; i++)
                if (strcmp(c->events[i].uid, uid) == 0 && c->events[i].has_recurrence_id == rid)
                        return &c->events[i];
        return NULL;
}

static const IcsEvent *event_by_summary(const IcsCalendar *c, const char *summary) {
        for (size_t i = 0; c && i < c->n_events; i++)
                if (strcmp(c->events[i].summary, summary) == 0)
                        return &c->events[i];
        return NULL;
}

static bool has_attendee(const IcsEvent *e, const char *email) {
        for (size_t i = 0; i < e->n_attendees; i++)
                if (strcmp(e->attendees[i].email, email) == 0)
                        return true;
        return false;
}

/* Expands every series of `uid` in calendar c (master plus overrides). */
static int expand_uid(const IcsCalendar *c, const char *uid, const char *from, const char *to, size_t max,
                      IcsOccurrence **ret, size_t *ret_n, bool *ret_truncated) {
        const char *master = NULL, *overrides[64];
        size_t n_ovr = 0;

        for (size_t i = 0; i < c->n_events; i++) {
                const IcsEvent *e = &c->events[i];
                if (strcmp(e->uid, uid) != 0)
                        continue;
                if (e->has_recurrence_id) {
                        if (n_ovr < 64)
                                overrides[n_ovr++] = e->ical;
                } else
                        master = e->ical;
        }
        return ics_expand(master, overrides, n_ovr, utc(from), utc(to), max, ret, ret_n, ret_truncated);
}

static const IcsOccurrence *occ_at(const IcsOccurrence *o, size_t n, const char *start) {
        int64_t t = utc(start);
        for (size_t i = 0; i < n; i++)
                if (o[i].start == t)
                        return &o[i];
        return NULL;
}

/* ---- the corpus table ---- */

enum {
        F_ALL_DAY = 1 << 0,
        F_FLOATING = 1 << 1,
        F_CANCELLED = 1 << 2,
        F_RECURRING = 1 << 3,
        F_RECURRENCE_ID = 1 << 4,
        F_UNRESOLVED = 1 << 5,
        F_DERIVED_UID = 1 << 6,
        F_NO_START = 1 << 7,
};

/* What MANIFEST.tsv's notes say, as checks.  Values describe the first
 * event in file order; NULL, -1 mean "not stated".  organizer "" means
 * "has none".  Files with more to say get a function below as well. */
typedef struct Expect {
        const char *file;
        int result;             /* 0 or the negative errno of a rejection */
        const char *reason;     /* part of the rejection sentence */
        int events;
        int skipped;
        int todos;
        const char *method;     /* ics_method_to_string() of the calendar */
        const char *uid;
        int sequence;
        const char *organizer;
        const char *start;
        const char *end;
        unsigned flags;         /* checked exactly on the first event */
} Expect;

static const Expect expectations[] = {
        { "biweekly--issue126.ics", 0, NULL, 2, 0, 0, "REQUEST", NULL, 0, "",
          "2023-11-22T08:30:00Z", NULL, F_DERIVED_UID },
        { "biweekly--outlook-2010.ics", 0, NULL, 1, 0, 0, "REQUEST",
          "040000009200E00074C5B7101A82E00800000000C0383BE68041CE0100000000000000001000000070D00A2F625AC34BB6542DE0D19E67E1",
          1, "bobsmith@example.com", "2013-06-10T16:00:00Z", "2013-06-10T17:00:00Z", 0 },
        { "ical4j--1106817412.ics", 0, NULL, 1, 0, 0, "PUBLISH", "bloc1106817412", 0, "",
          "2005-03-24T23:00:00Z", "2005-09-25T22:00:00Z", F_ALL_DAY },
        { "ical4j--apple-iphone-os-26-structured-location.ics", 0, NULL, 1, 0, 0, "",
          "af64eb20-7d10-4482-8b22-921f7656390a", 0, "", "2026-05-22T08:30:00Z", "2026-05-22T08:40:00Z", 0 },
        { "ical4j--calconnect7.ics", 0, NULL, 1, 0, 0, "REQUEST",
          "6BA1ECA4D58B306C85256FDB0071B664-Lotus_Notes_Generated", 1, "icalchair@coffeebean.com",
          "2005-04-28T15:00:00Z", NULL, F_RECURRING | F_RECURRENCE_ID },
        { "ical4j--korganizer-lowercase.ics", 0, NULL, 1, 0, 0, "", "KOrganizer-1441301191.241", 2,
          "tom@eastmond.org", "2005-01-15T23:00:00Z", "2005-01-16T23:00:00Z", F_ALL_DAY | F_RECURRING },
        { "ical4j--tmeher.ics", 0, NULL, 1, 0, 0, "REQUEST",
          "CD0000008B9511D182D800C04FB1625D17D373499F99F547A0016BEAC6AB5576", 0,
          "meher.tendjoukian@verdisoft.com", "2004-10-12T05:30:00Z", "2004-10-12T07:00:00Z", 0 },
        { "icalevents--basic_latin1.ics", 0, NULL, 95, 0, 0, "PUBLISH", NULL, 0, "",
          "2017-07-11T22:00:00Z", "2017-07-12T22:00:00Z", F_ALL_DAY },
        { "icalevents--google_2024.ics", 0, NULL, 3, 0, 0, "PUBLISH", "21u17g5sbq791pn23imf7ue0lc@google.com", 0,
          "", "2024-03-25T06:00:00Z", "2024-03-25T07:00:00Z", F_RECURRING },
        { "icalevents--icloud.ics", 0, NULL, 4, 0, 0, "", "003AFB7E-BA60-481A-A087-23024D956074", 0, "",
          "2016-11-03T17:00:00Z", NULL, 0 },
        { "icalevents--multi_exdate_same_line_ms.ics", 0, NULL, 1, 0, 0, "PUBLISH", NULL, 0, "",
          "2022-03-11T16:00:00Z", "2022-03-11T16:30:00Z", F_RECURRING },
        { "icalevents--recurrenceid_ms.ics", 0, NULL, 2, 0, 0, "PUBLISH", NULL, 0, "",
          "2021-02-09T23:00:00Z", NULL, F_ALL_DAY | F_RECURRING },
        { "icalevents--rrule_until_all_day_ms.ics", 0, NULL, 1, 0, 0, "PUBLISH", NULL, 0, "",
          "2021-03-18T23:00:00Z", "2021-03-20T23:00:00Z", F_ALL_DAY | F_RECURRING },
        { "icaljs--blank_line_mid.ics", 0, NULL, 0, 0, 0, "", NULL, -1, NULL, NULL, NULL, 0 },
        { "icaljs--google_birthday.ics", 0, NULL, 4, 0, 0, "", "2014_BIRTHDAY_79d389868f96182e@google.com", 1,
          "", "2014-12-09T23:00:00Z", "2014-12-10T23:00:00Z", F_ALL_DAY | F_RECURRING },
        { "icaljs--recur_instances.ics", 0, NULL, 3, 0, 0, "", "623c13c0-6c2b-45d6-a12b-c33ad61c4868", 0,
          "jlal@mozilla.com", "2012-10-02T17:00:00Z", NULL, F_RECURRING },
        { "ics-parser--issue-343.ics", 0, NULL, 1, 1, 0, "REQUEST", NULL, 7, "organizer@example.com",
          "2024-09-23T08:00:00Z", NULL, F_FLOATING | F_RECURRING | F_DERIVED_UID },
        { "khal--event_d_no_value.ics", 0, NULL, 1, 0, 0, "", "V042MJ8B3SJNFXQOJL6P53OFMHJE8Z3VZWOU", 0, "",
          "2014-04-08T22:00:00Z", "2014-04-09T22:00:00Z", F_ALL_DAY },
        { "khal--event_dt_floating.ics", 0, NULL, 1, 0, 0, "", "floating1234567890", 0, "",
          "2014-04-09T07:30:00Z", NULL, F_FLOATING },
        { "khal--event_dt_local_missing_tz.ics", 0, NULL, 1, 0, 0, "", NULL, 0, "",
          "2014-04-09T07:30:00Z", NULL, F_FLOATING | F_UNRESOLVED },
        { "khal--event_dt_multi_recuid_no_master.ics", 0, NULL, 2, 0, 0, "", "abe304dc-f7b1-4f2b-997d-5c8bcfaa7e0b", 0,
          "", "2014-06-30T05:30:00Z", "2014-06-30T10:00:00Z", F_FLOATING | F_RECURRING | F_RECURRENCE_ID },
        { "khal--event_rrule_recuid_cancelled.ics", 0, NULL, 3, 0, 0, "", "event_rrule_recurrence_id", 0, "",
          "2014-06-30T05:00:00Z", NULL, F_RECURRING },
        { "khal--invalid_tzoffset.ics", 0, NULL, 1, 0, 0, "", NULL, 0, "",
          "2012-12-02T07:00:00Z", "2012-12-02T08:30:00Z", 0 },
        /* The Windows name wins over the bogus VTIMEZONE: Pacific/Auckland. */
        { "khal--tz_windows_format.ics", 0, NULL, 1, 0, 0, "", NULL, 0, "",
          "2019-11-20T00:00:00Z", NULL, 0 },
        { "khal--without_uid.ics", 0, NULL, 1, 0, 0, "", NULL, 0, "",
          "2014-04-08T22:00:00Z", "2014-04-09T22:00:00Z", F_ALL_DAY | F_DERIVED_UID },
        { "libical--2445.ics", 0, NULL, 6, 0, 2, "", NULL, 0, "",
          "1997-07-14T17:00:00Z", NULL, F_DERIVED_UID },
        { "libical--incoming.ics", 0, NULL, 14, 0, 0, "REQUEST",
          "calsrv.example.com-873970198738776@example.com", 2, "b@example.com",
          "1997-07-01T10:00:00Z", NULL, 0 },
        { "libical--issue252.ics", -EBADMSG, "NUL byte", 0, 0, 0, NULL, NULL, -1, NULL, NULL, NULL, 0 },
        { "libical--recur-errors.ics", 0, NULL, 4, 0, 0, "", NULL, 0, "",
          "1997-08-05T07:00:00Z", NULL, F_FLOATING | F_UNRESOLVED | F_RECURRING | F_DERIVED_UID },
        { "node-ical--exchange-custom-tz.ics", 0, NULL, 1, 0, 0, "PUBLISH", NULL, 0, "",
          "2019-04-30T02:00:00Z", "2019-04-30T05:00:00Z", 0 },
        { "node-ical--exchange_whole_day_moved_recurrence.ics", 0, NULL, 2, 0, 0, "PUBLISH",
          "exchange-moved-recurrence", 0, "", "2026-02-18T23:00:00Z", NULL, F_ALL_DAY | F_RECURRING },
        /* The second VEVENT lost its DTSTART to the misplaced quote. */
        { "node-ical--ms_timezones.ics", 0, NULL, 3, 1, 0, "PUBLISH", NULL, 0, "",
          "2020-09-10T07:00:00Z", "2020-09-10T07:30:00Z", 0 },
        { "node-ical--tentative-apple-calendar.ics", 0, NULL, 4, 0, 0, "PUBLISH",
          "31a1ffc9-9b76-465b-ae4a-cadb694c9d37", 0, "tentative@example.com",
          "2022-07-04T23:00:00Z", "2022-07-04T23:50:00Z", 0 },
        { "python-icalendar--alarm_google_future.ics", 0, NULL, 1, 0, 0, "PUBLISH",
          "79fs7pkqvht9m5igs0vjv1sfra@google.com", 0, "", "2024-10-04T18:15:00Z", "2024-10-04T19:00:00Z", 0 },
        { "python-icalendar--alarm_thunderbird_snoozed_until_1457.ics", 0, NULL, 1, 0, 0, "", NULL, 0, "",
          "2024-10-23T14:00:00Z", "2024-10-23T15:00:00Z", 0 },
        { "python-icalendar--bom_calendar.ics", 0, NULL, 0, 0, 0, "", NULL, -1, NULL, NULL, NULL, 0 },
        { "python-icalendar--fuzz_testcase_vtimezone_lone_cr.ics", -EBADMSG, "no BEGIN:VCALENDAR", 0, 0, 0,
          NULL, NULL, -1, NULL, NULL, NULL, 0 },
        { "python-icalendar--issue_165_missing_event.ics", 0, NULL, 1, 0, 0, "REQUEST", NULL, 0, "",
          "2015-07-03T08:00:00Z", NULL, F_RECURRING | F_DERIVED_UID },
        { "python-icalendar--issue_237_fail_to_parse_timezone_with_non_ascii_tzid.ics", 0, NULL, 1, 0, 0, "",
          NULL, 0, "", "2017-05-11T16:30:00Z", "2017-05-11T17:00:00Z", F_DERIVED_UID },
        { "python-icalendar--multiple_calendar_components.ics", 0, NULL, 3, 0, 0, "PUBLISH", "956630271", 0, "",
          "2003-12-24T23:00:00Z", "2003-12-25T23:00:00Z", F_ALL_DAY },
        /* RDATE-only VEVENTs: no DTSTART, nothing to schedule. */
        { "python-icalendar--rfc_5545_RDATE_example.ics", 0, NULL, 0, 6, 0, "", NULL, -1, NULL, NULL, NULL, 0 },
        { "python-icalendar--small_bad_calendar.ics", -EBADMSG, "truncated", 0, 0, 0, NULL, NULL, -1, NULL,
          NULL, NULL, 0 },
        { "python-icalendar--timezone_same_start.ics", 0, NULL, 1, 0, 0, "REQUEST", NULL, 0, "",
          "2017-02-24T20:00:00Z", "2017-02-24T20:30:00Z", 0 },
        { "python-icalendar--todos-example.ics", 0, NULL, 0, 0, 1, "", NULL, -1, NULL, NULL, NULL, 0 },
        { "recurring-ical-events--issue_107_omitting_last_event.ics", 0, NULL, 1, 0, 0, "", NULL, 0, "",
          "2023-01-05T18:00:00Z", "2023-01-05T19:00:00Z", F_RECURRING | F_DERIVED_UID },
        { "recurring-ical-events--issue_113_period_in_rdate.ics", 0, NULL, 1, 0, 0, "", "1", 0, "",
          "2023-09-20T19:00:00Z", NULL, F_RECURRING },
        { "recurring-ical-events--issue_28_rrule_with_UTC_endinginZ.ics", 0, NULL, 5, 0, 0, "PUBLISH", NULL, 0,
          "", "2020-04-01T22:00:00Z", "2020-04-02T22:00:00Z", F_ALL_DAY | F_RECURRING },
        { "recurring-ical-events--issue_62_moved_event.ics", 0, NULL, 2, 0, 0, "PUBLISH",
          "38m812jicsrer5gorh3mlp7qhc@google.com", 3, "", "2021-12-17T20:30:00Z", NULL, F_RECURRENCE_ID },
        { "recurring-ical-events--issue_75_range_parameter.ics", 0, NULL, 4, 0, 0, "", "210", 0, "",
          "2024-09-01T12:00:00Z", "2024-09-01T14:00:00Z", F_RECURRING },
        { "recurring-ical-events--issue_97_simple_todo.ics", 0, NULL, 0, 0, 1, "", NULL, -1, NULL, NULL, NULL, 0 },
        { "recurring-ical-events--x_wr_timezone_simple_events_issue_59.ics", 0, NULL, 2, 0, 0, "PUBLISH", NULL, 2,
          "", "2021-12-22T17:00:00Z", "2021-12-22T18:00:00Z", 0 },
        { "thunderbird--cancel-repeat-event.ics", 0, NULL, 1, 0, 0, "CANCEL", "02e79b96", 1, "sender@example.com",
          NULL, NULL, F_CANCELLED | F_RECURRING | F_NO_START },
        { "thunderbird--cancel-single-event.ics", 0, NULL, 1, 0, 0, "CANCEL", "02e79b96", 1, "sender@example.com",
          "2022-03-16T11:00:00Z", "2022-03-16T11:30:00Z", F_CANCELLED },
        { "thunderbird--exception-major.ics", 0, NULL, 1, 0, 0, "REQUEST", "02e79b96", 2, "sender@example.com",
          "2022-03-17T05:00:00Z", "2022-03-17T05:30:00Z", F_RECURRENCE_ID },
        { "thunderbird--importLatin1.ics", 0, NULL, 4, 0, 0, "", NULL, 0, "",
          "2019-01-01T14:00:00Z", NULL, F_FLOATING | F_DERIVED_UID },
        { "thunderbird--meet-meeting-invite.ics", 0, NULL, 1, 0, 0, "REQUEST",
          "65m17hsdolmotv3kvmrtg40ont@google.com", 0, "example@gmail.com",
          "2021-03-22T09:30:00Z", "2021-03-22T10:30:00Z", 0 },
        { "thunderbird--outlook-test-invite.ics", 0, NULL, 1, 0, 0, "REQUEST", NULL, 0, "marge@example.org",
          "2021-11-27T07:00:00Z", "2021-11-27T07:30:00Z", 0 },
        { "thunderbird--repeat-event.ics", 0, NULL, 1, 0, 0, "REQUEST", "02e79b96", 0, "sender@example.com",
          "2022-03-16T11:00:00Z", "2022-03-16T11:30:00Z", F_RECURRING },
        /* DTEND and DURATION both present: DTEND wins. */
        { "thunderbird--single-event.ics", 0, NULL, 1, 0, 0, "REQUEST", "02e79b96", 0, "sender@example.com",
          "2022-03-16T11:00:00Z", "2022-03-16T11:30:00Z", 0 },
        { "thunderbird--teams-meeting-invite.ics", 0, NULL, 1, 0, 0, "REQUEST",
          "056000008200E00074C5B7101A82E008000000001AF84C64CBC8D601000000000000000010000000403B5AC10A0EB444A947D2B499A4B98C",
          0, "marge@example.com", "2020-12-02T17:00:00Z", "2020-12-02T19:00:00Z", 0 },
        { "thunderbird--update-major.ics", 0, NULL, 1, 0, 0, "REQUEST", "02e79b96", 2, "sender@example.com",
          "2022-03-16T05:00:00Z", "2022-03-16T05:30:00Z", 0 },
};

static const Expect *expect_for(const char *file) {
        for (size_t i = 0; i < sizeof(expectations) / sizeof(expectations[0]); i++)
                if (strcmp(expectations[i].file, file) == 0)
                        return &expectations[i];
        return NULL;
}

static unsigned event_flags(const IcsEvent *e) {
        return (e->all_day ? F_ALL_DAY : 0) | (e->floating ? F_FLOATING : 0) | (e->cancelled ? F_CANCELLED : 0) |
                (e->recurring ? F_RECURRING : 0) | (e->has_recurrence_id ? F_RECURRENCE_ID : 0) |
                (e->zone_unresolved ? F_UNRESOLVED : 0) | (e->uid_derived ? F_DERIVED_UID : 0) |
                (e->has_start ? 0 : F_NO_START);
}

/* Invariants every parsed event must keep, whatever the file. */
static void check_event_invariants(const char *file, const IcsEvent *e) {
        char what[512];
        bool ok = e->uid && *e->uid && utf8_ok(e->uid) && e->summary && e->location && utf8_ok(e->summary) &&
                utf8_ok(e->location) && !has_control(e->summary) && !has_control(e->location) &&
                strlen(e->summary) <= ICS_TEXT_MAX && strlen(e->location) <= ICS_TEXT_MAX &&
                (!e->has_start || e->end >= e->start) && e->sequence >= 0 && e->ical &&
                e->n_attendees <= ICS_ATTENDEES_MAX;

        for (size_t i = 0; ok && i < e->n_attendees; i++) {
                const char *m = e->attendees[i].email;
                ok = m && strchr(m, '@') && utf8_ok(m);
                for (const char *p = m; ok && *p; p++)
                        ok = !(*p >= 'A' && *p <= 'Z');
        }
        snprintf(what, sizeof(what), "%s: event %s keeps the invariants", file, e->uid ? e->uid : "?");
        CHECK(ok, what);
}

/* The self-contained text of each event parses back to the same event.
 * An iTIP REPLY without DTSTART is usable only with its METHOD, which the
 * text (meant for storing and exporting) does not carry. */
static void check_round_trip(const char *file, const IcsEvent *e) {
        IcsCalendar *c = NULL;
        char what[512], err[256];

        if (!e->has_start && !e->cancelled)
                return;

        snprintf(what, sizeof(what), "%s: %.60s re-parses from its own text", file, e->uid);
        int r = ics_parse(e->ical, strlen(e->ical), &c, err, sizeof(err));
        bool ok = r == 0 && c && c->n_events == 1;
        if (ok) {
                const IcsEvent *b = &c->events[0];
                ok = b->has_start == e->has_start && b->start == e->start && b->end == e->end &&
                        b->all_day == e->all_day && b->floating == e->floating &&
                        b->recurrence_id == e->recurrence_id && b->sequence == e->sequence &&
                        strcmp(b->summary, e->summary) == 0 &&
                        /* A "-2" disambiguation needs the other event of the file. */
                        (strcmp(b->uid, e->uid) == 0 || (e->uid_derived && strstr(e->uid, "-2@")));
        }
        CHECK(ok, what);
        ics_calendar_free(c);
}

static void check_corpus_file(const char *file) {
        const Expect *x = expect_for(file);
        char what[512], err[256];
        int r;

        snprintf(what, sizeof(what), "%s has an entry in the expectation table", file);
        CHECK(x, what);
        if (!x)
                return;

        IcsCalendar *c = parse_file(file, &r, err, sizeof(err));
        snprintf(what, sizeof(what), "%s: parse result", file);
        CHECK_INT(r, x->result, what);
        if (x->result < 0) {
                snprintf(what, sizeof(what), "%s: rejected with a reason naming the problem", file);
                if (!strstr(err, x->reason))
                        printf("#   reason: %s\n", err);
                CHECK(strstr(err, x->reason), what);
                snprintf(what, sizeof(what), "%s: nothing returned for a rejected file", file);
                CHECK(!c, what);
                ics_calendar_free(c);
                return;
        }
        if (!c)
                return;

        snprintf(what, sizeof(what), "%s: number of events", file);
        CHECK_INT(c->n_events, x->events, what);
        snprintf(what, sizeof(what), "%s: number of skipped events", file);
        CHECK_INT(c->n_skipped, x->skipped, what);
        snprintf(what, sizeof(what), "%s: number of VTODOs", file);
        CHECK_INT(c->n_todos, x->todos, what);
        if (x->skipped > 0) {
                snprintf(what, sizeof(what), "%s: a warning says why events were skipped", file);
                CHECK(warned(c, "skipped"), what);
        }
        if (x->method) {
                snprintf(what, sizeof(what), "%s: METHOD", file);
                CHECK_STR(ics_method_to_string(c->method), x->method, what);
        }

        for (size_t i = 0; i < c->n_events; i++) {
                check_event_invariants(file, &c->events[i]);
                check_round_trip(file, &c->events[i]);
        }

        if (c->n_events == 0) {
                ics_calendar_free(c);
                return;
        }
        const IcsEvent *e = &c->events[0];
        if (x->uid) {
                snprintf(what, sizeof(what), "%s: UID", file);
                CHECK_STR(e->uid, x->uid, what);
        }
        if (x->sequence >= 0) {
                snprintf(what, sizeof(what), "%s: SEQUENCE", file);
                CHECK_INT(e->sequence, x->sequence, what);
        }
        if (x->organizer) {
                snprintf(what, sizeof(what), "%s: organizer", file);
                if (*x->organizer)
                        CHECK_STR(e->organizer.email, x->organizer, what);
                else
                        CHECK(!e->organizer.email, what);
        }
        if (x->start) {
                snprintf(what, sizeof(what), "%s: first start in UTC", file);
                CHECK_TIME(e->start, x->start, what);
        }
        if (x->end) {
                snprintf(what, sizeof(what), "%s: first end in UTC", file);
                CHECK_TIME(e->end, x->end, what);
        }
        snprintf(what, sizeof(what), "%s: flags of the first event", file);
        CHECK_INT(event_flags(e), x->flags, what);
        if (e->uid_derived) {
                snprintf(what, sizeof(what), "%s: a warning says the UID was derived", file);
                CHECK(warned(c, "no UID"), what);
        }

        ics_calendar_free(c);
}

/* ---- what the notes say beyond the table ---- */

static void test_corpus_details(void) {
        IcsCalendar *c;
        const IcsEvent *e;
        char err[256];
        int r;

        /* Two UID-less Exchange events; the second in CEST. */
        c = parse_file("biweekly--issue126.ics", &r, err, sizeof(err));
        if (c && c->n_events == 2) {
                CHECK_TIME(c->events[1].start, "2023-04-22T07:30:00Z", "issue126: second event in CEST");
                CHECK(strcmp(c->events[0].uid, c->events[1].uid) != 0, "issue126: derived UIDs differ");
        }
        ics_calendar_free(c);

        /* The derived UID is stable across parses. */
        {
                IcsCalendar *a = parse_file("khal--without_uid.ics", &r, err, sizeof(err));
                IcsCalendar *b = parse_file("khal--without_uid.ics", &r, err, sizeof(err));
                CHECK(a && b && a->n_events == 1 && b->n_events == 1 &&
                      strcmp(a->events[0].uid, b->events[0].uid) == 0 &&
                      strncmp(a->events[0].uid, "derived-", 8) == 0,
                      "without_uid: the derived UID is the same on every import");
                ics_calendar_free(a);
                ics_calendar_free(b);
        }

        c = parse_file("biweekly--outlook-2010.ics", &r, err, sizeof(err));
        if (c && c->n_events == 1) {
                e = &c->events[0];
                CHECK_STR(e->organizer.name, "Smith, Bob", "outlook-2010: organizer CN");
                CHECK_INT(e->n_attendees, 2, "outlook-2010: two attendees");
                CHECK(has_attendee(e, "janedoe@example.com"), "outlook-2010: janedoe attends");
                CHECK_STR(e->summary, "Team Meeting", "outlook-2010: summary");
        }
        ics_calendar_free(c);

        /* Corrupt UTF-8 becomes U+FFFD, valid Japanese text stays. */
        c = parse_file("ical4j--1106817412.ics", &r, err, sizeof(err));
        if (c && c->n_events == 1) {
                CHECK(strstr(c->events[0].summary, "\xEF\xBF\xBD"), "1106817412: U+FFFD for the bad bytes");
                CHECK(strstr(c->events[0].summary, "\xE6\x97\xA5\xE6\x9C\xAC"), "1106817412: the rest decoded");
                CHECK(warned(c, "U+FFFD"), "1106817412: warned about invalid UTF-8");
        }
        ics_calendar_free(c);

        c = parse_file("ical4j--apple-iphone-os-26-structured-location.ics", &r, err, sizeof(err));
        if (c && c->n_events == 1)
                CHECK_STR(c->events[0].location, "Hauptstra\xC3\x9F" "e 1-5; 4041 Linz", "iphone: UTF-8 location");
        ics_calendar_free(c);

        c = parse_file("ical4j--calconnect7.ics", &r, err, sizeof(err));
        if (c && c->n_events == 1) {
                CHECK_TIME(c->events[0].recurrence_id, "2005-04-28T13:00:00Z", "calconnect7: RECURRENCE-ID");
                CHECK_INT(c->events[0].n_attendees, 2, "calconnect7: two attendees");
        }
        ics_calendar_free(c);

        /* Whole-file Latin-1: decoded, not replaced. */
        c = parse_file("icalevents--basic_latin1.ics", &r, err, sizeof(err));
        if (c && c->n_events == 95) {
                CHECK_STR(c->events[0].location, "Luitpoldstra\xC3\x9F" "e, Treuchtlingen",
                          "basic_latin1: Latin-1 location decoded");
                CHECK(warned(c, "Windows-1252"), "basic_latin1: warned about the encoding");
        }
        ics_calendar_free(c);

        c = parse_file("thunderbird--importLatin1.ics", &r, err, sizeof(err));
        CHECK(event_by_summary(c, "Event Tv\xC3\xA5"), "importLatin1: 'Event Två' decoded");
        e = event_by_summary(c, "Event Four");
        CHECK(e && e->start == utc("2019-01-01T17:00:00Z"), "importLatin1: Event Four at 18:00 local");
        ics_calendar_free(c);

        c = parse_file("icalevents--google_2024.ics", &r, err, sizeof(err));
        e = event_by_summary(c, "all 2 days");
        CHECK(e && e->all_day && e->start == utc("2024-03-26T23:00:00Z") && e->end == utc("2024-03-28T23:00:00Z"),
              "google_2024: two-day all-day event ends at midnight after 03-28");
        ics_calendar_free(c);

        c = parse_file("icalevents--icloud.ics", &r, err, sizeof(err));
        e = event_by_summary(c, "Weinabend Franken \xE2\x80\x93 Castell");
        CHECK(e, "icloud: en dash in SUMMARY survives");
        ics_calendar_free(c);

        /* Birthday overrides with DATE RECURRENCE-IDs; invalid RDATEs dropped. */
        c = parse_file("icaljs--google_birthday.ics", &r, err, sizeof(err));
        e = event_by_uid(c, "BIRTHDAY_79d389868f96182e@google.com", true);
        CHECK(e && e->all_day && e->recurrence_id == utc("2012-12-09T23:00:00Z"),
              "google_birthday: DATE RECURRENCE-ID as local midnight");
        CHECK(c && warned(c, "RDATE"), "google_birthday: the broken RDATEs are reported");
        ics_calendar_free(c);

        c = parse_file("ics-parser--issue-343.ics", &r, err, sizeof(err));
        if (c && c->n_events == 1) {
                CHECK_INT(c->events[0].n_attendees, 3, "issue-343: three attendees");
                CHECK(warned(c, "libical"), "issue-343: the broken folding is reported");
        }
        ics_calendar_free(c);

        c = parse_file("khal--event_dt_local_missing_tz.ics", &r, err, sizeof(err));
        CHECK(c && warned(c, "FOO"), "missing_tz: the unknown TZID is named");
        ics_calendar_free(c);

        c = parse_file("khal--event_rrule_recuid_cancelled.ics", &r, err, sizeof(err));
        if (c && c->n_events == 3) {
                CHECK(!c->events[0].floating && !c->events[0].zone_unresolved,
                      "rrule_recuid_cancelled: Europe/Berlin without VTIMEZONE resolved");
                CHECK(c->events[2].cancelled && c->events[2].recurrence_id == utc("2014-07-14T05:00:00Z"),
                      "rrule_recuid_cancelled: the 07-14 override is cancelled");
                CHECK_TIME(c->events[1].start, "2014-07-07T07:00:00Z", "rrule_recuid_cancelled: 07-07 moved");
        }
        ics_calendar_free(c);

        c = parse_file("libical--2445.ics", &r, err, sizeof(err));
        e = event_by_summary(c, "Our Blissful Anniversary");
        CHECK(e && e->all_day && e->recurring && e->start == utc("1997-11-01T23:00:00Z"),
              "2445: DATE without VALUE=DATE is all-day");
        ics_calendar_free(c);

        /* iTIP chains: several METHODs in one file, each event keeps its own. */
        c = parse_file("libical--incoming.ics", &r, err, sizeof(err));
        if (c) {
                size_t methods[ICS_METHOD_OTHER + 1] = {};
                const IcsEvent *cancel = NULL;
                for (size_t i = 0; i < c->n_events; i++) {
                        methods[c->events[i].method]++;
                        if (c->events[i].method == ICS_METHOD_CANCEL)
                                cancel = &c->events[i];
                }
                CHECK_INT(methods[ICS_METHOD_REQUEST], 5, "incoming: five REQUEST events");
                CHECK_INT(methods[ICS_METHOD_REPLY], 5, "incoming: five REPLY events");
                CHECK_INT(methods[ICS_METHOD_CANCEL], 1, "incoming: one CANCEL");
                CHECK_INT(methods[ICS_METHOD_COUNTER], 1, "incoming: one COUNTER");
                CHECK_INT(methods[ICS_METHOD_PUBLISH], 2, "incoming: two PUBLISH events");
                CHECK(cancel && cancel->cancelled &&
                      strcmp(cancel->uid, "calsrv.example.com-873970198738777@example.com") == 0 &&
                      cancel->sequence == 1, "incoming: the CANCEL names ...777 with SEQUENCE 1");
                size_t stale_against = 0;
                for (size_t i = 0; cancel && i < c->n_events; i++)
                        if (c->events[i].method == ICS_METHOD_REQUEST &&
                            strcmp(c->events[i].uid, cancel->uid) == 0 && c->events[i].sequence > cancel->sequence)
                                stale_against++;
                CHECK(stale_against > 0, "incoming: a REQUEST for ...777 has a higher SEQUENCE (stale cancel)");
        }
        ics_calendar_free(c);

        /* Windows display name with escaped commas in the VTIMEZONE. */
        c = parse_file("node-ical--exchange-custom-tz.ics", &r, err, sizeof(err));
        CHECK(c && c->n_events == 1 && !c->events[0].floating, "exchange-custom-tz: zone resolved");
        ics_calendar_free(c);

        c = parse_file("node-ical--exchange_whole_day_moved_recurrence.ics", &r, err, sizeof(err));
        e = event_by_uid(c, "exchange-moved-recurrence", true);
        CHECK(e && e->all_day && e->recurrence_id == utc("2026-02-25T23:00:00Z") &&
              e->start == utc("2026-02-26T23:00:00Z"),
              "whole_day_moved: DATE-TIME RECURRENCE-ID on a DATE series read as the date");
        ics_calendar_free(c);

        c = parse_file("node-ical--ms_timezones.ics", &r, err, sizeof(err));
        if (c && c->n_events == 3) {
                CHECK_TIME(c->events[1].start, "2020-09-15T15:30:00Z", "ms_timezones: Pacific Standard Time");
                CHECK_INT(c->events[2].sequence, 3, "ms_timezones: fourth event SEQUENCE 3");
                CHECK(warned(c, "no DTSTART"), "ms_timezones: the broken DTSTART is reported");
        }
        ics_calendar_free(c);

        c = parse_file("node-ical--tentative-apple-calendar.ics", &r, err, sizeof(err));
        e = event_by_summary(c, "Cancelled");
        CHECK(e && e->cancelled && e->start == utc("2022-07-06T20:00:00Z"),
              "tentative-apple: the CANCELLED one, America/Vancouver from zoneinfo");
        e = event_by_summary(c, "Tentative");
        CHECK(e && e->tentative && !e->cancelled, "tentative-apple: TENTATIVE is not cancelled");
        e = event_by_summary(c, "Confirmed");
        CHECK(e && e->start == utc("2022-07-05T16:00:00Z"), "tentative-apple: 09:00 PDT");
        ics_calendar_free(c);

        c = parse_file("python-icalendar--multiple_calendar_components.ics", &r, err, sizeof(err));
        CHECK(event_by_uid(c, "911737808", false) && event_by_uid(c, "wh4t3v3r", false),
              "multiple_calendar_components: all three UIDs read");
        e = event_by_summary(c, "Christmas Day");
        CHECK(e && strcmp(e->uid, "956630271") == 0, "multiple_calendar_components: blank-line folds repaired");
        ics_calendar_free(c);

        c = parse_file("recurring-ical-events--issue_62_moved_event.ics", &r, err, sizeof(err));
        e = event_by_uid(c, "38m812jicsrer5gorh3mlp7qhc@google.com", false);
        CHECK(e && e->sequence == 2 && e->start == utc("2021-11-26T20:30:00Z"),
              "issue_62: master after its override");
        ics_calendar_free(c);

        c = parse_file("recurring-ical-events--issue_75_range_parameter.ics", &r, err, sizeof(err));
        if (c && c->n_events == 4) {
                CHECK(c->events[1].this_and_future && !c->events[2].this_and_future && c->events[3].this_and_future,
                      "issue_75: RANGE=THISANDFUTURE read");
                CHECK_TIME(c->events[1].recurrence_id, "2024-09-13T12:00:00Z", "issue_75: first override's slot");
        }
        ics_calendar_free(c);

        /* UTC values win; X-WR-TIMEZONE is only a display hint. */
        c = parse_file("recurring-ical-events--x_wr_timezone_simple_events_issue_59.ics", &r, err, sizeof(err));
        if (c && c->n_events == 2)
                CHECK_TIME(c->events[1].start, "2021-12-23T02:00:00Z", "x_wr_timezone: second event in UTC");
        ics_calendar_free(c);

        c = parse_file("thunderbird--single-event.ics", &r, err, sizeof(err));
        if (c && c->n_events == 1) {
                e = &c->events[0];
                CHECK_INT(e->n_attendees, 3, "single-event: three attendees");
                CHECK(has_attendee(e, "other@example.com"), "single-event: other@example.com attends");
                CHECK_STR(e->organizer.name, "Sender", "single-event: organizer CN");
        }
        ics_calendar_free(c);

        c = parse_file("thunderbird--teams-meeting-invite.ics", &r, err, sizeof(err));
        if (c && c->n_events == 1) {
                CHECK(has_attendee(&c->events[0], "bart@example.com") &&
                      has_attendee(&c->events[0], "homer@example.com"), "teams: both attendees");
                CHECK_STR(c->events[0].location, "", "teams: empty LOCATION");
        }
        ics_calendar_free(c);

        c = parse_file("thunderbird--outlook-test-invite.ics", &r, err, sizeof(err));
        if (c && c->n_events == 1)
                CHECK(has_attendee(&c->events[0], "homer@example.org"), "outlook-test-invite: homer attends");
        ics_calendar_free(c);

        c = parse_file("thunderbird--meet-meeting-invite.ics", &r, err, sizeof(err));
        if (c && c->n_events == 1)
                CHECK_INT(c->events[0].n_attendees, 2, "meet: two attendees");
        ics_calendar_free(c);
}

/* The update and cancel chain of UID 02e79b96, as the store will see it. */
static void test_sequence_chain(void) {
        IcsCalendar *single, *update, *cancel, *cancel_repeat;
        char err[256];
        int r;

        single = parse_file("thunderbird--single-event.ics", &r, err, sizeof(err));
        update = parse_file("thunderbird--update-major.ics", &r, err, sizeof(err));
        cancel = parse_file("thunderbird--cancel-single-event.ics", &r, err, sizeof(err));
        cancel_repeat = parse_file("thunderbird--cancel-repeat-event.ics", &r, err, sizeof(err));
        if (single && update && cancel && cancel_repeat && single->n_events == 1 && update->n_events == 1 &&
            cancel->n_events == 1 && cancel_repeat->n_events == 1) {
                const IcsEvent *s = &single->events[0], *u = &update->events[0], *k = &cancel->events[0];
                CHECK(strcmp(s->uid, u->uid) == 0 && strcmp(s->uid, k->uid) == 0, "chain: one UID");
                CHECK(s->sequence < k->sequence && k->sequence < u->sequence,
                      "chain: cancel (1) is newer than the invite (0), older than the update (2)");
                CHECK(u->start == utc("2022-03-16T05:00:00Z") && s->start == utc("2022-03-16T11:00:00Z"),
                      "chain: the update moves the meeting to 05:00Z");
                CHECK(k->cancelled && !s->cancelled && !u->cancelled, "chain: only the CANCEL cancels");
                CHECK(cancel_repeat->events[0].cancelled && !cancel_repeat->events[0].has_start,
                      "chain: a CANCEL without DTSTART still names the UID");
        } else
                CHECK(false, "chain: all four files parse");
        ics_calendar_free(single);
        ics_calendar_free(update);
        ics_calendar_free(cancel);
        ics_calendar_free(cancel_repeat);
}

static int compare_names(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Every file in the directory is in the table, and the manifest lists them
 * all: nothing added later goes untested. */
static void test_corpus(void) {
        char path[4096];
        size_t n_files = 0, n_manifest = 0;

        snprintf(path, sizeof(path), "%s/ics", data_dir());
        DIR *d = opendir(path);
        CHECK(d, "the corpus directory opens");
        if (!d)
                return;

        char **files = NULL;
        for (struct dirent *de; (de = readdir(d));) {
                size_t l = strlen(de->d_name);
                if (l < 5 || strcmp(de->d_name + l - 4, ".ics") != 0)
                        continue;
                char **v = realloc(files, (n_files + 1) * sizeof(char *));
                if (!v)
                        break;
                files = v;
                files[n_files++] = strdup(de->d_name);
        }
        closedir(d);
        qsort(files, n_files, sizeof(char *), compare_names);

        CHECK_INT(n_files, sizeof(expectations) / sizeof(expectations[0]),
                  "as many corpus files as expectations");
        for (size_t i = 0; i < n_files; i++) {
                check_corpus_file(files[i]);
                free(files[i]);
        }
        free(files);

        char *manifest;
        size_t size;
        snprintf(path, sizeof(path), "%s/ics/MANIFEST.tsv", data_dir());
        if (read_whole(path, &manifest, &size) == 0) {
                bool all = true;
                char *save = NULL;
                for (char *line = strtok_r(manifest, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                        char *tab = strchr(line, '\t');
                        if (!tab || strncmp(line, "file\t", 5) == 0)
                                continue;
                        *tab = '\0';
                        n_manifest++;
                        if (!expect_for(line)) {
                                printf("#   %s is in MANIFEST.tsv but not tested\n", line);
                                all = false;
                        }
                }
                free(manifest);
                CHECK(all, "every MANIFEST.tsv row has an expectation");
        }
        CHECK_INT(n_manifest, n_files, "MANIFEST.tsv lists every corpus file");
}

/* ---- expansion on the corpus ---- */

static void test_expand_corpus(void) {
        IcsCalendar *c;
        IcsOccurrence *o = NULL;
        size_t n = 0;
        bool truncated = true;
        char err[256];
        int r;

        /* Weekly, one moved and one cancelled override, Europe/Berlin from
         * zoneinfo: 06-30 05:00Z, 07-07 07:00Z, 07-21, 07-28, 08-04 05:00Z. */
        c = parse_file("khal--event_rrule_recuid_cancelled.ics", &r, err, sizeof(err));
        r = c ? expand_uid(c, "event_rrule_recurrence_id", "2014-01-01T00:00:00Z", "2015-01-01T00:00:00Z", 0, &o, &n,
                           &truncated) : -1;
        CHECK_INT(r, 0, "rrule_recuid_cancelled: expands");
        CHECK_INT(n, 6, "rrule_recuid_cancelled: six slots (one cancelled)");
        if (r == 0 && n == 6) {
                static const char *const want[] = { "2014-06-30T05:00:00Z", "2014-07-07T07:00:00Z",
                                                    "2014-07-14T05:00:00Z", "2014-07-21T05:00:00Z",
                                                    "2014-07-28T05:00:00Z", "2014-08-04T05:00:00Z" };
                bool ok = !truncated;
                for (size_t i = 0; i < 6; i++)
                        ok = ok && o[i].start == utc(want[i]) && o[i].cancelled == (i == 2);
                CHECK(ok, "rrule_recuid_cancelled: occurrences and the cancelled 07-14");
                CHECK(o[1].overridden && o[1].recurrence_id == utc("2014-07-07T05:00:00Z"),
                      "rrule_recuid_cancelled: 07-07 override keeps its slot as recurrence id");
        }
        ics_occurrences_free(o, n);
        ics_calendar_free(c);

        /* EXDATE list on one line; DST starts between 03-11 and 03-25. */
        c = parse_file("icalevents--multi_exdate_same_line_ms.ics", &r, err, sizeof(err));
        r = c && c->n_events == 1 ? ics_expand(c->events[0].ical, NULL, 0, utc("2022-01-01T00:00:00Z"),
                                               utc("2023-01-01T00:00:00Z"), 0, &o, &n, NULL) : -1;
        CHECK(r == 0 && n == 5 && o[0].start == utc("2022-03-11T16:00:00Z") &&
              o[1].start == utc("2022-03-25T15:00:00Z") && o[2].start == utc("2022-04-15T15:00:00Z") &&
              o[4].start == utc("2022-04-29T15:00:00Z"), "multi_exdate: 03-11, 03-25, 04-15, 04-22, 04-29");
        if (r == 0)
                ics_occurrences_free(o, n);
        ics_calendar_free(c);

        /* Exchange all-day series: DATE-TIME EXDATE removes 04-30. */
        c = parse_file("icalevents--rrule_until_all_day_ms.ics", &r, err, sizeof(err));
        r = c && c->n_events == 1 ? ics_expand(c->events[0].ical, NULL, 0, utc("2021-01-01T00:00:00Z"),
                                               utc("2022-01-01T00:00:00Z"), 0, &o, &n, NULL) : -1;
        CHECK(r == 0 && n == 6 && !occ_at(o, n, "2021-04-29T22:00:00Z") &&
              occ_at(o, n, "2021-04-22T22:00:00Z") && o[0].all_day &&
              o[0].end == utc("2021-03-20T23:00:00Z"),
              "rrule_until_all_day: six two-day Fridays, 04-30 excluded");
        if (r == 0)
                ics_occurrences_free(o, n);
        ics_calendar_free(c);

        /* DATE-TIME RECURRENCE-ID on a DATE master: 04-09 moves to 04-10. */
        c = parse_file("icalevents--recurrenceid_ms.ics", &r, err, sizeof(err));
        r = c && c->n_events == 2 ? expand_uid(c, c->events[0].uid, "2021-04-01T00:00:00Z", "2021-04-30T00:00:00Z", 0,
                                               &o, &n, NULL) : -1;
        if (r == 0) {
                const IcsOccurrence *moved = occ_at(o, n, "2021-04-09T22:00:00Z");
                CHECK(moved && moved->overridden && moved->recurrence_id == utc("2021-04-08T22:00:00Z") &&
                      !occ_at(o, n, "2021-04-08T22:00:00Z"), "recurrenceid_ms: Friday 04-09 moved to 04-10");
                CHECK_INT(n, 9, "recurrenceid_ms: nine Wednesdays and Fridays in April");
                ics_occurrences_free(o, n);
        } else
                CHECK(false, "recurrenceid_ms: expands");
        ics_calendar_free(c);

        c = parse_file("node-ical--exchange_whole_day_moved_recurrence.ics", &r, err, sizeof(err));
        r = c ? expand_uid(c, "exchange-moved-recurrence", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z", 0, &o, &n,
                           NULL) : -1;
        if (r == 0) {
                CHECK(n == 3 && occ_at(o, n, "2026-02-26T23:00:00Z") && !occ_at(o, n, "2026-02-25T23:00:00Z"),
                      "whole_day_moved: 02-19, 02-24 and the Thursday moved to 02-27");
                ics_occurrences_free(o, n);
        } else
                CHECK(false, "whole_day_moved: expands");
        ics_calendar_free(c);

        /* Windows zone name mapped: the last instance equals UNTIL. */
        c = parse_file("recurring-ical-events--issue_107_omitting_last_event.ics", &r, err, sizeof(err));
        r = c && c->n_events == 1 ? ics_expand(c->events[0].ical, NULL, 0, utc("2023-01-01T00:00:00Z"),
                                               utc("2024-01-01T00:00:00Z"), 0, &o, &n, NULL) : -1;
        CHECK(r == 0 && n == 23 && o[22].start == utc("2023-06-08T17:00:00Z"),
              "issue_107: 23 Thursdays, the last one at UNTIL");
        if (r == 0)
                ics_occurrences_free(o, n);
        ics_calendar_free(c);

        /* RDATE PERIOD adds a 3-hour instance, EXDATE removes 12-20. */
        c = parse_file("recurring-ical-events--issue_113_period_in_rdate.ics", &r, err, sizeof(err));
        r = c && c->n_events == 1 ? ics_expand(c->events[0].ical, NULL, 0, utc("2023-01-01T00:00:00Z"),
                                               utc("2025-01-01T00:00:00Z"), 0, &o, &n, NULL) : -1;
        if (r == 0) {
                const IcsOccurrence *p = occ_at(o, n, "2023-12-13T20:00:00Z");
                CHECK_INT(n, 9, "issue_113: nine occurrences");
                CHECK(p && p->end - p->start == 3 * 3600, "issue_113: the PERIOD lasts three hours");
                CHECK(!occ_at(o, n, "2023-12-20T20:00:00Z"), "issue_113: 12-20 excluded");
                CHECK(occ_at(o, n, "2023-09-20T19:00:00Z") && occ_at(o, n, "2024-01-17T20:00:00Z"),
                      "issue_113: third Wednesdays across DST");
                ics_occurrences_free(o, n);
        } else
                CHECK(false, "issue_113: expands");
        ics_calendar_free(c);

        /* RANGE=THISANDFUTURE, as python-recurring-ical-events tests it. */
        c = parse_file("recurring-ical-events--issue_75_range_parameter.ics", &r, err, sizeof(err));
        if (c) {
                static const struct {
                        const char *from, *to;
                        size_t count;
                        const char *last_summary;
                } windows[] = {
                        { "2024-09-01T00:00:00Z", "2024-09-11T23:59:59Z", 6, "ORIGINAL EVENT" },
                        { "2024-09-01T00:00:00Z", "2024-09-13T23:59:59Z", 7, "MODIFIED EVENT" },
                        { "2024-09-01T00:00:00Z", "2024-09-14T23:59:59Z", 8, "MODIFIED EVENT" },
                        { "2024-09-01T00:00:00Z", "2024-09-21T23:59:59Z", 11, "MODIFIED EVENT" },
                        { "2024-09-01T00:00:00Z", "2024-09-22T23:59:59Z", 12, "EDITED EVENT" },
                        { "2024-09-01T00:00:00Z", "2024-09-24T23:59:59Z", 13, "EDITED EVENT" },
                        { "2024-09-13T00:00:00Z", "2024-09-22T00:00:00Z", 5, "MODIFIED EVENT" },
                        { "2024-09-24T00:00:00Z", "2024-09-25T23:59:59Z", 1, "EDITED EVENT" },
                };
                for (size_t i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
                        char what[256];
                        r = expand_uid(c, "210", windows[i].from, windows[i].to, 0, &o, &n, NULL);
                        snprintf(what, sizeof(what), "issue_75: [%s, %s) has %zu occurrences ending with %s",
                                 windows[i].from, windows[i].to, windows[i].count, windows[i].last_summary);
                        if (r == 0 && n != windows[i].count)
                                printf("#   got %zu\n", n);
                        CHECK(r == 0 && n == windows[i].count && n > 0 &&
                              strcmp(o[n - 1].summary, windows[i].last_summary) == 0, what);
                        if (r == 0)
                                ics_occurrences_free(o, n);
                }
                r = expand_uid(c, "210", "2024-09-01T00:00:00Z", "2024-10-01T00:00:00Z", 0, &o, &n, NULL);
                if (r == 0) {
                        const IcsOccurrence *a = occ_at(o, n, "2024-09-17T09:00:00Z"),
                                            *b = occ_at(o, n, "2024-09-24T14:22:00Z"),
                                            *rd = occ_at(o, n, "2024-09-14T06:00:00Z");
                        CHECK(a && a->end == utc("2024-09-17T16:00:00Z"),
                              "issue_75: 09-17 moved -3h and seven hours long");
                        CHECK(b && b->end == utc("2024-09-24T16:13:00Z") &&
                              b->recurrence_id == utc("2024-09-23T12:00:00Z"),
                              "issue_75: 09-23 moved +1d 2h22m, 1h51m long");
                        CHECK(rd && strcmp(rd->summary, "MODIFIED EVENT") == 0,
                              "issue_75: the RDATE follows THISANDFUTURE too");
                        ics_occurrences_free(o, n);
                } else
                        CHECK(false, "issue_75: September expands");

                /* The cap: ten occurrences and the flag. */
                r = expand_uid(c, "210", "2024-09-01T00:00:00Z", "2026-01-01T00:00:00Z", 10, &o, &n, &truncated);
                CHECK(r == 0 && n == 10 && truncated, "issue_75: the cap stops at ten and says so");
                if (r == 0)
                        ics_occurrences_free(o, n);
                /* UNTIL=20250920 (a DATE) ends the series. */
                r = expand_uid(c, "210", "2025-09-01T00:00:00Z", "2026-01-01T00:00:00Z", 0, &o, &n, &truncated);
                CHECK(r == 0 && n > 0 && !truncated && o[n - 1].start < utc("2025-09-22T00:00:00Z"),
                      "issue_75: DATE UNTIL ends the series");
                if (r == 0)
                        ics_occurrences_free(o, n);
        }
        ics_calendar_free(c);

        /* Override before its master, moved two weeks earlier into the
         * window from a slot outside it. */
        c = parse_file("recurring-ical-events--issue_62_moved_event.ics", &r, err, sizeof(err));
        r = c ? expand_uid(c, "38m812jicsrer5gorh3mlp7qhc@google.com", "2021-12-01T00:00:00Z", "2021-12-31T00:00:00Z",
                           0, &o, &n, NULL) : -1;
        CHECK(r == 0 && n == 1 && o[0].start == utc("2021-12-17T20:30:00Z") &&
              o[0].recurrence_id == utc("2021-12-31T20:30:00Z"), "issue_62: the last Friday moved to 12-17");
        if (r == 0)
                ics_occurrences_free(o, n);
        ics_calendar_free(c);

        /* DTSTART in CET, DST from 03-31: 06:00Z then 05:00Z; COUNT=30. */
        c = parse_file("icalevents--google_2024.ics", &r, err, sizeof(err));
        r = c ? expand_uid(c, "21u17g5sbq791pn23imf7ue0lc@google.com", "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z", 0,
                           &o, &n, NULL) : -1;
        CHECK(r == 0 && n == 30 && occ_at(o, n, "2024-03-30T06:00:00Z") && occ_at(o, n, "2024-03-31T05:00:00Z") &&
              o[29].start == utc("2024-04-23T05:00:00Z"), "google_2024: COUNT=30 across the DST change");
        if (r == 0)
                ics_occurrences_free(o, n);
        ics_calendar_free(c);

        /* Zimbra: RDATEs in TZID and list forms, EXDATEs, UTC-form override. */
        c = parse_file("icaljs--recur_instances.ics", &r, err, sizeof(err));
        r = c ? expand_uid(c, "623c13c0-6c2b-45d6-a12b-c33ad61c4868", "2012-10-01T00:00:00Z", "2013-04-30T00:00:00Z",
                           0, &o, &n, NULL) : -1;
        if (r == 0) {
                CHECK(occ_at(o, n, "2012-10-02T22:00:00Z") && !occ_at(o, n, "2012-10-02T17:00:00Z"),
                      "recur_instances: 10-02 moved to 15:00 local");
                CHECK(occ_at(o, n, "2012-11-07T04:00:00Z") && !occ_at(o, n, "2012-11-05T18:00:00Z"),
                      "recur_instances: the 11-05 RDATE overridden by a UTC RECURRENCE-ID");
                CHECK(occ_at(o, n, "2012-11-10T18:00:00Z") && occ_at(o, n, "2012-11-30T18:00:00Z"),
                      "recur_instances: comma-listed RDATEs");
                CHECK(!occ_at(o, n, "2012-12-04T18:00:00Z") && !occ_at(o, n, "2013-02-05T18:00:00Z") &&
                      !occ_at(o, n, "2013-04-02T17:00:00Z"), "recur_instances: three EXDATEs");
                CHECK(occ_at(o, n, "2013-01-01T18:00:00Z") && occ_at(o, n, "2013-03-05T18:00:00Z"),
                      "recur_instances: first Tuesdays remain");
                ics_occurrences_free(o, n);
        } else
                CHECK(false, "recur_instances: expands");
        ics_calendar_free(c);

        /* Master in one file, its exception in another (iTIP). */
        {
                IcsCalendar *m = parse_file("thunderbird--repeat-event.ics", &r, err, sizeof(err));
                IcsCalendar *x = parse_file("thunderbird--exception-major.ics", &r, err, sizeof(err));
                if (m && x && m->n_events == 1 && x->n_events == 1) {
                        const char *ovr[] = { x->events[0].ical };
                        r = ics_expand(m->events[0].ical, ovr, 1, utc("2022-03-01T00:00:00Z"),
                                       utc("2022-04-01T00:00:00Z"), 0, &o, &n, NULL);
                        CHECK(r == 0 && n == 3 && o[0].start == utc("2022-03-16T11:00:00Z") &&
                              o[1].start == utc("2022-03-17T05:00:00Z") && o[1].overridden &&
                              o[2].start == utc("2022-03-18T11:00:00Z"),
                              "repeat-event + exception-major: 03-16, 03-17 at 05:00Z, 03-18");
                        if (r == 0)
                                ics_occurrences_free(o, n);

                        /* Without the master the exception still happens. */
                        r = ics_expand(NULL, ovr, 1, utc("2022-03-01T00:00:00Z"), utc("2022-04-01T00:00:00Z"), 0,
                                       &o, &n, NULL);
                        CHECK(r == 0 && n == 1 && o[0].start == utc("2022-03-17T05:00:00Z"),
                              "exception-major alone: one occurrence");
                        if (r == 0)
                                ics_occurrences_free(o, n);
                } else
                        CHECK(false, "repeat-event and exception-major parse");
                ics_calendar_free(m);
                ics_calendar_free(x);
        }

        /* Orphan overrides with RRULEs of their own: each one occurrence. */
        c = parse_file("khal--event_dt_multi_recuid_no_master.ics", &r, err, sizeof(err));
        r = c ? expand_uid(c, "abe304dc-f7b1-4f2b-997d-5c8bcfaa7e0b", "2014-01-01T00:00:00Z", "2015-01-01T00:00:00Z", 0,
                           &o, &n, NULL) : -1;
        CHECK(r == 0 && n == 2, "multi_recuid_no_master: two occurrences, no crash");
        if (r == 0)
                ics_occurrences_free(o, n);
        ics_calendar_free(c);

        /* A yearly all-day birthday for a century: not capped. */
        c = parse_file("ical4j--korganizer-lowercase.ics", &r, err, sizeof(err));
        r = c && c->n_events == 1 ? ics_expand(c->events[0].ical, NULL, 0, utc("2005-01-01T00:00:00Z"),
                                               utc("2105-01-01T00:00:00Z"), 0, &o, &n, &truncated) : -1;
        CHECK(r == 0 && n == 100 && !truncated && o[99].start == utc("2104-01-15T23:00:00Z"),
              "korganizer: 100 yearly birthdays, midnight Berlin");
        if (r == 0)
                ics_occurrences_free(o, n);
        ics_calendar_free(c);
}

/* ---- synthetic input ---- */

#define CAL_HEAD "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
#define CAL_TAIL "END:VCALENDAR\r\n"

static void test_rejections(void) {
        IcsCalendar *c = (IcsCalendar *) 0x1;
        char err[256];
        int r;

        r = ics_parse("", 0, &c, err, sizeof(err));
        CHECK(r == -EBADMSG && strstr(err, "empty") && c == (IcsCalendar *) 0x1,
              "empty: rejected, output untouched");

        static const char nul[] = "BEGIN:VCALENDAR\r\nX\0Y\r\nEND:VCALENDAR\r\n";
        r = ics_parse(nul, sizeof(nul) - 1, &c, err, sizeof(err));
        CHECK(r == -EBADMSG && strstr(err, "NUL byte at offset 18"), "NUL: rejected with its offset");

        r = ics_parse("hello world\n", 12, &c, err, sizeof(err));
        CHECK(r == -EBADMSG && strstr(err, "no BEGIN:VCALENDAR"), "plain text: rejected");

        size_t big = ICS_FILE_MAX + 1;
        char *huge = malloc(big);
        if (huge) {
                memset(huge, 'A', big);
                r = ics_parse(huge, big, &c, err, sizeof(err));
                CHECK(r == -EFBIG && strstr(err, "16 MiB"), "over 16 MiB: -EFBIG");
                free(huge);
        }

        {
                char deep[4096] = CAL_HEAD;
                for (int i = 0; i < 20; i++)
                        strcat(deep, "BEGIN:VEVENT\r\n");
                for (int i = 0; i < 20; i++)
                        strcat(deep, "END:VEVENT\r\n");
                strcat(deep, CAL_TAIL);
                r = ics_parse(deep, strlen(deep), &c, err, sizeof(err));
                CHECK(r == -EBADMSG && strstr(err, "nested"), "20 nested VEVENTs: rejected");
        }

        const char *extra_end = CAL_HEAD CAL_TAIL "END:VCALENDAR\r\n";
        r = ics_parse(extra_end, strlen(extra_end), &c, err, sizeof(err));
        CHECK(r == -EBADMSG && strstr(err, "without a matching BEGIN"), "stray END: rejected");

        const char *crossed = CAL_HEAD "BEGIN:VEVENT\r\nUID:x\r\nEND:VTODO\r\n" CAL_TAIL;
        r = ics_parse(crossed, strlen(crossed), &c, err, sizeof(err));
        CHECK(r == -EBADMSG && strstr(err, "END:VTODO does not close BEGIN:VEVENT"), "END:VTODO in a VEVENT: rejected");

        const char *folded_begin = "BEGIN\r\n :VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n";
        c = parse_text(folded_begin, &r, err, sizeof(err));
        CHECK(r == 0 || (r == -EBADMSG && *err), "folded BEGIN line: parsed or rejected cleanly");
        ics_calendar_free(c);

        CHECK(ics_parse("x", 1, NULL, err, sizeof(err)) == -EINVAL, "NULL output pointer: -EINVAL");
        CHECK(ics_parse("x", 1, &c, NULL, 0) == -EBADMSG, "no error buffer: still rejects");
}

static char *repeat_lines(const char *head, const char *line, size_t count, const char *tail) {
        size_t hl = strlen(head), ll = strlen(line), tl = strlen(tail);
        char *buf = malloc(hl + ll * count + tl + 1), *q = buf;

        if (!buf)
                return NULL;
        memcpy(q, head, hl);
        q += hl;
        for (size_t i = 0; i < count; i++, q += ll)
                memcpy(q, line, ll);
        memcpy(q, tail, tl + 1);
        return buf;
}

static void test_size_limits(void) {
        IcsCalendar *c;
        char err[256] = "", *text;
        int r = -ENOMEM;

        /* libical frees VTIMEZONEs in quadratic time: a cap up front. */
        text = repeat_lines(CAL_HEAD,
                            "BEGIN:VTIMEZONE\r\nTZID:Z\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n"
                            "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n",
                            1001, CAL_TAIL);
        c = text ? parse_text(text, &r, err, sizeof(err)) : NULL;
        CHECK(r == -EBADMSG && strstr(err, "more than 1000 VTIMEZONEs"), "1001 VTIMEZONEs: rejected");
        ics_calendar_free(c);
        free(text);

        /* A VTIMEZONE rule libical would chase to 2582: dropped, zone kept. */
        const char *bad_zone = CAL_HEAD "BEGIN:VTIMEZONE\r\nTZID:Bad\r\nBEGIN:STANDARD\r\n"
                               "DTSTART:16010101T000000\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\n"
                               "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
                               "BEGIN:VEVENT\r\nUID:bz@test\r\nDTSTART;TZID=Bad:20300101T100000\r\n"
                               "END:VEVENT\r\n" CAL_TAIL;
        c = parse_text(bad_zone, &r, err, sizeof(err));
        CHECK(r == 0 && c && c->n_events == 1 && c->events[0].start == utc("2030-01-01T07:00:00Z") &&
              warned(c, "cannot recur yearly"), "impossible VTIMEZONE rule: dropped, offset kept");
        ics_calendar_free(c);

        /* A 70 KiB DESCRIPTION stays out of the stored copy, a 70 KiB
         * SUMMARY is shortened there. */
        text = repeat_lines(CAL_HEAD "BEGIN:VEVENT\r\nUID:big@test\r\nDTSTART:20300101T100000Z\r\nDESCRIPTION:",
                            "\r\n 0123456789012345678901234567890123456789012345678901234567890123456789", 1000,
                            "\r\nSUMMARY:s\r\n" "END:VEVENT\r\n" CAL_TAIL);
        c = text ? parse_text(text, &r, err, sizeof(err)) : NULL;
        CHECK(r == 0 && c && c->n_events == 1 && !strstr(c->events[0].ical, "DESCRIPTION") &&
              strlen(c->events[0].ical) < 4096 && warned(c, "DESCRIPTION of"),
              "70 KiB DESCRIPTION: left out of the stored text, with a warning");
        ics_calendar_free(c);
        free(text);

        text = repeat_lines(CAL_HEAD "BEGIN:VEVENT\r\nUID:bigs@test\r\nDTSTART:20300101T100000Z\r\nSUMMARY:",
                            "\r\n 0123456789012345678901234567890123456789012345678901234567890123456789", 1000,
                            "\r\nEND:VEVENT\r\n" CAL_TAIL);
        c = text ? parse_text(text, &r, err, sizeof(err)) : NULL;
        if (r == 0 && c && c->n_events == 1) {
                IcsCalendar *again = NULL;
                const char *stored = c->events[0].ical;
                CHECK(strlen(stored) < 4096, "70 KiB SUMMARY: shortened in the stored text");
                CHECK(ics_parse(stored, strlen(stored), &again, err, sizeof(err)) == 0 && again->n_events == 1 &&
                      strcmp(again->events[0].summary, c->events[0].summary) == 0,
                      "70 KiB SUMMARY: the stored text gives the same summary back");
                ics_calendar_free(again);
        } else
                CHECK(false, "70 KiB SUMMARY: parses");
        ics_calendar_free(c);
        free(text);

        /* An event whose stored copy would pass 1 MiB is skipped. */
        text = repeat_lines(CAL_HEAD "BEGIN:VEVENT\r\nUID:huge@test\r\nDTSTART:20300101T100000Z\r\n"
                            "RRULE:FREQ=DAILY\r\n", "EXDATE:20300102T100000Z\r\n", 45000,
                            "END:VEVENT\r\n" CAL_TAIL);
        c = text ? parse_text(text, &r, err, sizeof(err)) : NULL;
        CHECK(r == 0 && c && c->n_events == 0 && c->n_skipped == 1 && warned(c, "larger than 1024 KiB"),
              "a VEVENT of more than 1 MiB: skipped with a reason");
        ics_calendar_free(c);
        free(text);
}

static void test_text_and_people(void) {
        IcsCalendar *c;
        char err[256];
        int r;

        /* 600 attendees, one repeated; mixed-case mailto; EMAIL= fallback;
         * an absurdly long summary with control and bidi characters. */
        size_t cap = 200000;
        char *text = malloc(cap);
        if (!text)
                return;
        size_t len = (size_t) snprintf(text, cap,
                CAL_HEAD "METHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:people@test\r\n"
                "DTSTART:20300101T100000Z\r\nDTEND:20300101T110000Z\r\n"
                "ORGANIZER;CN=\"Boss, The\":MAILTO:The.Boss@Example.COM\r\n"
                "ATTENDEE;EMAIL=alt@example.com:urn:uuid:1234\r\n"
                "ATTENDEE:mailto:alt@example.com\r\n"
                "SUMMARY:Line one\\nline\ttwo \xE2\x80\xAE" "evil\x01 ");
        for (int i = 0; i < 300; i++)
                len += (size_t) snprintf(text + len, cap - len, "\xC3\xA4");
        len += (size_t) snprintf(text + len, cap - len, "\r\n");
        for (int i = 0; i < 600; i++)
                len += (size_t) snprintf(text + len, cap - len, "ATTENDEE;CN=P%d:mailto:p%d@example.com\r\n", i, i);
        snprintf(text + len, cap - len, "END:VEVENT\r\n" CAL_TAIL);

        c = parse_text(text, &r, err, sizeof(err));
        free(text);
        CHECK_INT(r, 0, "people: parses");
        if (c && c->n_events == 1) {
                const IcsEvent *e = &c->events[0];
                CHECK_STR(e->organizer.email, "the.boss@example.com", "people: organizer lowercased from MAILTO:");
                CHECK_STR(e->organizer.name, "Boss, The", "people: quoted CN");
                CHECK_INT(e->n_attendees, ICS_ATTENDEES_MAX, "people: attendees capped");
                CHECK_STR(e->attendees[0].email, "alt@example.com", "people: EMAIL= when the value is no mailto");
                CHECK(warned(c, "attendees beyond"), "people: the cap is reported");
                CHECK(strlen(e->summary) <= ICS_TEXT_MAX && utf8_ok(e->summary) && !has_control(e->summary),
                      "people: summary bounded, valid, no controls");
                CHECK(strncmp(e->summary, "Line one line two evil ", 23) == 0,
                      "people: newline and tab became spaces, bidi and control dropped");
                CHECK(strstr(e->summary, "\xE2\x80\xA6") != NULL, "people: truncation marked with an ellipsis");
        }
        ics_calendar_free(c);

        /* Invalid UTF-8 in a UTF-8 file; lone CR line ends; BOM. */
        const char *mixed = "\xEF\xBB\xBF" "BEGIN:VCALENDAR\rVERSION:2.0\rBEGIN:VEVENT\rUID:mixed@test\r"
                            "DTSTART:20300101T100000Z\rSUMMARY:caf\xC3\xA9 \xFF\xFE ok\rEND:VEVENT\rEND:VCALENDAR\r";
        c = parse_text(mixed, &r, err, sizeof(err));
        CHECK(r == 0 && c && c->n_events == 1 &&
              strcmp(c->events[0].summary, "caf\xC3\xA9 \xEF\xBF\xBD\xEF\xBF\xBD ok") == 0,
              "mixed: BOM, lone CR and bad bytes repaired");
        ics_calendar_free(c);
}

static void test_zones(void) {
        IcsCalendar *c;
        char err[256];
        int r;

        CHECK_STR(ics_windows_zone_to_iana("W. Europe Standard Time"), "Europe/Berlin", "windows: W. Europe");
        CHECK_STR(ics_windows_zone_to_iana(" pacific standard time "), "America/Los_Angeles",
                  "windows: case and blanks ignored");
        CHECK(ics_windows_zone_to_iana("FLE Standard Time") != NULL, "windows: FLE");
        CHECK_STR(ics_windows_zone_to_iana("(UTC+07:00) Bangkok, Hanoi, Jakarta"), "Asia/Bangkok",
                  "windows: CLDR display name");
        CHECK(!ics_windows_zone_to_iana("Pacific Standard Time:"), "windows: trailing colon is no match");
        CHECK(!ics_windows_zone_to_iana(""), "windows: empty");
        CHECK(!ics_windows_zone_to_iana(NULL), "windows: NULL");

        static const struct {
                const char *tzid, *start;
                bool floating;
        } cases[] = {
                { "\"W. Europe Standard Time\"", "2030-07-01T08:00:00Z", false },
                { "Eastern Standard Time", "2030-07-01T14:00:00Z", false },
                { "/freeassociation.sourceforge.net/Tzfile/Europe/London", "2030-07-01T09:00:00Z", false },
                { "/mozilla.org/20050126_1/America/New_York", "2030-07-01T14:00:00Z", false },
                { "Etc/UTC", "2030-07-01T10:00:00Z", false },
                /* Must never be read as a path: local time, at once. */
                { "../../../../dev/zero", "2030-07-01T08:00:00Z", true },
                { "/../../../../dev/stdin", "2030-07-01T08:00:00Z", true },
                { "Europe/../../../../etc/passwd", "2030-07-01T08:00:00Z", true },
                { "zone.tab", "2030-07-01T08:00:00Z", true },
                { "Europe", "2030-07-01T08:00:00Z", true },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char text[1024], what[256];
                snprintf(text, sizeof(text),
                         CAL_HEAD "BEGIN:VEVENT\r\nUID:z%zu@test\r\nDTSTART;TZID=%s:20300701T100000\r\n"
                         "END:VEVENT\r\n" CAL_TAIL, i, cases[i].tzid);
                c = parse_text(text, &r, err, sizeof(err));
                snprintf(what, sizeof(what), "TZID %s", cases[i].tzid);
                CHECK(r == 0 && c && c->n_events == 1 && c->events[0].start == utc(cases[i].start) &&
                      c->events[0].floating == cases[i].floating, what);
                ics_calendar_free(c);
        }
}

static void test_expand_bounds(void) {
        IcsOccurrence *o = (IcsOccurrence *) 0x1;
        size_t n = 7;
        bool truncated = false;
        int r;

        const char *daily = CAL_HEAD "BEGIN:VEVENT\r\nUID:d@test\r\nDTSTART:19700101T090000Z\r\n"
                            "DURATION:PT1H\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n" CAL_TAIL;

        r = ics_expand(daily, NULL, 0, 10, 5, 0, &o, &n, NULL);
        CHECK(r == -EINVAL && o == (IcsOccurrence *) 0x1 && n == 7, "from > to: -EINVAL, outputs untouched");
        r = ics_expand("garbage", NULL, 0, 0, 10, 0, &o, &n, NULL);
        CHECK(r == -EINVAL && n == 7, "garbage text: -EINVAL");
        const char *no_rid[] = { daily };
        r = ics_expand(daily, no_rid, 1, 0, 10, 0, &o, &n, NULL);
        CHECK(r == -EINVAL && n == 7, "override without RECURRENCE-ID: -EINVAL");

        /* An unbounded daily series over all time: the occurrence cap. */
        r = ics_expand(daily, NULL, 0, 0, INT64_MAX, 0, &o, &n, &truncated);
        CHECK(r == 0 && n == ICS_OCCURRENCES_MAX && truncated, "unbounded daily: capped at 10,000");
        if (r == 0)
                ics_occurrences_free(o, n);

        /* A window far past DTSTART: the iterator jumps there... */
        const char *old = CAL_HEAD "BEGIN:VEVENT\r\nUID:o@test\r\nDTSTART;TZID=Europe/Berlin:16000101T090000\r\n"
                          "RRULE:FREQ=DAILY\r\nEND:VEVENT\r\n" CAL_TAIL;
        r = ics_expand(old, NULL, 0, utc("2400-01-01T00:00:00Z"), utc("2400-02-01T00:00:00Z"), 0, &o, &n, &truncated);
        CHECK(r == 0 && n == 31 && !truncated && o[0].start == utc("2400-01-01T08:00:00Z"),
              "daily from 1600, window in 2400: 31 occurrences");
        if (r == 0)
                ics_occurrences_free(o, n);
        /* Past 2500 the rule gives nothing (libical stops in 2582). */
        r = ics_expand(old, NULL, 0, utc("2900-01-01T00:00:00Z"), utc("2900-02-01T00:00:00Z"), 0, &o, &n, &truncated);
        CHECK(r == 0 && n == 0, "daily from 1600, window in 2900: nothing, at once");
        if (r == 0)
                ics_occurrences_free(o, n);
        /* ...unless COUNT makes libical count from DTSTART: the step cap. */
        const char *counted = CAL_HEAD "BEGIN:VEVENT\r\nUID:c@test\r\nDTSTART:16000101T090000Z\r\n"
                              "RRULE:FREQ=DAILY;COUNT=1000000\r\nEND:VEVENT\r\n" CAL_TAIL;
        r = ics_expand(counted, NULL, 0, utc("2900-01-01T00:00:00Z"), utc("2900-02-01T00:00:00Z"), 0, &o, &n,
                       &truncated);
        CHECK(r == 0 && n == 0 && truncated, "COUNT=1000000 from 1600, window in 2900: step cap, truncated");
        if (r == 0)
                ics_occurrences_free(o, n);

        /* Window edges: [from, to) overlap; an instant counts at its start. */
        r = ics_expand(daily, NULL, 0, utc("2020-01-01T10:00:00Z"), utc("2020-01-02T09:00:00Z"), 0, &o, &n, NULL);
        CHECK(r == 0 && n == 0, "occurrence ending at `from` and one starting at `to` are outside");
        if (r == 0)
                ics_occurrences_free(o, n);
        r = ics_expand(daily, NULL, 0, utc("2020-01-01T09:59:59Z"), utc("2020-01-02T09:00:01Z"), 0, &o, &n, NULL);
        CHECK(r == 0 && n == 2, "overlapping by a second at each edge: both inside");
        if (r == 0)
                ics_occurrences_free(o, n);
        const char *instant = CAL_HEAD "BEGIN:VEVENT\r\nUID:i@test\r\nDTSTART:20300101T090000Z\r\n"
                              "END:VEVENT\r\n" CAL_TAIL;
        r = ics_expand(instant, NULL, 0, utc("2030-01-01T09:00:00Z"), utc("2030-01-01T09:00:01Z"), 0, &o, &n, NULL);
        CHECK(r == 0 && n == 1, "an instant at `from` is inside");
        if (r == 0)
                ics_occurrences_free(o, n);

        /* Absurd rules answer fast and never hang. */
        static const char *const absurd[] = {
                "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30",
                "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31",
                "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30",
                "FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30",
                "FREQ=SECONDLY",
                "FREQ=RECONDLY;COUNT=0",
                "FREQ=DAILY;INTERVAL=0",
                "FREQ=MONTHLY;BYDAY=5FR;BYMONTHDAY=1",
                "FREQ=YEARLY;BYYEARDAY=366;BYMONTH=1",
                "FREQ=DAILY;COUNT=2000000000",
                "FREQ=WEEKLY;BYDAY=MO, TU, WE",
        };
        for (size_t i = 0; i < sizeof(absurd) / sizeof(absurd[0]); i++) {
                char text[512], what[256];
                struct timespec a, b;

                snprintf(text, sizeof(text),
                         CAL_HEAD "BEGIN:VEVENT\r\nUID:a%zu@test\r\nDTSTART:20200101T100000Z\r\nRRULE:%s\r\n"
                         "END:VEVENT\r\n" CAL_TAIL, i, absurd[i]);
                IcsCalendar *c = NULL;
                char err[256];
                clock_gettime(CLOCK_MONOTONIC, &a);
                r = ics_parse(text, strlen(text), &c, err, sizeof(err));
                int r2 = r == 0 && c->n_events == 1 ?
                        ics_expand(c->events[0].ical, NULL, 0, utc("2020-01-01T00:00:00Z"), utc("2120-01-01T00:00:00Z"),
                                   0, &o, &n, &truncated) : -1;
                clock_gettime(CLOCK_MONOTONIC, &b);
                double secs = (double) (b.tv_sec - a.tv_sec) + (double) (b.tv_nsec - a.tv_nsec) / 1e9;
                snprintf(what, sizeof(what), "RRULE:%s expands to DTSTART at least, quickly", absurd[i]);
                if (secs > 5)
                        printf("#   took %.2f s\n", secs);
                CHECK(r2 == 0 && n >= 1 && o[0].start == utc("2020-01-01T10:00:00Z") && secs < 5, what);
                if (r2 == 0)
                        ics_occurrences_free(o, n);
                ics_calendar_free(c);
        }
}

/* Expansion reads a handful of properties and skips the rest unparsed:
 * a folded line goes with the property it continues (a DESCRIPTION fold
 * that looks like a DTSTART is not one), a folded SUMMARY stays whole,
 * and a VALARM's lines do not count as the event's. */
static void test_expand_skips_unread_lines(void) {
        IcsOccurrence *o = NULL;
        size_t n = 0;
        int r;

        const char *text = CAL_HEAD "BEGIN:VEVENT\r\nUID:skip@test\r\n"
                           "DESCRIPTION:moved from\r\n"
                           " DTSTART:20200101T000000Z\r\n"
                           "ATTENDEE;CN=A;ROLE=REQ-PARTICIPANT:mailto:a@example.org\r\n"
                           "DTSTART:20240108T090000Z\r\nDURATION:PT1H\r\n"
                           "SUMMARY:Weekly\r\n  sync\r\n"
                           "RRULE:FREQ=WEEKLY;COUNT=3\r\nEXDATE:20240115T090000Z\r\n"
                           "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\n"
                           "STATUS:CANCELLED\r\nSUMMARY:alarm\r\nEND:VALARM\r\n"
                           "END:VEVENT\r\n" CAL_TAIL;
        r = ics_expand(text, NULL, 0, 0, INT64_MAX, 0, &o, &n, NULL);
        CHECK(r == 0 && n == 2, "folded and unread lines: two occurrences (one EXDATE)");
        if (r == 0 && n == 2) {
                CHECK_INT(o[0].start, utc("2024-01-08T09:00:00Z"), "first from the DTSTART property");
                CHECK_INT(o[1].start, utc("2024-01-22T09:00:00Z"), "third after the EXDATE");
                CHECK_INT(o[0].end - o[0].start, 3600, "DURATION read");
                CHECK_STR(o[0].summary, "Weekly sync", "folded SUMMARY unfolded");
                CHECK(!o[0].cancelled, "the VALARM's STATUS is not the event's");
        }
        ics_occurrences_free(o, n);
}

/* libical's notes on what it dropped: an empty property is no news, and
 * a note names its line without a dangling ": ". */
static void test_parse_notes(void) {
        static const char ics[] =
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
                "BEGIN:VEVENT\r\nUID:notes@example.com\r\nDTSTAMP:20260101T000000Z\r\n"
                "DTSTART:20260105T100000Z\r\nDTEND:20260105T110000Z\r\nSUMMARY:Notes\r\n"
                "LOCATION:\r\nDESCRIPTION:\r\nRDATE:20260112Z\r\n"
                "END:VEVENT\r\nEND:VCALENDAR\r\n";
        IcsCalendar *c = NULL;
        char err[256];

        int r = ics_parse(ics, sizeof(ics) - 1, &c, err, sizeof(err));
        CHECK(r == 0 && c && c->n_events == 1, "parsed: one event");
        if (!c)
                return;
        CHECK(!warned(c, "No value for"), "empty LOCATION and DESCRIPTION are not warned about");
        CHECK(warned(c, "RDATE"), "the bad RDATE is");
        bool dangling = false;
        for (size_t i = 0; i < c->n_warnings; i++) {
                size_t len = strlen(c->warnings[i]);
                if (len > 0 && (c->warnings[i][len - 1] == ':' || c->warnings[i][len - 1] == ' '))
                        dangling = true;
        }
        CHECK(!dangling, "no warning ends with a dangling colon");
        ics_calendar_free(c);
}

/* A calendar of n events as an export writes them: a VTIMEZONE, then
 * timed, all-day, weekly (with EXDATE) and attended events with folded
 * descriptions.  Events `bad` and `bad2` (1-based, not multiples of 5;
 * 0: none) end an hour before they start. */
static char *big_calendar(size_t n, size_t bad, size_t bad2) {
        static const char head[] =
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//big//EN\r\nMETHOD:PUBLISH\r\n"
                "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"
                "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"
                "DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
                "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n"
                "DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
                "END:VTIMEZONE\r\n";
        size_t cap = sizeof head + n * 1024 + 64, len = 0;
        char *t = malloc(cap);
        if (!t)
                return NULL;
        len += (size_t) snprintf(t + len, cap - len, "%s", head);
        for (size_t i = 1; i <= n; i++) {
                int day = 1 + (int) (i % 28), hour = 8 + (int) (i % 9);
                len += (size_t) snprintf(t + len, cap - len,
                        "BEGIN:VEVENT\r\nUID:big-%zu@example.com\r\nDTSTAMP:20260101T000000Z\r\n"
                        "SEQUENCE:%zu\r\nSUMMARY:Meeting %zu\r\nLOCATION:Room %zu\r\n"
                        "DESCRIPTION:Agenda for meeting %zu: introductions\\, questions\\, next ste\r\n"
                        " ps and whatever else comes up\r\n",
                        i, i % 3, i, i % 7, i);
                if (i % 5 == 0)
                        len += (size_t) snprintf(t + len, cap - len,
                                "DTSTART;VALUE=DATE:202703%02d\r\nDTEND;VALUE=DATE:202703%02d\r\n", day, day + 1);
                else
                        len += (size_t) snprintf(t + len, cap - len,
                                "DTSTART;TZID=Europe/Berlin:202703%02dT%02d0000\r\n"
                                "DTEND;TZID=Europe/Berlin:202703%02dT%02d3000\r\n", day, hour, day,
                                i == bad || i == bad2 ? hour - 2 : hour);
                if (i % 4 == 0 && i % 5 != 0)
                        len += (size_t) snprintf(t + len, cap - len,
                                "RRULE:FREQ=WEEKLY;COUNT=6\r\nEXDATE;TZID=Europe/Berlin:202703%02dT%02d0000\r\n",
                                day + 14, hour);
                if (i % 3 == 0)
                        len += (size_t) snprintf(t + len, cap - len,
                                "ORGANIZER;CN=\"Org %zu\":mailto:org%zu@example.com\r\n"
                                "ATTENDEE;CN=Ana;PARTSTAT=ACCEPTED:mailto:ana%zu@example.com\r\n"
                                "ATTENDEE;CN=Bo:mailto:bo@example.com\r\n", i, i, i % 11);
                len += (size_t) snprintf(t + len, cap - len, "END:VEVENT\r\n");
        }
        snprintf(t + len, cap - len, "END:VCALENDAR\r\n");
        return t;
}

/* A large file is parsed in two halves on two threads (ical-import.c's
 * parse_halves()): its events must come out exactly as each event parsed
 * from a file of its own, in file order.  A large file with warnings is
 * parsed as a whole, so that its warnings keep file order and the events'
 * numbers. */
/* The repair reads plain ASCII eight bytes at a time: a control
 * character, DEL or a multi-byte character anywhere in or across those
 * eight bytes is still seen. */
static void test_repair_every_offset(void) {
        static const char inserts[][3] = { "\x7f", "\x01", "\xc3\xa9" };
        static const char plain[] = "abcdefghijklmnopqrstu";
        unsigned right = 0, total = 0;

        for (size_t k = 0; k < ELEMENTSOF(inserts); k++)
                for (size_t at = 0; at <= strlen(plain); at++) {
                        char text[512], summary[64], expect[64];
                        snprintf(summary, sizeof(summary), "%.*s%s%s", (int) at, plain, inserts[k], plain + at);
                        snprintf(expect, sizeof(expect), "%.*s%s%s", (int) at, plain, k == 2 ? inserts[k] : "",
                                 plain + at);
                        snprintf(text, sizeof(text), CAL_HEAD "BEGIN:VEVENT\r\nUID:r@test\r\n"
                                 "DTSTART:20300101T100000Z\r\nSUMMARY:%s\r\nEND:VEVENT\r\n" CAL_TAIL, summary);
                        char err[256];
                        int r;
                        IcsCalendar *c = parse_text(text, &r, err, sizeof(err));
                        right += r == 0 && c && c->n_events == 1 && strcmp(c->events[0].summary, expect) == 0 &&
                                 (k == 2) == !warned(c, "control character");
                        total++;
                        ics_calendar_free(c);
                }
        CHECK_INT(right, total, "a control character, DEL or é at every offset of a line: dropped or kept");
}

/* The stored copy of an event is its text in the file (CRLF line ends)
 * when libical read all of it; otherwise libical's writing of what it
 * understood. */
static void test_stored_text(void) {
        static const char master[] =
                "BEGIN:VEVENT\r\nUID:st@test\r\nDTSTAMP:20300101T000000Z\r\n"
                "DTSTART:20300107T100000Z\r\nDTEND:20300107T110000Z\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n"
                "SUMMARY:Weekly sync\r\nDESCRIPTION:folded where\r\n  the writer chose\\, not at 75\r\n"
                "ATTENDEE;CN=\"Ana Ruiz\";X-ODD=yes:mailto:ana@example.com\r\n"
                "BEGIN:VALARM\r\nUID:alarm-1@test\r\nACTION:DISPLAY\r\nDESCRIPTION:soon\r\nTRIGGER:-PT5M\r\n"
                "END:VALARM\r\nEND:VEVENT\r\n";
        static const char override[] =
                "BEGIN:VEVENT\r\nUID:st@test\r\nDTSTAMP:20300101T000000Z\r\n"
                "RECURRENCE-ID:20300114T100000Z\r\nDTSTART:20300114T120000Z\r\nDTEND:20300114T130000Z\r\n"
                "SUMMARY:Weekly sync (moved)\r\nEND:VEVENT\r\n";
        static const char lower[] =
                "BEGIN:VEVENT\r\nUID:lower@test\r\nDTSTART:20300108T100000Z\r\nsummary:Lower case\r\n"
                "END:VEVENT\r\n";
        static const char damaged[] =
                "BEGIN:VEVENT\r\nUID:damaged@test\r\nDTSTART:20300109T100000Z\r\nSUMMARY:Damaged\r\n"
                "GEO:nowhere\r\nEND:VEVENT\r\n";
        char err[256];
        int r;

        char text[2048];
        snprintf(text, sizeof(text), CAL_HEAD "METHOD:PUBLISH\r\n%s%s%s%s" CAL_TAIL, master, override, lower, damaged);
        IcsCalendar *c = parse_text(text, &r, err, sizeof(err));
        CHECK(r == 0 && c && c->n_events == 4, "stored text: 4 events");
        if (!c || c->n_events != 4) {
                ics_calendar_free(c);
                return;
        }
        CHECK(strstr(c->events[0].ical, master) && !strstr(c->events[0].ical, "RECURRENCE-ID"),
              "a series master read whole: its own text as the file wrote it, folds and VALARM (with its UID) included");
        CHECK(strstr(c->events[1].ical, override) && !strstr(c->events[1].ical, "RRULE"),
              "its override, with the same UID: the override's text, not the master's");
        CHECK(!strstr(c->events[2].ical, lower) && strstr(c->events[2].ical, "SUMMARY:Lower case\r\n") &&
              !strstr(c->events[2].ical, "summary:"),
              "a property named in lower case: written by libical, in upper case");
        CHECK(!strstr(c->events[3].ical, damaged) && !strstr(c->events[3].ical, "GEO") &&
              !strstr(c->events[3].ical, "X-LIC-ERROR") && strstr(c->events[3].ical, "SUMMARY:Damaged\r\n"),
              "a property libical could not read: what it understood, without the note");
        ics_calendar_free(c);

        /* LF line ends in the file: CRLF in the stored text. */
        c = parse_text("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\nBEGIN:VEVENT\nUID:lf@test\n"
                       "DTSTART:20300110T100000Z\nSUMMARY:Line feeds\nDESCRIPTION:a\n  b\nEND:VEVENT\nEND:VCALENDAR\n",
                       &r, err, sizeof(err));
        CHECK(r == 0 && c && c->n_events == 1 &&
              strstr(c->events[0].ical, "BEGIN:VEVENT\r\nUID:lf@test\r\nDTSTART:20300110T100000Z\r\n"
                                        "SUMMARY:Line feeds\r\nDESCRIPTION:a\r\n  b\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"),
              "a file with LF line ends: its event stored with CRLF");
        ics_calendar_free(c);
}

static void test_large_file(void) {
        enum { N = 300 };
        _cleanup_free_ char *text = big_calendar(N, 0, 0);
        IcsCalendar *c = NULL;
        char err[256] = "";

        CHECK(text != NULL, "made a calendar of 300 events");
        if (!text)
                return;
        int r = ics_parse(text, strlen(text), &c, err, sizeof(err));
        CHECK(r == 0 && c && c->n_events == N, "parsed: 300 events");
        CHECK(c && c->n_warnings_total == 0, "without a warning");
        CHECK(c && c->method == ICS_METHOD_PUBLISH, "METHOD:PUBLISH");

        /* Each event alone: the header, the event, the end. */
        const char *first = strstr(text, "BEGIN:VEVENT");
        size_t head_len = (size_t) (first - text), same = 0;
        const char *p = first;
        for (size_t i = 0; c && i < c->n_events && p; i++) {
                const char *end = strstr(p, "END:VEVENT\r\n") + strlen("END:VEVENT\r\n");
                size_t ev_len = (size_t) (end - p);
                _cleanup_free_ char *one = malloc(head_len + ev_len + 32);
                if (!one)
                        break;
                memcpy(one, text, head_len);
                memcpy(one + head_len, p, ev_len);
                strcpy(one + head_len + ev_len, "END:VCALENDAR\r\n");
                IcsCalendar *alone = NULL;
                if (ics_parse(one, strlen(one), &alone, err, sizeof(err)) == 0 && alone->n_events == 1) {
                        const IcsEvent *a = &alone->events[0], *b = &c->events[i];
                        if (strcmp(a->uid, b->uid) == 0 && a->start == b->start && a->end == b->end &&
                            a->all_day == b->all_day && a->recurring == b->recurring &&
                            a->sequence == b->sequence && a->method == b->method &&
                            strcmp(a->summary, b->summary) == 0 && strcmp(a->location, b->location) == 0 &&
                            a->n_attendees == b->n_attendees &&
                            !a->organizer.email == !b->organizer.email &&
                            strcmp(a->ical, b->ical) == 0)
                                same++;
                        else
                                printf("# event %zu differs: %s\n", i + 1, b->uid);
                }
                ics_calendar_free(alone);
                p = strstr(end, "BEGIN:VEVENT");
        }
        CHECK_INT((long long) same, N, "every event as it is parsed from a file of its own, in file order");
        ics_calendar_free(c);
        c = NULL;

        /* Events 11 and 251 end before they start: one in each half. */
        _cleanup_free_ char *warned_text = big_calendar(N, 11, 251);
        r = warned_text ? ics_parse(warned_text, strlen(warned_text), &c, err, sizeof(err)) : -ENOMEM;
        CHECK(r == 0 && c && c->n_events == N, "the file with two events ending before they start: 300 events");
        if (!c)
                return;
        CHECK_INT((long long) c->n_warnings, 2, "two warnings");
        CHECK(c->n_warnings == 2 && strstr(c->warnings[0], "event 11 (UID big-11@example.com)") &&
              strstr(c->warnings[1], "event 251 (UID big-251@example.com)"),
              "in file order, each naming its event by its place in the whole file");
        ics_calendar_free(c);
}

/* ics_stream_*: a large file's events come in several runs, in file order,
 * the same as ics_parse() gives them; a part that warns makes the stream
 * start over with the whole file. */
static void test_stream(void) {
        enum { N = 300 };
        _cleanup_free_ char *text = big_calendar(N, 0, 0), *warned_text = big_calendar(N, 0, 289);
        IcsCalendar *whole = NULL, *c = NULL;
        IcsStream *s = NULL;
        const IcsEvent *events;
        size_t n, total = 0, runs = 0, same = 0;
        char err[256] = "";
        int r;

        CHECK(text && warned_text, "made two calendars of 300 events");
        if (!text || !warned_text || ics_parse(text, strlen(text), &whole, err, sizeof(err)) < 0)
                return;
        CHECK_INT(ics_stream_open(text, strlen(text), &s, err, sizeof(err)), 0, "stream: opens");
        while (s && (r = ics_stream_next(s, &events, &n, err, sizeof(err))) == 1) {
                for (size_t i = 0; i < n && total + i < whole->n_events; i++)
                        same += strcmp(events[i].uid, whole->events[total + i].uid) == 0 &&
                                strcmp(events[i].ical, whole->events[total + i].ical) == 0 &&
                                events[i].start == whole->events[total + i].start;
                total += n;
                runs++;
        }
        CHECK(runs > 2, "stream: the events come in several runs");
        CHECK_INT((long long) same, N, "stream: each event as ics_parse() gives it, in file order");
        CHECK_INT((long long) total, N, "stream: nothing else");
        CHECK(s && ics_stream_finish(s, &c) == 0 && c->n_events == N && c->n_warnings_total == 0 &&
              c->method == ICS_METHOD_PUBLISH && strcmp(c->events[N - 1].uid, whole->events[N - 1].uid) == 0,
              "stream: the finished calendar holds all of them");
        ics_calendar_free(c);
        c = NULL;
        s = ics_stream_free(s);

        /* Event 289 ends before it starts: in the last part. */
        size_t before_restart = 0;
        bool restarted = false;
        total = runs = 0;
        CHECK_INT(ics_stream_open(warned_text, strlen(warned_text), &s, err, sizeof(err)), 0,
                  "stream of a file that warns late: opens");
        while (s && (r = ics_stream_next(s, &events, &n, err, sizeof(err))) != 0) {
                if (r == -EAGAIN) {
                        before_restart = total;
                        restarted = true;
                        total = runs = 0;
                        continue;
                }
                if (r < 0)
                        break;
                total += n;
                runs++;
        }
        CHECK(restarted && before_restart > 0 && before_restart < N,
              "stream: the runs before the warned part, then -EAGAIN");
        CHECK(runs == 1 && total == N, "stream: after it, all 300 events at once");
        CHECK(s && ics_stream_finish(s, &c) == 0 && c->n_events == N && c->n_warnings == 1 &&
              strstr(c->warnings[0], "event 289 (UID big-289@example.com)"),
              "stream: the finished calendar has the warning, numbered in the whole file");
        ics_calendar_free(c);
        ics_stream_free(s);
        ics_calendar_free(whole);
}

int main(void) {
        /* Deterministic all-day and floating results. */
        setenv("TZ", "Europe/Berlin", 1);
        tzset();

        test_corpus();
        test_corpus_details();
        test_sequence_chain();
        test_expand_corpus();
        test_rejections();
        test_size_limits();
        test_text_and_people();
        test_zones();
        test_expand_bounds();
        test_expand_skips_unread_lines();
        test_parse_notes();
        test_repair_every_offset();
        test_stored_text();
        test_large_file();
        test_stream();

        /* libical's caches, so that valgrind sees nothing left over. */
        icaltimezone_free_builtin_timezones();
        icalmemory_free_ring();
        return tap_done();
}
