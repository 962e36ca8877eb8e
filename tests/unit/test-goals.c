/* SPDX-License-Identifier: MIT */
/* When the weekly goals nudge comes: the next configured weekday and time
 * strictly after now, in local time, across DST changes; and moved out of
 * quiet hours and held weekends. */
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

        /* Kept out of quiet time: 22:00-08:00 every night. */
        QuietRules nights = { .start = 22 * 3600, .end = 8 * 3600, .weekend_start = -1, .weekend_end = -1 };
        CHECK_INT(goals_next_nudge_outside(wed, 1, 600, &nights), local(2026, 11, 30, 10, 0),
                  "a slot outside quiet hours stays where it is");
        CHECK_INT(goals_next_nudge_outside(wed, 1, 420, &nights), local(2026, 11, 30, 8, 0),
                  "Monday 07:00 in quiet hours -> Monday 08:00");
        CHECK_INT(goals_next_nudge_outside(local(2026, 11, 30, 7, 30), 1, 420, &nights),
                  local(2026, 11, 30, 8, 0),
                  "restarted after the slot but inside its quiet hours: still that week's nudge");
        CHECK_INT(goals_next_nudge_outside(local(2026, 11, 30, 8, 0), 1, 420, &nights),
                  local(2026, 12, 7, 8, 0), "once given, the next comes a week later");
        CHECK_INT(goals_next_nudge_outside(wed, 3, 23 * 60, &nights), local(2026, 11, 26, 8, 0),
                  "Wednesday 23:00 -> Thursday 08:00");

        /* Weekends held all day (Saturday and Sunday), nights quiet too. */
        QuietRules weekends = nights;
        weekends.weekend_days = 1u << 0 | 1u << 6;
        weekends.weekend_hold = true;
        CHECK_INT(goals_next_nudge_outside(wed, 0, 18 * 60, &weekends), local(2026, 11, 30, 8, 0),
                  "Sunday 18:00 on a held weekend -> Monday 08:00, after Sunday night");
        CHECK_INT(goals_next_nudge_outside(wed, 0, 18 * 60, &(QuietRules) { .weekend_start = -1,
                                                                           .weekend_end = -1 }),
                  local(2026, 11, 29, 18, 0), "no quiet rules: Sunday 18:00");
        return tap_done();
}
