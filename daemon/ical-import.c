/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libical/ical.h>

#include "ical-import.h"
#include "macro.h"
#include "windows-zones.h"

/* Legitimate files nest VCALENDAR > VEVENT > VALARM, or VTIMEZONE >
 * STANDARD; libical frees and serialises components recursively, so a
 * file of a million nested BEGIN lines would overflow the stack. */
#define ICS_DEPTH_MAX 8

/* libical frees each VTIMEZONE with a linear search of the calendar's
 * zone list: 20,000 of them take seconds, a 16 MiB file of them minutes.
 * Real files carry a handful, one per zone their events use. */
#define ICS_VTIMEZONES_MAX 1000u

/* A property longer than this (serialised) is not stored with its event. */
#define ICS_PROPERTY_TEXT_MAX (64u * 1024u)

/* UIDs made up for events without one, and for over-long ones. */
#define DERIVED_UID_FORMAT "derived-%016llx@netctl.invalid"
#define HASHED_UID_FORMAT "uidhash-%016llx@netctl.invalid"

DEFINE_TRIVIAL_CLEANUP_FUNC(icalcomponent *, icalcomponent_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(icalrecur_iterator *, icalrecur_iterator_free);
/* Strings libical allocates for the caller (the *_r functions). */
DEFINE_TRIVIAL_CLEANUP_FUNC(char *, icalmemory_free_buffer);

static void libical_setup(void) {
        /* libical aborts on errors when built with ICAL_ERRORS_ARE_FATAL or
         * when someone flipped the global; a bad file must never take the
         * daemon down, so make sure before every use.  Written only when
         * set, so that an import's two threads (IcsStream, calendar.c's
         * Lookahead) never write it at once. */
        if (icalerror_get_errors_are_fatal())
                icalerror_set_errors_are_fatal(0);
        icalerror_clear_errno();
}

/* ---- text ---------------------------------------------------------------- */

/* Decodes one UTF-8 sequence; returns its length, 0 when malformed
 * (overlongs, surrogates and values past U+10FFFF included). */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *ret_cp) {
        uint32_t cp;
        size_t n;

        if (s[0] < 0x80) {
                *ret_cp = s[0];
                return 1;
        } else if ((s[0] & 0xE0) == 0xC0) {
                n = 2;
                cp = s[0] & 0x1F;
        } else if ((s[0] & 0xF0) == 0xE0) {
                n = 3;
                cp = s[0] & 0x0F;
        } else if ((s[0] & 0xF8) == 0xF0) {
                n = 4;
                cp = s[0] & 0x07;
        } else
                return 0;

        if (n > len)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xC0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3F);
        }
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000))
                return 0;
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                return 0;

        *ret_cp = cp;
        return n;
}

static size_t utf8_encode(uint32_t cp, char out[static 4]) {
        if (cp < 0x80) {
                out[0] = (char) cp;
                return 1;
        } else if (cp < 0x800) {
                out[0] = (char) (0xC0 | (cp >> 6));
                out[1] = (char) (0x80 | (cp & 0x3F));
                return 2;
        } else if (cp < 0x10000) {
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

static bool is_control(uint32_t cp) {
        return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0);
}

/* The same set common/text.c refuses: they can make a notification say
 * something other than what its bytes spell. */
static bool is_bidi_control(uint32_t cp) {
        return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
                cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

/* One line of display text from whatever a file holds: invalid UTF-8
 * becomes U+FFFD, line breaks and tabs become single spaces, other control
 * and bidi characters go, the ends are trimmed, and text longer than max
 * bytes is cut at a character boundary and ends in "…".  NULL on ENOMEM. */
static char *text_sanitize(const char *s, size_t max) {
        static const char ellipsis[] = "\xE2\x80\xA6";
        const unsigned char *p = (const unsigned char *) (s ? s : "");
        size_t left = strlen((const char *) p), len = 0;
        bool pending_space = false;
        char *out;

        out = malloc(max + 1);
        if (!out)
                return NULL;

        while (left > 0) {
                char enc[4];
                uint32_t cp;
                size_t n = utf8_decode(p, left, &cp);

                if (n == 0) {
                        cp = 0xFFFD;
                        n = 1;
                }
                p += n;
                left -= n;

                if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x2028 || cp == 0x2029) {
                        pending_space = len > 0;
                        continue;
                }
                if (is_control(cp) || is_bidi_control(cp))
                        continue;

                size_t m = utf8_encode(cp, enc);
                if (len + pending_space + m > max) {
                        /* Back off to make room for the ellipsis on a
                         * character boundary. */
                        while (len > 0 && len + sizeof(ellipsis) - 1 > max) {
                                len--;
                                while (len > 0 && ((unsigned char) out[len] & 0xC0) == 0x80)
                                        len--;
                        }
                        if (len + sizeof(ellipsis) - 1 <= max) {
                                memcpy(out + len, ellipsis, sizeof(ellipsis) - 1);
                                len += sizeof(ellipsis) - 1;
                        }
                        break;
                }
                if (pending_space)
                        out[len++] = ' ';
                pending_space = false;
                memcpy(out + len, enc, m);
                len += m;
        }
        out[len] = '\0';
        return out;
}

/* FNV-1a: stable across builds and platforms, which is all a derived UID
 * needs; collisions among one user's UID-less events are not a concern at
 * 64 bits. */
static uint64_t fnv1a(uint64_t h, const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                h ^= *p;
                h *= UINT64_C(0x100000001b3);
        }
        /* A separator so that ("ab","c") and ("a","bc") differ. */
        h ^= 0xFF;
        h *= UINT64_C(0x100000001b3);
        return h;
}

#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)

/* ---- warnings ------------------------------------------------------------ */

_printf_(2, 3)
static void warn(IcsCalendar *c, const char *fmt, ...) {
        va_list ap;
        char *s;

        if (!c)
                return;
        c->n_warnings_total++;
        if (c->n_warnings >= ICS_WARNINGS_MAX)
                return;

        va_start(ap, fmt);
        int r = vasprintf(&s, fmt, ap);
        va_end(ap);
        /* Warnings are advice for the user; one lost to ENOMEM is not worth
         * failing an import that otherwise worked. */
        if (r < 0)
                return;

        char **v = realloc(c->warnings, (c->n_warnings + 1) * sizeof(char *));
        if (!v) {
                free(s);
                return;
        }
        c->warnings = v;
        c->warnings[c->n_warnings++] = s;
}

_printf_(3, 4)
static void set_error(char *errbuf, size_t errsize, const char *fmt, ...) {
        va_list ap;

        if (!errbuf || errsize == 0)
                return;
        va_start(ap, fmt);
        vsnprintf(errbuf, errsize, fmt, ap);
        va_end(ap);
}

/* ---- input repair and structure check ------------------------------------ */

/* Windows-1252 for 0x80..0x9F: "Latin-1" files from Windows mean this, and
 * its en dashes and curly quotes are what those bytes usually are.  Zero
 * marks the five bytes Windows-1252 leaves undefined. */
static const uint16_t cp1252_high[32] = {
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

/* Eight bytes at a time through the plain ASCII most files are: whether
 * any of the eight has its high bit set, or is outside the printable
 * range 0x20..0x7E (the bit tricks of Sean Anderson's "Bit Twiddling
 * Hacks", hasless() and hasmore()). */
#define BYTES_ONES UINT64_C(0x0101010101010101)
#define BYTES_HIGH UINT64_C(0x8080808080808080)

static uint64_t load8(const unsigned char *p) {
        uint64_t x;
        memcpy(&x, p, sizeof x);
        return x;
}

static bool all_ascii8(const unsigned char *p) {
        return (load8(p) & BYTES_HIGH) == 0;
}

static bool all_printable8(const unsigned char *p) {
        uint64_t x = load8(p);
        uint64_t below_space = (x - BYTES_ONES * 0x20) & ~x & BYTES_HIGH;
        uint64_t above_tilde = ((x + BYTES_ONES * (127 - 0x7E)) | x) & BYTES_HIGH;
        return (below_space | above_tilde) == 0;
}

typedef struct Repairs {
        bool latin1;
        size_t invalid_utf8;
        size_t controls;
        size_t blank_lines;
} Repairs;

/* One pass of the repair; with out == NULL it only measures.  CR LF and
 * lone CR become LF; empty lines are dropped (RFC 5545 has none, and a
 * Mozilla writer put them between a property name and its folded value,
 * which would otherwise lose the property); other C0 controls, DEL and C1
 * controls are dropped; invalid UTF-8 becomes U+FFFD, or in latin1 mode
 * every high byte is read as Windows-1252. */
static size_t repair_pass(const unsigned char *in, size_t n, bool latin1, char *out, Repairs *ret_repairs) {
        Repairs rep = { .latin1 = latin1 };
        size_t len = 0;
        bool line_start = true;

        for (size_t i = 0; i < n;) {
                unsigned char b = in[i];
                uint32_t cp;
                size_t m;

                if (b == '\r' || b == '\n') {
                        i += (b == '\r' && i + 1 < n && in[i + 1] == '\n') ? 2 : 1;
                        if (line_start) {
                                rep.blank_lines++;
                                continue;
                        }
                        if (out)
                                out[len] = '\n';
                        len++;
                        line_start = true;
                        continue;
                }

                if (b >= 0x20 && b < 0x7F) {
                        /* A run of printable ASCII, most of any file,
                         * is copied as it is. */
                        size_t run = 1;
                        while (i + run + 8 <= n && all_printable8(in + i + run))
                                run += 8;
                        while (i + run < n && in[i + run] >= 0x20 && in[i + run] < 0x7F)
                                run++;
                        if (out)
                                memcpy(out + len, in + i, run);
                        len += run;
                        i += run;
                        line_start = false;
                        continue;
                }
                if (b < 0x80) {
                        cp = b;
                        m = 1;
                } else if (latin1) {
                        cp = b >= 0xA0 ? b : cp1252_high[b - 0x80];
                        if (cp == 0) {
                                cp = 0xFFFD;
                                rep.invalid_utf8++;
                        }
                        m = 1;
                } else {
                        m = utf8_decode(in + i, n - i, &cp);
                        if (m == 0) {
                                cp = 0xFFFD;
                                m = 1;
                                rep.invalid_utf8++;
                        }
                }
                i += m;

                if (cp != '\t' && is_control(cp)) {
                        rep.controls++;
                        continue;
                }

                char enc[4];
                size_t k = utf8_encode(cp, enc);
                if (out)
                        memcpy(out + len, enc, k);
                len += k;
                line_start = false;
        }

        if (ret_repairs)
                *ret_repairs = rep;
        return len;
}

/* Reads a logical line (already unfolded into `line`) as a BEGIN/END
 * marker: "BEGIN:VEVENT" gives +1 and "VEVENT".  As in libical, the
 * property name decides (any case, parameters allowed: a damaged
 * "END;VALUE=DATE:2014" is an END to libical) and the component name is
 * the value. */
static int marker(const char *line, char name[static 32]) {
        size_t n = strcspn(line, ":;");
        bool quoted = false;
        int dir;

        if (n == 5 && strncasecmp(line, "BEGIN", 5) == 0)
                dir = 1;
        else if (n == 3 && strncasecmp(line, "END", 3) == 0)
                dir = -1;
        else
                return 0;

        const char *p = line + n;
        for (; *p; p++) {
                if (*p == '"')
                        quoted = !quoted;
                else if (*p == ':' && !quoted)
                        break;
        }
        if (*p)
                p++;

        size_t k = 0;
        for (; *p && k < 31; p++)
                name[k++] = (char) (*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
        while (k > 0 && (name[k - 1] == ' ' || name[k - 1] == '\t'))
                k--;
        name[k] = '\0';
        return dir;
}

/* marker() for one physical line of `l` bytes (not NUL-terminated), read
 * on its own, without the folds that may follow.  Most lines cannot be a
 * BEGIN or an END (a fold, or a property other than those two), and the
 * first letter tells, so they are not copied. */
static int line_marker(const char *line, size_t l, char name[static 32]) {
        if (l == 0 || (line[0] != 'B' && line[0] != 'b' && line[0] != 'E' && line[0] != 'e'))
                return 0;
        /* marker() reads to the end of its string. */
        char head[256];
        size_t h = l < sizeof head ? l : sizeof head - 1;
        memcpy(head, line, h);
        head[h] = '\0';
        return marker(head, name);
}

/* Checks what libical cannot be trusted with: BEGIN/END balanced and
 * matching by name within ICS_DEPTH_MAX (libical frees recursively, and
 * on a mismatch prints to stderr and guesses), and that the text is
 * iCalendar at all (a VCALENDAR, or a bare VEVENT/VTODO as khal and RFC
 * examples store them). */
static int check_structure(const char *text, size_t len, char *errbuf, size_t errsize) {
        char open_name[ICS_DEPTH_MAX][32];
        unsigned open_line[ICS_DEPTH_MAX], line_no = 0, n_vtimezones = 0;
        int depth = 0;
        bool found = false;

        for (size_t pos = 0; pos < len;) {
                /* Only the start of a logical line matters, but unfold it:
                 * Mozilla Calendar 1.0 folded right after property names. */
                char head[256];
                size_t h = 0;
                unsigned first_line = ++line_no;

                /* Only BEGIN and END lines matter, and their first letter
                 * is on the first physical line: any other line (and its
                 * folds) is passed over without copying. */
                char first = text[pos];
                if (first != 'B' && first != 'b' && first != 'E' && first != 'e') {
                        for (;;) {
                                const char *eol = memchr(text + pos, '\n', len - pos);
                                pos = eol ? (size_t) (eol - text) + 1 : len;
                                if (pos >= len || (text[pos] != ' ' && text[pos] != '\t'))
                                        break;
                                line_no++;
                        }
                        continue;
                }

                for (bool cont = false;; cont = true) {
                        const char *eol = memchr(text + pos, '\n', len - pos);
                        size_t l = eol ? (size_t) (eol - (text + pos)) : len - pos;
                        size_t from = cont ? 1 : 0;
                        for (size_t i = from; i < l && h < sizeof(head) - 1; i++)
                                head[h++] = text[pos + i];
                        pos += l + 1;
                        if (pos >= len || (text[pos] != ' ' && text[pos] != '\t'))
                                break;
                        line_no++;
                }
                head[h] = '\0';

                char name[32];
                int dir = marker(head, name);
                if (dir > 0) {
                        if (depth >= ICS_DEPTH_MAX) {
                                set_error(errbuf, errsize,
                                          "line %u: components nested more than %d deep",
                                          first_line, ICS_DEPTH_MAX);
                                return -EBADMSG;
                        }
                        if (depth == 0 && (strcmp(name, "VCALENDAR") == 0 || strcmp(name, "VEVENT") == 0 ||
                                           strcmp(name, "VTODO") == 0))
                                found = true;
                        if (strcmp(name, "VTIMEZONE") == 0 && ++n_vtimezones > ICS_VTIMEZONES_MAX) {
                                set_error(errbuf, errsize, "line %u: more than %u VTIMEZONEs", first_line,
                                          ICS_VTIMEZONES_MAX);
                                return -EBADMSG;
                        }
                        memcpy(open_name[depth], name, sizeof(name));
                        open_line[depth] = first_line;
                        depth++;
                } else if (dir < 0) {
                        if (depth == 0) {
                                set_error(errbuf, errsize, "line %u: END:%s without a matching BEGIN",
                                          first_line, name);
                                return -EBADMSG;
                        }
                        depth--;
                        if (strcmp(name, open_name[depth]) != 0) {
                                set_error(errbuf, errsize, "line %u: END:%s does not close BEGIN:%s of line %u",
                                          first_line, name, open_name[depth], open_line[depth]);
                                return -EBADMSG;
                        }
                }
        }

        if (!found) {
                set_error(errbuf, errsize, "no BEGIN:VCALENDAR: not an iCalendar file");
                return -EBADMSG;
        }
        if (depth > 0) {
                set_error(errbuf, errsize, "truncated: BEGIN:%s on line %u is never closed",
                          open_name[0], open_line[0]);
                return -EBADMSG;
        }
        return 0;
}

/* Validates and repairs raw file bytes into a NUL-terminated buffer that
 * libical can be given: see ics_parse() for what is refused and what is
 * repaired.  Warnings go to cal (may be NULL). */
static int input_prepare(const void *data, size_t size, IcsCalendar *cal, char **ret_text,
                         char *errbuf, size_t errsize) {
        const unsigned char *in = data;
        size_t valid_multibyte = 0, invalid = 0;
        Repairs rep;

        if (size > ICS_FILE_MAX) {
                set_error(errbuf, errsize, "file is %zu bytes, more than the %u MiB limit",
                          size, ICS_FILE_MAX / (1024u * 1024u));
                return -EFBIG;
        }
        if (size == 0 || !in) {
                set_error(errbuf, errsize, "file is empty");
                return -EBADMSG;
        }
        const unsigned char *nul = memchr(in, 0, size);
        if (nul) {
                set_error(errbuf, errsize,
                          "NUL byte at offset %zu: binary data, not an iCalendar file",
                          (size_t) (nul - in));
                return -EBADMSG;
        }
        if (size >= 3 && in[0] == 0xEF && in[1] == 0xBB && in[2] == 0xBF) {
                in += 3;
                size -= 3;
        }

        /* A file with invalid UTF-8 but not one valid multi-byte sequence
         * was written in a legacy 8-bit encoding as a whole (Google and
         * Thunderbird exports saved as Latin-1); one with both is UTF-8
         * with damage, where U+FFFD is the honest repair. */
        for (size_t i = 0; i < size;) {
                if (i + 8 <= size && all_ascii8(in + i)) {
                        i += 8;
                        continue;
                }
                uint32_t cp;
                size_t m = in[i] < 0x80 ? 1 : utf8_decode(in + i, size - i, &cp);
                if (m == 0) {
                        invalid++;
                        m = 1;
                } else if (m > 1)
                        valid_multibyte++;
                i += m;
        }
        bool latin1 = invalid > 0 && valid_multibyte == 0;

        /* Valid UTF-8 comes out no longer than it went in (line ends and
         * controls only shrink it), so one pass writes it; a repair that
         * may grow the text (U+FFFD, Windows-1252) measures first. */
        size_t len;
        _cleanup_free_ char *text = NULL;
        if (invalid == 0) {
                text = malloc(size + 1);
                if (!text)
                        return -ENOMEM;
                len = repair_pass(in, size, latin1, text, &rep);
        } else {
                len = repair_pass(in, size, latin1, NULL, &rep);
                text = malloc(len + 1);
                if (!text)
                        return -ENOMEM;
                repair_pass(in, size, latin1, text, NULL);
        }
        text[len] = '\0';

        int r = check_structure(text, len, errbuf, errsize);
        if (r < 0)
                return r;

        if (rep.latin1)
                warn(cal, "the file is not UTF-8; it was read as Windows-1252 (Latin-1)");
        else if (rep.invalid_utf8 > 0)
                warn(cal, "%zu invalid UTF-8 byte%s replaced by U+FFFD", rep.invalid_utf8,
                     rep.invalid_utf8 == 1 ? " was" : "s were");
        if (rep.controls > 0)
                warn(cal, "%zu control character%s dropped", rep.controls,
                     rep.controls == 1 ? " was" : "s were");

        *ret_text = TAKE_PTR(text);
        return 0;
}

/* ---- time ---------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * algorithm): exact for any year, unlike time_t helpers of libical that
 * give up outside 1902..2037 on some builds. */
static int64_t days_from_civil(int64_t y, int m, int d) {
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        int64_t yoe = y - era * 400;
        int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *ret_y, int *ret_m, int *ret_d) {
        z += 719468;
        int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        int64_t doe = z - era * 146097;
        int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t y = yoe + era * 400;
        int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int64_t mp = (5 * doy + 2) / 153;
        int d = (int) (doy - (153 * mp + 2) / 5 + 1);
        int m = (int) (mp < 10 ? mp + 3 : mp - 9);
        *ret_y = (int) (y + (m <= 2));
        *ret_m = m;
        *ret_d = d;
}

static int64_t utc_from_fields(const struct icaltimetype *t) {
        return days_from_civil(t->year, t->month, t->day) * 86400 +
                (int64_t) t->hour * 3600 + t->minute * 60 + t->second;
}

/* Wall-clock time in the process's zone (TZ).  mktime() with tm_isdst -1
 * lets the C library pick the offset in force, as the user's calendar
 * would show the time. */
static int64_t local_to_utc(int year, int month, int day, int hour, int minute, int second) {
        struct tm tm = {
                .tm_year = year - 1900,
                .tm_mon = month - 1,
                .tm_mday = day,
                .tm_hour = hour,
                .tm_min = minute,
                .tm_sec = second,
                .tm_isdst = -1,
        };
        return (int64_t) mktime(&tm);
}

static int64_t local_midnight(int64_t days) {
        int y, m, d;

        civil_from_days(days, &y, &m, &d);
        return local_to_utc(y, m, d, 0, 0, 0);
}

static bool iana_name_ok(const char *name) {
        size_t len = strlen(name);

        /* libical turns the name into a path under its zoneinfo
         * directory; "../../dev/stdin" would block the daemon. */
        if (len == 0 || len > 64 || name[0] == '/' || name[0] == '.')
                return false;
        for (const char *p = name; *p; p++) {
                char ch = *p;
                if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                      ch == '_' || ch == '-' || ch == '+' || ch == '/' || ch == '.'))
                        return false;
                if (ch == '/' && (p[1] == '/' || p[1] == '.' || p[1] == '\0'))
                        return false;
        }
        return true;
}

