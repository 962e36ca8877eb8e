/* SPDX-License-Identifier: MIT */
/* org.netctl.Netctl1.Meetings: meetings imported from calendar files, and export. */
#include "bus-names.h"
#include "bus.h"

const sd_bus_vtable bus_meetings_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_VTABLE_END,
};
