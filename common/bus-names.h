/* SPDX-License-Identifier: MIT */
#pragma once

/* The one place where bus names live; both netctld and netctl include it. */

#define NETCTL_BUS_NAME          "org.netctl.Netctl1"
#define NETCTL_OBJECT_PATH       "/org/netctl/Netctl1"
#define NETCTL_IFACE_MANAGER     "org.netctl.Netctl1.Manager"
#define NETCTL_IFACE_FOLLOWUPS   "org.netctl.Netctl1.Followups"
#define NETCTL_IFACE_CONTACTS    "org.netctl.Netctl1.Contacts"
#define NETCTL_IFACE_MEETINGS    "org.netctl.Netctl1.Meetings"
#define NETCTL_IFACE_BREAKS      "org.netctl.Netctl1.Breaks"
#define NETCTL_IFACE_SYNC        "org.netctl.Netctl1.Sync"

/* netctld's direct socket, under $XDG_RUNTIME_DIR: the same objects and
 * interfaces as on the session bus, peer to peer (daemon/bus-direct.c). */
#define NETCTL_DIRECT_DIR        "netctl"
#define NETCTL_DIRECT_SOCKET     NETCTL_DIRECT_DIR "/private"

#define NETCTL_ERROR_PREFIX       "org.netctl.Netctl1.Error."
#define NETCTL_ERROR_NOT_FOUND    NETCTL_ERROR_PREFIX "NotFound"
#define NETCTL_ERROR_INVALID      NETCTL_ERROR_PREFIX "InvalidArgument"
#define NETCTL_ERROR_CONFLICT     NETCTL_ERROR_PREFIX "Conflict"
#define NETCTL_ERROR_NO_SPACE     NETCTL_ERROR_PREFIX "NoSpace"
#define NETCTL_ERROR_STORAGE      NETCTL_ERROR_PREFIX "StorageFailed"
#define NETCTL_ERROR_ACCESS       NETCTL_ERROR_PREFIX "AccessDenied"
#define NETCTL_ERROR_BUSY         NETCTL_ERROR_PREFIX "Busy"
/* A WHO that names several contacts; the message lists them. */
#define NETCTL_ERROR_AMBIGUOUS    NETCTL_ERROR_PREFIX "Ambiguous"

/* One follow-up on the wire, in List/Get replies:
 * (t id, s uid, s text, s kind, x due, x done_at, t every, b every_fixed,
 *  x notified_at, s contact).  Times are Unix seconds, UTC; 0 means unset. */
#define NETCTL_FOLLOWUP_SIG      "(tsssxxtbxs)"

/* One meeting occurrence, in Meetings.List replies: (t id, s uid,
 * s summary, x start, x end, b all_day, b cancelled, s location,
 * a(s email, s name, s contact_handle, b organizer)). */
#define NETCTL_OCCURRENCE_CONTENTS "tssxxbbsa(sssb)"
#define NETCTL_OCCURRENCE_SIG    "(" NETCTL_OCCURRENCE_CONTENTS ")"

/* Meetings.ExportMemfd's file: this string, then each item's UID and its
 * iCalendar text, every string ending in a NUL (daemon/export.h). */
#define NETCTL_EXPORT_MAGIC      "netctl-export-1"

/* Text bounds shared by the client (early, friendly errors) and the daemon
 * (the authority). */
#define NETCTL_TEXT_MAX          1024   /* bytes of a follow-up text */
#define NETCTL_NAME_MAX          256

/* People (org.netctl.Netctl1.Contacts).  One contact:
 * (t id, s uid, s handle, s name, s org, s met, s note, s tie ("weak" or
 *  "strong"), x cadence (as set: 0 the tie's default, -1 off, else seconds),
 *  t effective_cadence (0: no keep-in-touch), as emails, as tags, x created,
 *  x archived_at, x last_at, s last_kind, u interactions, u leads, u gave,
 *  u got, x next_due (the open reconnect reminder), t reconnect_id).
 * "" and 0 mean unset. */
#define NETCTL_CONTACT_SIG       "(tsssssssxtasasxxxsuuuuxt)"
/* One interaction: (t id, t contact_id, s handle, s name, s kind, x at,
 * s gave, s got, s note, b lead, x created). */
#define NETCTL_INTERACTION_SIG   "(ttsssxsssbx)"
/* One suggestion: (t id, s handle, s name, s tie, x due, x last_at,
 * s last_kind, b never_contacted, s reason). */
#define NETCTL_SUGGESTION_SIG    "(tsssxxsbs)"
/* One week of statistics: (x start, u interactions, u weak, u strong,
 * u gave, u got, u leads, u new_contacts, u weak_people). */
#define NETCTL_STATS_WEEK_SIG    "(xuuuuuuuu)"
/* One imported card: (u line, s name, s outcome ("added", "updated",
 * "unchanged", "skipped"), s detail, t contact_id, s handle). */
#define NETCTL_IMPORT_CARD_SIG   "(usssts)"

#define NETCTL_NOTE_MAX          16384  /* bytes of a note (multi-line) */
#define NETCTL_VCARD_FILE_MAX    (16u * 1024u * 1024u)
