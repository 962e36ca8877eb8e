/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

/* When the user may be interrupted, and how several reminders become one.
 *
 * Pure parts, unit-tested (tests/unit/test-attention.c): the quiet rules
 * (quiet hours, weekend rules) as a function of local time, the text of a
 * digest, and the table of digests in flight.  The rest watches whether the
 * notification server itself says "do not disturb": dunst's paused state
 * (property "paused" of org.dunstproject.cmd0) and the Notifications
 * "Inhibited" property that Plasma and others offer.  While either holds,
 * reminders stay pending; when it ends, the schedule is re-armed and they
 * go out, as one digest when there are several. */

typedef struct Context Context;
typedef struct Config Config;

/* ---- quiet rules (pure) ---- */

typedef struct QuietRules {
        int start, end;                 /* seconds after local midnight; equal: no quiet hours */
        int weekend_start, weekend_end; /* on weekend days instead; -1: the same as every day */
        unsigned weekend_days;          /* bit d set: weekday d (0 = Sunday) is a weekend day */
        bool weekend_hold;              /* weekend days are quiet all day long */
} QuietRules;

void quiet_rules_from_config(const Config *cfg, QuietRules *ret);

/* 0 when the instant t is outside quiet time; otherwise the first instant
 * after t that is outside it (the end of the quiet hours, or of a held
 * weekend followed by Sunday night's quiet hours).  A window belongs to the
 * day on which it starts: "21:00-08:00" on a Friday is a weekday night even
 * when Saturday is a weekend day.  Local time is TZ's; across a DST change
 * each window keeps its wall-clock times. */
int64_t quiet_until(const QuietRules *q, int64_t t);

/* ---- digests (pure) ---- */

typedef struct DigestItem {
        int64_t id;
        const char *text;
} DigestItem;

/* The summary ("3 reminders") and body (one "• text (#id)" line per item,
 * long texts cut, "… and N more" when they do not fit) of a digest of n
 * items.  Both buffers are always NUL-terminated, cut at a UTF-8 boundary. */
void digest_format(const DigestItem *items, size_t n, char *summary, size_t summary_size,
                   char *body, size_t body_size);

/* Digests in flight: the notifier knows a digest by one id (negative, at or
 * below DIGEST_ID_BASE) and hands back SHOWN, FAILED and actions by it. */
#define DIGEST_ID_BASE (-1000000LL)
#define DIGESTS_KEPT 32

typedef struct Digest {
        int64_t id;
        int64_t *members;
        size_t n;
} Digest;

typedef struct DigestTable {
        Digest entries[DIGESTS_KEPT];
        size_t n;
        int64_t serial;
} DigestTable;

static inline bool digest_id_is(int64_t id) {
        return id <= DIGEST_ID_BASE;
}

/* Remembers a digest of n members (copied); the oldest is forgotten when
 * DIGESTS_KEPT are kept already.  Returns 0 and its id, or -ENOMEM. */
int digest_table_add(DigestTable *t, const int64_t *members, size_t n, int64_t *ret_id);
/* The members of digest `id` (owned by the table), or NULL. */
const int64_t *digest_table_get(const DigestTable *t, int64_t id, size_t *ret_n);
void digest_table_remove(DigestTable *t, int64_t id);
/* Takes reminder `member` out of every digest that holds it (it was done,
 * snoozed or removed elsewhere, so the digest's actions must not touch it
 * again), and stores their ids in touched[] (at most max of them).  A
 * digest left with no member is forgotten: digest_table_get() no longer
 * finds it.  Returns how many digests held the member. */
size_t digest_table_drop_member(DigestTable *t, int64_t member, int64_t *touched, size_t max);
void digest_table_clear(DigestTable *t);

/* ---- the daemon's view ---- */

typedef enum HoldReason {
        HOLD_NONE,
        HOLD_QUIET,             /* quiet hours or a weekend rule */
        HOLD_SERVER_PAUSED,     /* dunst is paused */
        HOLD_SERVER_INHIBITED,  /* the server's Inhibited property is true */
} HoldReason;

typedef struct Attention {
        bool server_paused;
        bool server_inhibited;
        sd_bus_slot *properties_slot;
        sd_bus_slot *owner_slot;
        sd_bus_slot *query_slots[2];
        DigestTable digests;
} Attention;

/* Creates c->attention and, when c->bus is connected, starts watching the
 * notification server's do-not-disturb state.  Returns negative errno only
 * when out of memory. */
int attention_setup(Context *c);
Attention *attention_free(Attention *a);

/* Whether reminders are held at instant t, and why.  For HOLD_QUIET,
 * *ret_until (optional) is when the quiet time ends; for the server states
 * it is 0: they end when the server says so. */
HoldReason attention_hold(const Context *c, int64_t t, int64_t *ret_until);

/* "quiet hours", "notification server paused", ...; NULL for HOLD_NONE. */
const char *hold_reason_to_string(HoldReason r);

/* How far past `now` reminders are gathered into one digest: the
 * [reminders] digest_window, or 0 when the window would reach into quiet
 * time (reminders due then are held, not shown early). */
int64_t attention_digest_lookahead(const Context *c, int64_t now);
