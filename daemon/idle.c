/* SPDX-License-Identifier: MIT */
/* Idle sources: logind on the system bus, screen savers on the session bus
 * (see idle.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "idle.h"
#include "log.h"
#include "macro.h"

#define LOGIN_NAME          "org.freedesktop.login1"
#define LOGIN_PATH          "/org/freedesktop/login1"
#define LOGIN_MANAGER_IFACE "org.freedesktop.login1.Manager"
#define LOGIN_SESSION_IFACE "org.freedesktop.login1.Session"
#define LOGIN_USER_IFACE    "org.freedesktop.login1.User"
#define PROPERTIES_IFACE    "org.freedesktop.DBus.Properties"

typedef struct ScreenSaver {
        IdleWatch *watch;
        const char *name;
        const char *path;
        bool available;
        bool active;
        sd_bus_slot *signal_slot;
        sd_bus_slot *owner_slot;
        sd_bus_slot *call_slot;
} ScreenSaver;

/* How the logind object was found, for status and for when to look again. */
typedef enum LoginRoute {
        LOGIN_NONE,
        LOGIN_OWN_SESSION,      /* the session netctld runs in */
        LOGIN_DISPLAY_SESSION,  /* the user's display session */
        LOGIN_USER,             /* the user object: all their sessions */
} LoginRoute;

struct IdleWatch {
        idle_event_cb cb;
        void *userdata;
        uid_t uid;

        sd_bus *system_bus;
        sd_bus_slot *manager_slots[4];  /* PrepareForSleep, SessionNew, SessionRemoved, owner */
        sd_bus_slot *login_call;        /* the lookup step in flight */
        sd_bus_slot *object_slot;       /* PropertiesChanged of the watched object */
        sd_bus_slot *user_slot;         /* PropertiesChanged of the user (Display) */
        LoginRoute route;
        char *object_path;              /* the session or user whose IdleHint counts */
        char *user_path;
        char login_what[96];            /* "session 3", "user 1000" */
        bool login_available;
        bool login_idle;
        bool sleeping;

        ScreenSaver savers[2];
};

static void notify(IdleWatch *w, IdleEvent ev) {
        if (w->cb)
                w->cb(ev, w->userdata);
}

/* ---- logind ---- */

static void login_resolve(IdleWatch *w);

static void login_reset(IdleWatch *w) {
        w->login_call = sd_bus_slot_unref(w->login_call);
        w->object_slot = sd_bus_slot_unref(w->object_slot);
        w->user_slot = sd_bus_slot_unref(w->user_slot);
        free(w->object_path);
        free(w->user_path);
        w->object_path = w->user_path = NULL;
        w->route = LOGIN_NONE;
        w->login_what[0] = '\0';
        bool was = w->login_available && w->login_idle;
        bool had = w->login_available;
        w->login_available = w->login_idle = false;
        if (was || had)
                notify(w, IDLE_EVENT_CHANGED);
}

/* Starts a call on logind; its reply goes to cb.  Returns negative errno. */
static int login_call(IdleWatch *w, sd_bus_message_handler_t cb, const char *path, const char *iface,
                      const char *member, const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(w->system_bus, &m, LOGIN_NAME, path, iface, member);
        if (r < 0)
                return r;
        (void) sd_bus_message_set_auto_start(m, false);
        if (types) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
                if (r < 0)
                        return r;
        }
        w->login_call = sd_bus_slot_unref(w->login_call);
        return sd_bus_call_async(w->system_bus, &w->login_call, m, cb, w, 0);
}

static int on_idle_hint(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        IdleWatch *w = userdata;
        int idle;

        w->login_call = sd_bus_slot_unref(w->login_call);
        if (sd_bus_message_is_method_error(m, NULL) || sd_bus_message_read(m, "v", "b", &idle) < 0) {
                const sd_bus_error *e = sd_bus_message_get_error(m);
                log_info("logind's %s has no IdleHint (%s); not using it", w->login_what,
                         e && e->message ? e->message : "unexpected reply");
                login_reset(w);
                return 0;
        }
        bool first = !w->login_available;
        w->login_available = true;
        w->login_idle = idle;
        if (first)
                log_info("Idle state from logind's %s (IdleHint %s)", w->login_what, idle ? "yes" : "no");
        notify(w, IDLE_EVENT_CHANGED);
        return 0;
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);

