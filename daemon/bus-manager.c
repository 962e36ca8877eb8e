/* SPDX-License-Identifier: MIT */
/* org.netctl.Netctl1.Manager: the daemon itself. */
#include <errno.h>

#include "bus-util.h"
#include "attention.h"
#include "bus-names.h"
#include "bus.h"
#include "log.h"
#include "schedule.h"

static int method_get_status(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(followup_clear) Followup next = {};
        Context *c = userdata;
        StoreCounts counts;
        char server[64];
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;

        r = store_counts(c->store, context_now(c), &counts);
        if (r < 0)
                return bus_error_errno(error, r, "%s.", store_last_error(c->store));
        r = store_next_pending(c->store, &next);
        if (r < 0 && r != -ENOENT)
                return bus_error_errno(error, r, "%s.", store_last_error(c->store));
        notifier_server_name(c->notifier, server, sizeof server);
        /* Why reminders due now would wait: quiet time (until when), or
         * the server's own pause. */
        int64_t hold_until = 0;
        const char *hold = hold_reason_to_string(attention_hold(c, context_now(c), &hold_until));

        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r < 0)
                return r;

        if ((r = bus_append_sv(reply, "version", "s", NETCTL_VERSION)) < 0 ||
            (r = bus_append_sv(reply, "database", "s", c->database_path)) < 0 ||
            (r = bus_append_sv(reply, "schema_version", "u", (uint32_t) store_schema_version())) < 0 ||
            (r = bus_append_sv(reply, "open", "x", counts.open)) < 0 ||
            (r = bus_append_sv(reply, "overdue", "x", counts.overdue)) < 0 ||
            (r = bus_append_sv(reply, "done", "x", counts.done)) < 0 ||
            (r = bus_append_sv(reply, "next_due_id", "t", (uint64_t) next.id)) < 0 ||
            (r = bus_append_sv(reply, "next_due", "x", next.due)) < 0 ||
            (r = bus_append_sv(reply, "next_due_text", "s", next.text ? next.text : "")) < 0 ||
            (r = bus_append_sv(reply, "notification_server", "s", server)) < 0 ||
            (r = bus_append_sv(reply, "config", "s", c->config_path ? c->config_path : "")) < 0 ||
            (r = bus_append_sv(reply, "config_error", "s", c->config_error)) < 0 ||
            (r = bus_append_sv(reply, "notifications_held", "b",
                              (int) (c->notifications_blocked_until != 0))) < 0 ||
            (r = bus_append_sv(reply, "hold", "s", hold ? hold : "")) < 0 ||
            (r = bus_append_sv(reply, "hold_until", "x", hold_until)) < 0)
                return r;

        /* The watched calendar directories, the inbox first. */
        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_DICT_ENTRY, "sv");
        if (r >= 0)
                r = sd_bus_message_append(reply, "s", "watched");
        if (r >= 0)
                r = sd_bus_message_open_container(reply, SD_BUS_TYPE_VARIANT, "as");
        if (r >= 0)
                r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "s");
        for (size_t i = 0; i < c->n_watch && r >= 0; i++)
                r = sd_bus_message_append(reply, "s", c->watch_dirs[i]);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;

        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_reload(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        int r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = context_reload(c);
        if (r < 0)
                return bus_error_errno(error, -EINVAL, "%s (the previous config stays in force).",
                                       c->config_error);
        return sd_bus_reply_method_return(m, NULL);
}

static int property_next_due(sd_bus *bus, const char *path, const char *interface,
                             const char *property, sd_bus_message *reply, void *userdata,
                             sd_bus_error *error) {
        Context *c = userdata;
        return sd_bus_message_append(reply, "x", c->next_due);
}

static int property_next_due_id(sd_bus *bus, const char *path, const char *interface,
                                const char *property, sd_bus_message *reply, void *userdata,
                                sd_bus_error *error) {
        Context *c = userdata;
        return sd_bus_message_append(reply, "t", (uint64_t) c->next_due_id);
}

static int property_version(sd_bus *bus, const char *path, const char *interface,
                            const char *property, sd_bus_message *reply, void *userdata,
                            sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", NETCTL_VERSION);
}

const sd_bus_vtable bus_manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", property_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("NextDue", "x", property_next_due, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("NextDueId", "t", property_next_due_id, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_ARGS("GetStatus",
                                SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("a{sv}", status),
                                method_get_status, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Reload",
                                SD_BUS_NO_ARGS,
                                SD_BUS_NO_RESULT,
                                method_reload, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
