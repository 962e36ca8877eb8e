/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "attention.h"
#include "bus-contacts.h"
#include "bus.h"
#include "calendar.h"
#include "log.h"
#include "goals.h"
#include "schedule.h"
#include "selfcare.h"
#include "sync.h"
#include "watch.h"

/* How many reminders one timer expiry hands to the notifier; more simply
 * re-arm the timer for "now" and go round again, so one huge backlog never
 * blocks the bus API for long. */
#define DELIVERY_BATCH 64

/* How long before its due time a reminder is claimed and handed to the
 * notifier thread, which then sends it when the time comes
 * (notifier_show_at()).  The timer's wake-up, the claim's commit and the
 * hand-over to another thread each wait for a CPU, milliseconds on a busy
 * machine; done ahead, they no longer make the reminder late.  Claimed
 * early is still shown on time, never before: the notifier waits for the
 * due instant.  Due times are whole seconds, so the lead must stay well
 * under one. */
#define DELIVERY_LEAD_USEC (50 * 1000ULL)

/* After a failed delivery, how long until the next try when no new server
 * appears meanwhile. */
#define DELIVERY_RETRY_SECONDS 30

static const NotifierAction followup_actions[] = {
        { "done",      "Done" },
        { "snooze-1h", "Snooze 1h" },
        { "tomorrow",  "Tomorrow" },
};

/* Keep-in-touch reminders ("reconnect" rows). */
static const NotifierAction reconnect_actions[] = {
        { "logged",    "Logged it" },
        { "snooze-1w", "Snooze 1w" },
        { "skip",      "Skip this time" },
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
        tzset();        /* the zone may have changed since the last time */
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

        /* All-day and floating meetings follow a zone change before the
         * next due reminder is chosen. */
        (void) calendar_check_zone(c);

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

        /* Held by quiet time: wake when it ends, not at the due time.  Held
         * by the server's own pause: no timer at all; its end re-arms us
         * (attention.c).  Either way the reminder stays pending in the
         * store, so a restart meanwhile loses and repeats nothing. */
        int64_t now = context_now(c), quiet_end = 0;
        HoldReason hold = attention_hold(c, at > now ? at : now, &quiet_end);
        if (hold == HOLD_SERVER_PAUSED || hold == HOLD_SERVER_INHIBITED)
                return sd_event_source_set_enabled(c->due_timer, SD_EVENT_OFF);
        if (hold == HOLD_QUIET && quiet_end > at)
                at = quiet_end;

        /* An absolute wall-clock time: after a suspend or a clock change the
         * kernel fires it when the wall clock reaches it, no special case. */
        uint64_t usec = (uint64_t) (at > 0 ? at : 0) * 1000000ULL;
        usec = usec > DELIVERY_LEAD_USEC ? usec - DELIVERY_LEAD_USEC : 1;
        r = sd_event_source_set_time(c->due_timer, usec);
        if (r < 0)
                return log_error_errno(r, "Cannot arm the timer: %m");
        return sd_event_source_set_enabled(c->due_timer, SD_EVENT_ONESHOT);
}

/* Sends one reminder at not_before_usec (see DELIVERY_LEAD_USEC). */
static int deliver_one(Context *c, const Followup *f, uint64_t not_before_usec) {
        char body[160];

        if (strcmp(f->kind, FOLLOWUP_KIND_RECONNECT) == 0) {
                char summary[512];
                /* Told fresh at delivery: the last contact and what came
                 * of it, as they are now. */
                contacts_reconnect_summary(c, f, summary, sizeof summary);
                snprintf(body, sizeof body, "A short hello keeps a tie warm. (#%" PRId64 ")", f->id);
                int r = notifier_show_at(c->notifier, not_before_usec, f->id, summary, body,
                                         reconnect_actions, ELEMENTSOF(reconnect_actions));
                if (r < 0)
                        log_warning_errno_fields(r, LOG_FIELDS({ "NETCTL_FOLLOWUP_ID", LOG_ID(f->id) }),
                                                 "Cannot queue reminder #%" PRId64 ": %m", f->id);
                return 0;
        }

        snprintf(body, sizeof body, "Follow-up #%" PRId64, f->id);
        int r = notifier_show_at(c->notifier, not_before_usec, f->id, f->text, body,
                                 followup_actions, ELEMENTSOF(followup_actions));
        if (r < 0)
                log_warning_errno_fields(r, LOG_FIELDS({ "NETCTL_FOLLOWUP_ID", LOG_ID(f->id) }),
                                         "Cannot queue reminder #%" PRId64 ": %m", f->id);
        return 0;
}

