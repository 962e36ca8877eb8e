/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include "context.h"
#include "followup-rows.h"

/* Follow-up rows through a pipe (Followups.ListStream): the caller gets
 * the read end at once and reads while netctld still walks the list, so
 * that netctld's walk and the client's formatting run at the same time
 * instead of one after the other.
 *
 * The walk never waits for the reader: what the pipe does not take stays
 * in the stream's buffer, and the loop writes it out as the reader reads
 * (a reader that stops, say "netctl list | less" suspended, holds only
 * that memory, as it would hold a memfd).  A reader that closes its end
 * ends the walk.
 *
 * The stream ends with a trailer (common/followup-rows.h), which says
 * whether the list is whole: the reply went out before the walk. */

typedef struct RowStream RowStream;

/* At most this many streams wait for slow readers at once; past it
 * ListStream is Busy (netctl then uses List). */
#define ROW_STREAMS_MAX 32

/* A new stream: the pipe (non-blocking, as large as the system lets a
 * user make it) and its buffer, with the magic.  *ret_read_fd is the end
 * for the caller, to be closed by who sends it.  -EBUSY past
 * ROW_STREAMS_MAX. */
int row_stream_new(Context *c, RowStream **ret, int *ret_read_fd);

/* Appends one row and writes out what the pipe takes.  -EPIPE when the
 * reader has gone (stop walking), -ENOMEM. */
int row_stream_push(RowStream *s, const FollowupRow *row);

/* Appends the trailer (status 0 and NULL texts for a whole list; else a
 * negative errno, the error's bus name and the sentence) and hands the
 * stream to the loop, which writes the rest and closes it.  Takes s. */
void row_stream_finish(RowStream *s, int status, const char *error_name, const char *message);

/* Drops a stream not handed to row_stream_finish(): the reader sees the
 * pipe end without a trailer. */
void row_stream_abandon(RowStream *s);

/* Every stream still draining, at exit. */
void row_streams_free(Context *c);
