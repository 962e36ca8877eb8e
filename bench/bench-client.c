/* SPDX-License-Identifier: MIT */
/* The benchmarks' bus client (bench/run.py), not part of netctl:
 *
 *   bench-client add           reads "DUE<TAB>TEXT" lines (DUE in Unix
 *                              seconds) from standard input and adds each
 *                              as a follow-up; prints the number added
 *   bench-client import FILE   Meetings.Import of FILE with a long timeout;
 *                              prints "SECONDS OUTCOME ADDED UPDATED
 *                              CANCELLED UNCHANGED SKIPPED"
 *   bench-client parse FILE    libical's parse of FILE and nothing else, no
 *                              bus; prints "SECONDS EVENTS".  Every importer
 *                              built on libical pays at least this, so it
 *                              bounds the import ratios netctl can reach
 *
 * Add calls are pipelined (many in flight) rather than one round trip
 * each, so that 100,000 follow-ups load in a minute or two; the daemon
 * stays the only process that opens the database. */
#include <errno.h>
#include <libical/ical.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include "bus-names.h"

#define IN_FLIGHT 256

static unsigned outstanding, failed;
static uint64_t added;

static int on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        outstanding--;
        if (e) {
                if (failed++ < 5)
                        fprintf(stderr, "bench-client: %s: %s\n", e->name, e->message);
                return 0;
        }
        added++;
        return 0;
}

/* Dispatches one message if one has arrived (returns > 0); otherwise,
 * when block is set, waits for more.  Callers re-check their condition
 * after each call. */
static int process_some(sd_bus *bus, bool block) {
        int r = sd_bus_process(bus, NULL);
        if (r != 0 || !block)
                return r;
        r = sd_bus_wait(bus, UINT64_MAX);
        return r < 0 && r != -EINTR ? r : 0;
}

static int add_followups(sd_bus *bus) {
        char *line = NULL;
        size_t size = 0;
        ssize_t len;
        uint64_t lineno = 0;
        int r;

        while ((len = getline(&line, &size, stdin)) >= 0) {
                sd_bus_message *m = NULL;
                char *tab, *end;

                lineno++;
                if (len > 0 && line[len - 1] == '\n')
                        line[--len] = '\0';
                tab = strchr(line, '\t');
                if (!tab) {
                        fprintf(stderr, "bench-client: line %" PRIu64 ": expected DUE<TAB>TEXT\n", lineno);
                        return 1;
                }
                *tab = '\0';
                errno = 0;
                long long due = strtoll(line, &end, 10);
                if (errno != 0 || *end != '\0') {
                        fprintf(stderr, "bench-client: line %" PRIu64 ": bad due time\n", lineno);
                        return 1;
                }

                while (outstanding >= IN_FLIGHT) {
                        r = process_some(bus, true);
                        if (r < 0)
                                goto bus_fail;
                }

                r = sd_bus_message_new_method_call(bus, &m, NETCTL_BUS_NAME, NETCTL_OBJECT_PATH,
                                                   NETCTL_IFACE_FOLLOWUPS, "Add");
                if (r >= 0)
                        r = sd_bus_message_append(m, "sxa{sv}", tab + 1, (int64_t) due, 0);
                if (r >= 0)
                        r = sd_bus_call_async(bus, NULL, m, on_reply, NULL, 60 * 1000000ULL);
                sd_bus_message_unref(m);
                if (r < 0)
                        goto bus_fail;
                outstanding++;
                do
                        r = process_some(bus, false);
                while (r > 0);
                if (r < 0)
                        goto bus_fail;
        }
        while (outstanding > 0) {
                r = process_some(bus, true);
                if (r < 0)
                        goto bus_fail;
        }

        free(line);
        printf("%" PRIu64 "\n", added);
        if (failed > 0) {
                fprintf(stderr, "bench-client: %u Add call(s) failed\n", failed);
                return 1;
        }
        return 0;

bus_fail:
        fprintf(stderr, "bench-client: bus: %s\n", strerror(-r));
        return 1;
}

