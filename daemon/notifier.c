/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <glib.h>
#include <libnotify/notify.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "notifier.h"

#define NOTIFICATIONS_BUS_NAME "org.freedesktop.Notifications"
#define NOTIFIER_MAX_ACTIONS 4

/* The longest a show request waits for its time (see notifier_show_at());
 * anything further off means the wall clock was set back after the
 * reminder was claimed, and it goes out at once rather than hold up every
 * other notification. */
#define NOTIFIER_MAX_WAIT_USEC (1000 * 1000ULL)

struct Notifier {
        /* Owned by the main thread. */
        sd_event_source *event_source;
        notifier_event_cb cb;
        void *userdata;
        pthread_t thread;
        bool thread_started;
        int efd;

        /* Shared: the answers travelling to the main thread. */
        GMutex lock;
        GQueue events;              /* of NotifierEvent* */
        char server_name[64];

        /* Owned by the notifier thread (created before it starts). */
        GMainContext *context;
        GMainLoop *loop;
        GHashTable *shown;          /* reminder id (gint64*) -> NotifyNotification* */
        guint watch_id;
        /* Whether the server on the bus reads bodies as markup ("body-markup"
         * in its capabilities); asked once per server. */
        bool caps_known;
        bool body_markup;
};

typedef struct ShowRequest {
        Notifier *notifier;
        int64_t id;
        uint64_t not_before_usec;   /* CLOCK_REALTIME; 0: at once */
        char *summary;
        char *body;
        unsigned n_actions;
        char *action_key[NOTIFIER_MAX_ACTIONS];
        char *action_label[NOTIFIER_MAX_ACTIONS];
} ShowRequest;

typedef struct CloseRequest {
        Notifier *notifier;
        int64_t id;
} CloseRequest;

static void show_request_free(ShowRequest *req) {
        if (!req)
                return;
        g_free(req->summary);
        g_free(req->body);
        for (unsigned i = 0; i < req->n_actions; i++) {
                g_free(req->action_key[i]);
                g_free(req->action_label[i]);
        }
        g_free(req);
}

/* Notifier thread -> main thread. */
static void notifier_post(Notifier *n, NotifierEventType type, int64_t id, const char *action,
                          const char *message) {
        NotifierEvent *ev = g_new0(NotifierEvent, 1);
        ev->type = type;
        ev->id = id;
        if (action)
                g_strlcpy(ev->action, action, sizeof ev->action);
        if (message)
                g_strlcpy(ev->message, message, sizeof ev->message);

        g_mutex_lock(&n->lock);
        g_queue_push_tail(&n->events, ev);
        g_mutex_unlock(&n->lock);

        uint64_t one = 1;
        /* The counter only wakes the main loop; a failed write would mean
         * the counter is saturated, which still wakes it. */
        (void) !write(n->efd, &one, sizeof one);
}

static void notifier_update_server_name(Notifier *n) {
        char *name = NULL;

        if (!notify_get_server_info(&name, NULL, NULL, NULL))
                return;
        g_mutex_lock(&n->lock);
        g_strlcpy(n->server_name, name ? name : "", sizeof n->server_name);
        g_mutex_unlock(&n->lock);
        g_free(name);
}

static int64_t notification_reminder_id(NotifyNotification *nn) {
        gint64 *id = g_object_get_data(G_OBJECT(nn), "netctl-id");
        return id ? *id : 0;
}

static void on_action(NotifyNotification *nn, char *action, gpointer userdata) {
        Notifier *n = userdata;
        notifier_post(n, NOTIFIER_ACTION, notification_reminder_id(nn), action, NULL);
}

static gboolean forget_notification(gpointer userdata) {
        NotifyNotification *nn = userdata;
        Notifier *n = g_object_get_data(G_OBJECT(nn), "netctl-notifier");
        gint64 id = notification_reminder_id(nn);

        /* Only drop the entry if it still maps to this very notification: a
         * newer reminder for the same id may have replaced it. */
        if (g_hash_table_lookup(n->shown, &id) == nn)
                g_hash_table_remove(n->shown, &id);
        g_object_unref(nn);
        return G_SOURCE_REMOVE;
}

