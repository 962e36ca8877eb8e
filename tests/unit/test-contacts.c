/* SPDX-License-Identifier: MIT */
/* The network: handle derivation, WHO resolution, cadence and due
 * computation, reconnect reminders, suggestion ranking, statistics and
 * weekly goals (people.c), and the store's people section on a temporary
 * database.  TZ is fixed and `now` passed in, so nothing depends on the
 * machine's zone or clock. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "people.h"
#include "store.h"
#include "tap.h"
#include "text.h"

#define DAY  INT64_C(86400)
#define HOUR INT64_C(3600)

static char tmpdir[] = "/tmp/netctl-test-contacts-XXXXXX";

static int64_t utc(int y, int mo, int d, int h, int mi, int s) {
        struct tm tm = {
                .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                .tm_hour = h, .tm_min = mi, .tm_sec = s,
        };
        return (int64_t) timegm(&tm);
}

static void set_tz(const char *tz) {
        setenv("TZ", tz, 1);
        tzset();
}

/* ---- people.c ---- */

static void check_handle(const char *name, const char *want) {
        char buf[PEOPLE_HANDLE_MAX + 16], what[200];
        people_handle_derive(name, buf, sizeof buf);
        snprintf(what, sizeof what, "handle of \"%s\" is \"%s\"", name, want);
        CHECK_STR(buf, want, what);
}

static void test_handles(void) {
        char buf[PEOPLE_HANDLE_MAX + 16];
        const char *reason;

        check_handle("Ana Lima", "ana-lima");
        check_handle("  Ana   Lima  ", "ana-lima");
        check_handle("José Müller", "jose-muller");
        check_handle("Søren Kierkegaard", "soren-kierkegaard");
        check_handle("Straße", "strasse");
        check_handle("Łukasz Żółć", "lukasz-zolc");
        check_handle("O'Brien, Mary-Kate", "o-brien-mary-kate");
        check_handle("Dr. Erika Mustermann (Acme)", "dr-erika-mustermann-acme");
        check_handle("Анна Петрова", "анна-петрова");
        check_handle("Ζωή", "ζωή");
        check_handle("李小龍", "李小龍");
        check_handle("Ana 🎉 Lima", "ana-lima");
        check_handle("e\xcc\x81mile", "emile");               /* combining acute dropped */
        check_handle("2024", "c-2024");                        /* ids look like that */
        check_handle("!!!", "contact");
        check_handle("", "contact");
        check_handle("Ana\xe2\x80\x94Lima", "ana-lima");       /* em dash is a separator */

        /* Long names are cut at a character boundary, no trailing '-'. */
        people_handle_derive("Maria-Josefina Alexandrina Constantinopla de la Santísima Trinidad "
                             "y Todos los Santos", buf, sizeof buf);
        CHECK(strlen(buf) <= PEOPLE_HANDLE_MAX, "a long name's handle is at most 64 bytes");
        CHECK(buf[strlen(buf) - 1] != '-', "and does not end in '-'");
        char many[400] = "";
        for (int i = 0; i < 40; i++)
                strcat(many, "ä");                              /* 2 bytes each, folds to 1 */
        strcat(many, " Ωmega");
        people_handle_derive(many, buf, sizeof buf);
        CHECK(strlen(buf) <= PEOPLE_HANDLE_MAX, "a folded long name fits");
        for (int i = 0; i < 20; i++)
                strcat(many, "Ж");                              /* 2 bytes each, kept */
        people_handle_derive(many, buf, sizeof buf);
        CHECK(strlen(buf) <= PEOPLE_HANDLE_MAX && utf8_valid(buf, strlen(buf)),
              "cutting a non-ASCII handle keeps it valid UTF-8");

        people_handle_candidate("ana-lima", 2, buf, sizeof buf);
        CHECK_STR(buf, "ana-lima-2", "second candidate gets -2");
        people_handle_candidate("ana-lima", 13, buf, sizeof buf);
        CHECK_STR(buf, "ana-lima-13", "thirteenth gets -13");
        char base[PEOPLE_HANDLE_MAX + 1];
        memset(base, 'x', PEOPLE_HANDLE_MAX);
        base[PEOPLE_HANDLE_MAX] = '\0';
        people_handle_candidate(base, 123, buf, sizeof buf);
        CHECK(strlen(buf) == PEOPLE_HANDLE_MAX && strcmp(buf + PEOPLE_HANDLE_MAX - 4, "-123") == 0,
              "a full-length base is cut to make room for the suffix");

        CHECK_INT(people_handle_check("ana-lima", NULL), 0, "ana-lima is a valid handle");
        CHECK_INT(people_handle_check("ana.lima_2", NULL), 0, "dots and underscores are fine");
        CHECK_INT(people_handle_check("анна", NULL), 0, "non-ASCII letters are fine");
        CHECK_INT(people_handle_check("", &reason), -EINVAL, "empty handle refused");
        CHECK_INT(people_handle_check("42", &reason), -EINVAL, "all-digit handle refused");
        CHECK_INT(people_handle_check("Ana", &reason), -EINVAL, "upper case refused");
        CHECK_STR(reason, "a handle is lower case", "and the reason says why");
        CHECK_INT(people_handle_check("ana lima", NULL), -EINVAL, "space refused");
        CHECK_INT(people_handle_check("ana@x", NULL), -EINVAL, "@ refused (e-mails look like that)");
        CHECK_INT(people_handle_check("-ana", NULL), -EINVAL, "leading dash refused");
        CHECK_INT(people_handle_check("ana\xc2\x85", NULL), -EINVAL, "C1 control refused");
        CHECK_INT(people_handle_check("an\xff", NULL), -EINVAL, "invalid UTF-8 refused");
        memset(buf, 'a', 65);
        buf[65] = '\0';
        CHECK_INT(people_handle_check(buf, NULL), -EINVAL, "65 bytes refused");

        CHECK_INT(people_tag_check("data", NULL), 0, "a tag");
        CHECK_INT(people_tag_check("data science", NULL), 0, "a tag with a space");
        CHECK_INT(people_tag_check("a,b", NULL), -EINVAL, "a comma is refused in a tag");
        CHECK_INT(people_tag_check("", NULL), -EINVAL, "an empty tag is refused");
        CHECK_INT(people_tag_check("x\ty", NULL), -EINVAL, "a tab is refused in a tag");
        memset(buf, 't', 65);
        buf[65] = '\0';
        CHECK_INT(people_tag_check(buf, NULL), -E2BIG, "a 65-byte tag is too long");
}

