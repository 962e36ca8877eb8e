/* SPDX-License-Identifier: MIT */
#pragma once

/* The D-Bus wire format, as much of it as one method call on netctld's
 * direct socket needs (quick-add.c), for a client that must not load
 * libsystemd: writing a METHOD_CALL with basic-typed arguments and a{sv},
 * and reading the METHOD_RETURN or ERROR that answers it.  Everything
 * else about D-Bus (the session bus, file descriptors, signals) is
 * sd-bus's, in the rest of the client.
 *
 * Little-endian messages are written; messages of either byte order are
 * read.  Everything read is checked against its sizes: a reply comes from
 * another process. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The client's half of the SASL handshake in one piece: a NUL, AUTH
 * EXTERNAL with `uid` (hex of its decimal digits), and BEGIN behind it,
 * which sd-bus servers read at once.  Returns its length (under 64). */
size_t wire_auth_external(uint32_t uid, char buf[static 64]);

/* A message being written.  Functions that add to it record the first
 * error (-ENOMEM, or -E2BIG past WIRE_MESSAGE_MAX) and do nothing after;
 * wire_message_end() returns it. */
typedef struct WireWriter {
        uint8_t *data;
        size_t size, allocated;
        size_t body_start;              /* offset of the body */
        size_t array_start;             /* of the open array's first element */
        size_t array_length_at;         /* of the open array's length */
        int error;
} WireWriter;

/* Longest message either way: far above one call's needs, and a bound on
 * what a reply may make us allocate. */
#define WIRE_MESSAGE_MAX (1U << 20)

/* Starts a METHOD_CALL (a reply expected) with these header fields. */
void wire_call_begin(WireWriter *w, uint32_t serial, const char *path, const char *interface,
                     const char *member, const char *signature);
void wire_append_string(WireWriter *w, const char *s);
void wire_append_int64(WireWriter *w, int64_t v);
/* An a{sv}: begin, then entries, then end.  Not nested. */
void wire_dict_begin(WireWriter *w);
void wire_dict_append_uint64(WireWriter *w, const char *key, uint64_t v);
void wire_dict_append_bool(WireWriter *w, const char *key, bool v);
void wire_dict_append_string(WireWriter *w, const char *key, const char *v);
void wire_dict_end(WireWriter *w);
/* Sets the body's length; returns 0 or the first error. */
int wire_message_end(WireWriter *w);
void wire_writer_free(WireWriter *w);

enum {
        WIRE_METHOD_CALL = 1,
        WIRE_METHOD_RETURN = 2,
        WIRE_ERROR = 3,
        WIRE_SIGNAL = 4,
};

/* A message read; the pointers point into the bytes it was read from. */
typedef struct WireMessage {
        uint8_t type;
        bool big_endian;
        uint32_t serial;
        uint32_t reply_serial;          /* 0: none */
        const char *error_name;         /* NULL: none */
        const char *signature;          /* "" when the body is empty */
        const uint8_t *body;
        size_t body_size;
        size_t body_offset;             /* of body[0] in the message, for alignment */
} WireMessage;

/* How long the message at the start of `data` is, once its first 16 bytes
 * are there: returns 0 and sets *ret_size; -EAGAIN when fewer than 16
 * bytes are given; -EBADMSG for a header no D-Bus peer writes, or a
 * message longer than WIRE_MESSAGE_MAX. */
int wire_message_size(const uint8_t *data, size_t size, size_t *ret_size);

/* Reads the whole message in data[0..size) (size as wire_message_size
 * said).  Returns 0, or -EBADMSG naming nothing more: the caller says the
 * reply was not understood. */
int wire_message_parse(const uint8_t *data, size_t size, WireMessage *ret);

/* The body's first value, when the signature starts with its type:
 * returns 0, or -EBADMSG. */
int wire_body_read_uint64(const WireMessage *m, uint64_t *ret);
int wire_body_read_string(const WireMessage *m, const char **ret);
