/* SPDX-License-Identifier: MIT */
/* Unit tests for common/timeparse.c.
 *
 * Every test fixes TZ (setenv + tzset) and passes a fixed `now`, so results
 * never depend on the machine's zone or clock.  Expected instants are built
 * with glibc's timegm() from the UTC wall time, an oracle independent of the
 * code under test; the comments give the local time they stand for. */

#include "tap.h"
#include "timeparse.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Never a result of any parse, so "untouched on failure" is checkable. */
#define SENTINEL INT64_C(-777777)

static const char *current_tz = "";

static void set_tz(const char *tz) {
        setenv("TZ", tz, 1);
        tzset();
        current_tz = tz;
}

static int64_t utc(int y, int mo, int d, int h, int mi, int s) {
        struct tm tm = {
                .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                .tm_hour = h, .tm_min = mi, .tm_sec = s,
        };

        return (int64_t) timegm(&tm);
}

/* Printable form of a test input for the TAP line: control and non-ASCII
 * bytes escaped, long inputs cut short. */
static const char *esc(const char *text) {
        static char out[128];
        size_t n = 0, len;

        if (!text)
                return "NULL";
        len = strlen(text);
        out[n++] = '"';
        for (size_t i = 0; i < len && n < 80; i++) {
                unsigned char c = (unsigned char) text[i];

                if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
                        n += (size_t) snprintf(out + n, sizeof(out) - n, "\\x%02x", c);
                else
                        out[n++] = (char) c;
        }
        if (n >= 80)
                n += (size_t) snprintf(out + n, sizeof(out) - n, "...(%zu bytes)", len);
        out[n++] = '"';
        out[n] = '\0';
        return out;
}

static const char *show_local(int64_t t) {
        static char out[64];

        if (t == SENTINEL)
                return "untouched";
        local_time_format(t, out, sizeof(out));
        return out;
}

static void when_ok_at(const char *text, int64_t now, int64_t want, const char *file, int line) {
        int64_t got = SENTINEL;
        char what[256];
        int r;

        r = when_parse(text, now, &got);
        snprintf(what, sizeof(what), "when_parse(%s) [%s]", esc(text), current_tz);
        if (r != 0 || got != want) {
                printf("#   got r=%d %" PRId64 " (%s),", r, got, show_local(got));
                printf(" want %" PRId64 " (%s)\n", want, show_local(want));
        }
        tap_check(r == 0 && got == want, what, file, line);
}

static void when_err_at(const char *text, int64_t now, int want_r, const char *file, int line) {
        int64_t got = SENTINEL;
        char what[256];
        int r;

        r = when_parse(text, now, &got);
        snprintf(what, sizeof(what), "when_parse(%s) fails with %s, output untouched [%s]",
                 esc(text), want_r == -EINVAL ? "-EINVAL" : "-ERANGE", current_tz);
        if (r != want_r || got != SENTINEL)
                printf("#   got r=%d value %" PRId64 ", want r=%d\n", r, got, want_r);
        tap_check(r == want_r && got == SENTINEL, what, file, line);
}

static void duration_ok_at(const char *text, int64_t want, const char *file, int line) {
        int64_t got = SENTINEL;
        char what[256];
        int r;

        r = duration_parse(text, &got);
        snprintf(what, sizeof(what), "duration_parse(%s) = %" PRId64, esc(text), want);
        if (r != 0 || got != want)
                printf("#   got r=%d %" PRId64 "\n", r, got);
        tap_check(r == 0 && got == want, what, file, line);
}

static void duration_err_at(const char *text, int want_r, const char *file, int line) {
        int64_t got = SENTINEL;
        char what[256];
        int r;

        r = duration_parse(text, &got);
        snprintf(what, sizeof(what), "duration_parse(%s) fails with %s, output untouched",
                 esc(text), want_r == -EINVAL ? "-EINVAL" : "-ERANGE");
        if (r != want_r || got != SENTINEL)
                printf("#   got r=%d value %" PRId64 ", want r=%d\n", r, got, want_r);
        tap_check(r == want_r && got == SENTINEL, what, file, line);
}

static void past_ok_at(const char *text, int64_t now, int64_t want, const char *file, int line) {
        int64_t got = SENTINEL;
        char what[256];
        int r;

        r = when_parse_past(text, now, &got);
        snprintf(what, sizeof(what), "when_parse_past(%s) [%s]", esc(text), current_tz);
        if (r != 0 || got != want) {
                printf("#   got r=%d %" PRId64 " (%s),", r, got, show_local(got));
                printf(" want %" PRId64 " (%s)\n", want, show_local(want));
        }
        tap_check(r == 0 && got == want, what, file, line);
}

static void past_err_at(const char *text, int64_t now, int want_r, const char *file, int line) {
        int64_t got = SENTINEL;
        char what[256];
        int r;

        r = when_parse_past(text, now, &got);
        snprintf(what, sizeof(what), "when_parse_past(%s) fails with %s, output untouched [%s]",
                 esc(text), want_r == -EINVAL ? "-EINVAL" : "-ERANGE", current_tz);
        if (r != want_r || got != SENTINEL)
                printf("#   got r=%d value %" PRId64 ", want r=%d\n", r, got, want_r);
        tap_check(r == want_r && got == SENTINEL, what, file, line);
}

#define PAST_OK(text, now, want)  past_ok_at((text), (now), (want), __FILE__, __LINE__)
#define PAST_ERR(text, now, err)  past_err_at((text), (now), (err), __FILE__, __LINE__)
#define WHEN_OK(text, now, want)  when_ok_at((text), (now), (want), __FILE__, __LINE__)
#define WHEN_ERR(text, now, err)  when_err_at((text), (now), (err), __FILE__, __LINE__)
#define DUR_OK(text, want)        duration_ok_at((text), (want), __FILE__, __LINE__)
#define DUR_ERR(text, err)        duration_err_at((text), (err), __FILE__, __LINE__)

#define MIN  INT64_C(60)
#define HOUR INT64_C(3600)
#define DAY  INT64_C(86400)
#define WEEK INT64_C(604800)

static void test_duration_parse(void) {
        int64_t untouched = SENTINEL;

        DUR_OK("45s", 45);
        DUR_OK("90m", 90 * MIN);
        DUR_OK("2h", 2 * HOUR);
        DUR_OK("3d", 3 * DAY);
        DUR_OK("2w", 2 * WEEK);
        DUR_OK("1h30m", 90 * MIN);
        DUR_OK("1d 2h", DAY + 2 * HOUR);
        DUR_OK("1w2d3h4m5s", WEEK + 2 * DAY + 3 * HOUR + 4 * MIN + 5);
        DUR_OK("1 week 2 days 3 hours 4 minutes 5 seconds", WEEK + 2 * DAY + 3 * HOUR + 4 * MIN + 5);
        DUR_OK("+2h", 2 * HOUR);
        DUR_OK("+ 2h", 2 * HOUR);
        DUR_OK("in 3d", 3 * DAY);
        DUR_OK("IN 3D", 3 * DAY);
        DUR_OK("  in   3 days  ", 3 * DAY);
        DUR_OK("\t90m\n", 90 * MIN);
        DUR_OK("2 hours", 2 * HOUR);
        DUR_OK("1 hour", HOUR);
        DUR_OK("1hr", HOUR);
        DUR_OK("3hrs", 3 * HOUR);
        DUR_OK("1 minute", MIN);
        DUR_OK("30 mins", 30 * MIN);
        DUR_OK("30min", 30 * MIN);
        DUR_OK("5 sec", 5);
        DUR_OK("5secs", 5);
        DUR_OK("1 second", 1);
        DUR_OK("10 Seconds", 10);
        DUR_OK("1 day", DAY);
        DUR_OK("1 week", WEEK);
        DUR_OK("3 Weeks", 3 * WEEK);
        DUR_OK("1wk", WEEK);
        DUR_OK("2wks", 2 * WEEK);
        DUR_OK("0h30m", 30 * MIN);
        DUR_OK("007m", 7 * MIN);
        DUR_OK("3660d", DURATION_MAX_SECONDS);
        DUR_OK("316224000s", DURATION_MAX_SECONDS);

        DUR_ERR(NULL, -EINVAL);
        DUR_ERR("", -EINVAL);
        DUR_ERR("   ", -EINVAL);
        DUR_ERR("in", -EINVAL);
        DUR_ERR("in ", -EINVAL);
        DUR_ERR("in3d", -EINVAL);
        DUR_ERR("in in 3d", -EINVAL);
        DUR_ERR("+", -EINVAL);
        DUR_ERR("++3d", -EINVAL);
        DUR_ERR("5x", -EINVAL);
        DUR_ERR("-3d", -EINVAL);
        DUR_ERR("5", -EINVAL);
        DUR_ERR("h", -EINVAL);
        DUR_ERR("1h30", -EINVAL);
        DUR_ERR("1.5h", -EINVAL);
        DUR_ERR("1h,30m", -EINVAL);
        DUR_ERR("3 d d", -EINVAL);
        DUR_ERR("1 month", -EINVAL);
        DUR_ERR("1y", -EINVAL);
        DUR_ERR("3d ago", -EINVAL);
        DUR_ERR("tomorrow", -EINVAL);
        DUR_ERR("9am", -EINVAL);
        DUR_ERR("17:00", -EINVAL);
        DUR_ERR("3d\x01", -EINVAL);
        DUR_ERR("3\x7f" "d", -EINVAL);
        DUR_ERR("3d\xc2\xa0", -EINVAL);
        DUR_ERR("3\nd", -EINVAL);
        /* Syntax is judged before range, wherever the error sits. */
        DUR_ERR("0m x", -EINVAL);
        DUR_ERR("99999999999999999999d 5x", -EINVAL);

        DUR_ERR("0m", -ERANGE);
        DUR_ERR("0s", -ERANGE);
        DUR_ERR("0h 0m", -ERANGE);
        DUR_ERR("in 0d", -ERANGE);
        DUR_ERR("3661d", -ERANGE);
        DUR_ERR("523w", -ERANGE);
        DUR_ERR("316224001s", -ERANGE);
        DUR_ERR("3660d 1s", -ERANGE);
        DUR_ERR("99999999999999999999999999d", -ERANGE);
        DUR_ERR("9999999999w 9999999999w 9999999999w", -ERANGE);

        CHECK_INT(duration_parse("2h", NULL), -EINVAL, "duration_parse with NULL output is -EINVAL");
        CHECK_INT(duration_parse(NULL, &untouched), -EINVAL, "duration_parse(NULL) is -EINVAL");
}

