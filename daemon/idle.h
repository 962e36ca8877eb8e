/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

/* Whether the user is at the machine, from what the session says rather
 * than from polling input devices (which fails on Wayland and needs
 * privileges):
 *
 *  - logind on the system bus: the IdleHint of the session netctld runs in
 *    (Manager.GetSessionByPID); a user service runs outside any session,
 *    so then the user's display session (User.Display), and failing that
 *    the user object, whose IdleHint covers all their sessions.  Followed
 *    through PropertiesChanged, and found again when sessions come and go
 *    or logind restarts.  PrepareForSleep marks a suspend.
 *  - the screen saver on the session bus: org.freedesktop.ScreenSaver
 *    (Plasma, Xfce, ...) and org.gnome.ScreenSaver (GNOME Shell), their
 *    ActiveChanged signal and GetActive.  An active screen saver means away.
 *
 * The system bus is opened here with sd_bus_open_system(), which honours
 * DBUS_SYSTEM_BUS_ADDRESS.  No source is required: with none, the user
 * counts as always present and the caller says so.  Every call is
 * asynchronous; nothing here blocks the loop, and nothing starts a service
 * by D-Bus activation. */

typedef struct IdleWatch IdleWatch;

typedef enum IdleEvent {
        IDLE_EVENT_CHANGED,     /* idle_watch_is_idle() or the sources may differ */
        IDLE_EVENT_SLEEP,       /* logind: the machine is about to suspend */
        IDLE_EVENT_WAKE,        /* logind: it resumed */
} IdleEvent;

typedef void (*idle_event_cb)(IdleEvent event, void *userdata);

/* Starts watching.  session_bus may be NULL (no screen saver then).  Fails
 * only when out of memory or when the event loop refuses the system bus. */
int idle_watch_new(sd_event *event, sd_bus *session_bus, uid_t uid, idle_event_cb cb, void *userdata,
                   IdleWatch **ret);

/* Stops watching and closes the system bus; accepts NULL. */
IdleWatch *idle_watch_free(IdleWatch *w);

/* True while any source says the user is away, or the machine is going to
 * sleep. */
bool idle_watch_is_idle(const IdleWatch *w);

/* True when at least one source answers. */
bool idle_watch_has_source(const IdleWatch *w);

/* The sources that answer, for status: "logind session 3 (IdleHint),
 * org.gnome.ScreenSaver"; "" when none. */
void idle_watch_describe(const IdleWatch *w, char *buf, size_t size);