static void on_closed(NotifyNotification *nn, gpointer userdata) {
        Notifier *n = userdata;
        /* libnotify is still emitting on this object; forget it from an idle
         * callback rather than dropping our reference mid-emission. */
        GSource *idle = g_idle_source_new();
        g_source_set_callback(idle, forget_notification, g_object_ref(nn), NULL);
        g_source_attach(idle, n->context);
        g_source_unref(idle);
}

static uint64_t realtime_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000;
}

/* Sleeps until the wall clock reads `usec`.  An absolute CLOCK_REALTIME
 * sleep ends when the clock gets there, whatever it is set to meanwhile. */
static void wait_for_realtime(uint64_t usec) {
        for (;;) {
                uint64_t now = realtime_usec();
                if (now >= usec || usec - now > NOTIFIER_MAX_WAIT_USEC)
                        return;
                struct timespec at = {
                        .tv_sec = (time_t) (usec / 1000000ULL),
                        .tv_nsec = (long) (usec % 1000000ULL) * 1000L,
                };
                int r = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &at, NULL);
                if (r != 0 && r != EINTR)
                        return;
        }
}

static bool server_reads_body_markup(Notifier *n) {
        if (!n->caps_known) {
                GList *caps = notify_get_server_caps();
                /* No answer (no server yet): assume markup, as most servers
                 * do; escaped text is merely ugly, raw markup is wrong. */
                n->body_markup = caps == NULL ||
                        g_list_find_custom(caps, "body-markup", (GCompareFunc) strcmp) != NULL;
                n->caps_known = caps != NULL;
                g_list_free_full(caps, g_free);
        }
        return n->body_markup;
}

/* The body is markup to most servers: escape it so a follow-up text such
 * as "<b>" or "&amp;" shows as written, but only for a server that says
 * so; one without "body-markup" would show "&amp;".  The summary is plain
 * text by the spec (and dunst and mako quote it into their markup
 * format), so escaping it would show "&amp;" literally. */
static char *body_for_server(Notifier *n, const char *body) {
        return body && server_reads_body_markup(n) ? g_markup_escape_text(body, -1) : g_strdup(body);
}

static gboolean do_show(gpointer userdata) {
        ShowRequest *req = userdata;
        Notifier *n = req->notifier;
        g_autoptr(GError) error = NULL;

        g_autofree char *body = body_for_server(n, req->body);
        NotifyNotification *nn = notify_notification_new(req->summary, body, "appointment-soon");

        gint64 *id = g_new(gint64, 1);
        *id = req->id;
        g_object_set_data_full(G_OBJECT(nn), "netctl-id", id, g_free);
        g_object_set_data(G_OBJECT(nn), "netctl-notifier", n);
        notify_notification_set_category(nn, "reminder");
        notify_notification_set_hint(nn, "desktop-entry", g_variant_new_string("netctl"));
        /* A reminder waits for the user, as a calendar alarm does. */
        notify_notification_set_timeout(nn, NOTIFY_EXPIRES_NEVER);
        for (unsigned i = 0; i < req->n_actions; i++)
                notify_notification_add_action(nn, req->action_key[i], req->action_label[i],
                                               on_action, n, NULL);
        g_signal_connect(nn, "closed", G_CALLBACK(on_closed), n);

        /* Everything is ready: what is left between the due time and the
         * call on the bus is libnotify's send. */
        if (req->not_before_usec > 0)
                wait_for_realtime(req->not_before_usec);

        if (!notify_notification_show(nn, &error)) {
                notifier_post(n, NOTIFIER_FAILED, req->id, NULL, error ? error->message : "unknown error");
                g_object_unref(nn);
        } else {
                gint64 *key = g_new(gint64, 1);
                *key = req->id;
                g_hash_table_replace(n->shown, key, nn);
                if (n->server_name[0] == '\0')
                        notifier_update_server_name(n);
                notifier_post(n, NOTIFIER_SHOWN, req->id, NULL, NULL);
        }

        show_request_free(req);
        return G_SOURCE_REMOVE;
}