/* Europe/Berlin, now = Wednesday 2026-06-10 10:00 CEST. */
static void test_iso(void) {
        const int64_t now = utc(2026, 6, 10, 8, 0, 0);
        static const char *const zones[] = {
                "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Kiritimati",
                "Pacific/Pago_Pago", "UTC", "EST5EDT,M3.2.0,M11.1.0",
        };

        set_tz("Europe/Berlin");

        /* A date alone is 09:00 local, in winter (CET) and summer (CEST). */
        WHEN_OK("2026-12-01", now, utc(2026, 12, 1, 8, 0, 0));
        WHEN_OK("2026-07-01", now, utc(2026, 7, 1, 7, 0, 0));
        /* Today's date alone is 09:00 even though that has passed. */
        WHEN_OK("2026-06-10", now, utc(2026, 6, 10, 7, 0, 0));
        WHEN_OK("2026-12-01T09:30", now, utc(2026, 12, 1, 8, 30, 0));
        WHEN_OK("2026-12-01t09:30", now, utc(2026, 12, 1, 8, 30, 0));
        WHEN_OK("2026-12-01 09:30", now, utc(2026, 12, 1, 8, 30, 0));
        WHEN_OK("2026-12-01T09:30:15", now, utc(2026, 12, 1, 8, 30, 15));
        WHEN_OK("2026-12-01 09:30:15", now, utc(2026, 12, 1, 8, 30, 15));
        WHEN_OK("2026-12-01 9:30", now, utc(2026, 12, 1, 8, 30, 0));
        WHEN_OK("2026-12-01 9:30pm", now, utc(2026, 12, 1, 20, 30, 0));
        WHEN_OK("2026-12-01 at 09:30", now, utc(2026, 12, 1, 8, 30, 0));
        WHEN_OK("2026-12-01T09:30Z", now, utc(2026, 12, 1, 9, 30, 0));
        WHEN_OK("2026-12-01t09:30z", now, utc(2026, 12, 1, 9, 30, 0));
        WHEN_OK("2026-12-01T09:30:15Z", now, utc(2026, 12, 1, 9, 30, 15));
        WHEN_OK("2026-12-01 09:30Z", now, utc(2026, 12, 1, 9, 30, 0));
        WHEN_OK("2026-12-01T09:30+01:00", now, utc(2026, 12, 1, 8, 30, 0));
        WHEN_OK("2026-12-01 09:30+01:00", now, utc(2026, 12, 1, 8, 30, 0));
        WHEN_OK("2026-12-01T09:30+0100", now, utc(2026, 12, 1, 8, 30, 0));
        WHEN_OK("2026-12-01T09:30+01", now, utc(2026, 12, 1, 8, 30, 0));
        WHEN_OK("2026-12-01T09:30-0500", now, utc(2026, 12, 1, 14, 30, 0));
        WHEN_OK("2026-12-01T09:30-05:00", now, utc(2026, 12, 1, 14, 30, 0));
        WHEN_OK("2026-12-01T09:30+05:30", now, utc(2026, 12, 1, 4, 0, 0));
        WHEN_OK("2026-12-01T09:30:15+0545", now, utc(2026, 12, 1, 3, 45, 15));
        WHEN_OK("2026-12-01T09:30-00:00", now, utc(2026, 12, 1, 9, 30, 0));
        WHEN_OK("2026-12-01T23:30-05:00", now, utc(2026, 12, 2, 4, 30, 0));
        WHEN_OK("2026-12-01T00:30+02:00", now, utc(2026, 11, 30, 22, 30, 0));
        WHEN_OK("  2026-12-01T09:30Z\n", now, utc(2026, 12, 1, 9, 30, 0));
        WHEN_OK("2028-02-29", now, utc(2028, 2, 29, 8, 0, 0));
        WHEN_OK("2000-02-29T12:00Z", now, utc(2000, 2, 29, 12, 0, 0));
        WHEN_OK("1970-01-01T00:00Z", now, 0);
        WHEN_OK("9999-12-31T23:59:59Z", now, utc(9999, 12, 31, 23, 59, 59));
        WHEN_OK("9999-12-31T23:00-05:00", now, utc(10000, 1, 1, 4, 0, 0));

        /* An offset (or Z) makes the answer independent of TZ; without one
         * it is local. */
        for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
                set_tz(zones[i]);
                WHEN_OK("2026-12-01T09:30+01:00", now, utc(2026, 12, 1, 8, 30, 0));
                WHEN_OK("2026-07-01T09:30Z", now, utc(2026, 7, 1, 9, 30, 0));
        }
        set_tz("America/New_York");
        WHEN_OK("2026-12-01T09:30", now, utc(2026, 12, 1, 14, 30, 0));
        WHEN_OK("2026-07-01", now, utc(2026, 7, 1, 13, 0, 0));
        set_tz("Asia/Kolkata");
        WHEN_OK("2026-12-01T09:30", now, utc(2026, 12, 1, 4, 0, 0));
        set_tz("EST5EDT,M3.2.0,M11.1.0");
        WHEN_OK("2026-07-01T09:30", now, utc(2026, 7, 1, 13, 30, 0));
        set_tz("UTC");
        WHEN_OK("2026-12-01", now, utc(2026, 12, 1, 9, 0, 0));

        set_tz("Europe/Berlin");
        WHEN_ERR("2026-13-01", now, -ERANGE);
        WHEN_ERR("2026-00-10", now, -ERANGE);
        WHEN_ERR("2026-02-30", now, -ERANGE);
        WHEN_ERR("2026-02-29", now, -ERANGE);
        WHEN_ERR("2100-02-29", now, -ERANGE);
        WHEN_ERR("2026-04-31", now, -ERANGE);
        WHEN_ERR("2026-12-00", now, -ERANGE);
        WHEN_ERR("2026-12-32", now, -ERANGE);
        WHEN_ERR("1969-12-31", now, -ERANGE);
        WHEN_ERR("0000-01-01", now, -ERANGE);
        WHEN_ERR("2026-12-01T24:00", now, -ERANGE);
        WHEN_ERR("2026-12-01T23:60", now, -ERANGE);
        WHEN_ERR("2026-12-01T23:59:60", now, -ERANGE);
        WHEN_ERR("2026-12-01T09:30+24:00", now, -ERANGE);
        WHEN_ERR("2026-12-01T09:30+01:60", now, -ERANGE);
        WHEN_ERR("2026-12-01 13pm", now, -ERANGE);
        WHEN_ERR("1970-01-01T00:00+01:00", now, -ERANGE);   /* 1969 in UTC */
        WHEN_OK("1970-01-01", now, 8 * HOUR);                  /* 09:00 CET */
        set_tz("Asia/Tokyo");
        WHEN_OK("1970-01-01", now, 0);                          /* 09:00 JST */
        WHEN_ERR("1970-01-01T08:59", now, -ERANGE);             /* 1969 in UTC */
        set_tz("Europe/Berlin");

        WHEN_ERR("2026-1-01", now, -EINVAL);
        WHEN_ERR("2026-01-1", now, -EINVAL);
        WHEN_ERR("26-01-01", now, -EINVAL);
        WHEN_ERR("10000-01-01", now, -EINVAL);
        WHEN_ERR("2026/12/01", now, -EINVAL);
        WHEN_ERR("2026-12-01T9:30", now, -EINVAL);
        WHEN_ERR("2026-12-01T09", now, -EINVAL);
        WHEN_ERR("2026-12-01T0930", now, -EINVAL);
        WHEN_ERR("2026-12-01T", now, -EINVAL);
        WHEN_ERR("2026-12-01Z", now, -EINVAL);
        WHEN_ERR("2026-12-01+01:00", now, -EINVAL);
        WHEN_ERR("2026-12-01T09:30:15.123", now, -EINVAL);
        WHEN_ERR("2026-12-01T09:30 pm", now, -EINVAL);
        WHEN_ERR("2026-12-01T09:30pm", now, -EINVAL);
        WHEN_ERR("2026-12-01T09:30+1", now, -EINVAL);
        WHEN_ERR("2026-12-01T09:30+123", now, -EINVAL);
        WHEN_ERR("2026-12-01T09:30+01:0", now, -EINVAL);
        WHEN_ERR("2026-12-01T09:30Z junk", now, -EINVAL);
        WHEN_ERR("2026-12-01 09:30 +01:00", now, -EINVAL);
        WHEN_ERR("2026-12-01 9pmZ", now, -EINVAL);
        WHEN_ERR("2026-12-01 tomorrow", now, -EINVAL);
        /* Syntax before range. */
        WHEN_ERR("2026-13-01T09:30 x", now, -EINVAL);
}

