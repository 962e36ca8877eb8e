/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "json.h"

void json_init(JsonWriter *w, FILE *out) {
        w->out = out;
        w->depth = 0;
        w->first[0] = true;
        w->after_key = false;
        w->used = 0;
}

static void json_flush(JsonWriter *w) {
        if (w->used > 0)
                fwrite_unlocked(w->buffer, 1, w->used, w->out);
        w->used = 0;
}

static void json_put(JsonWriter *w, const char *s, size_t n) {
        if (n > sizeof w->buffer - w->used) {
                json_flush(w);
                if (n > sizeof w->buffer) {
                        fwrite_unlocked(s, 1, n, w->out);
                        return;
                }
        }
        memcpy(w->buffer + w->used, s, n);
        w->used += n;
}

static void json_putc(JsonWriter *w, char c) {
        if (w->used == sizeof w->buffer)
                json_flush(w);
        w->buffer[w->used++] = c;
}

/* Called before every value: a comma unless this is the first item of its
 * container or the value of a key just written. */
static void json_separate(JsonWriter *w) {
        if (w->after_key) {
                w->after_key = false;
                return;
        }
        if (!w->first[w->depth])
                json_putc(w, ',');
        w->first[w->depth] = false;
}

static void json_open(JsonWriter *w, char c) {
        json_separate(w);
        json_putc(w, c);
        if (w->depth + 1 < JSON_MAX_DEPTH)
                w->depth++;
        w->first[w->depth] = true;
}

static void json_close(JsonWriter *w, char c) {
        json_putc(w, c);
        if (w->depth > 0)
                w->depth--;
}

void json_begin_object(JsonWriter *w) { json_open(w, '{'); }
void json_end_object(JsonWriter *w) { json_close(w, '}'); }
void json_begin_array(JsonWriter *w) { json_open(w, '['); }
void json_end_array(JsonWriter *w) { json_close(w, ']'); }

/* Bytes that cannot appear in a JSON string as they are: the C0 controls,
 * DEL (escaped too, so that a terminal shows nothing odd), '"' and '\\'. */
static const bool json_needs_escape[256] = {
        [0x00 ... 0x1F] = true, ['"'] = true, ['\\'] = true, [0x7F] = true,
};

/* Runs that need no escaping go out in one copy; a string that needs none
 * (nearly all) goes out with its quotes in one. */
static void json_quoted(JsonWriter *w, const char *s) {
        const unsigned char *p = (const unsigned char *) s, *run = p;

        while (*p && !json_needs_escape[*p])
                p++;
        if (!*p) {
                size_t n = (size_t) (p - run);
                if (n + 2 <= sizeof w->buffer - w->used) {
                        char *out = w->buffer + w->used;
                        out[0] = '"';
                        memcpy(out + 1, run, n);
                        out[n + 1] = '"';
                        w->used += n + 2;
                        return;
                }
        }

        json_putc(w, '"');
        for (; *p; p++) {
                if (!json_needs_escape[*p])
                        continue;
                json_put(w, (const char *) run, (size_t) (p - run));
                run = p + 1;
                switch (*p) {
                case '"':  json_put(w, "\\\"", 2); break;
                case '\\': json_put(w, "\\\\", 2); break;
                case '\n': json_put(w, "\\n", 2); break;
                case '\r': json_put(w, "\\r", 2); break;
                case '\t': json_put(w, "\\t", 2); break;
                default: {
                        char esc[8];
                        snprintf(esc, sizeof esc, "\\u%04x", *p);
                        json_put(w, esc, 6);
                }
                }
        }
        json_put(w, (const char *) run, (size_t) (p - run));
        json_putc(w, '"');
}

void json_key(JsonWriter *w, const char *key) {
        json_separate(w);
        json_quoted(w, key);
        json_putc(w, ':');
        w->after_key = true;
}

void json_string(JsonWriter *w, const char *s) {
        if (!s) {
                json_null(w);
                return;
        }
        json_separate(w);
        json_quoted(w, s);
}

/* The decimal digits of v, written backwards from end; returns the start. */
static char *format_decimal(char *end, uint64_t v) {
        do {
                *--end = (char) ('0' + v % 10);
                v /= 10;
        } while (v > 0);
        return end;
}

void json_int(JsonWriter *w, int64_t v) {
        char buf[24], *end = buf + sizeof buf, *start;

        json_separate(w);
        /* The magnitude as unsigned, so that INT64_MIN does not overflow. */
        start = format_decimal(end, v < 0 ? -(uint64_t) v : (uint64_t) v);
        if (v < 0)
                *--start = '-';
        json_put(w, start, (size_t) (end - start));
}

