/* SPDX-License-Identifier: MIT */
#include "vcard.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How the reader works, and why in this order:
 *
 *  1. The whole input is checked and turned into UTF-8-ish bytes without
 *     NUL (size, BOM, UTF-16).
 *  2. Physical lines are joined into logical lines: folding (a line that
 *     starts with a space or TAB continues the previous one), 2.1
 *     QUOTED-PRINTABLE soft line breaks (a value ending in '=' continues on
 *     the next line, taken literally), and 2.1 BASE64 blocks whose lines are
 *     not indented.  Which of these applies depends on the property's
 *     parameters, so the header is scanned while the line is assembled.
 *  3. A card's content lines are collected first and interpreted at
 *     END:VCARD, because VERSION (which decides how backslashes are read)
 *     need not come first.
 *  4. Each value is decoded (quoted-printable, then charset to UTF-8), then
 *     unescaped and split by the rules of its version, then cleaned
 *     (controls, trimming, length). */

#define _cleanup_(f) __attribute__((cleanup(f)))

static void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- ASCII helpers (no locale: a Turkish locale must not change 'I') ---- */

static char ascii_tolower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c - 'A' + 'a') : c;
}

static char ascii_toupper(char c) {
        return c >= 'a' && c <= 'z' ? (char) (c - 'a' + 'A') : c;
}

static bool ascii_isalnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_blank_char(char c) {
        return c == ' ' || c == '\t';
}

/* s[0..n) equals word, ignoring ASCII case. */
static bool span_eq(const char *s, size_t n, const char *word) {
        size_t wn = strlen(word);

        if (n != wn)
                return false;
        for (size_t i = 0; i < n; i++)
                if (ascii_tolower(s[i]) != ascii_tolower(word[i]))
                        return false;
        return true;
}

static bool span_has_prefix(const char *s, size_t n, const char *prefix) {
        size_t pn = strlen(prefix);

        return n >= pn && span_eq(s, pn, prefix);
}

static void span_trim(const char **s, size_t *n) {
        while (*n > 0 && is_blank_char((*s)[0])) {
                (*s)++;
                (*n)--;
        }
        while (*n > 0 && is_blank_char((*s)[*n - 1]))
                (*n)--;
}

static bool span_is_blank(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!is_blank_char(s[i]))
                        return false;
        return true;
}

/* ---- growable buffer, always NUL-terminated once it holds anything ---- */

typedef struct Buf {
        char *data;
        size_t len, cap;
} Buf;

static void buf_done(Buf *b) {
        free(b->data);
        *b = (Buf) {};
}

static int buf_reserve(Buf *b, size_t extra) {
        size_t need, cap;
        char *d;

        if (extra > SIZE_MAX - b->len - 1)
                return -ENOMEM;
        need = b->len + extra + 1;
        if (need <= b->cap)
                return 0;
        cap = b->cap > 0 ? b->cap : 64;
        while (cap < need)
                cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        d = realloc(b->data, cap);
        if (!d)
                return -ENOMEM;
        b->data = d;
        b->cap = cap;
        return 0;
}

static int buf_put(Buf *b, const void *p, size_t n) {
        int r;

        r = buf_reserve(b, n);
        if (r < 0)
                return r;
        if (n > 0)
                memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = 0;
        return 0;
}

static int buf_puts(Buf *b, const char *s) {
        return buf_put(b, s, strlen(s));
}

static int buf_putc(Buf *b, char c) {
        return buf_put(b, &c, 1);
}