/* Europe/Berlin, now = Wednesday 2026-06-10 10:00 CEST. */
static void test_day_words_and_clock(void) {
        const int64_t now = utc(2026, 6, 10, 8, 0, 0);

        set_tz("Europe/Berlin");

        WHEN_OK("now", now, now);
        WHEN_OK("NOW", now, now);
        WHEN_OK("  now\t", now, now);
        WHEN_OK("today", now, utc(2026, 6, 10, 7, 0, 0));       /* 09:00, overdue */
        WHEN_OK("Today", now, utc(2026, 6, 10, 7, 0, 0));
        WHEN_OK("tomorrow", now, utc(2026, 6, 11, 7, 0, 0));
        WHEN_OK("today 17:00", now, utc(2026, 6, 10, 15, 0, 0));
        WHEN_OK("today 08:00", now, utc(2026, 6, 10, 6, 0, 0)); /* kept though past */
        WHEN_OK("tomorrow 9am", now, utc(2026, 6, 11, 7, 0, 0));
        WHEN_OK("tomorrow at 9am", now, utc(2026, 6, 11, 7, 0, 0));
        WHEN_OK("tomorrow 9 am", now, utc(2026, 6, 11, 7, 0, 0));
        WHEN_OK("TOMORROW 9AM", now, utc(2026, 6, 11, 7, 0, 0));
        WHEN_OK("tomorrow\t \t9am", now, utc(2026, 6, 11, 7, 0, 0));
        WHEN_OK("tomorrow 21:15:30", now, utc(2026, 6, 11, 19, 15, 30));
        WHEN_OK("tomorrow 12am", now, utc(2026, 6, 10, 22, 0, 0));
        WHEN_OK("tomorrow 12pm", now, utc(2026, 6, 11, 10, 0, 0));

        /* Clock times alone: today, or tomorrow once passed. */
        WHEN_OK("17:00", now, utc(2026, 6, 10, 15, 0, 0));
        WHEN_OK("17:00:30", now, utc(2026, 6, 10, 15, 0, 30));
        WHEN_OK("9am", now, utc(2026, 6, 11, 7, 0, 0));
        WHEN_OK("09:00", now, utc(2026, 6, 11, 7, 0, 0));
        WHEN_OK("9:59:59", now, utc(2026, 6, 11, 7, 59, 59));
        WHEN_OK("10:00", now, now);                             /* not yet passed */
        WHEN_OK("10:00:01", now, now + 1);
        WHEN_OK("12am", now, utc(2026, 6, 10, 22, 0, 0));       /* tomorrow 00:00 */
        WHEN_OK("12:30am", now, utc(2026, 6, 10, 22, 30, 0));
        WHEN_OK("0:05", now, utc(2026, 6, 10, 22, 5, 0));
        WHEN_OK("12pm", now, utc(2026, 6, 10, 10, 0, 0));       /* today noon */
        WHEN_OK("9:30pm", now, utc(2026, 6, 10, 19, 30, 0));
        WHEN_OK("9:30 PM", now, utc(2026, 6, 10, 19, 30, 0));
        WHEN_OK("9 pm", now, utc(2026, 6, 10, 19, 0, 0));
        WHEN_OK("11:59PM", now, utc(2026, 6, 10, 21, 59, 0));
        WHEN_OK("1am", now, utc(2026, 6, 10, 23, 0, 0));

        WHEN_ERR("now 9am", now, -EINVAL);
        WHEN_ERR("nowx", now, -EINVAL);
        WHEN_ERR("today tomorrow", now, -EINVAL);
        WHEN_ERR("tomorrow 9", now, -EINVAL);
        WHEN_ERR("tomorrow9am", now, -EINVAL);
        WHEN_ERR("tomorrow at", now, -EINVAL);
        WHEN_ERR("tomorrow at at 9am", now, -EINVAL);
        WHEN_ERR("tomorrow 17:00Z", now, -EINVAL);
        WHEN_ERR("tomorrow 9am 10am", now, -EINVAL);
        WHEN_ERR("yesterday", now, -EINVAL);
        WHEN_ERR("at 9am", now, -EINVAL);
        WHEN_ERR("9", now, -EINVAL);
        WHEN_ERR("9:5", now, -EINVAL);
        WHEN_ERR("9:300", now, -EINVAL);
        WHEN_ERR("123:00", now, -EINVAL);
        WHEN_ERR("9 o'clock", now, -EINVAL);
        WHEN_ERR("9am tomorrow", now, -EINVAL);
        WHEN_ERR("17:00 today", now, -EINVAL);
        WHEN_ERR("9amz", now, -EINVAL);
        WHEN_ERR("17:00Z", now, -EINVAL);
        WHEN_ERR("tomorrow 25:00", now, -ERANGE);
        WHEN_ERR("today 23:60", now, -ERANGE);
        WHEN_ERR("25:00", now, -ERANGE);
        WHEN_ERR("24:00", now, -ERANGE);
        WHEN_ERR("13pm", now, -ERANGE);
        WHEN_ERR("0am", now, -ERANGE);
        WHEN_ERR("12:60", now, -ERANGE);
        WHEN_ERR("12:00:60", now, -ERANGE);
}

