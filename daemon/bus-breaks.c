/* SPDX-License-Identifier: MIT */
/* org.netctl.Netctl1.Breaks: the break cycle on the bus. */
#include <errno.h>
#include <stdio.h>

#include "bus-util.h"
#include "bus-names.h"
#include "bus.h"
#include "log.h"
#include "selfcare.h"
#include "timeparse.h"

/* A pause longer than this is what "until resumed" is for. */
#define PAUSE_MAX (366LL * 24 * 3600)

static int breaks_off_error(sd_bus_error *error, int r) {
        return bus_error_errno(error, r, "Breaks are off: [breaks] work = off in the config.");
}

static int method_get_status(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Context *c = userdata;
        SelfCareStatus st;
        char winddown[16] = "";
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = selfcare_status(c, &st);
        if (r < 0)
                return bus_error_errno(error, r, "The break cycle is not running.");
        if (st.winddown_minute >= 0)
                snprintf(winddown, sizeof winddown, "%02d:%02d", st.winddown_minute / 60, st.winddown_minute % 60);
        const char *kind = break_kind_to_string(st.last_break_kind);

        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r < 0)
                return r;
        if ((r = bus_append_sv(reply, "state", "s", break_phase_to_string(st.phase))) < 0 ||
            (r = bus_append_sv(reply, "idle", "b", (int) st.idle)) < 0 ||
            (r = bus_append_sv(reply, "idle_source", "s", st.idle_source)) < 0 ||
            (r = bus_append_sv(reply, "active", "x", st.active)) < 0 ||
            (r = bus_append_sv(reply, "work", "x", st.work)) < 0 ||
            (r = bus_append_sv(reply, "break", "x", st.length)) < 0 ||
            (r = bus_append_sv(reply, "next_break", "x", st.next_break)) < 0 ||
            (r = bus_append_sv(reply, "break_ends", "x", st.break_ends)) < 0 ||
            (r = bus_append_sv(reply, "paused_until", "x", st.paused_until)) < 0 ||
            (r = bus_append_sv(reply, "last_break", "x", st.last_break)) < 0 ||
            (r = bus_append_sv(reply, "last_break_kind", "s", kind ? kind : "")) < 0 ||
            (r = bus_append_sv(reply, "winddown", "s", winddown)) < 0 ||
            (r = bus_append_sv(reply, "outreach_today", "u", (uint32_t) st.outreach_today)) < 0 ||
            (r = bus_append_sv(reply, "pause_after", "u", (uint32_t) st.pause_after)) < 0)
                return r;
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_take(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        int r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = selfcare_take(c);
        if (r < 0)
                return breaks_off_error(error, r);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_pause(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        uint64_t seconds;
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "t", &seconds);
        if (r < 0)
                return r;
        if (seconds > PAUSE_MAX)
                return bus_error_errno(error, -ERANGE,
                                       "A pause is at most a year; 0 pauses until resumed.");
        r = selfcare_pause(c, (int64_t) seconds);
        if (r < 0)
                return breaks_off_error(error, r);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_resume(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        int r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = selfcare_resume(c);
        if (r == -EALREADY)
                return bus_error_errno(error, r, "Breaks are not paused.");
        if (r < 0)
                return bus_error_errno(error, r, "Cannot resume the break cycle.");
        return sd_bus_reply_method_return(m, NULL);
}

static int property_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                          sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        return sd_bus_message_append(reply, "s", break_phase_to_string(selfcare_phase(c)));
}

const sd_bus_vtable bus_breaks_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("State", "s", property_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_ARGS("GetStatus",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("a{sv}", status),
                                method_get_status, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Take",
                                SD_BUS_NO_ARGS,
                                SD_BUS_NO_RESULT,
                                method_take, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Pause",
                                SD_BUS_ARGS("t", seconds),
                                SD_BUS_NO_RESULT,
                                method_pause, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Resume",
                                SD_BUS_NO_ARGS,
                                SD_BUS_NO_RESULT,
                                method_resume, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
