/* SPDX-License-Identifier: MIT */
#pragma once

#include "context.h"

/* The schedule: one timer for the next due reminder, and what happens when
 * it fires. */

/* Creates the (disabled) timer; call once after the store is open. */
int schedule_setup(Context *c);

/* Re-arms the timer for the earliest pending reminder, or disables it.
 * Call after every change to the schedule; cheap (one indexed query). */
int schedule_arm_next(Context *c);

/* Hands every pending reminder due at or before now to the notifier, with
 * those due within the digest window after the first due one (a digest);
 * nothing at all while none is due. */
int schedule_deliver_due(Context *c);

/* Reminder `id` was done, snoozed or removed through the API: its
 * notification is closed, and so is a digest it was the last open
 * member of. */
void schedule_withdraw(Context *c, int64_t id);

/* The notifier's answers: shown, failed, action chosen, server appeared. */
void schedule_on_notifier_event(const NotifierEvent *ev, void *userdata);

/* The next 09:00 local time after the day holding `now` ("Tomorrow"). */
int64_t schedule_tomorrow_morning(int64_t now);

/* Re-reads the config (SIGHUP, Manager.Reload) and applies it: the old
 * config stays on error.  Returns negative errno with the reason in
 * c->config_error. */
int context_reload(Context *c);

/* Re-plans what depends on the config (the default weak-tie cadence, the
 * meeting prep and thank-you times) if it changed since the schedule was
 * planned, whether by "netctl reload" or while netctld was stopped. */
int schedule_follow_config(Context *c);