static void test_weekdays(void) {
        /* Wednesday 2026-06-10 10:00 CEST. */
        int64_t now = utc(2026, 6, 10, 8, 0, 0);

        set_tz("Europe/Berlin");

        WHEN_OK("fri", now, utc(2026, 6, 12, 7, 0, 0));
        WHEN_OK("friday", now, utc(2026, 6, 12, 7, 0, 0));
        WHEN_OK("FRIDAY", now, utc(2026, 6, 12, 7, 0, 0));
        WHEN_OK("Fri 10:00", now, utc(2026, 6, 12, 8, 0, 0));
        WHEN_OK("fri at 4pm", now, utc(2026, 6, 12, 14, 0, 0));
        WHEN_OK("thu", now, utc(2026, 6, 11, 7, 0, 0));
        WHEN_OK("thur", now, utc(2026, 6, 11, 7, 0, 0));
        WHEN_OK("thurs", now, utc(2026, 6, 11, 7, 0, 0));
        WHEN_OK("thursday", now, utc(2026, 6, 11, 7, 0, 0));
        WHEN_OK("next thu", now, utc(2026, 6, 11, 7, 0, 0));    /* tomorrow */
        WHEN_OK("sat", now, utc(2026, 6, 13, 7, 0, 0));
        WHEN_OK("saturday", now, utc(2026, 6, 13, 7, 0, 0));
        WHEN_OK("sun", now, utc(2026, 6, 14, 7, 0, 0));
        WHEN_OK("sunday", now, utc(2026, 6, 14, 7, 0, 0));
        WHEN_OK("mon", now, utc(2026, 6, 15, 7, 0, 0));
        WHEN_OK("monday", now, utc(2026, 6, 15, 7, 0, 0));
        WHEN_OK("next monday", now, utc(2026, 6, 15, 7, 0, 0));
        WHEN_OK("tue", now, utc(2026, 6, 16, 7, 0, 0));
        WHEN_OK("tues", now, utc(2026, 6, 16, 7, 0, 0));
        WHEN_OK("tuesday", now, utc(2026, 6, 16, 7, 0, 0));
        /* Today is Wednesday: a bare "wed" is today while its time is ahead,
         * next week once passed; "next wed" is always next week. */
        WHEN_OK("wed", now, utc(2026, 6, 17, 7, 0, 0));
        WHEN_OK("weds", now, utc(2026, 6, 17, 7, 0, 0));
        WHEN_OK("wed 17:00", now, utc(2026, 6, 10, 15, 0, 0));
        WHEN_OK("wednesday 10:00", now, now);
        WHEN_OK("wed 9:59", now, utc(2026, 6, 17, 7, 59, 0));
        WHEN_OK("next wed", now, utc(2026, 6, 17, 7, 0, 0));
        WHEN_OK("next wednesday 17:00", now, utc(2026, 6, 17, 15, 0, 0));
        WHEN_OK("Next  Wednesday  at  5pm", now, utc(2026, 6, 17, 15, 0, 0));

        /* Monday 2026-06-08 08:00 CEST. */
        now = utc(2026, 6, 8, 6, 0, 0);
        WHEN_OK("monday", now, utc(2026, 6, 8, 7, 0, 0));
        WHEN_OK("mon", now, utc(2026, 6, 8, 7, 0, 0));
        WHEN_OK("next monday", now, utc(2026, 6, 15, 7, 0, 0));
        WHEN_OK("next mon 7:00", now, utc(2026, 6, 15, 5, 0, 0));
        WHEN_OK("mon 7:00", now, utc(2026, 6, 15, 5, 0, 0));
        WHEN_OK("mon 8:30", now, utc(2026, 6, 8, 6, 30, 0));
        WHEN_OK("next monday 8:30", now, utc(2026, 6, 15, 6, 30, 0));
        WHEN_OK("tue", now, utc(2026, 6, 9, 7, 0, 0));
        WHEN_OK("next tuesday", now, utc(2026, 6, 9, 7, 0, 0));
        WHEN_OK("sunday", now, utc(2026, 6, 14, 7, 0, 0));
        WHEN_OK("next sunday", now, utc(2026, 6, 14, 7, 0, 0));

        /* Sunday 2026-06-14 23:30 CEST: "next monday" is tomorrow. */
        now = utc(2026, 6, 14, 21, 30, 0);
        WHEN_OK("next monday", now, utc(2026, 6, 15, 7, 0, 0));
        WHEN_OK("sun", now, utc(2026, 6, 21, 7, 0, 0));

        WHEN_ERR("next", now, -EINVAL);
        WHEN_ERR("next tomorrow", now, -EINVAL);
        WHEN_ERR("next week", now, -EINVAL);
        WHEN_ERR("next next monday", now, -EINVAL);
        WHEN_ERR("nextmonday", now, -EINVAL);
        WHEN_ERR("frid", now, -EINVAL);
        WHEN_ERR("mon tue", now, -EINVAL);
        WHEN_ERR("mon 9", now, -EINVAL);
        WHEN_ERR("fri 25:00", now, -ERANGE);
        WHEN_ERR("next fri 13pm", now, -ERANGE);
}

static void test_relative(void) {
        /* Wednesday 2026-06-10 10:00 CEST. */
        int64_t now = utc(2026, 6, 10, 8, 0, 0);

        set_tz("Europe/Berlin");
        WHEN_OK("in 3d", now, now + 3 * DAY);
        WHEN_OK("+2h", now, now + 2 * HOUR);
        WHEN_OK("90m", now, now + 90 * MIN);
        WHEN_OK("2w", now, now + 2 * WEEK);
        WHEN_OK("1h30m", now, now + 90 * MIN);
        WHEN_OK("1d 2h", now, now + DAY + 2 * HOUR);
        WHEN_OK("in 2 hours", now, now + 2 * HOUR);
        WHEN_OK("+ 45 minutes", now, now + 45 * MIN);
        WHEN_OK("3 weeks", now, now + 3 * WEEK);
        WHEN_OK("In 1 Week 2 Days", now, now + WEEK + 2 * DAY);
        WHEN_OK("45s", now, now + 45);
        WHEN_OK("3660d", now, now + DURATION_MAX_SECONDS);

        WHEN_ERR("in", now, -EINVAL);
        WHEN_ERR("+", now, -EINVAL);
        WHEN_ERR("5x", now, -EINVAL);
        WHEN_ERR("-3d", now, -EINVAL);
        WHEN_ERR("3d ago", now, -EINVAL);
        WHEN_ERR("in tomorrow", now, -EINVAL);
        WHEN_ERR("in 9am", now, -EINVAL);
        WHEN_ERR("0m", now, -ERANGE);
        WHEN_ERR("in 0d", now, -ERANGE);
        WHEN_ERR("3661d", now, -ERANGE);
        WHEN_ERR("in 11 years", now, -EINVAL);
        WHEN_ERR("600w", now, -ERANGE);

        /* Relative means elapsed seconds: across the spring change "in 1d"
         * is 24 hours, which reads an hour later on the clock. */
        now = utc(2026, 3, 28, 11, 0, 0);                       /* Sat 12:00 CET */
        WHEN_OK("in 1d", now, utc(2026, 3, 29, 11, 0, 0));      /* Sun 13:00 CEST */
        WHEN_OK("in 24h", now, now + DAY);

        /* No overflow near the ends of int64 and no result before 1970. */
        WHEN_ERR("+1h", INT64_MAX - 10, -ERANGE);
        WHEN_ERR("3660d", INT64_MAX, -ERANGE);
        WHEN_ERR("now", -5, -ERANGE);
        WHEN_ERR("tomorrow", INT64_MAX, -ERANGE);
        WHEN_ERR("17:00", INT64_MIN, -ERANGE);
        WHEN_ERR("fri", INT64_MAX, -ERANGE);
        WHEN_OK("1h", -1800, 1800);
}

/* Past WHENs, for when something happened (netctl log --when).  Berlin,
 * now = Wednesday 2026-06-10 10:00 CEST. */
