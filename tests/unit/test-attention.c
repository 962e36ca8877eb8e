/* SPDX-License-Identifier: MIT */
/* Quiet rules (quiet hours across midnight, weekend rules, a DST change),
 * the text of a digest, and the table of digests in flight. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attention.h"
#include "config.h"
#include "tap.h"
#include "text.h"

#define H 3600

/* Local wall time in TZ as Unix time (the hour must exist). */
static int64_t local(int y, int mo, int d, int h, int mi, int s) {
        struct tm tm = {
                .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                .tm_hour = h, .tm_min = mi, .tm_sec = s, .tm_isdst = -1,
        };
        return (int64_t) mktime(&tm);
}

static QuietRules nightly(void) {
        Config cfg;
        QuietRules q;
        config_defaults(&cfg);
        quiet_rules_from_config(&cfg, &q);
        CHECK_INT(quiet_until(&q, local(2026, 11, 25, 23, 0, 0)), 0, "by default no quiet hours");
        q.start = 21 * H;
        q.end = 8 * H;
        return q;
}

static void test_quiet_hours(void) {
        QuietRules q = nightly();

        /* Wednesday 25 November 2026. */
        CHECK_INT(quiet_until(&q, local(2026, 11, 25, 20, 59, 59)), 0, "20:59:59 is not quiet");
        CHECK_INT(quiet_until(&q, local(2026, 11, 25, 21, 0, 0)), local(2026, 11, 26, 8, 0, 0),
                  "21:00 is quiet until 08:00 tomorrow");
        CHECK_INT(quiet_until(&q, local(2026, 11, 25, 23, 30, 0)), local(2026, 11, 26, 8, 0, 0),
                  "23:30 is quiet until 08:00 tomorrow");
        CHECK_INT(quiet_until(&q, local(2026, 11, 26, 3, 0, 0)), local(2026, 11, 26, 8, 0, 0),
                  "after midnight: the window of the day before holds it");
        CHECK_INT(quiet_until(&q, local(2026, 11, 26, 7, 59, 59)), local(2026, 11, 26, 8, 0, 0),
                  "one second before the end");
        CHECK_INT(quiet_until(&q, local(2026, 11, 26, 8, 0, 0)), 0, "08:00 itself is free");

        /* A window within one day, to the second. */
        q.start = 12 * H + 30;
        q.end = 13 * H + 15;
        CHECK_INT(quiet_until(&q, local(2026, 11, 25, 12, 0, 30)), local(2026, 11, 25, 13, 0, 15),
                  "a lunch window with seconds");
        CHECK_INT(quiet_until(&q, local(2026, 11, 25, 12, 0, 29)), 0, "just before it");

        /* Until midnight (24:00 is stored as 0). */
        q.start = 22 * H;
        q.end = 0;
        CHECK_INT(quiet_until(&q, local(2026, 11, 25, 23, 0, 0)), local(2026, 11, 26, 0, 0, 0),
                  "22:00-24:00 ends at midnight");
        CHECK_INT(quiet_until(&q, local(2026, 11, 26, 0, 0, 0)), 0, "midnight is free");
}

