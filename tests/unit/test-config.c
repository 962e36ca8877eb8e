/* SPDX-License-Identifier: MIT */
/* netctl.conf parsing: defaults, every key type, and errors that name the
 * line, section and key while leaving the previous config untouched. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "tap.h"

static int parse(const char *text, Config *c, char *err, size_t size) {
        return config_parse(text, strlen(text), "netctl.conf", c, err, size);
}

/* [breaks], [quiet] and [reminders]. */
static void test_selfcare_keys(void) {
        Config c;
        char err[512];

        config_defaults(&c);
        CHECK_INT(c.break_work, 50 * 60, "default: a break after 50 min of work");
        CHECK_INT(c.break_length, 10 * 60, "default: 10 min breaks");
        CHECK_INT(c.break_postpone, 10 * 60, "default: later means 10 min");
        CHECK_INT(c.winddown_minute, 18 * 60, "default wind-down at 18:00");
        CHECK_INT(c.pause_after, 12, "default: a pause suggested after 12 actions");
        CHECK_INT(c.quiet_start, c.quiet_end, "default: no quiet hours");
        CHECK_INT(c.weekend_days, (1u << 0) | (1u << 6), "default weekend: Saturday and Sunday");
        CHECK(!c.weekend_hold, "default: weekends allowed");
        CHECK_INT(c.weekend_quiet_start, -1, "default: weekend hours as every day");
        CHECK_INT(c.digest_window, 120, "default digest window 2 min");

        const char *good =
                "[breaks]\n"
                "work = 3s\n"
                "break = 2s\n"
                "postpone = 5m\n"
                "winddown = 17:30\n"
                "pause_after = 20\n"
                "[quiet]\n"
                "hours = 21:30-07:45:30\n"
                "weekend = hold\n"
                "weekend_days = fri; Saturday\n"
                "weekend_hours = 23:00-24:00\n"
                "[reminders]\n"
                "digest_window = 90s\n";
        CHECK_INT(parse(good, &c, err, sizeof err), 0, "the self-care keys parse");
        CHECK_INT(c.break_work, 3, "work");
        CHECK_INT(c.break_length, 2, "break");
        CHECK_INT(c.break_postpone, 300, "postpone");
        CHECK_INT(c.winddown_minute, 17 * 60 + 30, "winddown");
        CHECK_INT(c.pause_after, 20, "pause_after");
        CHECK_INT(c.quiet_start, 21 * 3600 + 30 * 60, "quiet hours start");
        CHECK_INT(c.quiet_end, 7 * 3600 + 45 * 60 + 30, "quiet hours end, with seconds");
        CHECK(c.weekend_hold, "weekend = hold");
        CHECK_INT(c.weekend_days, (1u << 5) | (1u << 6), "weekend days by short and long names");
        CHECK_INT(c.weekend_quiet_start, 23 * 3600, "weekend hours start");
        CHECK_INT(c.weekend_quiet_end, 0, "24:00 ends at midnight");
        CHECK_INT(c.digest_window, 90, "digest_window");
        config_clear(&c);

        CHECK_INT(parse("[breaks]\nwork = off\nwinddown = off\n[quiet]\nhours = off\n"
                        "[reminders]\ndigest_window = 0\n", &c, err, sizeof err), 0, "off everywhere");
        CHECK_INT(c.break_work, 0, "work = off: no breaks");
        CHECK_INT(c.winddown_minute, -1, "no wind-down");
        CHECK_INT(c.quiet_start, c.quiet_end, "no quiet hours");
        CHECK_INT(c.digest_window, 0, "no digest window");
        config_clear(&c);

        /* Each bad value names file, line, section and key; the config in
         * force stays. */
        CHECK_INT(parse("[breaks]\nwork = 25m\n", &c, err, sizeof err), 0, "a config in force");
        struct {
                const char *text, *expect;
        } bad[] = {
                { "[breaks]\nwork = soon\n", "netctl.conf:2: [breaks] work: \"soon\" is not a duration" },
                { "[breaks]\n\nbreak = 0\n", "netctl.conf:3: [breaks] break:" },
                { "[breaks]\npostpone = -5m\n", "netctl.conf:2: [breaks] postpone:" },
                { "[breaks]\nwinddown = 6pm\n", "netctl.conf:2: [breaks] winddown: \"6pm\" is not a time of day" },
                { "[breaks]\npause_after = lots\n", "netctl.conf:2: [breaks] pause_after:" },
                { "[breaks]\nlength = 10m\n", "netctl.conf:2: [breaks] length: unknown key" },
                { "[quiet]\nhours = 21:00\n", "netctl.conf:2: [quiet] hours: \"21:00\" is not a time window" },
                { "[quiet]\nhours = 25:00-08:00\n", "netctl.conf:2: [quiet] hours:" },
                { "[quiet]\nhours = 21:00-08:61\n", "netctl.conf:2: [quiet] hours:" },
                { "[quiet]\nhours = 24:00-08:00\n", "netctl.conf:2: [quiet] hours:" },
                { "[quiet]\nhours = 08:00-08:00\n", "same time" },
                { "[quiet]\n# night\nhours = 21:00 - 8am\n", "netctl.conf:3: [quiet] hours:" },
                { "[quiet]\nweekend = maybe\n", "netctl.conf:2: [quiet] weekend: \"maybe\" is neither allow nor hold" },
                { "[quiet]\nweekend_days = sat;funday\n", "netctl.conf:2: [quiet] weekend_days: \"funday\" is not a weekday" },
                { "[quiet]\nweekend = hold\nweekend_days = mon;tue;wed;thu;fri;sat;sun\n",
                  "netctl.conf:3: [quiet] weekend_days: with weekend = hold" },
                { "[quiet]\nweekend_hours = always\n", "netctl.conf:2: [quiet] weekend_hours:" },
                { "[reminders]\ndigest_window = 2 apples\n", "netctl.conf:2: [reminders] digest_window:" },
                { "[reminders]\ndigest = 2m\n", "netctl.conf:2: [reminders] digest: unknown key" },
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                err[0] = '\0';
                int r = parse(bad[i].text, &c, err, sizeof err);
                CHECK(r < 0, "a bad self-care value is refused");
                if (!strstr(err, bad[i].expect))
                        printf("#   message was: %s\n#   want: %s\n", err, bad[i].expect);
                CHECK(strstr(err, bad[i].expect) != NULL, "the message names line, section and key");
                CHECK_INT(c.break_work, 25 * 60, "the config in force is untouched");
        }
        config_clear(&c);
}