/* A notification still on screen takes the new text in place: libnotify
 * sends Notify again with the server's id for it as replaces_id, and its
 * actions stay.  One the user closed meanwhile stays closed. */
static gboolean do_update(gpointer userdata) {
        ShowRequest *req = userdata;
        gint64 id = req->id;
        NotifyNotification *nn = g_hash_table_lookup(req->notifier->shown, &id);

        if (nn) {
                g_autofree char *body = body_for_server(req->notifier, req->body);
                if (notify_notification_update(nn, req->summary, body, "appointment-soon"))
                        (void) notify_notification_show(nn, NULL);
        }
        show_request_free(req);
        return G_SOURCE_REMOVE;
}

static gboolean do_close(gpointer userdata) {
        CloseRequest *req = userdata;
        gint64 id = req->id;
        NotifyNotification *nn = g_hash_table_lookup(req->notifier->shown, &id);

        if (nn)
                (void) notify_notification_close(nn, NULL);
        g_free(req);
        return G_SOURCE_REMOVE;
}

static gboolean do_quit(gpointer userdata) {
        Notifier *n = userdata;
        g_main_loop_quit(n->loop);
        return G_SOURCE_REMOVE;
}

static void on_server_appeared(GDBusConnection *c, const char *name, const char *owner, gpointer userdata) {
        Notifier *n = userdata;
        n->caps_known = false;          /* perhaps another server */
        notifier_update_server_name(n);
        notifier_post(n, NOTIFIER_SERVER_APPEARED, 0, NULL, NULL);
}

static void on_server_vanished(GDBusConnection *c, const char *name, gpointer userdata) {
        Notifier *n = userdata;
        g_mutex_lock(&n->lock);
        n->server_name[0] = '\0';
        g_mutex_unlock(&n->lock);
        n->caps_known = false;
        /* The notifications we hold belong to a server that is gone. */
        g_hash_table_remove_all(n->shown);
}

static void *notifier_thread(void *userdata) {
        Notifier *n = userdata;

        /* Everything libnotify and GDBus create from here on (the proxy that
         * receives ActionInvoked, the name watch) dispatches in our context. */
        g_main_context_push_thread_default(n->context);
        notify_init("netctl");
        n->watch_id = g_bus_watch_name(G_BUS_TYPE_SESSION, NOTIFICATIONS_BUS_NAME,
                                       G_BUS_NAME_WATCHER_FLAGS_NONE,
                                       on_server_appeared, on_server_vanished, n, NULL);

        g_main_loop_run(n->loop);

        if (n->watch_id > 0)
                g_bus_unwatch_name(n->watch_id);
        g_hash_table_remove_all(n->shown);
        /* Let pending idle callbacks drop their references. */
        while (g_main_context_iteration(n->context, FALSE))
                ;
        notify_uninit();
        /* libnotify's proxies release their last references through
         * callbacks in this context: run them before leaving. */
        while (g_main_context_iteration(n->context, FALSE))
                ;
        g_main_context_pop_thread_default(n->context);
        return NULL;
}

static int on_eventfd(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Notifier *n = userdata;
        uint64_t count;

        (void) !read(fd, &count, sizeof count);

        for (;;) {
                g_mutex_lock(&n->lock);
                NotifierEvent *ev = g_queue_pop_head(&n->events);
                g_mutex_unlock(&n->lock);
                if (!ev)
                        break;
                n->cb(ev, n->userdata);
                g_free(ev);
        }
        return 0;
}

