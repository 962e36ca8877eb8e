/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "bus.h"
#include "log.h"
#include "schedule.h"
#include "watch.h"

/* How many reminders one timer expiry hands to the notifier; more simply
 * re-arm the timer for "now" and go round again, so one huge backlog never
 * blocks the bus API for long. */
#define DELIVERY_BATCH 64

/* After a failed delivery, how long until the next try when no new server
 * appears meanwhile. */
#define DELIVERY_RETRY_SECONDS 30

static const NotifierAction followup_actions[] = {
        { "done",      "Done" },
        { "snooze-1h", "Snooze 1h" },
        { "tomorrow",  "Tomorrow" },
};

int64_t schedule_tomorrow_morning(int64_t now) {
        time_t t = (time_t) now;
        struct tm tm;

        if (!localtime_r(&t, &tm))
                return now + 24 * 3600;
        tm.tm_mday += 1;
        tm.tm_hour = 9;
        tm.tm_min = 0;
        tm.tm_sec = 0;
        tm.tm_isdst = -1;
        time_t r = mktime(&tm);
        return r == (time_t) -1 ? now + 24 * 3600 : (int64_t) r;
}

static void schedule_report_status(Context *c, const Followup *next) {
        char when[64] = "";

        if (!next) {
                (void) sd_notify(0, c->notifications_blocked_until ?
                                 "STATUS=Nothing pending; waiting for a notification server" :
                                 "STATUS=Nothing due");
                return;
        }

        time_t t = (time_t) next->due;
        struct tm tm;
        if (localtime_r(&t, &tm))
                strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %Z", &tm);

        /* Keep the status line short: the text may be long. */
        (void) sd_notifyf(0, "STATUS=%sNext due: #%" PRId64 " \"%.60s%s\" at %s",
                          c->notifications_blocked_until ? "Waiting for a notification server. " : "",
                          next->id, next->text, strlen(next->text) > 60 ? "..." : "", when);
}

int schedule_arm_next(Context *c) {
        _cleanup_(followup_clear) Followup next = {};
        int r;

        r = store_next_pending(c->store, &next);
        if (r == -ENOENT) {
                c->next_due = 0;
                c->next_due_id = 0;
                schedule_report_status(c, NULL);
                return sd_event_source_set_enabled(c->due_timer, SD_EVENT_OFF);
        }
        if (r < 0)
                return log_error_errno(r, "Cannot find the next due reminder: %s",
                                       store_last_error(c->store));

        c->next_due = next.due;
        c->next_due_id = next.id;
        schedule_report_status(c, &next);

        /* While no server takes reminders, wait for one to appear (or for
         * the retry time) rather than spin on reminders already due. */
        int64_t at = next.due;
        if (c->notifications_blocked_until > at)
                at = c->notifications_blocked_until;

        /* An absolute wall-clock time: after a suspend or a clock change the
         * kernel fires it when the wall clock reaches it, no special case. */
        uint64_t usec = at > 0 ? (uint64_t) at * 1000000ULL : 1;
        r = sd_event_source_set_time(c->due_timer, usec);
        if (r < 0)
                return log_error_errno(r, "Cannot arm the timer: %m");
        return sd_event_source_set_enabled(c->due_timer, SD_EVENT_ONESHOT);
}

static int deliver_one(const Followup *f, void *userdata) {
        Context *c = userdata;
        char body[160];

        snprintf(body, sizeof body, "Follow-up #%" PRId64, f->id);
        int r = notifier_show(c->notifier, f->id, f->text, body,
                              followup_actions, ELEMENTSOF(followup_actions));
        if (r < 0)
                log_warning_errno(r, "Cannot queue reminder #%" PRId64 ": %m", f->id);
        return 0;
}

int schedule_deliver_due(Context *c) {
        int64_t now = context_now(c);

        if (c->notifications_blocked_until > now)
                return 0;
        c->notifications_blocked_until = 0;

        int r = store_claim_due(c->store, now, DELIVERY_BATCH, deliver_one, c);
        if (r < 0)
                return log_error_errno(r, "Cannot claim due reminders: %s", store_last_error(c->store));
        if (r > 0)
                log_debug("Handed %d reminder(s) to the notification server", r);
        return 0;
}