/* The last few names looked up, with their answers: a file names a
 * handful of zones thousands of times, and each look-up behind the cache
 * is a linear search (libical's builtin zones, the Windows table), 5 % of
 * an import.  Both answers are fixed for the life of the process (libical
 * never frees a builtin zone it loaded; the Windows table is compiled
 * in), except that a zone missing now may be installed later, so only
 * zones found are remembered.  One memo per thread: an import parses
 * and expands on a second thread too (IcsStream, calendar.c's
 * Lookahead). */
#define ZONE_MEMO_SIZE          8
#define ZONE_MEMO_NAME_MAX      64

typedef struct ZoneMemo {
        struct {
                char name[ZONE_MEMO_NAME_MAX];
                const void *answer;
        } entries[ZONE_MEMO_SIZE];
        unsigned n, next;
} ZoneMemo;

static bool zone_memo_find(const ZoneMemo *m, const char *name, const void **ret_answer) {
        for (unsigned i = 0; i < m->n; i++)
                if (strcmp(m->entries[i].name, name) == 0) {
                        *ret_answer = m->entries[i].answer;
                        return true;
                }
        return false;
}

static void zone_memo_add(ZoneMemo *m, const char *name, const void *answer) {
        size_t len = strlen(name);
        if (len >= ZONE_MEMO_NAME_MAX)
                return;
        unsigned i = m->next;
        memcpy(m->entries[i].name, name, len + 1);
        m->entries[i].answer = answer;
        m->next = (i + 1) % ZONE_MEMO_SIZE;
        if (m->n < ZONE_MEMO_SIZE)
                m->n++;
}

static icaltimezone *builtin_zone_lookup(const char *name) {
        if (strcasecmp(name, "UTC") == 0 || strcasecmp(name, "GMT") == 0 || strcasecmp(name, "Z") == 0 ||
            strcasecmp(name, "Etc/UTC") == 0 || strcasecmp(name, "Etc/GMT") == 0)
                return icaltimezone_get_utc_timezone();
        if (!iana_name_ok(name))
                return NULL;
        return icaltimezone_get_builtin_timezone(name);
}

static icaltimezone *builtin_zone(const char *name) {
        static _Thread_local ZoneMemo memo;
        const void *answer;

        if (zone_memo_find(&memo, name, &answer))
                return (icaltimezone *) answer;
        icaltimezone *z = builtin_zone_lookup(name);
        if (z)
                zone_memo_add(&memo, name, z);
        return z;
}

static const char *windows_zone_lookup(const char *name) {
        if (!name)
                return NULL;

        while (*name == ' ' || *name == '\t')
                name++;
        size_t len = strlen(name);
        while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t'))
                len--;
        if (len == 0)
                return NULL;

        for (size_t i = 0; i < windows_zones_count; i++) {
                const WindowsZone *z = &windows_zones[i];
                if ((strlen(z->windows) == len && strncasecmp(z->windows, name, len) == 0) ||
                    (z->display && strlen(z->display) == len && strncasecmp(z->display, name, len) == 0))
                        return z->iana;
        }
        return NULL;
}

const char *ics_windows_zone_to_iana(const char *name) {
        static _Thread_local ZoneMemo memo;
        const void *answer;

        if (!name)
                return NULL;
        if (zone_memo_find(&memo, name, &answer))
                return answer;
        const char *iana = windows_zone_lookup(name);
        /* The table is compiled in: "not a Windows name" is final too. */
        zone_memo_add(&memo, name, iana);
        return iana;
}

/* Resolves a TZID parameter as ical-import.h describes; NULL when nothing
 * matches (the caller then reads the time as floating). */
static icaltimezone *zone_resolve(icalcomponent *container, const char *tzid) {
        icaltimezone *z;

        if (!tzid || !*tzid || strlen(tzid) > 256)
                return NULL;

        const char *iana = ics_windows_zone_to_iana(tzid);
        if (iana) {
                z = builtin_zone(iana);
                if (z)
                        return z;
        }

        if (container) {
                z = icalcomponent_get_timezone(container, tzid);
                if (z)
                        return z;
        }

        z = builtin_zone(tzid);
        if (z)
                return z;

        /* "/mozilla.org/20050126_1/Europe/Berlin",
         * "/freeassociation.sourceforge.net/Tzfile/Europe/Berlin": try each
         * tail after a slash. */
        if (tzid[0] == '/') {
                unsigned tries = 0;
                for (const char *p = strchr(tzid + 1, '/'); p && tries < 8; p = strchr(p + 1, '/'), tries++) {
                        z = builtin_zone(p + 1);
                        if (z)
                                return z;
                }
        }
        return NULL;
}

/* A DTSTART-like value as the file wrote it, with its zone resolved. */
typedef struct Instant {
        struct icaltimetype tt;
        icaltimezone *zone;     /* NULL for UTC, DATE, floating */
        bool date;
        bool utc;
        bool floating;
        bool unresolved;        /* had a TZID that could not be resolved */
} Instant;

static bool instant_from(struct icaltimetype tt, icalproperty *prop, icalcomponent *container,
                         Instant *ret) {
        Instant i = { .tt = tt };

        if (icaltime_is_null_time(tt) || tt.year <= 0 || tt.month < 1 || tt.month > 12 || tt.day < 1 ||
            tt.day > icaltime_days_in_month(tt.month, tt.year))
                return false;
        if (!tt.is_date && (tt.hour < 0 || tt.hour > 23 || tt.minute < 0 || tt.minute > 59 ||
                            tt.second < 0 || tt.second > 60))
                return false;

        i.tt.zone = NULL;
        if (tt.is_date)
                i.date = true;
        else if (icaltime_is_utc(tt))
                i.utc = true;
        else {
                icalparameter *p = prop ? icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER) : NULL;
                const char *tzid = p ? icalparameter_get_tzid(p) : NULL;

                if (tzid) {
                        i.zone = zone_resolve(container, tzid);
                        if (!i.zone)
                                i.unresolved = true;
                        else if (i.zone == icaltimezone_get_utc_timezone()) {
                                i.zone = NULL;
                                i.utc = true;
                        }
                }
                i.floating = !i.zone && !i.utc;
        }

        *ret = i;
        return true;
}

static int64_t instant_day(const Instant *i) {
        return days_from_civil(i->tt.year, i->tt.month, i->tt.day);
}

static int64_t instant_utc(const Instant *i) {
        if (i->date)
                return local_to_utc(i->tt.year, i->tt.month, i->tt.day, 0, 0, 0);
        if (i->utc)
                return utc_from_fields(&i->tt);
        if (i->zone) {
                struct icaltimetype t = i->tt;
                icaltimezone_convert_time(&t, i->zone, icaltimezone_get_utc_timezone());
                return utc_from_fields(&t);
        }
        return local_to_utc(i->tt.year, i->tt.month, i->tt.day, i->tt.hour, i->tt.minute, i->tt.second);
}

/* The same wall-clock reading in another Instant's zone: for RRULE and
 * RDATE values of a series. */
static Instant instant_like(const Instant *base, struct icaltimetype tt) {
        Instant i = *base;

        i.tt = tt;
        i.tt.zone = NULL;
        i.date = tt.is_date;
        return i;
}

/* ---- people -------------------------------------------------------------- */

static void person_clear(IcsPerson *p) {
        if (!p)
                return;
        free(p->email);
        free(p->name);
        *p = (IcsPerson) {};
}

/* Lowercased address from "mailto:..." (any case, as RFC 2446 examples
 * write "Mailto:"), from an EMAIL= parameter, or a bare address; NULL when
 * none looks like an address. */
