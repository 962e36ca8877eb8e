/* SPDX-License-Identifier: MIT */
/* org.netctl.Netctl1.Contacts: people: contacts, interactions, suggestions, stats. */
#include "bus-names.h"
#include "bus.h"

const sd_bus_vtable bus_contacts_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_VTABLE_END,
};
