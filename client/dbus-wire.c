/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbus-wire.h"

/* The header fields this file writes or reads (D-Bus specification,
 * "Header Fields"). */
enum {
        FIELD_PATH = 1,
        FIELD_INTERFACE = 2,
        FIELD_MEMBER = 3,
        FIELD_ERROR_NAME = 4,
        FIELD_REPLY_SERIAL = 5,
        FIELD_SIGNATURE = 8,
};

/* The fixed part of every header: endianness, type, flags, version, body
 * length, serial, and the length of the header fields' array. */
#define FIXED_HEADER_SIZE 16

size_t wire_auth_external(uint32_t uid, char buf[static 64]) {
        static const char hex[] = "0123456789abcdef";
        char digits[16];
        int n = snprintf(digits, sizeof digits, "%" PRIu32, uid);
        size_t at = 0;

        buf[at++] = '\0';
        memcpy(buf + at, "AUTH EXTERNAL ", 14);
        at += 14;
        for (int i = 0; i < n; i++) {
                buf[at++] = hex[(unsigned char) digits[i] >> 4];
                buf[at++] = hex[(unsigned char) digits[i] & 0xf];
        }
        memcpy(buf + at, "\r\nBEGIN\r\n", 9);
        return at + 9;
}

static size_t align_up(size_t n, size_t align) {
        return (n + align - 1) & ~(align - 1);
}

static void put(WireWriter *w, const void *p, size_t n) {
        if (w->error)
                return;
        if (w->size + n > WIRE_MESSAGE_MAX) {
                w->error = -E2BIG;
                return;
        }
        if (w->size + n > w->allocated) {
                size_t want = w->allocated ? w->allocated * 2 : 512;
                while (want < w->size + n)
                        want *= 2;
                uint8_t *grown = realloc(w->data, want);
                if (!grown) {
                        w->error = -ENOMEM;
                        return;
                }
                w->data = grown;
                w->allocated = want;
        }
        memcpy(w->data + w->size, p, n);
        w->size += n;
}

static void put_byte(WireWriter *w, uint8_t b) {
        put(w, &b, 1);
}

/* Zeros up to the next multiple of `align`, which marshalling counts from
 * the start of the message. */
static void pad(WireWriter *w, size_t align) {
        static const uint8_t zeros[8];
        put(w, zeros, align_up(w->size, align) - w->size);
}

static void set_u32(WireWriter *w, size_t at, uint32_t v) {
        if (w->error)
                return;
        for (int i = 0; i < 4; i++)
                w->data[at + i] = (uint8_t) (v >> (8 * i));
}

static void put_u32(WireWriter *w, uint32_t v) {
        uint8_t b[4];
        pad(w, 4);
        for (int i = 0; i < 4; i++)
                b[i] = (uint8_t) (v >> (8 * i));
        put(w, b, sizeof b);
}

static void put_u64(WireWriter *w, uint64_t v) {
        uint8_t b[8];
        pad(w, 8);
        for (int i = 0; i < 8; i++)
                b[i] = (uint8_t) (v >> (8 * i));
        put(w, b, sizeof b);
}

static void put_string(WireWriter *w, const char *s) {
        size_t n = strlen(s);
        if (n > UINT32_MAX) {
                w->error = w->error ? w->error : -E2BIG;
                return;
        }
        put_u32(w, (uint32_t) n);
        put(w, s, n + 1);
}

static void put_signature(WireWriter *w, const char *s) {
        size_t n = strlen(s);
        if (n > 255) {
                w->error = w->error ? w->error : -E2BIG;
                return;
        }
        put_byte(w, (uint8_t) n);
        put(w, s, n + 1);
}

/* A header field: a struct (aligned to 8) of its code and a variant. */
static void put_field(WireWriter *w, uint8_t code, const char *type, const char *value) {
        pad(w, 8);
        put_byte(w, code);
        put_signature(w, type);
        if (type[0] == 'g')
                put_signature(w, value);
        else
                put_string(w, value);
}

void wire_call_begin(WireWriter *w, uint32_t serial, const char *path, const char *interface,
                     const char *member, const char *signature) {
        put_byte(w, 'l');
        put_byte(w, WIRE_METHOD_CALL);
        put_byte(w, 0);                 /* flags: a reply is expected */
        put_byte(w, 1);                 /* protocol version */
        put_u32(w, 0);                  /* body length, set by wire_message_end() */
        put_u32(w, serial);
        put_u32(w, 0);                  /* the fields' length, set below */
        put_field(w, FIELD_PATH, "o", path);
        put_field(w, FIELD_INTERFACE, "s", interface);
        put_field(w, FIELD_MEMBER, "s", member);
        if (signature[0])
                put_field(w, FIELD_SIGNATURE, "g", signature);
        set_u32(w, 12, (uint32_t) (w->size - FIXED_HEADER_SIZE));
        pad(w, 8);
        w->body_start = w->size;
}

void wire_append_string(WireWriter *w, const char *s) {
        put_string(w, s);
}

void wire_append_int64(WireWriter *w, int64_t v) {
        put_u64(w, (uint64_t) v);
}

void wire_dict_begin(WireWriter *w) {
        put_u32(w, 0);                  /* the length, set by wire_dict_end() */
        w->array_length_at = w->size - 4;
        /* The padding to the first element is there even when the array
         * is empty, and is not counted in its length. */
        pad(w, 8);
        w->array_start = w->size;
}

static void dict_entry_begin(WireWriter *w, const char *key, const char *type) {
        pad(w, 8);
        put_string(w, key);
        put_signature(w, type);
}

void wire_dict_append_uint64(WireWriter *w, const char *key, uint64_t v) {
        dict_entry_begin(w, key, "t");
        put_u64(w, v);
}

