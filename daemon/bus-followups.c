/* SPDX-License-Identifier: MIT */
/* org.netctl.Netctl1.Followups: the schedule on the bus. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bus-contacts.h"
#include "bus-names.h"
#include "bus.h"
#include "followup-rows.h"
#include "io.h"
#include "log.h"
#include "row-stream.h"
#include "schedule.h"
#include "text.h"
#include "timeparse.h"

/* Due times beyond the year 9999 cannot be shown or exported. */
#define DUE_MAX 253402300799LL
#define EVERY_MIN 60

static int check_text(const char *text, sd_bus_error *error) {
        const char *reason;
        int r = text_check_line(text, NETCTL_TEXT_MAX, false, &reason);
        if (r == -E2BIG)
                return bus_error_errno(error, r, "The text is longer than %d bytes.", NETCTL_TEXT_MAX);
        if (r < 0)
                return bus_error_errno(error, r, "Invalid text: %s.", reason);
        return 0;
}

static int check_due(int64_t due, sd_bus_error *error) {
        if (due <= 0 || due > DUE_MAX)
                return bus_error_errno(error, -ERANGE,
                                       "The due time %" PRId64 " is out of range (1970 to 9999).", due);
        return 0;
}

static int check_every(uint64_t every, sd_bus_error *error) {
        if (every != 0 && (every < EVERY_MIN || every > DURATION_MAX_SECONDS))
                return bus_error_errno(error, -ERANGE,
                                       "The recurrence must be between a minute and ten years.");
        return 0;
}

/* Options and changes arrive as a{sv}; unknown keys and wrong types are
 * errors, so a typo never silently does nothing. */
typedef struct FollowupFields {
        const char *text;
        int64_t due;
        int64_t every;
        int every_fixed;
        const char *contact;    /* a WHO; "" for none (Edit: unlinks) */
} FollowupFields;

#define CONTACT_WHO_MAX 512

typedef struct FieldsReader {
        bool allow_text_due;    /* Add and Edit take text and due; options do not */
        FollowupFields *fields;
} FieldsReader;

static int read_field(sd_bus_message *m, const char *key, void *userdata, sd_bus_error *error) {
        FieldsReader *rd = userdata;
        FollowupFields *f = rd->fields;
        int r;

        if (strcmp(key, "every") == 0) {
                uint64_t every;
                r = bus_option_uint64(m, key, &every, error);
                if (r >= 0)
                        r = check_every(every, error);
                if (r >= 0)
                        f->every = (int64_t) every;
        } else if (strcmp(key, "every_fixed") == 0) {
                int fixed;
                r = bus_option_bool(m, key, &fixed, error);
                if (r >= 0)
                        f->every_fixed = !!fixed;
        } else if (strcmp(key, "contact") == 0) {
                const char *reason;
                r = bus_option_string(m, key, &f->contact, error);
                if (r >= 0 && (r = text_check_line(f->contact, CONTACT_WHO_MAX, true, &reason)) < 0)
                        r = bus_error_errno(error, r, "Invalid contact: %s.", reason);
        } else if (rd->allow_text_due && strcmp(key, "text") == 0) {
                r = bus_option_string(m, key, &f->text, error);
                if (r >= 0)
                        r = check_text(f->text, error);
        } else if (rd->allow_text_due && strcmp(key, "due") == 0) {
                r = bus_option_int64(m, key, &f->due, error);
                if (r >= 0)
                        r = check_due(f->due, error);
        } else
                return BUS_OPTION_UNKNOWN;
        return r < 0 ? r : 0;
}

static int read_fields(sd_bus_message *m, bool allow_text_due, FollowupFields *f, sd_bus_error *error) {
        FieldsReader rd = { .allow_text_due = allow_text_due, .fields = f };
        return bus_read_options(m, "option", read_field, &rd, error);
}

static int store_failure(Context *c, sd_bus_error *error, int r) {
        if (r == -ENOSPC)
                return bus_error_errno(error, r, "The disk is full; nothing was changed.");
        if (r == -EBUSY)
                return bus_error_errno(error, r, "The database is locked by another program; try again.");
        return bus_error_errno(error, r, "%s.", store_last_error(c->store));
}

/* After a committed change, and after the caller's reply (which waits
 * for nothing else): re-arm the one timer, then tell listeners. */