static int on_due_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Context *c = userdata;

        (void) schedule_deliver_due(c);
        (void) schedule_arm_next(c);
        return 0;
}

int schedule_setup(Context *c) {
        /* Accuracy of 1 µs: the default 250 ms slack would make reminders
         * late for no benefit; we wake once per reminder anyway. */
        int r = sd_event_add_time(c->event, &c->due_timer, CLOCK_REALTIME, UINT64_MAX, 1,
                                  on_due_timer, c);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(c->due_timer, "due-timer");
        return sd_event_source_set_enabled(c->due_timer, SD_EVENT_OFF);
}

static void schedule_apply_action(Context *c, int64_t id, const char *action) {
        int64_t now = context_now(c);
        const char *change;
        int r;

        if (strcmp(action, "done") == 0) {
                int64_t next_id = 0;
                r = store_followup_done(c->store, id, now, &next_id);
                change = "done";
                if (r >= 0 && next_id > 0)
                        bus_emit_changed(c, next_id, "added");
        } else if (strcmp(action, "snooze-1h") == 0) {
                r = store_followup_snooze(c->store, id, now + 3600, now);
                change = "snoozed";
        } else if (strcmp(action, "tomorrow") == 0) {
                r = store_followup_snooze(c->store, id, schedule_tomorrow_morning(now), now);
                change = "snoozed";
        } else
                /* "default" (a click on the body) and anything unknown. */
                return;

        if (r == -EALREADY || r == -ENOENT) {
                log_info("Action %s on reminder #%" PRId64 " ignored: %s", action, id,
                         store_last_error(c->store));
                return;
        }
        if (r < 0) {
                log_error_errno(r, "Cannot apply %s to reminder #%" PRId64 ": %s", action, id,
                                store_last_error(c->store));
                return;
        }

        log_info("Reminder #%" PRId64 ": %s from the notification", id, change);
        bus_emit_changed(c, id, change);
        (void) schedule_arm_next(c);
}

void schedule_on_notifier_event(const NotifierEvent *ev, void *userdata) {
        Context *c = userdata;
        int r;

        switch (ev->type) {
        case NOTIFIER_SHOWN:
                r = store_reminder_shown(c->store, ev->id, context_now(c));
                if (r < 0)
                        log_error_errno(r, "Cannot record reminder #%" PRId64 " as shown: %s", ev->id,
                                        store_last_error(c->store));
                bus_emit_changed(c, ev->id, "notified");
                break;

        case NOTIFIER_FAILED:
                /* Keep it pending; it goes out when a server appears. */
                r = store_reminder_unclaim(c->store, ev->id);
                if (r < 0)
                        log_error_errno(r, "Cannot return reminder #%" PRId64 " to pending: %s", ev->id,
                                        store_last_error(c->store));
                if (c->notifications_blocked_until == 0)
                        log_warning("No notification server took reminder #%" PRId64 " (%s); "
                                    "holding reminders until one appears", ev->id, ev->message);
                c->notifications_blocked_until = context_now(c) + DELIVERY_RETRY_SECONDS;
                (void) schedule_arm_next(c);
                break;

        case NOTIFIER_SERVER_APPEARED:
                if (c->notifications_blocked_until != 0)
                        log_info("A notification server appeared; delivering held reminders");
                c->notifications_blocked_until = 0;
                (void) schedule_arm_next(c);
                break;

        case NOTIFIER_ACTION:
                schedule_apply_action(c, ev->id, ev->action);
                break;
        }
}

int context_reload(Context *c) {
        int r = context_load_config(c);
        if (r < 0)
                return log_warning_errno(r, "Config not reloaded, keeping the one in force: %s",
                                         c->config_error);
        log_info("Config reloaded from %s", c->config_path);
        /* The watched directories may have changed. */
        (void) watch_setup(c);
        (void) schedule_arm_next(c);
        return 0;
}