/* Several reminders in one notification. */
static const NotifierAction digest_actions[] = {
        { "snooze-1h", "Snooze all 1h" },
        { "tomorrow",  "All tomorrow" },
};

/* The reminders one claim handed over, copied: one of them goes out as
 * itself, several as a digest. */
typedef struct Claimed {
        Context *context;
        Followup items[DELIVERY_BATCH];
        size_t n;
} Claimed;

static int collect_claimed(const Followup *f, void *userdata) {
        Claimed *cl = userdata;

        if (cl->n < ELEMENTSOF(cl->items)) {
                Followup *copy = &cl->items[cl->n];
                *copy = (Followup) {
                        .id = f->id, .due = f->due, .uid = strdup(f->uid), .text = strdup(f->text),
                        .kind = strdup(f->kind), .contact = f->contact ? strdup(f->contact) : NULL,
                        .notify_state = f->notify_state,
                };
                if (copy->uid && copy->text && copy->kind && (!f->contact || copy->contact)) {
                        cl->n++;
                        return 0;
                }
                followup_clear(copy);
        }
        /* Not kept: back to pending, to go out next time. */
        (void) store_reminder_unclaim(cl->context->store, f->id);
        return 0;
}

/* The summary and body of a digest of these reminders; a keep-in-touch
 * reminder shows what it says about its contact. */
static void digest_text(Context *c, const Followup *items, size_t n, char *summary, size_t summary_size,
                        char *body, size_t body_size) {
        DigestItem entries[DELIVERY_BATCH] = {};
        char *texts[DELIVERY_BATCH] = {};

        if (n > DELIVERY_BATCH)
                n = DELIVERY_BATCH;
        for (size_t i = 0; i < n; i++) {
                entries[i] = (DigestItem) { .id = items[i].id, .text = items[i].text };
                if (strcmp(items[i].kind, FOLLOWUP_KIND_RECONNECT) == 0) {
                        texts[i] = malloc(512);
                        if (texts[i]) {
                                contacts_reconnect_summary(c, &items[i], texts[i], 512);
                                entries[i].text = texts[i];
                        }
                }
        }
        digest_format(entries, n, summary, summary_size, body, body_size);
        for (size_t i = 0; i < n; i++)
                free(texts[i]);
}

static void deliver_digest(Context *c, const Followup *items, size_t n, uint64_t not_before_usec) {
        int64_t ids[DELIVERY_BATCH] = {};
        char summary[64], body[4096];
        int64_t digest_id;

        for (size_t i = 0; i < n; i++)
                ids[i] = items[i].id;

        if (!c->attention || digest_table_add(&c->attention->digests, ids, n, &digest_id) < 0) {
                /* Cannot track a digest: one notification each, as ever. */
                for (size_t i = 0; i < n; i++)
                        (void) deliver_one(c, &items[i], not_before_usec);
                return;
        }
        digest_text(c, items, n, summary, sizeof summary, body, sizeof body);
        log_info("Gathered %zu due reminders into one notification", n);
        int r = notifier_show_at(c->notifier, not_before_usec, digest_id, summary, body, digest_actions,
                                 ELEMENTSOF(digest_actions));
        if (r < 0)
                log_warning_errno(r, "Cannot queue a digest of %zu reminders: %m", n);
}

