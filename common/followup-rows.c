/* SPDX-License-Identifier: MIT */
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "followup-rows.h"

static int buffer_reserve(FollowupRowsBuffer *b, size_t more) {
        if (more <= b->allocated - b->size)
                return 0;
        if (more > SIZE_MAX / 2 - b->size)
                return -ENOMEM;
        size_t want = b->allocated ? b->allocated : 64 * 1024;
        while (want - b->size < more)
                want *= 2;
        char *p = realloc(b->data, want);
        if (!p)
                return -ENOMEM;
        b->data = p;
        b->allocated = want;
        return 0;
}

int followup_rows_buffer_init(FollowupRowsBuffer *b) {
        *b = (FollowupRowsBuffer) {};
        int r = buffer_reserve(b, FOLLOWUP_ROWS_MAGIC_SIZE);
        if (r < 0)
                return r;
        memcpy(b->data, FOLLOWUP_ROWS_MAGIC, FOLLOWUP_ROWS_MAGIC_SIZE);
        b->size = FOLLOWUP_ROWS_MAGIC_SIZE;
        return 0;
}

void followup_rows_buffer_free(FollowupRowsBuffer *b) {
        if (!b)
                return;
        free(b->data);
        *b = (FollowupRowsBuffer) {};
}

static char *put_u64(char *p, uint64_t v) {
        v = htole64(v);
        memcpy(p, &v, sizeof v);
        return p + sizeof v;
}

static char *put_string(char *p, const char *s, size_t len) {
        memcpy(p, s, len);
        p[len] = '\0';
        return p + len + 1;
}

int followup_rows_append(FollowupRowsBuffer *b, const FollowupRow *row) {
        const char *uid = row->uid ? row->uid : "", *text = row->text ? row->text : "",
                   *kind = row->kind ? row->kind : "", *contact = row->contact ? row->contact : "";
        size_t uid_len = strlen(uid), text_len = strlen(text), kind_len = strlen(kind),
               contact_len = strlen(contact);
        int r;

        r = buffer_reserve(b, FOLLOWUP_ROW_FIXED_SIZE + uid_len + text_len + kind_len + contact_len + 4);
        if (r < 0)
                return r;

        char *p = b->data + b->size;
        p = put_u64(p, row->id);
        p = put_u64(p, (uint64_t) row->due);
        p = put_u64(p, (uint64_t) row->done_at);
        p = put_u64(p, row->every);
        p = put_u64(p, (uint64_t) row->notified_at);
        *p++ = row->every_fixed ? 1 : 0;
        p = put_string(p, uid, uid_len);
        p = put_string(p, text, text_len);
        p = put_string(p, kind, kind_len);
        p = put_string(p, contact, contact_len);
        b->size = (size_t) (p - b->data);
        return 0;
}

int followup_rows_append_end(FollowupRowsBuffer *b, int64_t status, const char *error_name,
                             const char *message) {
        error_name = error_name ? error_name : "";
        message = message ? message : "";
        size_t name_len = strlen(error_name), message_len = strlen(message);
        int r = buffer_reserve(b, 16 + name_len + message_len + 2);
        if (r < 0)
                return r;

        char *p = b->data + b->size;
        p = put_u64(p, 0);
        p = put_u64(p, (uint64_t) status);
        p = put_string(p, error_name, name_len);
        p = put_string(p, message, message_len);
        b->size = (size_t) (p - b->data);
        return 0;
}

const char *followup_rows_begin(const char *data, size_t size) {
        if (!data || size < FOLLOWUP_ROWS_MAGIC_SIZE ||
            memcmp(data, FOLLOWUP_ROWS_MAGIC, FOLLOWUP_ROWS_MAGIC_SIZE) != 0)
                return NULL;
        return data + FOLLOWUP_ROWS_MAGIC_SIZE;
}

static uint64_t get_u64(const char *p) {
        uint64_t v;
        memcpy(&v, p, sizeof v);
        return le64toh(v);
}

/* The NUL-terminated string at *p, before `end`; false when its NUL is not
 * there (yet). */
static bool get_string(const char **p, const char *end, const char **ret) {
        const char *nul = memchr(*p, '\0', (size_t) (end - *p));
        if (!nul)
                return false;
        *ret = *p;
        *p = nul + 1;
        return true;
}

/* The record at *p: 1 and the row (moving *p past it), 0 when [*p, end)
 * holds only part of it, -EBADMSG when it is malformed. */
static int parse_row(const char **p, const char *end, FollowupRow *ret) {
        const char *q = *p;
        FollowupRow row;

        if (end - q < FOLLOWUP_ROW_FIXED_SIZE)
                return 0;
        row.id = get_u64(q);
        row.due = (int64_t) get_u64(q + 8);
        row.done_at = (int64_t) get_u64(q + 16);
        row.every = get_u64(q + 24);
        row.notified_at = (int64_t) get_u64(q + 32);
        if ((unsigned char) q[40] > 1)
                return -EBADMSG;
        row.every_fixed = q[40];
        q += FOLLOWUP_ROW_FIXED_SIZE;
        if (!get_string(&q, end, &row.uid) || !get_string(&q, end, &row.text) ||
            !get_string(&q, end, &row.kind) || !get_string(&q, end, &row.contact))
                return 0;
        *ret = row;
        *p = q;
        return 1;
}

int followup_rows_next(const char **p, const char *end, FollowupRow *ret) {
        if (*p == end)
                return 0;
        /* The data is whole: a record cut short is malformed. */
        int r = parse_row(p, end, ret);
        return r == 0 ? -EBADMSG : r;
}

int followup_rows_next_streamed(const char **p, const char *end, FollowupRow *ret,
                                FollowupRowsEnd *ret_end) {
        const char *q = *p;

        if (end - q < 8)
                return 0;
        if (get_u64(q) != 0)
                return parse_row(p, end, ret);

        /* The trailer: status, then two strings. */
        FollowupRowsEnd e;
        if (end - q < 16)
                return 0;
        e.status = (int64_t) get_u64(q + 8);
        q += 16;
        if (!get_string(&q, end, &e.error_name) || !get_string(&q, end, &e.message))
                return 0;
        *ret_end = e;
        *p = q;
        return 2;
}
