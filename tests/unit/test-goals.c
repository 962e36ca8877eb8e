/* SPDX-License-Identifier: MIT */
/* When the weekly goals nudge comes: the next configured weekday and time
 * strictly after now, in local time, across DST changes. */
#include <stdlib.h>
#include <time.h>

#include "goals.h"
#include "tap.h"

static int64_t local(int y, int mo, int d, int h, int mi) {
        struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi,
                         .tm_isdst = -1 };
        return (int64_t) mktime(&tm);
}

int main(void) {
        setenv("TZ", "Europe/Berlin", 1);
        tzset();

        /* 2026-11-25 is a Wednesday. */
        int64_t wed = local(2026, 11, 25, 12, 0);
        CHECK_INT(goals_next_nudge(wed, 1, 600), local(2026, 11, 30, 10, 0), "Wednesday noon -> next Monday 10:00");
        CHECK_INT(goals_next_nudge(wed, 3, 780), local(2026, 11, 25, 13, 0), "later the same day");
        CHECK_INT(goals_next_nudge(wed, 3, 720), local(2026, 12, 2, 12, 0),
                  "exactly now is not 'after now': a week later");
        CHECK_INT(goals_next_nudge(wed, 3, 600), local(2026, 12, 2, 10, 0), "earlier today -> next week");
        CHECK_INT(goals_next_nudge(local(2026, 3, 27, 12, 0), 1, 600), local(2026, 3, 30, 10, 0),
                  "across the spring DST change, still 10:00 local");
        CHECK_INT(goals_next_nudge(local(2026, 10, 23, 12, 0), 0, 120), local(2026, 10, 25, 2, 0),
                  "02:00 on the autumn change day (an hour that occurs twice)");
        return tap_done();
}