static void test_matching(void) {
        char space[64], dash[64];
        int64_t id = 0;

        CHECK_INT(people_who_kind("12", &id), PEOPLE_WHO_ID, "12 is an id");
        CHECK_INT(id, 12, "and its value");
        CHECK_INT(people_who_kind("#7", &id), PEOPLE_WHO_ID, "#7 is an id");
        CHECK_INT(id, 7, "and its value");
        CHECK_INT(people_who_kind("ana@example.org", NULL), PEOPLE_WHO_EMAIL, "an e-mail");
        CHECK_INT(people_who_kind("ana", NULL), PEOPLE_WHO_NAME, "a name");
        CHECK_INT(people_who_kind("c-2024", NULL), PEOPLE_WHO_NAME, "a handle");
        CHECK_INT(people_who_kind("99999999999999999999", NULL), PEOPLE_WHO_NAME,
                  "a number too large for an id is a name");

        people_fold("JOSÉ  müller", ' ', space, sizeof space);
        CHECK_STR(space, "jose muller", "fold: case, diacritics and spaces");
        people_fold("jose", ' ', space, sizeof space);
        people_fold("jose", '-', dash, sizeof dash);
        CHECK_INT(people_name_match(space, dash, "jose-muller", "José Müller"), 1, "jose is a prefix");
        people_fold("José Müller", ' ', space, sizeof space);
        people_fold("José Müller", '-', dash, sizeof dash);
        CHECK_INT(people_name_match(space, dash, "jm", "José Müller"), 2, "the full name matches exactly");
        people_fold("jm", ' ', space, sizeof space);
        people_fold("jm", '-', dash, sizeof dash);
        CHECK_INT(people_name_match(space, dash, "jm", "José Müller"), 2, "the handle matches exactly");
        people_fold("muller", ' ', space, sizeof space);
        people_fold("muller", '-', dash, sizeof dash);
        CHECK_INT(people_name_match(space, dash, "jm", "José Müller"), 0, "a last name alone does not");
        people_fold("ана", ' ', space, sizeof space);
        people_fold("ана", '-', dash, sizeof dash);
        CHECK_INT(people_name_match(space, dash, "anna", "Анна"), 0, "ана is not a prefix of Анна");
        people_fold("АН", ' ', space, sizeof space);
        people_fold("АН", '-', dash, sizeof dash);
        CHECK_INT(people_name_match(space, dash, "anna", "Анна"), 1, "Cyrillic case is folded");
        CHECK_INT(people_name_match("", "", "anna", "Anna"), 0, "an empty query matches nothing");

        CHECK(people_got_is_lead("lead: data role at Acme"), "\"lead: ...\" is a lead");
        CHECK(people_got_is_lead("  Lead - referral"), "\"Lead - ...\" is a lead");
        CHECK(people_got_is_lead("LEAD data role"), "\"LEAD ...\" is a lead");
        CHECK(!people_got_is_lead("leadership advice"), "\"leadership\" is not");
        CHECK(!people_got_is_lead("a lead"), "only a leading word counts");
        CHECK(!people_got_is_lead(NULL), "NULL is not");
        CHECK(people_kind_valid("coffee") && people_kind_valid("intro"), "kinds are known");
        CHECK(!people_kind_valid("lunch") && !people_kind_valid(NULL), "others are not");
}

static void test_cadence(void) {
        set_tz("UTC");
        CHECK_INT(people_effective_cadence(false, 0, 90 * DAY), 90 * DAY, "weak tie: the default");
        CHECK_INT(people_effective_cadence(false, 0, 0), PEOPLE_DEFAULT_WEAK_CADENCE,
                  "weak tie, unusable default: 90 days");
        CHECK_INT(people_effective_cadence(true, 0, 90 * DAY), 0, "strong tie: none by default");
        CHECK_INT(people_effective_cadence(true, 14 * DAY, 90 * DAY), 14 * DAY, "strong tie with one set");
        CHECK_INT(people_effective_cadence(false, 30 * DAY, 90 * DAY), 30 * DAY, "weak tie with one set");
        CHECK_INT(people_effective_cadence(false, PEOPLE_CADENCE_OFF, 90 * DAY), 0, "switched off");

        CHECK_INT(people_cadence_base(100, 0, 0), 100, "base: creation");
        CHECK_INT(people_cadence_base(100, 0, 50), 100, "an older interaction does not move it");
        CHECK_INT(people_cadence_base(100, 0, 300), 300, "a later interaction does");
        CHECK_INT(people_cadence_base(100, 500, 300), 500, "a restart (skip) does");

        int64_t base = utc(2026, 3, 1, 21, 30, 0);
        CHECK_INT(people_reconnect_due(base, 90 * DAY), utc(2026, 5, 30, 9, 0, 0),
                  "due: base + 90 days, at 09:00 that day");
        CHECK_INT(people_reconnect_due(base, 0), 0, "no cadence: never due");
        CHECK_INT(people_reconnect_due(INT64_MAX - 5, DAY), INT64_MAX, "no overflow");
        set_tz("Europe/Berlin");
        CHECK_INT(people_reconnect_due(utc(2026, 3, 1, 12, 0, 0), 28 * DAY), utc(2026, 3, 29, 7, 0, 0),
                  "09:00 local on the spring-forward day (07:00 UTC, CEST)");
        CHECK_INT(people_reconnect_due(utc(2026, 6, 30, 23, 30, 0), DAY), utc(2026, 7, 2, 7, 0, 0),
                  "the local day counts, not the UTC one");
        set_tz("UTC");

        char buf[64];
        int64_t now = utc(2026, 6, 10, 12, 0, 0);
        people_ago_phrase(now - 3600, now, buf, sizeof buf);
        CHECK_STR(buf, "today", "an hour ago is today");
        people_ago_phrase(now - DAY - 10, now, buf, sizeof buf);
        CHECK_STR(buf, "yesterday", "a day ago is yesterday");
        people_ago_phrase(now - 94 * DAY, now, buf, sizeof buf);
        CHECK_STR(buf, "94 days ago", "94 days ago");
        people_ago_phrase(now - 800 * DAY, now, buf, sizeof buf);
        CHECK_STR(buf, "2 years ago", "800 days is 2 years ago");
        people_ago_phrase(now + DAY, now, buf, sizeof buf);
        CHECK_STR(buf, "today", "a future instant reads today");

        people_cadence_phrase(90 * DAY, buf, sizeof buf);
        CHECK_STR(buf, "90 days", "90 days");
        people_cadence_phrase(14 * DAY, buf, sizeof buf);
        CHECK_STR(buf, "2 weeks", "14 days read as 2 weeks");
        people_cadence_phrase(7 * DAY, buf, sizeof buf);
        CHECK_STR(buf, "1 week", "a week");
        people_cadence_phrase(DAY, buf, sizeof buf);
        CHECK_STR(buf, "1 day", "a day");
}