static double now_seconds(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Reads all of path into *ret (NUL-terminated; *ret_size excludes the
 * NUL). */
static int read_whole_file(const char *path, char **ret, size_t *ret_size) {
        char *data = NULL;
        size_t size = 0;
        FILE *f = fopen(path, "re");

        if (!f) {
                int e = errno;
                fprintf(stderr, "bench-client: %s: %s\n", path, strerror(e));
                return -e;
        }
        for (;;) {
                char *bigger = realloc(data, size + 65536 + 1);
                if (!bigger) {
                        fclose(f);
                        free(data);
                        return -ENOMEM;
                }
                data = bigger;
                size_t n = fread(data + size, 1, 65536, f);
                size += n;
                if (n < 65536)
                        break;
        }
        fclose(f);
        data[size] = '\0';
        *ret = data;
        *ret_size = size;
        return 0;
}

/* libical's parse alone, timed from the bytes in memory to the tree,
 * then the events counted (untimed) to show the file was read whole. */
static int parse_file(const char *path) {
        char *data = NULL;
        size_t size = 0;
        unsigned events = 0;

        if (read_whole_file(path, &data, &size) < 0)
                return 1;
        double start = now_seconds();
        icalcomponent *root = icalparser_parse_string(data);
        double elapsed = now_seconds() - start;
        free(data);
        if (!root) {
                fprintf(stderr, "bench-client: %s: libical could not parse it\n", path);
                return 1;
        }
        if (icalcomponent_isa(root) == ICAL_VEVENT_COMPONENT)
                events = 1;
        for (icalcomponent *c = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT); c;
             c = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT))
                events++;
        icalcomponent_free(root);
        printf("%.6f %u\n", elapsed, events);
        return 0;
}

static int import_file(sd_bus *bus, const char *path) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *m = NULL, *reply = NULL;
        const char *outcome, *reason;
        uint32_t n_added, updated, cancelled, unchanged, skipped;
        char *data = NULL;
        size_t size = 0;
        int r;

        if (read_whole_file(path, &data, &size) < 0)
                return 1;

        /* From building the message to the reply: what "netctl import"
         * does, without its 25-second call timeout. */
        double start = now_seconds();
        r = sd_bus_message_new_method_call(bus, &m, NETCTL_BUS_NAME, NETCTL_OBJECT_PATH,
                                           NETCTL_IFACE_MEETINGS, "Import");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", path);
        if (r >= 0)
                r = sd_bus_message_append_array(m, 'y', data, size);
        free(data);
        if (r >= 0)
                r = sd_bus_call(bus, m, 3600ULL * 1000000ULL, &error, &reply);
        double elapsed = now_seconds() - start;
        sd_bus_message_unref(m);
        if (r < 0) {
                fprintf(stderr, "bench-client: Import: %s\n", error.message ? error.message : strerror(-r));
                sd_bus_error_free(&error);
                return 1;
        }
        r = sd_bus_message_read(reply, "suuuuus", &outcome, &n_added, &updated, &cancelled, &unchanged,
                                &skipped, &reason);
        if (r < 0) {
                fprintf(stderr, "bench-client: unexpected reply: %s\n", strerror(-r));
                sd_bus_message_unref(reply);
                return 1;
        }
        printf("%.6f %s %u %u %u %u %u\n", elapsed, outcome, n_added, updated, cancelled, unchanged, skipped);
        sd_bus_message_unref(reply);
        return 0;
}

int main(int argc, char *argv[]) {
        sd_bus *bus = NULL;
        int r;

        if (argc < 2 || (strcmp(argv[1], "add") == 0 && argc != 2) ||
            ((strcmp(argv[1], "import") == 0 || strcmp(argv[1], "parse") == 0) && argc != 3) ||
            (strcmp(argv[1], "add") != 0 && strcmp(argv[1], "import") != 0 && strcmp(argv[1], "parse") != 0)) {
                fprintf(stderr, "usage: bench-client add < DUE-TAB-TEXT-LINES\n"
                                "       bench-client import FILE.ics\n"
                                "       bench-client parse FILE.ics\n");
                return 2;
        }
        if (strcmp(argv[1], "parse") == 0)
                return parse_file(argv[2]);
        r = sd_bus_open_user(&bus);
        if (r < 0) {
                fprintf(stderr, "bench-client: cannot connect to the session bus: %s\n", strerror(-r));
                return 1;
        }
        r = strcmp(argv[1], "add") == 0 ? add_followups(bus) : import_file(bus, argv[2]);
        sd_bus_flush_close_unref(bus);
        return r;
}
