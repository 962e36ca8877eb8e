/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bus-names.h"
#include "client.h"
#include "macro.h"
#include "unit-watch.h"

#define SYSTEMD_NAME            "org.freedesktop.systemd1"
#define SYSTEMD_PATH            "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER_IFACE   "org.freedesktop.systemd1.Manager"
#define SYSTEMD_UNIT_IFACE      "org.freedesktop.systemd1.Unit"
#define SYSTEMD_SERVICE_IFACE   "org.freedesktop.systemd1.Service"
#define PROPERTIES_IFACE        "org.freedesktop.DBus.Properties"
/* The unit's object: "netctld.service" with its dot escaped as systemd
 * escapes object path elements. */
#define NETCTLD_UNIT_PATH       SYSTEMD_PATH "/unit/netctld_2eservice"

static struct {
        bool begun;
        uint64_t began_at;      /* CLOCK_MONOTONIC usec */
        bool known;             /* a state was seen */
        bool last_failed;       /* the last state seen was "failed" */
        bool failed_before;     /* "failed" when the watch began */
        bool moved;             /* a state other than "failed" was seen since */
        bool failed;            /* went to "failed" since the watch began */
        bool served;            /* netctld's name had an owner: nothing starts */
} watch;

/* systemd repeats ActiveState in every PropertiesChanged of the unit (a
 * start job queued on a failed unit sends "failed" again), so only a
 * change into "failed" from another state counts as a failed start. */
static void active_state_seen(const char *state, bool from_signal) {
        bool failed = strcmp(state, "failed") == 0;

        if (!from_signal) {
                /* Properties.Get, answered before systemd heard of the start. */
                if (!watch.known) {
                        watch.failed_before = failed;
                        watch.last_failed = failed;
                        watch.known = true;
                }
                return;
        }
        if (!failed)
                watch.moved = true;
        else if (watch.known && !watch.last_failed)
                watch.failed = true;
        watch.last_failed = failed;
        watch.known = true;
}

/* PropertiesChanged(s interface, a{sv} changed, as invalidated) of the
 * unit: ActiveState is sent with its value. */
static int on_unit_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *iface;
        int r;

        if (sd_bus_message_read(m, "s", &iface) < 0 || strcmp(iface, SYSTEMD_UNIT_IFACE) != 0)
                return 0;
        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r < 0)
                return 0;
        while (sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv") > 0) {
                const char *name, *contents, *state;
                char type;

                if (sd_bus_message_read(m, "s", &name) < 0 ||
                    sd_bus_message_peek_type(m, &type, &contents) < 0)
                        return 0;
                if (strcmp(name, "ActiveState") == 0 && contents && strcmp(contents, "s") == 0) {
                        if (sd_bus_message_read(m, "v", "s", &state) < 0)
                                return 0;
                        active_state_seen(state, true);
                } else if (sd_bus_message_skip(m, "v") < 0)
                        return 0;
                if (sd_bus_message_exit_container(m) < 0)
                        return 0;
        }
        return 0;
}

static int on_active_state(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *state;

        /* An error: no systemd, or no such unit (netctld started some other
         * way).  Nothing to watch. */
        if (!sd_bus_message_is_method_error(m, NULL) && sd_bus_message_read(m, "v", "s", &state) >= 0)
                active_state_seen(state, false);
        return 0;
}

/* Sends a method call to systemd, never starting it: the watch must not
 * change what it watches. */
static int systemd_call_async(sd_bus *bus, const char *path, const char *iface, const char *method,
                              sd_bus_message_handler_t callback, const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, SYSTEMD_NAME, path, iface, method);
        if (r < 0)
                return r;
        r = sd_bus_message_set_auto_start(m, false);
        if (r >= 0 && types) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
        }
        if (r < 0)
                return r;
        return sd_bus_call_async(bus, NULL, m, callback, NULL, 0);
}

static int ignore_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return 0;
}

/* A netctld already on the bus (started by hand, or with the direct
 * socket refused) answers the call itself: whatever state the unit is in
 * then says nothing about this call, which may well take more than a
 * second. */
static int on_name_has_owner(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        int owned;

        if (!sd_bus_message_is_method_error(m, NULL) && sd_bus_message_read(m, "b", &owned) >= 0 && owned)
                watch.served = true;
        return 0;
}

void unit_watch_begin(sd_bus *bus) {
        if (watch.begun)
                return;
        watch.begun = true;
        watch.began_at = now_usec();

        if (sd_bus_call_method_async(bus, NULL, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "NameHasOwner", on_name_has_owner, NULL, "s",
                                     NETCTL_BUS_NAME) < 0)
                return;
        /* In this order, all before the call that activates netctld: the
         * match and Subscribe (systemd sends unit signals only to
         * subscribers) are in place before systemd hears of the start, and
         * the state read is the one from before it. */
        if (sd_bus_match_signal_async(bus, NULL, NULL, NETCTLD_UNIT_PATH, PROPERTIES_IFACE,
                                      "PropertiesChanged", on_unit_changed, NULL, NULL) < 0)
                return;
        if (systemd_call_async(bus, SYSTEMD_PATH, SYSTEMD_MANAGER_IFACE, "Subscribe", ignore_reply, NULL) < 0)
                return;
        (void) systemd_call_async(bus, NETCTLD_UNIT_PATH, PROPERTIES_IFACE, "Get", on_active_state, "ss",
                                  SYSTEMD_UNIT_IFACE, "ActiveState");
}

bool unit_watch_failed(uint64_t *ret_deadline) {
        *ret_deadline = UINT64_MAX;
        if (!watch.begun || watch.served)
                return false;
        if (watch.failed)
                return true;
        if (watch.moved || !watch.failed_before)
                return false;
        uint64_t still_until = watch.began_at + UNIT_WATCH_STILL_USEC;
        if (now_usec() >= still_until)
                return true;
        *ret_deadline = still_until;
        return false;
}

static char *unit_property(sd_bus *bus, const char *iface, const char *name) {
        char *value = NULL;
        if (sd_bus_get_property_string(bus, SYSTEMD_NAME, NETCTLD_UNIT_PATH, iface, name, NULL, &value) < 0)
                return NULL;
        return value;
}

char *unit_watch_reason(sd_bus *bus) {
        _cleanup_free_ char *status = unit_property(bus, SYSTEMD_SERVICE_IFACE, "StatusText");
        _cleanup_free_ char *result = unit_property(bus, SYSTEMD_SERVICE_IFACE, "Result");
        char *reason = NULL;

        /* netctld's STATUS= before it exits says what is wrong (main.c);
         * systemd clears it when the next start begins. */
        if (status && status[0])
                return TAKE_PTR(status);
        if (asprintf(&reason, "netctld.service failed (%s)", result && result[0] ? result : "no result") < 0)
                return NULL;
        return reason;
}