static void test_summary(void) {
        int64_t now = utc(2026, 6, 10, 12, 0, 0);
        char buf[256];
        PeopleHistory h = {
                .name = "Ana Lima", .created = now - 200 * DAY, .last_at = now - 94 * DAY,
                .last_kind = "coffee", .n_leads = 1, .n_gave = 1, .n_got = 1,
        };

        set_tz("UTC");
        people_reconnect_summary(&h, now, buf, sizeof buf);
        CHECK_STR(buf, "Reconnect with Ana Lima (last: coffee, 94 days ago; you got a lead from them)",
                  "the reminder names the last contact and the lead");
        h.n_leads = 3;
        people_reconnect_summary(&h, now, buf, sizeof buf);
        CHECK_STR(buf, "Reconnect with Ana Lima (last: coffee, 94 days ago; you got 3 leads from them)",
                  "several leads");
        h.n_leads = 0;
        people_reconnect_summary(&h, now, buf, sizeof buf);
        CHECK_STR(buf, "Reconnect with Ana Lima (last: coffee, 94 days ago; you have helped each other)",
                  "gave and got");
        h.n_gave = 0;
        people_reconnect_summary(&h, now, buf, sizeof buf);
        CHECK_STR(buf, "Reconnect with Ana Lima (last: coffee, 94 days ago; they helped you before)", "got");
        h.n_got = 0;
        h.n_gave = 2;
        people_reconnect_summary(&h, now, buf, sizeof buf);
        CHECK_STR(buf, "Reconnect with Ana Lima (last: coffee, 94 days ago; you helped them before)", "gave");
        h.n_gave = 0;
        people_reconnect_summary(&h, now, buf, sizeof buf);
        CHECK_STR(buf, "Reconnect with Ana Lima (last: coffee, 94 days ago)", "nothing traded");
        h.last_at = 0;
        h.created = now - 92 * DAY;
        h.met = "PyData Berlin meetup";
        people_reconnect_summary(&h, now, buf, sizeof buf);
        CHECK_STR(buf, "Reconnect with Ana Lima (added 92 days ago; met: PyData Berlin meetup)",
                  "never contacted: where we met");
        h.met = NULL;
        people_reconnect_summary(&h, now, buf, sizeof buf);
        CHECK_STR(buf, "Reconnect with Ana Lima (added 92 days ago; nothing logged yet)",
                  "never contacted, nothing known");
        CHECK(!strstr(buf, "neglect"), "the wording is kind");

        /* A kilobyte of "met" is cut to 80 bytes; tiny buffers stay UTF-8. */
        char met[1025];
        for (int i = 0; i < 512; i++)
                memcpy(met + 2 * i, "é", 2);
        met[1024] = '\0';
        h.met = met;
        char big[1024];
        people_reconnect_summary(&h, now, big, sizeof big);
        CHECK(strlen(big) < 200 && strstr(big, "...)") && utf8_valid(big, strlen(big)),
              "a long met text is shortened, at a character boundary");
        h.name = "Ζωή Παπαδοπούλου";
        bool valid = true;
        for (size_t size = 1; size < 60; size++) {
                char small[64];
                people_reconnect_summary(&h, now, small, size);
                valid = valid && strlen(small) < size && utf8_valid(small, strlen(small));
        }
        CHECK(valid, "a summary cut to any buffer size is valid UTF-8");
}

static void test_suggest(void) {
        int64_t now = utc(2026, 6, 10, 12, 0, 0);
        PeopleCandidate c[] = {
                /* id, strong, never, due, created, cadence */
                { .id = 1, .strong = true, .due = now - 30 * DAY, .created = now - 400 * DAY,
                  .effective_cadence = 30 * DAY, .history = { .name = "Strong overdue 30d" } },
                { .id = 2, .due = now - 4 * DAY, .created = now - 200 * DAY, .effective_cadence = 90 * DAY,
                  .history = { .name = "Weak overdue 4d", .last_at = now - 94 * DAY, .last_kind = "coffee",
                               .n_leads = 1 } },
                { .id = 3, .due = now + 10 * DAY, .created = now - 200 * DAY, .effective_cadence = 90 * DAY,
                  .history = { .name = "Weak not due", .last_at = now - 80 * DAY, .last_kind = "call" } },
                { .id = 4, .never = true, .due = now + 80 * DAY, .created = now - 10 * DAY,
                  .effective_cadence = 90 * DAY, .history = { .name = "Weak new", .met = "PyData" } },
                { .id = 5, .due = now - 40 * DAY, .created = now - 300 * DAY, .effective_cadence = 90 * DAY,
                  .history = { .name = "Weak overdue 40d", .last_at = now - 130 * DAY, .last_kind = "email" } },
                { .id = 6, .strong = true, .never = true, .due = 0, .created = now - 5 * DAY,
                  .history = { .name = "Strong new, no cadence" } },
                { .id = 7, .strong = true, .due = 0, .created = now - 500 * DAY,
                  .history = { .name = "Strong no cadence", .last_at = now - 300 * DAY } },
                { .id = 8, .due = now - 4 * DAY, .created = now - 200 * DAY, .effective_cadence = 30 * DAY,
                  .history = { .name = "Weak overdue 4d, later id", .last_at = now - 34 * DAY,
                               .last_kind = "message" } },
        };
        size_t n = people_suggest_rank(c, ELEMENTSOF(c), now);
        int64_t want[] = { 5, 2, 8, 4, 1, 6 };

        CHECK_INT(n, ELEMENTSOF(want), "six are due or never contacted");
        bool same = n == ELEMENTSOF(want);
        for (size_t i = 0; same && i < n; i++)
                same = c[i].id == want[i];
        if (!same)
                for (size_t i = 0; i < n; i++)
                        printf("#   rank %zu: id %lld\n", i, (long long) c[i].id);
        CHECK(same, "weak ties first, most overdue first, never-contacted after due ones, then strong");

        char buf[256];
        set_tz("UTC");
        people_suggest_reason(&c[1], now, buf, sizeof buf);
        CHECK_STR(buf, "last: coffee, 94 days ago; keep in touch every 90 days; you got a lead from them",
                  "a reason for a due weak tie");
        people_suggest_reason(&c[3], now, buf, sizeof buf);
        CHECK_STR(buf, "added 10 days ago (met: PyData), nothing logged yet: say hello",
                  "a reason for someone never contacted");
        people_suggest_reason(&c[5], now, buf, sizeof buf);
        CHECK_STR(buf, "added 5 days ago, nothing logged yet: say hello", "and without a meeting place");

        CHECK_INT(people_suggest_rank(NULL, 0, now), 0, "nobody: nothing to suggest");
}

static void test_stats(void) {
        int64_t bounds[4] = { 1000, 2000, 3000, 4000 };
        PeopleWeek weeks[3];
        int64_t last[3];
        PeopleStats st;

        CHECK_INT(people_week_index(bounds, 3, 999), -1, "before the range");
        CHECK_INT(people_week_index(bounds, 3, 1000), 0, "the first instant is in week 0");
        CHECK_INT(people_week_index(bounds, 3, 2999), 1, "the last instant of week 1");
        CHECK_INT(people_week_index(bounds, 3, 3000), 2, "week 2 starts at its bound");
        CHECK_INT(people_week_index(bounds, 3, 4000), -1, "the end bound is outside");

        CHECK_INT(people_stats_init(&st, weeks, last, bounds, 4), 0, "four bounds are three weeks");
        CHECK_INT(st.n_weeks, 3, "three weeks");
        CHECK_INT(weeks[2].start, 3000, "starts are set");

        /* Contact 1 (weak) twice in week 0 and once in week 1; contact 2
         * (strong) in week 0; contact 3 (weak) in week 0; one outside. */
        people_stats_add_interaction(&st, 1, false, 1100, true, false, false);
        people_stats_add_interaction(&st, 1, false, 1200, false, true, true);
        people_stats_add_interaction(&st, 1, false, 2500, false, false, false);
        people_stats_add_interaction(&st, 2, true, 1300, true, true, false);
        people_stats_add_interaction(&st, 3, false, 1400, false, false, false);
        people_stats_add_interaction(&st, 3, false, 5000, true, true, true);
        people_stats_add_contact(&st, 1500);
        people_stats_add_contact(&st, 3500);
        people_stats_add_contact(&st, 50);

        CHECK_INT(weeks[0].interactions, 4, "week 0: four interactions");
        CHECK_INT(weeks[0].weak, 3, "three with weak ties");
        CHECK_INT(weeks[0].strong, 1, "one with a strong tie");
        CHECK_INT(weeks[0].weak_people, 2, "two distinct weak ties reached");
        CHECK_INT(weeks[0].gave, 2, "gave twice");
        CHECK_INT(weeks[0].got, 2, "got twice");
        CHECK_INT(weeks[0].leads, 1, "one lead");
        CHECK_INT(weeks[0].new_contacts, 1, "one contact added");
        CHECK_INT(weeks[1].interactions, 1, "week 1: one");
        CHECK_INT(weeks[1].weak_people, 1, "one weak tie reached");
        CHECK_INT(weeks[2].interactions, 0, "week 2: none");
        CHECK_INT(weeks[2].new_contacts, 1, "but a contact added");

        int64_t bad[3] = { 1000, 1000, 2000 };
        CHECK_INT(people_stats_init(&st, weeks, last, bad, 3), -EINVAL, "bounds must ascend");
        int64_t wide[2] = { 0, 9 * DAY };
        CHECK_INT(people_stats_init(&st, weeks, last, wide, 2), -EINVAL, "a bucket is at most 8 days");
        CHECK_INT(people_stats_init(&st, weeks, last, bounds, 1), -EINVAL, "one bound is no week");
        CHECK_INT(people_stats_init(&st, weeks, last, bounds, PEOPLE_STATS_WEEKS_MAX + 2), -E2BIG,
                  "too many weeks");
}