static char *email_from(const char *value, icalproperty *prop) {
        const char *s = NULL;

        if (value && strncasecmp(value, "mailto:", 7) == 0)
                s = value + 7;
        if (!s || !strchr(s, '@')) {
                icalparameter *p = icalproperty_get_first_parameter(prop, ICAL_EMAIL_PARAMETER);
                const char *e = p ? icalparameter_get_email(p) : NULL;
                if (e && strchr(e, '@'))
                        s = strncasecmp(e, "mailto:", 7) == 0 ? e + 7 : e;
        }
        if (!s && value && !strchr(value, ':') && strchr(value, '@'))
                s = value;
        if (!s)
                return NULL;

        while (*s == ' ' || *s == '\t')
                s++;
        size_t len = strcspn(s, "?");
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
                len--;
        if (len < 3 || len > ICS_EMAIL_MAX)
                return NULL;

        const char *at = memchr(s, '@', len);
        if (!at || at == s || at == s + len - 1 || memchr(at + 1, '@', len - (size_t) (at + 1 - s)))
                return NULL;

        char *e = strndup(s, len);
        if (!e)
                return NULL;
        for (char *q = e; *q; q++) {
                unsigned char ch = (unsigned char) *q;
                if (ch <= ' ' || ch == '<' || ch == '>' || ch == ',' || ch == ';' || ch == '"' || ch == 0x7F) {
                        free(e);
                        return NULL;
                }
                if (ch >= 'A' && ch <= 'Z')
                        *q = (char) (ch - 'A' + 'a');
        }
        return e;
}

/* Fills *ret from an ORGANIZER/ATTENDEE property.  Returns 1 when it has
 * an address, 0 when not (nothing to link), -ENOMEM. */
static int person_from(icalproperty *prop, const char *value, IcsPerson *ret) {
        _cleanup_free_ char *email = email_from(value, prop), *name = NULL;

        if (!email)
                return 0;

        icalparameter *cn = icalproperty_get_first_parameter(prop, ICAL_CN_PARAMETER);
        const char *cn_value = cn ? icalparameter_get_cn(cn) : NULL;
        if (cn_value) {
                name = text_sanitize(cn_value, ICS_NAME_MAX);
                if (!name)
                        return -ENOMEM;
                if (!*name) {
                        free(name);
                        name = NULL;
                }
        }

        *ret = (IcsPerson) { .email = TAKE_PTR(email), .name = TAKE_PTR(name) };
        return 1;
}

/* ---- recurrence rules ---------------------------------------------------- */

static bool rule_list_has(const short *list, size_t size, int value) {
        for (size_t i = 0; i < size && list[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
                if (list[i] == value)
                        return true;
        return false;
}

static bool rule_list_empty(const short *list) {
        return list[0] == ICAL_RECURRENCE_ARRAY_MAX;
}

static size_t rule_list_len(const short *list, size_t size) {
        size_t n = 0;

        while (n < size && list[n] != ICAL_RECURRENCE_ARRAY_MAX)
                n++;
        return n;
}

/* The most instances one period (day, week, month, year) of the rule can
 * hold before BYSETPOS picks among them: BYSETPOS=-2 on a one-instance set
 * never matches, and libical searches to 2582 for it. */
static size_t rule_set_bound(const struct icalrecurrencetype *r) {
        size_t months = rule_list_len(r->by_month, ICAL_BY_MONTH_SIZE),
               mdays = rule_list_len(r->by_month_day, ICAL_BY_MONTHDAY_SIZE),
               ydays = rule_list_len(r->by_year_day, ICAL_BY_YEARDAY_SIZE),
               weeks = rule_list_len(r->by_week_no, ICAL_BY_WEEKNO_SIZE),
               wdays = rule_list_len(r->by_day, ICAL_BY_DAY_SIZE), per_month = 0, per_year = 0;
        size_t times = (rule_list_len(r->by_hour, ICAL_BY_HOUR_SIZE) ?: 1) *
                (rule_list_len(r->by_minute, ICAL_BY_MINUTE_SIZE) ?: 1) *
                (rule_list_len(r->by_second, ICAL_BY_SECOND_SIZE) ?: 1);
        size_t days;

        for (size_t i = 0; i < wdays; i++) {
                bool ordinal = icalrecurrencetype_day_position(r->by_day[i]) != 0;
                per_month += ordinal ? 1 : 5;
                per_year += ordinal ? 1 : 53;
        }

        switch (r->freq) {
        case ICAL_DAILY_RECURRENCE:
                days = 1;
                break;
        case ICAL_WEEKLY_RECURRENCE:
                days = wdays ? (wdays < 7 ? wdays : 7) : 1;
                break;
        case ICAL_MONTHLY_RECURRENCE:
                days = mdays ? mdays : wdays ? per_month : 1;
                break;
        default:
                days = ydays ? ydays : mdays ? mdays * (months ?: 12) : weeks ? weeks * 7 :
                        wdays ? (months ? per_month * months : per_year) : months ? months : 1;
                break;
        }
        return days * times;
}

/* Whether the rule can produce anything at all: its BYSETPOS can pick
 * from the set a period holds, and some day in 56 years from `from` (two
 * 28-year weekday cycles, across a century's missing leap day) passes its
 * BYMONTH, BYMONTHDAY, BYYEARDAY and BYDAY filters.  libical does not
 * notice impossible rules such as FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30 and
 * searches to the year 2582 for each, half a second or more of CPU; this
 * check costs a few milliseconds at worst and nothing for ordinary rules,
 * whose first day matches at once.  BYWEEKNO is not checked (it only
 * narrows the set further). */
static bool rule_feasible(const struct icalrecurrencetype *rule, int64_t from) {
        bool any_month = rule_list_empty(rule->by_month), any_mday = rule_list_empty(rule->by_month_day),
             any_yday = rule_list_empty(rule->by_year_day), any_wday = rule_list_empty(rule->by_day);

        size_t n_pos = rule_list_len(rule->by_set_pos, ICAL_BY_SETPOS_SIZE);
        if (n_pos > 0) {
                size_t bound = rule_set_bound(rule);
                bool reachable = false;
                for (size_t i = 0; i < n_pos && !reachable; i++) {
                        int v = rule->by_set_pos[i];
                        reachable = v != 0 && (size_t) (v < 0 ? -v : v) <= bound;
                }
                if (!reachable)
                        return false;
        }

        if (any_month + any_mday + any_yday + any_wday >= 3)
                return true;

        for (int64_t day = from; day < from + 56 * 366; day++) {
                int y, m, d;
                civil_from_days(day, &y, &m, &d);

                if (!any_month) {
                        bool ok = false;
                        for (size_t i = 0; i < ICAL_BY_MONTH_SIZE && rule->by_month[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
                                ok = ok || icalrecurrencetype_month_month(rule->by_month[i]) == m;
                        if (!ok)
                                continue;
                }
                int dim = icaltime_days_in_month(m, y);
                if (!any_mday && !rule_list_has(rule->by_month_day, ICAL_BY_MONTHDAY_SIZE, d) &&
                    !rule_list_has(rule->by_month_day, ICAL_BY_MONTHDAY_SIZE, d - dim - 1))
                        continue;
                int64_t jan1 = days_from_civil(y, 1, 1);
                int yday = (int) (day - jan1) + 1, diy = icaltime_days_in_year(y);
                if (!any_yday && !rule_list_has(rule->by_year_day, ICAL_BY_YEARDAY_SIZE, yday) &&
                    !rule_list_has(rule->by_year_day, ICAL_BY_YEARDAY_SIZE, yday - diy - 1))
                        continue;
                if (!any_wday) {
                        int wday = (int) (((day % 7) + 7 + 4) % 7) + 1;  /* 1 = Sunday, as libical */
                        bool ok = false;
                        for (size_t i = 0; i < ICAL_BY_DAY_SIZE && rule->by_day[i] != ICAL_RECURRENCE_ARRAY_MAX && !ok; i++) {
                                short v = rule->by_day[i];
                                if ((int) icalrecurrencetype_day_day_of_week(v) != wday)
                                        continue;
                                int pos = icalrecurrencetype_day_position(v);
                                if (pos == 0)
                                        ok = true;
                                else if (rule->freq == ICAL_MONTHLY_RECURRENCE ||
                                         (rule->freq == ICAL_YEARLY_RECURRENCE && !any_month))
                                        ok = pos == (d - 1) / 7 + 1 || pos == -((dim - d) / 7 + 1);
                                else if (rule->freq == ICAL_YEARLY_RECURRENCE)
                                        ok = pos == (yday - 1) / 7 + 1 || pos == -((diy - yday) / 7 + 1);
                                else
                                        ok = true;
                        }
                        if (!ok)
                                continue;
                }
                return true;
        }
        return false;
}

/* libical expands a VTIMEZONE's rules from their DTSTART (often 1601) on
 * first use; an impossible or sub-yearly rule there costs seconds and
 * thousands of transitions.  Real zones recur yearly. */
static bool vtimezone_rule_ok(icalproperty *rrule, int64_t from) {
        struct icalrecurrencetype rule = icalproperty_get_rrule(rrule);

        return rule.freq == ICAL_YEARLY_RECURRENCE && rule_feasible(&rule, from);
}

/* Drops the RRULEs of the container's VTIMEZONEs that
 * vtimezone_rule_ok() refuses, before anything looks a zone up; the
 * observance keeps its DTSTART and offsets.  In place and linear: a file
 * may hold thousands of VTIMEZONEs. */
static int vtimezones_vet(icalcomponent *container, IcsCalendar *cal) {
        icalcompiter zit = icalcomponent_begin_component(container, ICAL_VTIMEZONE_COMPONENT);
        for (icalcomponent *vtz; (vtz = icalcompiter_deref(&zit)); icalcompiter_next(&zit)) {
                size_t dropped = 0;

                icalcompiter oit = icalcomponent_begin_component(vtz, ICAL_ANY_COMPONENT);
                for (icalcomponent *c; (c = icalcompiter_deref(&oit)); icalcompiter_next(&oit)) {
                        /* Before the RRULE walk: get_first_property() resets
                         * the cursor that walk depends on. */
                        icalproperty *ds = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
                        struct icaltimetype start = ds ? icalproperty_get_dtstart(ds) : icaltime_null_time();
                        int64_t from = start.year > 0 && start.month >= 1 && start.month <= 12 ?
                                days_from_civil(start.year, start.month, 1) : 0;
                        icalproperty *p, *next;

                        for (p = icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY); p; p = next) {
                                next = icalcomponent_get_next_property(c, ICAL_RRULE_PROPERTY);
                                if (vtimezone_rule_ok(p, from))
                                        continue;
                                icalcomponent_remove_property(c, p);
                                icalproperty_free(p);
                                dropped++;
                        }
                }
                if (dropped > 0) {
                        icalproperty *p = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
                        _cleanup_free_ char *tzid = text_sanitize(p ? icalproperty_get_tzid(p) : "", 80);
                        warn(cal, "VTIMEZONE \"%s\": a rule that cannot recur yearly was dropped",
                             tzid ? tzid : "");
                }
        }
        return 0;
}

/* ---- events -------------------------------------------------------------- */

/* When an event happens, read from DTSTART, DTEND / DURATION. */
typedef struct EventTimes {
        Instant start;
        int64_t start_utc, end_utc;
        int64_t start_day;      /* date of DTSTART as written */
        int64_t days;           /* all-day: length in days (at least 1) */
        bool all_day;
        bool end_clamped;       /* the end lay before the start */
} EventTimes;

/* Returns 0, or -EINVAL with *ret_problem naming why the event has no
 * usable start. */
static int event_times(icalcomponent *ev, icalcomponent *container, EventTimes *ret,
                       const char **ret_problem) {
        EventTimes t = {};
        icalproperty *p;
        Instant end;

        p = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
        if (!p || !instant_from(icalproperty_get_dtstart(p), p, container, &t.start)) {
                *ret_problem = p ? "DTSTART is not a valid date or time" : "no DTSTART";
                return -EINVAL;
        }
        if (t.start.tt.year < ICS_YEAR_MIN || t.start.tt.year >= ICS_YEAR_MAX) {
                *ret_problem = "DTSTART is before 1600 or after 2999";
                return -EINVAL;
        }
        t.all_day = t.start.date;
        t.start_day = instant_day(&t.start);
        t.start_utc = instant_utc(&t.start);

        p = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY);
        if (p && instant_from(icalproperty_get_dtend(p), p, container, &end) &&
            end.tt.year >= ICS_YEAR_MIN && end.tt.year < ICS_YEAR_MAX) {
                if (t.all_day)
                        t.days = instant_day(&end) - t.start_day;
                else
                        t.end_utc = instant_utc(&end);
        } else if ((p = icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY))) {
                struct icaldurationtype d = icalproperty_get_duration(p);
                if (t.all_day)
                        t.days = (d.is_neg ? -1 : 1) * ((int64_t) d.weeks * 7 + d.days);
                else if (!icaldurationtype_is_bad_duration(d) && d.weeks < 53 * 10 && d.days < 3660) {
                        /* Nominal days follow the wall clock across DST,
                         * as RFC 5545 3.3.6 asks. */
                        Instant e = instant_like(&t.start, icaltime_add(t.start.tt, d));
                        t.end_utc = instant_utc(&e);
                } else
                        t.end_utc = t.start_utc;
        } else if (t.all_day)
                t.days = 1;
        else
                t.end_utc = t.start_utc;

        if (t.all_day) {
                if (t.days < 1) {
                        t.end_clamped = t.days < 0;
                        t.days = 1;
                }
                t.end_utc = local_midnight(t.start_day + t.days);
        } else if (t.end_utc < t.start_utc) {
                t.end_clamped = true;
                t.end_utc = t.start_utc;
        }

        *ret = t;
        return 0;
}

static IcsMethod method_from(icalcomponent *vcal) {
        icalproperty *p = vcal ? icalcomponent_get_first_property(vcal, ICAL_METHOD_PROPERTY) : NULL;

        if (!p)
                return ICS_METHOD_NONE;
        switch (icalproperty_get_method(p)) {
        case ICAL_METHOD_PUBLISH:        return ICS_METHOD_PUBLISH;
        case ICAL_METHOD_REQUEST:        return ICS_METHOD_REQUEST;
        case ICAL_METHOD_REPLY:          return ICS_METHOD_REPLY;
        case ICAL_METHOD_ADD:            return ICS_METHOD_ADD;
        case ICAL_METHOD_CANCEL:         return ICS_METHOD_CANCEL;
        case ICAL_METHOD_REFRESH:        return ICS_METHOD_REFRESH;
        case ICAL_METHOD_COUNTER:        return ICS_METHOD_COUNTER;
        case ICAL_METHOD_DECLINECOUNTER: return ICS_METHOD_DECLINECOUNTER;
        case ICAL_METHOD_NONE:           return ICS_METHOD_NONE;
        default:                         return ICS_METHOD_OTHER;
        }
}

const char *ics_method_to_string(IcsMethod m) {
        static const char *const names[] = {
                [ICS_METHOD_NONE] = "",
                [ICS_METHOD_PUBLISH] = "PUBLISH",
                [ICS_METHOD_REQUEST] = "REQUEST",
                [ICS_METHOD_REPLY] = "REPLY",
                [ICS_METHOD_ADD] = "ADD",
                [ICS_METHOD_CANCEL] = "CANCEL",
                [ICS_METHOD_REFRESH] = "REFRESH",
                [ICS_METHOD_COUNTER] = "COUNTER",
                [ICS_METHOD_DECLINECOUNTER] = "DECLINECOUNTER",
                [ICS_METHOD_OTHER] = "OTHER",
        };
        return (unsigned) m < ELEMENTSOF(names) ? names[m] : "OTHER";
}

/* The properties that say which meeting this is, for a derived UID: not
 * DTSTAMP, SEQUENCE or attendee replies, which change from one export of
 * the same event to the next. */
static uint64_t event_identity_hash(icalcomponent *ev) {
        static const icalproperty_kind kinds[] = {
                ICAL_DTSTART_PROPERTY, ICAL_DTEND_PROPERTY, ICAL_DURATION_PROPERTY,
                ICAL_SUMMARY_PROPERTY, ICAL_LOCATION_PROPERTY, ICAL_RRULE_PROPERTY,
                ICAL_RECURRENCEID_PROPERTY,
        };
        uint64_t h = FNV_OFFSET;

        for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
                for (icalproperty *p = icalcomponent_get_first_property(ev, kinds[i]); p;
                     p = icalcomponent_get_next_property(ev, kinds[i])) {
                        _cleanup_(icalmemory_free_bufferp) char *s = icalproperty_as_ical_string_r(p);
                        h = fnv1a(h, s ? s : "");
                }
        return h;
}

/* The VTIMEZONEs of one container (VCALENDAR, or the root of bare
 * components), listed once and sorted by TZID, each serialised the first
 * time an event names it: per event, walking the container's children or
 * serialising its zones again would cost events x zones. */
typedef struct ZoneEntry {
        const char *tzid;
        icalcomponent *vtz;
        char *text;
} ZoneEntry;

typedef struct ZoneList {
        ZoneEntry *v;
        size_t n;
} ZoneList;

static void zone_list_clear(ZoneList *z) {
        for (size_t i = 0; i < z->n; i++)
                icalmemory_free_buffer(z->v[i].text);
        free(z->v);
        *z = (ZoneList) {};
}

static int zone_entry_compare(const void *a, const void *b) {
        return strcmp(((const ZoneEntry *) a)->tzid, ((const ZoneEntry *) b)->tzid);
}

static int zone_list_build(icalcomponent *container, ZoneList *ret) {
        ZoneList z = {};
        size_t n = 0;

        icalcompiter it = icalcomponent_begin_component(container, ICAL_VTIMEZONE_COMPONENT);
        for (; icalcompiter_deref(&it); icalcompiter_next(&it))
                n++;
        if (n > 0) {
                z.v = calloc(n, sizeof(ZoneEntry));
                if (!z.v)
                        return -ENOMEM;
        }
        it = icalcomponent_begin_component(container, ICAL_VTIMEZONE_COMPONENT);
        for (icalcomponent *c; (c = icalcompiter_deref(&it)) && z.n < n; icalcompiter_next(&it)) {
                icalproperty *p = icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY);
                const char *tzid = p ? icalproperty_get_tzid(p) : NULL;
                if (tzid)
                        z.v[z.n++] = (ZoneEntry) { .tzid = tzid, .vtz = c };
        }
        if (z.n > 1)
                qsort(z.v, z.n, sizeof(ZoneEntry), zone_entry_compare);
        *ret = z;
        return 0;
}

