/* SPDX-License-Identifier: MIT */
/* Quiet rules, digests and the notification server's do-not-disturb state
 * (see attention.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attention.h"
#include "bus.h"
#include "context.h"
#include "log.h"
#include "schedule.h"
#include "selfcare.h"

#define NOTIFICATIONS_NAME  "org.freedesktop.Notifications"
#define NOTIFICATIONS_PATH  "/org/freedesktop/Notifications"
#define NOTIFICATIONS_IFACE "org.freedesktop.Notifications"
#define DUNST_IFACE         "org.dunstproject.cmd0"

#define DAY_SECONDS 86400

/* ---- quiet rules ---- */

void quiet_rules_from_config(const Config *cfg, QuietRules *ret) {
        *ret = (QuietRules) {
                .start = cfg->quiet_start,
                .end = cfg->quiet_end,
                .weekend_start = cfg->weekend_quiet_start,
                .weekend_end = cfg->weekend_quiet_end,
                .weekend_days = cfg->weekend_days,
                .weekend_hold = cfg->weekend_hold,
        };
}

/* Noon of the local day `days` after the one holding t: a time that exists
 * on every day, to read the weekday from and build that day's instants. */
static bool local_day(int64_t t, int days, struct tm *ret) {
        time_t tt = (time_t) t;
        struct tm tm;

        if (!localtime_r(&tt, &tm))
                return false;
        tm.tm_mday += days;
        tm.tm_hour = 12;
        tm.tm_min = 0;
        tm.tm_sec = 0;
        tm.tm_isdst = -1;
        if (mktime(&tm) == (time_t) -1)
                return false;
        *ret = tm;
        return true;
}

/* The wall-clock time `seconds` after the local midnight of the day `noon`
 * names (86400: the next midnight).  Given as hours, minutes and seconds:
 * mktime() would count a bare tm_sec as elapsed time, an hour off across a
 * DST change. */
static int64_t day_at(const struct tm *noon, int seconds) {
        struct tm tm = *noon;
        tm.tm_mday += seconds / DAY_SECONDS;
        seconds %= DAY_SECONDS;
        tm.tm_hour = seconds / 3600;
        tm.tm_min = seconds % 3600 / 60;
        tm.tm_sec = seconds % 60;
        tm.tm_isdst = -1;
        return (int64_t) mktime(&tm);
}

/* Of the quiet intervals that start on day `days` relative to t's day, the
 * latest end among those holding t; 0 when none does. */
static int64_t day_covers(const QuietRules *q, int64_t t, int days) {
        struct tm noon;
        int64_t best = 0;

        if (!local_day(t, days, &noon))
                return 0;

        bool weekend = q->weekend_days & (1u << noon.tm_wday);
        int start = q->start, end = q->end;
        if (weekend && q->weekend_start >= 0 && q->weekend_end >= 0) {
                start = q->weekend_start;
                end = q->weekend_end;
        }

        if (start != end) {
                int64_t s = day_at(&noon, start);
                int64_t e = day_at(&noon, start < end ? end : DAY_SECONDS + end);
                if (s <= t && t < e && e > best)
                        best = e;
        }
        if (weekend && q->weekend_hold) {
                int64_t s = day_at(&noon, 0);
                int64_t e = day_at(&noon, DAY_SECONDS);
                if (s <= t && t < e && e > best)
                        best = e;
        }
        return best;
}

int64_t quiet_until(const QuietRules *q, int64_t t) {
        int64_t at = t;

        /* Follow adjoining intervals (a held Saturday, Sunday, then Sunday
         * night's quiet hours) to the first free instant.  The bound only
         * matters for rules that leave no free time at all, which the
         * config refuses. */
        for (int i = 0; i < 32; i++) {
                int64_t end = day_covers(q, at, -1);
                int64_t today = day_covers(q, at, 0);
                if (today > end)
                        end = today;
                if (end <= at)
                        break;
                at = end;
        }
        return at > t ? at : 0;
}

/* ---- digests ---- */

/* Appends at most `max` bytes of s to buf (of size `size`, holding `len`),
 * cut at a character boundary, with "…" when cut.  Returns the new length. */
static size_t append_cut(char *buf, size_t size, size_t len, const char *s, size_t max) {
        size_t n = strlen(s);
        bool cut = false;

        if (n > max) {
                n = max;
                cut = true;
        }
        if (len + n + 1 > size) {
                n = len + 1 < size ? size - len - 1 : 0;
                cut = true;
        }
        /* Back off to the start of a UTF-8 sequence. */
        while (n > 0 && n < strlen(s) && ((unsigned char) s[n] & 0xc0) == 0x80)
                n--;
        memcpy(buf + len, s, n);
        len += n;
        if (cut && len + strlen("…") + 1 <= size) {
                memcpy(buf + len, "…", strlen("…"));
                len += strlen("…");
        }
        buf[len] = '\0';
        return len;
}

#define DIGEST_LINE_TEXT_MAX 120