static void test_goals(void) {
        PeopleGoals g = { .weak_reconnects = 3, .new_contacts = 1, .given = 1 };
        PeopleProgress p = { .weak_reconnects = 1, .new_contacts = 0, .given = 1 };
        int64_t week = 7 * DAY;
        char buf[512];

        CHECK_INT(people_goals_nudge(&g, &p, DAY, week, buf, sizeof buf), 0,
                  "a day into the week nobody is behind");
        CHECK_STR(buf, "", "and nothing is said");
        CHECK_INT(people_goals_nudge(&g, &p, 3 * DAY, week, buf, sizeof buf), 0,
                  "three days in: 1 of 3 reconnects is on pace (floor 3*3/7 = 1)");
        CHECK_INT(people_goals_nudge(&g, &p, 5 * DAY, week, buf, sizeof buf), 1,
                  "five days in: 1 of 3 is behind (floor 15/7 = 2)");
        CHECK_STR(buf, "This week so far: 1 of 3 weak-tie reconnects. One short message is a fine "
                  "start: netctl suggest has ideas.", "one gentle sentence");
        CHECK_INT(people_goals_nudge(&g, &p, week, week, buf, sizeof buf), 1, "the whole week: behind");
        CHECK_STR(buf, "This week so far: 1 of 3 weak-tie reconnects and no new contact yet (goal: 1). "
                  "One short message is a fine start: netctl suggest has ideas.", "two goals behind");
        p = (PeopleProgress) {};
        CHECK_INT(people_goals_nudge(&g, &p, week, week, buf, sizeof buf), 1, "nothing done");
        CHECK_STR(buf, "This week so far: no weak-tie reconnect yet (goal: 3), no new contact yet "
                  "(goal: 1) and nothing given yet (goal: 1). One short message is a fine start: "
                  "netctl suggest has ideas.", "three goals behind");
        CHECK(!strstr(buf, "neglect") && !strstr(buf, "fail"), "the wording is kind");
        p = (PeopleProgress) { .weak_reconnects = 5, .new_contacts = 1, .given = 2 };
        CHECK_INT(people_goals_nudge(&g, &p, week, week, buf, sizeof buf), 0, "goals met: no nudge");
        PeopleGoals off = {};
        p = (PeopleProgress) {};
        CHECK_INT(people_goals_nudge(&off, &p, week, week, buf, sizeof buf), 0, "goals of 0 are off");
        CHECK_INT(people_goals_nudge(&g, &p, -5, week, buf, sizeof buf), 0, "before the week: not behind");
}

/* ---- the store ---- */

static Store *open_store(const char *name) {
        char path[512], err[512];
        Store *s = NULL;
        snprintf(path, sizeof path, "%s/%s", tmpdir, name);
        if (store_open(path, err, sizeof err, &s) < 0) {
                printf("# store_open: %s\n", err);
                return NULL;
        }
        return s;
}

static int64_t add_contact(Store *s, const char *name, const char *email, int strong, int64_t cadence,
                           int64_t now) {
        ContactChanges c = CONTACT_CHANGES_NONE;
        const char *emails[1] = { email };
        int64_t id = 0;
        c.name = name;
        c.strong = strong;
        if (cadence != CONTACT_CADENCE_UNCHANGED)
                c.cadence = cadence;
        if (email) {
                c.add_emails = emails;
                c.n_add_emails = 1;
        }
        int r = store_contact_add(s, &c, 90 * DAY, now, &id, NULL);
        if (r < 0)
                printf("# add %s: %d %s\n", name, r, store_last_error(s));
        return id;
}

static int64_t log_at(Store *s, int64_t contact, const char *kind, int64_t at, const char *gave,
                      const char *got, int64_t now, ReconnectChange *change) {
        InteractionNew in = { .kind = kind, .at = at, .gave = gave, .got = got,
                              .lead = people_got_is_lead(got) };
        int64_t id = 0;
        int r = store_interaction_add(s, contact, &in, 90 * DAY, now, &id, change);
        if (r < 0)
                printf("# log: %d %s\n", r, store_last_error(s));
        return id;
}

static int count_cb(const Contact *c, void *userdata) {
        (*(int *) userdata)++;
        return 0;
}

static int followup_count_cb(const Followup *f, void *userdata) {
        (*(int *) userdata)++;
        return 0;
}