/* Watches IdleHint of path (a session or the user). */
static int login_watch_object(IdleWatch *w, const char *path, LoginRoute route) {
        const char *iface = route == LOGIN_USER ? LOGIN_USER_IFACE : LOGIN_SESSION_IFACE;
        int r;

        free(w->object_path);
        w->object_path = strdup(path);
        if (!w->object_path)
                return -ENOMEM;
        w->route = route;

        if (route == LOGIN_USER)
                snprintf(w->login_what, sizeof w->login_what, "user %u", (unsigned) w->uid);
        else {
                _cleanup_free_ char *id = NULL;
                if (sd_bus_path_decode(path, "/org/freedesktop/login1/session", &id) <= 0 || !id)
                        snprintf(w->login_what, sizeof w->login_what, "session %.64s", path);
                else
                        snprintf(w->login_what, sizeof w->login_what, "session %.64s", id);
        }

        /* The user object's changes are already watched for its Display. */
        w->object_slot = sd_bus_slot_unref(w->object_slot);
        if (route != LOGIN_USER) {
                r = sd_bus_match_signal_async(w->system_bus, &w->object_slot, LOGIN_NAME, path,
                                              PROPERTIES_IFACE, "PropertiesChanged",
                                              on_properties_changed, NULL, w);
                if (r < 0)
                        return r;
        }
        return login_call(w, on_idle_hint, path, PROPERTIES_IFACE, "Get", "ss", iface, "IdleHint");
}

static int on_user_display(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        IdleWatch *w = userdata;
        const char *id = NULL, *path = NULL;
        int r;

        w->login_call = sd_bus_slot_unref(w->login_call);
        if (!sd_bus_message_is_method_error(m, NULL) && sd_bus_message_read(m, "v", "(so)", &id, &path) >= 0 &&
            path && strcmp(path, "/") != 0)
                r = login_watch_object(w, path, LOGIN_DISPLAY_SESSION);
        else
                /* No graphical session elected: the user's own IdleHint,
                 * which is idle when all of their sessions are. */
                r = login_watch_object(w, w->user_path, LOGIN_USER);
        if (r < 0) {
                log_warning_errno(r, "Cannot watch logind's idle state: %m");
                login_reset(w);
        }
        return 0;
}

static int on_get_user(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        IdleWatch *w = userdata;
        const char *path;
        int r;

        w->login_call = sd_bus_slot_unref(w->login_call);
        if (sd_bus_message_is_method_error(m, NULL)) {
                const sd_bus_error *e = sd_bus_message_get_error(m);
                log_info("logind knows no session of user %u (%s); idle state not from logind",
                         (unsigned) w->uid, e && e->message ? e->message : e ? e->name : "error");
                login_reset(w);
                return 0;
        }
        r = sd_bus_message_read(m, "o", &path);
        if (r >= 0) {
                free(w->user_path);
                w->user_path = strdup(path);
                r = w->user_path ? 0 : -ENOMEM;
        }
        if (r >= 0) {
                w->user_slot = sd_bus_slot_unref(w->user_slot);
                r = sd_bus_match_signal_async(w->system_bus, &w->user_slot, LOGIN_NAME, w->user_path,
                                              PROPERTIES_IFACE, "PropertiesChanged",
                                              on_properties_changed, NULL, w);
        }
        if (r >= 0)
                r = login_call(w, on_user_display, w->user_path, PROPERTIES_IFACE, "Get", "ss",
                               LOGIN_USER_IFACE, "Display");
        if (r < 0) {
                log_warning_errno(r, "Cannot ask logind for the user's session: %m");
                login_reset(w);
        }
        return 0;
}

