/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "breaks.h"
#include "notifier.h"

/* Self-care in the daemon: the break cycle (breaks.c) fed by the idle
 * sources (idle.c) and its own timer, the daily wind-down, and the
 * suggestion to pause after many outreach actions in a day.
 *
 * Its notifications use the notifier with negative ids of their own
 * (SELFCARE_NOTIFY_*), and respect the same attention rules as reminders
 * (attention.h): nothing is shown during quiet hours or while the
 * notification server is paused.  A break that falls due then is shown
 * when they end if it is still due; a wind-down or a pause suggestion held
 * that way is shown later the same day or not at all.
 *
 * The cycle runs on CLOCK_BOOTTIME, so that wall-clock changes do not
 * count as work; a suspend (a jump of CLOCK_BOOTTIME against
 * CLOCK_MONOTONIC, or logind's PrepareForSleep) counts as time away.
 * What must survive a restart (a pause and its end, the days on which the
 * wind-down and the suggestion were shown) is in the store. */

typedef struct Context Context;
typedef struct SelfCare SelfCare;

#define SELFCARE_NOTIFY_BREAK    (-1)
#define SELFCARE_NOTIFY_WELCOME  (-2)
#define SELFCARE_NOTIFY_WINDDOWN (-3)
#define SELFCARE_NOTIFY_PAUSE    (-4)

/* Creates c->selfcare: loads the saved state, starts the idle sources
 * (after c->bus is connected, for the screen savers) and arms the timers.
 * Needs c->event, c->store and c->notifier. */
int selfcare_setup(Context *c);
SelfCare *selfcare_free(SelfCare *s);

/* The config was (re)loaded: new cycle lengths, wind-down time. */
void selfcare_config_changed(Context *c);

/* Quiet time or the server's pause may have ended, or a server appeared:
 * show what was held. */
void selfcare_attention_changed(Context *c);

/* A change to the schedule or the people was committed ("done", "logged",
 * ...): outreach actions count toward the pause suggestion. */
void selfcare_note_change(Context *c, const char *change);

/* Handles a notifier event for one of the SELFCARE_NOTIFY_* ids; returns
 * false (and does nothing) for any other id. */
bool selfcare_on_notifier_event(Context *c, const NotifierEvent *ev);

/* The user's commands.  0, or -EALREADY when breaks are off (take, pause)
 * or not paused (resume). */
int selfcare_take(Context *c);
/* seconds 0: until resumed. */
int selfcare_pause(Context *c, int64_t seconds);
int selfcare_resume(Context *c);

typedef struct SelfCareStatus {
        BreakPhase phase;
        bool idle;
        char idle_source[256];          /* "" when no source answers: wall time */
        int64_t active;                 /* seconds of work since the last break */
        int64_t work;                   /* the cycle's lengths */
        int64_t length;
        int64_t next_break;             /* Unix time if the user stays active; 0 unknown */
        int64_t break_ends;             /* Unix time, on a break */
        int64_t paused_until;           /* Unix time, paused; 0 until resumed */
        int64_t last_break;             /* Unix time; 0 none yet */
        BreakKind last_break_kind;
        int winddown_minute;            /* -1: no wind-down */
        unsigned outreach_today;
        int pause_after;                /* 0: no suggestion */
} SelfCareStatus;

/* The phase as last brought up to date (cheap: for the State property). */
BreakPhase selfcare_phase(const Context *c);

/* The state now (the cycle is brought up to date first). */
int selfcare_status(Context *c, SelfCareStatus *ret);
