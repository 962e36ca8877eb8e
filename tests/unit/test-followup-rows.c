/* SPDX-License-Identifier: MIT */
/* Follow-up rows as ListStream sends them (common/followup-rows.h): the
 * stream decoder gives every row and then the trailer whatever way the
 * bytes arrive (cut at every offset, as a pipe may deliver them), says
 * "not yet" rather than "malformed" for a record that is still arriving,
 * and refuses a malformed one. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "followup-rows.h"
#include "tap.h"

static const FollowupRow rows[] = {
        { .id = 1, .uid = "a@netctl", .text = "Thank Ana for the intro", .kind = "followup",
          .due = 1795000000, .done_at = 0, .every = 0, .every_fixed = 0, .notified_at = 0, .contact = "" },
        { .id = 7, .uid = "b@netctl", .text = "Café ☕ with Bo", .kind = "reconnect",
          .due = -5, .done_at = 1795000100, .every = 604800, .every_fixed = 1, .notified_at = 9,
          .contact = "bo-li" },
        { .id = UINT64_MAX, .uid = "", .text = "", .kind = "prep", .due = INT64_MIN, .contact = "" },
};

/* Decodes data[0..size) as it would arrive in two pieces cut at `cut`:
 * returns how many rows matched, or -1 on a difference; *ret_end gets the
 * trailer. */
static int decode_cut(const char *data, size_t size, size_t cut, FollowupRowsEnd *ret_end, bool *ret_ended) {
        const char *p = followup_rows_begin(data, size);
        const char *avail = data + (cut < FOLLOWUP_ROWS_MAGIC_SIZE ? FOLLOWUP_ROWS_MAGIC_SIZE : cut);
        size_t n = 0;

        *ret_ended = false;
        if (!p)
                return -1;
        for (;;) {
                FollowupRow row;
                int r = followup_rows_next_streamed(&p, avail, &row, ret_end);
                if (r == 0) {
                        if (avail == data + size)
                                return -1;      /* all arrived, still "not yet" */
                        avail = data + size;    /* the second piece */
                        continue;
                }
                if (r < 0)
                        return -1;
                if (r == 2) {
                        *ret_ended = true;
                        return p == data + size ? (int) n : -1;
                }
                if (n >= sizeof rows / sizeof rows[0])
                        return -1;
                const FollowupRow *w = &rows[n];
                if (row.id != w->id || row.due != w->due || row.done_at != w->done_at ||
                    row.every != w->every || row.every_fixed != w->every_fixed ||
                    row.notified_at != w->notified_at || strcmp(row.uid, w->uid) != 0 ||
                    strcmp(row.text, w->text) != 0 || strcmp(row.kind, w->kind) != 0 ||
                    strcmp(row.contact, w->contact) != 0)
                        return -1;
                n++;
        }
}

static void check_stream(int64_t status, const char *name, const char *message) {
        FollowupRowsBuffer b;
        char what[160];
        int bad = 0;

        CHECK_INT(followup_rows_buffer_init(&b), 0, "buffer");
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
                CHECK_INT(followup_rows_append(&b, &rows[i]), 0, "append a row");
        CHECK_INT(followup_rows_append_end(&b, status, name, message), 0, "append the trailer");

        for (size_t cut = 0; cut <= b.size; cut++) {
                FollowupRowsEnd end = {};
                bool ended;
                int n = decode_cut(b.data, b.size, cut, &end, &ended);
                if (n != (int) (sizeof rows / sizeof rows[0]) || !ended || end.status != status ||
                    strcmp(end.error_name, name ? name : "") != 0 ||
                    strcmp(end.message, message ? message : "") != 0) {
                        if (bad++ < 3)
                                printf("#   cut at %zu: %d rows, ended %d\n", cut, n, ended);
                }
        }
        snprintf(what, sizeof what, "every row and the trailer (status %lld), cut at every offset",
                 (long long) status);
        CHECK_INT(bad, 0, what);

        /* Without its trailer the stream never ends: "not yet" at the end. */
        const char *p = followup_rows_begin(b.data, b.size);
        FollowupRow row;
        FollowupRowsEnd end;
        size_t trailer = b.size - 16 - strlen(name ? name : "") - strlen(message ? message : "") - 2;
        int r, rows_seen = 0;
        while ((r = followup_rows_next_streamed(&p, b.data + trailer, &row, &end)) == 1)
                rows_seen++;
        CHECK_INT(r, 0, "a stream cut before its trailer: not yet, never the end");
        CHECK_INT(rows_seen, 3, "its rows");
        followup_rows_buffer_free(&b);
}

int main(void) {
        check_stream(0, NULL, NULL);
        check_stream(-EBADMSG, "org.netctl.Netctl1.Error.StorageFailed",
                     "Follow-up 12 holds text that is not valid UTF-8; the database is damaged.");

        /* A malformed record (every_fixed 2) is refused, not waited for. */
        FollowupRowsBuffer b;
        CHECK_INT(followup_rows_buffer_init(&b), 0, "buffer");
        CHECK_INT(followup_rows_append(&b, &rows[0]), 0, "append");
        b.data[FOLLOWUP_ROWS_MAGIC_SIZE + 40] = 2;
        const char *p = followup_rows_begin(b.data, b.size);
        FollowupRow row;
        FollowupRowsEnd end;
        CHECK_INT(followup_rows_next_streamed(&p, b.data + b.size, &row, &end), -EBADMSG,
                  "every_fixed 2 is malformed");
        followup_rows_buffer_free(&b);
        return tap_done();
}