int main(void) {
        Config c;
        char err[512];

        setenv("HOME", "/home/ana", 1);

        config_defaults(&c);
        CHECK_INT(c.prep_before, 1800, "default prep reminder 30 min before");
        CHECK_INT(c.weak_cadence, 90 * 86400, "default weak-tie cadence 90 days");
        CHECK_INT(c.goal_weak_reconnects, 3, "default goal: 3 weak-tie reconnects");

        CHECK_INT(parse("", &c, err, sizeof err), 0, "an empty file is fine");
        CHECK_INT(c.thanks_after, 7200, "and gives the defaults");

        const char *good =
                "# a comment\n"
                "[calendar]\n"
                "prep_before = 15m\n"
                "thanks_after=1h\n"
                "thanks_morning = 08:30\n"
                "watch = ~/.calendars/work;/srv/cal\n"
                "me = Ana@Example.org\n"
                "\n"
                "[people]\n"
                "weak_cadence = 60d\n"
                "goal_given = 2\n"
                "weekly_nudge = fri 16:00\n";
        CHECK_INT(parse(good, &c, err, sizeof err), 0, "a full file parses");
        CHECK_INT(c.prep_before, 900, "prep_before");
        CHECK_INT(c.thanks_after, 3600, "thanks_after");
        CHECK_INT(c.thanks_morning, 8 * 60 + 30, "thanks_morning");
        CHECK_INT(c.n_watch, 2, "two watched directories");
        CHECK_STR(c.watch[0], "/home/ana/.calendars/work", "~ expands to HOME");
        CHECK_STR(c.watch[1], "/srv/cal", "absolute path kept");
        CHECK_INT(c.n_me, 1, "one own address");
        CHECK_STR(c.me[0], "ana@example.org", "own address lower-cased");
        CHECK_INT(c.weak_cadence, 60 * 86400, "weak_cadence");
        CHECK_INT(c.goal_given, 2, "goal_given");
        CHECK_INT(c.nudge_weekday, 5, "weekly nudge on Friday");
        CHECK_INT(c.nudge_minute, 16 * 60, "at 16:00");

        /* Errors leave the old config alone and name line, section, key. */
        Config before = c;
        struct {
                const char *text, *expect, *what;
        } bad[] = {
                { "[people]\nweak_cadence = 5x\n", "netctl.conf:2: [people] weak_cadence:", "bad duration names line 2" },
                { "[calendar]\n\n\nprep_before = soon\n", "netctl.conf:4: [calendar] prep_before:", "bad duration names line 4" },
                { "[people]\ngoal_given = -1\n", "goal_given", "negative count" },
                { "[people]\ngoal_given = 1000\n", "from 0 to 100", "count out of range" },
                { "[people]\nweekly_nudge = someday\n", "weekday and time", "bad weekly time" },
                { "[calendar]\nthanks_morning = 25:00\n", "time of day", "bad clock" },
                { "[calendar]\nwatch = relative/dir\n", "absolute path", "relative watch path" },
                { "[calendar]\nme = not-an-address\n", "e-mail", "bad own address" },
                { "[people]\ncolour = blue\n", "netctl.conf:2: [people] colour: unknown key", "unknown key" },
                { "[peeple]\nweak_cadence = 3d\n", "netctl.conf:1: [peeple]: unknown section", "unknown section" },
                { "weak_cadence = 3d\n", "netctl.conf", "key outside a section" },
                { "[people\n", "netctl.conf", "broken group line" },
                { "[people]\nweak_cadence = 1h\n", "too short", "cadence below a day" },
                { "[people]\nweak_cadence = \xff\xfe\n", "UTF-8", "not UTF-8" },
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                err[0] = '\0';
                int r = parse(bad[i].text, &c, err, sizeof err);
                CHECK(r < 0, bad[i].what);
                if (!strstr(err, bad[i].expect))
                        printf("#   message was: %s\n", err);
                CHECK(strstr(err, bad[i].expect) != NULL, "the message names the problem");
                CHECK(c.weak_cadence == before.weak_cadence && c.n_watch == 2 && c.watch[0] == before.watch[0],
                      "the previous config is untouched");
        }

        char big[300 * 1024];
        memset(big, '#', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        CHECK_INT(parse(big, &c, err, sizeof err), -E2BIG, "an oversized file is refused");

        test_selfcare_keys();

        CHECK_INT(config_load("/nonexistent/netctl.conf", &c, err, sizeof err), 0, "a missing file is the defaults");
        config_clear(&before);
        config_clear(&c);
        return tap_done();
}
