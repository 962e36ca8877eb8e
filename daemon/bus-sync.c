/* SPDX-License-Identifier: MIT */
/* org.netctl.Netctl1.Sync: which vdirs are linked, when each was last in
 * step with the database, and the conflicts sync resolved. */
#include <errno.h>

#include "bus-names.h"
#include "bus.h"
#include "store.h"
#include "sync.h"

static int method_get_status(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Context *c = userdata;
        uint32_t limit;
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "u", &limit);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sync_append_status(c, reply, limit);
        if (r < 0)
                return bus_error_errno(error, r, "Cannot read the sync state: %s.", store_last_error(c->store));
        return sd_bus_send(NULL, reply, NULL);
}

const sd_bus_vtable bus_sync_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("GetStatus",
                                SD_BUS_ARGS("u", max_conflicts),
                                SD_BUS_RESULT("a(ssxs)", links, "a(xssxs)", conflicts),
                                method_get_status, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
