/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <time.h>

#include "json.h"

void json_init(JsonWriter *w, FILE *out) {
        *w = (JsonWriter) { .out = out };
        w->first[0] = true;
}

/* Called before every value: a comma unless this is the first item of its
 * container or the value of a key just written. */
static void json_separate(JsonWriter *w) {
        if (w->after_key) {
                w->after_key = false;
                return;
        }
        if (!w->first[w->depth])
                fputc_unlocked(',', w->out);
        w->first[w->depth] = false;
}

static void json_open(JsonWriter *w, char c) {
        json_separate(w);
        fputc_unlocked(c, w->out);
        if (w->depth + 1 < JSON_MAX_DEPTH)
                w->depth++;
        w->first[w->depth] = true;
}

static void json_close(JsonWriter *w, char c) {
        fputc_unlocked(c, w->out);
        if (w->depth > 0)
                w->depth--;
}

void json_begin_object(JsonWriter *w) { json_open(w, '{'); }
void json_end_object(JsonWriter *w) { json_close(w, '}'); }
void json_begin_array(JsonWriter *w) { json_open(w, '['); }
void json_end_array(JsonWriter *w) { json_close(w, ']'); }

/* The writer is single-threaded: the _unlocked calls skip stdio's lock
 * per character, and runs that need no escaping go out in one write (a
 * 10,000-item list spent most of its time in fputc otherwise). */
static void json_quoted(FILE *out, const char *s) {
        const unsigned char *p = (const unsigned char *) s, *run = p;

        fputc_unlocked('"', out);
        for (; *p; p++) {
                const char *esc;
                switch (*p) {
                case '"':  esc = "\\\""; break;
                case '\\': esc = "\\\\"; break;
                case '\n': esc = "\\n"; break;
                case '\r': esc = "\\r"; break;
                case '\t': esc = "\\t"; break;
                default:
                        if (*p >= 0x20 && *p != 0x7F)
                                continue;
                        esc = NULL;
                }
                fwrite_unlocked(run, 1, (size_t) (p - run), out);
                run = p + 1;
                if (esc)
                        fputs_unlocked(esc, out);
                else
                        fprintf(out, "\\u%04x", *p);
        }
        fwrite_unlocked(run, 1, (size_t) (p - run), out);
        fputc_unlocked('"', out);
}

void json_key(JsonWriter *w, const char *key) {
        json_separate(w);
        json_quoted(w->out, key);
        fputc_unlocked(':', w->out);
        w->after_key = true;
}

void json_string(JsonWriter *w, const char *s) {
        if (!s) {
                json_null(w);
                return;
        }
        json_separate(w);
        json_quoted(w->out, s);
}

void json_int(JsonWriter *w, int64_t v) {
        json_separate(w);
        fprintf(w->out, "%" PRId64, v);
}

void json_uint(JsonWriter *w, uint64_t v) {
        json_separate(w);
        fprintf(w->out, "%" PRIu64, v);
}

void json_bool(JsonWriter *w, bool v) {
        json_separate(w);
        fputs_unlocked(v ? "true" : "false", w->out);
}

void json_null(JsonWriter *w) {
        json_separate(w);
        fputs_unlocked("null", w->out);
}

void json_time_utc(JsonWriter *w, int64_t t) {
        char buf[32];
        struct tm tm;
        time_t tt = (time_t) t;

        if (t == 0 || !gmtime_r(&tt, &tm)) {
                json_null(w);
                return;
        }
        strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
        json_string(w, buf);
}

void json_time_local(JsonWriter *w, int64_t t) {
        char buf[40];
        struct tm tm;
        time_t tt = (time_t) t;

        if (t == 0 || !localtime_r(&tt, &tm)) {
                json_null(w);
                return;
        }
        size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
        /* strftime gives +0100; RFC 3339 wants +01:00. */
        if (n >= 5 && n + 1 < sizeof buf) {
                buf[n + 1] = '\0';
                buf[n] = buf[n - 1];
                buf[n - 1] = buf[n - 2];
                buf[n - 2] = ':';
        }
        json_string(w, buf);
}

void json_finish(JsonWriter *w) {
        fputc('\n', w->out);
        fflush(w->out);
}
