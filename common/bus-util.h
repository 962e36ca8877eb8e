/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>

/* Appends one {sv} entry to an open a{sv} container: `key` and a variant
 * holding `type` with the value(s) that follow, as sd_bus_message_append()
 * takes them.  Used for the options and changes the client sends and the
 * status dictionaries the daemon replies with.  Returns negative errno. */
int bus_append_sv(sd_bus_message *m, const char *key, const char *type, ...);