static void test_past(void) {
        int64_t now = utc(2026, 6, 10, 8, 0, 0);

        set_tz("Europe/Berlin");

        PAST_OK("now", now, now);
        PAST_OK("today", now, now);                             /* before noon: now */
        PAST_OK("today 08:00", now, utc(2026, 6, 10, 6, 0, 0));
        PAST_OK("today at 9:59", now, utc(2026, 6, 10, 7, 59, 0));
        PAST_OK("yesterday", now, utc(2026, 6, 9, 10, 0, 0));   /* noon */
        PAST_OK("Yesterday 17:00", now, utc(2026, 6, 9, 15, 0, 0));
        PAST_OK("yesterday at 9am", now, utc(2026, 6, 9, 7, 0, 0));
        PAST_OK("yesterday 12am", now, utc(2026, 6, 8, 22, 0, 0));

        /* Weekdays look back: today counts unless its time is ahead. */
        PAST_OK("mon", now, utc(2026, 6, 8, 10, 0, 0));
        PAST_OK("monday 18:30", now, utc(2026, 6, 8, 16, 30, 0));
        PAST_OK("thu", now, utc(2026, 6, 4, 10, 0, 0));
        PAST_OK("wed", now, now);                               /* today, before noon */
        PAST_OK("wed 9am", now, utc(2026, 6, 10, 7, 0, 0));
        PAST_OK("wed 17:00", now, utc(2026, 6, 3, 15, 0, 0));   /* a week ago */
        PAST_OK("last wed", now, utc(2026, 6, 3, 10, 0, 0));
        PAST_OK("last tue", now, utc(2026, 6, 9, 10, 0, 0));
        PAST_OK("last friday at 8pm", now, utc(2026, 6, 5, 18, 0, 0));

        /* Clock times alone: today, or yesterday while today's is ahead. */
        PAST_OK("9am", now, utc(2026, 6, 10, 7, 0, 0));
        PAST_OK("10:00", now, now);
        PAST_OK("10:00:01", now, utc(2026, 6, 9, 8, 0, 1));
        PAST_OK("17:00", now, utc(2026, 6, 9, 15, 0, 0));

        /* ISO: a date alone is noon, today's before noon is now. */
        PAST_OK("2026-06-01", now, utc(2026, 6, 1, 10, 0, 0));
        PAST_OK("2026-06-10", now, now);
        PAST_OK("2026-06-09T18:45", now, utc(2026, 6, 9, 16, 45, 0));
        PAST_OK("2026-06-10T07:00Z", now, utc(2026, 6, 10, 7, 0, 0));
        PAST_OK("1970-01-01T00:00Z", now, 0);

        /* N ago: exact seconds. */
        PAST_OK("3d ago", now, now - 3 * DAY);
        PAST_OK("3 days ago", now, now - 3 * DAY);
        PAST_OK("2 Weeks Ago", now, now - 2 * WEEK);
        PAST_OK("1h30m ago", now, now - 90 * MIN);
        PAST_OK("1d 2h ago", now, now - DAY - 2 * HOUR);
        PAST_OK("45s ago", now, now - 45);
        PAST_OK("3660d ago", now, now - DURATION_MAX_SECONDS);
        PAST_OK("  3d   ago \n", now, now - 3 * DAY);

        /* Forward forms and bare durations are not past times. */
        PAST_ERR("tomorrow", now, -EINVAL);
        PAST_ERR("next mon", now, -EINVAL);
        PAST_ERR("in 3d", now, -EINVAL);
        PAST_ERR("+2h", now, -EINVAL);
        PAST_ERR("3d", now, -EINVAL);
        PAST_ERR("in 3d ago", now, -EINVAL);
        PAST_ERR("+3d ago", now, -EINVAL);
        PAST_ERR("ago", now, -EINVAL);
        PAST_ERR("3dago", now, -EINVAL);
        PAST_ERR("x ago", now, -EINVAL);
        PAST_ERR("yesterday ago", now, -EINVAL);
        PAST_ERR("3d ago ago", now, -EINVAL);
        PAST_ERR("last", now, -EINVAL);
        PAST_ERR("last yesterday", now, -EINVAL);
        PAST_ERR("yesterday 9", now, -EINVAL);
        PAST_ERR("-3d", now, -EINVAL);
        PAST_ERR("", now, -EINVAL);
        PAST_ERR(NULL, now, -EINVAL);
        PAST_ERR("yesterday\x01", now, -EINVAL);

        /* The future, and field errors, are range errors. */
        PAST_ERR("today 17:00", now, -ERANGE);
        PAST_ERR("2026-06-11", now, -ERANGE);
        PAST_ERR("2026-06-10T10:00:01", now, -ERANGE);
        PAST_ERR("2030-01-01T09:00Z", now, -ERANGE);
        PAST_ERR("yesterday 25:00", now, -ERANGE);
        PAST_ERR("2026-02-30", now, -ERANGE);
        PAST_ERR("0d ago", now, -ERANGE);
        PAST_ERR("3661d ago", now, -ERANGE);
        PAST_ERR("2h ago", HOUR, -ERANGE);                      /* before 1970 */
        CHECK_INT(when_parse_past("yesterday", now, NULL), -EINVAL,
                  "when_parse_past with NULL output is -EINVAL");

        /* "yesterday 02:30" the day after the spring change lands on the
         * gap and moves forward, as when_parse does: 03:30 CEST. */
        now = utc(2026, 3, 30, 8, 0, 0);                        /* Mon 10:00 CEST */
        PAST_OK("yesterday 02:30", now, utc(2026, 3, 29, 1, 30, 0));
        PAST_OK("yesterday", now, utc(2026, 3, 29, 10, 0, 0));  /* noon CEST */
        PAST_OK("1d ago", now, now - DAY);

        /* Another zone: New York, Sunday 2026-11-01 08:00 EST, the fall-back
         * day; 01:30 happened twice and means the earlier, EDT. */
        set_tz("America/New_York");
        now = utc(2026, 11, 1, 13, 0, 0);
        PAST_OK("01:30", now, utc(2026, 11, 1, 5, 30, 0));
        PAST_OK("sat", now, utc(2026, 10, 31, 16, 0, 0));       /* noon EDT */
        PAST_OK("sun", now, now);                               /* today, before noon */
}

/* Brute force against localtime_r(): for every quarter hour of local wall
 * time on the days around a transition, the expected instant is the earliest
 * one localtime_r() shows as that wall time; when none does (a gap), it is
 * the wall time read with the offset a day earlier.  Every transition in
 * these zones lies on a quarter hour, so stepping instants by 15 minutes
 * finds every match. */
static void check_brute_force(const char *tz, int y, int mo, int d, const char *file, int line) {
        const int64_t now = utc(2026, 1, 1, 0, 0, 0);
        int failures = 0, cases = 0, gaps = 0, overlaps = 0;
        char what[160];

        set_tz(tz);
        for (int64_t wall = utc(y, mo, d, 0, 0, 0) - DAY; wall < utc(y, mo, d, 0, 0, 0) + 2 * DAY; wall += 15 * MIN) {
                int64_t expected = INT64_MIN, got = SENTINEL;
                int matches = 0;
                struct tm wtm;
                time_t wt = (time_t) wall;
                char text[64];

                for (int64_t t = wall - 16 * HOUR; t <= wall + 16 * HOUR; t += 15 * MIN) {
                        struct tm tm;
                        time_t tt = (time_t) t;

                        localtime_r(&tt, &tm);
                        if (t + tm.tm_gmtoff == wall) {
                                if (matches++ == 0)
                                        expected = t;
                        }
                }
                if (matches == 0) {
                        struct tm tm;
                        time_t tt = (time_t) (wall - DAY);

                        localtime_r(&tt, &tm);
                        expected = wall - tm.tm_gmtoff;
                        gaps++;
                } else if (matches > 1)
                        overlaps++;

                gmtime_r(&wt, &wtm);
                snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d", wtm.tm_year + 1900,
                         wtm.tm_mon + 1, wtm.tm_mday, wtm.tm_hour, wtm.tm_min);
                cases++;
                if (when_parse(text, now, &got) != 0 || got != expected) {
                        failures++;
                        printf("#   %s %s: got %" PRId64 ", want %" PRId64 "\n", tz, text, got, expected);
                }
        }
        snprintf(what, sizeof(what), "%s around %04d-%02d-%02d: %d wall times (%d in a gap, %d twice) match brute force",
                 tz, y, mo, d, cases, gaps, overlaps);
        tap_check(failures == 0 && (gaps > 0 || overlaps > 0), what, file, line);
}

#define BRUTE_FORCE(tz, y, mo, d) check_brute_force((tz), (y), (mo), (d), __FILE__, __LINE__)