static int on_session_by_pid(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        IdleWatch *w = userdata;
        const char *path;
        int r;

        w->login_call = sd_bus_slot_unref(w->login_call);
        if (!sd_bus_message_is_method_error(m, NULL) && sd_bus_message_read(m, "o", &path) >= 0)
                r = login_watch_object(w, path, LOGIN_OWN_SESSION);
        else
                /* The usual case for a user service: it runs in the user
                 * manager, outside any session. */
                r = login_call(w, on_get_user, LOGIN_PATH, LOGIN_MANAGER_IFACE, "GetUser", "u",
                               (uint32_t) w->uid);
        if (r < 0) {
                log_warning_errno(r, "Cannot ask logind for the session: %m");
                login_reset(w);
        }
        return 0;
}

static void login_resolve(IdleWatch *w) {
        login_reset(w);
        if (!w->system_bus)
                return;
        int r = login_call(w, on_session_by_pid, LOGIN_PATH, LOGIN_MANAGER_IFACE, "GetSessionByPID", "u",
                           (uint32_t) getpid());
        if (r < 0)
                log_warning_errno(r, "Cannot ask logind for the session: %m");
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        IdleWatch *w = userdata;
        const char *path = sd_bus_message_get_path(m), *iface;
        bool changed;
        int value = -1;

        if (!path || sd_bus_message_read(m, "s", &iface) < 0)
                return 0;

        if (w->user_path && strcmp(path, w->user_path) == 0 && strcmp(iface, LOGIN_USER_IFACE) == 0 &&
            w->route != LOGIN_OWN_SESSION) {
                /* The user object: its Display (another session elected)
                 * or, when it is what we watch, its IdleHint. */
                if (w->route == LOGIN_USER && bus_read_changed_bool(m, "IdleHint", &value, &changed) >= 0 && changed) {
                        if (value < 0)
                                (void) login_call(w, on_idle_hint, path, PROPERTIES_IFACE, "Get", "ss",
                                                  LOGIN_USER_IFACE, "IdleHint");
                        else if (w->login_available && w->login_idle != (value > 0)) {
                                w->login_idle = value > 0;
                                notify(w, IDLE_EVENT_CHANGED);
                        }
                        return 0;
                }
                (void) sd_bus_message_rewind(m, true);
                if (sd_bus_message_read(m, "s", &iface) >= 0 &&
                    bus_read_changed_bool(m, "Display", NULL, &changed) >= 0 && changed) {
                        log_info("logind elected another display session; following it");
                        login_resolve(w);
                }
                return 0;
        }

        if (!w->object_path || strcmp(path, w->object_path) != 0 || strcmp(iface, LOGIN_SESSION_IFACE) != 0)
                return 0;
        if (bus_read_changed_bool(m, "IdleHint", &value, &changed) < 0 || !changed)
                return 0;
        if (value < 0)
                (void) login_call(w, on_idle_hint, path, PROPERTIES_IFACE, "Get", "ss", LOGIN_SESSION_IFACE,
                                  "IdleHint");
        else if (w->login_available && w->login_idle != (value > 0)) {
                w->login_idle = value > 0;
                log_debug("logind: %s is %s", w->login_what, w->login_idle ? "idle" : "active");
                notify(w, IDLE_EVENT_CHANGED);
        }
        return 0;
}

static int on_prepare_for_sleep(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        IdleWatch *w = userdata;
        int start;

        if (sd_bus_message_read(m, "b", &start) < 0)
                return 0;
        if (w->sleeping == !!start)
                return 0;
        w->sleeping = start;
        log_debug("logind: %s", start ? "going to sleep" : "woke up");
        notify(w, start ? IDLE_EVENT_SLEEP : IDLE_EVENT_WAKE);
        return 0;
}

