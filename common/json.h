/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* A small streaming JSON writer for the client's --json output.  It writes
 * compact JSON; the caller opens and closes containers in order, and the
 * writer places commas.  Strings must be valid UTF-8 (everything the daemon
 * sends is validated); they are escaped per RFC 8259.
 *
 * Output collects in the writer's own buffer and goes to `out` when that
 * fills and at json_finish(): a 10,000-item list is 3 MB written a few
 * bytes at a time, and stdio's per-call cost was most of the client's.
 * Nothing else may write to `out` between json_init() and json_finish();
 * a document abandoned before json_finish() is not written whole. */

#define JSON_MAX_DEPTH 16
#define JSON_BUFFER_SIZE (64 * 1024)

typedef struct JsonWriter {
        FILE *out;
        unsigned depth;
        bool first[JSON_MAX_DEPTH];
        bool after_key;
        size_t used;
        char buffer[JSON_BUFFER_SIZE];
} JsonWriter;

void json_init(JsonWriter *w, FILE *out);
void json_begin_object(JsonWriter *w);
void json_end_object(JsonWriter *w);
void json_begin_array(JsonWriter *w);
void json_end_array(JsonWriter *w);
void json_key(JsonWriter *w, const char *key);
void json_string(JsonWriter *w, const char *s);     /* NULL writes null */
void json_int(JsonWriter *w, int64_t v);
void json_uint(JsonWriter *w, uint64_t v);
void json_bool(JsonWriter *w, bool v);
void json_null(JsonWriter *w);
/* An instant as "2026-11-25T16:34:00Z", or null when 0. */
void json_time_utc(JsonWriter *w, int64_t t);
/* An instant in local time with its offset, "2026-11-25T17:34:00+01:00". */
void json_time_local(JsonWriter *w, int64_t t);
/* Ends the document with a newline and writes out what is buffered. */
void json_finish(JsonWriter *w);
