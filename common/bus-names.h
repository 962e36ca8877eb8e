/* SPDX-License-Identifier: MIT */
#pragma once

/* The one place where bus names live; both netctld and netctl include it. */

#define NETCTL_BUS_NAME          "org.netctl.Netctl1"
#define NETCTL_OBJECT_PATH       "/org/netctl/Netctl1"
#define NETCTL_IFACE_MANAGER     "org.netctl.Netctl1.Manager"
#define NETCTL_IFACE_FOLLOWUPS   "org.netctl.Netctl1.Followups"
#define NETCTL_IFACE_CONTACTS    "org.netctl.Netctl1.Contacts"
#define NETCTL_IFACE_MEETINGS    "org.netctl.Netctl1.Meetings"

#define NETCTL_ERROR_PREFIX       "org.netctl.Netctl1.Error."
#define NETCTL_ERROR_NOT_FOUND    NETCTL_ERROR_PREFIX "NotFound"
#define NETCTL_ERROR_INVALID      NETCTL_ERROR_PREFIX "InvalidArgument"
#define NETCTL_ERROR_CONFLICT     NETCTL_ERROR_PREFIX "Conflict"
#define NETCTL_ERROR_NO_SPACE     NETCTL_ERROR_PREFIX "NoSpace"
#define NETCTL_ERROR_STORAGE      NETCTL_ERROR_PREFIX "StorageFailed"
#define NETCTL_ERROR_ACCESS       NETCTL_ERROR_PREFIX "AccessDenied"
#define NETCTL_ERROR_BUSY         NETCTL_ERROR_PREFIX "Busy"

/* One follow-up on the wire, in List/Get replies:
 * (t id, s uid, s text, s kind, x due, x done_at, t every, b every_fixed,
 *  x notified_at, s contact).  Times are Unix seconds, UTC; 0 means unset. */
#define NETCTL_FOLLOWUP_SIG      "(tsssxxtbxs)"

/* Text bounds shared by the client (early, friendly errors) and the daemon
 * (the authority). */
#define NETCTL_TEXT_MAX          1024   /* bytes of a follow-up text */
#define NETCTL_NAME_MAX          256