static int on_session_new_or_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        IdleWatch *w = userdata;
        const char *id, *path;

        if (sd_bus_message_read(m, "so", &id, &path) < 0)
                return 0;
        if (strcmp(sd_bus_message_get_member(m), "SessionRemoved") == 0) {
                if (w->object_path && strcmp(path, w->object_path) == 0 && w->route != LOGIN_USER)
                        login_resolve(w);
        } else if (w->route != LOGIN_OWN_SESSION && w->route != LOGIN_DISPLAY_SESSION)
                /* Perhaps the session we lacked. */
                login_resolve(w);
        return 0;
}

static int on_login_owner(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        IdleWatch *w = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        if (new_owner[0] == '\0') {
                log_info("logind left the system bus");
                login_reset(w);
        } else
                login_resolve(w);
        return 0;
}

static int login_setup(IdleWatch *w, sd_event *event) {
        int r;

        r = sd_bus_open_system_with_description(&w->system_bus, "netctld-idle");
        if (r < 0) {
                log_info("No system bus (%s): idle state not from logind", strerror(-r));
                w->system_bus = NULL;
                return 0;
        }
        r = sd_bus_attach_event(w->system_bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;

        r = sd_bus_match_signal_async(w->system_bus, &w->manager_slots[0], LOGIN_NAME, LOGIN_PATH,
                                      LOGIN_MANAGER_IFACE, "PrepareForSleep", on_prepare_for_sleep, NULL, w);
        if (r >= 0)
                r = sd_bus_match_signal_async(w->system_bus, &w->manager_slots[1], LOGIN_NAME, LOGIN_PATH,
                                              LOGIN_MANAGER_IFACE, "SessionNew", on_session_new_or_removed,
                                              NULL, w);
        if (r >= 0)
                r = sd_bus_match_signal_async(w->system_bus, &w->manager_slots[2], LOGIN_NAME, LOGIN_PATH,
                                              LOGIN_MANAGER_IFACE, "SessionRemoved",
                                              on_session_new_or_removed, NULL, w);
        if (r >= 0)
                r = sd_bus_add_match_async(w->system_bus, &w->manager_slots[3],
                                           "type='signal',sender='org.freedesktop.DBus',"
                                           "path='/org/freedesktop/DBus',interface='org.freedesktop.DBus',"
                                           "member='NameOwnerChanged',arg0='" LOGIN_NAME "'",
                                           on_login_owner, NULL, w);
        if (r < 0)
                return r;

        login_resolve(w);
        return 0;
}

/* ---- screen savers ---- */

static int on_saver_active(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        ScreenSaver *s = userdata;
        int active;

        s->call_slot = sd_bus_slot_unref(s->call_slot);
        if (sd_bus_message_is_method_error(m, NULL) || sd_bus_message_read(m, "b", &active) < 0) {
                if (s->available) {
                        s->available = s->active = false;
                        notify(s->watch, IDLE_EVENT_CHANGED);
                }
                return 0;
        }
        if (!s->available)
                log_info("Idle state from %s (screen saver %s)", s->name, active ? "active" : "inactive");
        s->available = true;
        s->active = active;
        notify(s->watch, IDLE_EVENT_CHANGED);
        return 0;
}

static int on_saver_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        ScreenSaver *s = userdata;
        int active;

        if (sd_bus_message_read(m, "b", &active) < 0)
                return 0;
        s->available = true;
        if (s->active == !!active)
                return 0;
        s->active = active;
        log_debug("%s: screen saver %s", s->name, active ? "active" : "inactive");
        notify(s->watch, IDLE_EVENT_CHANGED);
        return 0;
}

static int saver_query(ScreenSaver *s, sd_bus *bus) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, s->name, s->path, s->name, "GetActive");
        if (r < 0)
                return r;
        /* Never start a screen saver just to ask it. */
        r = sd_bus_message_set_auto_start(m, false);
        if (r < 0)
                return r;
        s->call_slot = sd_bus_slot_unref(s->call_slot);
        return sd_bus_call_async(bus, &s->call_slot, m, on_saver_active, s, 0);
}

