/* SPDX-License-Identifier: MIT */
/* org.netctl.Netctl1.Meetings: meetings imported from calendar files, and
 * the schedule back out as iCalendar. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "bus-names.h"
#include "bus.h"
#include "calendar.h"
#include "export.h"
#include "ical-import.h"
#include "log.h"
#include "text.h"

/* Applies one file's bytes and replies: the outcome, or "rejected" with
 * the reason when the file was refused whole. */
static int import_and_reply(sd_bus_message *m, Context *c, const char *name, const char *data, size_t len,
                            sd_bus_error *error) {
        ImportReport report;

        int r = calendar_import_data(c, data, len, NULL, &report);
        if (r == -EINVAL || r == -E2BIG)
                /* Rejected whole: the reply says why, nothing was stored. */
                return sd_bus_reply_method_return(m, "suuuuus", "rejected", 0, 0, 0, 0, 0, report.reason);
        if (r < 0)
                return bus_error_errno(error, r, "Cannot import %s: %s.", name, report.reason);

        log_info("Imported %s: %u added, %u updated, %u cancelled, %u unchanged, %u skipped", name,
                 report.added, report.updated, report.cancelled, report.unchanged, report.skipped);
        return sd_bus_reply_method_return(m, "suuuuus",
                                          import_outcome_to_string(import_report_outcome(&report)),
                                          report.added, report.updated, report.cancelled,
                                          report.unchanged, report.skipped, report.reason);
}

static int check_import_name(const char *name, sd_bus_error *error) {
        const char *reason;
        if (text_check_line(name, 4096, true, &reason) < 0)
                return bus_error_errno(error, -EINVAL, "Invalid file name: %s.", reason);
        return 0;
}

/* Import: the file's bytes in the message. */
static int method_import(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        const char *name;
        const void *data;
        size_t len;
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        r = sd_bus_message_read_array(m, 'y', &data, &len);
        if (r < 0)
                return r;
        r = check_import_name(name, error);
        if (r < 0)
                return r;
        if (len > ICS_FILE_MAX)
                return bus_error_errno(error, -E2BIG, "%s is larger than %u MiB.", name,
                                       ICS_FILE_MAX / (1024 * 1024));
        return import_and_reply(m, c, name, data, len, error);
}

/* ImportFd: the file itself, open for reading.  What Import does, without
 * the file's bytes crossing the socket (twice through dbus-daemon): about
 * 20 ms of an 11 MB file's import.  Only a regular file: a pipe's writer
 * could keep netctld waiting. */
static int method_import_fd(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_free_ char *data = NULL;
        Context *c = userdata;
        const char *name;
        size_t len = 0;
        int fd, r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "sh", &name, &fd);
        if (r < 0)
                return r;
        r = check_import_name(name, error);
        if (r < 0)
                return r;
        r = calendar_read_fd(fd, &data, &len, NULL);
        if (r == -EINVAL)
                return bus_error_errno(error, r, "%s is not a regular file; Import takes its bytes instead.",
                                       name);
        if (r == -EFBIG)
                return bus_error_errno(error, -E2BIG, "%s is larger than %u MiB.", name,
                                       ICS_FILE_MAX / (1024 * 1024));
        if (r == -ENOMEM)
                return bus_error_errno(error, r, "Cannot read %s: %s.", name, strerror(-r));
        if (r < 0)
                /* The caller's file, not netctl's storage, failed. */
                return bus_error_errno(error, -EINVAL, "Cannot read %s: %s.", name, strerror(-r));
        return import_and_reply(m, c, name, data, len, error);
}

static int append_occurrence(const Occurrence *o, const OccurrencePerson *people, size_t n_people,
                             void *userdata) {
        sd_bus_message *reply = userdata;
        int r;

        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_STRUCT, NETCTL_OCCURRENCE_CONTENTS);
        if (r < 0)
                return r;
        r = sd_bus_message_append(reply, "tssxxbbs", (uint64_t) o->id, o->uid, o->summary, o->start,
                                  o->end, (int) o->all_day, (int) o->cancelled, o->location);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "(sssb)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_people; i++) {
                r = sd_bus_message_append(reply, "(sssb)", people[i].email,
                                          people[i].name ? people[i].name : "",
                                          people[i].contact ? people[i].contact : "",
                                          (int) people[i].organizer);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

