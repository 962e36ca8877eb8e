/* SPDX-License-Identifier: MIT */
/* Self-care in the daemon: breaks, wind-down, pause suggestion (see
 * selfcare.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attention.h"
#include "bus-names.h"
#include "context.h"
#include "idle.h"
#include "log.h"
#include "selfcare.h"
#include "timeparse.h"

#define USEC_PER_SEC 1000000LL

/* A jump of CLOCK_BOOTTIME against CLOCK_MONOTONIC at least this long is a
 * suspend (the two differ only by time spent suspended). */
#define SLEEP_JUMP_MIN_USEC (2 * USEC_PER_SEC)

/* A wind-down missed at its time (daemon not running, quiet time, server
 * paused) is still worth showing this long after it; later it is not. */
#define WINDDOWN_LATE_SECONDS (3 * 3600)

/* After a note found no notification server: try again this much later,
 * or as soon as a server appears. */
#define RETRY_SECONDS 60

struct SelfCare {
        BreakCycle cycle;
        IdleWatch *idle;
        sd_event_source *break_timer;           /* CLOCK_BOOTTIME: the cycle's next event */
        sd_event_source *winddown_timer;        /* CLOCK_REALTIME: the next wind-down */
        int64_t sleep_offset;                   /* CLOCK_BOOTTIME - CLOCK_MONOTONIC, µs */
        SelfCareState saved;                    /* as in the store */
        BreakPhase reported_phase;              /* for PropertiesChanged */

        bool break_shown;                       /* "Time for a break" is on screen */
        bool break_held;                        /* due, but attention held it */
        bool winddown_pending;                  /* due today, held */
        int64_t pause_pending_day;              /* suggestion held on this day; 0 none */
        int64_t retry_at;                       /* a note found no server: not before then (Unix time) */
};