static int on_saver_owner(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        ScreenSaver *s = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        if (new_owner[0] == '\0') {
                bool was = s->available;
                s->available = s->active = false;
                if (was) {
                        log_info("%s left the session bus", s->name);
                        notify(s->watch, IDLE_EVENT_CHANGED);
                }
        } else
                (void) saver_query(s, sd_bus_message_get_bus(m));
        return 0;
}

static int saver_setup(ScreenSaver *s, sd_bus *bus) {
        char match[256];
        int r;

        r = sd_bus_match_signal_async(bus, &s->signal_slot, s->name, s->path, s->name, "ActiveChanged",
                                      on_saver_changed, NULL, s);
        if (r < 0)
                return r;
        snprintf(match, sizeof match,
                 "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                 "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='%s'", s->name);
        r = sd_bus_add_match_async(bus, &s->owner_slot, match, on_saver_owner, NULL, s);
        if (r < 0)
                return r;
        return saver_query(s, bus);
}

/* ---- the watch ---- */

int idle_watch_new(sd_event *event, sd_bus *session_bus, uid_t uid, idle_event_cb cb, void *userdata,
                   IdleWatch **ret) {
        IdleWatch *w = calloc(1, sizeof *w);
        int r;

        if (!w)
                return -ENOMEM;
        w->cb = cb;
        w->userdata = userdata;
        w->uid = uid;
        w->savers[0] = (ScreenSaver) { .watch = w, .name = "org.freedesktop.ScreenSaver",
                                       .path = "/org/freedesktop/ScreenSaver" };
        w->savers[1] = (ScreenSaver) { .watch = w, .name = "org.gnome.ScreenSaver",
                                       .path = "/org/gnome/ScreenSaver" };

        r = login_setup(w, event);
        if (r < 0) {
                idle_watch_free(w);
                return r;
        }
        for (size_t i = 0; session_bus && i < ELEMENTSOF(w->savers); i++) {
                r = saver_setup(&w->savers[i], session_bus);
                if (r < 0)
                        log_warning_errno(r, "Cannot watch %s: %m", w->savers[i].name);
        }
        *ret = w;
        return 0;
}

IdleWatch *idle_watch_free(IdleWatch *w) {
        if (!w)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(w->savers); i++) {
                sd_bus_slot_unref(w->savers[i].signal_slot);
                sd_bus_slot_unref(w->savers[i].owner_slot);
                sd_bus_slot_unref(w->savers[i].call_slot);
        }
        w->cb = NULL;
        sd_bus_slot_unref(w->login_call);
        sd_bus_slot_unref(w->object_slot);
        sd_bus_slot_unref(w->user_slot);
        for (size_t i = 0; i < ELEMENTSOF(w->manager_slots); i++)
                sd_bus_slot_unref(w->manager_slots[i]);
        free(w->object_path);
        free(w->user_path);
        sd_bus_flush_close_unref(w->system_bus);
        free(w);
        return NULL;
}

bool idle_watch_is_idle(const IdleWatch *w) {
        if (!w)
                return false;
        if (w->sleeping || (w->login_available && w->login_idle))
                return true;
        for (size_t i = 0; i < ELEMENTSOF(w->savers); i++)
                if (w->savers[i].available && w->savers[i].active)
                        return true;
        return false;
}

bool idle_watch_has_source(const IdleWatch *w) {
        if (!w)
                return false;
        if (w->login_available)
                return true;
        for (size_t i = 0; i < ELEMENTSOF(w->savers); i++)
                if (w->savers[i].available)
                        return true;
        return false;
}

void idle_watch_describe(const IdleWatch *w, char *buf, size_t size) {
        size_t len = 0;

        if (size == 0)
                return;
        buf[0] = '\0';
        if (!w)
                return;
        if (w->login_available)
                len += (size_t) snprintf(buf + len, size - len, "logind %s (IdleHint)", w->login_what);
        for (size_t i = 0; i < ELEMENTSOF(w->savers) && len < size; i++)
                if (w->savers[i].available)
                        len += (size_t) snprintf(buf + len, size - len, "%s%s", len > 0 ? ", " : "",
                                                 w->savers[i].name);
}