static ZoneEntry *zone_list_find(const ZoneList *z, const char *tzid) {
        ZoneEntry key = { .tzid = tzid };

        return z->n > 0 ? bsearch(&key, z->v, z->n, sizeof(ZoneEntry), zone_entry_compare) : NULL;
}

typedef struct TextBuf {
        char *p;
        size_t len, cap;
} TextBuf;

static void text_buf_clear(TextBuf *b) {
        free(b->p);
        *b = (TextBuf) {};
}

/* Room for n more bytes and a NUL. */
static int text_buf_reserve(TextBuf *b, size_t n) {
        if (b->len + n + 1 <= b->cap)
                return 0;
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
                cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
                return -ENOMEM;
        b->p = p;
        b->cap = cap;
        return 0;
}

static int text_buf_add(TextBuf *b, const char *s) {
        size_t n = strlen(s);
        int r = text_buf_reserve(b, n);
        if (r < 0)
                return r;
        memcpy(b->p + b->len, s, n + 1);
        b->len += n;
        return 0;
}

/* The text of one VEVENT in the text libical parsed: where it begins (its
 * BEGIN line) and ends (past its END line). */
typedef struct EventSpan {
        size_t begin, end;
} EventSpan;

/* Whether libical understood all of a VEVENT and kept all of it: no
 * X-LIC-ERROR note in it or in its VALARMs, and no ATTENDEEs past the cap. */
static bool event_read_whole(icalcomponent *c, size_t *attendees) {
        for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
             p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
                icalproperty_kind k = icalproperty_isa(p);
                if (k == ICAL_XLICERROR_PROPERTY || (k == ICAL_ATTENDEE_PROPERTY && ++*attendees > ICS_ATTENDEES_MAX))
                        return false;
        }
        icalcompiter it = icalcomponent_begin_component(c, ICAL_ANY_COMPONENT);
        for (icalcomponent *sub; (sub = icalcompiter_deref(&it)); icalcompiter_next(&it))
                if (!event_read_whole(sub, attendees))
                        return false;
        return true;
}

/* Appends the VEVENT as the file wrote it (CRLF line ends), which says
 * what event_serialize() would but costs a copy instead of a third of the
 * parse.  Only for an event libical read whole (event_read_whole()), whose
 * lines all name their property in upper case (as libical writes them, and
 * as calendar.c's line scans expect), none longer than
 * ICS_PROPERTY_TEXT_MAX, and whose "UID:" line (unfolded, in the VEVENT
 * itself rather than a VALARM) is `uid`: the span
 * was found by counting VEVENTs, and the UID check makes sure it is this
 * event's.  Returns 1 when appended, 0 when the caller should serialize
 * (b unchanged), -ENOMEM. */
static int event_raw_text(icalcomponent *ev, const char *uid, const char *raw, size_t len, TextBuf *b) {
        size_t attendees = 0, start = b->len, lines = 0;
        bool uid_matches = false;

        if (!raw || !uid || len > ICS_EVENT_TEXT_MAX || !event_read_whole(ev, &attendees))
                return 0;
        for (size_t i = 0; i < len; i++)
                lines += raw[i] == '\n';
        if (len + lines > ICS_EVENT_TEXT_MAX)
                return 0;
        int r = text_buf_reserve(b, len + lines + 2);
        if (r < 0)
                return r;

        /* depth: 1 in the VEVENT itself, more in its VALARMs (whose UID
         * lines, which Apple writes, are not the event's). */
        size_t logical = 0, depth = 0;
        for (size_t pos = 0; pos < len;) {
                const char *line = raw + pos;
                size_t l = strcspn(line, "\n");
                if (pos + l > len)
                        l = len - pos;
                bool continued = line[0] == ' ' || line[0] == '\t';
                if (!continued) {
                        size_t n = 0;
                        while (n < l && ((line[n] >= 'A' && line[n] <= 'Z') || (line[n] >= '0' && line[n] <= '9') ||
                                         line[n] == '-'))
                                n++;
                        if (n == 0 || n == l || (line[n] != ':' && line[n] != ';'))
                                break;
                        if (n == 5 && memcmp(line, "BEGIN", 5) == 0)
                                depth++;
                        else if (n == 3 && memcmp(line, "END", 3) == 0 && depth > 0)
                                depth--;
                        else if (depth == 1 && n == 3 && line[3] == ':' && memcmp(line, "UID", 3) == 0) {
                                bool folded = pos + l + 1 < len && (line[l + 1] == ' ' || line[l + 1] == '\t');
                                uid_matches = !folded && l - 4 == strlen(uid) && memcmp(line + 4, uid, l - 4) == 0;
                        }
                        logical = 0;
                }
                logical += l;
                if (logical > ICS_PROPERTY_TEXT_MAX)
                        break;
                memcpy(b->p + b->len, line, l);
                b->len += l;
                b->p[b->len++] = '\r';
                b->p[b->len++] = '\n';
                pos += l + 1;
                if (pos >= len) {
                        b->p[b->len] = '\0';
                        if (uid_matches)
                                return 1;
                }
        }
        b->len = start;
        b->p[start] = '\0';
        return 0;
}

/* The VEVENT as libical would write it, minus libical's X-LIC-ERROR notes
 * (reported as warnings already) and the ATTENDEEs past the cap: what is
 * stored should be what was understood, and bounded.  A property longer
 * than ICS_PROPERTY_TEXT_MAX (a 15 MB DESCRIPTION) is left out, SUMMARY
 * and LOCATION shortened instead.  Removing properties from the tree would
 * cost libical a linear search each.  -E2BIG past ICS_EVENT_TEXT_MAX. */
static int event_serialize(icalcomponent *ev, TextBuf *b, IcsCalendar *cal, const char *label) {
        size_t attendees = 0, start = b->len;
        int r;

        r = text_buf_add(b, "BEGIN:VEVENT\r\n");
        if (r < 0)
                return r;
        for (icalproperty *p = icalcomponent_get_first_property(ev, ICAL_ANY_PROPERTY); p;
             p = icalcomponent_get_next_property(ev, ICAL_ANY_PROPERTY)) {
                icalproperty_kind k = icalproperty_isa(p);
                if (k == ICAL_XLICERROR_PROPERTY || (k == ICAL_ATTENDEE_PROPERTY && ++attendees > ICS_ATTENDEES_MAX))
                        continue;
                _cleanup_(icalmemory_free_bufferp) char *s = icalproperty_as_ical_string_r(p);
                if (!s)
                        return -ENOMEM;
                if (strlen(s) > ICS_PROPERTY_TEXT_MAX) {
                        icalvalue *v = icalproperty_get_value(p);
                        if ((k == ICAL_SUMMARY_PROPERTY || k == ICAL_LOCATION_PROPERTY) && v &&
                            icalvalue_isa(v) == ICAL_TEXT_VALUE) {
                                _cleanup_free_ char *t = text_sanitize(icalvalue_get_text(v), ICS_TEXT_MAX);
                                icalproperty *shortened = t ? (k == ICAL_SUMMARY_PROPERTY ? icalproperty_new_summary(t) :
                                                                icalproperty_new_location(t)) : NULL;
                                if (!shortened)
                                        return -ENOMEM;
                                icalmemory_free_buffer(s);
                                s = icalproperty_as_ical_string_r(shortened);
                                icalproperty_free(shortened);
                                if (!s)
                                        return -ENOMEM;
                        } else {
                                warn(cal, "%s: %s of %zu bytes left out of the stored copy", label,
                                     icalproperty_kind_to_string(k), strlen(s));
                                continue;
                        }
                }
                r = text_buf_add(b, s);
                if (r < 0)
                        return r;
                if (b->len - start > ICS_EVENT_TEXT_MAX)
                        return -E2BIG;
        }
        icalcompiter it = icalcomponent_begin_component(ev, ICAL_ANY_COMPONENT);
        for (icalcomponent *c; (c = icalcompiter_deref(&it)); icalcompiter_next(&it)) {
                _cleanup_(icalmemory_free_bufferp) char *s = icalcomponent_as_ical_string_r(c);
                if (!s)
                        return -ENOMEM;
                r = text_buf_add(b, s);
                if (r < 0)
                        return r;
                if (b->len - start > ICS_EVENT_TEXT_MAX)
                        return -E2BIG;
        }
        return text_buf_add(b, "END:VEVENT\r\n");
}

/* The VEVENT as a VCALENDAR of its own, with the VTIMEZONEs its TZID
 * parameters name, so that it can be expanded again without the file.
 * `raw`: the VEVENT's text in the file, when known (see event_raw_text()).
 * Returns 0 with the text in *ret, -E2BIG, -ENOMEM. */
static int event_standalone_text(icalcomponent *ev, ZoneList *zones, IcsCalendar *cal, const char *label,
                                 const char *uid, const char *raw, size_t raw_len, char **ret) {
        static const char head[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//netctl//ical-import//EN\r\n",
                          tail[] = "END:VCALENDAR\r\n";
        /* A handful of zones per event at most; a file naming more in one
         * event gets the first 16. */
        const ZoneEntry *used[16];
        size_t n_used = 0;

        for (icalproperty *p = icalcomponent_get_first_property(ev, ICAL_ANY_PROPERTY); p && zones->n > 0;
             p = icalcomponent_get_next_property(ev, ICAL_ANY_PROPERTY)) {
                icalparameter *tp = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
                const char *tzid = tp ? icalparameter_get_tzid(tp) : NULL;
                ZoneEntry *z = tzid ? zone_list_find(zones, tzid) : NULL;
                bool listed = false;

                for (size_t i = 0; i < n_used && !listed; i++)
                        listed = used[i] == z;
                if (!z || listed || n_used >= ELEMENTSOF(used))
                        continue;
                if (!z->text) {
                        z->text = icalcomponent_as_ical_string_r(z->vtz);
                        if (!z->text)
                                return -ENOMEM;
                }
                used[n_used++] = z;
        }

        _cleanup_(text_buf_clear) TextBuf b = {};
        int r = text_buf_add(&b, head);
        for (size_t i = 0; i < n_used && r >= 0; i++)
                r = text_buf_add(&b, used[i]->text);
        if (r >= 0)
                r = event_raw_text(ev, uid, raw, raw_len, &b);
        if (r == 0)
                r = event_serialize(ev, &b, cal, label);
        if (r >= 0)
                r = text_buf_add(&b, tail);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(b.p);
        return 0;
}

void ics_occurrences_free(IcsOccurrence *o, size_t n) {
        if (!o)
                return;
        for (size_t i = 0; i < n; i++)
                free(o[i].summary);
        free(o);
}

static void event_clear(IcsEvent *e) {
        if (!e)
                return;
        free(e->uid);
        free(e->summary);
        free(e->location);
        person_clear(&e->organizer);
        for (size_t i = 0; i < e->n_attendees; i++)
                person_clear(&e->attendees[i]);
        free(e->attendees);
        free(e->ical);
        *e = (IcsEvent) {};
}

IcsCalendar *ics_calendar_free(IcsCalendar *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_events; i++)
                event_clear(&c->events[i]);
        free(c->events);
        for (size_t i = 0; i < c->n_warnings; i++)
                free(c->warnings[i]);
        free(c->warnings);
        free(c);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(IcsCalendar *, ics_calendar_free);

static void event_clearp(IcsEvent *e) {
        event_clear(e);
}

static char *property_text(icalcomponent *ev, icalproperty_kind kind, size_t max) {
        icalproperty *p = icalcomponent_get_first_property(ev, kind);
        const char *v = NULL;

        if (p) {
                icalvalue *val = icalproperty_get_value(p);
                if (val && icalvalue_isa(val) == ICAL_TEXT_VALUE)
                        v = icalvalue_get_text(val);
        }
        return text_sanitize(v, max);
}

static int event_people(icalcomponent *ev, IcsEvent *e, IcsCalendar *cal, const char *label) {
        icalproperty *p;
        size_t n_att = 0, dropped = 0;
        int r;

        p = icalcomponent_get_first_property(ev, ICAL_ORGANIZER_PROPERTY);
        if (p) {
                r = person_from(p, icalproperty_get_organizer(p), &e->organizer);
                if (r < 0)
                        return r;
        }

        for (p = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY); p;
             p = icalcomponent_get_next_property(ev, ICAL_ATTENDEE_PROPERTY))
                n_att++;
        if (n_att == 0)
                return 0;
        if (n_att > ICS_ATTENDEES_MAX)
                n_att = ICS_ATTENDEES_MAX;
        e->attendees = calloc(n_att, sizeof(IcsPerson));
        if (!e->attendees)
                return -ENOMEM;

        for (p = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY); p;
             p = icalcomponent_get_next_property(ev, ICAL_ATTENDEE_PROPERTY)) {
                IcsPerson person = {};

                /* Past the cap, only count: the duplicate check is
                 * quadratic and a file may hold a million ATTENDEE lines. */
                if (e->n_attendees >= n_att) {
                        dropped++;
                        continue;
                }
                r = person_from(p, icalproperty_get_attendee(p), &person);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;

                bool dup = false;
                for (size_t i = 0; i < e->n_attendees && !dup; i++)
                        dup = strcmp(e->attendees[i].email, person.email) == 0;
                if (dup) {
                        person_clear(&person);
                        continue;
                }
                e->attendees[e->n_attendees++] = person;
        }
        if (dropped > 0)
                warn(cal, "%s: %zu attendees beyond the first %u were ignored", label, dropped,
                     ICS_ATTENDEES_MAX);
        return 0;
}