static void schedule_changed(Context *c, int64_t id, const char *change) {
        (void) schedule_arm_next(c);
        bus_emit_changed(c, id, change);
}

static int method_add(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        FollowupFields f = { .every = 0, .every_fixed = 0 };
        const char *text;
        int64_t due, id;
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;

        r = sd_bus_message_read(m, "sx", &text, &due);
        if (r < 0)
                return r;
        r = check_text(text, error);
        if (r < 0)
                return r;
        r = check_due(due, error);
        if (r < 0)
                return r;
        r = read_fields(m, false, &f, error);
        if (r < 0)
                return r;

        int64_t contact_id = 0;
        if (f.contact && f.contact[0]) {
                r = contacts_resolve(c, f.contact, &contact_id, error);
                if (r < 0)
                        return r;
        }
        if (contact_id > 0)
                r = store_followup_add_for_contact(c->store, text, due, f.every, f.every_fixed, contact_id,
                                                   context_now(c), &id);
        else
                r = store_followup_add(c->store, text, due, f.every, f.every_fixed, context_now(c), &id);
        if (r < 0)
                return store_failure(c, error, r);

        log_debug("Added follow-up #%" PRId64, id);
        r = sd_bus_reply_method_return(m, "t", (uint64_t) id);
        schedule_changed(c, id, "added");
        return r;
}

static int append_followup(sd_bus_message *reply, const Followup *f) {
        return sd_bus_message_append(reply, NETCTL_FOLLOWUP_SIG,
                                     (uint64_t) f->id, f->uid, f->text, f->kind,
                                     f->due, f->done_at, (uint64_t) f->every, (int) f->every_fixed,
                                     f->notified_at, f->contact ? f->contact : "");
}

static int append_followup_cb(const Followup *f, void *userdata) {
        return append_followup(userdata, f);
}

static int method_get(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(followup_clear) Followup f = {};
        Context *c = userdata;
        uint64_t id;
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "t", &id);
        if (r < 0)
                return r;

        r = store_followup_get(c->store, (int64_t) id, &f);
        if (r == -ENOENT)
                return bus_error_errno(error, r, "No follow-up with id %" PRIu64 ".", id);
        if (r < 0)
                return store_failure(c, error, r);

        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = append_followup(reply, &f);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int parse_list_range(const char *state_name, int64_t from, int64_t to, FollowupState *ret,
                            sd_bus_error *error) {
        if (strcmp(state_name, "open") == 0)
                *ret = FOLLOWUP_OPEN;
        else if (strcmp(state_name, "done") == 0)
                *ret = FOLLOWUP_DONE;
        else if (strcmp(state_name, "all") == 0)
                *ret = FOLLOWUP_ANY;
        else
                return bus_error_errno(error, -EINVAL,
                                       "Unknown state \"%.32s\"; expected open, done or all.", state_name);
        if (from > to)
                return bus_error_errno(error, -EINVAL, "The range ends before it starts.");
        return 0;
}

static int method_list(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Context *c = userdata;
        const char *state_name;
        FollowupState state;
        int64_t from, to;
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "xxs", &from, &to, &state_name);
        if (r < 0)
                return r;

        r = parse_list_range(state_name, from, to, &state, error);
        if (r < 0)
                return r;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, NETCTL_FOLLOWUP_SIG);
        if (r < 0)
                return r;
        r = store_followup_list(c->store, from, to, state, append_followup_cb, reply);
        if (r < 0)
                return store_failure(c, error, r);
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* A list filter: a{sv} with "contact" s (a WHO), resolved to its id (0
 * when the filter names nobody).  Unknown keys are errors; an empty filter
 * lists as List does. */
static int read_list_filter_key(sd_bus_message *m, const char *key, void *userdata, sd_bus_error *error) {
        if (strcmp(key, "contact") != 0)
                return BUS_OPTION_UNKNOWN;
        return bus_option_string(m, key, userdata, error);
}

static int read_list_filter(sd_bus_message *m, Context *c, int64_t *ret_contact_id, sd_bus_error *error) {
        const char *contact = NULL;
        int64_t contact_id = 0;
        int r;

        r = bus_read_options(m, "filter", read_list_filter_key, &contact, error);
        if (r < 0)
                return r;
        if (contact) {
                r = contacts_resolve(c, contact, &contact_id, error);
                if (r < 0)
                        return r;
        }
        *ret_contact_id = contact_id;
        return 0;
}