static void test_store_contacts(void) {
        int64_t now = utc(2026, 6, 10, 12, 0, 0), id, ana, sousa, bo, id2;
        Contact c = {};
        ContactChanges ch;
        int r, n;

        set_tz("UTC");
        Store *s = open_store("contacts.db");
        CHECK(s, "opens a database");
        if (!s)
                return;

        /* Add, with everything. */
        const char *emails[] = { "ana@example.org", "ana.lima@acme.example" };
        const char *tags[] = { "data", "berlin", "Data" };
        ch = CONTACT_CHANGES_NONE;
        ch.name = "Ana Lima";
        ch.org = "Acme";
        ch.met = "PyData Berlin meetup";
        ch.note = "Works on the data platform.\nLikes climbing.";
        ch.add_emails = emails;
        ch.n_add_emails = 2;
        ch.add_tags = tags;
        ch.n_add_tags = 3;
        ReconnectChange change = {};
        CHECK_INT(store_contact_add(s, &ch, 90 * DAY, now, &ana, &change), 0, "adds Ana Lima");
        CHECK(change.scheduled_id > 0 && change.scheduled_new, "and schedules her reconnect");
        CHECK_INT(store_contact_get(s, ana, &c), 0, "reads her back");
        CHECK_STR(c.handle, "ana-lima", "handle derived from the name");
        CHECK_STR(c.org, "Acme", "org");
        CHECK_STR(c.met, "PyData Berlin meetup", "met");
        CHECK_INT(c.n_emails, 2, "two e-mails");
        CHECK_STR(c.emails[0], "ana@example.org", "in the order given");
        CHECK_INT(c.n_tags, 2, "tags are unique ignoring case");
        CHECK(!c.strong, "weak by default");
        CHECK_INT(c.cadence, PEOPLE_CADENCE_DEFAULT, "default cadence");
        CHECK_INT(c.reconnect_due, utc(2026, 9, 8, 9, 0, 0), "reconnect due 90 days on, 09:00");
        CHECK_INT(c.reconnect_id, change.scheduled_id, "the reminder is the one scheduled");
        CHECK_INT(c.n_interactions, 0, "nothing logged");
        contact_clear(&c);

        Followup f = {};
        CHECK_INT(store_followup_get(s, change.scheduled_id, &f), 0, "the reconnect row exists");
        CHECK_STR(f.kind, "reconnect", "of kind reconnect");
        CHECK_STR(f.text, "Reconnect with Ana Lima", "with a plain text");
        CHECK_STR(f.contact, "ana-lima", "naming her");
        followup_clear(&f);

        /* Uniqueness. */
        sousa = add_contact(s, "Ana Sousa", "ana.sousa@example.org", 0, CONTACT_CADENCE_UNCHANGED, now);
        id2 = add_contact(s, "Ana Lima", NULL, 0, CONTACT_CADENCE_UNCHANGED, now);
        CHECK_INT(store_contact_get(s, id2, &c), 0, "a second Ana Lima");
        CHECK_STR(c.handle, "ana-lima-2", "gets ana-lima-2");
        contact_clear(&c);
        const char *dup[] = { "ANA@example.org" };
        ch = CONTACT_CHANGES_NONE;
        ch.name = "Someone";
        ch.add_emails = dup;
        ch.n_add_emails = 1;
        r = store_contact_add(s, &ch, 90 * DAY, now, &id, NULL);
        CHECK_INT(r, -EEXIST, "an e-mail taken (in another case) is refused");
        CHECK(strstr(store_last_error(s), "Ana Lima (ana-lima)"), "naming who has it");
        ch = CONTACT_CHANGES_NONE;
        ch.name = "Someone";
        ch.handle = "ana-sousa";
        CHECK_INT(store_contact_add(s, &ch, 90 * DAY, now, &id, NULL), -EEXIST, "a taken handle is refused");
        n = 0;
        store_contact_list(s, NULL, count_cb, &n);
        CHECK_INT(n, 3, "and nothing was added by the refused requests");

        bo = add_contact(s, "Bo Chen", NULL, 1, CONTACT_CADENCE_UNCHANGED, now);
        CHECK_INT(store_contact_get(s, bo, &c), 0, "a strong tie");
        CHECK_INT(c.reconnect_id, 0, "has no reconnect reminder");
        contact_clear(&c);

        /* WHO resolution. */
        CHECK_INT(store_contact_resolve(s, "1", &id), 0, "by id");
        CHECK_INT(id, ana, "is Ana");
        CHECK_INT(store_contact_resolve(s, "#4", &id), 0, "by #id");
        CHECK_INT(id, bo, "is Bo");
        CHECK_INT(store_contact_resolve(s, "99", &id), -ENOENT, "an unknown id");
        CHECK_INT(store_contact_resolve(s, "ana-lima", &id), 0, "by handle");
        CHECK_INT(id, ana, "is Ana");
        CHECK_INT(store_contact_resolve(s, "Ana-Lima-2", &id), 0, "by handle in another case");
        CHECK_INT(id, id2, "is the second Ana");
        CHECK_INT(store_contact_resolve(s, "Ana.Lima@ACME.example", &id), 0, "by e-mail, any case");
        CHECK_INT(id, ana, "is Ana");
        CHECK_INT(store_contact_resolve(s, "nobody@example.org", &id), -ENOENT, "an unknown e-mail");
        CHECK_INT(store_contact_resolve(s, "bo", &id), 0, "by name prefix");
        CHECK_INT(id, bo, "is Bo");
        CHECK_INT(store_contact_resolve(s, "ana s", &id), 0, "by a longer prefix");
        CHECK_INT(id, sousa, "is Ana Sousa");
        CHECK_INT(store_contact_resolve(s, "ana", &id), -ENOTUNIQ, "an ambiguous prefix");
        CHECK(strstr(store_last_error(s), "matches 3 contacts") &&
              strstr(store_last_error(s), "ana-sousa (Ana Sousa)"), "lists the candidates");
        CHECK_INT(store_contact_resolve(s, "Ana Lima", &id), -ENOTUNIQ, "two people of the same name");
        CHECK_INT(store_contact_resolve(s, "zed", &id), -ENOENT, "no match");
        CHECK(strstr(store_last_error(s), "no contact matches \"zed\""), "says so");

        /* Edit. */
        ch = CONTACT_CHANGES_NONE;
        ch.name = "Ana Lima-Sousa";
        ch.org = "";
        const char *rm_email[] = { "ana.lima@acme.example" };
        const char *add_email[] = { "ana@new.example" };
        const char *rm_tag[] = { "BERLIN" };
        ch.remove_emails = rm_email;
        ch.n_remove_emails = 1;
        ch.add_emails = add_email;
        ch.n_add_emails = 1;
        ch.remove_tags = rm_tag;
        ch.n_remove_tags = 1;
        change = (ReconnectChange) {};
        CHECK_INT(store_contact_edit(s, ana, &ch, 90 * DAY, now + 10, &change), 0, "edits Ana");
        CHECK_INT(store_contact_get(s, ana, &c), 0, "reads her back");
        CHECK_STR(c.name, "Ana Lima-Sousa", "new name");
        CHECK_STR(c.handle, "ana-lima", "the handle stays");
        CHECK(c.org == NULL, "org cleared");
        CHECK_INT(c.n_emails, 2, "one e-mail out, one in");
        CHECK_STR(c.emails[1], "ana@new.example", "the new one");
        CHECK_INT(c.n_tags, 1, "a tag removed, ignoring case");
        CHECK_INT(c.reconnect_due, utc(2026, 9, 8, 9, 0, 0), "a rename does not move the reminder");
        contact_clear(&c);
        CHECK_INT(store_followup_get(s, change.scheduled_id, &f), 0, "the reminder was renamed");
        CHECK_STR(f.text, "Reconnect with Ana Lima-Sousa", "to the new name");
        followup_clear(&f);

        ch = CONTACT_CHANGES_NONE;
        ch.remove_emails = rm_email;
        ch.n_remove_emails = 1;
        ch.name = "Not applied";
        CHECK_INT(store_contact_edit(s, ana, &ch, 90 * DAY, now, NULL), -ENOENT,
                  "removing an e-mail she does not have fails");
        CHECK_INT(store_contact_get(s, ana, &c), 0, "and changes nothing");
        CHECK_STR(c.name, "Ana Lima-Sousa", "the name stayed");
        contact_clear(&c);

        ch = CONTACT_CHANGES_NONE;
        ch.handle = "ana-sousa";
        CHECK_INT(store_contact_edit(s, ana, &ch, 90 * DAY, now, NULL), -EEXIST, "a taken handle");
        ch.handle = "ana";
        CHECK_INT(store_contact_edit(s, ana, &ch, 90 * DAY, now, NULL), 0, "a free handle");
        CHECK_INT(store_contact_resolve(s, "ana", &id), 0, "an exact handle beats prefixes");
        CHECK_INT(id, ana, "is Ana");

        /* Cadence changes move the reminder. */
        ch = CONTACT_CHANGES_NONE;
        ch.cadence = 30 * DAY;
        change = (ReconnectChange) {};
        CHECK_INT(store_contact_edit(s, ana, &ch, 90 * DAY, now, &change), 0, "a 30-day cadence");
        CHECK(change.scheduled_id > 0 && !change.scheduled_new, "moves the existing reminder");
        CHECK_INT(store_contact_get(s, ana, &c), 0, "reads her back");
        CHECK_INT(c.reconnect_due, utc(2026, 7, 10, 9, 0, 0), "now due 30 days after creation");
        contact_clear(&c);
        ch.cadence = PEOPLE_CADENCE_OFF;
        change = (ReconnectChange) {};
        CHECK_INT(store_contact_edit(s, ana, &ch, 90 * DAY, now, &change), 0, "cadence off");
        CHECK(change.withdrawn_id > 0 && change.withdrawn_deleted, "withdraws the unfired reminder");
        CHECK_INT(store_contact_get(s, ana, &c), 0, "reads her back");
        CHECK_INT(c.cadence, PEOPLE_CADENCE_OFF, "off is stored");
        CHECK_INT(c.reconnect_id, 0, "no reminder");
        contact_clear(&c);
        ch.cadence = PEOPLE_CADENCE_DEFAULT;
        CHECK_INT(store_contact_edit(s, ana, &ch, 90 * DAY, now, NULL), 0, "back to the default");
        ch = CONTACT_CHANGES_NONE;
        ch.strong = 1;
        CHECK_INT(store_contact_edit(s, ana, &ch, 90 * DAY, now, NULL), 0, "a strong tie now");
        CHECK_INT(store_contact_get(s, ana, &c), 0, "reads her back");
        CHECK(c.strong && c.reconnect_id == 0, "strong with the default: no reminder");
        contact_clear(&c);
        ch.strong = 0;
        CHECK_INT(store_contact_edit(s, ana, &ch, 90 * DAY, now, NULL), 0, "weak again");

        /* Lists. */
        ContactFilter filter = { .strong = 1 };
        n = 0;
        store_contact_list(s, &filter, count_cb, &n);
        CHECK_INT(n, 1, "one strong tie");
        filter = (ContactFilter) { .strong = -1, .tag = "DATA" };
        n = 0;
        store_contact_list(s, &filter, count_cb, &n);
        CHECK_INT(n, 1, "one tagged data, ignoring case");

        /* Remove: refused with history, archive, force. */
        log_at(s, sousa, "coffee", now - DAY, NULL, NULL, now, NULL);
        CHECK_INT(store_contact_remove(s, sousa, CONTACT_REMOVE, now, NULL, NULL), -ENOTEMPTY,
                  "removing someone with history is refused");
        CHECK(strstr(store_last_error(s), "1 logged interaction"), "saying why");
        CHECK_INT(store_contact_get(s, sousa, &c), 0, "she is still there");
        contact_clear(&c);
        change = (ReconnectChange) {};
        CHECK_INT(store_contact_remove(s, sousa, CONTACT_REMOVE_ARCHIVE, now, NULL, &change), 0, "archive");
        CHECK(change.withdrawn_id > 0, "archiving withdraws her reminder");
        CHECK_INT(store_contact_remove(s, sousa, CONTACT_REMOVE_ARCHIVE, now, NULL, NULL), -EALREADY,
                  "archiving twice");
        n = 0;
        store_contact_list(s, NULL, count_cb, &n);
        CHECK_INT(n, 3, "the archived contact is hidden from the list");
        filter = (ContactFilter) { .strong = -1, .include_archived = true };
        n = 0;
        store_contact_list(s, &filter, count_cb, &n);
        CHECK_INT(n, 4, "unless asked for");
        CHECK_INT(store_contact_resolve(s, "ana s", &id), -ENOENT, "a prefix skips archived contacts");
        CHECK_INT(store_contact_resolve(s, "ana-sousa", &id), 0, "her handle still finds her");
        ch = CONTACT_CHANGES_NONE;
        ch.archived = 0;
        change = (ReconnectChange) {};
        CHECK_INT(store_contact_edit(s, sousa, &ch, 90 * DAY, now + DAY, &change), 0, "bring her back");
        CHECK(change.scheduled_id > 0, "with a reminder again");
        CHECK_INT(store_contact_get(s, sousa, &c), 0, "reads her back");
        CHECK_INT(c.reconnect_due, utc(2026, 9, 9, 9, 0, 0), "the cadence restarts from her return");
        contact_clear(&c);

        int64_t linked;
        CHECK_INT(store_followup_add_for_contact(s, "Send Ana S. the deck", now + DAY, 0, false, sousa, now,
                                                 &linked), 0, "a follow-up naming her");
        unsigned deleted = 0;
        change = (ReconnectChange) {};
        CHECK_INT(store_contact_remove(s, sousa, CONTACT_REMOVE_FORCE, now, &deleted, &change), 0, "force");
        CHECK_INT(deleted, 1, "deleted her one interaction");
        CHECK(change.withdrawn_id > 0, "and her reminder");
        CHECK_INT(store_contact_get(s, sousa, &c), -ENOENT, "she is gone");
        CHECK_INT(store_followup_get(s, linked, &f), 0, "the follow-up naming her stays");
        CHECK(f.contact == NULL, "unlinked");
        followup_clear(&f);
        CHECK_INT(store_contact_remove(s, id2, CONTACT_REMOVE, now, NULL, NULL), 0,
                  "someone without history goes without --force");

        store_free(s);
}

