/* SPDX-License-Identifier: MIT */
#pragma once

/* netctld's direct socket ($XDG_RUNTIME_DIR/netctl/private, served by
 * daemon/bus-direct.c): one hop instead of two through dbus-daemon, no
 * Hello, and the caller's uid comes from the kernel.
 *
 * Connects to it; returns the connected socket (blocking, close-on-exec),
 * or negative errno: -ENOENT when there is no XDG_RUNTIME_DIR or
 * NETCTL_DIRECT=0 says not to, and whatever connect() says for a missing
 * socket (ENOENT), a dead netctld's (ECONNREFUSED) or a directory we may
 * not enter (EACCES).  Any of these means: use the session bus, which also
 * starts netctld when it is not running. */
int direct_socket_connect(void);

/* How long the handshake on the direct socket may take before the session
 * bus is used instead: a stopped or hung netctld accepts connections (the
 * kernel does) but never answers them. */
#define DIRECT_HANDSHAKE_USEC (2 * 1000000ULL)