static int buf_put_cp(Buf *b, uint32_t cp) {
        char u[4];
        size_t n;

        if (cp < 0x80) {
                u[0] = (char) cp;
                n = 1;
        } else if (cp < 0x800) {
                u[0] = (char) (0xC0 | (cp >> 6));
                u[1] = (char) (0x80 | (cp & 0x3F));
                n = 2;
        } else if (cp < 0x10000) {
                u[0] = (char) (0xE0 | (cp >> 12));
                u[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
                u[2] = (char) (0x80 | (cp & 0x3F));
                n = 3;
        } else {
                u[0] = (char) (0xF0 | (cp >> 18));
                u[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
                u[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
                u[3] = (char) (0x80 | (cp & 0x3F));
                n = 4;
        }
        return buf_put(b, u, n);
}

static void buf_clear(Buf *b) {
        b->len = 0;
        if (b->data)
                b->data[0] = 0;
}

/* Hands the contents over as a string ("" for an empty buffer). */
static char *buf_steal(Buf *b) {
        char *s = b->data;

        if (!s)
                s = strdup("");
        *b = (Buf) {};
        return s;
}

/* ---- UTF-8 ---- */

#define REPLACEMENT_CHARACTER 0xFFFDu

/* Length of the well-formed UTF-8 sequence at s (n bytes available), or 0
 * when s does not start one: overlong forms, surrogates and values past
 * U+10FFFF are rejected, so everything stored is valid for SQLite, D-Bus
 * and JSON alike. */
static size_t utf8_valid_at(const char *str, size_t n, uint32_t *ret_cp) {
        const unsigned char *s = (const unsigned char *) str;
        unsigned char lo = 0x80, hi = 0xBF;
        size_t len;
        uint32_t cp;

        if (n == 0)
                return 0;
        if (s[0] < 0x80) {
                *ret_cp = s[0];
                return 1;
        }
        if (s[0] < 0xC2)
                return 0;
        if (s[0] < 0xE0) {
                len = 2;
                cp = s[0] & 0x1F;
        } else if (s[0] < 0xF0) {
                len = 3;
                cp = s[0] & 0x0F;
                if (s[0] == 0xE0)
                        lo = 0xA0;
                else if (s[0] == 0xED)
                        hi = 0x9F;
        } else if (s[0] < 0xF5) {
                len = 4;
                cp = s[0] & 0x07;
                if (s[0] == 0xF0)
                        lo = 0x90;
                else if (s[0] == 0xF4)
                        hi = 0x8F;
        } else
                return 0;
        if (n < len)
                return 0;
        if (s[1] < lo || s[1] > hi)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xC0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3F);
        }
        *ret_cp = cp;
        return len;
}

static bool utf8_is_valid(const char *s, size_t n) {
        uint32_t cp;

        for (size_t i = 0; i < n;) {
                size_t l = utf8_valid_at(s + i, n - i, &cp);
                if (l == 0)
                        return false;
                i += l;
        }
        return true;
}

/* Copies s, each byte that does not belong to a valid sequence becoming
 * U+FFFD. */
static int utf8_put_repaired(Buf *out, const char *s, size_t n) {
        uint32_t cp;
        int r;

        for (size_t i = 0; i < n;) {
                size_t l = utf8_valid_at(s + i, n - i, &cp);
                if (l == 0) {
                        r = buf_put_cp(out, REPLACEMENT_CHARACTER);
                        i++;
                } else {
                        r = buf_put(out, s + i, l);
                        i += l;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Cuts s to at most max bytes without splitting a sequence. */
static size_t utf8_cut(const char *s, size_t len, size_t max) {
        size_t cut;

        if (len <= max)
                return len;
        cut = max;
        while (cut > 0 && ((unsigned char) s[cut] & 0xC0) == 0x80)
                cut--;
        return cut;
}

/* Drops an incomplete sequence at the end of s, as snprintf() leaves when
 * it cuts a message. */
static void utf8_drop_partial_tail(char *s) {
        size_t n = strlen(s), start = n;
        uint32_t cp;

        while (start > 0 && n - start < 4 && ((unsigned char) s[start - 1] & 0xC0) == 0x80)
                start--;
        if (start > 0 && (unsigned char) s[start - 1] >= 0xC0)
                start--;
        if (start < n && utf8_valid_at(s + start, n - start, &cp) != n - start)
                s[start] = 0;
}

/* ---- charsets ---- */

typedef enum Charset {
        CHARSET_DEFAULT,        /* none given */
        CHARSET_UTF8,
        CHARSET_CP1252,         /* also ISO-8859-1, read as browsers do */
        CHARSET_LATIN9,         /* ISO-8859-15 */
        CHARSET_UNKNOWN,
} Charset;

/* Windows-1252 0x80..0x9F; the five unassigned bytes become U+FFFD. */
static const uint16_t cp1252_high[32] = {
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
        0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

static uint32_t single_byte_to_cp(unsigned char c, Charset cs) {
        if (c < 0x80)
                return c;
        if (c < 0xA0)
                return cp1252_high[c - 0x80];
        if (cs == CHARSET_LATIN9)
                switch (c) {
                case 0xA4: return 0x20AC;
                case 0xA6: return 0x0160;
                case 0xA8: return 0x0161;
                case 0xB4: return 0x017D;
                case 0xB8: return 0x017E;
                case 0xBC: return 0x0152;
                case 0xBD: return 0x0153;
                case 0xBE: return 0x0178;
                default: break;
                }
        return c;
}

static int single_byte_put(Buf *out, const char *s, size_t n, Charset cs) {
        int r;

        for (size_t i = 0; i < n; i++) {
                r = buf_put_cp(out, single_byte_to_cp((unsigned char) s[i], cs));
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Appends s, in charset cs, as UTF-8.
 *
 * Text that is already valid UTF-8 is kept as it is even when labelled as
 * an 8-bit charset: exporters (Outlook, XING) label UTF-8 as ISO-8859-1,
 * and real Latin-1 text almost never happens to form valid multi-byte
 * sequences.  Unlabelled text that is not UTF-8 is read as Windows-1252,
 * the charset of the Outlook and old-phone exports that write raw 8-bit
 * bytes.  Charsets we do not know (Shift_JIS, ...) keep their valid UTF-8
 * and have every other byte replaced, which is honest rather than
 * pretty. */
static int charset_put(Buf *out, const char *s, size_t n, Charset cs) {
        switch (cs) {
        case CHARSET_UTF8:
        case CHARSET_UNKNOWN:
                return utf8_put_repaired(out, s, n);
        case CHARSET_DEFAULT:
        case CHARSET_CP1252:
        case CHARSET_LATIN9:
        default:
                if (utf8_is_valid(s, n))
                        return buf_put(out, s, n);
                return single_byte_put(out, s, n, cs);
        }
}

static Charset charset_from_name(const char *v, size_t n) {
        static const char *const utf8[] = { "UTF-8", "UTF8", "US-ASCII", "ASCII" };
        static const char *const cp1252[] = {
                "ISO-8859-1", "ISO8859-1", "ISO_8859-1", "LATIN1", "LATIN-1", "L1",
                "WINDOWS-1252", "CP1252", "X-CP1252", "ANSI",
        };
        static const char *const latin9[] = { "ISO-8859-15", "ISO8859-15", "ISO_8859-15", "LATIN9", "LATIN-9" };

        for (size_t i = 0; i < ELEMENTSOF(utf8); i++)
                if (span_eq(v, n, utf8[i]))
                        return CHARSET_UTF8;
        for (size_t i = 0; i < ELEMENTSOF(cp1252); i++)
                if (span_eq(v, n, cp1252[i]))
                        return CHARSET_CP1252;
        for (size_t i = 0; i < ELEMENTSOF(latin9); i++)
                if (span_eq(v, n, latin9[i]))
                        return CHARSET_LATIN9;
        return CHARSET_UNKNOWN;
}

/* ---- parameters ---- */

typedef enum Encoding {
        ENCODING_NONE,
        ENCODING_QP,
        ENCODING_BASE64,
} Encoding;

typedef struct Params {
        Encoding encoding;
        Charset charset;
        char charset_name[32];          /* as written, for warnings */
        unsigned pref;                  /* 0 = not preferred, else 1 (most) .. 100 */
} Params;

static void params_set_pref(Params *ps, unsigned pref) {
        if (pref >= 1 && pref <= 100 && (ps->pref == 0 || pref < ps->pref))
                ps->pref = pref;
}

static Encoding encoding_from_name(const char *v, size_t n) {
        if (span_eq(v, n, "QUOTED-PRINTABLE"))
                return ENCODING_QP;
        if (span_eq(v, n, "BASE64") || span_eq(v, n, "B"))
                return ENCODING_BASE64;
        return ENCODING_NONE;   /* 7BIT, 8BIT, or nonsense */
}

static void params_token(Params *ps, const char *t, size_t n) {
        const char *eq, *v;
        size_t kn, vn;

        span_trim(&t, &n);
        if (n == 0)
                return;         /* "ADR;HOME;PREF;:" from Outlook */

        eq = memchr(t, '=', n);
        if (!eq) {
                /* vCard 2.1 writes bare values: "EMAIL;PREF;INTERNET",
                 * "NOTE;QUOTED-PRINTABLE". */
                Encoding e = encoding_from_name(t, n);
                if (e != ENCODING_NONE)
                        ps->encoding = e;
                else if (span_eq(t, n, "PREF"))
                        params_set_pref(ps, 1);
                return;
        }

        kn = (size_t) (eq - t);
        v = eq + 1;
        vn = n - kn - 1;
        span_trim(&t, &kn);
        span_trim(&v, &vn);
        if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
                v++;
                vn -= 2;
        }

        if (span_eq(t, kn, "ENCODING"))
                ps->encoding = encoding_from_name(v, vn);
        else if (span_eq(t, kn, "CHARSET")) {
                size_t cn = vn < sizeof(ps->charset_name) - 1 ? vn : sizeof(ps->charset_name) - 1;
                ps->charset = charset_from_name(v, vn);
                for (size_t i = 0; i < cn; i++)
                        ps->charset_name[i] = (unsigned char) v[i] >= 0x20 && (unsigned char) v[i] < 0x7F ? v[i] : '?';
                ps->charset_name[cn] = 0;
        } else if (span_eq(t, kn, "TYPE")) {
                /* TYPE=INTERNET,PREF or TYPE=pref */
                size_t start = 0;
                for (size_t i = 0; i <= vn; i++)
                        if (i == vn || v[i] == ',') {
                                const char *item = v + start;
                                size_t in = i - start;
                                span_trim(&item, &in);
                                if (span_eq(item, in, "PREF"))
                                        params_set_pref(ps, 1);
                                start = i + 1;
                        }
        } else if (span_eq(t, kn, "PREF")) {
                unsigned pref = 0;
                for (size_t i = 0; i < vn && i < 4; i++) {
                        if (v[i] < '0' || v[i] > '9') {
                                pref = 0;
                                break;
                        }
                        pref = pref * 10 + (unsigned) (v[i] - '0');
                }
                params_set_pref(ps, pref);
        }
}

/* s[0..n) is the parameter part of a content line, without the leading ';'. */
static void params_parse(const char *s, size_t n, Params *ret) {
        Params ps = {};
        size_t start = 0;
        bool quoted = false;

        for (size_t i = 0; i <= n; i++) {
                if (i < n && s[i] == '"')
                        quoted = !quoted;
                if (i == n || (s[i] == ';' && !quoted)) {
                        params_token(&ps, s + start, i - start);
                        start = i + 1;
                }
        }
        *ret = ps;
}

/* ---- content lines ---- */

static bool is_name_char(char c) {
        /* '_' is not allowed by any RFC but some exporters write it. */
        return ascii_isalnum(c) || c == '-' || c == '_';
}

typedef struct PropView {
        const char *group, *name, *params, *value;
        size_t group_len, name_len, params_len, value_len;
} PropView;

/* Where the header of a content line ends: the first ':' outside double
 * quotes (a quoted parameter value may hold ':'), or, when quotes never
 * balance, the first ':' at all.  SIZE_MAX when there is none. */
typedef struct HeaderScan {
        size_t pos, colon, any_colon;
        bool quoted;
} HeaderScan;

#define HEADER_SCAN_INIT { .colon = SIZE_MAX, .any_colon = SIZE_MAX }

static void header_scan(HeaderScan *h, const char *s, size_t n) {
        for (; h->pos < n && h->colon == SIZE_MAX; h->pos++) {
                char c = s[h->pos];
                if (c == '"')
                        h->quoted = !h->quoted;
                else if (c == ':') {
                        if (h->any_colon == SIZE_MAX)
                                h->any_colon = h->pos;
                        if (!h->quoted)
                                h->colon = h->pos;
                }
        }
}

/* Splits "group.NAME;params:value" without copying.  False when the line
 * is not a content line (no ':', or a name that is not a name). */
static bool prop_view(const char *s, size_t n, PropView *ret) {
        HeaderScan h = HEADER_SCAN_INIT;
        size_t colon, head_end, dot = SIZE_MAX;
        const char *semi;

        header_scan(&h, s, n);
        colon = h.colon != SIZE_MAX ? h.colon : h.any_colon;
        if (colon == SIZE_MAX)
                return false;

        semi = memchr(s, ';', colon);
        head_end = semi ? (size_t) (semi - s) : colon;
        while (head_end > 0 && is_blank_char(s[head_end - 1]))
                head_end--;
        if (head_end == 0)
                return false;
        for (size_t i = 0; i < head_end; i++) {
                if (s[i] == '.' && dot == SIZE_MAX && i > 0)
                        dot = i;
                else if (!is_name_char(s[i]))
                        return false;
        }
        if (dot == head_end - 1)
                return false;

        *ret = (PropView) {
                .group = dot != SIZE_MAX ? s : NULL,
                .group_len = dot != SIZE_MAX ? dot : 0,
                .name = dot != SIZE_MAX ? s + dot + 1 : s,
                .name_len = dot != SIZE_MAX ? head_end - dot - 1 : head_end,
                .params = semi ? semi + 1 : s + colon,
                .params_len = semi ? colon - (size_t) (semi - s) - 1 : 0,
                .value = s + colon + 1,
                .value_len = n - colon - 1,
        };
        return true;
}

/* Whether a physical line starts like a content line ("NAME;" or
 * "group.NAME:"); used to tell the end of a 2.1 quoted-printable value
 * from its continuation. */
static bool looks_like_property(const char *s, size_t n) {
        size_t i = 0;
        bool dot = false;

        while (i < n && (is_name_char(s[i]) || (s[i] == '.' && !dot && i > 0))) {
                if (s[i] == '.')
                        dot = true;
                i++;
        }
        return i > 0 && i < n && (s[i] == ':' || s[i] == ';');
}

static bool is_vcard_delimiter(const char *s, size_t n) {
        span_trim(&s, &n);
        return span_eq(s, n, "BEGIN:VCARD") || span_eq(s, n, "END:VCARD");
}

static bool is_base64_line(const char *s, size_t n) {
        span_trim(&s, &n);
        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!ascii_isalnum(s[i]) && s[i] != '+' && s[i] != '/' && s[i] != '=')
                        return false;
        return true;
}

/* ---- physical and logical lines ---- */

typedef struct Input {
        const char *data;
        size_t size;
        bool cr_only;           /* classic Mac files: CR ends lines */
} Input;

typedef struct Cursor {
        size_t pos;
        unsigned line;          /* number of the line last read */
} Cursor;

/* The next physical line, its terminator removed.  LF ends a line; CRs
 * before it belong to the terminator (CRLF, and the CR CR LF that iOS 5
 * wrote).  A CR elsewhere is content: Thunderbird writes raw CRs inside
 * values. */
static bool next_line(const Input *in, Cursor *c, const char **ret_s, size_t *ret_n) {
        const char *start, *end;
        size_t rest, n;

        if (c->pos >= in->size)
                return false;
        start = in->data + c->pos;
        rest = in->size - c->pos;
        end = memchr(start, in->cr_only ? '\r' : '\n', rest);
        n = end ? (size_t) (end - start) : rest;
        c->pos += end ? n + 1 : n;
        if (c->line < UINT_MAX)
                c->line++;
        while (!in->cr_only && n > 0 && start[n - 1] == '\r')
                n--;
        *ret_s = start;
        *ret_n = n;
        return true;
}

typedef enum LineMode {
        MODE_UNKNOWN,           /* header not complete yet */
        MODE_PLAIN,
        MODE_QP,
        MODE_BASE64,
} LineMode;

static LineMode header_mode(const char *s, size_t colon) {
        const char *semi = memchr(s, ';', colon);
        Params ps;

        if (!semi)
                return MODE_PLAIN;
        params_parse(semi + 1, colon - (size_t) (semi - s) - 1, &ps);
        return ps.encoding == ENCODING_QP ? MODE_QP :
               ps.encoding == ENCODING_BASE64 ? MODE_BASE64 : MODE_PLAIN;
}

/* A quoted-printable value that ends in '=' (possibly followed by
 * blanks) continues on the next line.  Removes the '=' and says so. */
static bool strip_soft_break(Buf *line, size_t colon) {
        size_t n = line->len;

        while (n > colon + 1 && is_blank_char(line->data[n - 1]))
                n--;
        if (n <= colon + 1 || line->data[n - 1] != '=')
                return false;
        line->len = n - 1;
        line->data[line->len] = 0;
        return true;
}

typedef struct Logical {
        unsigned line;          /* first physical line */
        size_t start, end;      /* input bytes it was read from */
} Logical;

/* Reads the next logical line into `line`.  Returns 1, 0 at the end of
 * input, or -ENOMEM. */
static int read_logical(const Input *in, Cursor *cur, Buf *line, Logical *ret_info) {
        HeaderScan h = HEADER_SCAN_INIT;
        LineMode mode = MODE_UNKNOWN;
        Logical info = {};
        const char *s;
        size_t n;
        int r;

        buf_clear(line);
        for (;;) {
                info.start = cur->pos;
                if (!next_line(in, cur, &s, &n))
                        return 0;
                if (!span_is_blank(s, n))
                        break;
        }
        info.line = cur->line;

        /* A BOM in the middle (files concatenated with cat) and indentation
         * before a property (hand-written files, or a continuation after a
         * blank line) would otherwise spoil the name. */
        if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
                s += 3;
                n -= 3;
        }
        while (n > 0 && is_blank_char(s[0])) {
                s++;
                n--;
        }
        r = buf_put(line, s, n);
        if (r < 0)
                return r;

        for (;;) {
                Cursor peek = *cur;

                if (mode == MODE_UNKNOWN) {
                        header_scan(&h, line->data, line->len);
                        if (h.colon != SIZE_MAX)
                                mode = header_mode(line->data, h.colon);
                }

                if (!next_line(in, &peek, &s, &n))
                        break;

                if (mode == MODE_QP && strip_soft_break(line, h.colon)) {
                        if (span_is_blank(s, n)) {
                                /* vCard 2.1 writers (Android, FolkerKinzel's
                                 * test data) put an empty line after a soft
                                 * break.  It belongs to the value when the
                                 * next text is not a property. */
                                Cursor after = peek;
                                const char *t = NULL;
                                size_t tn = 0;
                                bool found = false;

                                while (next_line(in, &after, &t, &tn))
                                        if (!span_is_blank(t, tn)) {
                                                found = true;
                                                break;
                                        }
                                if (!found || looks_like_property(t, tn)) {
                                        *cur = peek;
                                        break;
                                }
                                *cur = after;
                                r = buf_put(line, t, tn);
                        } else {
                                /* A broken value must not swallow the end
                                 * of its card. */
                                if (is_vcard_delimiter(s, n))
                                        break;
                                *cur = peek;
                                r = buf_put(line, s, n);
                        }
                        if (r < 0)
                                return r;
                        continue;
                }

                if (n > 0 && is_blank_char(s[0])) {
                        /* Folding: exactly one blank goes. */
                        *cur = peek;
                        r = buf_put(line, s + 1, n - 1);
                        if (r < 0)
                                return r;
                        continue;
                }

                if (mode == MODE_BASE64 && is_base64_line(s, n)) {
                        /* 2.1 BASE64 blocks need not be indented; they end
                         * at a blank line, and a content line never
                         * consists of base64 characters only. */
                        *cur = peek;
                        r = buf_put(line, s, n);
                        if (r < 0)
                                return r;
                        continue;
                }
                break;
        }

        info.end = cur->pos;
        *ret_info = info;
        return 1;
}

/* ---- raw card text ---- */

/* Appends input bytes to a card's raw text: each line ending in CRLF,
 * lines that are not UTF-8 read as Windows-1252, control characters other
 * than TAB dropped. */
static int raw_put(Buf *raw, const Input *in, size_t start, size_t end) {
        Input part = { .data = in->data + start, .size = end - start, .cr_only = in->cr_only };
        Cursor c = {};
        _cleanup_(buf_done) Buf tmp = {};
        const char *s;
        size_t n;
        int r;

        while (next_line(&part, &c, &s, &n)) {
                uint32_t cp;

                buf_clear(&tmp);
                r = charset_put(&tmp, s, n, CHARSET_DEFAULT);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < tmp.len;) {
                        size_t l = utf8_valid_at(tmp.data + i, tmp.len - i, &cp);
                        if (l == 0)
                                l = 1;  /* cannot happen: charset_put made it valid */
                        else if ((cp < 0x20 && cp != '\t') || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
                                i += l;
                                continue;
                        }
                        r = buf_put(raw, tmp.data + i, l);
                        if (r < 0)
                                return r;
                        i += l;
                }
                r = buf_put(raw, "\r\n", 2);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- values ---- */

/* Quoted-printable to bytes.  Soft breaks were removed when the line was
 * assembled; a dangling '=' at the very end (a file cut inside a value) is
 * dropped, and '=' not followed by two hex digits is kept as it is. */
static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        c = ascii_tolower(c);
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

static int qp_decode(Buf *out, const char *s, size_t n) {
        int r;

        for (size_t i = 0; i < n; i++) {
                if (s[i] == '=') {
                        int h1 = i + 2 < n ? hexval(s[i + 1]) : -1;
                        int h2 = i + 2 < n ? hexval(s[i + 2]) : -1;
                        if (h1 >= 0 && h2 >= 0) {
                                r = buf_putc(out, (char) (h1 * 16 + h2));
                                if (r < 0)
                                        return r;
                                i += 2;
                                continue;
                        }
                        if (i + 1 == n)
                                break;
                }
                r = buf_putc(out, s[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

typedef enum Escapes {
        ESCAPES_NONE,           /* vCard 2.1 text: backslash is literal */
        ESCAPES_STRUCTURED_21,  /* vCard 2.1 N/ORG: \; \\ and \: only */
        ESCAPES_TEXT,           /* 3.0/4.0: \n \N \\ \, \; plus \: and \"
                                 * that Google and Apple write */
} Escapes;

static int unescape(Buf *out, const char *s, size_t n, Escapes esc) {
        int r;

        if (esc == ESCAPES_NONE)
                return buf_put(out, s, n);

        for (size_t i = 0; i < n; i++) {
                char c = s[i], next = i + 1 < n ? s[i + 1] : 0;

                if (c == '\\' && i + 1 < n) {
                        bool known;

                        if (esc == ESCAPES_TEXT && (next == 'n' || next == 'N')) {
                                r = buf_putc(out, '\n');
                                if (r < 0)
                                        return r;
                                i++;
                                continue;
                        }
                        known = next == '\\' || next == ';' || next == ':' ||
                                (esc == ESCAPES_TEXT && (next == ',' || next == '"'));
                        if (known) {
                                r = buf_putc(out, next);
                                if (r < 0)
                                        return r;
                                i++;
                                continue;
                        }
                        /* "C:\Users" written by a careless exporter keeps
                         * its backslash. */
                }
                r = buf_putc(out, c);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The next sep-separated component of s[0..n), starting at *pos; a
 * backslash protects the byte after it.  False once past the end. */
static bool next_component(const char *s, size_t n, char sep, size_t *pos, const char **ret_s, size_t *ret_n) {
        size_t i = *pos;

        if (*pos > n)
                return false;
        while (i < n && s[i] != sep)
                i += s[i] == '\\' && i + 1 < n ? 2 : 1;
        *ret_s = s + *pos;
        *ret_n = i - *pos;
        *pos = i + 1;
        return true;
}

typedef enum CleanMode {
        CLEAN_LINE,             /* names and such: one line */
        CLEAN_NOTE,             /* NOTE, X-NETCTL-*: newlines and TAB stay */
} CleanMode;

/* Makes the text netctl stores: control characters gone (newlines and
 * TABs become spaces in one-line fields), ends trimmed, at most max bytes.
 * *ret is NULL when nothing is left.  s must be valid UTF-8 apart from
 * stray bytes, which become U+FFFD. */
static int clean_text(const char *s, size_t n, CleanMode mode, size_t max, char **ret, bool *ret_truncated) {
        _cleanup_(buf_done) Buf b = {};
        bool truncated = false;
        uint32_t cp;
        int r = 0;

        for (size_t i = 0; i < n;) {
                size_t l = utf8_valid_at(s + i, n - i, &cp);
                bool blank;

                if (l == 0) {
                        r = buf_put_cp(&b, REPLACEMENT_CHARACTER);
                        i++;
                        if (r < 0)
                                return r;
                        goto check;
                }
                if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
                        char c = 0;

                        if (mode == CLEAN_NOTE) {
                                if (cp == '\n' || cp == '\t')
                                        c = (char) cp;
                                else if (cp == '\r' && !(i + 1 < n && s[i + 1] == '\n'))
                                        c = '\n';
                        } else if (cp == '\t' || cp == '\n' || cp == '\r')
                                c = ' ';
                        i += l;
                        if (c == 0 || b.len == 0)
                                continue;       /* dropped, or leading blank */
                        r = buf_putc(&b, c);
                } else {
                        blank = cp == ' ';
                        if (blank && b.len == 0) {
                                i += l;
                                continue;
                        }
                        r = buf_put(&b, s + i, l);
                        i += l;
                }
                if (r < 0)
                        return r;
        check:
                /* A 1 MiB value must not cost 1 MiB: stop a little past
                 * the limit, the cut below makes it exact. */
                if (b.len > max + 4) {
                        truncated = true;
                        break;
                }
        }

        if (b.len > max) {
                truncated = true;
                b.len = utf8_cut(b.data, b.len, max);
        }
        while (b.len > 0 && (b.data[b.len - 1] == ' ' || b.data[b.len - 1] == '\t' || b.data[b.len - 1] == '\n'))
                b.len--;
        if (b.len == 0) {
                *ret = NULL;
                if (ret_truncated)
                        *ret_truncated = truncated;
                return 0;
        }
        b.data[b.len] = 0;
        *ret = buf_steal(&b);
        if (ret_truncated)
                *ret_truncated = truncated;
        return 0;
}

/* ---- e-mail addresses ---- */

static bool email_local_char(uint32_t cp) {
        return cp >= 0xA0 || (cp < 0x80 && (ascii_isalnum((char) cp) || strchr("!#$%&'*+-/=?^_`{|}~.", (int) cp)));
}

bool vcard_email_is_valid(const char *address) {
        const char *at, *domain;
        size_t n, local_len, domain_len, label = 0;
        uint32_t cp;

        if (!address)
                return false;
        n = strlen(address);
        if (n < 3 || n > VCARD_EMAIL_MAX || !utf8_is_valid(address, n))
                return false;
        at = strchr(address, '@');
        if (!at || strchr(at + 1, '@'))
                return false;

        local_len = (size_t) (at - address);
        if (local_len == 0 || local_len > 64 || address[0] == '.' || at[-1] == '.')
                return false;
        for (size_t i = 0; i < local_len;) {
                size_t l = utf8_valid_at(address + i, local_len - i, &cp);
                if (l == 0 || !email_local_char(cp) || (cp == '.' && address[i + 1] == '.'))
                        return false;
                i += l;
        }

        domain = at + 1;
        domain_len = n - local_len - 1;
        if (domain_len == 0 || domain_len > 253)
                return false;
        for (size_t i = 0; i <= domain_len;) {
                if (i == domain_len || domain[i] == '.') {
                        /* label ends: not empty, not too long, no '-' at
                         * either end */
                        if (label == 0 || label > 63 || domain[i - 1] == '-' || domain[i - label] == '-')
                                return false;
                        label = 0;
                        i++;
                        continue;
                }
                size_t l = utf8_valid_at(domain + i, domain_len - i, &cp);
                if (l == 0 || (cp < 0x80 && !ascii_isalnum((char) cp) && cp != '-') || (cp >= 0x80 && cp < 0xA0))
                        return false;
                label += l;
                i += l;
        }
        return true;
}

bool vcard_email_equal(const char *a, const char *b) {
        if (!a || !b)
                return false;
        for (; *a && *b; a++, b++)
                if (ascii_tolower(*a) != ascii_tolower(*b))
                        return false;
        return *a == *b;
}

/* The address in an EMAIL value: Android writes '"Omega" <omega@x>',
 * 4.0 writers may put a mailto: URI. */
static void email_extract(const char *s, const char **ret_s, size_t *ret_n) {
        size_t n = strlen(s);
        const char *lt = memchr(s, '<', n);

        if (lt) {
                const char *gt = memchr(lt, '>', n - (size_t) (lt - s));
                if (gt) {
                        s = lt + 1;
                        n = (size_t) (gt - lt - 1);
                }
        }
        span_trim(&s, &n);
        if (span_has_prefix(s, n, "mailto:")) {
                s += 7;
                n -= 7;
                span_trim(&s, &n);
        }
        *ret_s = s;
        *ret_n = n;
}

/* ---- the parser ---- */

typedef struct Property {
        char *name;             /* upper-case, group removed */
        char *params;           /* as written */
        char *value;            /* as written, unfolded; may be long */
        size_t params_len, value_len;
        unsigned line;
} Property;

typedef struct CardBuilder {
        Property *props;
        size_t n_props, cap_props;
        Buf raw;
        unsigned line;
        bool too_many_props;
} CardBuilder;

typedef struct Parser {
        Input in;
        Cursor cur;
        CardBuilder stack[VCARD_NEST_MAX];
        size_t depth;
        size_t skip_depth;      /* BEGINs deeper than VCARD_NEST_MAX */
        size_t n_begun;
        bool seen_calendar, seen_card_property;
        bool oom;               /* a warning could not be stored */
        VCardParseResult *result;
} Parser;

static void property_done(Property *p) {
        free(p->name);
        free(p->params);
        free(p->value);
}

static void builder_done(CardBuilder *b) {
        for (size_t i = 0; i < b->n_props; i++)
                property_done(&b->props[i]);
        free(b->props);
        buf_done(&b->raw);
        *b = (CardBuilder) {};
}

static void parser_done(Parser *p) {
        for (size_t i = 0; i < p->depth; i++)
                builder_done(&p->stack[i]);
        vcard_parse_result_free(p->result);
}

/* Warnings are best effort: one that cannot be stored marks the parse as
 * failed with -ENOMEM at the end, so none is lost silently. */
__attribute__((format(printf, 3, 4)))
static void warn(Parser *p, unsigned line, const char *fmt, ...) {
        VCardParseResult *res = p->result;
        char msg[512], *s;
        int prefix, k;
        va_list ap;

        if (res->n_warnings >= VCARD_WARNINGS_MAX) {
                res->n_warnings_dropped++;
                return;
        }
        prefix = snprintf(msg, sizeof(msg), "line %u: ", line);
        if (prefix < 0)
                return;
        va_start(ap, fmt);
        k = vsnprintf(msg + prefix, sizeof(msg) - (size_t) prefix, fmt, ap);
        va_end(ap);
        if (k < 0)
                return;
        utf8_drop_partial_tail(msg);

        s = strdup(msg);
        if (!s) {
                p->oom = true;
                return;
        }
        if (res->n_warnings % 16 == 0) {
                char **w = realloc(res->warnings, (res->n_warnings + 16) * sizeof(char *));
                if (!w) {
                        free(s);
                        p->oom = true;
                        return;
                }
                res->warnings = w;
        }
        res->warnings[res->n_warnings++] = s;
}

/* A value quoted in a warning: short, one line, valid UTF-8, whatever
 * bytes the line held. */
static const char *snippet(const char *s, char *buf, size_t size) {
        size_t n = strlen(s), out = 0;
        uint32_t cp;

        for (size_t i = 0; i < n;) {
                size_t l = utf8_valid_at(s + i, n - i, &cp);
                const char *piece = s + i;
                size_t pl = l;

                if (l == 0) {
                        piece = "\xEF\xBF\xBD";
                        pl = 3;
                        l = 1;
                } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
                        piece = " ";
                        pl = 1;
                }
                if (out + pl > size - 4) {
                        memcpy(buf + out, "\xE2\x80\xA6", 3);   /* … */
                        out += 3;
                        break;
                }
                memcpy(buf + out, piece, pl);
                out += pl;
                i += l;
        }
        buf[out] = 0;
        return buf;
}

static int builder_add(Parser *p, CardBuilder *b, const PropView *v, unsigned line) {
        Property prop = {};

        if (b->n_props >= VCARD_PROPERTIES_MAX) {
                if (!b->too_many_props)
                        warn(p, line, "card has more than %u properties; the rest are ignored",
                             VCARD_PROPERTIES_MAX);
                b->too_many_props = true;
                return 0;
        }
        if (b->n_props == b->cap_props) {
                size_t cap = b->cap_props ? b->cap_props * 2 : 16;
                Property *np = realloc(b->props, cap * sizeof(Property));
                if (!np)
                        return -ENOMEM;
                b->props = np;
                b->cap_props = cap;
        }

        prop.name = strndup(v->name, v->name_len);
        prop.params = strndup(v->params, v->params_len);
        prop.value = strndup(v->value, v->value_len);
        if (!prop.name || !prop.params || !prop.value) {
                property_done(&prop);
                return -ENOMEM;
        }
        for (char *c = prop.name; *c; c++)
                *c = ascii_toupper(*c);
        prop.params_len = v->params_len;
        prop.value_len = v->value_len;
        prop.line = line;
        b->props[b->n_props++] = prop;
        return 0;
}

/* ---- interpreting a card ---- */

/* X-NETCTL-* names netctl reads and writes; one rule for both, so every
 * card read can be written back. */
static bool extension_name_is_valid(const char *name) {
        size_t n;

        if (!name)
                return false;
        n = strlen(name);
        if (n <= 9 || n > 64 || !span_has_prefix(name, n, "X-NETCTL-"))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!ascii_isalnum(name[i]) && name[i] != '-')
                        return false;
        return true;
}

typedef struct CardState {
        VCard *card;
        unsigned *email_pref;   /* parallel to card->emails */
        Buf note;
        bool have_n, note_truncated, emails_full, tels_full, cats_full, exts_full;
        bool charset_warned;
} CardState;

static Escapes escapes_for(VCardVersion v, bool structured) {
        if (v == VCARD_VERSION_21)
                return structured ? ESCAPES_STRUCTURED_21 : ESCAPES_NONE;
        return ESCAPES_TEXT;
}

/* The bytes of a value as UTF-8, before unescaping: quoted-printable
 * undone, charset converted.  -EMEDIUMTYPE for base64 (binary) values. */
static int prop_decode(Parser *p, CardState *st, const Property *prop, Buf *out, Params *ret_params) {
        _cleanup_(buf_done) Buf bytes = {};
        const char *src = prop->value;
        size_t n = prop->value_len;
        Params ps;
        int r;

        params_parse(prop->params, prop->params_len, &ps);
        if (ps.encoding == ENCODING_BASE64)
                return -EMEDIUMTYPE;
        if (ps.encoding == ENCODING_QP) {
                r = qp_decode(&bytes, src, n);
                if (r < 0)
                        return r;
                src = bytes.data ? bytes.data : "";
                n = bytes.len;
        }
        if (ps.charset == CHARSET_UNKNOWN && !st->charset_warned) {
                warn(p, prop->line, "CHARSET=%s is not supported; characters that are not UTF-8 were replaced",
                     ps.charset_name);
                st->charset_warned = true;
        }
        buf_clear(out);
        r = charset_put(out, src, n, ps.charset);
        if (r < 0)
                return r;
        if (ret_params)
                *ret_params = ps;
        return 0;
}

/* Decodes, unescapes and cleans a one-value property.  *ret NULL when
 * empty or binary. */
static int prop_text(Parser *p, CardState *st, const Property *prop, CleanMode mode, size_t max,
                     char **ret, Params *ret_params) {
        _cleanup_(buf_done) Buf dec = {}, text = {};
        bool truncated;
        int r;

        *ret = NULL;
        r = prop_decode(p, st, prop, &dec, ret_params);
        if (r == -EMEDIUMTYPE) {
                warn(p, prop->line, "%s holds binary (BASE64) data instead of text; ignored", prop->name);
                return 0;
        }
        if (r < 0)
                return r;
        r = unescape(&text, dec.data ? dec.data : "", dec.len, escapes_for(st->card->version, false));
        if (r < 0)
                return r;
        r = clean_text(text.data ? text.data : "", text.len, mode, max, ret, &truncated);
        if (r < 0)
                return r;
        if (truncated && *ret)
                warn(p, prop->line, "%s is longer than %zu bytes; cut", prop->name, max);
        return 0;
}

static int strv_push(char ***v, size_t *n, char *s) {
        char **nv;

        if (*n % 8 == 0) {
                nv = realloc(*v, (*n + 8) * sizeof(char *));
                if (!nv)
                        return -ENOMEM;
                *v = nv;
        }
        (*v)[(*n)++] = s;
        return 0;
}

static bool strv_contains_case(char *const *v, size_t n, const char *s) {
        for (size_t i = 0; i < n; i++)
                if (vcard_email_equal(v[i], s))
                        return true;
        return false;
}

/* Structured values (N, ORG, CATEGORIES): each component unescaped and
 * cleaned; fn(component index, text) is called for each, text may be
 * NULL.  Stops after max_parts. */
typedef int (*ComponentFn)(Parser *p, CardState *st, const Property *prop, size_t index, char *text);

static int prop_components(Parser *p, CardState *st, const Property *prop, char sep, size_t max_parts,
                           ComponentFn fn) {
        _cleanup_(buf_done) Buf dec = {}, text = {};
        const char *c;
        size_t cn, pos = 0, index = 0;
        int r;

        r = prop_decode(p, st, prop, &dec, NULL);
        if (r == -EMEDIUMTYPE) {
                warn(p, prop->line, "%s holds binary (BASE64) data instead of text; ignored", prop->name);
                return 0;
        }
        if (r < 0)
                return r;

        while (index < max_parts && next_component(dec.data ? dec.data : "", dec.len, sep, &pos, &c, &cn)) {
                char *clean;
                bool truncated;

                buf_clear(&text);
                r = unescape(&text, c, cn, escapes_for(st->card->version, true));
                if (r < 0)
                        return r;
                r = clean_text(text.data ? text.data : "", text.len, CLEAN_LINE, VCARD_FIELD_MAX, &clean, &truncated);
                if (r < 0)
                        return r;
                if (truncated && clean)
                        warn(p, prop->line, "%s is longer than %u bytes; cut", prop->name, VCARD_FIELD_MAX);
                r = fn(p, st, prop, index++, clean);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int take_n_part(Parser *p, CardState *st, const Property *prop, size_t index, char *text) {
        (void) p;
        (void) prop;
        if (index < VCARD_N_PARTS && !st->card->n[index])
                st->card->n[index] = text;
        else
                free(text);
        return 0;
}

static int take_org(Parser *p, CardState *st, const Property *prop, size_t index, char *text) {
        (void) p;
        (void) prop;
        if (index == 0 && !st->card->org)
                st->card->org = text;
        else
                free(text);
        return 0;
}

static int take_category(Parser *p, CardState *st, const Property *prop, size_t index, char *text) {
        VCard *c = st->card;
        int r;

        (void) index;
        if (!text || strv_contains_case(c->categories, c->n_categories, text)) {
                free(text);
                return 0;
        }
        if (c->n_categories >= VCARD_LIST_MAX) {
                if (!st->cats_full)
                        warn(p, prop->line, "more than %u categories; the rest are ignored", VCARD_LIST_MAX);
                st->cats_full = true;
                free(text);
                return 0;
        }
        r = strv_push(&c->categories, &c->n_categories, text);
        if (r < 0)
                free(text);
        return r;
}

static int handle_email(Parser *p, CardState *st, const Property *prop) {
        _cleanup_free_ char *text = NULL;
        VCard *c = st->card;
        const char *a;
        size_t an;
        char *address, buf[80];
        unsigned *np;
        Params ps = {};
        int r;

        /* Read with room for a display name around the address. */
        r = prop_text(p, st, prop, CLEAN_LINE, VCARD_FIELD_MAX, &text, &ps);
        if (r < 0)
                return r;
        if (!text)
                return 0;       /* "EMAIL;TYPE=HOME:" from Nextcloud: nothing to drop */

        email_extract(text, &a, &an);
        address = strndup(a, an);
        if (!address)
                return -ENOMEM;
        if (!vcard_email_is_valid(address)) {
                warn(p, prop->line, "EMAIL \"%s\" is not an e-mail address; dropped", snippet(text, buf, sizeof(buf)));
                free(address);
                return 0;
        }
        if (strv_contains_case(c->emails, c->n_emails, address)) {
                free(address);
                return 0;
        }
        if (c->n_emails >= VCARD_EMAILS_MAX) {
                if (!st->emails_full)
                        warn(p, prop->line, "more than %u e-mail addresses; the rest are ignored", VCARD_EMAILS_MAX);
                st->emails_full = true;
                free(address);
                return 0;
        }
        np = realloc(st->email_pref, (c->n_emails + 1) * sizeof(unsigned));
        if (!np) {
                free(address);
                return -ENOMEM;
        }
        st->email_pref = np;
        st->email_pref[c->n_emails] = ps.pref;
        r = strv_push(&c->emails, &c->n_emails, address);
        if (r < 0)
                free(address);
        return r;
}

static int handle_tel(Parser *p, CardState *st, const Property *prop) {
        VCard *c = st->card;
        char *text;
        int r;

        r = prop_text(p, st, prop, CLEAN_LINE, VCARD_FIELD_MAX, &text, NULL);
        if (r < 0 || !text)
                return r;
        /* 4.0 writes TEL;VALUE=uri:tel:+49-221-..., people want the number */
        if (span_has_prefix(text, strlen(text), "tel:")) {
                char *number;

                r = clean_text(text + 4, strlen(text + 4), CLEAN_LINE, VCARD_FIELD_MAX, &number, NULL);
                free(text);
                if (r < 0 || !number)
                        return r;
                text = number;
        }
        if (c->n_tels >= VCARD_LIST_MAX) {
                if (!st->tels_full)
                        warn(p, prop->line, "more than %u TEL properties; the rest are ignored", VCARD_LIST_MAX);
                st->tels_full = true;
                free(text);
                return 0;
        }
        r = strv_push(&c->tels, &c->n_tels, text);
        if (r < 0)
                free(text);
        return r;
}

static int handle_note(Parser *p, CardState *st, const Property *prop) {
        _cleanup_free_ char *text = NULL;
        size_t n, sep, room;
        int r;

        if (st->note_truncated)
                return 0;
        r = prop_text(p, st, prop, CLEAN_NOTE, VCARD_NOTE_MAX, &text, NULL);
        if (r < 0 || !text)
                return r;
        n = strlen(text);
        sep = st->note.len > 0;
        if (st->note.len + sep >= VCARD_NOTE_MAX || n > VCARD_NOTE_MAX - st->note.len - sep) {
                warn(p, prop->line, "NOTEs are longer than %u bytes together; cut", VCARD_NOTE_MAX);
                st->note_truncated = true;
                if (st->note.len + sep >= VCARD_NOTE_MAX)
                        return 0;
        }
        room = VCARD_NOTE_MAX - st->note.len - sep;
        if (sep) {
                r = buf_putc(&st->note, '\n');
                if (r < 0)
                        return r;
        }
        return buf_put(&st->note, text, utf8_cut(text, n, room));
}

static int handle_extension(Parser *p, CardState *st, const Property *prop) {
        VCard *c = st->card;
        VCardExtension *ne;
        char *value, *name;
        int r;

        r = prop_text(p, st, prop, CLEAN_NOTE, VCARD_NOTE_MAX, &value, NULL);
        if (r < 0 || !value)
                return r;
        if (c->n_extensions >= VCARD_LIST_MAX) {
                if (!st->exts_full)
                        warn(p, prop->line, "more than %u X-NETCTL properties; the rest are ignored", VCARD_LIST_MAX);
                st->exts_full = true;
                free(value);
                return 0;
        }
        name = strdup(prop->name);
        ne = realloc(c->extensions, (c->n_extensions + 1) * sizeof(VCardExtension));
        if (!name || !ne) {
                if (ne)
                        c->extensions = ne;
                free(name);
                free(value);
                return -ENOMEM;
        }
        c->extensions = ne;
        c->extensions[c->n_extensions++] = (VCardExtension) { .name = name, .value = value };
        return 0;
}

static VCardVersion version_from(const char *v, size_t n) {
        span_trim(&v, &n);
        if (n == 0)
                return VCARD_VERSION_NONE;
        if (v[0] == '2' || (v[0] == '1' && n > 1))
                return VCARD_VERSION_21;
        if (v[0] == '4')
                return VCARD_VERSION_40;
        return VCARD_VERSION_30;
}

/* "Dr. Erika Mustermann" from N, for cards without FN (2.1 allows that,
 * AOSP's nested cards have only N). */
static int fn_from_n(VCard *c) {
        static const int order[] = { VCARD_N_PREFIX, VCARD_N_GIVEN, VCARD_N_ADDITIONAL, VCARD_N_FAMILY, VCARD_N_SUFFIX };
        _cleanup_(buf_done) Buf b = {};
        int r;

        for (size_t i = 0; i < ELEMENTSOF(order); i++) {
                const char *part = c->n[order[i]];
                if (!part)
                        continue;
                if (b.len > 0) {
                        r = buf_putc(&b, ' ');
                        if (r < 0)
                                return r;
                }
                r = buf_puts(&b, part);
                if (r < 0)
                        return r;
        }
        if (b.len == 0)
                return 0;
        return clean_text(b.data, b.len, CLEAN_LINE, VCARD_FIELD_MAX, &c->fn, NULL);
}

/* The preferred e-mail goes first, the others keep their order. */
static void emails_prefer(VCard *c, const unsigned *pref) {
        size_t best = SIZE_MAX;
        char *s;

        for (size_t i = 0; i < c->n_emails; i++)
                if (pref[i] > 0 && (best == SIZE_MAX || pref[i] < pref[best]))
                        best = i;
        if (best == SIZE_MAX || best == 0)
                return;
        s = c->emails[best];
        memmove(c->emails + 1, c->emails, best * sizeof(char *));
        c->emails[0] = s;
}

static int card_interpret(Parser *p, CardBuilder *b, VCard **ret_card) {
        _cleanup_(vcard_freep) VCard *c = NULL;
        CardState st = {};
        int r;

        r = vcard_new(&c);
        if (r < 0)
                return r;
        c->version = VCARD_VERSION_NONE;
        c->line = b->line;
        st.card = c;

        for (size_t i = 0; i < b->n_props; i++)
                if (strcmp(b->props[i].name, "VERSION") == 0) {
                        c->version = version_from(b->props[i].value, b->props[i].value_len);
                        break;
                }

        for (size_t i = 0; i < b->n_props && r >= 0; i++) {
                const Property *prop = &b->props[i];
                const char *name = prop->name;

                if (strcmp(name, "FN") == 0) {
                        if (!c->fn)
                                r = prop_text(p, &st, prop, CLEAN_LINE, VCARD_FIELD_MAX, &c->fn, NULL);
                } else if (strcmp(name, "N") == 0) {
                        if (!st.have_n)
                                r = prop_components(p, &st, prop, ';', VCARD_N_PARTS, take_n_part);
                        st.have_n = true;
                } else if (strcmp(name, "EMAIL") == 0)
                        r = handle_email(p, &st, prop);
                else if (strcmp(name, "ORG") == 0) {
                        if (!c->org)
                                r = prop_components(p, &st, prop, ';', 1, take_org);
                } else if (strcmp(name, "TEL") == 0)
                        r = handle_tel(p, &st, prop);
                else if (strcmp(name, "NOTE") == 0)
                        r = handle_note(p, &st, prop);
                else if (strcmp(name, "CATEGORIES") == 0)
                        r = prop_components(p, &st, prop, ',', SIZE_MAX, take_category);
                else if (strcmp(name, "UID") == 0) {
                        if (!c->uid)
                                r = prop_text(p, &st, prop, CLEAN_LINE, VCARD_FIELD_MAX, &c->uid, NULL);
                } else if (extension_name_is_valid(name))
                        r = handle_extension(p, &st, prop);
        }
        if (r >= 0 && st.note.len > 0)
                /* again, as a cut may have left a blank at the end */
                r = clean_text(st.note.data, st.note.len, CLEAN_NOTE, VCARD_NOTE_MAX, &c->note, NULL);
        if (r >= 0 && !c->fn)
                r = fn_from_n(c);
        if (r >= 0)
                emails_prefer(c, st.email_pref);
        free(st.email_pref);
        buf_done(&st.note);
        if (r < 0)
                return r;

        if (!c->fn && c->n_emails == 0) {
                warn(p, b->line, "card has no name and no e-mail address; skipped");
                p->result->n_skipped++;
                *ret_card = NULL;
                return 0;
        }

        c->raw_size = b->raw.len;
        c->raw = buf_steal(&b->raw);
        if (!c->raw)
                return -ENOMEM;
        *ret_card = c;
        c = NULL;
        return 0;
}

static int parser_finish_card(Parser *p) {
        CardBuilder *b = &p->stack[--p->depth];
        VCardParseResult *res = p->result;
        VCard *c = NULL;
        int r;

        r = card_interpret(p, b, &c);
        builder_done(b);
        if (r < 0 || !c)
                return r;
        if (res->n_cards % 64 == 0) {
                VCard **nc = realloc(res->cards, (res->n_cards + 64) * sizeof(VCard *));
                if (!nc) {
                        vcard_free(c);
                        return -ENOMEM;
                }
                res->cards = nc;
        }
        res->cards[res->n_cards++] = c;
        return 0;
}

static void set_reason(char *reason, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_reason(char *reason, size_t size, const char *fmt, ...) {
        va_list ap;

        if (!reason || size == 0)
                return;
        va_start(ap, fmt);
        (void) vsnprintf(reason, size, fmt, ap);
        va_end(ap);
        utf8_drop_partial_tail(reason);
}

/* UTF-16 (BOM already seen) to UTF-8; unpaired surrogates and an odd last
 * byte become U+FFFD. */
static int utf16_decode(Buf *out, const unsigned char *d, size_t n, bool big_endian) {
        int r;

        for (size_t i = 0; i < n; i += 2) {
                uint32_t u, cp;

                if (i + 1 >= n) {
                        r = buf_put_cp(out, REPLACEMENT_CHARACTER);
                        if (r < 0)
                                return r;
                        break;
                }
                u = big_endian ? (uint32_t) (d[i] << 8 | d[i + 1]) : (uint32_t) (d[i + 1] << 8 | d[i]);
                cp = u;
                if (u >= 0xD800 && u <= 0xDBFF) {
                        uint32_t lo = 0;
                        if (i + 3 < n)
                                lo = big_endian ? (uint32_t) (d[i + 2] << 8 | d[i + 3]) : (uint32_t) (d[i + 3] << 8 | d[i + 2]);
                        if (lo >= 0xDC00 && lo <= 0xDFFF) {
                                cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                                i += 2;
                        } else
                                cp = REPLACEMENT_CHARACTER;
                } else if (u >= 0xDC00 && u <= 0xDFFF)
                        cp = REPLACEMENT_CHARACTER;
                r = buf_put_cp(out, cp);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_lines(Parser *p, char *reason, size_t reason_size) {
        _cleanup_(buf_done) Buf line = {};
        Logical info;
        PropView v;
        int r;

        while ((r = read_logical(&p->in, &p->cur, &line, &info)) > 0) {
                CardBuilder *top;

                if (!prop_view(line.data, line.len, &v)) {
                        if (p->depth > 0 && p->skip_depth == 0) {
                                char buf[64];
                                warn(p, info.line, "\"%s\" is not a vCard property; ignored",
                                     snippet(line.data, buf, sizeof(buf)));
                        }
                        continue;
                }

                if (span_eq(v.name, v.name_len, "BEGIN")) {
                        const char *val = v.value;
                        size_t vn = v.value_len;

                        span_trim(&val, &vn);
                        if (span_eq(val, vn, "VCALENDAR"))
                                p->seen_calendar = true;
                        if (!span_eq(val, vn, "VCARD"))
                                goto ordinary;
                        if (++p->n_begun > VCARD_CARDS_MAX) {
                                set_reason(reason, reason_size, "more than %u cards in one file", VCARD_CARDS_MAX);
                                return -E2BIG;
                        }
                        if (p->skip_depth > 0 || p->depth == VCARD_NEST_MAX) {
                                if (p->skip_depth++ == 0)
                                        warn(p, info.line, "vCards nested more than %u deep; the inner ones are ignored",
                                             VCARD_NEST_MAX);
                                continue;
                        }
                        top = &p->stack[p->depth++];
                        *top = (CardBuilder) { .line = info.line };
                        r = raw_put(&top->raw, &p->in, info.start, info.end);
                        if (r < 0)
                                return r;
                        continue;
                }

                if (span_eq(v.name, v.name_len, "END")) {
                        const char *val = v.value;
                        size_t vn = v.value_len;

                        span_trim(&val, &vn);
                        if (!span_eq(val, vn, "VCARD"))
                                goto ordinary;
                        if (p->skip_depth > 0) {
                                p->skip_depth--;
                                continue;
                        }
                        if (p->depth == 0) {
                                p->seen_card_property = true;
                                warn(p, info.line, "END:VCARD without BEGIN:VCARD; ignored");
                                continue;
                        }
                        top = &p->stack[p->depth - 1];
                        r = raw_put(&top->raw, &p->in, info.start, info.end);
                        if (r < 0)
                                return r;
                        r = parser_finish_card(p);
                        if (r < 0)
                                return r;
                        continue;
                }

        ordinary:
                if (p->skip_depth > 0)
                        continue;
                if (p->depth == 0) {
                        /* Text around cards (mail headers, notes) is
                         * common and harmless; a bare VERSION or FN is a
                         * sign of a card that lost its BEGIN. */
                        if (span_eq(v.name, v.name_len, "VERSION") || span_eq(v.name, v.name_len, "FN"))
                                p->seen_card_property = true;
                        continue;
                }
                top = &p->stack[p->depth - 1];
                r = builder_add(p, top, &v, info.line);
                if (r < 0)
                        return r;
                r = raw_put(&top->raw, &p->in, info.start, info.end);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;

        while (p->depth > 0) {
                warn(p, p->stack[p->depth - 1].line,
                     "card has no END:VCARD; read up to the end of the file");
                r = parser_finish_card(p);
                if (r < 0)
                        return r;
        }
        return 0;
}

int vcard_parse(const void *data, size_t size, VCardParseResult **ret_result, char *reason, size_t reason_size) {
        _cleanup_(parser_done) Parser p = {};
        _cleanup_(buf_done) Buf decoded = {};
        const unsigned char *d = data;
        const char *nul;
        int r;

        if (!ret_result || (!data && size > 0))
                return -EINVAL;
        if (size > VCARD_FILE_MAX) {
                set_reason(reason, reason_size, "file is larger than %u MiB", VCARD_FILE_MAX / (1024 * 1024));
                return -EFBIG;
        }
        if (size == 0) {
                set_reason(reason, reason_size, "file is empty");
                return -EBADMSG;
        }

        if ((size >= 4 && memcmp(d, "\xFF\xFE\0\0", 4) == 0) || (size >= 4 && memcmp(d, "\0\0\xFE\xFF", 4) == 0)) {
                set_reason(reason, reason_size, "file is UTF-32 text, which is not supported; save it as UTF-8");
                return -EBADMSG;
        }
        if (size >= 2 && ((d[0] == 0xFF && d[1] == 0xFE) || (d[0] == 0xFE && d[1] == 0xFF))) {
                r = utf16_decode(&decoded, d + 2, size - 2, d[0] == 0xFE);
                if (r < 0) {
                        set_reason(reason, reason_size, "out of memory");
                        return r;
                }
                p.in = (Input) { .data = decoded.data ? decoded.data : "", .size = decoded.len };
        } else if (size >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0)
                p.in = (Input) { .data = (const char *) d + 3, .size = size - 3 };
        else
                p.in = (Input) { .data = (const char *) d, .size = size };

        nul = memchr(p.in.data, 0, p.in.size);
        if (nul) {
                size_t at = (size_t) (nul - p.in.data);
                /* "B\0E\0G\0I\0N\0" is UTF-16 that lost its BOM */
                if (p.in.size >= 2 && (p.in.data[0] == 0 || p.in.data[1] == 0))
                        set_reason(reason, reason_size,
                                   "file contains NUL bytes: UTF-16 text without a byte-order mark, "
                                   "or binary data; not a vCard");
                else
                        set_reason(reason, reason_size,
                                   "file contains a NUL byte at offset %zu: binary data, not a vCard", at);
                return -EBADMSG;
        }
        p.in.cr_only = !memchr(p.in.data, '\n', p.in.size) && memchr(p.in.data, '\r', p.in.size) != NULL;

        p.result = calloc(1, sizeof(VCardParseResult));
        if (!p.result) {
                set_reason(reason, reason_size, "out of memory");
                return -ENOMEM;
        }

        r = parse_lines(&p, reason, reason_size);
        if (r == -ENOMEM || (r >= 0 && p.oom)) {
                set_reason(reason, reason_size, "out of memory");
                return -ENOMEM;
        }
        if (r < 0)
                return r;

        if (p.n_begun == 0) {
                if (p.seen_calendar)
                        set_reason(reason, reason_size,
                                   "this is an iCalendar file (BEGIN:VCALENDAR), not a vCard; use netctl import");
                else if (p.seen_card_property)
                        set_reason(reason, reason_size,
                                   "no BEGIN:VCARD line: the file has vCard properties but no card starts");
                else
                        set_reason(reason, reason_size, "no BEGIN:VCARD line found; not a vCard file");
                return -EBADMSG;
        }

        *ret_result = p.result;
        p.result = NULL;
        return 0;
}

VCardParseResult *vcard_parse_result_free(VCardParseResult *result) {
        if (!result)
                return NULL;
        for (size_t i = 0; i < result->n_cards; i++)
                vcard_free(result->cards[i]);
        free(result->cards);
        for (size_t i = 0; i < result->n_warnings; i++)
                free(result->warnings[i]);
        free(result->warnings);
        free(result);
        return NULL;
}

/* ---- cards ---- */

static void strv_free(char **v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

VCard *vcard_free(VCard *c) {
        if (!c)
                return NULL;
        free(c->fn);
        for (size_t i = 0; i < VCARD_N_PARTS; i++)
                free(c->n[i]);
        strv_free(c->emails, c->n_emails);
        free(c->org);
        strv_free(c->tels, c->n_tels);
        free(c->note);
        strv_free(c->categories, c->n_categories);
        free(c->uid);
        for (size_t i = 0; i < c->n_extensions; i++) {
                free(c->extensions[i].name);
                free(c->extensions[i].value);
        }
        free(c->extensions);
        free(c->raw);
        free(c);
        return NULL;
}

int vcard_new(VCard **ret_card) {
        VCard *c;

        if (!ret_card)
                return -EINVAL;
        c = calloc(1, sizeof(VCard));
        if (!c)
                return -ENOMEM;
        c->version = VCARD_VERSION_40;
        *ret_card = c;
        return 0;
}

int vcard_add_email(VCard *card, const char *address) {
        char *copy;
        int r;

        if (!card || !vcard_email_is_valid(address))
                return -EINVAL;
        if (strv_contains_case(card->emails, card->n_emails, address))
                return -EEXIST;
        if (card->n_emails >= VCARD_EMAILS_MAX)
                return -E2BIG;
        copy = strdup(address);
        if (!copy)
                return -ENOMEM;
        r = strv_push(&card->emails, &card->n_emails, copy);
        if (r < 0)
                free(copy);
        return r;
}

const char *vcard_get_extension(const VCard *card, const char *name) {
        if (!card || !name)
                return NULL;
        for (size_t i = 0; i < card->n_extensions; i++)
                if (span_eq(card->extensions[i].name, strlen(card->extensions[i].name), name))
                        return card->extensions[i].value;
        return NULL;
}

int vcard_set_extension(VCard *card, const char *name, const char *value) {
        _cleanup_free_ char *n = NULL, *v = NULL;
        size_t kept = 0;
        bool replaced = false;

        if (!card || !extension_name_is_valid(name))
                return -EINVAL;
        if (value && (strlen(value) > VCARD_NOTE_MAX || !utf8_is_valid(value, strlen(value))))
                return -EINVAL;

        if (value) {
                n = strdup(name);
                v = strdup(value);
                if (!n || !v)
                        return -ENOMEM;
                for (char *c = n; *c; c++)
                        *c = ascii_toupper(*c);
        }

        /* Replace the first, drop any others of that name. */
        for (size_t i = 0; i < card->n_extensions; i++) {
                VCardExtension *e = &card->extensions[i];

                if (span_eq(e->name, strlen(e->name), name)) {
                        if (v && !replaced) {
                                free(e->value);
                                e->value = v;
                                v = NULL;
                                replaced = true;
                                card->extensions[kept++] = *e;
                        } else {
                                free(e->name);
                                free(e->value);
                        }
                        continue;
                }
                card->extensions[kept++] = *e;
        }
        card->n_extensions = kept;
        if (!v)
                return 0;

        if (card->n_extensions >= VCARD_LIST_MAX)
                return -E2BIG;
        VCardExtension *ne = realloc(card->extensions, (card->n_extensions + 1) * sizeof(VCardExtension));
        if (!ne)
                return -ENOMEM;
        card->extensions = ne;
        card->extensions[card->n_extensions++] = (VCardExtension) { .name = n, .value = v };
        n = v = NULL;
        return 0;
}

/* ---- writer ---- */

/* Appends s escaped as a 4.0 text value.  -EINVAL for text netctl never
 * stores (invalid UTF-8, control characters but TAB and newline). */
static int put_escaped(Buf *line, const char *s) {
        size_t n;
        uint32_t cp;
        int r;

        if (!s)
                return 0;
        n = strlen(s);
        for (size_t i = 0; i < n;) {
                size_t l = utf8_valid_at(s + i, n - i, &cp);

                if (l == 0)
                        return -EINVAL;
                if (cp == '\\' || cp == ',' || cp == ';')
                        r = buf_put(line, (char[]) { '\\', (char) cp }, 2);
                else if (cp == '\n')
                        r = buf_put(line, "\\n", 2);
                else if (cp == '\r')
                        r = 0;          /* CRLF from a text box: the LF is enough */
                else if ((cp < 0x20 && cp != '\t') || cp == 0x7F)
                        return -EINVAL;
                else
                        r = buf_put(line, s + i, l);
                if (r < 0)
                        return r;
                i += l;
        }
        return 0;
}

/* Appends one content line folded at 75 octets (RFC 6350 3.2), never
 * inside a UTF-8 sequence. */
static int put_folded(Buf *out, const char *s, size_t n) {
        size_t limit = 75;
        int r;

        while (n > limit) {
                size_t cut = utf8_cut(s, n, limit);
                if (cut == 0)
                        cut = limit;    /* cannot happen with valid UTF-8 */
                r = buf_put(out, s, cut);
                if (r >= 0)
                        r = buf_put(out, "\r\n ", 3);
                if (r < 0)
                        return r;
                s += cut;
                n -= cut;
                limit = 74;             /* the leading space counts */
        }
        r = buf_put(out, s, n);
        if (r >= 0)
                r = buf_put(out, "\r\n", 2);
        return r;
}

static int emit_line(Buf *out, Buf *line) {
        int r = put_folded(out, line->data ? line->data : "", line->len);
        buf_clear(line);
        return r;
}

static int emit_text(Buf *out, Buf *line, const char *prefix, const char *value) {
        int r;

        r = buf_puts(line, prefix);
        if (r >= 0)
                r = put_escaped(line, value);
        if (r >= 0)
                r = emit_line(out, line);
        return r;
}

static bool is_nonempty(const char *s) {
        return s && s[0];
}

/* Whether write_unknown leaves a property to the modelled fields or
 * drops it as meaningless in 4.0. */
static bool name_is_modelled(const char *s, size_t n) {
        static const char *const names[] = {
                "BEGIN", "END", "VERSION", "FN", "N", "EMAIL", "ORG", "TEL",
                "NOTE", "CATEGORIES", "UID", "PRODID", "REV",
        };

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (span_eq(s, n, names[i]))
                        return true;
        return span_has_prefix(s, n, "X-NETCTL-");
}

static bool name_is_v3_only(const char *s, size_t n) {
        static const char *const names[] = {
                "LABEL", "AGENT", "CLASS", "NAME", "MAILER", "PROFILE", "SORT-STRING",
        };

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (span_eq(s, n, names[i]))
                        return true;
        return false;
}

/* Copies the parameters but CHARSET (4.0 is UTF-8 only); false when one
 * is ENCODING (inline binary in 3.0 form, which 4.0 writes as data: URIs). */
static int put_params_for_v4(Buf *line, const char *s, size_t n, bool *ret_binary) {
        size_t start = 0;
        bool quoted = false;
        int r;

        *ret_binary = false;
        for (size_t i = 0; i <= n; i++) {
                if (i < n && s[i] == '"')
                        quoted = !quoted;
                if (i == n || (s[i] == ';' && !quoted)) {
                        const char *t = s + start;
                        size_t tn = i - start;

                        start = i + 1;
                        span_trim(&t, &tn);
                        if (tn == 0 || span_has_prefix(t, tn, "CHARSET="))
                                continue;
                        if (span_has_prefix(t, tn, "ENCODING=")) {
                                *ret_binary = true;
                                return 0;
                        }
                        r = buf_putc(line, ';');
                        if (r >= 0)
                                r = buf_put(line, t, tn);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int write_unknown(Buf *out, Buf *line, const VCard *card) {
        Input in;
        Cursor cur = {};
        _cleanup_(buf_done) Buf l = {};
        Logical info;
        PropView v;
        unsigned depth = 0;
        int r;

        if (!card->raw || (card->version != VCARD_VERSION_30 && card->version != VCARD_VERSION_40))
                return 0;
        in = (Input) { .data = card->raw, .size = card->raw_size };

        while ((r = read_logical(&in, &cur, &l, &info)) > 0) {
                bool binary;

                if (!prop_view(l.data, l.len, &v))
                        continue;
                if (span_eq(v.name, v.name_len, "BEGIN"))
                        depth++;
                else if (span_eq(v.name, v.name_len, "END") && depth > 0)
                        depth--;
                if (depth != 1 || name_is_modelled(v.name, v.name_len))
                        continue;
                if (card->version == VCARD_VERSION_30 && name_is_v3_only(v.name, v.name_len))
                        continue;
                if (!utf8_is_valid(l.data, l.len))
                        continue;       /* raw is valid UTF-8; a caller's may not be */

                buf_clear(line);
                if (v.group) {
                        r = buf_put(line, v.group, v.group_len);
                        if (r >= 0)
                                r = buf_putc(line, '.');
                        if (r < 0)
                                return r;
                }
                r = buf_put(line, v.name, v.name_len);
                if (r >= 0)
                        r = put_params_for_v4(line, v.params, v.params_len, &binary);
                if (r < 0)
                        return r;
                if (binary) {
                        buf_clear(line);
                        continue;
                }
                r = buf_putc(line, ':');
                if (r >= 0)
                        r = buf_put(line, v.value, v.value_len);
                if (r >= 0)
                        r = emit_line(out, line);
                if (r < 0)
                        return r;
        }
        return r;
}

int vcard_write_v4(const VCard *card, unsigned flags, char **ret_text, size_t *ret_size) {
        _cleanup_(buf_done) Buf out = {}, line = {};
        bool any_n = false;
        size_t size;
        int r;

        if (!card || !ret_text)
                return -EINVAL;

        r = buf_puts(&out, "BEGIN:VCARD\r\nVERSION:4.0\r\n");
        if (r < 0)
                return r;
        if (is_nonempty(card->uid)) {
                r = emit_text(&out, &line, "UID:", card->uid);
                if (r < 0)
                        return r;
        }
        /* 4.0 requires FN; an empty one reads back as "no name". */
        r = emit_text(&out, &line, "FN:", card->fn);
        if (r < 0)
                return r;

        for (size_t i = 0; i < VCARD_N_PARTS; i++)
                any_n = any_n || is_nonempty(card->n[i]);
        if (any_n) {
                r = buf_puts(&line, "N:");
                for (size_t i = 0; i < VCARD_N_PARTS && r >= 0; i++) {
                        if (i > 0)
                                r = buf_putc(&line, ';');
                        if (r >= 0)
                                r = put_escaped(&line, card->n[i]);
                }
                if (r >= 0)
                        r = emit_line(&out, &line);
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < card->n_emails; i++) {
                if (!vcard_email_is_valid(card->emails[i]))
                        return -EINVAL;
                r = emit_text(&out, &line, i == 0 && card->n_emails > 1 ? "EMAIL;PREF=1:" : "EMAIL:", card->emails[i]);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < card->n_tels; i++)
                if (is_nonempty(card->tels[i])) {
                        r = emit_text(&out, &line, "TEL:", card->tels[i]);
                        if (r < 0)
                                return r;
                }
        if (is_nonempty(card->org)) {
                r = emit_text(&out, &line, "ORG:", card->org);
                if (r < 0)
                        return r;
        }
        if (card->n_categories > 0) {
                bool first = true;

                r = buf_puts(&line, "CATEGORIES:");
                for (size_t i = 0; i < card->n_categories && r >= 0; i++) {
                        if (!is_nonempty(card->categories[i]))
                                continue;
                        if (!first)
                                r = buf_putc(&line, ',');
                        if (r >= 0)
                                r = put_escaped(&line, card->categories[i]);
                        first = false;
                }
                if (r >= 0 && !first)
                        r = emit_line(&out, &line);
                buf_clear(&line);
                if (r < 0)
                        return r;
        }
        if (is_nonempty(card->note)) {
                r = emit_text(&out, &line, "NOTE:", card->note);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < card->n_extensions; i++) {
                const VCardExtension *e = &card->extensions[i];

                if (!extension_name_is_valid(e->name))
                        return -EINVAL;
                if (!is_nonempty(e->value))
                        continue;
                r = buf_puts(&line, e->name);
                if (r >= 0)
                        r = emit_text(&out, &line, ":", e->value);
                if (r < 0)
                        return r;
        }
        if (flags & VCARD_WRITE_UNKNOWN) {
                r = write_unknown(&out, &line, card);
                if (r < 0)
                        return r;
        }
        r = buf_puts(&out, "END:VCARD\r\n");
        if (r < 0)
                return r;

        size = out.len;
        *ret_text = buf_steal(&out);
        if (ret_size)
                *ret_size = size;
        return 0;
}