static void test_dst(void) {
        char buf[64];
        int64_t now, t;

        set_tz("Europe/Berlin");
        now = utc(2026, 3, 1, 12, 0, 0);
        /* Spring forward 2026-03-29 02:00 CET -> 03:00 CEST: 02:xx is
         * moved an hour forward. */
        WHEN_OK("2026-03-29 02:30", now, utc(2026, 3, 29, 1, 30, 0));   /* 03:30 CEST */
        WHEN_OK("2026-03-29T02:00", now, utc(2026, 3, 29, 1, 0, 0));    /* 03:00 CEST */
        WHEN_OK("2026-03-29T02:59:59", now, utc(2026, 3, 29, 1, 59, 59));
        WHEN_OK("2026-03-29T01:59", now, utc(2026, 3, 29, 0, 59, 0));   /* CET */
        WHEN_OK("2026-03-29T03:00", now, utc(2026, 3, 29, 1, 0, 0));    /* CEST */
        t = SENTINEL;
        when_parse("2026-03-29 02:30", now, &t);
        local_time_format(t, buf, sizeof(buf));
        CHECK_STR(buf, "2026-03-29 03:30", "Berlin gap 02:30 reads back as 03:30");
        /* Fall back 2026-10-25 03:00 CEST -> 02:00 CET: 02:xx happens
         * twice; the earlier, still CEST, wins. */
        WHEN_OK("2026-10-25 02:30", now, utc(2026, 10, 25, 0, 30, 0));  /* 02:30 CEST */
        WHEN_OK("2026-10-25T02:00", now, utc(2026, 10, 25, 0, 0, 0));
        WHEN_OK("2026-10-25T02:59:59", now, utc(2026, 10, 25, 0, 59, 59));
        WHEN_OK("2026-10-25T01:59", now, utc(2026, 10, 24, 23, 59, 0));
        WHEN_OK("2026-10-25T03:00", now, utc(2026, 10, 25, 2, 0, 0));   /* CET */
        /* The later 02:30 is still reachable with an explicit offset. */
        WHEN_OK("2026-10-25T02:30+01:00", now, utc(2026, 10, 25, 1, 30, 0));
        local_time_format(utc(2026, 10, 25, 0, 30, 0), buf, sizeof(buf));
        CHECK_STR(buf, "2026-10-25 02:30", "Berlin overlap, CEST 02:30 formats as 02:30");
        local_time_format(utc(2026, 10, 25, 1, 30, 0), buf, sizeof(buf));
        CHECK_STR(buf, "2026-10-25 02:30", "Berlin overlap, CET 02:30 formats as 02:30 too");

        /* "tomorrow 9am" keeps the wall time across both changes. */
        now = utc(2026, 3, 28, 11, 0, 0);                       /* Sat 12:00 CET */
        WHEN_OK("tomorrow 9am", now, utc(2026, 3, 29, 7, 0, 0));        /* 09:00 CEST */
        WHEN_OK("tomorrow", now, utc(2026, 3, 29, 7, 0, 0));
        WHEN_OK("sun", now, utc(2026, 3, 29, 7, 0, 0));
        WHEN_OK("tomorrow 2:30am", now, utc(2026, 3, 29, 1, 30, 0));    /* gap: 03:30 CEST */
        WHEN_OK("next sat 9am", now, utc(2026, 4, 4, 7, 0, 0));
        now = utc(2026, 10, 24, 10, 0, 0);                      /* Sat 12:00 CEST */
        WHEN_OK("tomorrow 9am", now, utc(2026, 10, 25, 8, 0, 0));       /* 09:00 CET */
        WHEN_OK("tomorrow 2:30am", now, utc(2026, 10, 25, 0, 30, 0));   /* overlap: CEST */
        /* On the spring-forward day itself, 00:30 CET. */
        now = utc(2026, 3, 28, 23, 30, 0);
        WHEN_OK("02:30", now, utc(2026, 3, 29, 1, 30, 0));
        WHEN_OK("today 17:00", now, utc(2026, 3, 29, 15, 0, 0));
        WHEN_OK("1:00", now, utc(2026, 3, 29, 0, 0, 0));

        set_tz("America/New_York");
        now = utc(2026, 3, 1, 17, 0, 0);
        /* Spring forward 2026-03-08 02:00 EST -> 03:00 EDT. */
        WHEN_OK("2026-03-08 02:30", now, utc(2026, 3, 8, 7, 30, 0));    /* 03:30 EDT */
        WHEN_OK("2026-03-08T02:00", now, utc(2026, 3, 8, 7, 0, 0));
        WHEN_OK("2026-03-08T01:59", now, utc(2026, 3, 8, 6, 59, 0));    /* EST */
        WHEN_OK("2026-03-08T03:00", now, utc(2026, 3, 8, 7, 0, 0));
        /* Fall back 2026-11-01 02:00 EDT -> 01:00 EST: 01:xx twice. */
        WHEN_OK("2026-11-01 01:30", now, utc(2026, 11, 1, 5, 30, 0));   /* 01:30 EDT */
        WHEN_OK("2026-11-01T01:00", now, utc(2026, 11, 1, 5, 0, 0));
        WHEN_OK("2026-11-01T00:59", now, utc(2026, 11, 1, 4, 59, 0));
        WHEN_OK("2026-11-01T02:00", now, utc(2026, 11, 1, 7, 0, 0));    /* EST */
        WHEN_OK("2026-11-01T01:30-05:00", now, utc(2026, 11, 1, 6, 30, 0));
        now = utc(2026, 3, 7, 17, 0, 0);                        /* Sat 12:00 EST */
        WHEN_OK("tomorrow 9am", now, utc(2026, 3, 8, 13, 0, 0));        /* 09:00 EDT */
        now = utc(2026, 10, 31, 16, 0, 0);                      /* Sat 12:00 EDT */
        WHEN_OK("tomorrow 9am", now, utc(2026, 11, 1, 14, 0, 0));       /* 09:00 EST */
        now = utc(2026, 11, 1, 2, 0, 0);                        /* Sat 22:00 EDT */
        WHEN_OK("1:30am", now, utc(2026, 11, 1, 5, 30, 0));             /* EDT */

        /* Same rules from a POSIX TZ string, without tzdata. */
        set_tz("EST5EDT,M3.2.0,M11.1.0");
        now = utc(2026, 3, 1, 17, 0, 0);
        WHEN_OK("2026-03-08 02:30", now, utc(2026, 3, 8, 7, 30, 0));
        WHEN_OK("2026-11-01 01:30", now, utc(2026, 11, 1, 5, 30, 0));

        /* A 30-minute change: Lord Howe moves 02:00 -> 02:30 on 2026-10-04
         * and 02:00 -> 01:30 on 2026-04-05. */
        set_tz("Australia/Lord_Howe");
        now = utc(2026, 3, 1, 0, 0, 0);
        WHEN_OK("2026-10-04 02:15", now, utc(2026, 10, 3, 15, 45, 0));  /* 02:45 +11 */
        WHEN_OK("2026-04-05 01:45", now, utc(2026, 4, 4, 14, 45, 0));   /* +11, earlier */

        /* Havana changes at midnight: 00:30 on 2026-03-08 does not exist. */
        set_tz("America/Havana");
        WHEN_OK("2026-03-08T00:30", now, utc(2026, 3, 8, 5, 30, 0));    /* 01:30 CDT */
        WHEN_OK("2026-11-01T00:30", now, utc(2026, 11, 1, 4, 30, 0));   /* CDT, earlier */

        BRUTE_FORCE("Europe/Berlin", 2026, 3, 29);
        BRUTE_FORCE("Europe/Berlin", 2026, 10, 25);
        BRUTE_FORCE("America/New_York", 2026, 3, 8);
        BRUTE_FORCE("America/New_York", 2026, 11, 1);
        BRUTE_FORCE("Australia/Lord_Howe", 2026, 4, 5);
        BRUTE_FORCE("Australia/Lord_Howe", 2026, 10, 4);
        BRUTE_FORCE("America/Havana", 2026, 3, 8);
        BRUTE_FORCE("America/Havana", 2026, 11, 1);
        BRUTE_FORCE("Australia/Sydney", 2026, 4, 5);
        BRUTE_FORCE("Australia/Sydney", 2026, 10, 4);
        /* Samoa skipped a whole day: 2011-12-30 never happened. */
        BRUTE_FORCE("Pacific/Apia", 2011, 12, 30);
}