/* Converts one VEVENT.  Returns 1 and fills *ret, 0 when the event is
 * skipped (a warning says why), -ENOMEM. */
static int event_convert(icalcomponent *ev, icalcomponent *container, ZoneList *zones, IcsMethod method,
                         size_t index, const char *raw, size_t raw_len, IcsCalendar *cal, IcsEvent *ret) {
        _cleanup_(event_clearp) IcsEvent e = { .method = method };
        char label[128];
        const char *problem = NULL;
        EventTimes t;
        icalproperty *p;
        int r;

        p = icalcomponent_get_first_property(ev, ICAL_UID_PROPERTY);
        const char *uid = p ? icalproperty_get_uid(p) : NULL;
        bool uid_blank = !uid || uid[strspn(uid, " \t")] == '\0';
        if (uid_blank)
                snprintf(label, sizeof(label), "event %zu (no UID)", index);
        else {
                _cleanup_free_ char *shown = text_sanitize(uid, 64);
                snprintf(label, sizeof(label), "event %zu (UID %s)", index, shown ? shown : "?");
        }

        p = icalcomponent_get_first_property(ev, ICAL_STATUS_PROPERTY);
        enum icalproperty_status status = p ? icalproperty_get_status(p) : ICAL_STATUS_NONE;
        e.cancelled = status == ICAL_STATUS_CANCELLED || method == ICS_METHOD_CANCEL;
        e.tentative = status == ICAL_STATUS_TENTATIVE;

        r = event_times(ev, container, &t, &problem);
        if (r < 0) {
                /* A cancellation or an iTIP reply names its event by UID
                 * and need not repeat the time (RFC 5546 3.2). */
                bool itip_by_uid = e.cancelled || method == ICS_METHOD_REPLY || method == ICS_METHOD_REFRESH ||
                        method == ICS_METHOD_COUNTER || method == ICS_METHOD_DECLINECOUNTER;
                if (!(itip_by_uid && !uid_blank && strcmp(problem, "no DTSTART") == 0)) {
                        warn(cal, "%s: %s; skipped", label, problem);
                        return 0;
                }
        } else {
                e.has_start = true;
                e.start = t.start_utc;
                e.end = t.end_utc;
                e.all_day = t.all_day;
                e.floating = t.start.floating;
                e.zone_unresolved = t.start.unresolved;
                if (t.start.unresolved) {
                        icalparameter *tp = icalproperty_get_first_parameter(
                                icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY), ICAL_TZID_PARAMETER);
                        _cleanup_free_ char *tzid = text_sanitize(tp ? icalparameter_get_tzid(tp) : "", 80);
                        warn(cal, "%s: unknown time zone \"%s\"; read as local time", label,
                             tzid ? tzid : "");
                }
                if (t.end_clamped)
                        warn(cal, "%s: the end lies before the start; the end was set to the start", label);
        }

        if (uid_blank) {
                r = asprintf(&e.uid, DERIVED_UID_FORMAT, (unsigned long long) event_identity_hash(ev));
                e.uid_derived = true;
                warn(cal, "%s: no UID; one was derived from its time and summary", label);
        } else if (strlen(uid) > ICS_UID_MAX) {
                /* Hash the UID itself, so that its updates and overrides
                 * still find each other. */
                r = asprintf(&e.uid, HASHED_UID_FORMAT, (unsigned long long) fnv1a(FNV_OFFSET, uid));
                e.uid_derived = true;
                warn(cal, "%s: UID longer than %u bytes; using %s", label, ICS_UID_MAX,
                     r >= 0 ? e.uid : "a derived one");
        } else {
                e.uid = strdup(uid);
                r = e.uid ? 0 : -1;
        }
        if (r < 0)
                return -ENOMEM;

        p = icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY);
        int seq = p ? icalproperty_get_sequence(p) : 0;
        e.sequence = seq > 0 ? seq : 0;

        e.summary = property_text(ev, ICAL_SUMMARY_PROPERTY, ICS_TEXT_MAX);
        e.location = property_text(ev, ICAL_LOCATION_PROPERTY, ICS_TEXT_MAX);
        if (!e.summary || !e.location)
                return -ENOMEM;

        p = icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY);
        if (p) {
                struct icalrecurrencetype rule = icalproperty_get_rrule(p);
                if (rule.freq == ICAL_NO_RECURRENCE)
                        warn(cal, "%s: RRULE could not be read; ignored", label);
                else if (rule.freq < ICAL_DAILY_RECURRENCE)
                        warn(cal, "%s: RRULE repeats more often than daily; only DTSTART and RDATEs are used",
                             label);
                else
                        e.recurring = true;
        }
        if (icalcomponent_get_first_property(ev, ICAL_RDATE_PROPERTY))
                e.recurring = true;

        p = icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY);
        if (p) {
                Instant rid;
                if (instant_from(icalproperty_get_recurrenceid(p), p, container, &rid)) {
                        icalparameter *rp = icalproperty_get_first_parameter(p, ICAL_RANGE_PARAMETER);
                        e.has_recurrence_id = true;
                        e.this_and_future = rp && icalparameter_get_range(rp) == ICAL_RANGE_THISANDFUTURE;
                        /* Exchange writes DATE-TIME RECURRENCE-IDs for
                         * all-day series; the date is what they mean. */
                        e.recurrence_id = e.all_day ? local_midnight(instant_day(&rid)) : instant_utc(&rid);
                } else
                        warn(cal, "%s: RECURRENCE-ID is not a valid date or time; ignored", label);
        }

        r = event_people(ev, &e, cal, label);
        if (r < 0)
                return r;

        r = event_standalone_text(ev, zones, cal, label, uid_blank ? NULL : uid, raw, raw_len, &e.ical);
        if (r == -E2BIG) {
                warn(cal, "%s: larger than %u KiB; skipped", label, ICS_EVENT_TEXT_MAX / 1024);
                return 0;
        }
        if (r < 0)
                return r;

        *ret = e;
        e = (IcsEvent) {};
        return 1;
}

static void collect_parse_errors(icalcomponent *c, IcsCalendar *cal) {
        for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY); p;
             p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
                if (cal->n_warnings >= ICS_WARNINGS_MAX) {
                        /* Only counted from here on: a file of garbage
                         * lines has one of these per line. */
                        cal->n_warnings_total++;
                        continue;
                }
                const char *raw = icalproperty_get_xlicerror(p);
                /* An empty property ("LOCATION:", common in Outlook's
                 * exports) means nothing to add; libical drops it, and
                 * saying so would only bury the warnings that matter. */
                if (raw && strncmp(raw, "No value for ", strlen("No value for ")) == 0)
                        continue;
                _cleanup_free_ char *msg = text_sanitize(raw, 160);
                /* libical ends its notes with ": " and the offending line,
                 * which is often empty. */
                if (msg) {
                        size_t len = strlen(msg);
                        while (len > 0 && (msg[len - 1] == ' ' || msg[len - 1] == ':'))
                                msg[--len] = '\0';
                }
                warn(cal, "libical: %s", msg && *msg ? msg : "parse error");
        }
        for (icalcomponent *s = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); s;
             s = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
                collect_parse_errors(s, cal);
}

typedef struct ParseState {
        IcsCalendar *cal;
        const char *text;       /* what libical parsed */
        EventSpan *spans;       /* where its VEVENTs are, in order; NULL if unknown */
        size_t n_spans;
        size_t capacity;
        size_t index;           /* VEVENTs seen, 1-based in messages */
        bool method_set;
        bool overflow;          /* ICS_EVENTS_MAX reached */
} ParseState;

static int add_event(ParseState *st, icalcomponent *ev, icalcomponent *container, ZoneList *zones,
                     IcsMethod method) {
        IcsCalendar *cal = st->cal;
        int r;

        st->index++;
        if (cal->n_events >= ICS_EVENTS_MAX) {
                if (!st->overflow)
                        warn(cal, "more than %u events; the rest were ignored", ICS_EVENTS_MAX);
                st->overflow = true;
                cal->n_skipped++;
                return 0;
        }
        if (cal->n_events == st->capacity) {
                size_t n = st->capacity ? st->capacity * 2 : 8;
                IcsEvent *v = realloc(cal->events, n * sizeof(IcsEvent));
                if (!v)
                        return -ENOMEM;
                cal->events = v;
                st->capacity = n;
        }

        const EventSpan *span = st->index <= st->n_spans ? &st->spans[st->index - 1] : NULL;
        r = event_convert(ev, container, zones, method, st->index, span ? st->text + span->begin : NULL,
                          span ? span->end - span->begin : 0, cal, &cal->events[cal->n_events]);
        if (r < 0)
                return r;
        if (r == 0)
                cal->n_skipped++;
        else
                cal->n_events++;
        return 0;
}

/* The VEVENTs of one container (a VCALENDAR, or the root holding bare
 * components), after its VTIMEZONEs were vetted and listed. */