static void test_store_keep_in_touch(void) {
        int64_t now = utc(2026, 6, 10, 12, 0, 0), ana, bo, id;
        ReconnectChange change;
        Contact c = {};
        Followup f = {};
        int r;

        set_tz("UTC");
        Store *s = open_store("keep.db");
        if (!s)
                return;

        ana = add_contact(s, "Ana Lima", "ana@example.org", 0, CONTACT_CADENCE_UNCHANGED, now);
        CHECK_INT(store_contact_get(s, ana, &c), 0, "Ana");
        int64_t first = c.reconnect_id;
        contact_clear(&c);

        /* A backdated log, older than her creation, is history only. */
        change = (ReconnectChange) {};
        log_at(s, ana, "event", now - 30 * DAY, NULL, NULL, now, &change);
        CHECK(change.withdrawn_id == 0 && change.scheduled_id == 0, "an old interaction changes no reminder");
        CHECK_INT(store_contact_get(s, ana, &c), 0, "Ana");
        CHECK_INT(c.reconnect_id, first, "the same reminder");
        CHECK_INT(c.last_at, now - 30 * DAY, "but it is her last contact");
        CHECK_STR(c.last_kind, "event", "of kind event");
        contact_clear(&c);

        /* A log restarts the cadence: the unfired reminder is withdrawn. */
        now += 10 * DAY;
        change = (ReconnectChange) {};
        id = log_at(s, ana, "coffee", now - HOUR, "intro to Bo", "lead: data role at Acme", now, &change);
        CHECK(id > 0, "logs a coffee");
        CHECK_INT(change.withdrawn_id, first, "withdraws the pending reminder");
        CHECK(change.withdrawn_deleted, "deleted, since it never fired");
        CHECK(change.scheduled_id > first && change.scheduled_new, "schedules a new one");
        CHECK_INT(store_followup_get(s, first, &f), -ENOENT, "the old row is gone");
        CHECK_INT(store_contact_get(s, ana, &c), 0, "Ana");
        CHECK_INT(c.reconnect_due, utc(2026, 9, 18, 9, 0, 0), "due 90 days after the coffee");
        CHECK_INT(c.n_leads, 1, "the lead counted");
        CHECK_INT(c.n_gave, 1, "something given");
        CHECK_INT(c.n_interactions, 2, "two interactions");
        int64_t second = c.reconnect_id;
        contact_clear(&c);

        /* It falls due and fires; then "Logged it". */
        now = utc(2026, 9, 18, 9, 0, 5);
        r = store_claim_due(s, now, 16, NULL, NULL);
        CHECK_INT(r, 1, "the reconnect falls due and is claimed");
        CHECK_INT(store_reminder_shown(s, second, now), 0, "shown");
        CHECK_INT(store_reconnect_contact(s, second, &c), 0, "the reminder's contact");
        CHECK_STR(c.name, "Ana Lima", "is Ana");
        contact_clear(&c);
        int64_t interaction = 0;
        change = (ReconnectChange) {};
        now += 600;
        CHECK_INT(store_reconnect_logged(s, second, 90 * DAY, now, &interaction, &change), 0, "Logged it");
        CHECK(interaction > 0, "records an interaction");
        CHECK_INT(change.withdrawn_id, second, "ends the fired reminder");
        CHECK(!change.withdrawn_deleted, "marking it done");
        CHECK_INT(store_followup_get(s, second, &f), 0, "the fired row stays");
        CHECK(f.done_at == now, "done now");
        followup_clear(&f);
        CHECK_INT(store_contact_get(s, ana, &c), 0, "Ana");
        CHECK_STR(c.last_kind, "message", "a message was logged");
        CHECK_INT(c.reconnect_due, utc(2026, 12, 17, 9, 0, 0), "and the cadence restarted");
        int64_t third = c.reconnect_id;
        contact_clear(&c);
        CHECK_INT(store_reconnect_logged(s, second, 90 * DAY, now, &interaction, NULL), -EALREADY,
                  "a second click does nothing");

        /* Snoozed, then an unrelated edit keeps the snooze; skip restarts. */
        CHECK_INT(store_followup_snooze(s, third, utc(2026, 12, 24, 9, 0, 0), now), 0, "snooze a week");
        ContactChanges ch = CONTACT_CHANGES_NONE;
        ch.org = "Acme";
        CHECK_INT(store_contact_edit(s, ana, &ch, 90 * DAY, now, NULL), 0, "an unrelated edit");
        CHECK_INT(store_followup_get(s, third, &f), 0, "the reminder");
        CHECK_INT(f.due, utc(2026, 12, 24, 9, 0, 0), "keeps its snooze");
        followup_clear(&f);
        now = utc(2026, 12, 24, 10, 0, 0);
        change = (ReconnectChange) {};
        CHECK_INT(store_reconnect_skip(s, third, 90 * DAY, now, &change), 0, "Skip this time");
        CHECK_INT(change.withdrawn_id, third, "ends that reminder");
        CHECK_INT(store_contact_get(s, ana, &c), 0, "Ana");
        CHECK_INT(c.cadence_from, now, "the cadence restarts now");
        CHECK_INT(c.reconnect_due, utc(2027, 3, 24, 9, 0, 0), "due 90 days from the skip");
        CHECK_STR(c.last_kind, "message", "without logging anything");
        int64_t fourth = c.reconnect_id;
        contact_clear(&c);

        /* Not a reconnect row. */
        int64_t plain;
        CHECK_INT(store_followup_add(s, "Plain", now, 0, false, now, &plain), 0, "a plain follow-up");
        CHECK_INT(store_reconnect_skip(s, plain, 90 * DAY, now, NULL), -ENOENT, "is no reconnect");
        CHECK_INT(store_reconnect_logged(s, 99999, 90 * DAY, now, NULL, NULL), -ENOENT, "nor is a missing one");

        /* Undo a log: the reminder moves back. */
        id = log_at(s, ana, "call", now + 60, NULL, NULL, now + 60, NULL);
        CHECK_INT(store_contact_get(s, ana, &c), 0, "Ana");
        CHECK_INT(c.reconnect_due, utc(2027, 3, 24, 9, 0, 0), "a log on the same day: the same day due");
        CHECK(c.reconnect_id != fourth, "but a fresh reminder");
        contact_clear(&c);
        CHECK_INT(store_interaction_remove(s, id, 90 * DAY, now + 120, NULL), 0, "unlog it");
        CHECK_INT(store_interaction_remove(s, id, 90 * DAY, now + 120, NULL), -ENOENT, "twice fails");

        /* The default changes: weak ties on it follow; others do not. */
        bo = add_contact(s, "Bo Chen", NULL, 0, 30 * DAY, now);
        r = store_reconnect_resync_default(s, 60 * DAY, now);
        CHECK_INT(r, 1, "one contact follows the default");
        CHECK_INT(store_contact_get(s, ana, &c), 0, "Ana");
        CHECK_INT(c.reconnect_due, utc(2027, 2, 22, 9, 0, 0), "60 days from the skip now");
        contact_clear(&c);
        CHECK_INT(store_contact_get(s, bo, &c), 0, "Bo");
        CHECK_INT(c.reconnect_due, utc(2027, 1, 23, 9, 0, 0), "keeps his own 30 days");
        contact_clear(&c);

        store_free(s);
}