/* The arguments of ListFiltered and ListMemfd: (x from, x to, s state,
 * a{sv} filter), checked, after the caller. */
static int read_list_request(sd_bus_message *m, Context *c, int64_t *ret_from, int64_t *ret_to,
                             FollowupState *ret_state, int64_t *ret_contact_id, sd_bus_error *error) {
        const char *state_name;
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "xxs", ret_from, ret_to, &state_name);
        if (r < 0)
                return r;
        r = parse_list_range(state_name, *ret_from, *ret_to, ret_state, error);
        if (r < 0)
                return r;
        return read_list_filter(m, c, ret_contact_id, error);
}

static int method_list_filtered(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Context *c = userdata;
        FollowupState state;
        int64_t from, to, contact_id;
        int r;

        r = read_list_request(m, c, &from, &to, &state, &contact_id, error);
        if (r < 0)
                return r;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, NETCTL_FOLLOWUP_SIG);
        if (r < 0)
                return r;
        if (contact_id > 0)
                r = store_followup_list_for_contact(c->store, contact_id, from, to, state,
                                                    append_followup_cb, reply);
        else
                r = store_followup_list(c->store, from, to, state, append_followup_cb, reply);
        if (r < 0)
                return store_failure(c, error, r);
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* Rows go to the memfd in pieces of this size, so that the daemon never
 * holds a whole long list in memory besides the memfd itself. */
#define ROWS_FLUSH_SIZE (256 * 1024)

typedef struct RowsWalk {
        FollowupRowsBuffer *buffer;
        int fd;
        RowStream *stream;              /* ListStream: rows go here instead */
        int64_t unsendable_id;          /* a row List could not send either */
        bool write_failed;              /* the error is the memfd's, not the store's */
} RowsWalk;

static int flush_rows(RowsWalk *walk) {
        int r = write_all(walk->fd, walk->buffer->data, walk->buffer->size);
        walk->buffer->size = 0;
        if (r < 0)
                walk->write_failed = true;
        return r;
}

/* Why a walk into rows failed r, as the error ListMemfd returns and
 * ListStream's trailer carries: a row List could not send either, the
 * memfd or pipe, or the store. */
static int rows_walk_failure(Context *c, const RowsWalk *walk, int r, sd_bus_error *error) {
        if (walk->unsendable_id > 0)
                return bus_error_errno(error, r, "Follow-up %" PRId64 " holds text that is not valid "
                                       "UTF-8; the database is damaged.", walk->unsendable_id);
        if (walk->write_failed)
                return bus_error_errno(error, r, "Cannot write the list: %s.", strerror(-r));
        return store_failure(c, error, r);
}

static int append_row_cb(const Followup *f, void *userdata) {
        RowsWalk *walk = userdata;
        const char *contact = f->contact ? f->contact : "";
        int r;

        /* The same rows as List, or the same failure: sd-bus refuses to send
         * a string that is not valid UTF-8, and clients print these
         * strings as they come. */
        if (!text_bus_sendable(f->uid) || !text_bus_sendable(f->text) || !text_bus_sendable(f->kind) ||
            !text_bus_sendable(contact)) {
                walk->unsendable_id = f->id;
                return -EBADMSG;
        }
        FollowupRow row = {
                .id = (uint64_t) f->id, .uid = f->uid, .text = f->text, .kind = f->kind,
                .due = f->due, .done_at = f->done_at, .every = (uint64_t) f->every,
                .every_fixed = f->every_fixed, .notified_at = f->notified_at, .contact = contact,
        };
        if (walk->stream) {
                r = row_stream_push(walk->stream, &row);
                if (r < 0)
                        walk->write_failed = true;
                return r;
        }
        r = followup_rows_append(walk->buffer, &row);
        if (r >= 0 && walk->buffer->size >= ROWS_FLUSH_SIZE)
                r = flush_rows(walk);
        return r;
}

/* ListMemfd: what ListFiltered returns, as follow-up rows
 * (common/followup-rows.h) in a sealed memfd.  Sealed against writing,
 * growing and shrinking, so that the client can map it without fearing
 * SIGBUS and reads exactly what was listed. */