int schedule_deliver_due(Context *c) {
        /* The timer fires DELIVERY_LEAD_USEC ahead: "now" is the second it
         * reaches into, and what is due then goes out when that second
         * begins. */
        int64_t now = (int64_t) ((context_now_usec(c) + DELIVERY_LEAD_USEC) / 1000000ULL);
        uint64_t send_at = (uint64_t) now * 1000000ULL;

        if (c->notifications_blocked_until > now)
                return 0;
        c->notifications_blocked_until = 0;

        /* Quiet time or a paused server: schedule_arm_next() waits for the
         * end; everything due stays pending meanwhile. */
        if (attention_hold(c, now, NULL) != HOLD_NONE)
                return 0;

        /* Reminders due within the digest window come along with the first:
         * one notification instead of several in a row.  Only with a first
         * that is due: while nothing is due yet, nothing goes out early. */
        _cleanup_(followup_clear) Followup first = {};
        int r = store_next_pending(c->store, &first);
        if (r == -ENOENT || (r >= 0 && first.due > now))
                return 0;
        if (r < 0)
                return log_error_errno(r, "Cannot find the due reminders: %s", store_last_error(c->store));

        Claimed *claimed = calloc(1, sizeof *claimed);
        if (!claimed)
                return log_error_errno(-ENOMEM, "Cannot deliver reminders: %m");
        claimed->context = c;
        r = store_claim_due(c->store, now + attention_digest_lookahead(c, now), DELIVERY_BATCH,
                                collect_claimed, claimed);
        if (r < 0)
                log_error_errno(r, "Cannot claim due reminders: %s", store_last_error(c->store));
        else if (claimed->n == 1)
                (void) deliver_one(c, &claimed->items[0], send_at);
        else if (claimed->n > 1)
                deliver_digest(c, claimed->items, claimed->n, send_at);
        if (claimed->n > 0)
                log_debug("Handed %zu reminder(s) to the notification server", claimed->n);

        for (size_t i = 0; i < claimed->n; i++)
                followup_clear(&claimed->items[i]);
        free(claimed);
        return r < 0 ? r : 0;
}

/* A digest that lost a member to a change made elsewhere: closed when none
 * is left, otherwise shown again in place with the ones left, so that the
 * screen does not list what is already done. */
static void digest_refresh(Context *c, int64_t digest_id) {
        Followup items[DELIVERY_BATCH] = {};
        char summary[64], body[4096];
        size_t n, kept = 0;

        const int64_t *members = digest_table_get(&c->attention->digests, digest_id, &n);
        if (!members) {
                notifier_close(c->notifier, digest_id);
                return;
        }
        for (size_t i = 0; i < n && kept < ELEMENTSOF(items); i++)
                if (store_followup_get(c->store, members[i], &items[kept]) >= 0)
                        kept++;
        if (kept > 0) {
                digest_text(c, items, kept, summary, sizeof summary, body, sizeof body);
                notifier_update(c->notifier, digest_id, summary, body);
        }
        for (size_t i = 0; i < kept; i++)
                followup_clear(&items[i]);
}

void schedule_withdraw(Context *c, int64_t id) {
        int64_t touched[DIGESTS_KEPT];

        notifier_close(c->notifier, id);
        if (!c->attention)
                return;
        size_t n = digest_table_drop_member(&c->attention->digests, id, touched, ELEMENTSOF(touched));
        for (size_t i = 0; i < n; i++)
                digest_refresh(c, touched[i]);
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

/* "Logged it" and "Skip this time" on a reconnect reminder; on success
 * the change is signalled and the timer re-armed here. */
static int schedule_reconnect_action(Context *c, int64_t id, const char *action, int64_t now) {
        ReconnectChange change = {};
        int64_t interaction_id = 0;
        int r;

        if (strcmp(action, "logged") == 0)
                r = store_reconnect_logged(c->store, id, contacts_weak_cadence(c), now, &interaction_id,
                                           &change);
        else
                r = store_reconnect_skip(c->store, id, contacts_weak_cadence(c), now, &change);
        if (r < 0)
                return r;

        log_info_fields(LOG_FIELDS({ "NETCTL_FOLLOWUP_ID", LOG_ID(id) }, { "NETCTL_ACTION", action }),
                        "Reminder #%" PRId64 ": %s from the notification", id,
                        interaction_id ? "interaction logged" : "skipped this time");
        contacts_reconnect_changed(c, &change);
        contacts_emit_changed(c, 0, interaction_id ? "logged" : "edited");
        return 0;
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
        } else if (strcmp(action, "snooze-1w") == 0) {
                r = store_followup_snooze(c->store, id, now + 7 * 24 * 3600, now);
                change = "snoozed";
        } else if (strcmp(action, "logged") == 0 || strcmp(action, "skip") == 0) {
                r = schedule_reconnect_action(c, id, action, now);
                if (r >= 0)
                        return;
                change = action;
        } else
                /* "default" (a click on the body) and anything unknown. */
                return;

        if (r == -EALREADY || r == -ENOENT) {
                log_info_fields(LOG_FIELDS({ "NETCTL_FOLLOWUP_ID", LOG_ID(id) }, { "NETCTL_ACTION", action }),
                                "Action %s on reminder #%" PRId64 " ignored: %s", action, id,
                         store_last_error(c->store));
                return;
        }
        if (r < 0) {
                log_error_errno_fields(r, LOG_FIELDS({ "NETCTL_FOLLOWUP_ID", LOG_ID(id) }, { "NETCTL_ACTION", action }),
                                       "Cannot apply %s to reminder #%" PRId64 ": %s", action, id,
                                store_last_error(c->store));
                return;
        }

        log_info_fields(LOG_FIELDS({ "NETCTL_FOLLOWUP_ID", LOG_ID(id) }, { "NETCTL_ACTION", action }),
                        "Reminder #%" PRId64 ": %s from the notification", id, change);
        bus_emit_changed(c, id, change);
        (void) schedule_arm_next(c);
}

