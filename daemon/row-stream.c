/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "row-stream.h"

/* What the walk gathers before it writes: the pipe takes it in one go
 * and the reader has work at once. */
#define ROW_STREAM_CHUNK (64 * 1024)
/* The pipe: 1 MiB is the most an unprivileged process may ask for by
 * default (fs.pipe-max-size), a tenth of a 100,000-row list. */
#define ROW_STREAM_PIPE_SIZE (1024 * 1024)

struct RowStream {
        Context *context;
        int fd;                         /* the write end */
        FollowupRowsBuffer buffer;
        size_t sent;                    /* bytes of buffer already written */
        bool reader_gone;
        sd_event_source *drain;         /* after finish, while bytes remain */
        RowStream *next;                /* in context's list of streams */
};

static void row_stream_unlink(RowStream *s) {
        Context *c = s->context;
        for (RowStream **p = &c->streams; *p; p = &(*p)->next)
                if (*p == s) {
                        *p = s->next;
                        c->n_streams--;
                        return;
                }
}

static void row_stream_free(RowStream *s) {
        if (!s)
                return;
        row_stream_unlink(s);
        sd_event_source_disable_unref(s->drain);
        if (s->fd >= 0)
                close(s->fd);
        followup_rows_buffer_free(&s->buffer);
        free(s);
}

int row_stream_new(Context *c, RowStream **ret, int *ret_read_fd) {
        int fds[2];
        int r;

        if (c->n_streams >= ROW_STREAMS_MAX)
                return -EBUSY;
        RowStream *s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        r = followup_rows_buffer_init(&s->buffer);
        if (r < 0) {
                free(s);
                return r;
        }
        /* Only our end is non-blocking: the reader waits for rows. */
        if (pipe2(fds, O_CLOEXEC) < 0 || fcntl(fds[1], F_SETFL, O_NONBLOCK) < 0) {
                r = -errno;
                followup_rows_buffer_free(&s->buffer);
                free(s);
                return r;
        }
        /* Larger is fewer wake-ups for both sides; the default (64 KiB)
         * works too. */
        (void) fcntl(fds[1], F_SETPIPE_SZ, ROW_STREAM_PIPE_SIZE);
        s->context = c;
        s->fd = fds[1];
        s->next = c->streams;
        c->streams = s;
        c->n_streams++;
        *ret = s;
        *ret_read_fd = fds[0];
        return 0;
}

/* Writes what the pipe takes now.  0 (all written or the pipe is full),
 * -EPIPE when the reader has gone, another negative errno on failure. */
static int row_stream_write(RowStream *s) {
        while (s->sent < s->buffer.size) {
                ssize_t n = write(s->fd, s->buffer.data + s->sent, s->buffer.size - s->sent);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        if (errno == EPIPE)
                                s->reader_gone = true;
                        return -errno;
                }
                s->sent += (size_t) n;
        }
        /* All out: start the buffer over, so that a reader that keeps up
         * keeps it at one chunk. */
        s->buffer.size = 0;
        s->sent = 0;
        return 0;
}

int row_stream_push(RowStream *s, const FollowupRow *row) {
        int r = followup_rows_append(&s->buffer, row);
        if (r < 0)
                return r;
        if (s->buffer.size - s->sent < ROW_STREAM_CHUNK)
                return 0;
        return row_stream_write(s);
}

static int on_row_stream_writable(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        RowStream *s = userdata;
        int r = row_stream_write(s);
        if (r < 0 || s->sent == s->buffer.size)
                row_stream_free(s);     /* done, or the reader went: EOF */
        return 0;
}

void row_stream_finish(RowStream *s, int status, const char *error_name, const char *message) {
        int r;

        if (!s)
                return;
        if (s->reader_gone) {
                row_stream_free(s);
                return;
        }
        r = followup_rows_append_end(&s->buffer, status, error_name, message);
        if (r >= 0)
                r = row_stream_write(s);
        if (r < 0 || s->sent == s->buffer.size) {
                /* Written whole (or it cannot be): closing is the EOF. */
                row_stream_free(s);
                return;
        }
        r = sd_event_add_io(s->context->event, &s->drain, s->fd, EPOLLOUT, on_row_stream_writable, s);
        if (r < 0) {
                log_warning_errno(r, "Cannot wait to write the rest of a list: %m");
                row_stream_free(s);
                return;
        }
        (void) sd_event_source_set_description(s->drain, "row-stream");
}

void row_stream_abandon(RowStream *s) {
        row_stream_free(s);
}

void row_streams_free(Context *c) {
        while (c->streams)
                row_stream_free(c->streams);
}
