/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* A small streaming JSON writer for the client's --json output.  It writes
 * compact JSON; the caller opens and closes containers in order, and the
 * writer places commas.  Strings must be valid UTF-8 (everything the daemon
 * sends is validated); they are escaped per RFC 8259. */

#define JSON_MAX_DEPTH 16

typedef struct JsonWriter {
        FILE *out;
        unsigned depth;
        bool first[JSON_MAX_DEPTH];
        bool after_key;
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
/* Ends the document with a newline. */
void json_finish(JsonWriter *w);