/* Events for a digest apply to each reminder in it. */
static void schedule_on_digest_event(Context *c, const NotifierEvent *ev) {
        int64_t ids[DELIVERY_BATCH];
        size_t n = 0;
        int r;

        const int64_t *members = c->attention ? digest_table_get(&c->attention->digests, ev->id, &n) : NULL;
        if (!members || n > ELEMENTSOF(ids))
                return;
        /* Copied: applying an action re-arms, which may deliver. */
        memcpy(ids, members, n * sizeof ids[0]);

        switch (ev->type) {
        case NOTIFIER_SHOWN:
                for (size_t i = 0; i < n; i++) {
                        r = store_reminder_shown(c->store, ids[i], context_now(c));
                        if (r < 0)
                                log_error_errno(r, "Cannot record reminder #%" PRId64 " as shown: %s", ids[i],
                                                store_last_error(c->store));
                        bus_emit_changed(c, ids[i], "notified");
                }
                break;

        case NOTIFIER_FAILED:
                digest_table_remove(&c->attention->digests, ev->id);
                for (size_t i = 0; i < n; i++) {
                        r = store_reminder_unclaim(c->store, ids[i]);
                        if (r < 0)
                                log_error_errno(r, "Cannot return reminder #%" PRId64 " to pending: %s", ids[i],
                                                store_last_error(c->store));
                }
                if (c->notifications_blocked_until == 0)
                        log_warning("No notification server took a digest of %zu reminders (%s); "
                                    "holding reminders until one appears", n, ev->message);
                c->notifications_blocked_until = context_now(c) + DELIVERY_RETRY_SECONDS;
                (void) schedule_arm_next(c);
                break;

        case NOTIFIER_ACTION:
                for (size_t i = 0; i < n; i++) {
                        _cleanup_(followup_clear) Followup f = {};
                        /* Done meanwhile (netctl done): leave it done. */
                        if (store_followup_get(c->store, ids[i], &f) < 0 || f.done_at != 0)
                                continue;
                        schedule_apply_action(c, ids[i], ev->action);
                }
                break;

        case NOTIFIER_SERVER_APPEARED:
                break;
        }
}

void schedule_on_notifier_event(const NotifierEvent *ev, void *userdata) {
        Context *c = userdata;
        int r;

        /* Break notes and digests have negative ids of their own. */
        if (selfcare_on_notifier_event(c, ev))
                return;
        /* The weekly nudge is shown once, or not at all: nothing to record. */
        if (ev->id == GOALS_NOTIFY_ID)
                return;
        if (digest_id_is(ev->id)) {
                schedule_on_digest_event(c, ev);
                return;
        }

        switch (ev->type) {
        case NOTIFIER_SHOWN:
                r = store_reminder_shown(c->store, ev->id, context_now(c));
                if (r < 0)
                        log_error_errno_fields(r, LOG_FIELDS({ "NETCTL_FOLLOWUP_ID", LOG_ID(ev->id) }),
                                               "Cannot record reminder #%" PRId64 " as shown: %s", ev->id,
                                        store_last_error(c->store));
                bus_emit_changed(c, ev->id, "notified");
                break;

        case NOTIFIER_FAILED:
                /* Keep it pending; it goes out when a server appears. */
                r = store_reminder_unclaim(c->store, ev->id);
                if (r < 0)
                        log_error_errno_fields(r, LOG_FIELDS({ "NETCTL_FOLLOWUP_ID", LOG_ID(ev->id) }),
                                               "Cannot return reminder #%" PRId64 " to pending: %s", ev->id,
                                        store_last_error(c->store));
                if (c->notifications_blocked_until == 0)
                        log_warning_fields(LOG_FIELDS({ "NETCTL_FOLLOWUP_ID", LOG_ID(ev->id) }),
                                           "No notification server took reminder #%" PRId64 " (%s); "
                                    "holding reminders until one appears", ev->id, ev->message);
                c->notifications_blocked_until = context_now(c) + DELIVERY_RETRY_SECONDS;
                (void) schedule_arm_next(c);
                break;

        case NOTIFIER_SERVER_APPEARED:
                if (c->notifications_blocked_until != 0)
                        log_info("A notification server appeared; delivering held reminders");
                c->notifications_blocked_until = 0;
                (void) schedule_arm_next(c);
                selfcare_attention_changed(c);
                break;

        case NOTIFIER_ACTION:
                schedule_apply_action(c, ev->id, ev->action);
                break;
        }
}

