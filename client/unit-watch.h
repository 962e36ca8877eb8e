/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

/* netctld.service as systemd sees it, while a call on the session bus
 * waits for D-Bus activation.  When netctld cannot start (a database it
 * must not use: exit 78) dbus-daemon is not told; the call would wait for
 * dbus-daemon's own activation timeout, 25 s, and so would every call
 * made while that attempt is still pending.  The watch lets netctl give
 * up as soon as systemd says the start failed.  It only listens: it never
 * starts or stops anything.  Without systemd on the bus it sees nothing
 * and changes nothing. */

/* Subscribes to systemd's unit signals and asks for netctld.service's
 * state, without waiting for either answer; call it on the session bus
 * before the first call that may activate netctld. */
void unit_watch_begin(sd_bus *bus);

/* Whether the start has failed, as far as the answers processed so far
 * tell: the unit went to "failed" after the watch began, or it was
 * already "failed" then and has not moved for UNIT_WATCH_STILL_USEC, so
 * no start is coming (dbus-daemon is still waiting on an earlier
 * attempt, or systemd's start limit was hit).  Never while a netctld
 * already owns the bus name: it answers the call.  Otherwise false, with
 * *ret_deadline (CLOCK_MONOTONIC usec, or UINT64_MAX) set to when to ask
 * again if nothing arrives before. */
#define UNIT_WATCH_STILL_USEC (1000 * 1000ULL)
bool unit_watch_failed(uint64_t *ret_deadline);

/* The error bus_call_pipelined() reports a failed start with, its
 * message the reason; made and read only inside netctl. */
#define UNIT_WATCH_ERROR_FAILED "org.netctl.Client.StartFailed"

/* The reason for the failure, for the user: netctld's last status line
 * (it names the file and what is wrong with it) or systemd's result.
 * Returns a new string, or NULL when out of memory. */
char *unit_watch_reason(sd_bus *bus);