static void test_weekends(void) {
        QuietRules q = nightly();
        q.weekend_days = (1u << 6) | (1u << 0);   /* Saturday, Sunday */

        /* 27 Nov 2026 is a Friday. */
        CHECK_INT(quiet_until(&q, local(2026, 11, 28, 10, 0, 0)), 0, "weekend = allow: Saturday 10:00 is free");
        CHECK_INT(quiet_until(&q, local(2026, 11, 27, 22, 0, 0)), local(2026, 11, 28, 8, 0, 0),
                  "Friday night ends Saturday 08:00");

        q.weekend_hold = true;
        CHECK_INT(quiet_until(&q, local(2026, 11, 28, 10, 0, 0)), local(2026, 11, 30, 8, 0, 0),
                  "weekend = hold: Saturday waits for Monday 08:00 (Sunday night's quiet hours)");
        CHECK_INT(quiet_until(&q, local(2026, 11, 27, 22, 0, 0)), local(2026, 11, 30, 8, 0, 0),
                  "Friday night runs into the held weekend");
        CHECK_INT(quiet_until(&q, local(2026, 11, 27, 20, 0, 0)), 0, "Friday evening before quiet hours is free");
        CHECK_INT(quiet_until(&q, local(2026, 11, 30, 9, 0, 0)), 0, "Monday 09:00 is free");

        /* A Friday/Saturday weekend. */
        q.weekend_days = (1u << 5) | (1u << 6);
        CHECK_INT(quiet_until(&q, local(2026, 11, 27, 10, 0, 0)), local(2026, 11, 29, 8, 0, 0),
                  "Friday/Saturday weekend: Friday waits for Sunday 08:00");

        /* Other hours on weekend days. */
        q.weekend_days = (1u << 6) | (1u << 0);
        q.weekend_hold = false;
        q.weekend_start = 23 * H;
        q.weekend_end = 10 * H;
        CHECK_INT(quiet_until(&q, local(2026, 11, 28, 9, 0, 0)), 0,
                  "Saturday 09:00: Friday's night ended at 08:00");
        CHECK_INT(quiet_until(&q, local(2026, 11, 28, 22, 0, 0)), 0, "Saturday 22:00: not yet quiet");
        CHECK_INT(quiet_until(&q, local(2026, 11, 29, 9, 0, 0)), local(2026, 11, 29, 10, 0, 0),
                  "Sunday 09:00: Saturday's night lasts until 10:00");
        CHECK_INT(quiet_until(&q, local(2026, 11, 29, 22, 0, 0)), 0, "Sunday 22:00 is not quiet yet");
        CHECK_INT(quiet_until(&q, local(2026, 11, 29, 23, 30, 0)), local(2026, 11, 30, 10, 0, 0),
                  "Sunday night (a weekend day's window) lasts until 10:00 Monday");
        q.weekend_start = q.weekend_end = 0;
        CHECK_INT(quiet_until(&q, local(2026, 11, 28, 22, 0, 0)), 0, "weekend_hours = off: no quiet hours then");
}

static void test_dst(void) {
        QuietRules q = nightly();

        /* Berlin springs forward on 29 March 2026 at 02:00, falls back on
         * 25 October 2026 at 03:00: the window keeps its wall times. */
        int64_t end = quiet_until(&q, local(2026, 3, 28, 22, 0, 0));
        CHECK_INT(end, local(2026, 3, 29, 8, 0, 0), "spring forward: still 08:00 local");
        CHECK_INT(end - local(2026, 3, 28, 22, 0, 0), 9 * H, "a 9-hour night (an hour lost)");
        end = quiet_until(&q, local(2026, 10, 24, 22, 0, 0));
        CHECK_INT(end, local(2026, 10, 25, 8, 0, 0), "fall back: still 08:00 local");
        CHECK_INT(end - local(2026, 10, 24, 22, 0, 0), 11 * H, "an 11-hour night (an hour gained)");
}

static void test_digest_text(void) {
        DigestItem items[70];
        char summary[64], body[4096];
        char long_text[400];

        items[0] = (DigestItem) { 12, "Write to Ana" };
        items[1] = (DigestItem) { 13, "Thank Bo for the intro" };
        items[2] = (DigestItem) { 20, "Coffee with Chen <b>&amp;</b>" };
        digest_format(items, 3, summary, sizeof summary, body, sizeof body);
        CHECK_STR(summary, "3 reminders", "the count in the title");
        CHECK_STR(body, "• Write to Ana (#12)\n• Thank Bo for the intro (#13)\n• Coffee with Chen <b>&amp;</b> (#20)",
                  "one line per reminder, as written (the notifier escapes markup)");

        /* A long text is cut at a character boundary. */
        size_t n = 0;
        while (n + strlen("é") < sizeof long_text - 1) {
                memcpy(long_text + n, "é", strlen("é"));
                n += strlen("é");
        }
        long_text[n] = '\0';
        items[0] = (DigestItem) { 1, long_text };
        digest_format(items, 2, summary, sizeof summary, body, sizeof body);
        CHECK(utf8_valid(body, strlen(body)), "cut texts stay valid UTF-8");
        CHECK(strstr(body, "…") != NULL, "a cut text ends in …");
        CHECK(strlen(body) < 400, "and is short");

        /* More than fits: "… and N more". */
        for (size_t i = 0; i < 70; i++)
                items[i] = (DigestItem) { (int64_t) i + 1, "Follow up with someone from the meetup" };
        char small[300];
        digest_format(items, 70, summary, sizeof summary, small, sizeof small);
        CHECK_STR(summary, "70 reminders", "70 in the title");
        CHECK(strstr(small, "more") != NULL, "the rest is counted");
        CHECK(strlen(small) < sizeof small, "fits its buffer");
        CHECK(utf8_valid(small, strlen(small)), "valid UTF-8");
        const char *more = strstr(small, "… and ");
        int lines = 0;
        for (const char *p = small; *p; p++)
                lines += *p == '\n';
        CHECK(more && atoi(more + strlen("… and ")) == 70 - lines, "N is exactly the reminders left out");

        digest_format(items, 1, summary, sizeof summary, body, sizeof body);
        CHECK_STR(summary, "1 reminder", "singular");
}