static int add_container_events(ParseState *st, icalcomponent *container, IcsMethod method) {
        _cleanup_(zone_list_clear) ZoneList zones = {};
        int r;

        r = vtimezones_vet(container, st->cal);
        if (r < 0)
                return r;
        r = zone_list_build(container, &zones);
        if (r < 0)
                return r;

        /* An external iterator: libical's get_first/get_next keep their
         * cursor in the component itself. */
        icalcompiter it = icalcomponent_begin_component(container, ICAL_ANY_COMPONENT);
        for (icalcomponent *c; (c = icalcompiter_deref(&it)); icalcompiter_next(&it)) {
                icalcomponent_kind k = icalcomponent_isa(c);
                if (k == ICAL_VEVENT_COMPONENT) {
                        r = add_event(st, c, container, &zones, method);
                        if (r < 0)
                                return r;
                } else if (k == ICAL_VTODO_COMPONENT)
                        st->cal->n_todos++;
                else if (k == ICAL_VCALENDAR_COMPONENT) {
                        IcsMethod m = method_from(c);
                        if (!st->method_set) {
                                st->cal->method = m;
                                st->method_set = true;
                        }
                        r = add_container_events(st, c, m);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

typedef struct DerivedUid {
        const char *uid;
        size_t index;
} DerivedUid;

static int derived_uid_compare(const void *a, const void *b) {
        const DerivedUid *x = a, *y = b;
        int c = strcmp(x->uid, y->uid);

        if (c != 0)
                return c;
        return x->index < y->index ? -1 : x->index > y->index;
}

/* Two UID-less events with the same identity in one file (RFC examples
 * that differ only in DESCRIPTION) must not merge into one: in file order
 * the second gets "-2", the third "-3", stable as long as the file is.
 * Sorting keeps this O(n log n) for files of 100,000 such events. */
static int derived_uids_disambiguate(IcsCalendar *cal) {
        _cleanup_free_ DerivedUid *v = NULL;
        _cleanup_free_ char **renamed = NULL;
        size_t n = 0;
        int r = 0;

        for (size_t i = 0; i < cal->n_events; i++)
                n += cal->events[i].uid_derived && strncmp(cal->events[i].uid, "derived-", 8) == 0;
        if (n < 2)
                return 0;
        v = calloc(n, sizeof(DerivedUid));
        renamed = calloc(n, sizeof(char *));
        if (!v || !renamed)
                return -ENOMEM;
        n = 0;
        for (size_t i = 0; i < cal->n_events; i++)
                if (cal->events[i].uid_derived && strncmp(cal->events[i].uid, "derived-", 8) == 0)
                        v[n++] = (DerivedUid) { .uid = cal->events[i].uid, .index = i };
        qsort(v, n, sizeof(DerivedUid), derived_uid_compare);

        /* New names first, then the swap: on ENOMEM nothing changed. */
        for (size_t i = 1, same = 1; i < n; i++) {
                same = strcmp(v[i].uid, v[i - 1].uid) == 0 ? same + 1 : 1;
                if (same > 1 && asprintf(&renamed[i], "%.24s-%zu@netctl.invalid", v[i].uid, same) < 0) {
                        renamed[i] = NULL;
                        r = -ENOMEM;
                        break;
                }
        }
        for (size_t i = 0; i < n; i++) {
                if (!renamed[i])
                        continue;
                if (r == 0) {
                        IcsEvent *e = &cal->events[v[i].index];
                        free(e->uid);
                        e->uid = renamed[i];
                } else
                        free(renamed[i]);
        }
        return r;
}

/* The VEVENTs add_container_events() visits, in its order: those whose
 * enclosing components are all VCALENDARs. */
static size_t container_event_count(icalcomponent *container) {
        size_t n = 0;
        icalcompiter it = icalcomponent_begin_component(container, ICAL_ANY_COMPONENT);
        for (icalcomponent *c; (c = icalcompiter_deref(&it)); icalcompiter_next(&it)) {
                icalcomponent_kind k = icalcomponent_isa(c);
                if (k == ICAL_VEVENT_COMPONENT)
                        n++;
                else if (k == ICAL_VCALENDAR_COMPONENT)
                        n += container_event_count(c);
        }
        return n;
}

/* Where the VEVENTs that add_container_events() visits lie in `text`
 * (input_prepare() output), found by their BEGIN and END lines as libical
 * reads them.  *ret NULL (and nothing fails) for a nesting too deep or an
 * END with nothing open: the events are then serialized. */
static int vevent_spans(const char *text, EventSpan **ret, size_t *ret_n) {
        _cleanup_free_ EventSpan *v = NULL;
        size_t n = 0, allocated = 0, open_at = 0, open_depth = SIZE_MAX, depth = 0, others = 0;
        bool calendar[64];

        *ret = NULL;
        *ret_n = 0;
        for (size_t pos = 0; text[pos];) {
                size_t l = strcspn(text + pos, "\n");
                char name[32];
                int dir = line_marker(text + pos, l, name);
                size_t next = pos + l + (text[pos + l] == '\n');
                if (dir > 0) {
                        if (depth == ELEMENTSOF(calendar))
                                return 0;
                        calendar[depth] = strcmp(name, "VCALENDAR") == 0;
                        if (others == 0 && strcmp(name, "VEVENT") == 0) {
                                open_at = pos;
                                open_depth = depth;
                        }
                        others += !calendar[depth];
                        depth++;
                } else if (dir < 0) {
                        if (depth == 0)
                                return 0;
                        depth--;
                        others -= !calendar[depth];
                        if (depth == open_depth) {
                                if (n == allocated) {
                                        size_t grow = allocated ? allocated * 2 : 64;
                                        EventSpan *bigger = realloc(v, grow * sizeof *v);
                                        if (!bigger)
                                                return -ENOMEM;
                                        v = bigger;
                                        allocated = grow;
                                }
                                v[n++] = (EventSpan) { .begin = open_at, .end = next };
                                open_depth = SIZE_MAX;
                        }
                }
                pos = next;
        }
        *ret = TAKE_PTR(v);
        *ret_n = n;
        return 0;
}

/* Parses prepared text into cal: libical's tree, its parse errors, then
 * the events.  Nothing here depends on another call's state, so the
 * parts of a large file can be parsed on two threads (IcsStream). */
static int parse_prepared(const char *text, IcsCalendar *cal, char *errbuf, size_t errsize) {
        _cleanup_(icalcomponent_freep) icalcomponent *root = NULL;
        int r;

        libical_setup();
        root = icalparser_parse_string(text);
        if (!root) {
                set_error(errbuf, errsize, "libical could not parse the file");
                return -EBADMSG;
        }

        /* Each event's own text is stored as it is when the VEVENTs
         * found in the text are those libical found. */
        _cleanup_free_ EventSpan *spans = NULL;
        size_t n_spans = 0;
        r = vevent_spans(text, &spans, &n_spans);
        if (r < 0)
                return r;
        icalcomponent_kind root_kind = icalcomponent_isa(root);
        size_t n_found = root_kind == ICAL_VEVENT_COMPONENT ? 1 : container_event_count(root);
        if (n_found != n_spans)
                n_spans = 0;

        ParseState st = { .cal = cal, .text = text, .spans = spans, .n_spans = n_spans };
        collect_parse_errors(root, cal);
        switch (root_kind) {
        case ICAL_VCALENDAR_COMPONENT:
                cal->method = method_from(root);
                st.method_set = true;
                r = add_container_events(&st, root, cal->method);
                break;
        case ICAL_XROOT_COMPONENT:
                /* Several top-level components: concatenated VCALENDARs,
                 * or bare VEVENTs with their VTIMEZONEs beside them. */
                r = add_container_events(&st, root, ICS_METHOD_NONE);
                break;
        case ICAL_VEVENT_COMPONENT:
                r = add_event(&st, root, NULL, &(ZoneList) {}, ICS_METHOD_NONE);
                break;
        case ICAL_VTODO_COMPONENT:
                cal->n_todos++;
                r = 0;
                break;
        default:
                r = 0;
                break;
        }
        return r;
}

/* ---- a large file in parts, on two threads ------------------------------ */

/* Below this many VEVENTs a file is parsed at once on one thread: an
 * invite has one, and a small file gains a fraction of a millisecond. */
#define SPLIT_EVENTS_MIN 64

/* How a large file is cut, in eighths of its text: the caller parses the
 * first quarter while a helper thread parses the next eighths, so that
 * the caller stores the first quarter's events while the rest is parsed.
 * When the caller has stored all it has before the helper is done with
 * the next part, it parses the part after that itself (stream_wait_part),
 * so neither thread waits while a part is left.  A file of fewer than
 * STREAM_EIGHTHS_MIN events is cut in halves. */
#define STREAM_PARTS_MAX 7
#define STREAM_EIGHTHS_MIN 256

/* Where a file can be cut: one VCALENDAR whose components are VTIMEZONEs
 * and then only VEVENTs and VTODOs, with no calendar property after them.
 * *ret_events: where the first VEVENT begins (everything before it is the
 * header every part needs).  cuts: where the first VEVENT at or after
 * each of the n_targets (increasing) positions begins, one cut per VEVENT
 * at most; *ret_n_cuts how many; *ret_n_events the file's VEVENTs.  False
 * for any other shape, and for a small file. */
static bool split_points(const char *text, size_t len, const size_t targets[], size_t n_targets,
                         size_t *ret_events, size_t *ret_n_events, size_t cuts[], size_t *ret_n_cuts) {
        size_t events = 0, n_events = 0, n_cuts = 0, k = 0;
        int depth = 0;

        for (size_t pos = 0; pos < len;) {
                size_t l = strcspn(text + pos, "\n");
                bool continued = text[pos] == ' ' || text[pos] == '\t';
                char name[32];
                int dir = line_marker(text + pos, l, name);

                if (depth == 0 && (dir <= 0 || pos > 0 || strcmp(name, "VCALENDAR") != 0) && l > 0)
                        return false;   /* not one VCALENDAR first, or a second top-level line */
                if (depth == 1 && dir > 0) {
                        bool event = strcmp(name, "VEVENT") == 0;
                        if (event && n_events++ == 0)
                                events = pos;
                        else if (event)
                                for (; k < n_targets && pos >= targets[k]; k++)
                                        if (n_cuts == 0 || cuts[n_cuts - 1] != pos)
                                                cuts[n_cuts++] = pos;
                        if (n_events > 0 ? !event && strcmp(name, "VTODO") != 0 : strcmp(name, "VTIMEZONE") != 0)
                                return false;
                } else if (depth == 1 && dir == 0 && n_events > 0 && !continued && l > 0)
                        return false;   /* a calendar property after the events */
                depth += dir;
                pos += l + (text[pos + l] == '\n');
        }
        if (n_events < SPLIT_EVENTS_MIN || n_events > ICS_EVENTS_MAX || n_cuts == 0)
                return false;
        *ret_events = events;
        *ret_n_events = n_events;
        *ret_n_cuts = n_cuts;
        return true;
}

struct IcsStream {
        char *text;                     /* input_prepare() output */

        /* A file parsed at once (a small one, one of another shape, or
         * after a part warned): its calendar, and whether its events were
         * handed out. */
        IcsCalendar *whole;
        bool whole_handed;

        /* A large file in parts, each parsed as a file of its own: the
         * header, its VEVENTs, END:VCALENDAR.  Parts are claimed in order
         * by whichever thread is free: part 0 by the caller, then the
         * helper's, and the caller's too whenever the part it would store
         * next is still being parsed. */
        size_t n_parts, handed;
        char *part_text[STREAM_PARTS_MAX];
        IcsCalendar *part[STREAM_PARTS_MAX];
        int part_r[STREAM_PARTS_MAX];
        pthread_t helper;
        bool threaded;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        size_t next_claim;              /* under lock: the first part nobody parses yet */
        bool parsed[STREAM_PARTS_MAX];  /* under lock */
        bool stop;                      /* under lock: the helper claims no more */
};

static void stream_parse_part(IcsStream *s, size_t i) {
        s->part_r[i] = parse_prepared(s->part_text[i], s->part[i], NULL, 0);
        pthread_mutex_lock(&s->lock);
        s->parsed[i] = true;
        pthread_cond_signal(&s->cond);
        pthread_mutex_unlock(&s->lock);
}

static void *stream_helper(void *userdata) {
        IcsStream *s = userdata;

        for (;;) {
                pthread_mutex_lock(&s->lock);
                size_t i = s->next_claim;
                bool claimed = !s->stop && i < s->n_parts;
                if (claimed)
                        s->next_claim++;
                pthread_mutex_unlock(&s->lock);
                if (!claimed)
                        return NULL;
                stream_parse_part(s, i);
        }
}

/* Waits for part i, parsing the next unclaimed parts meanwhile: storing
 * got ahead of parsing, and the caller's thread is better used parsing
 * a later part than waiting. */
static void stream_wait_part(IcsStream *s, size_t i) {
        pthread_mutex_lock(&s->lock);
        while (!s->parsed[i]) {
                if (s->next_claim < s->n_parts) {
                        size_t j = s->next_claim++;
                        pthread_mutex_unlock(&s->lock);
                        stream_parse_part(s, j);
                        pthread_mutex_lock(&s->lock);
                } else
                        pthread_cond_wait(&s->cond, &s->lock);
        }
        pthread_mutex_unlock(&s->lock);
}

static void stream_helper_stop(IcsStream *s) {
        if (!s->threaded)
                return;
        pthread_mutex_lock(&s->lock);
        s->stop = true;
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->helper, NULL);
        s->threaded = false;
}

IcsStream *ics_stream_free(IcsStream *s) {
        if (!s)
                return NULL;
        stream_helper_stop(s);
        for (size_t i = 0; i < s->n_parts; i++) {
                free(s->part_text[i]);
                ics_calendar_free(s->part[i]);
        }
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->cond);
        ics_calendar_free(s->whole);
        free(s->text);
        free(s);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(IcsStream *, ics_stream_free);

/* Cuts s->text into parts and starts the helper on all but the first.
 * 0 when the file is not one to cut (the caller parses it at once). */
static int stream_cut(IcsStream *s) {
        static const char end[] = "END:VCALENDAR\n";
        size_t len = strlen(s->text), events, n_events, cuts[STREAM_PARTS_MAX - 1], n_cuts,
               targets[STREAM_PARTS_MAX - 1];

        /* An eighth of the text is enough of a guess at an eighth of the
         * events for the plan to pay; the count is checked after. */
        for (size_t i = 0; i < ELEMENTSOF(targets); i++)
                targets[i] = len / 8 * (i + 2);
        if (!split_points(s->text, len, targets, ELEMENTSOF(targets), &events, &n_events, cuts, &n_cuts))
                return 0;
        if (n_events < STREAM_EIGHTHS_MIN) {
                size_t half = len / 2;
                if (!split_points(s->text, len, &half, 1, &events, &n_events, cuts, &n_cuts))
                        return 0;
        }

        s->n_parts = n_cuts + 1;
        for (size_t i = 0; i < s->n_parts; i++) {
                size_t from = i == 0 ? events : cuts[i - 1], to = i < n_cuts ? cuts[i] : len;
                bool last = i == n_cuts;
                s->part_text[i] = malloc(events + (to - from) + sizeof end);
                s->part[i] = calloc(1, sizeof(IcsCalendar));
                if (!s->part_text[i] || !s->part[i])
                        return -ENOMEM;
                memcpy(s->part_text[i], s->text, events);
                memcpy(s->part_text[i] + events, s->text + from, to - from);
                memcpy(s->part_text[i] + events + (to - from), last ? "" : end, last ? 1 : sizeof end);
        }
        s->next_claim = 1;      /* part 0 is the caller's */
        s->threaded = pthread_create(&s->helper, NULL, stream_helper, s) == 0;
        if (!s->threaded)
                /* No second thread (out of them): all parts here. */
                stream_helper(s);
        return 1;
}

int ics_stream_open(const void *data, size_t size, IcsStream **ret, char *errbuf, size_t errsize) {
        _cleanup_(ics_stream_freep) IcsStream *s = NULL;
        int r;

        if (!ret)
                return -EINVAL;
        libical_setup();

        s = calloc(1, sizeof(IcsStream));
        if (!s)
                return -ENOMEM;
        pthread_mutex_init(&s->lock, NULL);
        pthread_cond_init(&s->cond, NULL);
        s->whole = calloc(1, sizeof(IcsCalendar));
        if (!s->whole)
                return -ENOMEM;

        r = input_prepare(data, size, s->whole, &s->text, errbuf, errsize);
        if (r < 0)
                return r;

        /* A file input_prepare() repaired is parsed at once, so that its
         * warnings come first. */
        r = s->whole->n_warnings_total == 0 ? stream_cut(s) : 0;
        if (r < 0)
                return r;
        if (r > 0) {
                s->whole = ics_calendar_free(s->whole);
                stream_parse_part(s, 0);
        } else {
                r = parse_prepared(s->text, s->whole, errbuf, errsize);
                if (r < 0)
                        return r;
                r = derived_uids_disambiguate(s->whole);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(s);
        return 0;
}

/* A part warned, skipped an event or failed: what the warnings say (their
 * order, the events' numbers in them) is only right for the whole file,
 * so it is parsed at once after all. */
static int stream_parse_whole(IcsStream *s, char *errbuf, size_t errsize) {
        stream_helper_stop(s);
        s->whole = calloc(1, sizeof(IcsCalendar));
        if (!s->whole)
                return -ENOMEM;
        int r = parse_prepared(s->text, s->whole, errbuf, errsize);
        if (r >= 0)
                r = derived_uids_disambiguate(s->whole);
        return r;
}

int ics_stream_next(IcsStream *s, const IcsEvent **ret_events, size_t *ret_n, char *errbuf, size_t errsize) {
        if (!s->whole && s->handed < s->n_parts) {
                size_t i = s->handed;
                stream_wait_part(s, i);

                const IcsCalendar *p = s->part[i];
                if (s->part_r[i] >= 0 && p->n_warnings_total == 0 && p->n_skipped == 0) {
                        s->handed++;
                        *ret_events = p->events;
                        *ret_n = p->n_events;
                        return 1;
                }
                int r = stream_parse_whole(s, errbuf, errsize);
                if (r < 0)
                        return r;
                if (s->handed > 0)
                        return -EAGAIN;
        }
        if (s->whole && !s->whole_handed) {
                s->whole_handed = true;
                *ret_events = s->whole->events;
                *ret_n = s->whole->n_events;
                return 1;
        }
        *ret_events = NULL;
        *ret_n = 0;
        return 0;
}

int ics_stream_finish(IcsStream *s, IcsCalendar **ret) {
        const IcsEvent *ignored_events;
        size_t ignored_n;
        int r;

        /* Whatever the caller did not take is parsed now. */
        while ((r = ics_stream_next(s, &ignored_events, &ignored_n, NULL, 0)) != 0)
                if (r < 0 && r != -EAGAIN)
                        return r;
        if (s->whole) {
                *ret = TAKE_PTR(s->whole);
                return 0;
        }

        size_t n = 0;
        for (size_t i = 0; i < s->n_parts; i++)
                n += s->part[i]->n_events;
        IcsCalendar *c = calloc(1, sizeof(IcsCalendar));
        IcsEvent *v = malloc(n * sizeof(IcsEvent) + 1);
        if (!c || !v) {
                free(c);
                free(v);
                return -ENOMEM;
        }
        c->events = v;
        c->method = s->part[0]->method;
        for (size_t i = 0; i < s->n_parts; i++) {
                memcpy(v + c->n_events, s->part[i]->events, s->part[i]->n_events * sizeof(IcsEvent));
                c->n_events += s->part[i]->n_events;
                c->n_todos += s->part[i]->n_todos;
                s->part[i]->n_events = 0;       /* moved */
        }
        *ret = c;
        return 0;
}

int ics_parse(const void *data, size_t size, IcsCalendar **ret_calendar, char *errbuf, size_t errsize) {
        _cleanup_(ics_stream_freep) IcsStream *s = NULL;
        const IcsEvent *events;
        size_t n;
        int r;

        if (!ret_calendar)
                return -EINVAL;
        r = ics_stream_open(data, size, &s, errbuf, errsize);
        if (r < 0)
                return r;
        while ((r = ics_stream_next(s, &events, &n, errbuf, errsize)) != 0)
                if (r < 0 && r != -EAGAIN)
                        return r;
        return ics_stream_finish(s, ret_calendar);
}

/* ---- expansion ----------------------------------------------------------- */

typedef struct Key {
        int64_t utc;            /* the instant (local midnight for a DATE) */
        int64_t day;            /* its date as written */
        bool date;
} Key;

static Key key_from(const Instant *i) {
        return (Key) { .utc = instant_utc(i), .day = instant_day(i), .date = i->date };
}

typedef struct Slot {
        int64_t utc;
        int64_t day;
        bool has_end;           /* an RDATE PERIOD */
        int64_t end_utc;
} Slot;

typedef struct Override {
        Key rid;
        bool this_and_future;
        EventTimes t;
        const char *summary;    /* borrowed from the parsed component */
        bool cancelled;
        bool used;
} Override;

typedef struct Component {
        icalcomponent *root;
        icalcomponent *event;
} Component;

static void component_clear(Component *c) {
        if (c->root)
                icalcomponent_free(c->root);
        *c = (Component) {};
}

/* Whether a property of a VEVENT is one that expansion reads (see
 * series_load(), override_load() and event_times()). */
static bool expansion_reads(const char *name, size_t n) {
        static const char *const names[] = {
                "DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID",
                "SUMMARY", "STATUS",
        };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strlen(names[i]) == n && strncasecmp(names[i], name, n) == 0)
                        return true;
        return false;
}

/* Drops, in place, the properties of a VEVENT that expansion never reads
 * (DESCRIPTION, ATTENDEE, ORGANIZER, ...) and everything inside its
 * VALARMs, before libical parses the text: parsing those was most of the
 * cost of expanding a stored meeting.  Every BEGIN and END line stays, so
 * the structure libical sees is unchanged, and so does everything outside
 * VEVENTs (VTIMEZONEs above all).  `text` is input_prepare() output:
 * LF line ends, folded lines continuing with a space or a tab. */
static void expansion_lines_keep(char *text) {
        size_t depth = 0, vevent_depth = 0;     /* 0: not inside a VEVENT */
        char *out = text;
        const char *p = text;

        while (*p) {
                /* One logical line: the first physical line and its folds. */
                const char *end = p;
                do {
                        end += strcspn(end, "\n");
                        if (*end == '\n')
                                end++;
                } while (*end == ' ' || *end == '\t');

                size_t name_len = strcspn(p, ":;\n");
                bool keep = true;
                if (name_len == 5 && strncasecmp(p, "BEGIN", 5) == 0) {
                        depth++;
                        if (vevent_depth == 0 && p[5] == ':' && strncasecmp(p + 6, "VEVENT", 6) == 0 &&
                            (p[12] == '\n' || p[12] == '\0'))
                                vevent_depth = depth;
                } else if (name_len == 3 && strncasecmp(p, "END", 3) == 0) {
                        if (depth == vevent_depth)
                                vevent_depth = 0;
                        if (depth > 0)
                                depth--;
                } else if (vevent_depth > 0)
                        keep = depth == vevent_depth && expansion_reads(p, name_len);

                if (keep) {
                        if (out != p)
                                memmove(out, p, (size_t) (end - p));
                        out += end - p;
                }
                p = end;
        }
        *out = '\0';
}

static int component_parse(const char *text, Component *ret) {
        _cleanup_free_ char *clean = NULL;
        icalcomponent *root, *ev;
        int r;

        if (!text)
                return -EINVAL;
        r = input_prepare(text, strlen(text), NULL, &clean, NULL, 0);
        if (r < 0)
                return r == -ENOMEM ? r : -EINVAL;
        expansion_lines_keep(clean);

        root = icalparser_parse_string(clean);
        if (!root)
                return -EINVAL;
        r = vtimezones_vet(root, NULL);
        if (r < 0) {
                icalcomponent_free(root);
                return r;
        }
        if (icalcomponent_isa(root) == ICAL_VEVENT_COMPONENT)
                ev = root;
        else
                ev = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
        if (!ev) {
                icalcomponent_free(root);
                return -EINVAL;
        }
        *ret = (Component) { .root = root, .event = ev };
        return 0;
}

static const char *component_summary(icalcomponent *ev) {
        icalproperty *p = icalcomponent_get_first_property(ev, ICAL_SUMMARY_PROPERTY);
        icalvalue *v = p ? icalproperty_get_value(p) : NULL;

        return v && icalvalue_isa(v) == ICAL_TEXT_VALUE ? icalvalue_get_text(v) : "";
}

static bool component_cancelled(icalcomponent *ev) {
        icalproperty *p = icalcomponent_get_first_property(ev, ICAL_STATUS_PROPERTY);

        return p && icalproperty_get_status(p) == ICAL_STATUS_CANCELLED;
}

static int slot_compare(const void *a, const void *b) {
        const Slot *x = a, *y = b;

        return x->utc < y->utc ? -1 : x->utc > y->utc;
}

static int occurrence_compare(const void *a, const void *b) {
        const IcsOccurrence *x = a, *y = b;

        if (x->start != y->start)
                return x->start < y->start ? -1 : 1;
        return x->recurrence_id < y->recurrence_id ? -1 : x->recurrence_id > y->recurrence_id;
}

typedef struct Expansion {
        IcsOccurrence *items;
        size_t n, capacity, max;
        int64_t from, to;
        bool truncated;
} Expansion;

static void expansion_clear(Expansion *x) {
        ics_occurrences_free(x->items, x->n);
        *x = (Expansion) {};
}

/* Appends an occurrence if it overlaps the window.  Returns 0, 1 when the
 * cap is reached (the walk should stop), -ENOMEM. */
static int emit(Expansion *x, int64_t start, int64_t end, int64_t rid, bool all_day, bool cancelled,
                bool overridden, const char *summary) {
        bool inside = end > start ? start < x->to && end > x->from : start >= x->from && start < x->to;

        if (!inside)
                return 0;
        if (x->n >= x->max) {
                x->truncated = true;
                return 1;
        }
        if (x->n == x->capacity) {
                size_t n = x->capacity ? x->capacity * 2 : 16;
                IcsOccurrence *v = realloc(x->items, n * sizeof(IcsOccurrence));
                if (!v)
                        return -ENOMEM;
                x->items = v;
                x->capacity = n;
        }
        char *s = text_sanitize(summary, ICS_TEXT_MAX);
        if (!s)
                return -ENOMEM;
        x->items[x->n++] = (IcsOccurrence) {
                .start = start,
                .end = end,
                .recurrence_id = rid,
                .all_day = all_day,
                .cancelled = cancelled,
                .overridden = overridden,
                .summary = s,
        };
        return 0;
}

static int64_t add_sat(int64_t a, int64_t b) {
        if (b > 0 && a > INT64_MAX - b)
                return INT64_MAX;
        if (b < 0 && a < INT64_MIN - b)
                return INT64_MIN;
        return a + b;
}

typedef struct Series {
        Component comp;
        EventTimes t;
        const char *summary;
        bool cancelled;

        bool has_rule;
        struct icalrecurrencetype rule;
        bool has_until;
        Key until;

        Slot *rdates;           /* with DTSTART, sorted */
        size_t n_rdates;
        /* EXDATEs, sorted for binary search: by instant, and by date
         * (DATE values, or any value on an all-day series). */
        int64_t *ex_utc, *ex_day;
        size_t n_ex_utc, n_ex_day;
} Series;

static void series_clear(Series *s) {
        component_clear(&s->comp);
        free(s->rdates);
        free(s->ex_utc);
        free(s->ex_day);
        *s = (Series) {};
}

static int int64_compare(const void *a, const void *b) {
        int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;

        return x < y ? -1 : x > y;
}

static bool int64_sorted_has(const int64_t *v, size_t n, int64_t key) {
        return n > 0 && bsearch(&key, v, n, sizeof(int64_t), int64_compare);
}

static bool series_excludes(const Series *s, const Slot *slot) {
        return (!s->t.all_day && int64_sorted_has(s->ex_utc, s->n_ex_utc, slot->utc)) ||
                int64_sorted_has(s->ex_day, s->n_ex_day, slot->day);
}

static int series_load(const char *text, Series *ret) {
        Series s = {};
        const char *problem;
        icalproperty *p;
        size_t n;
        int r;

        r = component_parse(text, &s.comp);
        if (r < 0)
                return r;
        icalcomponent *ev = s.comp.event, *container = s.comp.root == ev ? NULL : s.comp.root;

        r = event_times(ev, container, &s.t, &problem);
        if (r < 0)
                goto fail;
        s.summary = component_summary(ev);
        s.cancelled = component_cancelled(ev);

        p = icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY);
        if (p) {
                s.rule = icalproperty_get_rrule(p);
                s.has_rule = s.rule.freq >= ICAL_DAILY_RECURRENCE && s.rule.freq != ICAL_NO_RECURRENCE &&
                        rule_feasible(&s.rule, s.t.start_day);
                if (s.has_rule && !icaltime_is_null_time(s.rule.until)) {
                        Instant u = instant_like(&s.t.start, s.rule.until);
                        /* UNTIL in UTC is an instant; a floating or DATE
                         * UNTIL is read in DTSTART's zone. */
                        if (icaltime_is_utc(s.rule.until)) {
                                u.utc = true;
                                u.zone = NULL;
                                u.floating = false;
                        }
                        s.until = key_from(&u);
                        s.has_until = true;
                        /* Checked here rather than by libical: libical
                         * compares UNTIL with the wall clock of a DTSTART
                         * it knows no zone of. */
                        s.rule.until = icaltime_null_time();
                }
        }

        n = 1;
        for (p = icalcomponent_get_first_property(ev, ICAL_RDATE_PROPERTY); p;
             p = icalcomponent_get_next_property(ev, ICAL_RDATE_PROPERTY))
                n++;
        s.rdates = calloc(n, sizeof(Slot));
        if (!s.rdates) {
                r = -ENOMEM;
                goto fail;
        }
        s.rdates[s.n_rdates++] = (Slot) { .utc = s.t.start_utc, .day = s.t.start_day };
        for (p = icalcomponent_get_first_property(ev, ICAL_RDATE_PROPERTY); p && s.n_rdates < n;
             p = icalcomponent_get_next_property(ev, ICAL_RDATE_PROPERTY)) {
                struct icaldatetimeperiodtype v = icalproperty_get_rdate(p);
                bool period = icaltime_is_null_time(v.time);
                struct icaltimetype tt = period ? v.period.start : v.time;
                Instant i;
                Slot slot = {};

                if (s.t.all_day && !tt.is_date) {
                        tt.is_date = 1;
                        tt.hour = tt.minute = tt.second = 0;
                } else if (!s.t.all_day && tt.is_date) {
                        tt.is_date = 0;
                        tt.hour = s.t.start.tt.hour;
                        tt.minute = s.t.start.tt.minute;
                        tt.second = s.t.start.tt.second;
                }
                if (tt.is_date) {
                        if (!instant_from(tt, NULL, NULL, &i))
                                continue;
                } else if (icaltime_is_utc(tt) || icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER)) {
                        if (!instant_from(tt, p, container, &i))
                                continue;
                } else {
                        /* A floating RDATE in a zoned series: same zone. */
                        if (!instant_from(tt, NULL, NULL, &i))
                                continue;
                        i = instant_like(&s.t.start, tt);
                }
                if (i.tt.year < ICS_YEAR_MIN || i.tt.year >= ICS_YEAR_MAX)
                        continue;
                slot.utc = instant_utc(&i);
                slot.day = instant_day(&i);
                if (period && !s.t.all_day) {
                        Instant e;
                        if (!icaltime_is_null_time(v.period.end) &&
                            instant_from(v.period.end, icaltime_is_utc(v.period.end) ? NULL : p, container, &e)) {
                                slot.end_utc = instant_utc(&e);
                                slot.has_end = slot.end_utc >= slot.utc;
                        } else if (!icaldurationtype_is_null_duration(v.period.duration)) {
                                Instant e2 = instant_like(&i, icaltime_add(i.tt, v.period.duration));
                                slot.end_utc = instant_utc(&e2);
                                slot.has_end = slot.end_utc >= slot.utc;
                        }
                }
                s.rdates[s.n_rdates++] = slot;
        }
        qsort(s.rdates, s.n_rdates, sizeof(Slot), slot_compare);

        n = 0;
        for (p = icalcomponent_get_first_property(ev, ICAL_EXDATE_PROPERTY); p;
             p = icalcomponent_get_next_property(ev, ICAL_EXDATE_PROPERTY))
                n++;
        if (n > 0) {
                s.ex_utc = calloc(n, sizeof(int64_t));
                s.ex_day = calloc(n, sizeof(int64_t));
                if (!s.ex_utc || !s.ex_day) {
                        r = -ENOMEM;
                        goto fail;
                }
        }
        for (p = icalcomponent_get_first_property(ev, ICAL_EXDATE_PROPERTY); p && s.n_ex_day + s.n_ex_utc < n;
             p = icalcomponent_get_next_property(ev, ICAL_EXDATE_PROPERTY)) {
                Instant i;
                if (!instant_from(icalproperty_get_exdate(p), p, container, &i))
                        continue;
                Key k = key_from(&i);
                /* A DATE on either side compares dates: Exchange writes
                 * EXDATEs of all-day series as DATE-TIME midnight in the
                 * organiser's zone, meaning that day. */
                if (s.t.all_day || k.date)
                        s.ex_day[s.n_ex_day++] = k.day;
                else
                        s.ex_utc[s.n_ex_utc++] = k.utc;
        }
        if (s.n_ex_utc > 1)
                qsort(s.ex_utc, s.n_ex_utc, sizeof(int64_t), int64_compare);
        if (s.n_ex_day > 1)
                qsort(s.ex_day, s.n_ex_day, sizeof(int64_t), int64_compare);

        *ret = s;
        return 0;

fail:
        series_clear(&s);
        return r == -ENOMEM ? r : -EINVAL;
}

