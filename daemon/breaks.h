/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* The work/break cycle as a pure state machine.  It knows nothing of
 * timers, buses or notifications: the caller (selfcare.c) feeds it the time
 * and the user's presence, asks it when it next needs the time, and reads
 * its state to decide what to show.  Unit tests drive it with a fake clock.
 *
 * Time is seconds on one clock that never jumps and keeps running during
 * suspend (selfcare.c uses CLOCK_BOOTTIME); a suspend is reported with
 * break_cycle_sleep() so that it counts as time away.
 *
 * The rules, as a user of Workrave or stretchly would expect them:
 *  - only active time counts toward a break: after `work` seconds of it the
 *    break is due (BREAK_DUE), and stays due until the user does something
 *    about it or goes away;
 *  - an idle stretch (or a suspend) at least as long as a break counts as
 *    one taken: the cycle restarts when the user comes back;
 *  - a break taken on purpose (break_cycle_take) lasts `length`; when it
 *    ends the user is welcomed back (at once if present, otherwise when
 *    they return), and activity during it does not count;
 *  - "later" moves the break `postpone` seconds of activity on; "skip"
 *    restarts the cycle without counting a break;
 *  - a pause (with an end or until resumed) stops the cycle; resuming, or
 *    the end of the pause, starts a fresh one. */

typedef enum BreakPhase {
        BREAK_OFF,              /* breaks are switched off in the config */
        BREAK_WORKING,          /* counting active time */
        BREAK_DUE,              /* a break is due and not taken yet */
        BREAK_ON_BREAK,         /* a break taken on purpose, until break_ends */
        BREAK_PAUSED,           /* paused, until paused_until (0: until resumed) */
} BreakPhase;

typedef enum BreakKind {
        BREAK_KIND_NONE,
        BREAK_KIND_TAKEN,       /* started from the notification or `netctl break take` */
        BREAK_KIND_IDLE,        /* the user was away long enough */
        BREAK_KIND_SLEEP,       /* the machine slept long enough */
} BreakKind;

typedef struct BreakSettings {
        int64_t work;           /* active seconds before a break; 0: breaks are off */
        int64_t length;         /* seconds of a break, and of an idle stretch that counts as one */
        int64_t postpone;       /* "later": this many more active seconds */
} BreakSettings;

typedef struct BreakCycle {
        BreakSettings settings;
        BreakPhase phase;
        bool idle;
        bool slept;             /* the current idle stretch includes a suspend */
        int64_t last;           /* time is accounted up to here */
        int64_t active;         /* active seconds in this work stretch */
        int64_t due_at;         /* the break is due when `active` reaches this */
        int64_t idle_since;     /* while idle */
        int64_t break_ends;     /* BREAK_ON_BREAK */
        int64_t paused_until;   /* BREAK_PAUSED; 0: until resumed */
        bool welcome_pending;   /* a taken break ended while the user was away */
        bool welcome;           /* say "welcome back" now (see break_cycle_take_welcome) */
        int64_t last_break;     /* when the last break ended; 0 if none yet */
        BreakKind last_break_kind;
} BreakCycle;

/* A fresh cycle at `now`, working (or off when settings->work is 0), with
 * the user present. */
void break_cycle_init(BreakCycle *b, const BreakSettings *settings, int64_t now);

/* New settings (a reloaded config).  The active time so far is kept; a
 * postponement keeps its extra time; switching breaks off or on is
 * immediate. */
void break_cycle_configure(BreakCycle *b, const BreakSettings *settings, int64_t now);

/* Accounts time up to `now` and makes the transitions that fall due: the
 * break becomes due, a break or a pause ends.  Every other function calls
 * it first, so a caller only needs it when its timer fires.  A `now` before
 * the last one seen is taken as the last one. */
void break_cycle_advance(BreakCycle *b, int64_t now);

/* The user became idle or active at `now`. */
void break_cycle_set_idle(BreakCycle *b, bool idle, int64_t now);

/* The machine was suspended from `from` to `to` (to >= from; `to` is the
 * time now): away for that long, whatever the idle sources say.  The
 * caller reports the user's presence after the wake with set_idle. */
void break_cycle_sleep(BreakCycle *b, int64_t from, int64_t to);

/* The machine announced a suspend at `now` (logind's PrepareForSleep):
 * away from now on, and the absence counts as a sleep. */
void break_cycle_going_to_sleep(BreakCycle *b, int64_t now);

/* The user's commands.  Each returns 0, or -EALREADY when it makes no sense
 * in the current phase (breaks off; resume when not paused or on a break). */
int break_cycle_take(BreakCycle *b, int64_t now);
int break_cycle_postpone(BreakCycle *b, int64_t now);
int break_cycle_skip(BreakCycle *b, int64_t now);
/* until 0: until resumed. */
int break_cycle_pause(BreakCycle *b, int64_t until, int64_t now);
int break_cycle_resume(BreakCycle *b, int64_t now);

/* When break_cycle_advance() next has something to do if nothing else
 * happens meanwhile, or 0 when only an event (the user returning, a
 * command) can change anything.  No wake-ups while the user is away. */
int64_t break_cycle_next_event(const BreakCycle *b);

/* When the next break falls due if the user stays active, or 0 when that
 * cannot be said (away, paused, on a break, due already, off). */
int64_t break_cycle_next_break(const BreakCycle *b);

/* True once after a taken break ended with the user present (or on their
 * return): the moment for "welcome back".  Clears the flag. */
bool break_cycle_take_welcome(BreakCycle *b);

/* "working", "break-due", "on-break", "paused", "off". */
const char *break_phase_to_string(BreakPhase p);
/* "taken", "idle", "sleep", or NULL for none. */
const char *break_kind_to_string(BreakKind k);
