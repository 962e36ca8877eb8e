/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Follow-up rows: the format of the sealed memfd that
 * org.netctl.Netctl1.Followups.ListMemfd returns.  A 10,000-item List reply
 * is 1.8 MB that sd-bus writes field by field, dbus-daemon validates and
 * relays, and sd-bus reads field by field again; this format is written
 * and read with memcpy, and only the file descriptor crosses the bus.
 *
 * Layout (netctld(8) documents it for other clients):
 *   the 8 bytes FOLLOWUP_ROWS_MAGIC, then one record per follow-up, in the
 *   order List gives, back to back without padding:
 *     u64 id, s64 due, s64 done_at, u64 every, s64 notified_at
 *       (little-endian; times Unix seconds, UTC; 0 means unset),
 *     u8 every_fixed (0 or 1),
 *     then uid, text, kind and contact (the handle, "" for none), each
 *       UTF-8 and ended by one NUL byte.
 * The same fields as NETCTL_FOLLOWUP_SIG, in a different order.
 *
 * Followups.ListStream sends the same through a pipe, and after the last
 * record a trailer, since its reply goes out before the list is walked:
 *     u64 0 (an id no follow-up has), s64 status (0: the list is whole;
 *     else a negative errno), then the error's bus name and a sentence for
 *     the user, each UTF-8 ended by a NUL byte ("" and "" when whole).
 * A stream that ends without a trailer was cut short. */

#define FOLLOWUP_ROWS_MAGIC "NCTLFR1\n"
#define FOLLOWUP_ROWS_MAGIC_SIZE 8
/* The fixed part of a record: five 64-bit integers and the flag byte. */
#define FOLLOWUP_ROW_FIXED_SIZE (5 * 8 + 1)

/* One follow-up as the client shows it.  The strings belong to whoever
 * filled the row (the reply message or the mapped rows); contact is ""
 * when there is none. */
typedef struct FollowupRow {
        uint64_t id;
        const char *uid;
        const char *text;
        const char *kind;
        int64_t due;
        int64_t done_at;
        uint64_t every;
        int every_fixed;
        int64_t notified_at;
        const char *contact;
} FollowupRow;

/* A growing buffer that rows are encoded into. */
typedef struct FollowupRowsBuffer {
        char *data;
        size_t size;
        size_t allocated;
} FollowupRowsBuffer;

/* Starts a buffer with the magic.  Returns 0 or -ENOMEM. */
int followup_rows_buffer_init(FollowupRowsBuffer *b);
/* Appends one record.  Strings are copied up to their NUL (NULL is taken
 * as ""); the caller has checked they are valid UTF-8.  Returns 0 or
 * -ENOMEM (the buffer is left as it was). */
int followup_rows_append(FollowupRowsBuffer *b, const FollowupRow *row);
/* Appends ListStream's trailer.  Returns 0 or -ENOMEM. */
int followup_rows_append_end(FollowupRowsBuffer *b, int64_t status, const char *error_name,
                             const char *message);
/* Frees the data; accepts a zeroed buffer. */
void followup_rows_buffer_free(FollowupRowsBuffer *b);

/* Checks the magic at the start of data[0..size) and returns where the
 * first record starts, or NULL when it is not follow-up rows. */
const char *followup_rows_begin(const char *data, size_t size);
/* Decodes the record at *p (before end) into *ret, whose strings then
 * point into the data, and moves *p past it.  Returns 1 for a row, 0 at
 * the end, -EBADMSG for a truncated or malformed record (*ret and *p
 * untouched). */
int followup_rows_next(const char **p, const char *end, FollowupRow *ret);

/* How a stream ended: the trailer's fields, the strings pointing into the
 * data. */
typedef struct FollowupRowsEnd {
        int64_t status;
        const char *error_name;
        const char *message;
} FollowupRowsEnd;

/* As followup_rows_next(), for data that is still arriving: returns 1 and
 * a row, 2 and the trailer in *ret_end, 0 when [*p, end) holds no whole
 * record yet (read more), -EBADMSG for a malformed record. */
int followup_rows_next_streamed(const char **p, const char *end, FollowupRow *ret,
                                FollowupRowsEnd *ret_end);