static int override_load(const char *text, Component *comp, Override *ret) {
        icalproperty *p;
        const char *problem;
        Override o = {};
        Instant rid;
        int r;

        r = component_parse(text, comp);
        if (r < 0)
                return r;
        icalcomponent *ev = comp->event, *container = comp->root == ev ? NULL : comp->root;

        p = icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY);
        if (!p || !instant_from(icalproperty_get_recurrenceid(p), p, container, &rid))
                return -EINVAL;
        if (event_times(ev, container, &o.t, &problem) < 0)
                return -EINVAL;

        icalparameter *rp = icalproperty_get_first_parameter(p, ICAL_RANGE_PARAMETER);
        o.this_and_future = rp && icalparameter_get_range(rp) == ICAL_RANGE_THISANDFUTURE;
        o.rid = key_from(&rid);
        o.summary = component_summary(ev);
        o.cancelled = component_cancelled(ev);
        *ret = o;
        return 0;
}

/* Overrides found by binary search rather than a scan per slot: a series
 * may have thousands of them and a hundred thousand slots. */
typedef struct OverrideRef {
        int64_t key;
        size_t i;
} OverrideRef;

typedef struct OverrideIndex {
        OverrideRef *by_utc;    /* exact match on the slot's instant */
        OverrideRef *by_day;    /* exact match on the slot's date */
        OverrideRef *future;    /* THISANDFUTURE, by the instant they start to apply */
        size_t n_utc, n_day, n_future;
} OverrideIndex;