void wire_dict_append_bool(WireWriter *w, const char *key, bool v) {
        dict_entry_begin(w, key, "b");
        put_u32(w, v ? 1 : 0);
}

void wire_dict_append_string(WireWriter *w, const char *key, const char *v) {
        dict_entry_begin(w, key, "s");
        put_string(w, v);
}

void wire_dict_end(WireWriter *w) {
        set_u32(w, w->array_length_at, (uint32_t) (w->size - w->array_start));
}

int wire_message_end(WireWriter *w) {
        set_u32(w, 4, (uint32_t) (w->size - w->body_start));
        return w->error;
}

void wire_writer_free(WireWriter *w) {
        free(w->data);
        *w = (WireWriter) {};
}

static uint32_t get_u32(const uint8_t *p, bool big_endian) {
        if (big_endian)
                return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
        return (uint32_t) p[3] << 24 | (uint32_t) p[2] << 16 | (uint32_t) p[1] << 8 | p[0];
}

static uint64_t get_u64(const uint8_t *p, bool big_endian) {
        uint64_t hi = get_u32(p + (big_endian ? 0 : 4), big_endian);
        uint64_t lo = get_u32(p + (big_endian ? 4 : 0), big_endian);
        return hi << 32 | lo;
}

int wire_message_size(const uint8_t *data, size_t size, size_t *ret_size) {
        if (size < FIXED_HEADER_SIZE)
                return -EAGAIN;
        if ((data[0] != 'l' && data[0] != 'B') || data[3] != 1)
                return -EBADMSG;
        bool big_endian = data[0] == 'B';
        uint64_t body = get_u32(data + 4, big_endian), fields = get_u32(data + 12, big_endian);
        if (body > WIRE_MESSAGE_MAX || fields > WIRE_MESSAGE_MAX)
                return -EBADMSG;
        uint64_t total = align_up(FIXED_HEADER_SIZE + fields, 8) + body;
        if (total > WIRE_MESSAGE_MAX)
                return -EBADMSG;
        *ret_size = (size_t) total;
        return 0;
}

/* A string, object path or signature at data[*pos] (its length first),
 * ending in a NUL within `end` and holding none before it. */
static int read_text(const uint8_t *data, size_t *pos, size_t end, bool big_endian, bool signature,
                     const char **ret) {
        size_t at = *pos, len;
        if (signature) {
                if (at + 1 > end)
                        return -EBADMSG;
                len = data[at];
                at += 1;
        } else {
                at = align_up(at, 4);
                if (at + 4 > end)
                        return -EBADMSG;
                len = get_u32(data + at, big_endian);
                at += 4;
        }
        if (len >= end - at || data[at + len] != 0 || memchr(data + at, 0, len))
                return -EBADMSG;
        *ret = (const char *) data + at;
        *pos = at + len + 1;
        return 0;
}

int wire_message_parse(const uint8_t *data, size_t size, WireMessage *ret) {
        size_t total;
        int r = wire_message_size(data, size, &total);
        if (r < 0)
                return r == -EAGAIN ? -EBADMSG : r;
        if (total != size)
                return -EBADMSG;

        WireMessage m = { .type = data[1], .big_endian = data[0] == 'B', .signature = "" };
        m.serial = get_u32(data + 8, m.big_endian);
        if (m.serial == 0)
                return -EBADMSG;

        size_t end = FIXED_HEADER_SIZE + get_u32(data + 12, m.big_endian);
        size_t pos = FIXED_HEADER_SIZE;
        while (pos < end) {
                pos = align_up(pos, 8);
                if (pos + 1 > end)
                        return -EBADMSG;
                uint8_t code = data[pos++];
                const char *type, *text;
                r = read_text(data, &pos, end, m.big_endian, true, &type);
                if (r < 0)
                        return r;
                /* Every field the specification defines has one of these
                 * types; one of another (a container) could not be
                 * skipped without a full reader, and no peer sends it. */
                if (strcmp(type, "u") == 0) {
                        pos = align_up(pos, 4);
                        if (pos + 4 > end)
                                return -EBADMSG;
                        uint32_t v = get_u32(data + pos, m.big_endian);
                        pos += 4;
                        if (code == FIELD_REPLY_SERIAL)
                                m.reply_serial = v;
                } else if (strcmp(type, "s") == 0 || strcmp(type, "o") == 0 || strcmp(type, "g") == 0) {
                        r = read_text(data, &pos, end, m.big_endian, type[0] == 'g', &text);
                        if (r < 0)
                                return r;
                        if (code == FIELD_ERROR_NAME && type[0] == 's')
                                m.error_name = text;
                        else if (code == FIELD_SIGNATURE && type[0] == 'g')
                                m.signature = text;
                        else if (code == FIELD_ERROR_NAME || code == FIELD_SIGNATURE)
                                return -EBADMSG;
                } else
                        return -EBADMSG;
                if (code == FIELD_REPLY_SERIAL && type[0] != 'u')
                        return -EBADMSG;
        }

        m.body_offset = align_up(end, 8);
        m.body = data + m.body_offset;
        m.body_size = size - m.body_offset;
        *ret = m;
        return 0;
}

int wire_body_read_uint64(const WireMessage *m, uint64_t *ret) {
        /* The body starts 8-aligned, where a 't' goes. */
        if (m->signature[0] != 't' || m->body_size < 8)
                return -EBADMSG;
        *ret = get_u64(m->body, m->big_endian);
        return 0;
}

int wire_body_read_string(const WireMessage *m, const char **ret) {
        size_t pos = 0;
        if (m->signature[0] != 's')
                return -EBADMSG;
        /* Offsets within the body align as offsets within the message:
         * the body starts 8-aligned. */
        return read_text(m->body, &pos, m->body_size, m->big_endian, false, ret);
}
