/* SPDX-License-Identifier: MIT */
/* The network's pure logic; the contract is in people.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "macro.h"
#include "people.h"
#include "text.h"

const char *const people_interaction_kinds[] = {
        "coffee", "call", "email", "message", "meeting", "event", "intro", NULL,
};

bool people_kind_valid(const char *kind) {
        if (!kind)
                return false;
        for (size_t i = 0; people_interaction_kinds[i]; i++)
                if (strcmp(kind, people_interaction_kinds[i]) == 0)
                        return true;
        return false;
}

static char ascii_lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c - 'A' + 'a') : c;
}

/* Drops an incomplete UTF-8 sequence that snprintf() truncation may have
 * left at the end of s. */
static void utf8_trim_incomplete(char *s) {
        size_t n = strlen(s), start = n;

        while (start > 0 && ((unsigned char) s[start - 1] & 0xC0) == 0x80)
                start--;
        if (start == 0 || (unsigned char) s[start - 1] < 0xC0)
                return;         /* ends in ASCII or a complete sequence */
        unsigned char lead = (unsigned char) s[start - 1];
        size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        if (n - (start - 1) < need)
                s[start - 1] = '\0';
}

/* At most max bytes of text for a sentence, cut at a character boundary
 * with "..." when cut: a "met" text may be a kilobyte. */
static const char *shorten(const char *text, size_t max, char *buf, size_t size) {
        size_t n = strlen(text);

        if (n <= max && n < size) {
                memcpy(buf, text, n + 1);
                return buf;
        }
        if (max + 4 > size)
                max = size - 4;
        n = max;
        while (n > 0 && ((unsigned char) text[n] & 0xC0) == 0x80)
                n--;
        memcpy(buf, text, n);
        memcpy(buf + n, "...", 4);
        return buf;
}

bool people_got_is_lead(const char *got) {
        static const char word[] = "lead";

        if (!got)
                return false;
        while (*got == ' ')
                got++;
        for (size_t i = 0; i < sizeof word - 1; i++)
                if (ascii_lower(got[i]) != word[i])
                        return false;
        char next = got[sizeof word - 1];
        return next == ':' || next == '-' || next == ' ';
}

/* ---- folding ---- */

/* U+00C0..U+017F without their marks, lower case; "" for × and ÷. */
static const char *const latin_fold[] = {
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
        "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
        "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
        "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
        "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
        "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
        "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
        "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
        "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
        "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
        "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};

/* Decodes one UTF-8 sequence (input is validated UTF-8; anything else is
 * taken one byte at a time as U+FFFD).  Returns its length. */
static size_t decode(const unsigned char *s, uint32_t *ret) {
        size_t n;
        uint32_t cp;

        if (s[0] < 0x80) {
                *ret = s[0];
                return 1;
        }
        if ((s[0] & 0xE0) == 0xC0) {
                n = 2;
                cp = s[0] & 0x1F;
        } else if ((s[0] & 0xF0) == 0xE0) {
                n = 3;
                cp = s[0] & 0x0F;
        } else if ((s[0] & 0xF8) == 0xF0) {
                n = 4;
                cp = s[0] & 0x07;
        } else {
                *ret = 0xFFFD;
                return 1;
        }
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xC0) != 0x80) {
                        *ret = 0xFFFD;
                        return 1;
                }
                cp = (cp << 6) | (s[i] & 0x3F);
        }
        *ret = cp;
        return n;
}

static size_t encode(uint32_t cp, char out[4]) {
        if (cp < 0x80) {
                out[0] = (char) cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char) (0xC0 | (cp >> 6));
                out[1] = (char) (0x80 | (cp & 0x3F));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char) (0xE0 | (cp >> 12));
                out[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
                out[2] = (char) (0x80 | (cp & 0x3F));
                return 3;
        }
        out[0] = (char) (0xF0 | (cp >> 18));
        out[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char) (0x80 | (cp & 0x3F));
        return 4;
}

/* Non-ASCII code points that are not letters for our purposes: Latin-1
 * punctuation, general punctuation and symbols, CJK punctuation,
 * variation selectors, full-width ASCII punctuation, emoji. */