int notifier_new(sd_event *event, notifier_event_cb cb, void *userdata, Notifier **ret) {
        Notifier *n = g_new0(Notifier, 1);
        int r;

        n->cb = cb;
        n->userdata = userdata;
        g_mutex_init(&n->lock);
        g_queue_init(&n->events);
        n->context = g_main_context_new();
        n->loop = g_main_loop_new(n->context, FALSE);
        n->shown = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_object_unref);

        n->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (n->efd < 0) {
                r = -errno;
                goto fail;
        }
        r = sd_event_add_io(event, &n->event_source, n->efd, EPOLLIN, on_eventfd, n);
        if (r < 0)
                goto fail;
        (void) sd_event_source_set_description(n->event_source, "notifier");

        r = -pthread_create(&n->thread, NULL, notifier_thread, n);
        if (r < 0)
                goto fail;
        n->thread_started = true;

        *ret = n;
        return 0;

fail:
        notifier_free(n);
        return r;
}

Notifier *notifier_free(Notifier *n) {
        if (!n)
                return NULL;

        if (n->thread_started) {
                struct timespec deadline;

                g_main_context_invoke(n->context, do_quit, n);
                /* A hung server holds the thread in a synchronous call for up
                 * to 25 s; do not make shutdown wait for it.  The process is
                 * exiting, so leaving the thread's objects behind is safe. */
                clock_gettime(CLOCK_REALTIME, &deadline);
                deadline.tv_sec += 2;
                if (pthread_timedjoin_np(n->thread, NULL, &deadline) != 0) {
                        log_warning("The notification server does not answer; exiting without waiting for it");
                        pthread_detach(n->thread);
                        sd_event_source_disable_unref(n->event_source);
                        return NULL;
                }
        }

        sd_event_source_disable_unref(n->event_source);
        if (n->efd >= 0)
                close(n->efd);

        NotifierEvent *ev;
        while ((ev = g_queue_pop_head(&n->events)))
                g_free(ev);
        g_hash_table_destroy(n->shown);
        g_main_loop_unref(n->loop);
        g_main_context_unref(n->context);
        g_mutex_clear(&n->lock);
        g_free(n);
        return NULL;
}

int notifier_show_at(Notifier *n, uint64_t not_before_usec, int64_t id, const char *summary,
                     const char *body, const NotifierAction *actions, unsigned n_actions) {
        if (!n)
                return -ENOTCONN;
        if (n_actions > NOTIFIER_MAX_ACTIONS)
                return -E2BIG;

        ShowRequest *req = g_new0(ShowRequest, 1);
        req->notifier = n;
        req->id = id;
        req->not_before_usec = not_before_usec;
        req->summary = g_strdup(summary);
        req->body = g_strdup(body);
        req->n_actions = n_actions;
        for (unsigned i = 0; i < n_actions; i++) {
                req->action_key[i] = g_strdup(actions[i].key);
                req->action_label[i] = g_strdup(actions[i].label);
        }

        g_main_context_invoke(n->context, do_show, req);
        return 0;
}

int notifier_show(Notifier *n, int64_t id, const char *summary, const char *body,
                  const NotifierAction *actions, unsigned n_actions) {
        return notifier_show_at(n, 0, id, summary, body, actions, n_actions);
}

void notifier_update(Notifier *n, int64_t id, const char *summary, const char *body) {
        if (!n)
                return;
        ShowRequest *req = g_new0(ShowRequest, 1);
        req->notifier = n;
        req->id = id;
        req->summary = g_strdup(summary);
        req->body = g_strdup(body);
        g_main_context_invoke(n->context, do_update, req);
}

void notifier_close(Notifier *n, int64_t id) {
        if (!n)
                return;
        CloseRequest *req = g_new0(CloseRequest, 1);
        req->notifier = n;
        req->id = id;
        g_main_context_invoke(n->context, do_close, req);
}

void notifier_server_name(Notifier *n, char *buf, size_t size) {
        if (!n) {
                g_strlcpy(buf, "", size);
                return;
        }
        g_mutex_lock(&n->lock);
        g_strlcpy(buf, n->server_name, size);
        g_mutex_unlock(&n->lock);
}