static void test_store_followups_stats_import(void) {
        int64_t now = utc(2026, 6, 10, 12, 0, 0), ana, bo, fid, id;
        Followup f = {};
        int n;

        set_tz("UTC");
        Store *s = open_store("misc.db");
        if (!s)
                return;
        ana = add_contact(s, "Ana Lima", "ana@example.org", 0, CONTACT_CADENCE_UNCHANGED, now);
        bo = add_contact(s, "Bo Chen", "bo@example.org", 1, CONTACT_CADENCE_UNCHANGED, now);

        CHECK_INT(store_followup_add_for_contact(s, "Thank Ana", now + DAY, 0, false, ana, now, &fid), 0,
                  "a follow-up for Ana");
        CHECK_INT(store_followup_get(s, fid, &f), 0, "read back");
        CHECK_STR(f.contact, "ana-lima", "names her");
        followup_clear(&f);
        FollowupChanges fc = FOLLOWUP_CHANGES_NONE;
        fc.text = "Thank Bo";
        CHECK_INT(store_followup_edit_with_contact(s, fid, &fc, bo, now), 0, "moved to Bo with a new text");
        CHECK_INT(store_followup_get(s, fid, &f), 0, "read back");
        CHECK_STR(f.contact, "bo-chen", "names him");
        CHECK_STR(f.text, "Thank Bo", "new text");
        followup_clear(&f);
        n = 0;
        store_followup_list_for_contact(s, bo, INT64_MIN, INT64_MAX, FOLLOWUP_OPEN, followup_count_cb, &n);
        CHECK_INT(n, 1, "Bo has one open follow-up");
        n = 0;
        store_followup_list_for_contact(s, ana, INT64_MIN, INT64_MAX, FOLLOWUP_OPEN, followup_count_cb, &n);
        CHECK_INT(n, 1, "Ana has her reconnect");
        fc = FOLLOWUP_CHANGES_NONE;
        CHECK_INT(store_followup_edit_with_contact(s, fid, &fc, 0, now), 0, "unlinked");
        CHECK_INT(store_followup_get(s, fid, &f), 0, "read back");
        CHECK(f.contact == NULL, "names nobody");
        followup_clear(&f);
        CHECK_INT(store_followup_edit_with_contact(s, 424242, &fc, bo, now), -ENOENT, "a missing follow-up");

        /* Statistics over three weeks, Monday to Monday. */
        int64_t bounds[4] = { utc(2026, 5, 25, 0, 0, 0), utc(2026, 6, 1, 0, 0, 0), utc(2026, 6, 8, 0, 0, 0),
                              utc(2026, 6, 15, 0, 0, 0) };
        log_at(s, ana, "coffee", utc(2026, 6, 9, 9, 0, 0), "intro", "lead: role at Acme", now, NULL);
        log_at(s, ana, "email", utc(2026, 6, 2, 9, 0, 0), NULL, "advice", now, NULL);
        log_at(s, bo, "call", utc(2026, 6, 9, 18, 0, 0), "feedback on CV", NULL, now, NULL);
        log_at(s, bo, "call", utc(2026, 5, 1, 18, 0, 0), NULL, "lead: referral", now, NULL);
        PeopleWeek weeks[3];
        int64_t last[3];
        PeopleStats st;
        CHECK_INT(people_stats_init(&st, weeks, last, bounds, 4), 0, "three weeks");
        CHECK_INT(store_people_stats(s, &st), 0, "counted");
        CHECK_INT(weeks[0].interactions, 0, "week 1: nothing");
        CHECK_INT(weeks[1].interactions, 1, "week 2: the e-mail");
        CHECK_INT(weeks[2].interactions, 2, "week 3: coffee and call");
        CHECK_INT(weeks[2].weak, 1, "one weak");
        CHECK_INT(weeks[2].strong, 1, "one strong");
        CHECK_INT(weeks[2].leads, 1, "one lead");
        CHECK_INT(weeks[2].gave, 2, "gave twice");
        CHECK_INT(weeks[2].new_contacts, 2, "two added this week");
        CHECK_INT(weeks[2].weak_people, 1, "one weak tie reached");
        PeopleTotals t;
        CHECK_INT(store_people_totals(s, bounds[0], bounds[3], &t), 0, "totals");
        CHECK_INT(t.contacts, 2, "two contacts");
        CHECK_INT(t.weak_contacts, 1, "one weak");
        CHECK_INT(t.interactions, 3, "three interactions in range");
        CHECK_INT(t.leads, 1, "one lead in range");
        CHECK_INT(t.leads_weak, 1, "from a weak tie");
        CHECK_INT(t.got, 2, "got twice");
        CHECK_INT(store_people_totals(s, 0, bounds[3], &t), 0, "all time");
        CHECK_INT(t.leads_strong, 1, "a lead from a strong tie long ago");
        PeopleProgress p;
        CHECK_INT(store_people_progress(s, bounds[2], bounds[3], &p), 0, "this week's progress");
        CHECK_INT(p.weak_reconnects, 1, "one weak tie reached");
        CHECK_INT(p.new_contacts, 2, "two new contacts");
        CHECK_INT(p.given, 2, "two things given");

        /* Import helpers: match by e-mail, then by name; merge fills gaps. */
        const char *e1[] = { "someone@else.example", "ANA@example.org" };
        CHECK_INT(store_contact_match(s, e1, 2, "Whoever", &id), 0, "matched by any e-mail");
        CHECK_INT(id, ana, "Ana");
        CHECK_INT(store_contact_match(s, NULL, 0, "bo  chen", &id), 0, "matched by folded name");
        CHECK_INT(id, bo, "Bo");
        CHECK_INT(store_contact_match(s, NULL, 0, "Carla", &id), -ENOENT, "no match");
        ContactChanges ch = CONTACT_CHANGES_NONE;
        const char *tags[] = { "friends" };
        ch.name = "Ana Lima";
        ch.org = "Acme";
        ch.note = "From the phone";
        ch.add_emails = e1;
        ch.n_add_emails = 2;
        ch.add_tags = tags;
        ch.n_add_tags = 1;
        add_contact(s, "Other", "someone@else.example", 0, CONTACT_CADENCE_UNCHANGED, now);
        bool changed = false;
        unsigned skipped = 0;
        CHECK_INT(store_contact_merge(s, ana, &ch, now, &changed, &skipped), 0, "merged");
        CHECK(changed, "something was added");
        CHECK_INT(skipped, 1, "an e-mail of someone else was left out");
        Contact c = {};
        CHECK_INT(store_contact_get(s, ana, &c), 0, "Ana");
        CHECK_STR(c.org, "Acme", "org filled in");
        CHECK_STR(c.note, "From the phone", "note filled in");
        CHECK_INT(c.n_tags, 1, "tag added");
        CHECK_INT(c.n_emails, 1, "no foreign e-mail");
        contact_clear(&c);
        CHECK_INT(store_contact_merge(s, ana, &ch, now, &changed, &skipped), 0, "merged again");
        CHECK(!changed, "nothing new the second time");

        /* A batch: one failing contact rolls back only itself. */
        CHECK_INT(store_batch_begin(s), 0, "a batch");
        id = add_contact(s, "Dee", "dee@example.org", 0, CONTACT_CADENCE_UNCHANGED, now);
        ContactChanges bad = CONTACT_CHANGES_NONE;
        const char *taken[] = { "dee@example.org" };
        bad.name = "Dee Again";
        bad.add_emails = taken;
        bad.n_add_emails = 1;
        int64_t bad_id;
        CHECK_INT(store_contact_add(s, &bad, 90 * DAY, now, &bad_id, NULL), -EEXIST, "a clash inside");
        CHECK_INT(store_batch_commit(s), 0, "the batch commits");
        CHECK_INT(store_contact_resolve(s, "dee@example.org", &bad_id), 0, "Dee is there");
        CHECK_INT(bad_id, id, "once");
        CHECK_INT(store_contact_resolve(s, "dee again", &bad_id), -ENOENT, "the clash left nothing");

        store_free(s);
}

int main(void) {
        if (!mkdtemp(tmpdir)) {
                perror("mkdtemp");
                return 1;
        }

        test_handles();
        test_matching();
        test_cadence();
        test_summary();
        test_suggest();
        test_stats();
        test_goals();
        test_store_contacts();
        test_store_keep_in_touch();
        test_store_followups_stats_import();

        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
                printf("# could not remove %s\n", tmpdir);
        return tap_done();
}