void digest_format(const DigestItem *items, size_t n, char *summary, size_t summary_size,
                   char *body, size_t body_size) {
        if (summary_size > 0)
                snprintf(summary, summary_size, "%zu reminder%s", n, n == 1 ? "" : "s");
        if (body_size == 0)
                return;
        body[0] = '\0';

        size_t len = 0;
        for (size_t i = 0; i < n; i++) {
                char id[32], more[48];
                snprintf(id, sizeof id, " (#%" PRId64 ")", items[i].id);
                snprintf(more, sizeof more, "… and %zu more", n - i);

                /* The line, and room for "… and N more" after it unless it
                 * is the last one. */
                size_t need = (i > 0 ? 1 : 0) + strlen("• ") + DIGEST_LINE_TEXT_MAX + strlen("…") +
                              strlen(id) + (i + 1 < n ? 1 + strlen(more) : 0);
                if (len + need + 1 > body_size) {
                        if (i > 0 && len + 1 + strlen(more) + 1 <= body_size)
                                len = append_cut(body, body_size, len, "\n", 1);
                        (void) append_cut(body, body_size, len, more, strlen(more));
                        return;
                }
                if (i > 0)
                        len = append_cut(body, body_size, len, "\n", 1);
                len = append_cut(body, body_size, len, "• ", strlen("• "));
                len = append_cut(body, body_size, len, items[i].text ? items[i].text : "",
                                 DIGEST_LINE_TEXT_MAX);
                len = append_cut(body, body_size, len, id, strlen(id));
        }
}

int digest_table_add(DigestTable *t, const int64_t *members, size_t n, int64_t *ret_id) {
        int64_t *copy = calloc(n > 0 ? n : 1, sizeof *copy);
        if (!copy)
                return -ENOMEM;
        memcpy(copy, members, n * sizeof *copy);

        if (t->n == DIGESTS_KEPT) {
                free(t->entries[0].members);
                memmove(&t->entries[0], &t->entries[1], (DIGESTS_KEPT - 1) * sizeof t->entries[0]);
                t->n--;
        }
        t->serial++;
        t->entries[t->n] = (Digest) { .id = DIGEST_ID_BASE - t->serial, .members = copy, .n = n };
        *ret_id = t->entries[t->n].id;
        t->n++;
        return 0;
}

const int64_t *digest_table_get(const DigestTable *t, int64_t id, size_t *ret_n) {
        for (size_t i = 0; i < t->n; i++)
                if (t->entries[i].id == id) {
                        *ret_n = t->entries[i].n;
                        return t->entries[i].members;
                }
        *ret_n = 0;
        return NULL;
}

void digest_table_remove(DigestTable *t, int64_t id) {
        for (size_t i = 0; i < t->n; i++)
                if (t->entries[i].id == id) {
                        free(t->entries[i].members);
                        memmove(&t->entries[i], &t->entries[i + 1], (t->n - i - 1) * sizeof t->entries[0]);
                        t->n--;
                        return;
                }
}

size_t digest_table_drop_member(DigestTable *t, int64_t member, int64_t *touched, size_t max) {
        size_t n_touched = 0;

        for (size_t i = 0; i < t->n;) {
                Digest *d = &t->entries[i];
                size_t kept = 0;
                for (size_t j = 0; j < d->n; j++)
                        if (d->members[j] != member)
                                d->members[kept++] = d->members[j];
                if (kept < d->n && n_touched < max)
                        touched[n_touched++] = d->id;
                d->n = kept;
                if (kept == 0) {
                        digest_table_remove(t, d->id);
                        continue;
                }
                i++;
        }
        return n_touched;
}

void digest_table_clear(DigestTable *t) {
        for (size_t i = 0; i < t->n; i++)
                free(t->entries[i].members);
        t->n = 0;
}

/* ---- the daemon's view ---- */

HoldReason attention_hold(const Context *c, int64_t t, int64_t *ret_until) {
        if (ret_until)
                *ret_until = 0;
        if (c->attention && c->attention->server_paused)
                return HOLD_SERVER_PAUSED;
        if (c->attention && c->attention->server_inhibited)
                return HOLD_SERVER_INHIBITED;

        QuietRules q;
        quiet_rules_from_config(&c->config, &q);
        int64_t until = quiet_until(&q, t);
        if (until == 0)
                return HOLD_NONE;
        if (ret_until)
                *ret_until = until;
        return HOLD_QUIET;
}

const char *hold_reason_to_string(HoldReason r) {
        switch (r) {
        case HOLD_QUIET:            return "quiet hours";
        case HOLD_SERVER_PAUSED:    return "notification server paused";
        case HOLD_SERVER_INHIBITED: return "notification server inhibited";
        case HOLD_NONE:             break;
        }
        return NULL;
}

int64_t attention_digest_lookahead(const Context *c, int64_t now) {
        int64_t window = c->config.digest_window;
        if (window <= 0)
                return 0;
        QuietRules q;
        quiet_rules_from_config(&c->config, &q);
        return quiet_until(&q, now + window) != 0 ? 0 : window;
}

/* The server's state changed: reminders held for it may go now, or must
 * wait. */