static int64_t clock_usec(clockid_t id) {
        struct timespec ts;
        if (clock_gettime(id, &ts) < 0)
                return 0;
        return (int64_t) ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* The cycle's clock: seconds of CLOCK_BOOTTIME. */
static int64_t boot_now(void) {
        return clock_usec(CLOCK_BOOTTIME) / USEC_PER_SEC;
}

/* A time on the cycle's clock as Unix time; 0 stays 0. */
static int64_t to_wall(const Context *c, int64_t boot) {
        return boot == 0 ? 0 : context_now(c) + (boot - boot_now());
}

static int64_t to_boot(const Context *c, int64_t wall) {
        return wall == 0 ? 0 : boot_now() + (wall - context_now(c));
}

/* The local calendar day as 20261125. */
static int64_t day_key(int64_t t) {
        time_t tt = (time_t) t;
        struct tm tm;
        if (!localtime_r(&tt, &tm))
                return 0;
        return (int64_t) (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* The instant of `minute` after local midnight on the day `days` after t's. */
static int64_t local_day_minute(int64_t t, int days, int minute) {
        time_t tt = (time_t) t;
        struct tm tm;
        if (!localtime_r(&tt, &tm))
                return t;
        tm.tm_mday += days;
        tm.tm_hour = minute / 60;
        tm.tm_min = minute % 60;
        tm.tm_sec = 0;
        tm.tm_isdst = -1;
        time_t r = mktime(&tm);
        return r == (time_t) -1 ? t : (int64_t) r;
}

static BreakSettings settings_from_config(const Config *cfg) {
        return (BreakSettings) {
                .work = cfg->break_work,
                .length = cfg->break_length,
                .postpone = cfg->break_postpone,
        };
}

static bool presence_idle(const SelfCare *s) {
        return idle_watch_is_idle(s->idle);
}

static void save_state(Context *c) {
        int r = store_selfcare_save(c->store, &c->selfcare->saved);
        if (r < 0)
                log_warning_errno(r, "Cannot save the break state: %s", store_last_error(c->store));
}

static unsigned outreach_today(Context *c) {
        int64_t now = context_now(c);
        unsigned n = 0;
        int r = store_outreach_count(c->store, local_midnight(now, 0), local_midnight(now, 1), &n);
        if (r < 0)
                log_warning_errno(r, "Cannot count today's outreach: %s", store_last_error(c->store));
        return n;
}

/* May a self-care note be shown now?  When not, *ret_until is when to look
 * again (the end of quiet time, the retry after a failure; Unix time), or 0
 * when an event will say (the server resuming). */
static bool allowed_now(Context *c, int64_t *ret_until) {
        int64_t now = context_now(c), until = 0;
        HoldReason why = attention_hold(c, now, &until);

        if (ret_until)
                *ret_until = why == HOLD_QUIET ? until : 0;
        if (why != HOLD_NONE)
                return false;
        if (c->selfcare->retry_at > now) {
                if (ret_until)
                        *ret_until = c->selfcare->retry_at;
                return false;
        }
        return true;
}

static void show(Context *c, int64_t id, const char *summary, const char *body, const NotifierAction *actions,
                 unsigned n_actions) {
        int r = notifier_show(c->notifier, id, summary, body, actions, n_actions);
        if (r < 0)
                log_warning_errno(r, "Cannot show \"%s\": %m", summary);
}

static void show_break(Context *c) {
        SelfCare *s = c->selfcare;
        char worked[32], later[32], body[256];

        duration_format(s->cycle.active, worked, sizeof worked);
        if (s->cycle.settings.postpone % 60 == 0)
                snprintf(later, sizeof later, "In %" PRId64 " min", s->cycle.settings.postpone / 60);
        else {
                char d[24];
                duration_format(s->cycle.settings.postpone, d, sizeof d);
                snprintf(later, sizeof later, "In %s", d);
        }
        snprintf(body, sizeof body, "%s of work since your last break. Stand up, look away from the "
                 "screen, drink some water.", worked);
        const NotifierAction actions[] = {
                { "start-break", "Start break" },
                { "later",       later },
                { "skip",        "Skip" },
        };
        log_info("Break due after %s of activity", worked);
        show(c, SELFCARE_NOTIFY_BREAK, "Time for a break", body, actions, ELEMENTSOF(actions));
}

static void show_welcome(Context *c) {
        char work[32], body[160];
        duration_format(c->selfcare->cycle.settings.work, work, sizeof work);
        snprintf(body, sizeof body, "Break over. The next one comes after %s of work.", work);
        show(c, SELFCARE_NOTIFY_WELCOME, "Welcome back", body, NULL, 0);
}

static void show_pause_suggestion(Context *c, unsigned n) {
        char body[256];
        static const NotifierAction actions[] = {
                { "start-break", "Take a break" },
        };
        snprintf(body, sizeof body, "%u outreach actions today: a good day's work. A pause now keeps the "
                 "search going for the long run.", n);
        log_info("Suggesting a pause after %u outreach actions today", n);
        show(c, SELFCARE_NOTIFY_PAUSE, "Time to pause?", body, actions, ELEMENTSOF(actions));
}

static void show_winddown(Context *c) {
        char body[256];
        unsigned n = outreach_today(c);
        snprintf(body, sizeof body, "%u outreach action%s today. Log who you talked to (netctl log WHO), "
                 "note what you gave and got, and call it a day.", n, n == 1 ? "" : "s");
        log_info("Wind-down reminder");
        show(c, SELFCARE_NOTIFY_WINDDOWN, "Wrap up: log today's conversations", body, NULL, 0);
}

static void winddown_run(Context *c);

static void emit_state_changed(Context *c) {
        SelfCare *s = c->selfcare;
        if (s->reported_phase == s->cycle.phase)
                return;
        s->reported_phase = s->cycle.phase;
        if (c->bus)
                (void) sd_bus_emit_properties_changed(c->bus, NETCTL_OBJECT_PATH, NETCTL_IFACE_BREAKS,
                                                      "State", NULL);
}

static void arm_break_timer(Context *c, int64_t hold_until) {
        SelfCare *s = c->selfcare;
        int64_t next = break_cycle_next_event(&s->cycle);

        /* Something held for quiet time or a retry: look again then. */
        if (hold_until > 0 && (s->break_held || s->winddown_pending || s->pause_pending_day)) {
                int64_t at = to_boot(c, hold_until);
                if (next == 0 || at < next)
                        next = at;
        }
        if (next == 0) {
                (void) sd_event_source_set_enabled(s->break_timer, SD_EVENT_OFF);
                return;
        }
        int r = sd_event_source_set_time(s->break_timer, (uint64_t) (next > 0 ? next : 1) * USEC_PER_SEC);
        if (r >= 0)
                r = sd_event_source_set_enabled(s->break_timer, SD_EVENT_ONESHOT);
        if (r < 0)
                log_warning_errno(r, "Cannot arm the break timer: %m");
}

/* After anything moved the cycle: show or close notes, save what must
 * survive, tell listeners, re-arm. */
static void after_change(Context *c) {
        SelfCare *s = c->selfcare;
        BreakCycle *b = &s->cycle;
        int64_t hold_until = 0;
        bool allowed = allowed_now(c, &hold_until);

        if (b->phase == BREAK_DUE) {
                if (!s->break_shown) {
                        if (allowed) {
                                show_break(c);
                                s->break_shown = true;
                                s->break_held = false;
                        } else
                                s->break_held = true;
                }
        } else {
                s->break_held = false;
                if (s->break_shown) {
                        notifier_close(c->notifier, SELFCARE_NOTIFY_BREAK);
                        s->break_shown = false;
                }
        }

        /* Welcome back only when it can be said now: later it is noise. */
        if (break_cycle_take_welcome(b) && allowed)
                show_welcome(c);

        if (s->pause_pending_day) {
                if (s->pause_pending_day != day_key(context_now(c)))
                        s->pause_pending_day = 0;
                else if (allowed) {
                        s->pause_pending_day = 0;
                        show_pause_suggestion(c, outreach_today(c));
                }
        }
        if (s->winddown_pending && allowed)
                winddown_run(c);

        /* A pause that ended (or was resumed) no longer survives a restart. */
        if (b->phase != BREAK_PAUSED && s->saved.paused) {
                s->saved.paused = false;
                s->saved.paused_until = 0;
                save_state(c);
        }

        emit_state_changed(c);
        arm_break_timer(c, hold_until);
}

/* A suspend shows as CLOCK_BOOTTIME running ahead of CLOCK_MONOTONIC. */
static void check_sleep(SelfCare *s, int64_t now) {
        int64_t offset = clock_usec(CLOCK_BOOTTIME) - clock_usec(CLOCK_MONOTONIC);
        int64_t jump = offset - s->sleep_offset;

        s->sleep_offset = offset;
        if (jump < SLEEP_JUMP_MIN_USEC)
                return;
        int64_t slept = jump / USEC_PER_SEC;
        char d[32];
        duration_format(slept, d, sizeof d);
        log_info("The machine slept for %s; that counts as time away", d);
        break_cycle_sleep(&s->cycle, now - slept, now);
}

/* Brings the cycle up to now and the user's presence, then acts. */
static void selfcare_update(Context *c) {
        SelfCare *s = c->selfcare;
        int64_t now = boot_now();

        check_sleep(s, now);
        break_cycle_set_idle(&s->cycle, presence_idle(s), now);
        after_change(c);
}

static int on_break_timer(sd_event_source *es, uint64_t usec, void *userdata) {
        selfcare_update(userdata);
        return 0;
}

static void on_idle_event(IdleEvent ev, void *userdata) {
        Context *c = userdata;
        if (!c->selfcare)
                return;
        if (ev == IDLE_EVENT_SLEEP) {
                log_info("Going to sleep: time away from now");
                break_cycle_going_to_sleep(&c->selfcare->cycle, boot_now());
        }
        selfcare_update(c);
}

/* The wind-down: due from its time for WINDDOWN_LATE_SECONDS, once a day. */
static void winddown_run(Context *c) {
        SelfCare *s = c->selfcare;
        int minute = c->config.winddown_minute;
        int64_t now = context_now(c);
        int r;

        s->winddown_pending = false;
        if (minute < 0) {
                (void) sd_event_source_set_enabled(s->winddown_timer, SD_EVENT_OFF);
                return;
        }

        int64_t today = day_key(now);
        int64_t at = local_day_minute(now, 0, minute);
        int64_t next;

        if (now < at)
                next = at;
        else {
                if (s->saved.winddown_day != today && now < at + WINDDOWN_LATE_SECONDS) {
                        if (allowed_now(c, NULL)) {
                                show_winddown(c);
                                s->saved.winddown_day = today;
                                save_state(c);
                        } else
                                /* The break timer looks again when quiet
                                 * time ends; the server's resume calls in. */
                                s->winddown_pending = true;
                }
                next = local_day_minute(now, 1, minute);
        }

        r = sd_event_source_set_time(s->winddown_timer, (uint64_t) next * USEC_PER_SEC);
        if (r >= 0)
                r = sd_event_source_set_enabled(s->winddown_timer, SD_EVENT_ONESHOT);
        if (r < 0)
                log_warning_errno(r, "Cannot arm the wind-down timer: %m");
}

static int on_winddown_timer(sd_event_source *es, uint64_t usec, void *userdata) {
        Context *c = userdata;
        winddown_run(c);
        /* A held wind-down needs the break timer to wake at quiet's end. */
        after_change(c);
        return 0;
}

int selfcare_setup(Context *c) {
        SelfCare *s;
        int r;

        s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        c->selfcare = s;

        r = store_selfcare_load(c->store, &s->saved);
        if (r < 0) {
                log_warning_errno(r, "Cannot read the saved break state, starting afresh: %s",
                                  store_last_error(c->store));
                s->saved = (SelfCareState) {};
        }

        int64_t now = boot_now();
        BreakSettings settings = settings_from_config(&c->config);
        break_cycle_init(&s->cycle, &settings, now);
        s->sleep_offset = clock_usec(CLOCK_BOOTTIME) - clock_usec(CLOCK_MONOTONIC);

        /* A pause outlives a restart; one that ended meanwhile is over. */
        if (s->saved.paused) {
                int64_t wall = context_now(c);
                if (s->saved.paused_until == 0)
                        (void) break_cycle_pause(&s->cycle, 0, now);
                else if (s->saved.paused_until > wall)
                        (void) break_cycle_pause(&s->cycle, now + (s->saved.paused_until - wall), now);
        }
        s->reported_phase = s->cycle.phase;

        r = sd_event_add_time(c->event, &s->break_timer, CLOCK_BOOTTIME, UINT64_MAX, 0, on_break_timer, c);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(s->break_timer, "break-timer");
        r = sd_event_add_time(c->event, &s->winddown_timer, CLOCK_REALTIME, UINT64_MAX, 0,
                              on_winddown_timer, c);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(s->winddown_timer, "winddown-timer");

        r = idle_watch_new(c->event, c->bus, c->uid, on_idle_event, c, &s->idle);
        if (r < 0)
                return r;

        winddown_run(c);
        after_change(c);
        return 0;
}

SelfCare *selfcare_free(SelfCare *s) {
        if (!s)
                return NULL;
        idle_watch_free(s->idle);
        sd_event_source_disable_unref(s->break_timer);
        sd_event_source_disable_unref(s->winddown_timer);
        free(s);
        return NULL;
}

void selfcare_config_changed(Context *c) {
        if (!c->selfcare)
                return;
        BreakSettings settings = settings_from_config(&c->config);
        break_cycle_configure(&c->selfcare->cycle, &settings, boot_now());
        winddown_run(c);
        selfcare_update(c);
}

void selfcare_attention_changed(Context *c) {
        if (!c->selfcare)
                return;
        c->selfcare->retry_at = 0;
        selfcare_update(c);
}

void selfcare_note_change(Context *c, const char *change) {
        SelfCare *s = c->selfcare;

        if (!s || c->config.pause_after <= 0)
                return;
        if (strcmp(change, "done") != 0 && strcmp(change, "logged") != 0)
                return;

        int64_t today = day_key(context_now(c));
        if (s->saved.pause_day == today)
                return;
        unsigned n = outreach_today(c);
        if (n < (unsigned) c->config.pause_after)
                return;

        /* Once a day, even when it has to wait for quiet time to end. */
        s->saved.pause_day = today;
        save_state(c);
        if (allowed_now(c, NULL))
                show_pause_suggestion(c, n);
        else {
                s->pause_pending_day = today;
                after_change(c);
        }
}

bool selfcare_on_notifier_event(Context *c, const NotifierEvent *ev) {
        SelfCare *s = c->selfcare;

        if (ev->id > SELFCARE_NOTIFY_BREAK || ev->id < SELFCARE_NOTIFY_PAUSE)
                return false;
        if (!s)
                return true;

        switch (ev->type) {
        case NOTIFIER_SHOWN:
        case NOTIFIER_SERVER_APPEARED:
                break;
        case NOTIFIER_FAILED:
                log_warning("No notification server took a break note (%s)", ev->message);
                /* Again when a server appears or after a while, not in a
                 * loop now. */
                s->retry_at = context_now(c) + RETRY_SECONDS;
                if (ev->id == SELFCARE_NOTIFY_BREAK) {
                        s->break_shown = false;
                        after_change(c);
                }
                break;
        case NOTIFIER_ACTION:
                if (strcmp(ev->action, "start-break") == 0)
                        (void) selfcare_take(c);
                else if (strcmp(ev->action, "later") == 0 && ev->id == SELFCARE_NOTIFY_BREAK) {
                        if (break_cycle_postpone(&s->cycle, boot_now()) >= 0) {
                                s->break_shown = false;
                                log_info("Break postponed");
                        }
                        after_change(c);
                } else if (strcmp(ev->action, "skip") == 0 && ev->id == SELFCARE_NOTIFY_BREAK) {
                        if (break_cycle_skip(&s->cycle, boot_now()) >= 0) {
                                s->break_shown = false;
                                log_info("Break skipped");
                        }
                        after_change(c);
                }
                break;
        }
        return true;
}

int selfcare_take(Context *c) {
        SelfCare *s = c->selfcare;
        if (!s)
                return -EALREADY;
        int r = break_cycle_take(&s->cycle, boot_now());
        if (r < 0)
                return r;
        log_info("Break started");
        after_change(c);
        return 0;
}

int selfcare_pause(Context *c, int64_t seconds) {
        SelfCare *s = c->selfcare;
        int64_t now = boot_now();
        if (!s)
                return -EALREADY;
        int r = break_cycle_pause(&s->cycle, seconds > 0 ? now + seconds : 0, now);
        if (r < 0)
                return r;
        s->saved.paused = true;
        s->saved.paused_until = seconds > 0 ? context_now(c) + seconds : 0;
        save_state(c);
        log_info("Breaks paused%s", seconds > 0 ? "" : " until resumed");
        after_change(c);
        return 0;
}

int selfcare_resume(Context *c) {
        SelfCare *s = c->selfcare;
        if (!s)
                return -EALREADY;
        int r = break_cycle_resume(&s->cycle, boot_now());
        if (r < 0)
                return r;
        log_info("Breaks resumed");
        after_change(c);
        return 0;
}

BreakPhase selfcare_phase(const Context *c) {
        return c->selfcare ? c->selfcare->cycle.phase : BREAK_OFF;
}

int selfcare_status(Context *c, SelfCareStatus *ret) {
        SelfCare *s = c->selfcare;
        if (!s)
                return -ENOENT;

        selfcare_update(c);
        const BreakCycle *b = &s->cycle;
        SelfCareStatus st = {
                .phase = b->phase,
                .idle = b->idle,
                .active = b->active,
                .work = b->settings.work,
                .length = b->settings.length,
                .next_break = to_wall(c, break_cycle_next_break(b)),
                .break_ends = b->phase == BREAK_ON_BREAK ? to_wall(c, b->break_ends) : 0,
                .paused_until = b->phase == BREAK_PAUSED && b->paused_until ?
                                (s->saved.paused_until ? s->saved.paused_until : to_wall(c, b->paused_until)) : 0,
                .last_break = to_wall(c, b->last_break),
                .last_break_kind = b->last_break_kind,
                .winddown_minute = c->config.winddown_minute,
                .outreach_today = outreach_today(c),
                .pause_after = c->config.pause_after,
        };
        idle_watch_describe(s->idle, st.idle_source, sizeof st.idle_source);
        *ret = st;
        return 0;
}