static void override_index_clear(OverrideIndex *x) {
        free(x->by_utc);
        free(x->by_day);
        free(x->future);
        *x = (OverrideIndex) {};
}

static int override_ref_compare(const void *a, const void *b) {
        const OverrideRef *x = a, *y = b;

        if (x->key != y->key)
                return x->key < y->key ? -1 : 1;
        return x->i < y->i ? -1 : x->i > y->i;
}

static int override_index_build(const Series *s, const Override *ovr, size_t n, OverrideIndex *ret) {
        OverrideIndex x = {};

        if (n == 0) {
                *ret = x;
                return 0;
        }
        x.by_utc = calloc(n, sizeof(OverrideRef));
        x.by_day = calloc(n, sizeof(OverrideRef));
        x.future = calloc(n, sizeof(OverrideRef));
        if (!x.by_utc || !x.by_day || !x.future) {
                override_index_clear(&x);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                bool by_date = s->t.all_day || ovr[i].rid.date;
                if (by_date)
                        x.by_day[x.n_day++] = (OverrideRef) { .key = ovr[i].rid.day, .i = i };
                else
                        x.by_utc[x.n_utc++] = (OverrideRef) { .key = ovr[i].rid.utc, .i = i };
                /* For a date, from local midnight: all-day slots sit there. */
                if (ovr[i].this_and_future)
                        x.future[x.n_future++] = (OverrideRef) {
                                .key = by_date ? local_midnight(ovr[i].rid.day) : ovr[i].rid.utc,
                                .i = i,
                        };
        }
        qsort(x.by_utc, x.n_utc, sizeof(OverrideRef), override_ref_compare);
        qsort(x.by_day, x.n_day, sizeof(OverrideRef), override_ref_compare);
        qsort(x.future, x.n_future, sizeof(OverrideRef), override_ref_compare);
        *ret = x;
        return 0;
}

/* The first entry with this key, or n. */
static size_t override_ref_find(const OverrideRef *v, size_t n, int64_t key) {
        size_t lo = 0, hi = n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (v[mid].key < key)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo < n && v[lo].key == key ? lo : n;
}

/* The override naming this slot, if any; every override naming it is
 * marked used, so duplicates do not reappear as orphans. */
static Override *override_for_slot(const Series *s, Override *ovr, const OverrideIndex *x, const Slot *slot) {
        Override *found = NULL;
        const struct {
                const OverrideRef *v;
                size_t n;
                int64_t key;
        } lists[] = {
                { x->by_utc, s->t.all_day ? 0 : x->n_utc, slot->utc },
                { x->by_day, x->n_day, slot->day },
        };

        for (size_t l = 0; l < ELEMENTSOF(lists); l++)
                for (size_t j = override_ref_find(lists[l].v, lists[l].n, lists[l].key);
                     j < lists[l].n && lists[l].v[j].key == lists[l].key; j++) {
                        Override *o = &ovr[lists[l].v[j].i];
                        o->used = true;
                        if (!found)
                                found = o;
                }
        return found;
}

/* The THISANDFUTURE override with the latest start at or before the slot. */
static const Override *override_future_for(const Override *ovr, const OverrideIndex *x, int64_t slot_utc) {
        size_t lo = 0, hi = x->n_future;

        /* The number of entries with key <= slot_utc. */
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (x->future[mid].key <= slot_utc)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo > 0 ? &ovr[x->future[lo - 1].i] : NULL;
}

/* Shapes one slot of the series: as it stands, replaced by the override
 * naming it, or moved by the latest THISANDFUTURE override before it. */
static int expand_slot(Expansion *x, const Series *s, Override *ovr, const OverrideIndex *idx, const Slot *slot) {
        if (series_excludes(s, slot)) {
                (void) override_for_slot(s, ovr, idx, slot);
                return 0;
        }

        const Override *o = override_for_slot(s, ovr, idx, slot);
        if (o)
                return emit(x, o->t.start_utc, o->t.end_utc, slot->utc, o->t.all_day,
                            s->cancelled || o->cancelled, true, o->summary);

        o = override_future_for(ovr, idx, slot->utc);
        if (o) {
                int64_t start, end;
                bool all_day = s->t.all_day && o->t.all_day;

                if (all_day) {
                        int64_t first = slot->day + (o->t.start_day - o->rid.day);
                        start = local_midnight(first);
                        end = local_midnight(first + o->t.days);
                } else {
                        start = add_sat(slot->utc, o->t.start_utc - o->rid.utc);
                        end = add_sat(start, o->t.end_utc - o->t.start_utc);
                }
                return emit(x, start, end, slot->utc, all_day, s->cancelled || o->cancelled, true, o->summary);
        }

        int64_t end;
        if (slot->has_end)
                end = slot->end_utc;
        else if (s->t.all_day)
                end = local_midnight(slot->day + s->t.days);
        else
                end = add_sat(slot->utc, s->t.end_utc - s->t.start_utc);
        return emit(x, slot->utc, end, slot->utc, s->t.all_day, s->cancelled, false, s->summary);
}

static bool within_until(const Series *s, const Slot *slot) {
        if (!s->has_until)
                return true;
        if (s->until.date)
                return slot->day <= s->until.day;
        return slot->utc <= s->until.utc;
}

static int64_t floor_div(int64_t a, int64_t b) {
        return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* libical's iterator costs a few microseconds a step, so a daily series
 * from 1990 asked about next week would walk 13,000 slots each time.  Jump
 * it to shortly before `from` instead: back by the longest occurrence, the
 * largest forward THISANDFUTURE move and two days for zone offsets, so that
 * no slot that could reach into the window is skipped.  Overrides whose
 * slot is skipped are still emitted on their own (see ics_expand()).
 * libical cannot do this for COUNT rules (it must count from DTSTART);
 * they are finite and the step cap bounds them. */
static void iterator_skip_ahead(icalrecur_iterator **it, const Series *s, const Override *ovr, size_t n_ovr,
                                int64_t from) {
        int64_t span = s->t.all_day ? s->t.days * 86400 + 3600 : s->t.end_utc - s->t.start_utc;

        if (s->rule.count != 0)
                return;
        for (size_t i = 0; i < n_ovr; i++) {
                int64_t d = ovr[i].t.end_utc - ovr[i].t.start_utc;
                if (ovr[i].this_and_future && ovr[i].t.start_utc > ovr[i].rid.utc)
                        d = add_sat(d, ovr[i].t.start_utc - ovr[i].rid.utc);
                if (d > span)
                        span = d;
        }
        int64_t target = add_sat(from, -add_sat(span, 2 * 86400));
        if (target <= add_sat(s->t.start_utc, 7 * 86400))
                return;

        struct icaltimetype j = s->t.start.tt;
        int y, m, d;
        civil_from_days(floor_div(target, 86400), &y, &m, &d);
        if (y >= 2500) {
                /* libical's iterator stops in 2582 and crawls towards it;
                 * nothing a meeting reminder needs lies there. */
                icalrecur_iterator_free(*it);
                *it = NULL;
                return;
        }
        j.zone = NULL;
        j.year = y;
        j.month = m;
        j.day = d;
        if (!j.is_date)
                j.hour = j.minute = j.second = 0;

        if (!icalrecur_iterator_set_start(*it, j)) {
                /* Start over from DTSTART rather than trust an iterator
                 * whose state a refused jump may have left behind. */
                struct icaltimetype dt = s->t.start.tt;
                dt.zone = NULL;
                icalrecur_iterator_free(*it);
                *it = icalrecur_iterator_new(s->rule, dt);
        }
}

static int expand_series(Expansion *x, const Series *s, Override *ovr, size_t n_ovr) {
        _cleanup_(icalrecur_iterator_freep) icalrecur_iterator *it = NULL;
        _cleanup_(override_index_clear) OverrideIndex idx = {};
        bool rr_live = false, rr_pending = false, have_last = false;
        int64_t last_utc = 0, margin = 2 * 86400;
        size_t ri = 0;
        Slot rr = {};
        int r;

        /* A THISANDFUTURE override that moves occurrences earlier pulls
         * slots from after `to` into the window; walk that much further. */
        for (size_t i = 0; i < n_ovr; i++)
                if (ovr[i].this_and_future && ovr[i].rid.utc - ovr[i].t.start_utc > 0)
                        margin = add_sat(margin, ovr[i].rid.utc - ovr[i].t.start_utc);
        int64_t stop_at = add_sat(x->to, margin);

        r = override_index_build(s, ovr, n_ovr, &idx);
        if (r < 0)
                return r;

        if (s->has_rule) {
                struct icaltimetype dt = s->t.start.tt;
                dt.zone = NULL;
                it = icalrecur_iterator_new(s->rule, dt);
                if (it)
                        iterator_skip_ahead(&it, s, ovr, n_ovr, x->from);
        }
        rr_live = it != NULL;

        for (size_t steps = 0;; steps++) {
                Slot slot;

                if (steps >= ICS_EXPAND_STEPS_MAX) {
                        x->truncated = true;
                        break;
                }

                if (rr_live && !rr_pending) {
                        struct icaltimetype tt = icalrecur_iterator_next(it);
                        if (icaltime_is_null_time(tt) || tt.year >= ICS_YEAR_MAX)
                                rr_live = false;
                        else {
                                Instant i = instant_like(&s->t.start, tt);
                                rr = (Slot) { .utc = instant_utc(&i), .day = instant_day(&i) };
                                rr_live = rr_pending = within_until(s, &rr);
                        }
                }

                bool rd_left = ri < s->n_rdates;
                if (rr_pending && (!rd_left || rr.utc < s->rdates[ri].utc)) {
                        slot = rr;
                        rr_pending = false;
                } else if (rd_left) {
                        slot = s->rdates[ri++];
                        /* The same instant from RRULE and RDATE is one
                         * occurrence; the RDATE may carry a PERIOD. */
                        if (rr_pending && rr.utc == slot.utc)
                                rr_pending = false;
                } else
                        break;

                if (have_last && slot.utc == last_utc)
                        continue;
                if (slot.utc >= stop_at)
                        break;
                have_last = true;
                last_utc = slot.utc;

                r = expand_slot(x, s, ovr, &idx, &slot);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
        return 0;
}

int ics_expand(const char *master, const char *const *overrides, size_t n_overrides,
               int64_t from, int64_t to, size_t max,
               IcsOccurrence **ret_occurrences, size_t *ret_n, bool *ret_truncated) {
        _cleanup_free_ Override *ovr = NULL;
        _cleanup_free_ Component *comps = NULL;
        Series s = {};
        Expansion x = {
                .from = from,
                .to = to,
                .max = max == 0 || max > ICS_OCCURRENCES_MAX ? ICS_OCCURRENCES_MAX : max,
        };
        size_t n_ovr = 0;
        int r = 0;

        if (!ret_occurrences || !ret_n || from > to || (n_overrides > 0 && !overrides))
                return -EINVAL;
        libical_setup();

        if (n_overrides > 0) {
                ovr = calloc(n_overrides, sizeof(Override));
                comps = calloc(n_overrides, sizeof(Component));
                if (!ovr || !comps)
                        return -ENOMEM;
        }
        for (; n_ovr < n_overrides; n_ovr++) {
                r = override_load(overrides[n_ovr], &comps[n_ovr], &ovr[n_ovr]);
                if (r < 0) {
                        n_ovr++;        /* its component may need freeing */
                        goto finish;
                }
        }

        if (master) {
                r = series_load(master, &s);
                if (r < 0)
                        goto finish;
                r = expand_series(&x, &s, ovr, n_ovr);
                if (r < 0)
                        goto finish;
        }

        /* Overrides no slot claimed: an invite for one changed occurrence
         * (no master known), or a series whose rule no longer produces
         * that slot.  They still happen. */
        for (size_t i = 0; i < n_ovr && !x.truncated; i++) {
                const Override *o = &ovr[i];
                if (o->used)
                        continue;
                r = emit(&x, o->t.start_utc, o->t.end_utc, o->rid.utc, o->t.all_day,
                         o->cancelled || s.cancelled, true, o->summary);
                if (r < 0)
                        goto finish;
        }
        r = 0;

        if (x.n > 1)
                qsort(x.items, x.n, sizeof(IcsOccurrence), occurrence_compare);

finish:
        series_clear(&s);
        for (size_t i = 0; i < n_ovr; i++)
                component_clear(&comps[i]);
        if (r < 0) {
                expansion_clear(&x);
                return r;
        }
        *ret_occurrences = x.items;
        *ret_n = x.n;
        if (ret_truncated)
                *ret_truncated = x.truncated;
        return 0;
}