static int method_list_memfd(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(followup_rows_buffer_free) FollowupRowsBuffer rows = {};
        _cleanup_close_ int fd = -1;
        Context *c = userdata;
        FollowupState state;
        int64_t from, to, contact_id;
        int r;

        r = read_list_request(m, c, &from, &to, &state, &contact_id, error);
        if (r < 0)
                return r;

        fd = memfd_create("netctl-followups", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                return bus_error_errno(error, -errno, "Cannot create the list's memfd: %s.", strerror(errno));
        r = followup_rows_buffer_init(&rows);
        if (r < 0)
                return r;
        RowsWalk walk = { .buffer = &rows, .fd = fd };
        r = store_followup_list_borrowed(c->store, contact_id, from, to, state, append_row_cb, &walk);
        if (r >= 0)
                r = flush_rows(&walk);
        if (r < 0)
                return rows_walk_failure(c, &walk, r, error);
        return bus_reply_sealed_memfd(m, fd, "list", error);
}

/* ListStream: what ListMemfd returns, through a pipe whose read end the
 * reply carries before the walk begins, so that the caller formats rows
 * while netctld still reads them (row-stream.h); a trailer says whether
 * the list is whole.  The walk's errors go into the trailer, as the same
 * names and sentences ListMemfd would return. */
static int method_list_stream(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_close_ int read_fd = -1;
        Context *c = userdata;
        RowStream *stream = NULL;
        FollowupState state;
        int64_t from, to, contact_id;
        int r;

        r = read_list_request(m, c, &from, &to, &state, &contact_id, error);
        if (r < 0)
                return r;

        r = row_stream_new(c, &stream, &read_fd);
        if (r == -EBUSY)
                return bus_error_errno(error, r, "%d lists are still being read; try again, or use List.",
                                       ROW_STREAMS_MAX);
        if (r < 0)
                return bus_error_errno(error, r, "Cannot create the list's pipe: %s.", strerror(-r));

        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_append(reply, "h", read_fd);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        if (r < 0) {
                row_stream_abandon(stream);
                return r;
        }
        /* sd-bus sent a duplicate: our copy goes, so that the pipe ends
         * when the reader closes its own. */
        close(TAKE_FD(read_fd));

        RowsWalk walk = { .stream = stream };
        r = store_followup_list_borrowed(c->store, contact_id, from, to, state, append_row_cb, &walk);
        if (r >= 0) {
                row_stream_finish(stream, 0, NULL, NULL);
                return 1;
        }

        /* Reported in the trailer, as a reply would have said it. */
        sd_bus_error failure = SD_BUS_ERROR_NULL;
        (void) rows_walk_failure(c, &walk, r, &failure);
        row_stream_finish(stream, r, failure.name, failure.message);
        sd_bus_error_free(&failure);
        return 1;
}

static int method_done(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        int64_t next_id = 0;
        uint64_t id;
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "t", &id);
        if (r < 0)
                return r;

        /* Done on a keep-in-touch reminder: the cadence restarts now, as
         * with "Skip this time" (what happened is for netctl log). */
        _cleanup_(followup_clear) Followup f = {};
        if (store_followup_get(c->store, (int64_t) id, &f) >= 0 &&
            strcmp(f.kind, FOLLOWUP_KIND_RECONNECT) == 0 && f.done_at == 0) {
                ReconnectChange change = {};
                r = store_reconnect_skip(c->store, (int64_t) id, contacts_weak_cadence(c), context_now(c),
                                         &change);
                if (r < 0)
                        return store_failure(c, error, r);
                contacts_reconnect_changed(c, &change);
                contacts_emit_changed(c, 0, "edited");
                return sd_bus_reply_method_return(m, "t", (uint64_t) change.scheduled_id);
        }

        r = store_followup_done(c->store, (int64_t) id, context_now(c), &next_id);
        if (r == -ENOENT)
                return bus_error_errno(error, r, "No follow-up with id %" PRIu64 ".", id);
        if (r == -EALREADY)
                return bus_error_errno(error, r, "Follow-up %" PRIu64 " is already done.", id);
        if (r < 0)
                return store_failure(c, error, r);

        r = sd_bus_reply_method_return(m, "t", (uint64_t) next_id);
        schedule_withdraw(c, (int64_t) id);
        if (next_id > 0)
                bus_emit_changed(c, next_id, "added");
        schedule_changed(c, (int64_t) id, "done");
        return r;
}

