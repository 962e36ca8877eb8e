/* SPDX-License-Identifier: MIT */
/* The work/break cycle: a pure state machine (see breaks.h). */
#include <errno.h>
#include <stddef.h>

#include "breaks.h"

/* A fresh work stretch: nothing counted yet, the break after `work`. */
static void restart(BreakCycle *b) {
        b->phase = BREAK_WORKING;
        b->active = 0;
        b->due_at = b->settings.work;
        b->break_ends = 0;
        b->paused_until = 0;
}

/* Counts active seconds and makes the break due when they reach it. */
static void count_active(BreakCycle *b, int64_t seconds) {
        if (b->idle || seconds <= 0)
                return;
        b->active += seconds;
        if (b->phase == BREAK_WORKING && b->active >= b->due_at)
                b->phase = BREAK_DUE;
}

void break_cycle_init(BreakCycle *b, const BreakSettings *settings, int64_t now) {
        *b = (BreakCycle) {
                .settings = *settings,
                .last = now,
        };
        if (settings->work > 0)
                restart(b);
        else
                b->phase = BREAK_OFF;
}

void break_cycle_advance(BreakCycle *b, int64_t now) {
        if (now < b->last)
                now = b->last;
        int64_t delta = now - b->last;
        b->last = now;

        switch (b->phase) {
        case BREAK_OFF:
                break;

        case BREAK_PAUSED:
                if (b->paused_until > 0 && now >= b->paused_until) {
                        int64_t since = b->paused_until;
                        restart(b);
                        /* Activity after the pause ended counts already. */
                        count_active(b, now - since);
                }
                break;

        case BREAK_ON_BREAK:
                if (now >= b->break_ends) {
                        int64_t ended = b->break_ends;
                        restart(b);
                        b->last_break = ended;
                        b->last_break_kind = BREAK_KIND_TAKEN;
                        if (b->idle)
                                b->welcome_pending = true;
                        else
                                b->welcome = true;
                        count_active(b, now - ended);
                }
                break;

        case BREAK_WORKING:
        case BREAK_DUE:
                count_active(b, delta);
                break;
        }
}

void break_cycle_configure(BreakCycle *b, const BreakSettings *settings, int64_t now) {
        break_cycle_advance(b, now);

        BreakSettings old = b->settings;
        b->settings = *settings;

        if (settings->work <= 0) {
                b->phase = BREAK_OFF;
                b->welcome = b->welcome_pending = false;
                return;
        }
        if (b->phase == BREAK_OFF) {
                restart(b);
                return;
        }

        /* A postponement keeps its extra time on top of the new length. */
        int64_t extra = b->due_at - old.work;
        if (extra < 0)
                extra = 0;
        b->due_at = settings->work + extra;
        if (b->phase == BREAK_DUE && b->active < b->due_at)
                b->phase = BREAK_WORKING;
        else if (b->phase == BREAK_WORKING && b->active >= b->due_at)
                b->phase = BREAK_DUE;
}

void break_cycle_set_idle(BreakCycle *b, bool idle, int64_t now) {
        break_cycle_advance(b, now);
        if (b->idle == idle)
                return;

        b->idle = idle;
        if (idle) {
                b->idle_since = b->last;
                return;
        }

        int64_t away = b->last - b->idle_since;
        bool slept = b->slept;
        b->slept = false;

        if (away >= b->settings.length && (b->phase == BREAK_WORKING || b->phase == BREAK_DUE)) {
                restart(b);
                b->last_break = b->last;
                b->last_break_kind = slept ? BREAK_KIND_SLEEP : BREAK_KIND_IDLE;
        }
        if (b->welcome_pending) {
                b->welcome_pending = false;
                b->welcome = true;
        }
}

void break_cycle_sleep(BreakCycle *b, int64_t from, int64_t to) {
        if (from < b->last)
                from = b->last;
        if (to < from)
                to = from;

        break_cycle_advance(b, from);
        if (!b->idle) {
                b->idle = true;
                b->idle_since = from;
        }
        b->slept = true;
        /* Away all along: a break or a pause may end meanwhile, but no
         * active time is counted. */
        break_cycle_advance(b, to);
}

void break_cycle_going_to_sleep(BreakCycle *b, int64_t now) {
        break_cycle_set_idle(b, true, now);
        b->slept = true;
}

int break_cycle_take(BreakCycle *b, int64_t now) {
        break_cycle_advance(b, now);
        if (b->phase == BREAK_OFF)
                return -EALREADY;
        b->phase = BREAK_ON_BREAK;
        b->break_ends = b->last + b->settings.length;
        b->paused_until = 0;
        b->welcome = b->welcome_pending = false;
        return 0;
}

int break_cycle_postpone(BreakCycle *b, int64_t now) {
        break_cycle_advance(b, now);
        if (b->phase != BREAK_DUE && b->phase != BREAK_WORKING)
                return -EALREADY;
        b->due_at = b->active + b->settings.postpone;
        b->phase = BREAK_WORKING;
        return 0;
}

int break_cycle_skip(BreakCycle *b, int64_t now) {
        break_cycle_advance(b, now);
        if (b->phase != BREAK_DUE && b->phase != BREAK_WORKING)
                return -EALREADY;
        restart(b);
        return 0;
}

int break_cycle_pause(BreakCycle *b, int64_t until, int64_t now) {
        break_cycle_advance(b, now);
        if (b->phase == BREAK_OFF)
                return -EALREADY;
        if (until != 0 && until <= b->last)
                return -ERANGE;
        b->phase = BREAK_PAUSED;
        b->paused_until = until;
        b->break_ends = 0;
        b->welcome = b->welcome_pending = false;
        return 0;
}

int break_cycle_resume(BreakCycle *b, int64_t now) {
        break_cycle_advance(b, now);
        if (b->phase != BREAK_PAUSED && b->phase != BREAK_ON_BREAK)
                return -EALREADY;
        restart(b);
        b->welcome = b->welcome_pending = false;
        return 0;
}

int64_t break_cycle_next_event(const BreakCycle *b) {
        switch (b->phase) {
        case BREAK_WORKING:
                return break_cycle_next_break(b);
        case BREAK_ON_BREAK:
                return b->break_ends;
        case BREAK_PAUSED:
                return b->paused_until;
        case BREAK_OFF:
        case BREAK_DUE:
                break;
        }
        return 0;
}

int64_t break_cycle_next_break(const BreakCycle *b) {
        if (b->phase != BREAK_WORKING || b->idle)
                return 0;
        int64_t left = b->due_at - b->active;
        return b->last + (left > 0 ? left : 0);
}

bool break_cycle_take_welcome(BreakCycle *b) {
        bool w = b->welcome;
        b->welcome = false;
        return w;
}

const char *break_phase_to_string(BreakPhase p) {
        switch (p) {
        case BREAK_OFF:         return "off";
        case BREAK_WORKING:     return "working";
        case BREAK_DUE:         return "break-due";
        case BREAK_ON_BREAK:    return "on-break";
        case BREAK_PAUSED:      return "paused";
        }
        return "off";
}

const char *break_kind_to_string(BreakKind k) {
        switch (k) {
        case BREAK_KIND_TAKEN:  return "taken";
        case BREAK_KIND_IDLE:   return "idle";
        case BREAK_KIND_SLEEP:  return "sleep";
        case BREAK_KIND_NONE:   break;
        }
        return NULL;
}