void json_uint(JsonWriter *w, uint64_t v) {
        char buf[24], *end = buf + sizeof buf, *start;

        json_separate(w);
        start = format_decimal(end, v);
        json_put(w, start, (size_t) (end - start));
}

void json_bool(JsonWriter *w, bool v) {
        json_separate(w);
        if (v)
                json_put(w, "true", 4);
        else
                json_put(w, "false", 5);
}

void json_null(JsonWriter *w) {
        json_separate(w);
        json_put(w, "null", 4);
}

static void put_digits(char *p, unsigned v, unsigned n) {
        while (n-- > 0) {
                p[n] = (char) ('0' + v % 10);
                v /= 10;
        }
}

/* "YYYY-MM-DDTHH:MM:SS" from a broken-down time, as strftime's
 * "%Y-%m-%dT%H:%M:%S" writes it for the years 0 to 9999; false for other
 * years, which are left to strftime.  strftime was the largest single cost
 * of a long list. */
static bool format_iso_fields(const struct tm *tm, char buf[static 19]) {
        int year = tm->tm_year + 1900;
        if (year < 0 || year > 9999)
                return false;
        put_digits(buf, (unsigned) year, 4);
        buf[4] = '-';
        put_digits(buf + 5, (unsigned) tm->tm_mon + 1, 2);
        buf[7] = '-';
        put_digits(buf + 8, (unsigned) tm->tm_mday, 2);
        buf[10] = 'T';
        put_digits(buf + 11, (unsigned) tm->tm_hour, 2);
        buf[13] = ':';
        put_digits(buf + 14, (unsigned) tm->tm_min, 2);
        buf[16] = ':';
        put_digits(buf + 17, (unsigned) tm->tm_sec, 2);
        return true;
}

/* Fills the date and time fields of *tm for t in UTC without gmtime_r,
 * for the instants from 1970 to 9999 (Howard Hinnant's days-to-civil
 * algorithm); false outside them. */
static bool utc_fields(int64_t t, struct tm *tm) {
        if (t < 0 || t > INT64_C(253402300799))
                return false;
        int64_t days = t / 86400, secs = t % 86400;
        int64_t z = days + 719468, era = z / 146097;
        int64_t doe = z - era * 146097;
        int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int64_t mp = (5 * doy + 2) / 153;
        int64_t day = doy - (153 * mp + 2) / 5 + 1;
        int64_t month = mp < 10 ? mp + 3 : mp - 9;
        int64_t year = yoe + era * 400 + (month <= 2);
        tm->tm_year = (int) (year - 1900);
        tm->tm_mon = (int) (month - 1);
        tm->tm_mday = (int) day;
        tm->tm_hour = (int) (secs / 3600);
        tm->tm_min = (int) (secs / 60 % 60);
        tm->tm_sec = (int) (secs % 60);
        return true;
}

void json_time_utc(JsonWriter *w, int64_t t) {
        char buf[32];
        struct tm tm;
        time_t tt = (time_t) t;

        if (t == 0 || (!utc_fields(t, &tm) && !gmtime_r(&tt, &tm))) {
                json_null(w);
                return;
        }
        json_separate(w);
        json_putc(w, '"');
        if (format_iso_fields(&tm, buf)) {
                buf[19] = 'Z';
                json_put(w, buf, 20);
        } else
                json_put(w, buf, strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm));
        json_putc(w, '"');
}

void json_time_local(JsonWriter *w, int64_t t) {
        char buf[40];
        struct tm tm;
        time_t tt = (time_t) t;
        size_t n;

        if (t == 0 || !localtime_r(&tt, &tm)) {
                json_null(w);
                return;
        }
        if (format_iso_fields(&tm, buf)) {
                /* strftime's %z: the offset's sign, then its whole hours and
                 * minutes (seconds dropped), as +hhmm. */
                long offset = tm.tm_gmtoff;
                buf[19] = offset < 0 ? '-' : '+';
                if (offset < 0)
                        offset = -offset;
                offset /= 60;
                put_digits(buf + 20, (unsigned) ((offset / 60) * 100 + offset % 60), 4);
                n = 24;
        } else
                n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
        /* strftime gives +0100; RFC 3339 wants +01:00. */
        if (n >= 5 && n + 1 < sizeof buf) {
                buf[n + 1] = '\0';
                buf[n] = buf[n - 1];
                buf[n - 1] = buf[n - 2];
                buf[n - 2] = ':';
                n++;
        }
        json_separate(w);
        json_putc(w, '"');
        json_put(w, buf, n);
        json_putc(w, '"');
}

void json_finish(JsonWriter *w) {
        json_putc(w, '\n');
        json_flush(w);
        fflush(w->out);
}