static int method_snooze(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        uint64_t id;
        int64_t until;
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "tx", &id, &until);
        if (r < 0)
                return r;
        r = check_due(until, error);
        if (r < 0)
                return r;

        r = store_followup_snooze(c->store, (int64_t) id, until, context_now(c));
        if (r == -ENOENT)
                return bus_error_errno(error, r, "No follow-up with id %" PRIu64 ".", id);
        if (r < 0)
                return store_failure(c, error, r);

        r = sd_bus_reply_method_return(m, NULL);
        schedule_withdraw(c, (int64_t) id);
        schedule_changed(c, (int64_t) id, "snoozed");
        return r;
}

static int method_remove(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        uint64_t id;
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "t", &id);
        if (r < 0)
                return r;

        r = store_followup_remove(c->store, (int64_t) id);
        if (r == -ENOENT)
                return bus_error_errno(error, r, "No follow-up with id %" PRIu64 ".", id);
        if (r < 0)
                return store_failure(c, error, r);

        r = sd_bus_reply_method_return(m, NULL);
        schedule_withdraw(c, (int64_t) id);
        schedule_changed(c, (int64_t) id, "removed");
        return r;
}

static int method_edit(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        FollowupFields f = { .due = -1, .every = -1, .every_fixed = -1 };
        uint64_t id;
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "t", &id);
        if (r < 0)
                return r;
        r = read_fields(m, true, &f, error);
        if (r < 0)
                return r;

        FollowupChanges changes = {
                .text = f.text, .due = f.due, .every = f.every, .every_fixed = f.every_fixed,
        };
        if (f.contact) {
                int64_t contact_id = 0;
                if (f.contact[0]) {
                        r = contacts_resolve(c, f.contact, &contact_id, error);
                        if (r < 0)
                                return r;
                }
                r = store_followup_edit_with_contact(c->store, (int64_t) id, &changes, contact_id,
                                                     context_now(c));
        } else
                r = store_followup_edit(c->store, (int64_t) id, &changes, context_now(c));
        if (r == -ENOENT)
                return bus_error_errno(error, r, "No follow-up with id %" PRIu64 ".", id);
        if (r < 0)
                return store_failure(c, error, r);

        r = sd_bus_reply_method_return(m, NULL);
        schedule_changed(c, (int64_t) id, "edited");
        return r;
}

const sd_bus_vtable bus_followups_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("Add",
                                SD_BUS_ARGS("s", text, "x", due, "a{sv}", options),
                                SD_BUS_RESULT("t", id),
                                method_add, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Get",
                                SD_BUS_ARGS("t", id),
                                SD_BUS_RESULT(NETCTL_FOLLOWUP_SIG, followup),
                                method_get, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("List",
                                SD_BUS_ARGS("x", from, "x", to, "s", state),
                                SD_BUS_RESULT("a" NETCTL_FOLLOWUP_SIG, followups),
                                method_list, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListFiltered",
                                SD_BUS_ARGS("x", from, "x", to, "s", state, "a{sv}", filter),
                                SD_BUS_RESULT("a" NETCTL_FOLLOWUP_SIG, followups),
                                method_list_filtered, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListMemfd",
                                SD_BUS_ARGS("x", from, "x", to, "s", state, "a{sv}", filter),
                                SD_BUS_RESULT("h", rows),
                                method_list_memfd, SD_BUS_VTABLE_UNPRIVILEGED),
                SD_BUS_METHOD_WITH_ARGS("ListStream",
                                SD_BUS_ARGS("x", from, "x", to, "s", state, "a{sv}", filter),
                                SD_BUS_RESULT("h", rows),
                                method_list_stream, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Done",
                                SD_BUS_ARGS("t", id),
                                SD_BUS_RESULT("t", next_id),
                                method_done, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Snooze",
                                SD_BUS_ARGS("t", id, "x", until),
                                SD_BUS_NO_RESULT,
                                method_snooze, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Remove",
                                SD_BUS_ARGS("t", id),
                                SD_BUS_NO_RESULT,
                                method_remove, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Edit",
                                SD_BUS_ARGS("t", id, "a{sv}", changes),
                                SD_BUS_NO_RESULT,
                                method_edit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("Changed", SD_BUS_ARGS("t", id, "s", change), 0),
        SD_BUS_VTABLE_END,
};
