/* SPDX-License-Identifier: MIT */
#pragma once

#include "attention.h"
#include "context.h"

/* The weekly goals nudge: once a week, at [people] weekly_nudge, and only
 * when the last seven days are behind the goals, one friendly notification
 * ("This week so far: 1 of 3 weak-tie reconnects ... netctl suggest has
 * ideas").  Missed while netctld was not running, it waits for the next
 * week rather than arriving late. */

#define GOALS_NOTIFY_ID (-100)

/* Creates and arms the weekly timer; call again after a config reload. */
int goals_setup(Context *c);

/* The next nudge time after `now` for a weekday (0 = Sunday) and minute
 * after midnight, local time. */
int64_t goals_next_nudge(int64_t now, int weekday, int minute);

/* The same, kept out of quiet time: a nudge whose slot falls in quiet
 * hours (or a held weekend) comes when they end.  A slot already past
 * whose quiet time has not ended yet still counts, so a restart during
 * it does not lose that week's nudge. */
int64_t goals_next_nudge_outside(int64_t now, int weekday, int minute, const QuietRules *quiet);