static void test_local_midnight(void) {
        int64_t now;

        set_tz("Europe/Berlin");
        now = utc(2026, 6, 10, 8, 0, 0);                        /* Wed 10:00 CEST */
        CHECK_INT(local_midnight(now, 0), utc(2026, 6, 9, 22, 0, 0), "Berlin today's midnight");
        CHECK_INT(local_midnight(now, 1), utc(2026, 6, 10, 22, 0, 0), "Berlin tomorrow's midnight");
        CHECK_INT(local_midnight(now, -1), utc(2026, 6, 8, 22, 0, 0), "Berlin yesterday's midnight");
        CHECK_INT(local_midnight(now, 7), utc(2026, 6, 16, 22, 0, 0), "Berlin midnight a week on");
        CHECK_INT(local_midnight(utc(2026, 6, 9, 22, 0, 0), 0), utc(2026, 6, 9, 22, 0, 0),
                  "midnight itself is its own day's midnight");
        CHECK_INT(local_midnight(utc(2026, 6, 9, 21, 59, 59), 0), utc(2026, 6, 8, 22, 0, 0),
                  "a second before midnight belongs to the day before");

        /* The spring-forward day has 23 hours, the fall-back one 25. */
        now = utc(2026, 3, 29, 10, 0, 0);                       /* Sun 12:00 CEST */
        CHECK_INT(local_midnight(now, 0), utc(2026, 3, 28, 23, 0, 0), "Berlin spring day starts 00:00 CET");
        CHECK_INT(local_midnight(now, 1), utc(2026, 3, 29, 22, 0, 0), "Berlin spring day ends 00:00 CEST");
        CHECK_INT(local_midnight(now, 1) - local_midnight(now, 0), 23 * HOUR, "Berlin spring day is 23 hours");
        now = utc(2026, 3, 28, 11, 0, 0);                       /* Sat 12:00 CET */
        CHECK_INT(local_midnight(now, 2), utc(2026, 3, 29, 22, 0, 0), "Berlin two days on across the change");
        now = utc(2026, 10, 25, 11, 0, 0);                      /* Sun 12:00 CET */
        CHECK_INT(local_midnight(now, 0), utc(2026, 10, 24, 22, 0, 0), "Berlin fall day starts 00:00 CEST");
        CHECK_INT(local_midnight(now, 1), utc(2026, 10, 25, 23, 0, 0), "Berlin fall day ends 00:00 CET");
        CHECK_INT(local_midnight(now, 1) - local_midnight(now, 0), 25 * HOUR, "Berlin fall day is 25 hours");

        set_tz("America/New_York");
        now = utc(2026, 3, 8, 16, 0, 0);                        /* Sun 12:00 EDT */
        CHECK_INT(local_midnight(now, 0), utc(2026, 3, 8, 5, 0, 0), "New York spring day starts 00:00 EST");
        CHECK_INT(local_midnight(now, 1), utc(2026, 3, 9, 4, 0, 0), "New York spring day ends 00:00 EDT");
        now = utc(2026, 11, 1, 17, 0, 0);                       /* Sun 12:00 EST */
        CHECK_INT(local_midnight(now, 1) - local_midnight(now, 0), 25 * HOUR, "New York fall day is 25 hours");

        /* Havana skips 00:00-01:00 on 2026-03-08 and repeats 00:00-01:00 on
         * 2026-11-01: the day starts at its first instant either way. */
        set_tz("America/Havana");
        now = utc(2026, 3, 8, 16, 0, 0);
        CHECK_INT(local_midnight(now, 0), utc(2026, 3, 8, 5, 0, 0), "Havana skipped midnight: day starts 01:00 CDT");
        now = utc(2026, 11, 1, 17, 0, 0);
        CHECK_INT(local_midnight(now, 0), utc(2026, 11, 1, 4, 0, 0), "Havana repeated midnight: the first 00:00");

        set_tz("UTC");
        CHECK_INT(local_midnight(utc(2026, 6, 10, 8, 0, 0), 0), utc(2026, 6, 10, 0, 0, 0), "UTC midnight");
        CHECK_INT(local_midnight(-1, 0), -DAY, "UTC midnight before 1970 rounds down");

        /* Absurd arguments are clamped, never overflow (UBSan watches). */
        set_tz("Europe/Berlin");
        CHECK(local_midnight(INT64_MAX, INT_MAX) > local_midnight(INT64_MAX, 0),
              "local_midnight(INT64_MAX, INT_MAX) stays ordered");
        CHECK(local_midnight(INT64_MIN, INT_MIN) < local_midnight(INT64_MIN, 0),
              "local_midnight(INT64_MIN, INT_MIN) stays ordered");
}

static void check_format_at(int64_t seconds, size_t size, const char *want, const char *file, int line) {
        char buf[64], what[128];

        memset(buf, 'X', sizeof(buf));
        duration_format(seconds, buf, size);
        snprintf(what, sizeof(what), "duration_format(%" PRId64 ", size %zu) = \"%s\"", seconds, size, want);
        if (strcmp(buf, want) != 0)
                printf("#   got \"%s\"\n", buf);
        tap_check(strcmp(buf, want) == 0, what, file, line);
}

static void check_relative_at(int64_t delta, const char *want, const char *file, int line) {
        const int64_t now = utc(2026, 6, 10, 8, 0, 0);
        char buf[64], what[128];

        relative_format(now + delta, now, buf, sizeof(buf));
        snprintf(what, sizeof(what), "relative_format(now %+" PRId64 "s) = \"%s\"", delta, want);
        if (strcmp(buf, want) != 0)
                printf("#   got \"%s\"\n", buf);
        tap_check(strcmp(buf, want) == 0, what, file, line);
}

#define FORMAT(seconds, want) check_format_at((seconds), 64, (want), __FILE__, __LINE__)
#define FORMAT_SIZED(seconds, size, want) check_format_at((seconds), (size), (want), __FILE__, __LINE__)
#define RELATIVE(delta, want) check_relative_at((delta), (want), __FILE__, __LINE__)

static void test_formatting(void) {
        char buf[64];

        FORMAT(0, "0s");
        FORMAT(45, "45s");
        FORMAT(60, "1m");
        FORMAT(90, "1m 30s");
        FORMAT(HOUR, "1h");
        FORMAT(2 * HOUR, "2h");
        FORMAT(2 * HOUR + MIN + 59, "2h 1m");                   /* truncated */
        FORMAT(DAY + 3 * HOUR, "1d 3h");
        FORMAT(DAY + 2 * HOUR + 59 * MIN, "1d 2h");
        FORMAT(2 * WEEK, "2w");
        FORMAT(WEEK + 3 * HOUR, "1w");                          /* adjacent units only */
        FORMAT(WEEK + DAY, "1w 1d");
        FORMAT(6 * DAY + 23 * HOUR + 59 * MIN + 59, "6d 23h");
        FORMAT(DURATION_MAX_SECONDS, "522w 6d");
        FORMAT(-2 * HOUR, "-2h");
        FORMAT(-90, "-1m 30s");
        FORMAT(INT64_MAX, "15250284452471w 3d");
        FORMAT(INT64_MIN, "-15250284452471w 3d");
        FORMAT_SIZED(DAY + 2 * HOUR, 4, "1d ");
        FORMAT_SIZED(DAY + 2 * HOUR, 1, "");
        duration_format(HOUR, NULL, 0);
        CHECK(1, "duration_format(NULL, 0) writes nothing and survives");

        RELATIVE(0, "now");
        RELATIVE(30, "now");
        RELATIVE(59, "now");
        RELATIVE(-59, "now");
        RELATIVE(60, "in 1m");
        RELATIVE(-60, "1m ago");
        RELATIVE(90, "in 1m 30s");
        RELATIVE(2 * HOUR, "in 2h");
        RELATIVE(2 * HOUR - 1, "in 2h");                        /* rounded */
        RELATIVE(HOUR + 29 * MIN + 30, "in 1h 30m");
        RELATIVE(HOUR + 29 * MIN + 29, "in 1h 29m");
        RELATIVE(-HOUR, "1h ago");
        RELATIVE(-3 * DAY, "3d ago");
        RELATIVE(-(3 * DAY + 11 * HOUR + 45 * MIN), "3d 12h ago");
        RELATIVE(6 * DAY + 23 * HOUR + 40 * MIN, "in 1w");      /* carry */
        RELATIVE(10 * DAY + 13 * HOUR, "in 1w 4d");
        /* Under an hour the smallest shown unit is the second. */
        RELATIVE(59 * MIN + 59, "in 59m 59s");
        RELATIVE(-(23 * HOUR + 59 * MIN + 31), "1d ago");
        relative_format(INT64_MAX, INT64_MIN, buf, sizeof(buf));
        CHECK(strncmp(buf, "in ", 3) == 0, "relative_format(INT64_MAX, INT64_MIN) has no overflow");
        relative_format(INT64_MIN, INT64_MAX, buf, sizeof(buf));
        CHECK(strlen(buf) > 4 && strcmp(buf + strlen(buf) - 4, " ago") == 0,
              "relative_format(INT64_MIN, INT64_MAX) has no overflow");
        relative_format(0, 0, NULL, 0);
        CHECK(1, "relative_format(NULL, 0) writes nothing and survives");

        set_tz("Europe/Berlin");
        local_time_format(utc(2026, 11, 25, 13, 0, 0), buf, sizeof(buf));
        CHECK_STR(buf, "2026-11-25 14:00", "local_time_format Berlin winter");
        local_time_format(utc(2026, 11, 25, 13, 0, 5), buf, sizeof(buf));
        CHECK_STR(buf, "2026-11-25 14:00:05", "local_time_format shows non-zero seconds");
        local_time_format(utc(2026, 6, 10, 8, 0, 0), buf, sizeof(buf));
        CHECK_STR(buf, "2026-06-10 10:00", "local_time_format Berlin summer");
        local_time_format(utc(2026, 12, 31, 23, 30, 0), buf, sizeof(buf));
        CHECK_STR(buf, "2027-01-01 00:30", "local_time_format crosses the year");
        local_time_format(utc(2026, 11, 25, 13, 0, 0), buf, 11);
        CHECK_STR(buf, "2026-11-25", "local_time_format truncates to the buffer");
        local_time_format(INT64_MAX, buf, sizeof(buf));
        CHECK_STR(buf, "@9223372036854775807", "local_time_format of an unrepresentable instant");
        local_time_format(0, NULL, 0);
        CHECK(1, "local_time_format(NULL, 0) writes nothing and survives");
        set_tz("America/New_York");
        local_time_format(utc(2026, 11, 25, 13, 0, 0), buf, sizeof(buf));
        CHECK_STR(buf, "2026-11-25 08:00", "local_time_format New York");
        set_tz("UTC");
        local_time_format(0, buf, sizeof(buf));
        CHECK_STR(buf, "1970-01-01 00:00", "local_time_format epoch in UTC");
}