static int method_list(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Context *c = userdata;
        int64_t from, to;
        int include_cancelled;
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "xxb", &from, &to, &include_cancelled);
        if (r < 0)
                return r;
        if (from > to)
                return bus_error_errno(error, -EINVAL, "The range ends before it starts.");

        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, NETCTL_OCCURRENCE_SIG);
        if (r < 0)
                return r;
        r = store_occurrences_list(c->store, from, to, include_cancelled, append_occurrence, reply);
        if (r < 0)
                return bus_error_errno(error, r, "%s.", store_last_error(c->store));
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* The request both export methods take, and the export written to a new
 * memfd (daemon/export.h has the layout); *ret_fd is the caller's. */
static int export_to_memfd(sd_bus_message *m, Context *c, int *ret_fd, sd_bus_error *error) {
        _cleanup_close_ int fd = -1;
        int todos, events, single;
        bool write_failed;
        int r;

        r = bus_check_caller(m, c, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "bbb", &todos, &events, &single);
        if (r < 0)
                return r;
        if (!todos && !events)
                return bus_error_errno(error, -EINVAL, "Nothing to export: ask for tasks, events or both.");

        fd = memfd_create("netctl-export", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                return bus_error_errno(error, -errno, "Cannot create the export's memfd: %s.", strerror(errno));
        r = export_write(c, fd, todos, events, single, &write_failed);
        if (r < 0 && write_failed)
                return bus_error_errno(error, r, "Cannot write the export: %s.", strerror(-r));
        if (r < 0)
                return bus_error_errno(error, r, "Cannot export: %s.",
                                       r == -ENOMEM ? "out of memory" : store_last_error(c->store));
        /* A large export leaves malloc's arenas grown: give them back
         * once the reply is out. */
        context_release_memory_later(c);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* Export: the items as an a(ss) in the reply, up to EXPORT_REPLY_MAX. */
static int method_export(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_close_ int fd = -1;
        Context *c = userdata;
        int r;

        r = export_to_memfd(m, c, &fd, error);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = export_append_file(fd, reply);
        if (r == -E2BIG)
                return bus_error_errno(error, r, "The export is larger than one reply can carry (%u MiB); "
                                       "ExportMemfd returns it in a file.", EXPORT_REPLY_MAX >> 20);
        if (r < 0)
                return bus_error_errno(error, r, "Cannot export: %s.", strerror(-r));
        return sd_bus_send(NULL, reply, NULL);
}

/* ExportMemfd: what Export returns, in a sealed memfd instead of the
 * reply, so that its size has no limit.  Sealed against writing, growing
 * and shrinking, so that the caller can map it and reads exactly what was
 * exported. */
static int method_export_memfd(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_close_ int fd = -1;
        Context *c = userdata;
        int r;

        r = export_to_memfd(m, c, &fd, error);
        if (r < 0)
                return r;
        return bus_reply_sealed_memfd(m, fd, "export", error);
}

const sd_bus_vtable bus_meetings_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("Import",
                                SD_BUS_ARGS("s", name, "ay", data),
                                SD_BUS_RESULT("s", outcome, "u", added, "u", updated, "u", cancelled,
                                              "u", unchanged, "u", skipped, "s", reason),
                                method_import, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ImportFd",
                                SD_BUS_ARGS("s", name, "h", file),
                                SD_BUS_RESULT("s", outcome, "u", added, "u", updated, "u", cancelled,
                                              "u", unchanged, "u", skipped, "s", reason),
                                method_import_fd, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("List",
                                SD_BUS_ARGS("x", from, "x", to, "b", include_cancelled),
                                SD_BUS_RESULT("a" NETCTL_OCCURRENCE_SIG, occurrences),
                                method_list, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Export",
                                SD_BUS_ARGS("b", todos, "b", events, "b", single),
                                SD_BUS_RESULT("a(ss)", items),
                                method_export, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ExportMemfd",
                                SD_BUS_ARGS("b", todos, "b", events, "b", single),
                                SD_BUS_RESULT("h", file),
                                method_export_memfd, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