static bool is_separator_cp(uint32_t cp) {
        return (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 ||
                (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
                (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
                cp == 0xFEFF || cp == 0xFFFD || (cp >= 0x1F000 && cp <= 0x1FAFF);
}

static bool is_combining(uint32_t cp) {
        return (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
                (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF);
}

/* Simple lower-casing of Greek and Cyrillic capitals. */
static uint32_t fold_other(uint32_t cp) {
        if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2)
                return cp + 0x20;
        if (cp >= 0x410 && cp <= 0x42F)
                return cp + 0x20;
        if (cp >= 0x400 && cp <= 0x40F)
                return cp + 0x50;
        return cp;
}

size_t people_fold(const char *text, char separator, char *buf, size_t size) {
        const unsigned char *p = (const unsigned char *) text;
        size_t n = 0;
        bool pending_separator = false;

        if (size == 0)
                return 0;
        while (*p) {
                char piece[8];
                size_t piece_len = 0;
                uint32_t cp;

                p += decode(p, &cp);
                if (cp < 0x80) {
                        char c = ascii_lower((char) cp);
                        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
                                piece[piece_len++] = c;
                } else if (is_combining(cp))
                        continue;
                else if (cp >= 0xC0 && cp <= 0x17F) {
                        const char *t = latin_fold[cp - 0xC0];
                        piece_len = strlen(t);
                        memcpy(piece, t, piece_len);
                } else if (!is_separator_cp(cp))
                        piece_len = encode(fold_other(cp), piece);

                if (piece_len == 0) {
                        pending_separator = n > 0;
                        continue;
                }
                size_t need = piece_len + (pending_separator ? 1 : 0);
                if (n + need + 1 > size)
                        break;
                if (pending_separator)
                        buf[n++] = separator;
                memcpy(buf + n, piece, piece_len);
                n += piece_len;
                pending_separator = false;
        }
        buf[n] = '\0';
        return n;
}

static bool all_digits(const char *s) {
        if (!*s)
                return false;
        for (; *s; s++)
                if (*s < '0' || *s > '9')
                        return false;
        return true;
}

/* Cuts s to at most max bytes at a character boundary, then drops any
 * trailing '-'. */
static void cut_handle(char *s, size_t max) {
        size_t n = strlen(s);
        if (n > max) {
                n = max;
                while (n > 0 && ((unsigned char) s[n] & 0xC0) == 0x80)
                        n--;
                s[n] = '\0';
        }
        while (n > 0 && s[n - 1] == '-')
                s[--n] = '\0';
}

void people_handle_derive(const char *name, char *buf, size_t size) {
        char folded[4 * PEOPLE_HANDLE_MAX + 8];

        people_fold(name ? name : "", '-', folded, sizeof folded);
        cut_handle(folded, PEOPLE_HANDLE_MAX);
        if (folded[0] == '\0')
                snprintf(buf, size, "contact");
        else if (all_digits(folded)) {
                char prefixed[sizeof folded + 4];
                snprintf(prefixed, sizeof prefixed, "c-%s", folded);
                cut_handle(prefixed, PEOPLE_HANDLE_MAX);
                snprintf(buf, size, "%s", prefixed);
        } else
                snprintf(buf, size, "%s", folded);
}

void people_handle_candidate(const char *base, unsigned n, char *buf, size_t size) {
        char suffix[16], cut[PEOPLE_HANDLE_MAX + 1];

        snprintf(suffix, sizeof suffix, "-%u", n);
        snprintf(cut, sizeof cut, "%s", base);
        cut_handle(cut, PEOPLE_HANDLE_MAX - strlen(suffix));
        snprintf(buf, size, "%s%s", cut, suffix);
}

int people_handle_check(const char *handle, const char **ret_reason) {
        const char *reason = NULL;
        size_t len = handle ? strlen(handle) : 0;

        if (len == 0)
                reason = "a handle cannot be empty";
        else if (len > PEOPLE_HANDLE_MAX)
                reason = "a handle is at most 64 bytes";
        else if (!utf8_valid(handle, len))
                reason = "a handle must be valid UTF-8";
        else if (all_digits(handle))
                reason = "a handle cannot be all digits (that is how ids look)";
        else if (handle[0] == '-' || handle[0] == '_' || handle[0] == '.')
                reason = "a handle starts with a letter or a digit";
        else {
                const unsigned char *p = (const unsigned char *) handle;
                while (*p) {
                        uint32_t cp;
                        p += decode(p, &cp);
                        if (cp < 0x80) {
                                if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') ||
                                    cp == '-' || cp == '_' || cp == '.')
                                        continue;
                                reason = cp >= 'A' && cp <= 'Z' ?
                                        "a handle is lower case" :
                                        "a handle holds only letters, digits, '-', '_' and '.'";
                                break;
                        }
                        if (is_separator_cp(cp) || is_combining(cp) || (cp >= 0x80 && cp < 0xA0)) {
                                reason = "a handle holds only letters, digits, '-', '_' and '.'";
                                break;
                        }
                }
        }
        if (ret_reason)
                *ret_reason = reason;
        return reason ? -EINVAL : 0;
}

int people_tag_check(const char *tag, const char **ret_reason) {
        int r = text_check_line(tag, PEOPLE_TAG_MAX, false, ret_reason);
        if (r < 0)
                return r;
        if (strchr(tag, ',')) {
                if (ret_reason)
                        *ret_reason = "a tag cannot contain ','";
                return -EINVAL;
        }
        return 0;
}

PeopleWhoKind people_who_kind(const char *who, int64_t *ret_id) {
        const char *p = who[0] == '#' ? who + 1 : who;

        if (all_digits(p) && strlen(p) <= 18) {
                if (ret_id)
                        *ret_id = strtoll(p, NULL, 10);
                return PEOPLE_WHO_ID;
        }
        if (strchr(who, '@'))
                return PEOPLE_WHO_EMAIL;
        return PEOPLE_WHO_NAME;
}

int people_name_match(const char *query_space, const char *query_dash,
                      const char *handle, const char *name) {
        char folded[4 * 256 + 8];
        size_t qs = strlen(query_space), qd = strlen(query_dash);

        if (qs == 0 && qd == 0)
                return 0;
        if (strcmp(handle, query_dash) == 0)
                return 2;
        people_fold(name, ' ', folded, sizeof folded);
        if (strcmp(folded, query_space) == 0)
                return 2;
        if ((qd > 0 && strncmp(handle, query_dash, qd) == 0) ||
            (qs > 0 && strncmp(folded, query_space, qs) == 0))
                return 1;
        return 0;
}

/* ---- keep-in-touch ---- */

int64_t people_effective_cadence(bool strong, int64_t cadence_set, int64_t weak_default) {
        if (cadence_set > 0)
                return cadence_set;
        if (cadence_set == PEOPLE_CADENCE_DEFAULT && !strong)
                return weak_default > 0 ? weak_default : PEOPLE_DEFAULT_WEAK_CADENCE;
        return 0;
}

int64_t people_cadence_base(int64_t created, int64_t cadence_from, int64_t last_at) {
        int64_t base = created;
        if (cadence_from > base)
                base = cadence_from;
        if (last_at > base)
                base = last_at;
        return base;
}

int64_t people_reconnect_due(int64_t base, int64_t effective_cadence) {
        if (effective_cadence <= 0)
                return 0;
        if (base > INT64_MAX - effective_cadence)
                return INT64_MAX;

        int64_t t = base + effective_cadence;
        time_t tt = (time_t) t;
        struct tm tm;

        /* That day at PEOPLE_REMINDER_HOUR local time; mktime() settles
         * a DST change on the day. */
        tzset();
        if ((int64_t) tt != t || !localtime_r(&tt, &tm))
                return t;
        tm.tm_hour = PEOPLE_REMINDER_HOUR;
        tm.tm_min = 0;
        tm.tm_sec = 0;
        tm.tm_isdst = -1;
        time_t at = mktime(&tm);
        return at == (time_t) -1 ? t : (int64_t) at;
}

void people_ago_phrase(int64_t then, int64_t now, char *buf, size_t size) {
        int64_t days = then < now ? (now - then) / DAY_SECONDS : 0;

        if (days == 0)
                snprintf(buf, size, "today");
        else if (days == 1)
                snprintf(buf, size, "yesterday");
        else if (days < 730)
                snprintf(buf, size, "%" PRId64 " days ago", days);
        else
                snprintf(buf, size, "%" PRId64 " years ago", days / 365);
}

void people_cadence_phrase(int64_t seconds, char *buf, size_t size) {
        int64_t days = seconds / DAY_SECONDS;

        if (seconds % DAY_SECONDS != 0 || days == 0)
                snprintf(buf, size, "%" PRId64 " hours", seconds / 3600);
        else if (days % 7 == 0 && days <= 8 * 7)
                snprintf(buf, size, "%" PRId64 " week%s", days / 7, days == 7 ? "" : "s");
        else
                snprintf(buf, size, "%" PRId64 " day%s", days, days == 1 ? "" : "s");
}

/* "; you got a lead from them" and the like, or "". */
static void history_clause(const PeopleHistory *h, char *buf, size_t size) {
        if (h->n_leads == 1)
                snprintf(buf, size, "; you got a lead from them");
        else if (h->n_leads > 1)
                snprintf(buf, size, "; you got %u leads from them", h->n_leads);
        else if (h->n_got > 0 && h->n_gave > 0)
                snprintf(buf, size, "; you have helped each other");
        else if (h->n_got > 0)
                snprintf(buf, size, "; they helped you before");
        else if (h->n_gave > 0)
                snprintf(buf, size, "; you helped them before");
        else
                buf[0] = '\0';
}

void people_reconnect_summary(const PeopleHistory *h, int64_t now, char *buf, size_t size) {
        char ago[64], clause[64], met[104];

        if (h->last_at > 0) {
                people_ago_phrase(h->last_at, now, ago, sizeof ago);
                history_clause(h, clause, sizeof clause);
                snprintf(buf, size, "Reconnect with %s (last: %s, %s%s)", h->name,
                         h->last_kind ? h->last_kind : "contact", ago, clause);
        } else {
                people_ago_phrase(h->created, now, ago, sizeof ago);
                if (h->met && h->met[0])
                        snprintf(buf, size, "Reconnect with %s (added %s; met: %s)", h->name, ago,
                                 shorten(h->met, 80, met, sizeof met));
                else
                        snprintf(buf, size, "Reconnect with %s (added %s; nothing logged yet)", h->name, ago);
        }
        utf8_trim_incomplete(buf);
}

/* ---- suggestions ---- */

static bool selected(const PeopleCandidate *c, int64_t now) {
        return (c->due > 0 && c->due <= now) || c->never;
}

static int64_t overdue(const PeopleCandidate *c, int64_t now) {
        int64_t since = c->due > 0 ? c->due : c->created;
        return now - since;
}

static int64_t rank_now;

static int compare_candidates(const void *a, const void *b) {
        const PeopleCandidate *x = a, *y = b;
        bool sx = selected(x, rank_now), sy = selected(y, rank_now);

        if (sx != sy)
                return sx ? -1 : 1;
        if (x->strong != y->strong)
                return x->strong ? 1 : -1;
        int64_t ox = overdue(x, rank_now), oy = overdue(y, rank_now);
        if (ox != oy)
                return ox > oy ? -1 : 1;
        return x->id < y->id ? -1 : x->id > y->id;
}

size_t people_suggest_rank(PeopleCandidate *c, size_t n, int64_t now) {
        size_t count = 0;

        if (n == 0)
                return 0;       /* qsort() wants a non-NULL base even then */
        /* qsort has no userdata argument in C11; the daemon is
         * single-threaded and this is the only user. */
        rank_now = now;
        qsort(c, n, sizeof *c, compare_candidates);
        while (count < n && selected(&c[count], now))
                count++;
        return count;
}

void people_suggest_reason(const PeopleCandidate *c, int64_t now, char *buf, size_t size) {
        const PeopleHistory *h = &c->history;
        char ago[64], clause[64], cadence[64], met[104];

        if (c->never) {
                people_ago_phrase(c->created, now, ago, sizeof ago);
                if (h->met && h->met[0])
                        snprintf(buf, size, "added %s (met: %s), nothing logged yet: say hello",
                                 ago, shorten(h->met, 80, met, sizeof met));
                else
                        snprintf(buf, size, "added %s, nothing logged yet: say hello", ago);
                utf8_trim_incomplete(buf);
                return;
        }

        people_ago_phrase(h->last_at, now, ago, sizeof ago);
        history_clause(h, clause, sizeof clause);
        if (c->effective_cadence > 0) {
                people_cadence_phrase(c->effective_cadence, cadence, sizeof cadence);
                snprintf(buf, size, "last: %s, %s; keep in touch every %s%s",
                         h->last_kind ? h->last_kind : "contact", ago, cadence, clause);
        } else
                snprintf(buf, size, "last: %s, %s%s", h->last_kind ? h->last_kind : "contact", ago, clause);
        utf8_trim_incomplete(buf);
}

/* ---- statistics ---- */

ssize_t people_week_index(const int64_t *bounds, size_t n_weeks, int64_t t) {
        if (n_weeks == 0 || t < bounds[0] || t >= bounds[n_weeks])
                return -1;
        size_t lo = 0, hi = n_weeks;        /* bounds[lo] <= t < bounds[hi] */
        while (hi - lo > 1) {
                size_t mid = lo + (hi - lo) / 2;
                if (bounds[mid] <= t)
                        lo = mid;
                else
                        hi = mid;
        }
        return (ssize_t) lo;
}

int people_stats_init(PeopleStats *st, PeopleWeek *weeks, int64_t *last_weak_contact,
                      const int64_t *bounds, size_t n_bounds) {
        if (n_bounds < 2)
                return -EINVAL;
        if (n_bounds > PEOPLE_STATS_WEEKS_MAX + 1)
                return -E2BIG;
        for (size_t i = 0; i + 1 < n_bounds; i++)
                if (bounds[i] >= bounds[i + 1] || bounds[i + 1] - bounds[i] > 8 * DAY_SECONDS)
                        return -EINVAL;

        *st = (PeopleStats) {
                .weeks = weeks,
                .n_weeks = n_bounds - 1,
                .bounds = bounds,
                .last_weak_contact = last_weak_contact,
        };
        for (size_t i = 0; i < st->n_weeks; i++) {
                weeks[i] = (PeopleWeek) { .start = bounds[i] };
                last_weak_contact[i] = 0;
        }
        return 0;
}

void people_stats_add_interaction(PeopleStats *st, int64_t contact_id, bool strong, int64_t at,
                                  bool gave, bool got, bool lead) {
        ssize_t i = people_week_index(st->bounds, st->n_weeks, at);
        if (i < 0)
                return;
        PeopleWeek *w = &st->weeks[i];
        w->interactions++;
        if (strong)
                w->strong++;
        else {
                w->weak++;
                if (st->last_weak_contact[i] != contact_id) {
                        st->last_weak_contact[i] = contact_id;
                        w->weak_people++;
                }
        }
        w->gave += gave;
        w->got += got;
        w->leads += lead;
}

void people_stats_add_contact(PeopleStats *st, int64_t created) {
        ssize_t i = people_week_index(st->bounds, st->n_weeks, created);
        if (i >= 0)
                st->weeks[i].new_contacts++;
}

/* ---- weekly goals ---- */

static unsigned expected_by_now(int goal, int64_t elapsed, int64_t period) {
        if (goal <= 0 || period <= 0)
                return 0;
        if (elapsed >= period)
                return (unsigned) goal;
        if (elapsed <= 0)
                return 0;
        return (unsigned) ((int64_t) goal * elapsed / period);
}

int people_goals_nudge(const PeopleGoals *goals, const PeopleProgress *progress,
                       int64_t elapsed, int64_t period, char *buf, size_t size) {
        char parts[3][96];
        size_t n = 0;

        if (size > 0)
                buf[0] = '\0';

        if (progress->weak_reconnects < expected_by_now(goals->weak_reconnects, elapsed, period)) {
                if (progress->weak_reconnects == 0)
                        snprintf(parts[n++], sizeof parts[0], "no weak-tie reconnect yet (goal: %d)",
                                 goals->weak_reconnects);
                else
                        snprintf(parts[n++], sizeof parts[0], "%u of %d weak-tie reconnects",
                                 progress->weak_reconnects, goals->weak_reconnects);
        }
        if (progress->new_contacts < expected_by_now(goals->new_contacts, elapsed, period)) {
                if (progress->new_contacts == 0)
                        snprintf(parts[n++], sizeof parts[0], "no new contact yet (goal: %d)",
                                 goals->new_contacts);
                else
                        snprintf(parts[n++], sizeof parts[0], "%u of %d new contacts",
                                 progress->new_contacts, goals->new_contacts);
        }
        if (progress->given < expected_by_now(goals->given, elapsed, period)) {
                if (progress->given == 0)
                        snprintf(parts[n++], sizeof parts[0], "nothing given yet (goal: %d)", goals->given);
                else
                        snprintf(parts[n++], sizeof parts[0], "%u of %d things given",
                                 progress->given, goals->given);
        }
        if (n == 0)
                return 0;

        char list[320];
        if (n == 1)
                snprintf(list, sizeof list, "%s", parts[0]);
        else if (n == 2)
                snprintf(list, sizeof list, "%s and %s", parts[0], parts[1]);
        else
                snprintf(list, sizeof list, "%s, %s and %s", parts[0], parts[1], parts[2]);

        snprintf(buf, size, "This week so far: %s. One short message is a fine start: "
                 "netctl suggest has ideas.", list);
        return 1;
}