static bool valid_result(int r, int64_t got, bool duration) {
        if (r == 0)
                return duration ? got > 0 && got <= DURATION_MAX_SECONDS
                                : got >= 0 && got <= utc(10000, 1, 2, 0, 0, 0);
        return (r == -EINVAL || r == -ERANGE) && got == SENTINEL;
}

/* A small deterministic generator: the same "random" inputs every run. */
static uint32_t xorshift(uint32_t *state) {
        uint32_t x = *state;

        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        return *state = x;
}

static void test_bad_input(void) {
        const int64_t now = utc(2026, 6, 10, 8, 0, 0);
        static const char *const samples[] = {
                "2026-12-01T09:30:15+01:00", "2026-12-01 9:30pm", "next wednesday at 5pm",
                "tomorrow 9 am", "1 week 2 days 3 hours", "in 1h30m", "+ 45 minutes", "12:30am",
        };
        static const char alphabet[] = "0123456789:+- -tTzZamp nextodyurwhsfi\x01\x1b\x7f\xff\t\n";
        int64_t got;
        char *huge, text[TIMEPARSE_TEXT_MAX + 2];
        uint32_t state = 2463534242u;
        int bad, r;

        set_tz("Europe/Berlin");

        WHEN_ERR(NULL, now, -EINVAL);
        WHEN_ERR("", now, -EINVAL);
        WHEN_ERR(" \t\n ", now, -EINVAL);
        WHEN_ERR("tomorrow\x01", now, -EINVAL);
        WHEN_ERR("\x1b[31mtomorrow", now, -EINVAL);
        WHEN_ERR("tomorrow\n9am", now, -EINVAL);
        WHEN_ERR("tomorrow\x7f", now, -EINVAL);
        WHEN_ERR("tomorrow 9am\xc2\xa0", now, -EINVAL);
        WHEN_ERR("t\xc3\xb6morrow", now, -EINVAL);
        WHEN_ERR("tomorrow\xff", now, -EINVAL);
        WHEN_ERR("17:00; rm -rf /", now, -EINVAL);
        WHEN_ERR("%s%s%s%n", now, -EINVAL);
        WHEN_ERR("::::", now, -EINVAL);
        WHEN_ERR("+-+-", now, -EINVAL);
        WHEN_ERR("-", now, -EINVAL);
        WHEN_ERR("2026-", now, -EINVAL);
        WHEN_ERR("2026-12-", now, -EINVAL);
        WHEN_OK("\r\n\ttomorrow\r\n", now, utc(2026, 6, 11, 7, 0, 0));
        /* C strings end at NUL: what follows an embedded one is not seen. */
        WHEN_OK("tomorrow\0garbage", now, utc(2026, 6, 11, 7, 0, 0));

        CHECK_INT(when_parse("tomorrow", now, NULL), -EINVAL, "when_parse with NULL output is -EINVAL");

        /* Length: a mebibyte of digits (with and without a unit), of letters
         * and of spaces, then inputs right at and just past the limit. */
        huge = malloc((1 << 20) + 2);
        if (!huge) {
                CHECK(0, "malloc 1 MiB");
                return;
        }
        memset(huge, '9', 1 << 20);
        huge[1 << 20] = '\0';
        WHEN_ERR(huge, now, -EINVAL);
        DUR_ERR(huge, -EINVAL);
        huge[(1 << 20) - 1] = 'd';
        WHEN_ERR(huge, now, -EINVAL);
        DUR_ERR(huge, -EINVAL);
        memset(huge, 'a', 1 << 20);
        WHEN_ERR(huge, now, -EINVAL);
        memset(huge, ' ', 1 << 20);
        WHEN_ERR(huge, now, -EINVAL);
        free(huge);

        memset(text, ' ', TIMEPARSE_TEXT_MAX);
        memcpy(text + TIMEPARSE_TEXT_MAX - 3, "90m", 3);
        text[TIMEPARSE_TEXT_MAX] = '\0';
        WHEN_OK(text, now, now + 90 * MIN);
        DUR_OK(text, 90 * MIN);
        memmove(text + 1, text, TIMEPARSE_TEXT_MAX + 1);        /* one more leading space */
        WHEN_ERR(text, now, -EINVAL);
        DUR_ERR(text, -EINVAL);
        /* Long but bounded digit runs are range errors, not overflow. */
        memset(text, '9', 200);
        text[200] = 'd';
        text[201] = '\0';
        WHEN_ERR(text, now, -ERANGE);
        DUR_ERR(text, -ERANGE);

        /* Every prefix of valid inputs: an answer or a clean error. */
        bad = 0;
        for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
                for (size_t n = 0; n <= strlen(samples[i]); n++) {
                        snprintf(text, sizeof(text), "%.*s", (int) n, samples[i]);
                        got = SENTINEL;
                        r = when_parse(text, now, &got);
                        bad += !valid_result(r, got, false);
                        got = SENTINEL;
                        r = duration_parse(text, &got);
                        bad += !valid_result(r, got, true);
                }
        CHECK_INT(bad, 0, "every prefix of valid inputs parses or fails cleanly");

        /* Deterministic random strings over the grammar's own characters
         * plus control bytes; ASan and UBSan watch every one. */
        bad = 0;
        for (int i = 0; i < 50000; i++) {
                size_t len = xorshift(&state) % 40;

                for (size_t j = 0; j < len; j++)
                        text[j] = alphabet[xorshift(&state) % (sizeof(alphabet) - 1)];
                text[len] = '\0';
                got = SENTINEL;
                r = when_parse(text, (int64_t) (xorshift(&state) % 2000000000u), &got);
                bad += !valid_result(r, got, false);
                got = SENTINEL;
                r = duration_parse(text, &got);
                bad += !valid_result(r, got, true);
        }
        CHECK_INT(bad, 0, "50000 random strings parse or fail cleanly, output untouched on failure");
}

int main(void) {
        test_duration_parse();
        test_iso();
        test_day_words_and_clock();
        test_weekdays();
        test_relative();
        test_past();
        test_dst();
        test_local_midnight();
        test_formatting();
        test_bad_input();
        return tap_done();
}
