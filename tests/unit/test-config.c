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

        CHECK_INT(config_load("/nonexistent/netctl.conf", &c, err, sizeof err), 0, "a missing file is the defaults");
        config_clear(&before);
        config_clear(&c);
        return tap_done();
}
