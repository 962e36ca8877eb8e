/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>
#include <systemd/sd-event.h>

/* Desktop notifications through libnotify, kept off the main loop.
 *
 * libnotify calls the notification server synchronously and delivers
 * ActionInvoked through a GLib main context.  A hung or slow server must
 * never stall the bus API, so libnotify lives in its own thread with its own
 * GMainContext.  The main thread hands requests over with
 * g_main_context_invoke(); the thread answers through a mutex-protected
 * queue and an eventfd that sd-event watches.  The store is touched only by
 * the main thread. */

typedef struct Notifier Notifier;

typedef enum NotifierEventType {
        NOTIFIER_SHOWN,           /* the server accepted reminder `id` */
        NOTIFIER_FAILED,          /* it did not (no server, error, timeout) */
        NOTIFIER_ACTION,          /* the user chose `action` on reminder `id` */
        NOTIFIER_SERVER_APPEARED, /* a notification server took the bus name */
} NotifierEventType;

typedef struct NotifierEvent {
        NotifierEventType type;
        int64_t id;
        char action[32];
        char message[256];
} NotifierEvent;

typedef void (*notifier_event_cb)(const NotifierEvent *ev, void *userdata);

/* One action button: key sent back in NOTIFIER_ACTION, label shown. */
typedef struct NotifierAction {
        const char *key;
        const char *label;
} NotifierAction;

/* Starts the thread and hooks its eventfd into `event`.  Call with the
 * signals the main loop handles already blocked, so the thread inherits
 * the mask and never takes them. */
int notifier_new(sd_event *event, notifier_event_cb cb, void *userdata, Notifier **ret);

/* Stops the thread (waiting at most for an in-flight server call) and
 * frees everything; accepts NULL. */
Notifier *notifier_free(Notifier *n);

/* A NULL notifier (tests and fuzzers without a desktop) shows nothing:
 * notifier_show() returns -ENOTCONN, the others do nothing. */

/* Queues a notification for reminder `id`.  summary and body are plain
 * text.  The summary goes out as it is: the notification spec makes it
 * plain text, and servers that format with markup (dunst's and mako's
 * "<b>%s</b>\n%b") quote it themselves.  The body is markup to a server
 * with the "body-markup" capability: for one it is escaped ("<b>" arrives
 * as "&lt;b&gt;"), to others it goes as it is.  Copies all
 * arguments.  The outcome arrives later as NOTIFIER_SHOWN or
 * NOTIFIER_FAILED. */
int notifier_show(Notifier *n, int64_t id, const char *summary, const char *body,
                  const NotifierAction *actions, unsigned n_actions);

/* The same, sent no earlier than not_before_usec (CLOCK_REALTIME µs; 0:
 * at once).  The schedule hands a reminder over a little before it is due
 * (DELIVERY_LEAD_USEC in schedule.c) so that claiming it and waking this
 * thread are done by then; the notifier thread waits out the rest. */
int notifier_show_at(Notifier *n, uint64_t not_before_usec, int64_t id, const char *summary,
                     const char *body, const NotifierAction *actions, unsigned n_actions);

/* Gives the notification shown for `id` a new summary and body (plain
 * text, as for notifier_show), keeping its actions, if it is still on
 * screen; nothing otherwise. */
void notifier_update(Notifier *n, int64_t id, const char *summary, const char *body);

/* Closes the notification shown for reminder `id`, if any. */
void notifier_close(Notifier *n, int64_t id);

/* The name of the notification server last seen ("dunst"), or "" when
 * none answered yet.  Writes into buf. */
void notifier_server_name(Notifier *n, char *buf, size_t size);