/* The config values the schedule was planned with are kept in the store,
 * so that a change made while netctld was stopped is applied at the next
 * start just as one made with "netctl reload" is. */
static const char *const planned_meeting_times[] = {
        "planned.prep_before", "planned.thanks_after", "planned.thanks_night_start", "planned.thanks_morning",
};

typedef enum PlannedState {
        PLANNED_SAME,           /* saved, and what is in force now */
        PLANNED_CHANGED,        /* saved, and something changed since */
        PLANNED_UNSAVED,        /* a database from before they were kept, or
                                 * a new one: the schedule was planned with
                                 * what is in force now, the best guess */
} PlannedState;

static PlannedState planned_state(Context *c, const char *const *names, const int64_t *values, size_t n) {
        PlannedState state = PLANNED_SAME;
        for (size_t i = 0; i < n; i++) {
                int64_t saved;
                if (store_setting_get(c->store, names[i], &saved) < 0)
                        return PLANNED_UNSAVED;
                if (saved != values[i])
                        state = PLANNED_CHANGED;
        }
        return state;
}

static void planned_save(Context *c, const char *const *names, const int64_t *values, size_t n) {
        int r = store_batch_begin(c->store);
        for (size_t i = 0; i < n && r >= 0; i++)
                r = store_setting_set(c->store, names[i], values[i]);
        if (r >= 0)
                r = store_batch_commit(c->store);
        else
                store_batch_rollback(c->store);
        if (r < 0)
                log_warning_errno(r, "Cannot save the settings the schedule was planned with: %s",
                                  store_last_error(c->store));
}

int schedule_follow_config(Context *c) {
        static const char *const weak_name[] = { "planned.weak_cadence" };
        const int64_t weak[] = { contacts_weak_cadence(c) };
        const int64_t times[] = {
                c->config.prep_before, c->config.thanks_after,
                c->config.thanks_night_start, c->config.thanks_morning,
        };
        int r;

        /* Weak ties on the default cadence follow a new default. */
        PlannedState state = planned_state(c, weak_name, weak, 1);
        if (state == PLANNED_CHANGED) {
                r = store_reconnect_resync_default(c->store, weak[0], context_now(c));
                if (r < 0)
                        return log_warning_errno(r, "Cannot reschedule keep-in-touch reminders: %s",
                                                 store_last_error(c->store));
                if (r > 0) {
                        log_info("Rescheduled %d keep-in-touch reminder(s) for the new weak_cadence", r);
                        bus_emit_changed(c, 0, "edited");
                }
        }
        if (state != PLANNED_SAME)
                planned_save(c, weak_name, weak, 1);

        /* Meetings' prep and thank-you reminders follow new times. */
        state = planned_state(c, planned_meeting_times, times, ELEMENTSOF(times));
        if (state == PLANNED_CHANGED) {
                r = calendar_reminder_times_changed(c);
                if (r < 0)
                        return r;
        }
        if (state != PLANNED_SAME)
                planned_save(c, planned_meeting_times, times, ELEMENTSOF(times));
        return 0;
}

int context_reload(Context *c) {
        int r = context_load_config(c);
        if (r < 0)
                return log_warning_errno_fields(r, LOG_FIELDS({ "NETCTL_FILE", c->config_path }),
                                                "Config not reloaded, keeping the one in force: %s",
                                         c->config_error);
        log_info_fields(LOG_FIELDS({ "NETCTL_FILE", c->config_path }), "Config reloaded from %s", c->config_path);
        /* Keep-in-touch and meeting reminders follow changed cadences and
         * times. */
        (void) schedule_follow_config(c);
        /* The watched directories and the nudge time may have changed. */
        (void) watch_setup(c);
        (void) sync_setup(c);
        (void) goals_setup(c);
        /* So may the break cycle, the quiet hours and the digest window. */
        selfcare_config_changed(c);
        (void) schedule_arm_next(c);
        return 0;
}
