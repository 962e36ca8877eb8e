/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <time.h>

#include "attention.h"
#include "goals.h"
#include "log.h"
#include "people.h"

#define WEEK (7 * 24 * 3600)

int64_t goals_next_nudge(int64_t now, int weekday, int minute) {
        time_t t = (time_t) now;
        struct tm tm;

        if (!localtime_r(&t, &tm))
                return now + WEEK;
        for (int days = 0; days <= 7; days++) {
                struct tm day = tm;
                day.tm_mday += days;
                day.tm_hour = minute / 60;
                day.tm_min = minute % 60;
                day.tm_sec = 0;
                day.tm_isdst = -1;
                time_t at = mktime(&day);
                if (at == (time_t) -1)
                        continue;
                struct tm check;
                if (localtime_r(&at, &check) && check.tm_wday == weekday && (int64_t) at > now)
                        return (int64_t) at;
        }
        return now + WEEK;
}

int64_t goals_next_nudge_outside(int64_t now, int weekday, int minute, const QuietRules *quiet) {
        /* Quiet time lasts at most a held weekend and a night, under a
         * week: start from the slot two weeks back and take the first whose
         * (moved) time is still ahead. */
        int64_t slot = goals_next_nudge(now - 2 * WEEK, weekday, minute);
        for (int i = 0; i < 4; i++) {
                int64_t until = quiet_until(quiet, slot);
                int64_t at = until > 0 ? until : slot;
                if (at > now)
                        return at;
                slot = goals_next_nudge(slot, weekday, minute);
        }
        return goals_next_nudge(now, weekday, minute);
}

static int goals_arm(Context *c) {
        QuietRules quiet;
        quiet_rules_from_config(&c->config, &quiet);
        int64_t at = goals_next_nudge_outside(context_now(c), c->config.nudge_weekday,
                                              c->config.nudge_minute, &quiet);
        int r = sd_event_source_set_time(c->goals_timer, (uint64_t) at * 1000000ULL);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(c->goals_timer, SD_EVENT_ONESHOT);
}

static int on_goals_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Context *c = userdata;
        int64_t now = context_now(c);
        PeopleProgress progress;
        char sentence[512];
        int r;

        PeopleGoals goals = {
                .weak_reconnects = c->config.goal_weak_reconnects,
                .new_contacts = c->config.goal_new_contacts,
                .given = c->config.goal_given,
        };
        r = store_people_progress(c->store, now - WEEK, now, &progress);
        if (r < 0)
                log_warning_errno(r, "Cannot measure the week's progress: %s", store_last_error(c->store));
        else if (people_goals_nudge(&goals, &progress, WEEK, WEEK, sentence, sizeof sentence) > 0) {
                r = notifier_show(c->notifier, GOALS_NOTIFY_ID, "Networking this week", sentence, NULL, 0);
                if (r < 0)
                        log_warning_errno(r, "Cannot show the weekly nudge: %m");
                else
                        log_info("Weekly goals nudge: %s", sentence);
        } else
                log_debug("The week is on track; no nudge");

        return goals_arm(c);
}

int goals_setup(Context *c) {
        int r;

        if (!c->goals_timer) {
                r = sd_event_add_time(c->event, &c->goals_timer, CLOCK_REALTIME, UINT64_MAX,
                                      60 * 1000000ULL, on_goals_timer, c);
                if (r < 0)
                        return r;
                (void) sd_event_source_set_description(c->goals_timer, "weekly-goals");
        }
        /* No goals, no nudge. */
        if (c->config.goal_weak_reconnects == 0 && c->config.goal_new_contacts == 0 && c->config.goal_given == 0)
                return sd_event_source_set_enabled(c->goals_timer, SD_EVENT_OFF);
        return goals_arm(c);
}