static void attention_changed(Context *c, const char *what, bool on) {
        log_info("The notification server is %s%s; %s", on ? "" : "no longer ", what,
                 on ? "holding reminders" : "releasing held reminders");
        (void) schedule_arm_next(c);
        selfcare_attention_changed(c);
}

static void set_state(Context *c, bool inhibited, bool value) {
        Attention *a = c->attention;
        bool *field = inhibited ? &a->server_inhibited : &a->server_paused;
        if (*field == value)
                return;
        *field = value;
        attention_changed(c, inhibited ? "inhibited" : "paused (dunst)", value);
}

static int on_get_reply(sd_bus_message *m, bool inhibited, Context *c) {
        int value = 0;

        /* An error means the server does not offer the property: it cannot
         * be paused that way. */
        if (!sd_bus_message_is_method_error(m, NULL))
                if (sd_bus_message_read(m, "v", "b", &value) < 0)
                        value = 0;
        set_state(c, inhibited, value);
        return 0;
}

static int on_paused_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Context *c = userdata;
        c->attention->query_slots[0] = sd_bus_slot_unref(c->attention->query_slots[0]);
        return on_get_reply(m, false, c);
}

static int on_inhibited_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Context *c = userdata;
        c->attention->query_slots[1] = sd_bus_slot_unref(c->attention->query_slots[1]);
        return on_get_reply(m, true, c);
}

/* Asks the server for one property, without starting a server that is
 * only activatable: netctl must not bring up a notification daemon just
 * to ask whether it is paused. */
static int query_property(Context *c, bool inhibited) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        Attention *a = c->attention;
        int r;

        r = sd_bus_message_new_method_call(c->bus, &m, NOTIFICATIONS_NAME, NOTIFICATIONS_PATH,
                                           "org.freedesktop.DBus.Properties", "Get");
        if (r < 0)
                return r;
        r = sd_bus_message_set_auto_start(m, false);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ss", inhibited ? NOTIFICATIONS_IFACE : DUNST_IFACE,
                                  inhibited ? "Inhibited" : "paused");
        if (r < 0)
                return r;
        sd_bus_slot **slot = &a->query_slots[inhibited ? 1 : 0];
        *slot = sd_bus_slot_unref(*slot);
        return sd_bus_call_async(c->bus, slot, m, inhibited ? on_inhibited_reply : on_paused_reply, c, 0);
}

static void query_server(Context *c) {
        int r = query_property(c, false);
        if (r >= 0)
                r = query_property(c, true);
        if (r < 0)
                log_warning_errno(r, "Cannot ask the notification server whether it is paused: %m");
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Context *c = userdata;
        const char *iface;
        bool changed;
        int value, r;

        r = sd_bus_message_read(m, "s", &iface);
        if (r < 0)
                return 0;
        bool inhibited;
        if (strcmp(iface, DUNST_IFACE) == 0)
                inhibited = false;
        else if (strcmp(iface, NOTIFICATIONS_IFACE) == 0)
                inhibited = true;
        else
                return 0;

        r = bus_read_changed_bool(m, inhibited ? "Inhibited" : "paused", &value, &changed);
        if (r < 0)
                return 0;
        if (changed && value >= 0)
                set_state(c, inhibited, value);
        else
                /* Invalidated rather than sent: ask. */
                (void) query_property(c, inhibited);
        return 0;
}

static int on_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Context *c = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        if (strcmp(name, NOTIFICATIONS_NAME) != 0)
                return 0;
        if (new_owner[0] == '\0') {
                /* A server that is gone pauses nothing. */
                set_state(c, false, false);
                set_state(c, true, false);
        } else
                query_server(c);
        return 0;
}

int attention_setup(Context *c) {
        int r;

        if (!c->attention) {
                c->attention = calloc(1, sizeof *c->attention);
                if (!c->attention)
                        return -ENOMEM;
        }
        if (!c->bus)
                return 0;

        r = sd_bus_match_signal_async(c->bus, &c->attention->properties_slot, NOTIFICATIONS_NAME,
                                      NOTIFICATIONS_PATH, "org.freedesktop.DBus.Properties",
                                      "PropertiesChanged", on_properties_changed, NULL, c);
        if (r >= 0)
                r = sd_bus_add_match_async(c->bus, &c->attention->owner_slot,
                                           "type='signal',sender='org.freedesktop.DBus',"
                                           "path='/org/freedesktop/DBus',interface='org.freedesktop.DBus',"
                                           "member='NameOwnerChanged',arg0='" NOTIFICATIONS_NAME "'",
                                           on_owner_changed, NULL, c);
        if (r < 0) {
                /* Not fatal: reminders are then shown even while the server
                 * is paused, as before. */
                log_warning_errno(r, "Cannot watch the notification server's paused state: %m");
                return 0;
        }
        query_server(c);
        return 0;
}

Attention *attention_free(Attention *a) {
        if (!a)
                return NULL;
        sd_bus_slot_unref(a->properties_slot);
        sd_bus_slot_unref(a->owner_slot);
        sd_bus_slot_unref(a->query_slots[0]);
        sd_bus_slot_unref(a->query_slots[1]);
        digest_table_clear(&a->digests);
        free(a);
        return NULL;
}