static void test_digest_table(void) {
        DigestTable t = {};
        int64_t members[3] = { 5, 6, 7 }, id, first = 0;
        size_t n;

        for (int i = 0; i < DIGESTS_KEPT + 1; i++) {
                CHECK_INT(digest_table_add(&t, members, 3, &id), 0, "add a digest");
                CHECK(digest_id_is(id), "digest ids are their own range");
                if (i == 0)
                        first = id;
        }
        CHECK_INT(t.n, DIGESTS_KEPT, "at most DIGESTS_KEPT are kept");
        CHECK(digest_table_get(&t, first, &n) == NULL, "the oldest was forgotten");
        const int64_t *m = digest_table_get(&t, id, &n);
        CHECK(m && n == 3 && m[0] == 5 && m[2] == 7, "the members of the newest");
        digest_table_remove(&t, id);
        CHECK(digest_table_get(&t, id, &n) == NULL, "removed");
        CHECK(!digest_id_is(-1) && !digest_id_is(42), "break notes and reminders are not digests");
        digest_table_clear(&t);
        CHECK_INT(t.n, 0, "cleared");

        /* Members done elsewhere leave their digests; an emptied one goes. */
        int64_t ab[2] = { 10, 11 }, bc[2] = { 11, 12 }, d_ab, d_bc, touched[DIGESTS_KEPT];
        CHECK_INT(digest_table_add(&t, ab, 2, &d_ab), 0, "digest of 10 and 11");
        CHECK_INT(digest_table_add(&t, bc, 2, &d_bc), 0, "digest of 11 and 12");
        CHECK_INT(digest_table_drop_member(&t, 11, touched, DIGESTS_KEPT), 2, "11 done: both digests held it");
        CHECK(touched[0] == d_ab && touched[1] == d_bc, "and both are named");
        m = digest_table_get(&t, d_ab, &n);
        CHECK(m && n == 1 && m[0] == 10, "the first digest keeps 10 only");
        m = digest_table_get(&t, d_bc, &n);
        CHECK(m && n == 1 && m[0] == 12, "the second keeps 12 only");
        CHECK_INT(digest_table_drop_member(&t, 99, touched, DIGESTS_KEPT), 0, "a non-member changes nothing");
        CHECK_INT(t.n, 2, "both digests still there");
        CHECK_INT(digest_table_drop_member(&t, 10, touched, DIGESTS_KEPT), 1, "10 done: one digest held it");
        CHECK_INT(touched[0], d_ab, "and it is the first");
        CHECK(digest_table_get(&t, d_ab, &n) == NULL, "an emptied digest is forgotten");
        CHECK(digest_table_get(&t, d_bc, &n) != NULL, "the other stays");
        digest_table_clear(&t);
}

int main(void) {
        setenv("TZ", "Europe/Berlin", 1);
        tzset();

        test_quiet_hours();
        test_weekends();
        test_dst();
        test_digest_text();
        test_digest_table();
        return tap_done();
}
