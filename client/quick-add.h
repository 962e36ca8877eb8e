/* SPDX-License-Identifier: MIT */
#pragma once

/* `netctl add` without libsystemd.
 *
 * The commonest command is an add, run from a shell or a script, and most
 * of what it cost was loading libsystemd and the six libraries it needs
 * (about 1 ms here, a third of the command).  So the front of the client
 * (main.c) tries this first: it speaks the D-Bus wire format itself
 * (dbus-wire.h) on netctld's direct socket, for the one call Add.  Every
 * other case is the full client's, loaded only then (libnetctl-client.so):
 * every other verb, --help, --color, no direct socket (netctld not
 * running, which the session bus starts), a handshake not answered in
 * time (the full client is then told, by NETCTL_DIRECT=0, not to wait
 * for it again).  None of those has sent the call, so handing over never
 * adds twice.
 *
 * Returns 1 when the command was handled, *ret_status set to its exit
 * status (usage errors and netctld's errors included, printed as the full
 * client prints them); 0 when the full client must run it.  argv[0] is
 * "add". */
int quick_add(int argc, char *argv[], int *ret_status);
