/* SPDX-License-Identifier: MIT */
#pragma once

#include "context.h"

/* Direct connections: the same API as on the session bus, served on a
 * socket of the user's own, $XDG_RUNTIME_DIR/netctl/private, without
 * dbus-daemon in between (as systemd serves systemctl on
 * $XDG_RUNTIME_DIR/systemd/private).  netctl uses it when it is there and
 * the session bus otherwise; signals go out on the session bus only. */

/* Listens on the socket.  Not essential: when there is no runtime
 * directory or the socket cannot be made, says why and returns 0, and
 * clients use the session bus. */
int bus_direct_setup(Context *c);

/* Closes every direct connection and removes the socket. */
Direct *bus_direct_free(Direct *d);
